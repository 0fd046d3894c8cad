/*
 * R14: the fair rwlock (lib/rwlock.c), on an explicit x86-TSO machine
 * (store buffers as in lock_ticket.pml).  CPUs 0..NW-1 write, the next NR read.
 * Each reader CPU has its own slot counter (the per-CPU cache-line slots),
 * and the "used" mask says which slots a writer must scan.
 *
 *   reader: if !(used & me): fetch_or(used, me) (locked RMW)
 *           slot[me]++ (locked RMW); if wstate == 0: in (fast path)
 *           else: slot[me]-- ; take queue ; slot[me]++ ; release queue ; in
 *           ... ; slot[me]-- (load + store_release: only this CPU writes it)
 *   writer: take queue ; xchg(wstate, 1) ; m = used ;
 *           for each slot in m: await slot == 0 ; in ; ... ;
 *           wstate = 0 (store_release) ; release queue
 *   (the FIFO ticket queue is modelled as a test-and-set lock: fairness is
 *    not a safety property; the ticket lock has its own model)
 *
 * The fast path is a store-buffering (Dekker) pair: {slot++ ; load
 * wstate} against {store wstate ; load used, slots}.  Switches, matching
 * the C mutation sites:
 *   MUTATE_R14_RW_READ_INC     slot++ as plain load + buffered store
 *   MUTATE_R14_RW_WRITER_XCHG  wstate = 1 as a buffered store, no fence
 *   MUTATE_R14_RW_READ_DEC     unlock's release store relaxed: the compiler
 *                              may hoist it above the section's loads
 *   MUTATE_R14_RW_WRITE_UNLOCK release store relaxed: the compiler may sink
 *                              the CS's second data store below it
 * Properties: no reader inside together with the writer (ghost counters),
 * readers see the writer's two data words equal, no deadlock.
 */

#ifndef NR
#define NR	2	/* readers; -DNR=1 isolates the store-buffering outcome */
#endif
#ifndef NW
#define NW	1	/* writers; -DNW=2 -DNR=1 checks writer against writer */
#endif
#define NP	3	/* store buffers for NW + NR <= 3 CPUs */
#define ROUNDS	1
#define SBD	2

#define WSTATE	0
#define QUEUE	1
#define DA	2
#define DB	3
#define USED	4
#define SLOT0	5	/* reader i's slot is SLOT0 + i */
#define NV	7

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
	:: tso_drain1(2)
	od
}

byte readers_in, writer_in;	/* ghosts */

inline rmw_add(p, a, delta)
{
	atomic { sb_n[p] == 0; mem[a] = mem[a] + delta }
}

inline queue_lock(p)
{
	atomic { sb_n[p] == 0 && mem[QUEUE] == 0 -> mem[QUEUE] = 1 }
}

inline reader_inc(p, slot)
{
#ifdef MUTATE_R14_RW_READ_INC
	tso_load(p, slot, r);
	tso_store(p, slot, r + 1);
#else
	rmw_add(p, slot, 1);
#endif
}

/* Only this CPU writes its slot: a load and a (release) store. */
inline reader_dec(p, slot)
{
	tso_load(p, slot, r);
	tso_store(p, slot, r - 1);
}

active [NW] proctype writer()
{
	byte p = _pid - 1;
	byte r, m, i, round = 0;

	do
	:: round < ROUNDS ->
		queue_lock(p);
#ifdef MUTATE_R14_RW_WRITER_XCHG
		tso_store(p, WSTATE, 1);
#else
		atomic { sb_n[p] == 0; mem[WSTATE] = 1 }
#endif
		/* Snapshot of the used mask, then drain each slot in it. */
		tso_load(p, USED, m);
		i = 0;
		do
		:: i < NR ->
			if
			:: m & (1 << i) -> AWAIT(p, SLOT0 + i, 0)
			:: else -> skip
			fi;
			i++
		:: else -> break
		od;

		writer_in++;
		assert(readers_in == 0 && writer_in == 1);
		tso_load(p, DA, r);
		tso_store(p, DA, r + 1);
		writer_in--;
#ifdef MUTATE_R14_RW_WRITE_UNLOCK
		if
		:: tso_store(p, DB, r + 1); tso_store(p, WSTATE, 0)
		:: tso_store(p, WSTATE, 0); tso_store(p, DB, r + 1)
		fi;
#else
		tso_store(p, DB, r + 1);
		tso_store(p, WSTATE, 0);
#endif
		tso_store(p, QUEUE, 0);
		round++
	:: else -> break
	od
}

active [NR] proctype reader()
{
	byte p = _pid - 1;
	byte me = p - NW;	/* slot index */
	byte r, w, u, da, db, round = 0;

	do
	:: round < ROUNDS ->
		/* Register the slot (once per CPU and lock: a locked fetch_or). */
		tso_load(p, USED, u);
		if
		:: !(u & (1 << me)) ->
			atomic { sb_n[p] == 0; mem[USED] = mem[USED] | (1 << me) }
		:: else -> skip
		fi;
		reader_inc(p, SLOT0 + me);
		tso_load(p, WSTATE, w);
		if
		:: w != 0 ->
			reader_dec(p, SLOT0 + me);
			queue_lock(p);
			reader_inc(p, SLOT0 + me);
			tso_store(p, QUEUE, 0)
		:: else -> skip
		fi;

		readers_in++;
		assert(writer_in == 0);
#ifdef MUTATE_R14_RW_READ_DEC
		/* Relaxed: the unlock store may be hoisted above the loads. */
		if
		:: reader_dec(p, SLOT0 + me);
		   tso_load(p, DA, da);
		   tso_load(p, DB, db);
		:: tso_load(p, DA, da);
		   reader_dec(p, SLOT0 + me);
		   tso_load(p, DB, db);
		:: tso_load(p, DA, da);
		   tso_load(p, DB, db);
		   reader_dec(p, SLOT0 + me);
		fi;
		assert(da == db);
		readers_in--;
#else
		tso_load(p, DA, da);
		tso_load(p, DB, db);
		assert(da == db);
		readers_in--;

		reader_dec(p, SLOT0 + me);
#endif
		round++
	:: else -> break
	od
}
