// SPDX-License-Identifier: MIT
/*
 * Bit lock in a pointer word (lib/bitlock.h), modelled on an rmap head:
 * the word points to a chain of descriptors (bit 0 is a user flag that must
 * survive every lock/unlock).
 *
 *  - Writers are serialised by an outer exclusive lock (an rwlock taken for
 *    write, as mmu_lock would be) AND take the bit lock; they add and remove
 *    descriptors and poison removed ones (kept in a quarantine ring so that
 *    a late reader sees poison rather than reused memory).  Under the outer
 *    lock each writer also checks that the word still holds exactly what the
 *    previous writer stored: a read-only unlock that clobbered a writer's
 *    update is caught there.
 *  - Read-only walkers take no outer lock: bitlock_lock_readonly(), walk the
 *    chain checking canaries, bitlock_unlock_readonly().
 *  - Unit checks of the API contract, and the debug checks firing.
 *
 * usage: test_lock_bitlock [--seconds=S] [--threads=N] [--seed=X] [--quick]
 */
#include "lib/bitlock.h"
#include "lib/rwlock.h"
#include "tests/host/test_lock_common.h"

#include <stdlib.h>

#define DESC_GOOD	0x600d600d600d600dULL
#define DESC_POISON	0xdeaddeaddeaddeadULL
#define HEAD_FLAG	BIT(0)		/* user bit that must be preserved */
#define MAX_CHAIN	6
#define QUARANTINE	4096

struct desc {
	u64 canary;
	struct desc *next;
	u64 id;
	u64 canary2;
};

static rwlock_t outer = RWLOCK_INIT;		/* the "mmu_lock" */
static u64 head;				/* the bit-locked word */
static u64 expected_head;			/* last value a writer stored (outer lock) */
static unsigned int chain_len;			/* writers' view of the length (outer lock) */
static u64 next_id = 1;
static struct desc *quarantine[QUARANTINE];
static unsigned int q_pos;
static u64 clobbers, writer_ops, empty_installs;
static u64 walker_bad, walker_walks, walker_empty, walker_descs;
static double bl_deadline;

static struct desc *head_ptr(u64 v)
{
	return (struct desc *)(uintptr_t)(v & ~(HEAD_FLAG | BITLOCK_LOCKED));
}

static u64 head_val(struct desc *d)
{
	/* The flag rides along whenever the chain is non-empty. */
	return d ? ((u64)(uintptr_t)d | HEAD_FLAG) : 0;
}

static void retire(struct desc *d)
{
	struct desc *old = quarantine[q_pos];

	/* Poison with marked stores: a broken lock lets a walker read these. */
	WRITE_ONCE(d->canary, DESC_POISON);
	WRITE_ONCE(d->canary2, DESC_POISON);
	WRITE_ONCE(d->next, (struct desc *)(uintptr_t)DESC_POISON);
	quarantine[q_pos] = d;
	q_pos = (q_pos + 1) % QUARANTINE;
	free(old);
}

static void writer_op(u64 *seed)
{
	u64 old;
	struct desc *first, *d;

	write_lock(&outer);
	assert_held_write(&outer);
	old = bitlock_lock(&head);
	if (old != expected_head)
		clobbers++;
	first = head_ptr(old);
	if (old && (old & HEAD_FLAG) == 0)
		clobbers++;
	if (!first || (chain_len < MAX_CHAIN && (test_rand(seed) & 1))) {
		/* Add at the head.  When the word was empty we hold no bit. */
		d = malloc(sizeof(*d));
		d->canary = DESC_GOOD;
		d->canary2 = DESC_GOOD;
		d->id = next_id++;
		d->next = first;
		if (!first)
			empty_installs++;
		lt_delay(seed, 16);
		expected_head = head_val(d);
		chain_len++;
		bitlock_unlock(&head, expected_head);
	} else {
		/* Remove the first descriptor (we hold the bit: no walker is inside). */
		d = first;
		lt_delay(seed, 16);
		expected_head = head_val(d->next);
		chain_len--;
		bitlock_unlock(&head, expected_head);
		retire(d);
	}
	writer_ops++;
	write_unlock(&outer);
}

static void walker_op(u64 *seed)
{
	u64 old = bitlock_lock_readonly(&head);
	unsigned int n = 0;

	if (!old) {
		atomic_inc(&walker_empty);
		lt_delay(seed, 8);	/* a writer may fill the word now */
		bitlock_unlock_readonly(&head, old);
		return;
	}
	for (struct desc *d = head_ptr(old); d; d = READ_ONCE(d->next)) {
		if (READ_ONCE(d->canary) != DESC_GOOD || READ_ONCE(d->canary2) != DESC_GOOD ||
		    READ_ONCE(d->id) == 0 || ++n > MAX_CHAIN) {
			atomic_inc(&walker_bad);
			break;
		}
		lt_delay(seed, 8);
	}
	atomic_inc(&walker_walks);
	stat_add(&walker_descs, n);
	bitlock_unlock_readonly(&head, old);
}

struct bl_arg {
	bool writer;
	u64 seed;
	u64 ops;
};

static void *bl_worker(void *p)
{
	struct bl_arg *a = p;

	while ((a->ops & 63) || test_elapsed() < bl_deadline) {
		if (a->writer)
			writer_op(&a->seed);
		else
			walker_op(&a->seed);
		a->ops++;
		lt_delay(&a->seed, 16);
	}
	return NULL;
}

static void test_walkers_vs_writers(unsigned int n, double secs)
{
	struct bl_arg *args = calloc(n, sizeof(*args));
	unsigned int nwriters = n / 2;

	for (unsigned int i = 0; i < n; i++) {
		args[i].writer = i < nwriters;
		args[i].seed = test_opts.seed ^ (0x1234567ULL * (i + 1));
	}
	bl_deadline = test_elapsed() + secs;
	lt_watchdog_arm("bit lock walkers vs writers", (unsigned int)secs + 4);
	test_run_threads(n, bl_worker, args, sizeof(*args));
	lt_watchdog_disarm();
	printf("walkers vs writers: %u writers, %u walkers, %.2fs: %llu writer ops "
	       "(%llu installs into an empty word), %llu walks (%llu found it empty, %llu "
	       "descriptors visited); bad descriptors seen %llu, clobbered writer updates %llu\n",
	       nwriters, n - nwriters, secs, writer_ops,
	       empty_installs, walker_walks,
	       walker_empty, walker_descs,
	       walker_bad, clobbers);
	CHECK(writer_ops > 0);
	CHECK(walker_walks > 0);
	CHECK_EQ(walker_bad, 0);
	CHECK_EQ(clobbers, 0);
	CHECK_EQ(READ_ONCE(head), expected_head);
	CHECK(!bitlock_is_locked(&head));
	free(args);
}

static void test_basic(void)
{
	u64 w = 0, v;

	CHECK_EQ(bitlock_lock(&w), 0);		/* empty: returns 0, does not lock */
	CHECK_EQ(w, 0);
	CHECK_EQ(bitlock_lock_readonly(&w), 0);
	bitlock_unlock_readonly(&w, 0);		/* no-op */
	CHECK_EQ(w, 0);
	bitlock_unlock(&w, 0x1000 | HEAD_FLAG);	/* first install into an empty word */
	CHECK_EQ(w, 0x1001);

	v = bitlock_lock(&w);
	CHECK_EQ(v, 0x1001);			/* without the lock bit, user bit kept */
	CHECK_EQ(w, 0x1001 | BITLOCK_LOCKED);
	CHECK(bitlock_is_locked(&w));
	CHECK_EQ(bitlock_peek(&w), 0x1001);
	bitlock_unlock(&w, 0x2000);
	CHECK_EQ(w, 0x2000);
	CHECK(!bitlock_is_locked(&w));

	v = bitlock_lock_readonly(&w);
	CHECK_EQ(v, 0x2000);
	CHECK_EQ(w, 0x2000 | BITLOCK_LOCKED);
	bitlock_unlock_readonly(&w, v);
	CHECK_EQ(w, 0x2000);

	CHECK_EQ(bitlock_lock(&w), 0x2000);
	bitlock_unlock(&w, 0);			/* emptied by the holder */
	CHECK_EQ(bitlock_lock(&w), 0);
}

static u64 death_word;

static void death_unlock_locked_bit(void *arg)
{
	death_word = 0x4000;
	bitlock_lock(&death_word);
	bitlock_unlock(&death_word, 0x5000 | BITLOCK_LOCKED);
}

static void death_readonly_clobber(void *arg)
{
	u64 old;

	death_word = 0x4000;
	old = bitlock_lock_readonly(&death_word);
	death_word = 0x6000 | BITLOCK_LOCKED;	/* someone changed it behind our back */
	bitlock_unlock_readonly(&death_word, old);
}

static void death_unlock_unlocked(void *arg)
{
	death_word = 0x4000;
	bitlock_unlock(&death_word, 0x5000);	/* never locked */
}

static void test_lockdep(void)
{
	bool want = LOCKDEP_ON;

	CHECK(lt_dies("bitlock_unlock(new|LOCKED)", death_unlock_locked_bit, NULL,
		      "lock bit set") == want);
	CHECK(lt_dies("bitlock_unlock_readonly(changed)", death_readonly_clobber, NULL,
		      "changed while locked") == want);
	CHECK(lt_dies("bitlock_unlock(not locked)", death_unlock_unlocked, NULL,
		      "neither locked nor empty") == want);
}

int main(int argc, char **argv)
{
	unsigned int n;

	test_init(argc, argv, 2.0);
	n = lt_threads(0);
	if (n < 2)
		n = 2;
	test_basic();
	test_lockdep();
	test_walkers_vs_writers(n, test_opts.quick ? MIN(test_opts.seconds, 0.5) :
						     test_opts.seconds);
	for (unsigned int i = 0; i < QUARANTINE; i++)
		free(quarantine[i]);
	for (struct desc *d = head_ptr(head), *nx; d; d = nx) {
		nx = d->next;
		free(d);
	}
	return test_finish();
}
