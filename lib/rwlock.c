// SPDX-License-Identifier: MIT
/*
 * Fair reader-writer spinlock (design in lib/rwlock.h, ordering in
 * docs/locking.md, R14).
 */
#include "lib/rwlock.h"

void rwlock_init(rwlock_t *l)
{
	*l = (rwlock_t)RWLOCK_INIT;
}

/* Debug: this CPU's read depth goes up/down (only this CPU writes it). */
static __always_inline void rw_lockdep_read_acquired(rwlock_t *l)
{
	if (LOCKDEP_ON) {
		u8 *d = &l->rdepth[arch_cpu_id()];

		if (unlikely(*d == 0xff))
			rw_lockdep_fail("read_lock: read depth overflow", l);
		(*d)++;
	}
}

/* Reader announces itself: readers++ as one locked RMW (see below). */
static __always_inline void rw_reader_inc(rwlock_t *l)
{
	if (mutated(R14_RW_READ_INC)) {
		WRITE_ONCE(l->readers, READ_ONCE(l->readers) + 1);
		return;
	}
	/*
	 * R14 (store-buffering): the increment must be a locked RMW.  It is
	 * the reader's half of a Dekker pair: store readers, then load
	 * wstate; the writer stores wstate (xchg), then loads readers.  The
	 * LOCK prefix drains our store buffer before the wstate load, so
	 * at least one side sees the other.  A plain store could still sit
	 * in the store buffer while we read wstate == 0 and the writer reads
	 * readers == 0: both would be inside.  Pairs with the xchg in
	 * rw_writer_announce().
	 */
	atomic_inc(&l->readers);
}

/* Reader leaves (or backs out). */
static __always_inline void rw_reader_dec(rwlock_t *l)
{
	if (mutated(R14_RW_READ_DEC)) {
		WRITE_ONCE(l->readers, READ_ONCE(l->readers) - 1);
		return;
	}
	/*
	 * R14: locked RMW (concurrent readers share the counter) with
	 * release semantics: the read-side critical section is ordered
	 * before the count drops.  Pairs with the load_acquire of readers
	 * in write_lock()'s drain loop.
	 */
	atomic_dec(&l->readers);
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
	if (mutated(R14_RW_WRITER_XCHG)) {
		WRITE_ONCE(l->wstate, 1);
		return;
	}
	/*
	 * R14 (store-buffering): store wstate, then load readers, with a
	 * full barrier between them; xchg is that barrier.  Pairs with the
	 * locked increment in rw_reader_inc().
	 */
	xchg(&l->wstate, 1);
}

static __always_inline u32 rw_load_readers(rwlock_t *l)
{
	/* R14: acquire; pairs with the release of rw_reader_dec(). */
	return load_acquire(&l->readers);
}

/**
 * read_lock() - acquire @l shared.
 * @l: the lock
 *
 * Fast path: one locked increment and one load.  If a writer is present,
 * back out and wait in the FIFO queue behind it.
 */
void read_lock(rwlock_t *l)
{
	u64 start;

	if (LOCKDEP_ON && unlikely(READ_ONCE(l->wowner) == lockdep_self()))
		rw_lockdep_fail("read_lock: already write-held by this cpu (self-deadlock)", l);

	rw_reader_inc(l);
	if (likely(!rw_load_wstate(l))) {
		rw_lockdep_read_acquired(l);
		return;
	}

	/* A writer holds or is draining: let it go first, in FIFO order. */
	rw_reader_dec(l);
	start = arch_time_ns();
	ticket_raw_lock(&l->queue);
	/*
	 * A writer keeps the queue from its announce to its unlock, so while
	 * we hold the queue no writer is present or can announce itself: count
	 * ourselves in and let the next in line come forward.  The queue's
	 * acquire/release orders the last writer's section before ours.
	 */
	rw_reader_inc(l);
	lock_stats_note_wait(&l->stats, arch_time_ns() - start);
	ticket_raw_release(&l->queue);
	rw_lockdep_read_acquired(l);
}

/**
 * read_trylock() - acquire @l shared only if no writer is present.
 * @l: the lock
 *
 * Return: true if acquired.
 */
bool read_trylock(rwlock_t *l)
{
	rw_reader_inc(l);
	if (rw_load_wstate(l)) {
		rw_reader_dec(l);
		return false;
	}
	rw_lockdep_read_acquired(l);
	return true;
}

void read_unlock(rwlock_t *l)
{
	if (LOCKDEP_ON) {
		u8 *d = &l->rdepth[arch_cpu_id()];

		if (unlikely(*d == 0))
			rw_lockdep_fail("read_unlock: rwlock not read-held by this cpu", l);
		(*d)--;
	}
	rw_reader_dec(l);
}

/* Debug: refuse a write lock this CPU already holds in either mode. */
static __always_inline void rw_lockdep_write_check(rwlock_t *l)
{
	if (!LOCKDEP_ON)
		return;
	if (unlikely(READ_ONCE(l->wowner) == lockdep_self()))
		rw_lockdep_fail("write_lock: recursive acquisition (self-deadlock)", l);
	if (unlikely(l->rdepth[arch_cpu_id()]))
		rw_lockdep_fail("write_lock: rwlock read-held by this cpu (self-deadlock)", l);
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
	u32 ticket;
	bool waited = false;

	rw_lockdep_write_check(l);
	old = ticket_raw_take(&l->queue);
	ticket = (u32)(old >> 32);
	if (unlikely((u32)old != ticket)) {
		start = arch_time_ns();
		waited = true;
		ticket_raw_wait(&l->queue, ticket);
	}
	rw_writer_announce(l);
	if (unlikely(rw_load_readers(l))) {
		if (!waited) {
			start = arch_time_ns();
			waited = true;
		}
		while (rw_load_readers(l))
			cpu_relax();
	}
	/* Statistics are protected by the queue, which we still hold. */
	if (waited)
		lock_stats_note_wait(&l->stats, arch_time_ns() - start);
	else
		WRITE_ONCE(l->stats.acquisitions, l->stats.acquisitions + 1);
	if (LOCKDEP_ON)
		WRITE_ONCE(l->wowner, lockdep_self());
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
	if (rw_load_readers(l)) {
		/* R14: release; as in write_unlock(). */
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
	if (mutated(R14_RW_WRITE_UNLOCK)) {
		WRITE_ONCE(l->wstate, 0);
	} else {
		/*
		 * R14: release; the write-side critical section is visible
		 * before fast-path readers see wstate == 0.  Pairs with the
		 * load_acquire in rw_load_wstate().
		 */
		store_release(&l->wstate, 0);
	}
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
	 * are inside; a writer that holds the lock has drained them).
	 */
	return ticket_raw_is_contended(&l->queue) ||
	       (ticket_raw_is_locked(&l->queue) && READ_ONCE(l->readers) != 0);
}

bool rwlock_is_write_locked(rwlock_t *l)
{
	return READ_ONCE(l->wstate) != 0;
}
