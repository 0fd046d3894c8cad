// SPDX-License-Identifier: MIT
/*
 * Fair reader-writer spinlock with per-CPU reader slots (design in
 * lib/rwlock.h, ordering in docs/locking.md, R14).
 */
#include "lib/rwlock.h"

/* @used is one 64-bit mask; each slot must own its cache line. */
BUILD_BUG_ON(HV_MAX_CPUS > 64);
BUILD_BUG_ON(sizeof(struct rw_slot) != 64);
BUILD_BUG_ON(offsetof(rwlock_t, slot) != 64);

void rwlock_init(rwlock_t *l)
{
	*l = (rwlock_t)RWLOCK_INIT;
}

/* Debug: deeper read nesting than this is a runaway recursion. */
#define RW_MAX_READ_DEPTH	255

/* Debug: this CPU's read depth goes up/down (only this CPU writes it). */
static __always_inline void rw_lockdep_read_acquired(rwlock_t *l, struct rw_slot *s)
{
	if (LOCKDEP_ON) {
		if (unlikely(s->rdepth == RW_MAX_READ_DEPTH))
			rw_lockdep_fail("read_lock: read depth overflow", l);
		WRITE_ONCE(s->rdepth, s->rdepth + 1);
	}
}

/**
 * rw_slot_register() - mark @cpu's slot as in use before its first increment.
 * @l:   the lock
 * @cpu: the calling CPU
 *
 * Out of line: runs once per CPU per lock.
 */
static __noinline void rw_slot_register(rwlock_t *l, unsigned int cpu)
{
	/*
	 * R14: a locked RMW (other CPUs set their bits concurrently), and a
	 * full barrier: the bit is globally visible before our slot
	 * increment, which is before our load of wstate.  A writer loads
	 * @used only after its xchg of wstate, so if we then read wstate == 0
	 * the writer's scan sees both our bit and our count.  Pairs with the
	 * load_acquire of @used in rw_writer_drain() / rw_any_reader().
	 */
	fetch_or(&l->used, BIT(cpu));
}

/* The lockdep owner value of @cpu (lockdep_self() without a second lookup). */
static __always_inline u32 rw_owner_of(unsigned int cpu)
{
	return cpu + 1;
}

/* @cpu's slot (the calling CPU's), registered in @used. */
static __always_inline struct rw_slot *rw_slot_this(rwlock_t *l, unsigned int cpu)
{
	/* Our own bit: only we set it, so a plain load sees our own store. */
	if (unlikely(!(READ_ONCE(l->used) & BIT(cpu))))
		rw_slot_register(l, cpu);
	return &l->slot[cpu];
}

/* Reader announces itself: its own slot's count + 1 as one locked RMW. */
static __always_inline void rw_reader_inc(struct rw_slot *s)
{
	/*
	 * R14 (store-buffering): the increment must be a locked RMW although
	 * only this CPU writes the slot.  It is the reader's half of a Dekker
	 * pair: store our slot, then load wstate; the writer stores wstate
	 * (xchg), then loads the slots.  The LOCK prefix drains our store
	 * buffer before the wstate load, so at least one side sees the
	 * other.  A plain store could still sit in the store buffer while we
	 * read wstate == 0 and the writer reads our slot == 0: both would be
	 * inside.  Pairs with the xchg in rw_writer_announce().
	 */
	(void)fetch_add_rule(R14_RW_READ_INC, &s->readers, 1);
}

/*
 * Reader leaves (or backs out).  Only this CPU writes its slot, and an
 * interrupt on this CPU that takes and drops the lock in between our load
 * and store leaves the count as it found it, so a plain load and a release
 * store are enough: no RMW, no fence on the unlock path.
 */
static __always_inline void rw_reader_dec(struct rw_slot *s)
{
	u32 n = READ_ONCE(s->readers) - 1;

	/*
	 * R14: release: the read-side critical section is ordered before
	 * the count drops (a relaxed store lets the compiler hoist it above
	 * the section's loads).  Pairs with the load_acquire of the slots in
	 * rw_writer_drain().
	 */
	store_release_rule(R14_RW_READ_DEC, &s->readers, n);
}

static __always_inline u32 rw_load_wstate(rwlock_t *l)
{
	/*
	 * R14: acquire; pairs with the store_release in write_unlock(): a
	 * reader that sees no writer sees all of the last writer's stores.
	 */
	return load_acquire(&l->wstate);
}

/* Writer announces itself (the other half of the Dekker pair). */
static __always_inline void rw_writer_announce(rwlock_t *l)
{
	/*
	 * R14 (store-buffering): store wstate, then load @used and the
	 * slots, with a full barrier between them; xchg is that barrier.
	 * Pairs with the locked increment in rw_reader_inc() (and the
	 * fetch_or in rw_slot_register()).
	 */
	store_mb_rule(R14_RW_WRITER_XCHG, &l->wstate, 1);
}

static __always_inline u64 rw_load_used(const rwlock_t *l)
{
	/* R14: acquire; pairs with the fetch_or in rw_slot_register(). */
	return load_acquire(&l->used);
}

static __always_inline u32 rw_load_slot(const struct rw_slot *s)
{
	/* R14: acquire; pairs with the release of rw_reader_dec(). */
	return load_acquire(&s->readers);
}

/* True when some slot in use holds a reader (one pass, no waiting). */
static bool rw_any_reader(const rwlock_t *l)
{
	for (u64 m = rw_load_used(l); m; m &= m - 1)
		if (rw_load_slot(&l->slot[__builtin_ctzll(m)]))
			return true;
	return false;
}

/*
 * rw_writer_drain() - after the announce, wait until every slot is 0.
 * Slots registered after our announce
 * belong to CPUs that will see wstate == 1 and back out, so one snapshot
 * of @used is enough; a slot that was 0 cannot go up again for good.
 */
static void rw_writer_drain(rwlock_t *l)
{
	for (u64 m = rw_load_used(l); m; m &= m - 1) {
		const struct rw_slot *s = &l->slot[__builtin_ctzll(m)];

		while (rw_load_slot(s))
			cpu_relax();
	}
}

/**
 * read_lock() - acquire @l shared.
 * @l: the lock
 *
 * Fast path: one locked increment of this CPU's slot and one load of the
 * shared (read-only) writer state.  If a writer is present, back out and
 * wait in the FIFO queue behind it.
 */
void read_lock(rwlock_t *l)
{
	unsigned int cpu = arch_cpu_id();
	struct rw_slot *s;
	u64 start;

	if (LOCKDEP_ON && unlikely(READ_ONCE(l->wowner) == rw_owner_of(cpu)))
		rw_lockdep_fail("read_lock: already write-held by this cpu (self-deadlock)", l);

	s = rw_slot_this(l, cpu);
	rw_reader_inc(s);
	if (likely(!rw_load_wstate(l))) {
		rw_lockdep_read_acquired(l, s);
		return;
	}

	/* A writer holds or is draining: let it go first, in FIFO order. */
	rw_reader_dec(s);
	start = arch_time_ns();
	ticket_raw_lock(&l->queue);
	/*
	 * A writer keeps the queue from its announce to its unlock, so while
	 * we hold the queue no writer is present or can announce itself: count
	 * ourselves in and let the next in line come forward.  The queue's
	 * acquire/release orders the last writer's section before ours.
	 */
	rw_reader_inc(s);
	lock_stats_note_wait(&l->stats, arch_time_ns() - start);
	ticket_raw_release(&l->queue);
	rw_lockdep_read_acquired(l, s);
}

/**
 * read_trylock() - acquire @l shared only if no writer is present.
 * @l: the lock
 *
 * Return: true if acquired.
 */
bool read_trylock(rwlock_t *l)
{
	struct rw_slot *s = rw_slot_this(l, arch_cpu_id());

	rw_reader_inc(s);
	if (rw_load_wstate(l)) {
		rw_reader_dec(s);
		return false;
	}
	rw_lockdep_read_acquired(l, s);
	return true;
}

void read_unlock(rwlock_t *l)
{
	struct rw_slot *s = &l->slot[arch_cpu_id()];

	if (LOCKDEP_ON) {
		if (unlikely(s->rdepth == 0))
			rw_lockdep_fail("read_unlock: rwlock not read-held by this cpu", l);
		WRITE_ONCE(s->rdepth, s->rdepth - 1);
	}
	rw_reader_dec(s);
}

/*
 * Debug: refuse a write lock this CPU already holds in either mode.
 * Returns the owner value to record (lockdep_self()); 0 in release builds.
 */
static __always_inline u32 rw_lockdep_write_check(rwlock_t *l)
{
	unsigned int cpu;

	if (!LOCKDEP_ON)
		return LOCKDEP_NO_OWNER;
	cpu = arch_cpu_id();
	if (unlikely(READ_ONCE(l->wowner) == rw_owner_of(cpu)))
		rw_lockdep_fail("write_lock: recursive acquisition (self-deadlock)", l);
	if (unlikely(l->slot[cpu].rdepth))
		rw_lockdep_fail("write_lock: rwlock read-held by this cpu (self-deadlock)", l);
	return rw_owner_of(cpu);
}

/**
 * write_lock() - acquire @l exclusive.
 * @l: the lock
 *
 * Take a ticket in the FIFO queue and keep it until write_unlock() (that is
 * what excludes other writers and queues readers that meet us), announce,
 * and wait for the readers already inside to leave.
 */
void write_lock(rwlock_t *l)
{
	u64 old, start = 0;
	u32 ticket, me;
	bool waited = false;

	me = rw_lockdep_write_check(l);
	old = ticket_raw_take(&l->queue);
	ticket = (u32)(old >> 32);
	if (unlikely((u32)old != ticket)) {
		start = arch_time_ns();
		waited = true;
		ticket_raw_wait(&l->queue, ticket);
	}
	rw_writer_announce(l);
	if (unlikely(rw_any_reader(l))) {
		if (!waited) {
			start = arch_time_ns();
			waited = true;
		}
		rw_writer_drain(l);
	}
	/* Statistics are protected by the queue, which we still hold. */
	if (waited)
		lock_stats_note_wait(&l->stats, arch_time_ns() - start);
	else
		WRITE_ONCE(l->stats.acquisitions, l->stats.acquisitions + 1);
	if (LOCKDEP_ON)
		WRITE_ONCE(l->wowner, me);
}

/**
 * write_trylock() - acquire @l exclusive only if nobody holds or waits.
 * @l: the lock
 *
 * Return: true if acquired.
 */
bool write_trylock(rwlock_t *l)
{
	if (LOCKDEP_ON && READ_ONCE(l->wowner) == lockdep_self())
		return false;
	if (!ticket_raw_trylock(&l->queue))
		return false;
	rw_writer_announce(l);
	if (rw_any_reader(l)) {
		/*
		 * R14: release, as in write_unlock(); pairs with the
		 * load_acquire in rw_load_wstate() of readers that meet
		 * wstate == 0 again.
		 */
		store_release(&l->wstate, 0);
		ticket_raw_release(&l->queue);
		return false;
	}
	WRITE_ONCE(l->stats.acquisitions, l->stats.acquisitions + 1);
	if (LOCKDEP_ON)
		WRITE_ONCE(l->wowner, lockdep_self());
	return true;
}

void write_unlock(rwlock_t *l)
{
	if (LOCKDEP_ON) {
		if (unlikely(READ_ONCE(l->wowner) != lockdep_self()))
			rw_lockdep_fail("write_unlock: rwlock not write-held by this cpu", l);
		WRITE_ONCE(l->wowner, LOCKDEP_NO_OWNER);
	}
	/*
	 * R14: release; the write-side critical section is visible before
	 * fast-path readers see wstate == 0.  Pairs with the load_acquire in
	 * rw_load_wstate().
	 */
	store_release_rule(R14_RW_WRITE_UNLOCK, &l->wstate, 0);
	/* Then the next queued writer or slow-path reader (R14, release). */
	ticket_raw_release(&l->queue);
}

unsigned long read_lock_irqsave(rwlock_t *l)
{
	unsigned long flags = arch_irq_save();

	read_lock(l);
	return flags;
}

void read_unlock_irqrestore(rwlock_t *l, unsigned long flags)
{
	read_unlock(l);
	arch_irq_restore(flags);
}

unsigned long write_lock_irqsave(rwlock_t *l)
{
	unsigned long flags = arch_irq_save();

	write_lock(l);
	return flags;
}

void write_unlock_irqrestore(rwlock_t *l, unsigned long flags)
{
	write_unlock(l);
	arch_irq_restore(flags);
}

bool rwlock_contended(rwlock_t *l)
{
	/*
	 * Someone queued behind the queue holder; or the queue holder is a
	 * writer still draining readers (it holds the queue while readers
	 * are inside; a writer that holds the lock has drained them).  The
	 * slot scan runs only while the queue is held.
	 */
	return ticket_raw_is_contended(&l->queue) ||
	       (ticket_raw_is_locked(&l->queue) && rw_any_reader(l));
}

bool rwlock_is_write_locked(rwlock_t *l)
{
	return READ_ONCE(l->wstate) != 0;
}

u32 rwlock_readers(const rwlock_t *l)
{
	u32 n = 0;

	for (u64 m = READ_ONCE(l->used); m; m &= m - 1)
		n += READ_ONCE(l->slot[__builtin_ctzll(m)].readers);
	return n;
}
