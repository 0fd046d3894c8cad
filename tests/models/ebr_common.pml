/*
 * Shared part of the EBR models (tests/models/ebr_gp.pml, ebr_qsbr.pml):
 * x86-TSO memory for one reader, one updater and one advancer.
 *
 * TSO is modelled with a one-entry store buffer per storing thread: a
 * store first commits the older buffered store (FIFO), then waits in the
 * buffer; a separate drain process commits it at any later time; a fence
 * (smp_mb or a locked RMW) waits until the buffer is empty.  Loads read
 * memory, except a thread's own buffered store (store forwarding).  One
 * entry is enough to show every store->load reordering these protocols
 * have; x86 forbids all other reorderings, so nothing else is modelled.
 *
 * Values: the global epoch counts 0..ADVANCES; the reader's record state
 * is 0 (not protecting) or epoch * 2 + 1, as in mm/ebr.h.
 */
#define OLD		1
#define NEW		0
#define ADVANCES	4

byte epoch = 0;		/* d->epoch */
byte state = 0;		/* the reader's r->state */
bit ptr = OLD;		/* the slot: OLD until the updater's unlink lands */
bit freed = 0;		/* the old object was freed (poisoned) */

/* The reader's store buffer (its stores go to state). */
bit r_sb_full = 0;
byte r_sb_val;
/* The updater's store buffer (its store is the unlink). */
bit u_sb_full = 0;
bit u_sb_val;

inline r_store_state(v)
{
	atomic {
		if
		:: r_sb_full -> state = r_sb_val
		:: else -> skip
		fi;
		r_sb_val = v;
		r_sb_full = 1
	}
}

/* smp_mb() on the reader: wait for the drain. */
inline r_fence()
{
	(r_sb_full == 0)
}

active proctype r_drain()
{
end:	do
	:: atomic { r_sb_full -> state = r_sb_val; r_sb_full = 0 }
	od
}

active proctype u_drain()
{
end:	do
	:: atomic { u_sb_full -> ptr = u_sb_val; u_sb_full = 0 }
	od
}

#ifdef MUTATE_R6_AGE
#define READY(g0)	((g0) + 1)
#else
#define READY(g0)	((g0) + 2)
#endif

/*
 * The updater: unlink (a plain store: EBR does not require an RMW unlink),
 * R6 fence, read g0, wait, free.  Two waits, chosen nondeterministically:
 * the epoch rule alone (a retired callback: run at g0 + 2), or
 * ebr_wait_readers() (ebr_synchronize): sample the record once; if it
 * protects in g0 or older, wait until it does not protect, or protects in
 * g0 + 1, or the epoch reaches g0 + 2.  (Waiting for "any change" instead
 * is wrong for QSBR: a quiescent store can still sit in the store buffer
 * while the next loads already run; ebr_qsbr.pml finds that.)  The advances are all made by another CPU (the
 * advancer), the schedule in which the updater's own advance attempts
 * (which start with a locked xchg) give it no fence for free.
 */
active proctype updater()
{
	byte g0, s0;

	atomic { u_sb_val = NEW; u_sb_full = 1 };
#ifndef MUTATE_R6_SYNC
	(u_sb_full == 0);		/* R6: smp_mb() in ebr_synchronize() */
#endif
	g0 = epoch;
	if
	:: true ->			/* callback: the epoch rule */
end_wait_epoch:
		(epoch >= READY(g0))
	:: true ->			/* ebr_wait_readers() */
		s0 = state;
		if
		:: (s0 & 1) && s0 != (g0 + 1) * 2 + 1 ->
end_wait_reader:
			if
			:: state == 0 -> skip
			:: state == (g0 + 1) * 2 + 1 -> skip
			:: epoch >= READY(g0) -> skip
			fi
		:: else -> skip
		fi
	fi;
	freed = 1
}

/*
 * Another CPU advancing the epoch (ebr_try_advance): scan the record
 * (load_acquire: plain TSO load), advance when it is not protecting or has
 * observed the current epoch.  One advancer: the flag serializes them.
 */
active proctype advancer()
{
	byte g, s, n = 0;

	do
	:: n < ADVANCES ->
		g = epoch;
		s = state;
		if
#ifndef MUTATE_R6_SCAN
		:: (s & 1) && (s >> 1) != g -> skip	/* held: retry */
#endif
		:: else -> epoch = g + 1; n++
		fi
	:: n >= ADVANCES -> break
	od
}
