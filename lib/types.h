/* SPDX-License-Identifier: MIT */
/*
 * Fixed-width types shared by the bare-metal and hosted builds.
 * Freestanding: only compiler-provided headers are used.
 */
#ifndef LIB_TYPES_H
#define LIB_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef unsigned long long u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef long long s64;

typedef u64 phys_addr_t;	/* host physical address */
typedef u64 gpa_t;		/* guest physical address */
typedef u64 gfn_t;		/* guest frame number */
typedef u64 pfn_t;		/* host frame number */

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define PAGE_MASK	(~(PAGE_SIZE - 1))

#define KiB(x)		((u64)(x) << 10)
#define MiB(x)		((u64)(x) << 20)
#define GiB(x)		((u64)(x) << 30)

#endif /* LIB_TYPES_H */
