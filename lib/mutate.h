/* SPDX-License-Identifier: MIT */
/*
 * Named ordering primitives: the barrier, atomic or step an ordering rule
 * (R1..R15, docs/locking.md) requires, written as what it does.
 *
 * Each primitive takes the rule's mutation site as its first argument,
 * for example smp_mb_rule(R5_ENTER) or try_cmpxchg_rule(R2_WRPROT, ...).
 * In every build but one it is exactly the plain primitive (smp_mb(),
 * try_cmpxchg(), ...).  The mutant build of that site (-DMUTATE_<SITE>=1,
 * made by tools/mutation-test) swaps in the broken form named below: the
 * fence gone, the atomic turned into plain accesses, the step left out.
 * The choice is made by the compiler from the command line: no dead branch
 * is left in a normal or release build.  The lists in tests/mutations/ name the
 * test or model that must kill each mutant.
 *
 * Orderings:
 *   smp_mb_rule / smp_rmb_rule / smp_wmb_rule   mutant: no fence
 *   store_release_rule(s, p, v)     mutant: relaxed WRITE_ONCE
 *   store_mb_rule(s, p, v)          store + full fence (xchg);
 *                                   mutant: release store, no fence
 * Atomicity (mutant: the read and the write are two plain accesses):
 *   xchg_rule, fetch_add_rule, fetch_and_rule
 *   cmpxchg_rule(s, p, old, new)    mutant: check, then store
 *   try_cmpxchg_rule(s, p, oldp, new)  mutant: blind store of @new,
 *                                   reported as success (lost update)
 *   atomic_inc_not_zero_rule(s, p)  mutant: increment even from zero
 * Steps and checks of a protocol (mutant: left out, or moved):
 *   rule_check(s, cond)             @cond; mutant: false (check skipped)
 *   rule_step(s, stmt)              @stmt; mutant: not done
 *   rule_mutant_step(s, stmt)       nothing; mutant: @stmt (where a
 *                                   step moves to, or what replaces it)
 *   rule_value(s, value, mutant)    @value; mutant: @mutant
 *   spin_until_rule(s, cond)        wait for @cond, then true; mutant:
 *                                   one look, returns @cond
 */
#ifndef LIB_MUTATE_H
#define LIB_MUTATE_H

#include "lib/atomic.h"
#include "lib/compiler.h"

/* 1 in the mutant build of @site, else 0.  Only the primitives below use it. */
#define mutated(site)	is_defined(MUTATE_##site)

#define smp_mb_rule(site)						\
	do {								\
		if (!mutated(site))					\
			smp_mb();					\
	} while (0)

#define smp_rmb_rule(site)						\
	do {								\
		if (!mutated(site))					\
			smp_rmb();					\
	} while (0)

#define smp_wmb_rule(site)						\
	do {								\
		if (!mutated(site))					\
			smp_wmb();					\
	} while (0)

#define store_release_rule(site, p, v)					\
	do {								\
		if (mutated(site))					\
			WRITE_ONCE(*(p), (v));				\
		else							\
			store_release((p), (v));			\
	} while (0)

#define store_mb_rule(site, p, v)					\
	do {								\
		if (mutated(site))					\
			store_release((p), (v));			\
		else							\
			(void)xchg((p), (v));				\
	} while (0)

#define xchg_rule(site, p, v)						\
	({								\
		__typeof__(*(p)) ___x;					\
		if (mutated(site)) {					\
			___x = READ_ONCE(*(p));				\
			WRITE_ONCE(*(p), (v));				\
		} else {						\
			___x = xchg((p), (v));				\
		}							\
		___x;							\
	})

#define fetch_add_rule(site, p, v)					\
	({								\
		__typeof__(*(p)) ___a;					\
		if (mutated(site)) {					\
			___a = READ_ONCE(*(p));				\
			WRITE_ONCE(*(p), ___a + (v));			\
		} else {						\
			___a = fetch_add((p), (v));			\
		}							\
		___a;							\
	})

#define fetch_and_rule(site, p, mask)					\
	({								\
		__typeof__(*(p)) ___n;					\
		if (mutated(site)) {					\
			___n = READ_ONCE(*(p));				\
			WRITE_ONCE(*(p), ___n & (mask));		\
		} else {						\
			___n = fetch_and((p), (mask));			\
		}							\
		___n;							\
	})

#define cmpxchg_rule(site, p, old, new)					\
	({								\
		__typeof__(*(p)) ___c;					\
		if (mutated(site)) {					\
			___c = READ_ONCE(*(p));				\
			if (___c == (old))				\
				WRITE_ONCE(*(p), (new));		\
		} else {						\
			___c = cmpxchg((p), (old), (new));		\
		}							\
		___c;							\
	})

#define try_cmpxchg_rule(site, p, oldp, new)				\
	({								\
		bool ___t = true;					\
		if (mutated(site))					\
			WRITE_ONCE(*(p), (new));			\
		else							\
			___t = try_cmpxchg((p), (oldp), (new));		\
		___t;							\
	})

#define atomic_inc_not_zero_rule(site, p)				\
	({								\
		bool ___z = true;					\
		if (mutated(site))					\
			(void)fetch_add((p), 1);			\
		else							\
			___z = atomic_inc_not_zero(p);			\
		___z;							\
	})

#define rule_check(site, cond)	(!mutated(site) && (cond))

#define rule_step(site, ...)						\
	do {								\
		if (!mutated(site)) {					\
			__VA_ARGS__;					\
		}							\
	} while (0)

#define rule_mutant_step(site, ...)					\
	do {								\
		if (mutated(site)) {					\
			__VA_ARGS__;					\
		}							\
	} while (0)

#define rule_value(site, value, mutant)	(mutated(site) ? (mutant) : (value))

#define spin_until_rule(site, cond)					\
	({								\
		bool ___s;						\
		while (!(___s = (cond)) && !mutated(site))		\
			cpu_relax();					\
		___s;							\
	})

#endif /* LIB_MUTATE_H */
