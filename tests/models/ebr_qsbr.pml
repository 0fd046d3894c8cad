/*
 * EBR in QSBR mode (ebr_online / ebr_quiescent / ebr_offline) under
 * x86-TSO: rules R5 and R6 of docs/locking.md.  See ebr_common.pml for the
 * memory model, the updater and the advancer.
 *
 * The reader comes online (R5 store + fence), then twice: loads the slot,
 * uses the object it got (assert(!freed) is the use-after-free check) and
 * reports a quiescent state, which is a load of the epoch and a release
 * store of it with NO fence; then goes offline.  The correct model passing
 * is the proof that ebr_quiescent() needs no fence: the record protects
 * throughout, and a protected load after the quiescent state comes after
 * the load of the new epoch (TSO keeps load->load order), so it sees the
 * unlink that preceded that epoch.
 *
 * Mutants (tools/spin-check ebr_qsbr.pml -DMUTATE_<SITE> must fail):
 *   R5_ONLINE  no fence after the offline->online store;
 *   R6_QS      the quiescent store moved before the use of the object
 *              (what a relaxed store would allow the compiler to do).
 */
#include "ebr_common.pml"

active proctype reader()
{
	byte e, k = 0;
	bit p;

	e = epoch;
	r_store_state(e * 2 + 1);		/* ebr_online(): R5 xchg, store part */
#ifndef MUTATE_R5_ONLINE
	r_fence();				/* ebr_online(): R5, the xchg's fence */
#endif
	do
	:: k < 2 ->
		p = ptr;			/* load_acquire(slot) */
		e = epoch;			/* ebr_quiescent(): load_acquire(epoch) */
#ifdef MUTATE_R6_QS
		r_store_state(e * 2 + 1);
#endif
		if
		:: p == OLD -> assert(!freed)	/* use the object */
		:: else -> skip
		fi;
#ifndef MUTATE_R6_QS
		r_store_state(e * 2 + 1);	/* ebr_quiescent(): release store */
#endif
		k++
	:: k >= 2 -> break
	od;
	r_store_state(0)			/* ebr_offline() */
}
