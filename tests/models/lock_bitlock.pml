/*
 * R13: bit lock in an rmap head word (lib/bitlock.h), on an explicit x86-TSO
 * machine (store buffers as in lock_ticket.pml).
 *
 * The word is 0 (empty) or 4*k (points at descriptor slot k), plus bit 1 =
 * LOCKED.  CPU 0 is the writer (it stands for "holds the outer exclusive
 * lock"); CPU 1 is a read-only walker without the outer lock.
 *
 *   lock:     await !(word & LOCKED); v = word; if v == 0: not locked;
 *             cmpxchg(word, v, v | LOCKED)              (locked RMW)
 *   unlock:   word = new (store_release)
 *   writer:   install slot 1 into the empty word, replace it by slot 2,
 *             remove slot 2; a descriptor is initialised (GOOD) before it
 *             is published and poisoned after it is unlinked and unlocked.
 *             Each lock checks the word still holds what the writer last
 *             stored (no clobber).
 *   walker:   lock_readonly; if non-empty read the descriptor (must be
 *             GOOD); unlock_readonly restores old (no-op when old == 0).
 *
 * Switches, matching the C mutation sites:
 *   MUTATE_R13_BITLOCK_UNLOCK   release store relaxed: the compiler may sink
 *                               the descriptor's initialisation below it
 *   MUTATE_R13_BITLOCK_CMPXCHG  take the bit with a plain buffered store
 *   MUTATE_R13_RO_UNLOCK_EMPTY  read-only unlock writes 0 back when the
 *                               word was empty
 */

#define NP	2
#define SBD	2

#define WORD	0
#define SLOT(k)	(1 + (k))	/* k = 1, 2 */
#define NV	4

#define LOCKEDB	2
#define GOOD	1
#define POISON	2

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

byte expected;	/* ghost: last value the writer published */

/* bitlock_lock(): result in v (0 = empty, nothing locked) */
inline bl_lock(p, v)
{
	do
	:: atomic { NOBUF(p, WORD) && !(mem[WORD] & LOCKEDB); v = mem[WORD] };
		if
		:: v == 0 -> break
		:: else ->
#ifdef MUTATE_R13_BITLOCK_CMPXCHG
			tso_store(p, WORD, v | LOCKEDB);
			break
#else
			atomic {
				sb_n[p] == 0;
				if
				:: mem[WORD] == v -> mem[WORD] = v | LOCKEDB; ok = true
				:: else -> ok = false
				fi
			};
			if
			:: ok -> break
			:: else -> skip
			fi
#endif
		fi
	od
}

active proctype writer()
{
	byte p = 0;
	byte v;
	bool ok;

	/* install slot 1 into the empty word (no bit held: empty is never locked) */
	bl_lock(p, v);
	assert(v == expected);
	expected = 4;
#ifdef MUTATE_R13_BITLOCK_UNLOCK
	if
	:: tso_store(p, SLOT(1), GOOD); tso_store(p, WORD, 4)
	:: tso_store(p, WORD, 4); tso_store(p, SLOT(1), GOOD)
	fi;
#else
	tso_store(p, SLOT(1), GOOD);
	tso_store(p, WORD, 4);
#endif

	/* replace slot 1 by slot 2, then poison slot 1 */
	bl_lock(p, v);
	assert(v == expected);
	expected = 8;
#ifdef MUTATE_R13_BITLOCK_UNLOCK
	if
	:: tso_store(p, SLOT(2), GOOD); tso_store(p, WORD, 8)
	:: tso_store(p, WORD, 8); tso_store(p, SLOT(2), GOOD)
	fi;
#else
	tso_store(p, SLOT(2), GOOD);
	tso_store(p, WORD, 8);
#endif
	tso_store(p, SLOT(1), POISON);

	/* remove slot 2, then poison it */
	bl_lock(p, v);
	assert(v == expected);
	expected = 0;
	tso_store(p, WORD, 0);
	tso_store(p, SLOT(2), POISON);

	/* the walker must not have clobbered the final value */
	bl_lock(p, v);
	assert(v == expected)
}

active proctype walker()
{
	byte p = 1;
	byte v, d, n = 0;
	bool ok;

	do
	:: n < 2 ->
		bl_lock(p, v);
		if
		:: v != 0 ->
			tso_load(p, SLOT(v / 4), d);
			assert(d == GOOD);
			tso_store(p, WORD, v)
		:: else ->
#ifdef MUTATE_R13_RO_UNLOCK_EMPTY
			tso_store(p, WORD, 0)
#else
			skip
#endif
		fi;
		n++
	:: else -> break
	od
}
