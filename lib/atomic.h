/* SPDX-License-Identifier: MIT */
/*
 * Atomics and barriers for x86-64, shared unchanged by the bare-metal and
 * hosted builds (both run on x86-64; only the link-time shim differs).
 *
 * What each primitive means on x86-64 (TSO):
 *
 *   barrier()              compiler barrier only; emits nothing.
 *   READ_ONCE/WRITE_ONCE   one volatile access of the full width: the compiler
 *                          may not tear, fuse, repeat or hoist it out of a loop.
 *                          No fence: TSO already orders load->load,
 *                          load->store and store->store.
 *   smp_rmb / smp_wmb      compiler barriers only: TSO never reorders
 *                          loads with loads or stores with stores.
 *   smp_mb                 a real fence.  TSO lets a store sit in the store
 *                          buffer while a later load to another address
 *                          completes (store-buffering, "SB").  Only a fence
 *                          or a LOCK-prefixed RMW drains the buffer.  We use
 *                          "lock addl $0, -8(%rsp)" (cheaper than MFENCE and
 *                          equally strong for ordinary write-back memory).
 *   load_acquire /         a plain MOV that the compiler may not move code
 *   store_release          across in the acquire/release direction: every
 *                          x86 load is an acquire and every store a release.
 *   cmpxchg/xchg/fetch_*   LOCK-prefixed RMWs (XCHG with memory is implicitly
 *                          locked).  A locked instruction waits for the store
 *                          buffer to drain and is globally ordered against all
 *                          other loads and stores: it is a full barrier, so
 *                          smp_mb__before_atomic/after_atomic are compiler
 *                          barriers only.
 *
 * All RMWs operate on naturally aligned 64-bit or 32-bit words.  Mutation
 * builds (lib/mutate.h) replace individual call sites, never these helpers.
 */
#ifndef LIB_ATOMIC_H
#define LIB_ATOMIC_H

#include "lib/compiler.h"

#define barrier()	__asm__ __volatile__("" ::: "memory")

/*
 * Marked accesses.  A relaxed __atomic access through a volatile pointer
 * compiles to one plain MOV, is never torn, fused or hoisted, and is seen by
 * ThreadSanitizer as an atomic access rather than a data race.
 */
#define READ_ONCE(x)							\
	__atomic_load_n((volatile __typeof__(x) *)&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v)						\
	__atomic_store_n((volatile __typeof__(x) *)&(x), (v), __ATOMIC_RELAXED)

/*
 * Full fence: drains the store buffer (see above).  ThreadSanitizer does
 * not model fences, so every happens-before edge that protects data must
 * also be expressed as an acquire/release pair; smp_mb() is only for the
 * store->load (SB) order that acquire/release cannot give.
 */
static __always_inline void smp_mb(void)
{
	__asm__ __volatile__("lock addl $0, -8(%%rsp)" ::: "memory", "cc");
}

#define smp_rmb()		barrier()
#define smp_wmb()		barrier()
#define smp_mb__before_atomic()	barrier()
#define smp_mb__after_atomic()	barrier()

/* Store then full fence, for the store side of a Dekker (SB) pair. */
#define smp_store_mb(x, v)	do { WRITE_ONCE(x, v); smp_mb(); } while (0)

#define load_acquire(p)		__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define store_release(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)

/* Spin-wait hint: PAUSE yields pipeline resources to the sibling thread. */
static __always_inline void cpu_relax(void)
{
	__asm__ __volatile__("pause" ::: "memory");
}

/*
 * Read-modify-write operations.  Each is a LOCK-prefixed instruction and
 * therefore a full barrier; the generic __atomic builtins with SEQ_CST
 * compile to exactly that on x86-64.
 */
#define cmpxchg(p, old, new)						\
	({								\
		__typeof__(*(p)) ___o = (old);				\
		__atomic_compare_exchange_n((p), &___o, (new), false,	\
			__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);		\
		___o;							\
	})

/* Like cmpxchg but returns success and updates *oldp on failure. */
#define try_cmpxchg(p, oldp, new)					\
	__atomic_compare_exchange_n((p), (oldp), (new), false,		\
		__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)

#define xchg(p, v)		__atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST)
#define fetch_add(p, v)		__atomic_fetch_add((p), (v), __ATOMIC_SEQ_CST)
#define fetch_sub(p, v)		__atomic_fetch_sub((p), (v), __ATOMIC_SEQ_CST)
#define fetch_or(p, v)		__atomic_fetch_or((p), (v), __ATOMIC_SEQ_CST)
#define fetch_and(p, v)		__atomic_fetch_and((p), (v), __ATOMIC_SEQ_CST)
#define atomic_inc(p)		((void)fetch_add((p), 1))
#define atomic_dec(p)		((void)fetch_sub((p), 1))
#define atomic_dec_and_test(p)	(fetch_sub((p), 1) == 1)

/* Increment unless zero (refcount get under a read-side section). */
#define atomic_inc_not_zero(p)						\
	({								\
		__typeof__(*(p)) ___c = READ_ONCE(*(p));		\
		while (___c && !try_cmpxchg((p), &___c, ___c + 1))	\
			;						\
		___c != 0;						\
	})

/*
 * Relaxed statistics counter: one locked add, used where only the final
 * sum matters (no ordering implied to readers).
 */
#define stat_add(p, v)	((void)__atomic_fetch_add((p), (v), __ATOMIC_RELAXED))

#endif /* LIB_ATOMIC_H */
