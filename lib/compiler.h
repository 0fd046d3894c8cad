/* SPDX-License-Identifier: MIT */
/*
 * Compiler attributes and small helpers.  Nothing here emits a fence;
 * ordering primitives live in lib/atomic.h.
 */
#ifndef LIB_COMPILER_H
#define LIB_COMPILER_H

#include "lib/types.h"

#define __noreturn	__attribute__((noreturn))
#define __packed	__attribute__((packed))
#define __aligned(x)	__attribute__((aligned(x)))
#define __section(s)	__attribute__((section(s)))
#define __used		__attribute__((used))
#define __unused	__attribute__((unused))
#define __printf(a, b)	__attribute__((format(printf, a, b)))
#ifndef __always_inline	/* glibc defines it too when hosted */
#define __always_inline	inline __attribute__((always_inline))
#endif
#define __noinline	__attribute__((noinline))
#define __cacheline_aligned __aligned(64)

/*
 * Address-space annotations for sparse (make check).  __ept marks EPT
 * entry pointers (only the accessors in mm/ept_entry.h may dereference
 * them), __guest marks pointers into a VM's RAM (only vmx/vm/guest_mem.c
 * may dereference them; everything else copies through its API).  Host-physical addresses are phys_addr_t, never pointers.
 * To gcc they are nothing.
 */
#ifdef __CHECKER__
#define __ept		__attribute__((noderef, address_space(__ept)))
#define __guest		__attribute__((noderef, address_space(__guest)))
#define __force		__attribute__((force))
#else
#define __ept
#define __guest
#define __force
#endif

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define BIT(n)		(1ULL << (n))
#define GENMASK(h, l)	((~0ULL << (l)) & (~0ULL >> (63 - (h))))
#define ALIGN_UP(x, a)	(((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define MAX(a, b)	((a) > (b) ? (a) : (b))

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#define BUILD_BUG_ON(cond)	_Static_assert(!(cond), #cond)

/*
 * is_defined(MACRO): 1 if MACRO is defined to 1, else 0, usable in C
 * expressions (so dead branches are still type-checked).  The trick: a
 * macro defined as 1 pastes into DEFINED_ONE_1, which expands to "x,",
 * shifting the literal 1 into the second argument position.
 */
#define DEFINED_ONE_1 x,
#define is_defined(m)		is_defined_1_(m)
#define is_defined_1_(v)	is_defined_2_(DEFINED_ONE_##v)
#define is_defined_2_(junk)	pick_second_(junk 1, 0, 0) // NOLINT(bugprone-macro-parentheses): pasted, not evaluated
#define pick_second_(a, b, ...)	b

#endif /* LIB_COMPILER_H */
