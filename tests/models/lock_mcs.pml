/*
 * R14: MCS queued lock (lib/mcslock.c), on an explicit x86-TSO machine
 * (store buffers as in lock_ticket.pml).
 *
 *   lock:   node.next = 0; node.locked = 0;          (plain stores)
 *           prev = xchg(&tail, me)                   (locked RMW: drains)
 *           if prev: prev.next = me; await node.locked == 1
 *   CS:     data must equal the number of earlier critical sections
 *   unlock: n = node.next
 *           if !n: if cmpxchg(&tail, me, 0) == me: done
 *                  await node.next != 0              (the link window)
 *           n.locked = 1                             (store_release)
 *
 * Switches, matching the C mutation sites:
 *   MUTATE_R14_MCS_HANDOFF        hand-off store relaxed: the compiler may
 *                                 sink the CS's data store below it
 *   MUTATE_R14_MCS_UNLOCK_CMPXCHG tail check-then-store instead of cmpxchg
 *   MUTATE_R14_MCS_WAIT_NEXT      unlock gives up when next is not linked
 *   MUTATE_R14_MCS_TAIL_XCHG      tail swap as plain load + store
 * A stranded waiter shows up as an invalid end state (deadlock).
 */

#define NP	2
#define ROUNDS	2
#define SBD	2

#define TAIL	0
#define DATA	1
#define NEXT(p)	(2 + (p))
#define LOCKED(p) (4 + (p))
#define NV	6

byte mem[NV];
byte sb_a[NP * SBD];
byte sb_v[NP * SBD];
byte sb_n[NP];
byte in_cs;

/* TSO primitives (every macro is one atomic step). */
inline tso_store(p, a, v)
{
	atomic {
		(sb_n[p] < SBD);
		sb_a[p * SBD + sb_n[p]] = a;
		sb_v[p * SBD + sb_n[p]] = v;
		sb_n[p]++
	}
}

inline tso_load(p, a, r)
{
	atomic {
		r = mem[a];
		if
		:: sb_n[p] > 0 && sb_a[p * SBD] == a -> r = sb_v[p * SBD]
		:: else -> skip
		fi;
		if
		:: sb_n[p] > 1 && sb_a[p * SBD + 1] == a -> r = sb_v[p * SBD + 1]
		:: else -> skip
		fi
	}
}

/* Commit the oldest buffered store of CPU p. */
inline tso_drain1(p)
{
	atomic {
		sb_n[p] > 0 ->
		mem[sb_a[p * SBD]] = sb_v[p * SBD];
		sb_a[p * SBD] = sb_a[p * SBD + 1];
		sb_v[p * SBD] = sb_v[p * SBD + 1];
		sb_n[p]--
	}
}

/* True when CPU p has no buffered store to address a. */
#define NOBUF(p, a)	(!(sb_n[p] > 0 && sb_a[(p) * SBD] == (a)) && \
			 !(sb_n[p] > 1 && sb_a[(p) * SBD + 1] == (a)))

/* Spin until the value CPU p sees at a is v (blocks; a hang is a deadlock). */
#define AWAIT(p, a, v)	(NOBUF(p, a) && mem[a] == (v))

active proctype drainer()
{
end:
	do
	:: tso_drain1(0)
	:: tso_drain1(1)
	od
}

byte acq;	/* ghost: critical sections completed (sequentially consistent) */

active [NP] proctype cpu()
{
	byte p = _pid - 1;
	byte me = p + 1;
	byte prev, n, d, t, round = 0;
	bool ok;

	do
	:: round < ROUNDS ->
		tso_store(p, NEXT(p), 0);
		tso_store(p, LOCKED(p), 0);
#ifdef MUTATE_R14_MCS_TAIL_XCHG
		tso_load(p, TAIL, prev);
		tso_store(p, TAIL, me);
#else
		atomic { sb_n[p] == 0; prev = mem[TAIL]; mem[TAIL] = me }
#endif
		if
		:: prev != 0 ->
			tso_store(p, NEXT(prev - 1), me);
			AWAIT(p, LOCKED(p), 1)
		:: else -> skip
		fi;

		/* critical section */
		in_cs++;
		assert(in_cs == 1);
		tso_load(p, DATA, d);
		assert(d == acq);
		acq++;
		in_cs--;
#ifndef MUTATE_R14_MCS_HANDOFF
		tso_store(p, DATA, d + 1);
#endif

		/* unlock */
		tso_load(p, NEXT(p), n);
		if
		:: n == 0 ->
#ifdef MUTATE_R14_MCS_HANDOFF
			tso_store(p, DATA, d + 1);
#endif
#ifdef MUTATE_R14_MCS_UNLOCK_CMPXCHG
			tso_load(p, TAIL, t);
			if
			:: t == me -> tso_store(p, TAIL, 0); ok = true
			:: else -> ok = false
			fi;
#else
			atomic {
				sb_n[p] == 0;
				if
				:: mem[TAIL] == me -> mem[TAIL] = 0; ok = true
				:: else -> ok = false
				fi
			}
#endif
			if
			:: ok -> goto done
			:: else -> skip
			fi;
#ifdef MUTATE_R14_MCS_WAIT_NEXT
			tso_load(p, NEXT(p), n);
			if
			:: n == 0 -> goto done
			:: else -> skip
			fi;
#else
			atomic { NOBUF(p, NEXT(p)) && mem[NEXT(p)] != 0; n = mem[NEXT(p)] };
#endif
			tso_store(p, LOCKED(n - 1), 1)
		:: else ->
#ifdef MUTATE_R14_MCS_HANDOFF
			if
			:: tso_store(p, DATA, d + 1); tso_store(p, LOCKED(n - 1), 1)
			:: tso_store(p, LOCKED(n - 1), 1); tso_store(p, DATA, d + 1)
			fi
#else
			tso_store(p, LOCKED(n - 1), 1)
#endif
		fi;
done:
		round++
	:: else -> break
	od
}
