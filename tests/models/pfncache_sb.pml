/*
 * R10: the pfncache lockless invalidation check is a store-buffering
 * (Dekker) pair, modelled on x86-TSO with explicit store buffers.
 *
 *   refresher (gpc_resolve_retry):        valid = 1;  smp_mb();  c = count
 *   invalidator (gpc_invalidate_start):   count = 1;  smp_mb();  v = valid
 *
 * Each store goes to its thread's store buffer and reaches memory at a time
 * chosen by the drainer; a fence (smp_mb, or a locked RMW) waits for the
 * buffer to drain.  Loads read memory (no thread reads a location it has
 * buffered itself here).  Required: never both "the refresher saw no
 * invalidation (c == 0, it keeps its resolution and stays valid)" and "the
 * invalidator saw the cache invalid (v == 0, it skips it)" - then the cache
 * would stay valid on a frame being freed.
 *   MUTATE_R10_REFRESH_FENCE   drop the refresher's smp_mb()
 *   MUTATE_R10_INVAL_FENCE     drop the invalidator's smp_mb() (a non-RMW
 *                              acquisition: nothing drains the buffer)
 */

bit valid = 0;
bit count = 0;
bit sb_valid = 0;	/* refresher's buffered store valid = 1 */
bit sb_count = 0;	/* invalidator's buffered store count = 1 */
bit r_kept = 0;		/* refresher saw count == 0 */
bit i_skipped = 0;	/* invalidator saw valid == 0 */
byte done = 0;

active proctype drainer()
{
	do
	:: atomic { sb_valid -> valid = 1; sb_valid = 0 }
	:: atomic { sb_count -> count = 1; sb_count = 0 }
	:: atomic { done == 2 && !sb_valid && !sb_count -> break }
	od;
	assert(!(r_kept && i_skipped))
}

active proctype refresher()
{
	sb_valid = 1;
#ifndef MUTATE_R10_REFRESH_FENCE
	(sb_valid == 0);	/* smp_mb(): drain */
#endif
	if
	:: count == 0 -> r_kept = 1
	:: else -> skip
	fi;
	done++
}

active proctype invalidator()
{
	sb_count = 1;
#ifndef MUTATE_R10_INVAL_FENCE
	(sb_count == 0);	/* smp_mb(): drain */
#endif
	if
	:: valid == 0 -> i_skipped = 1
	:: else -> skip
	fi;
	done++
}
