/*
 * R14: the fair rwlock (lib/rwlock.c), on an explicit x86-TSO machine
 * (store buffers as in lock_ticket.pml).  CPUs 0..NW-1 write, the next NR read.
 *
 *   reader: readers++ (locked RMW); if wstate == 0: in (fast path)
 *           else: readers-- ; take queue ; readers++ ; release queue ; in
 *   writer: take queue ; xchg(wstate, 1) ; await readers == 0 ; in ; ... ;
 *           wstate = 0 (store_release) ; release queue
 *   (the FIFO ticket queue is modelled as a test-and-set lock: fairness is
 *    not a safety property; the ticket lock has its own model)
 *
 * The fast path is a store-buffering (Dekker) pair: {readers++ ; load
 * wstate} against {store wstate ; load readers}.  Switches, matching the C
 * mutation sites:
 *   MUTATE_R14_RW_READ_INC     readers++ as plain load + buffered store
 *   MUTATE_R14_RW_WRITER_XCHG  wstate = 1 as a buffered store, no fence
 *   MUTATE_R14_RW_READ_DEC     readers-- as plain load + buffered store
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

#define READERS	0
#define WSTATE	1
#define QUEUE	2
#define DA	3
#define DB	4
#define NV	5

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

inline reader_inc(p)
{
#ifdef MUTATE_R14_RW_READ_INC
	tso_load(p, READERS, r);
	tso_store(p, READERS, r + 1);
#else
	rmw_add(p, READERS, 1);
#endif
}

inline reader_dec(p)
{
#ifdef MUTATE_R14_RW_READ_DEC
	tso_load(p, READERS, r);
	tso_store(p, READERS, r - 1);
#else
	rmw_add(p, READERS, 255);	/* -1 in a byte */
#endif
}

active [NW] proctype writer()
{
	byte p = _pid - 1;
	byte r, round = 0;

	do
	:: round < ROUNDS ->
		queue_lock(p);
#ifdef MUTATE_R14_RW_WRITER_XCHG
		tso_store(p, WSTATE, 1);
#else
		atomic { sb_n[p] == 0; mem[WSTATE] = 1 }
#endif
		AWAIT(p, READERS, 0);

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
	byte r, w, da, db, round = 0;

	do
	:: round < ROUNDS ->
		reader_inc(p);
		tso_load(p, WSTATE, w);
		if
		:: w != 0 ->
			reader_dec(p);
			queue_lock(p);
			reader_inc(p);
			tso_store(p, QUEUE, 0)
		:: else -> skip
		fi;

		readers_in++;
		assert(writer_in == 0);
		tso_load(p, DA, da);
		tso_load(p, DB, db);
		assert(da == db);
		readers_in--;

		reader_dec(p);
		round++
	:: else -> break
	od
}
