/*
 * R14: ticket spinlock (lib/spinlock.h), on an explicit x86-TSO machine.
 *
 * Each CPU has a FIFO store buffer (depth SBD); a load forwards from the
 * youngest own buffered store to the same address, else reads memory; a
 * drainer commits the oldest entry of any CPU at any time; a LOCKed RMW
 * first drains its own CPU's buffer and then is atomic on memory.
 *
 *   lock:   t = fetch_add(&next, 1)            (locked RMW)
 *           await serving == t                 (load_acquire spin)
 *   CS:     check data == t, then data = t+1  (the previous owner's write
 *                                              must be visible)
 *   unlock: serving = t + 1                    (store_release)
 *
 * Switches, matching the C mutation sites:
 *   MUTATE_R14_TICKET_RELEASE  the release store becomes relaxed; the
 *       compiler may then sink the CS's plain store below it, which this
 *       model expresses by letting the two stores enter the buffer in
 *       either order.  TSO itself never reorders them: only a model or
 *       a weaker compiler/ISA shows this mutant.
 *   MUTATE_R14_TICKET_TAKE     the take is a plain load + buffered store.
 *
 * Properties: mutual exclusion (ghost counter) and that each owner sees
 * the previous owner's data.
 */

#define NP	2	/* CPUs */
#define ROUNDS	2	/* acquisitions per CPU */
#define SBD	2	/* store-buffer depth */

#define NEXT	0
#define SERVING	1
#define DATA	2
#define NV	3

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

active [NP] proctype cpu()
{
	byte p = _pid - 1;
	byte t, d, round = 0;

	do
	:: round < ROUNDS ->
		/* take a ticket */
#ifdef MUTATE_R14_TICKET_TAKE
		tso_load(p, NEXT, t);
		tso_store(p, NEXT, t + 1);
#else
		atomic { sb_n[p] == 0; t = mem[NEXT]; mem[NEXT] = t + 1 }
#endif
		/* wait for it */
		AWAIT(p, SERVING, t);

		in_cs++;
		assert(in_cs == 1);
		tso_load(p, DATA, d);
		assert(d == t);
		in_cs--;

		/* write data, then hand over */
#ifdef MUTATE_R14_TICKET_RELEASE
		if
		:: tso_store(p, DATA, t + 1); tso_store(p, SERVING, t + 1)
		:: tso_store(p, SERVING, t + 1); tso_store(p, DATA, t + 1)
		fi;
#else
		tso_store(p, DATA, t + 1);
		tso_store(p, SERVING, t + 1);
#endif
		round++
	:: else -> break
	od
}
