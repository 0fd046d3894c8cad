/* SPDX-License-Identifier: MIT */
/*
 * Fair reader-writer spinlock, built to be the EPT mmu_lock: faults take it
 * shared, invalidation takes it exclusive, long walkers poll
 * rwlock_contended() and yield.
 *
 *   rwlock_t l = RWLOCK_INIT;              or rwlock_init(&l);
 *   read_lock(&l);  ... read_unlock(&l);
 *   write_lock(&l); ... write_unlock(&l);
 *
 * Design (docs/locking.md, R14):
 *  - @readers counts readers inside (or trying); @wstate is 1 while a
 *    writer owns or is draining readers.  Reader fast path: one locked
 *    fetch_add on @readers, then a load of @wstate.  Writer: xchg @wstate
 *    to 1, then wait for @readers to reach 0.  These two are the two sides
 *    of a store-buffering (Dekker) pair; the locked RMWs are the fences.
 *  - @queue is a FIFO ticket lock.  A writer holds it from before its
 *    announce until write_unlock() (so writers exclude each other); a
 *    reader that sees a writer backs out and queues, and once it holds the
 *    queue it counts itself in and passes the queue on at once.  Writers
 *    therefore wait only for readers already inside (no writer
 *    starvation), and readers queued behind a writer get in right after
 *    it, before any writer queued behind them (no reader starvation).
 *
 * Not recursive for writers; a CPU must not take a read lock it already
 * holds if a writer could queue in between (as for every fair rwlock).
 */
#ifndef LIB_RWLOCK_H
#define LIB_RWLOCK_H

#include "lib/atomic.h"
#include "lib/lockdep.h"
#include "lib/mutate.h"
#include "lib/platform.h"
#include "lib/spinlock.h"

/**
 * typedef rwlock_t - the fair reader-writer lock.
 * @readers:    readers inside or on the fast path
 * @wstate:     1 while a writer holds the lock or is draining readers
 * @queue:      FIFO of writers and of readers that met a writer; held by
 *              the writer for its whole critical section
 * @wowner:     lockdep_self() of the writer (debug builds)
 * @rdepth:     per-CPU read-hold depth, each written by its own CPU (debug)
 * @stats:      contention statistics, updated under @queue
 */
typedef struct rwlock {
	u32 readers;
	u32 wstate;
	struct ticket_raw queue;
	u32 wowner;
	u32 pad_;
	struct lock_stats stats;
	u8 rdepth[HV_MAX_CPUS];
} rwlock_t;

#define RWLOCK_INIT	{ .readers = 0, .wstate = 0, .queue = { .word = 0 }, \
			  .wowner = LOCKDEP_NO_OWNER }

void rwlock_init(rwlock_t *l);

void read_lock(rwlock_t *l);
bool read_trylock(rwlock_t *l);
void read_unlock(rwlock_t *l);

void write_lock(rwlock_t *l);
bool write_trylock(rwlock_t *l);
void write_unlock(rwlock_t *l);

unsigned long read_lock_irqsave(rwlock_t *l);
void read_unlock_irqrestore(rwlock_t *l, unsigned long flags);
unsigned long write_lock_irqsave(rwlock_t *l);
void write_unlock_irqrestore(rwlock_t *l, unsigned long flags);

/*
 * True when any acquirer is waiting (a writer draining readers, or anyone
 * queued): a long walker holding @l should drop it and yield.
 */
bool rwlock_contended(rwlock_t *l);

/* True when a writer holds @l or is draining readers. */
bool rwlock_is_write_locked(rwlock_t *l);

#endif /* LIB_RWLOCK_H */
