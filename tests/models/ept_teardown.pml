/*
 * R3: teardown of an unlinked table takes each child entry with one xchg to
 * FROZEN (mm/ept_mmu.c ept_teardown_table()), and spins while the value it
 * got back is FROZEN (another thread owns the entry and writes it next).
 *
 * In shared mode other threads may still hold the table: they read the
 * parent before the unlink.  The model has two children and two such
 * threads:
 *   - a fault on child 0 (empty) that installs a leaf with cmpxchg(0 -> L)
 *     and accounts it (ept_changed_entry(): mapped + 1);
 *   - a zap of child 1 (a leaf) that freezes it with cmpxchg(L -> FROZEN),
 *     accounts the removal, and stores the final value 0 after its flush.
 * Every leaf must be accounted exactly once: mapped == removed at the end,
 * and teardown leaves both children FROZEN.
 *
 *   -DMUTATE_R3_TEARDOWN_XCHG   read, account, then plain-store FROZEN (the
 *                               mutant): a leaf installed between the read
 *                               and the store is lost, never accounted.
 *
 * test_ept_race runs the same race on real threads but meets that window
 * (a few instructions) only by chance: it let the mutant survive 4 of 5 runs
 * on a loaded machine.  The model checks every interleaving.
 */
#define EMPTY	0
#define LEAF	1
#define FROZEN	2

byte child[2];
byte mapped = 1;	/* child 1 starts as a mapped leaf */
byte removed = 0;
bit fault_done = 0;
bit zap_done = 0;
bit teardown_done = 0;

init {
	child[0] = EMPTY;
	child[1] = LEAF;
	run fault();
	run zap();
	run teardown()
}

proctype fault()
{
	atomic {				/* cmpxchg(EMPTY -> LEAF) */
		if
		:: child[0] == EMPTY -> child[0] = LEAF; mapped++
		:: else -> skip			/* lost (FROZEN): back off, RETRY */
		fi
	};
	fault_done = 1
}

proctype zap()
{
	bit won = 0;

	atomic {				/* cmpxchg(LEAF -> FROZEN) */
		if
		:: child[1] == LEAF -> child[1] = FROZEN; won = 1
		:: else -> skip			/* teardown took it first */
		fi
	};
	if
	:: won ->
		removed++;			/* accounted by the freezer */
		child[1] = EMPTY		/* final value, after the flush */
	:: else
	fi;
	zap_done = 1
}

proctype teardown()
{
	byte i = 0;
	byte old;

	do
	:: i == 2 -> break
	:: else ->
#ifdef MUTATE_R3_TEARDOWN_XCHG
		do				/* read, spin while frozen */
		:: old = child[i];
		   if
		   :: old != FROZEN -> break
		   :: else
		   fi
		od;
		if
		:: old == LEAF -> removed++
		:: else
		fi;
		child[i] = FROZEN;		/* plain store, after accounting */
#else
		do				/* xchg, spin while it returns FROZEN */
		:: atomic { old = child[i]; child[i] = FROZEN };
		   if
		   :: old != FROZEN -> break
		   :: else
		   fi
		od;
		if
		:: old == LEAF -> removed++
		:: else
		fi;
#endif
		i++
	od;
	teardown_done = 1
}

active proctype check()
{
	(fault_done && zap_done && teardown_done) ->
	assert(mapped == removed);		/* every leaf accounted once */
	assert(child[0] == FROZEN && child[1] == FROZEN)
}
