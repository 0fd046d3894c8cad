/* SPDX-License-Identifier: MIT */
/*
 * Bit spinlock inside a pointer-sized word (the rmap head): bit 1 is the
 * lock, bit 0 and the other bits belong to the user (e.g. bit 0 = "many
 * descriptors" flag, the rest a pointer).
 *
 * Protocol (docs/locking.md, R13):
 *  - An empty word (0) is never locked: bitlock_lock() returns 0 and the
 *    caller holds nothing.  A first value goes in either with
 *    bitlock_unlock() by a writer that an outer exclusive lock serialises
 *    against all other writers, or with cmpxchg(word, 0, value) where
 *    writers may race (mm/rmap.c); no walker can lock an empty word.
 *  - A non-empty word, and anything it points to, changes only under the
 *    bit lock (plus whatever outer lock the user's rules add).
 *  - Read-only walkers (no outer lock) use bitlock_lock_readonly() /
 *    bitlock_unlock_readonly(): they restore the old value, which can
 *    never clobber a writer, because the writer had to wait for the bit.
 */
#ifndef LIB_BITLOCK_H
#define LIB_BITLOCK_H

#include "lib/atomic.h"
#include "lib/lockdep.h"
#include "lib/mutate.h"

#define BITLOCK_LOCKED	BIT(1)

/* Debug-build failure paths (lib/lockdep.c). */
__noreturn void bitlock_fail(const char *what, const u64 *word, u64 seen, u64 expected);

/**
 * bitlock_lock() - lock a non-empty word.
 * @word: the word
 *
 * Test-and-test-and-set: spin with plain loads while the bit is set, then
 * one cmpxchg old -> old | BITLOCK_LOCKED.
 *
 * Return: the value without the lock bit; 0 means the word was empty and is
 * NOT locked.
 */
static __always_inline u64 bitlock_lock(u64 *word)
{
	u64 old = READ_ONCE(*word);

	for (;;) {
		while (old & BITLOCK_LOCKED) {
			cpu_relax();
			old = READ_ONCE(*word);
		}
		/* Re-check: the holder may have emptied the word. */
		if (!old)
			return 0;
		/*
		 * R13: acquire.  One locked cmpxchg both takes the bit and
		 * checks that nobody changed the word since we read it; it
		 * orders the take before every load of the walk.  Pairs with
		 * the release-store in bitlock_unlock()/bitlock_unlock_readonly().
		 */
		if (try_cmpxchg_rule(R13_BITLOCK_CMPXCHG, word, &old, old | BITLOCK_LOCKED))
			return old;
	}
}

/**
 * bitlock_unlock() - publish @new_value and drop the lock.
 * @word:      the word, locked by the caller (or empty when the caller's
 *             bitlock_lock() returned 0)
 * @new_value: the new content; must not have BITLOCK_LOCKED set
 */
static __always_inline void bitlock_unlock(u64 *word, u64 new_value)
{
	if (LOCKDEP_ON) {
		u64 cur = READ_ONCE(*word);

		if (unlikely(new_value & BITLOCK_LOCKED))
			bitlock_fail("bitlock_unlock: new value has the lock bit set", word,
				     new_value, new_value & ~BITLOCK_LOCKED);
		if (unlikely(cur && !(cur & BITLOCK_LOCKED)))
			bitlock_fail("bitlock_unlock: word is neither locked nor empty", word,
				     cur, cur | BITLOCK_LOCKED);
	}
	/*
	 * R13: release.  Every store to the descriptors made under the lock
	 * is visible before the new head value and the cleared bit.  Pairs
	 * with the cmpxchg in bitlock_lock() of the next locker.
	 */
	store_release_rule(R13_BITLOCK_UNLOCK, word, new_value);
}

/* Lock for a read-only walk; same contract as bitlock_lock(). */
static __always_inline u64 bitlock_lock_readonly(u64 *word)
{
	return bitlock_lock(word);
}

/**
 * bitlock_unlock_readonly() - end a read-only walk.
 * @word: the word
 * @old:  what bitlock_lock_readonly() returned
 *
 * A no-op when @old is 0 (nothing was locked: a writer may have filled the
 * word since, and writing 0 back would erase its update).  Otherwise the
 * word must still be @old | BITLOCK_LOCKED (checked in debug builds).
 */
static __always_inline void bitlock_unlock_readonly(u64 *word, u64 old)
{
	/*
	 * R13: nothing to restore.  The R13_RO_UNLOCK_EMPTY mutant writes the
	 * 0 back (and, never having locked, has nothing to check below).
	 */
	if (rule_check(R13_RO_UNLOCK_EMPTY, !old))
		return;
	if (LOCKDEP_ON && old) {
		u64 cur = READ_ONCE(*word);

		if (unlikely(cur != (old | BITLOCK_LOCKED)))
			bitlock_fail("bitlock_unlock_readonly: word changed while locked", word,
				     cur, old | BITLOCK_LOCKED);
	}
	/* R13: release, as in bitlock_unlock(); pairs with bitlock_lock(). */
	store_release(word, old);
}

/* The word's value without the lock bit (a racy snapshot). */
static __always_inline u64 bitlock_peek(const u64 *word)
{
	return READ_ONCE(*word) & ~BITLOCK_LOCKED;
}

static __always_inline bool bitlock_is_locked(const u64 *word)
{
	return READ_ONCE(*word) & BITLOCK_LOCKED;
}

#endif /* LIB_BITLOCK_H */
