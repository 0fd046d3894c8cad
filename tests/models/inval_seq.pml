/*
 * R9: invalidation sequence / in-progress count, message-passing shape.
 *
 * Writer (mmu_invalidate_end_locked):  seq++ ; smp_wmb ; in_progress--
 * Reader (fault, lockless):            snap = seq ; smp_rmb ; resolve ;
 *                                      ip = in_progress ; smp_rmb ; s = seq
 *                                      accept iff ip == 0 && s == snap
 * x86-TSO never reorders store->store or load->load, so the hardware cannot
 * break this; the compiler can (smp_wmb / smp_rmb are compiler barriers).
 * Each MUTATE_* switch models the reordering that dropping one barrier
 * permits, as the C mutant of the same site does:
 *   MUTATE_R9_END_ORDER     in_progress-- before seq++   (mmu_invalidate_end_locked)
 *   MUTATE_R9_PRECHECK_RMB  seq read before in_progress  (mmu_invalidate_retry_gfn_unsafe)
 *   MUTATE_R9_SNAPSHOT_RMB  snapshot taken after resolving (mmu_invalidate_snapshot)
 * Interleavings are sequentially consistent; every statement is atomic.
 *
 * Property: an accepted resolution is the frame that backed the gfn when
 * the reader read in_progress: "the caller either sees the old (non-zero)
 * in_progress or the new seq".  The invalidation range always covers the
 * reader's gfn here (range tearing is the separate, allowed false negative
 * of the pre-check).
 */

#define ROUNDS 2

byte seq = 0;
byte in_progress = 0;
byte frame = 0;		/* generation of the frame backing the gfn */

active [2] proctype invalidator()
{
	byte i = 0;
	do
	:: i < ROUNDS ->
		/* begin, under mmu_lock for write */
		d_step { in_progress++ }
		/* zap, free the frame, back the gfn with a new one */
		frame++;
		/* end, under mmu_lock for write */
#ifdef MUTATE_R9_END_ORDER
		in_progress--;
		seq++;
#else
		seq++;
		in_progress--;
#endif
		i++
	:: else -> break
	od
}

active proctype faulter()
{
	byte snap, f, ip, s, fnow, n = 0;
	do
	:: n < ROUNDS + 1 ->
#ifdef MUTATE_R9_SNAPSHOT_RMB
		f = frame;
		snap = seq;
#else
		snap = seq;
		f = frame;
#endif
#ifdef MUTATE_R9_PRECHECK_RMB
		s = seq;
		atomic { ip = in_progress; fnow = frame };
#else
		atomic { ip = in_progress; fnow = frame };
		s = seq;
#endif
		if
		:: ip == 0 && s == snap -> assert(f == fnow)
		:: else -> skip
		fi;
		n++
	:: else -> break
	od
}
