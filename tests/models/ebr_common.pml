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

/*
 * The updater: unlink (a plain store: EBR does not require an RMW unlink),
 * then ebr_synchronize(): R6 fence, read g0, wait for g0 + 2, free.  The
 * advances are all made by another CPU (the advancer), the schedule in
 * which the updater's own advance attempts (which start with a locked
 * xchg) give it no fence for free.
 */
active proctype updater()
{
	byte g0;

	atomic { u_sb_val = NEW; u_sb_full = 1 };
#ifndef MUTATE_R6_SYNC
	(u_sb_full == 0);		/* R6: smp_mb() in ebr_synchronize() */
#endif
	g0 = epoch;
end_wait:
#ifdef MUTATE_R6_AGE
	(epoch >= g0 + 1);
#else
	(epoch >= g0 + 2);
#endif
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
