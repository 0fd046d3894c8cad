/*
 * R2: a live leaf is changed by one locked RMW against the snapshot, never
 * by a plain store of a modified snapshot (mm/ept_zap.c
 * ept_write_protect_range(): cmpxchg(old -> old & ~W)).
 *
 * Hardware sets A/D in a leaf with a locked RMW whenever a vCPU uses a
 * translation (also one it cached before the write-protect's flush), so
 * the leaf can change between the write-protect's snapshot and its store.
 * The model checks every interleaving of the write-protect with such a
 * D update: D is never lost.
 *
 *   -DMUTATE_R2_WRPROT   plain store of the modified snapshot (the mutant):
 *                        a D set after the snapshot is overwritten.
 *
 * The hosted test_ept_race also races write-protects with "hardware" A/D
 * updates, but it can only lose a D that lands in the few instructions
 * between the snapshot and the store; this model finds that interleaving
 * every time.
 */
#define W	1
#define D	2

byte leaf = W;		/* a writable, clean leaf */
bit wrprot_done = 0;
bit hw_done = 0;

active proctype wrprot()
{
	byte old;
	bit won = 0;

	do
	:: won -> break
	:: else ->
		old = leaf;			/* it.old: the iterator's snapshot */
		if
		:: (old & W) == 0 -> break	/* already read-only */
		:: else
		fi;
#ifdef MUTATE_R2_WRPROT
		leaf = old - W;			/* plain store of the snapshot */
		won = 1
#else
		atomic {			/* cmpxchg against the snapshot */
			if
			:: leaf == old -> leaf = old - W; won = 1
			:: else -> skip		/* lost: look again */
			fi
		}
#endif
	od;
	wrprot_done = 1
}

active proctype hardware()
{
	atomic { leaf = leaf | D };		/* a guest write sets D: locked OR */
	hw_done = 1
}

active proctype check()
{
	(wrprot_done && hw_done) ->
	assert((leaf & D) != 0);		/* the update was not lost */
	assert((leaf & W) == 0)			/* and the page is read-only */
}
