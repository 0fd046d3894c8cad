/*
 * EBR grace period with read sections (ebr_enter/ebr_exit) under x86-TSO:
 * rules R5 and R6 of docs/locking.md.  See ebr_common.pml for the memory
 * model, the updater and the advancer.
 *
 * The reader runs two sections; in each it publishes "protecting in e"
 * (R5 store + fence), loads the slot and, if it got the old object, uses
 * it: assert(!freed) is the use-after-free check.  Exit is a release store
 * of 0, which must stay after the use (R6; a relaxed store could be
 * reordered before it by the compiler: MUTATE_R6_EXIT models that).
 *
 * Mutants (tools/spin-check ebr_gp.pml -DMUTATE_<SITE> must fail):
 *   R5_ENTER  no fence after the "protecting" store (store-buffering);
 *   R6_SYNC   no fence between the unlink and the epoch read;
 *   R6_AGE    free after one advance instead of two;
 *   R6_SCAN   advance without looking at the record;
 *   R6_EXIT   the exit store moved before the use of the object.
 */
#include "ebr_common.pml"

active proctype reader()
{
	byte e, k = 0;
	bit p;

	do
	:: k < 2 ->
		e = epoch;
		r_store_state(e * 2 + 1);		/* ebr_enter(): R5 xchg, store part */
#ifndef MUTATE_R5_ENTER
		r_fence();				/* ebr_enter(): R5, the xchg's fence */
#endif
		p = ptr;				/* load_acquire(slot) */
		if
		:: p == OLD ->
#ifdef MUTATE_R6_EXIT
			r_store_state(0);
#endif
			assert(!freed);			/* use the object */
#ifndef MUTATE_R6_EXIT
			r_store_state(0)		/* ebr_exit(): release */
#endif
		:: else -> r_store_state(0)
		fi;
		k++
	:: k >= 2 -> break
	od
}
