/*
 * R1: a child EPT table is fully initialised before the parent entry that
 * points to it becomes present (mm/ept_split.c ept_split_huge(),
 * mm/ept_fault.c ept_fault_locked()).
 *
 * x86 never reorders two stores, nor two loads, so message passing can
 * only break through the ORDER the code (or the compiler) puts the stores
 * in.  The model therefore runs in sequential consistency and checks every
 * interleaving of a splitter (fill two child entries, publish the table by
 * cmpxchg) with a walker (read the parent; if it is a table, read a child
 * entry through it and use it).
 *
 *   -DMUTATE_R1_SPLIT_PUBLISH   publish first, then fill (the mutant of
 *                               ept_split_huge()): a walker can see the
 *                               table with a stale child entry.
 *   -DMUTATE_R1_PLAIN_LINK      link with a plain store that the compiler
 *                               may move before the fill stores (no
 *                               barrier): same failure.
 */
#define EMPTY	0
#define TABLE	1
#define STALE	0	/* what a child entry held before initialisation */
#define VALID	1

byte parent = EMPTY;
byte child[2];
bit walker_saw_table = 0;

active proctype splitter()
{
#ifdef MUTATE_R1_SPLIT_PUBLISH
	atomic { parent == EMPTY -> parent = TABLE };	/* cmpxchg, too early */
	child[0] = VALID;
	child[1] = VALID;
#else
#ifdef MUTATE_R1_PLAIN_LINK
	if
	:: parent = TABLE; child[0] = VALID; child[1] = VALID
	:: child[0] = VALID; parent = TABLE; child[1] = VALID
	:: child[0] = VALID; child[1] = VALID; parent = TABLE
	fi
#else
	child[0] = VALID;
	child[1] = VALID;
	/* R1: the locked cmpxchg orders both fills before the publish. */
	atomic { parent == EMPTY -> parent = TABLE }
#endif
#endif
}

active [2] proctype walker()
{
	byte e, c;
	byte i = _pid % 2;

	e = parent;			/* ept_read_entry(): acquire */
	if
	:: e == TABLE ->
		c = child[i];		/* dependent load through the entry */
		walker_saw_table = 1;
		assert(c == VALID)
	:: else -> skip
	fi
}
