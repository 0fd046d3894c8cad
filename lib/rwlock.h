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
 *  - Readers count themselves in per-CPU slots: @slot[arch_cpu_id()] is
 *    one cache line holding that CPU's reader count, written only by that
 *    CPU.  @wstate is 1 while a writer owns or is draining readers.
 *    Reader fast path: one locked increment of its own slot, then a load
 *    of @wstate (a line that stays shared-clean in every cache while no
 *    writer comes), so readers on different CPUs touch no common line for
 *    writing.  Writer: xchg @wstate to 1, then wait until every slot in
 *    use is 0.  These two are the two sides of a store-buffering (Dekker)
 *    pair; the locked RMWs are the fences.
 *  - @used has bit i set once CPU i has ever read-locked @l (set with one
 *    locked RMW before its first increment, never cleared), so a writer
 *    scans only the slots of CPUs that have used the lock, not all
 *    HV_MAX_CPUS lines.
 *  - @queue is a FIFO ticket lock.  A writer holds it from before its
 *    announce until write_unlock() (so writers exclude each other); a
 *    reader that sees a writer backs out and queues, and once it holds the
 *    queue it counts itself in and passes the queue on at once.  Writers
 *    therefore wait only for readers already inside (no writer
 *    starvation), and readers queued behind a writer get in right after
 *    it, before any writer queued behind them (no reader starvation).
 *
 * A read lock must be released on the CPU that took it (debug builds check
 * it).  Not recursive for writers; a CPU must not take a read lock it
 * already holds if a writer could queue in between (as for every fair
 * rwlock).  rwlock_t is HV_MAX_CPUS + 1 cache lines (about 4 KiB): embed it
 * in per-VM / per-cache objects, never copy it.
 */
#ifndef LIB_RWLOCK_H
#define LIB_RWLOCK_H

#include "lib/atomic.h"
#include "lib/lockdep.h"
#include "lib/mutate.h"
#include "lib/platform.h"
#include "lib/spinlock.h"

/**
 * struct rw_slot - one CPU's reader state, alone in its cache line.
 * @readers: read holds of this CPU (plus a fast-path attempt in flight);
 *           written only by this CPU, read by writers draining
 * @rdepth:  read-hold depth for lockdep (debug builds), this CPU only
 */
struct rw_slot {
	u32 readers;
	u32 rdepth;
} __cacheline_aligned;

/**
 * typedef rwlock_t - the fair reader-writer lock.
 * @wstate:     1 while a writer holds the lock or is draining readers
 * @wowner:     lockdep_self() of the writer (debug builds)
 * @used:       bit i: CPU i has read-locked this lock at least once
 * @queue:      FIFO of writers and of readers that met a writer; held by
 *              the writer for its whole critical section
 * @stats:      contention statistics, updated under @queue
 * @slot:       per-CPU reader counts, indexed by arch_cpu_id()
 *
 * The first line (@wstate .. @stats) is read-only for fast-path readers;
 * only writers and queued readers write it.
 */
typedef struct rwlock {
	u32 wstate;
	u32 wowner;
	u64 used;
	struct ticket_raw queue;
	struct lock_stats stats;
	struct rw_slot slot[HV_MAX_CPUS];
} rwlock_t;

#define RWLOCK_INIT	{ .wstate = 0, .wowner = LOCKDEP_NO_OWNER, .used = 0, \
			  .queue = { .word = 0 } }

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

/*
 * Sum of the per-CPU reader counts (read holds plus fast-path attempts in
 * flight): a racy snapshot, for diagnostics and tests.
 */
u32 rwlock_readers(const rwlock_t *l);

/* Debug read-hold depth of the calling CPU (lockdep; 0 in release builds). */
static __always_inline u32 rwlock_read_depth_self(const rwlock_t *l)
{
	/* Only this CPU writes its own slot's depth: no race. */
	return l->slot[arch_cpu_id()].rdepth;
}

#endif /* LIB_RWLOCK_H */
