/* SPDX-License-Identifier: MIT */
/*
 * Epoch-based reclamation (EBR) with a QSBR mode: the hypervisor's
 * replacement for RCU.  Readers bracket lockless walks with ebr_enter() /
 * ebr_exit() (or, in QSBR mode, report ebr_quiescent() at VM exit/entry and
 * idle); updaters unlink an object and ebr_retire() it, and its callback
 * runs only after every reader that might still hold it has left.
 *
 * Model (see docs/locking.md, R5 and R6):
 *
 *  - A domain has a global epoch g (u64; every comparison is on the modular
 *    difference, so the wrap at 2^64 never changes a decision).
 *  - Each CPU has a record whose published state word says either "not
 *    protecting" (0) or "protecting, observed epoch e".  An EBR record
 *    protects between ebr_enter() and the matching outermost ebr_exit(); a
 *    record put ebr_online() (QSBR) protects all the time and moves its
 *    observed epoch forward at every ebr_quiescent().
 *  - g advances from e to e+1 only when every protecting record has observed
 *    e, and the grace-period hook (if any) agrees.  A callback tagged with
 *    epoch t runs once g - t >= 2: two advances after the tag, the second of
 *    which proves that no reader that could have seen the object is left.
 *  - Retired objects are staged untagged in their CPU's record, with no
 *    lock and no locked instruction (a slot and a release store of the
 *    count), and tagged in batches when the record polls, which it does
 *    when the stage is full: the poll's lock RMW is the full barrier that
 *    orders every staged object's unlink before the epoch read for the
 *    tag.  Tagged batches sit in four buckets indexed by tag mod 4.
 *    Callbacks run on the polling CPU with no EBR lock held and may
 *    retire further objects (from registered records).
 *  - ebr_synchronize() does not wait for callbacks: it returns once every
 *    section that was active at its fence has ended (each record seen not
 *    protecting or protecting in a newer epoch), or after two advances;
 *    with a grace-period hook installed it always waits for two advances,
 *    so the hook's condition (EPT flush acks) holds on return too.
 *  - Backlog: past backlog_soft callbacks pending on a record, the retiring
 *    CPU tries to advance and run callbacks; past backlog_hard it waits for
 *    grace periods (ebr_synchronize), unless it is itself protecting (inside
 *    a section or QSBR-online), where waiting would deadlock on itself; that
 *    case is counted in ebr_stats.nowait_over_hard.
 */
#ifndef MM_EBR_H
#define MM_EBR_H

#include "lib/atomic.h"
#include "lib/compiler.h"
#include "lib/lockdep.h"
#include "lib/mutate.h"
#include "lib/panic.h"
#include "lib/platform.h"
#include "lib/spinlock.h"

/* Embedded in every retired object, like an rcu_head. */
struct ebr_node {
	struct ebr_node *next;
	void (*fn)(struct ebr_node *);
	u64 epoch;	/* epoch the object was tagged with (valid in fn) */
};

/*
 * Grace-period hook.  start(arg, e) is called once, when an advance from
 * epoch e is first attempted; the advance from e to e+1 then happens only
 * once done(arg, e) returns true.  Both are called with the domain's
 * advance flag held (never concurrently with each other), never from inside
 * an ebr_enter() section of the caller, and must not call back into EBR.
 */
struct ebr_gp_hook {
	void (*start)(void *arg, u64 epoch);
	bool (*done)(void *arg, u64 epoch);
	void *arg;
};

/*
 * Retired objects a record stages before it tags them: under the soft
 * backlog limit a record polls once per EBR_STAGE retires.  Each poll's
 * advance attempt moves the reader records' state lines and the epoch's
 * line between CPUs; 64 (also ck_epoch's documented poll interval) made a
 * retiring CPU about 10 % faster than 32 with a reader running (README).
 */
#define EBR_STAGE		64

/* One bucket of tagged callbacks: all nodes carry the same epoch. */
struct ebr_bucket {
	struct ebr_node *head;
	struct ebr_node **tailp;
	u64 epoch;
	u64 count;
};

/*
 * Tagged callbacks live in bucket[tag % EBR_NR_BUCKETS].  Three would do
 * for the live tags (t-2, t-1, t), but the index must stay consistent
 * across the u64 wrap: 2^64 is not a multiple of 3 (UINT64_MAX and 0 would
 * share bucket 0), so the count is a power of two.
 */
#define EBR_NR_BUCKETS	4

/*
 * struct ebr_rec - one CPU's record.
 * @state:   published to advancers: 0 = not protecting, else
 *           (observed epoch << 1) | 1.  Written only by the owner.
 * @depth:   owner-private protecting depth: open ebr_enter() sections, plus
 *           one while QSBR-online; the record protects while it is not 0,
 *           so the read side tests one counter.
 * @online:  owner-private: QSBR mode (protecting between quiescent states).
 * @registered: record is in use (advancers skip unused records).
 * @lock:    protects the tagged queue below and the stage's @stolen;
 *           taken by the owner when it polls and by other CPUs in
 *           ebr_barrier().
 * @bucket:  tagged callbacks, bucket[t % EBR_NR_BUCKETS] holds tag t.
 * @pending: tagged callbacks queued on this record.
 * @running: batches of this record's callbacks being run by its owner
 *           (ebr_barrier() waits for 0).
 * @poll_blocker/@poll_blocked_epoch: owner-private: the state word of
 *           the record that held the advance this record's last ebr_poll()
 *           attempted, and the epoch then; while the epoch stays and that
 *           record still protects in an older one, no advance can happen and
 *           ebr_poll() returns at once (see there).
 * @stage/@staged: retired, not yet tagged: slots [@stolen, @staged).  The
 *           owner fills them without the lock and publishes each with a
 *           release store of @staged; it resets both (under @lock) when it
 *           tags them.  ebr_barrier() takes the slots a record has
 *           published, under @lock, and records that in @stolen.
 */
struct ebr_rec {
	/* Line 1: scanned by advancers, written by the owner. */
	u64 state;
	u32 depth;
	bool online;
	bool registered;
	bool in_poll;		/* owner-private: ebr_poll() is running */
	struct ebr_domain *domain;
	u32 staged;		/* see @stage */
	u32 poll_at;		/* owner-private: see ebr_retire() */
	u32 cpu;
	const u64 *poll_blocker;
	u64 poll_blocked_epoch;
	u64 qs_epoch;		/* owner-private: see ebr_quiescent() */

	/* Line 2: the callback queue. */
	spinlock_t lock __cacheline_aligned;
	u32 stolen;		/* see @stage; under @lock */
	struct ebr_bucket bucket[EBR_NR_BUCKETS];
	u64 pending;
	u32 running;		/* batches taken off the queue, still running */
	/* Statistics (written under @lock, read with READ_ONCE). */
	u64 st_retired;		/* tagged (staged ones: ebr_stats_read()) */
	u64 st_freed;
	u64 st_waits;
	u64 st_nowait;

	/* Lines 3-10: the stage, written by the owner. */
	struct ebr_node *stage[EBR_STAGE] __cacheline_aligned;
} __cacheline_aligned;

/* Default backlog limits, per record (callbacks pending on one CPU). */
#define EBR_BACKLOG_SOFT	256
#define EBR_BACKLOG_HARD	4096

/*
 * struct ebr_domain - a reclamation domain (about 36 KiB: one record per
 * possible CPU; embed it in static or page-allocated memory).
 * @epoch:     the global epoch (advanced under @advancing, store_release).
 * @advancing: try-flag serializing advance attempts and hook calls.
 */
struct ebr_domain {
	u64 epoch __cacheline_aligned;
	u32 nr_recs;		/* high-water mark of registered record indices + 1 */
	u32 backlog_soft;
	u32 backlog_hard;

	u32 advancing __cacheline_aligned;
	u64 hook_started;	/* epoch whose start() has run, valid if hook_started_valid */
	bool hook_started_valid;
	const struct ebr_gp_hook *hook;
	u64 pending;		/* callbacks tagged, not yet run (all records) */
	u64 peak_pending;
	u64 advances;
	u64 barrier_freed;	/* callbacks run by ebr_barrier() */

	struct ebr_rec recs[HV_MAX_CPUS];
};

struct ebr_stats {
	u64 retired;		/* ebr_retire() calls */
	u64 freed;		/* callbacks run */
	u64 pending;		/* retired - freed */
	u64 peak_pending;	/* highest tagged-but-not-run count seen */
	u64 advances;		/* global epoch advances */
	u64 waits_for_backlog;	/* retires that waited at the hard limit */
	u64 nowait_over_hard;	/* retires over the hard limit that could not wait */
	u64 epoch;		/* current global epoch */
};

void ebr_domain_init(struct ebr_domain *d);
/* As ebr_domain_init() with the global epoch starting at @start (wrap tests). */
void ebr_domain_init_at(struct ebr_domain *d, u64 start);
/* Set per-record backlog limits (soft <= hard, both > 0). */
void ebr_set_backlog(struct ebr_domain *d, u32 soft, u32 hard);
/* Install (or with NULL remove) the grace-period hook. */
void ebr_set_gp_hook(struct ebr_domain *d, const struct ebr_gp_hook *hook);

void ebr_register(struct ebr_rec *r);

/*
 * The calling CPU's record, registered on first use (an unregistered
 * record is not scanned, so its sections would protect nothing); hot paths
 * keep the pointer.
 */
static inline struct ebr_rec *ebr_rec_this(struct ebr_domain *d)
{
	struct ebr_rec *r = &d->recs[arch_cpu_id()];

	if (unlikely(!r->registered))
		ebr_register(r);
	return r;
}

void ebr_unregister(struct ebr_rec *r);

/* Published state word of a record protecting in epoch @e. */
static __always_inline u64 ebr_state_of(u64 e)
{
	return (e << 1) | 1;
}

/**
 * ebr_enter() - begin a read-side section (nestable, cheap).
 * @r: the calling CPU's record
 *
 * On a record that already protects (nested, or QSBR-online) this only
 * counts the depth.  Otherwise it publishes "protecting in epoch e" with
 * one exchange, which is also the fence.
 */
static __always_inline void ebr_enter(struct ebr_rec *r)
{
	u64 s;

	if (r->depth) {
		r->depth++;
		return;
	}
	r->depth = 1;
	s = ebr_state_of(READ_ONCE(r->domain->epoch));
	/*
	 * R5: publish "active in epoch e" before loading any protected
	 * pointer: a store->load (SB) order, which only a fence or a locked
	 * RMW gives.  The xchg is both the store and that full barrier (one
	 * locked instruction where a store and a fence were two).  Pairs with
	 * the full barrier between an updater's unlink and the load of the
	 * epoch it tags with (ebr_tag_staged(): the r->lock RMW of the
	 * owner's poll or ebr_barrier()'s smp_mb(); the smp_mb() in
	 * ebr_synchronize()): either the scan after the next advance sees
	 * us protecting, or we see the unlink.  Its release half also lets an
	 * advancer's load_acquire of this word order our previous section's
	 * reads before its free (TSan sees that edge).  The R5_ENTER mutant
	 * is a plain release store: no store->load order.
	 */
	store_mb_rule(R5_ENTER, &r->state, s);
}

/**
 * ebr_exit() - end a read-side section.
 * @r: the calling CPU's record
 */
static __always_inline void ebr_exit(struct ebr_rec *r)
{
	if (--r->depth)
		return;
	/*
	 * R6: every protected load of this section happens before "not
	 * protecting".  Pairs with the load_acquire scan in ebr_try_advance(),
	 * which may then let the epoch move on and the object be freed.  A
	 * relaxed store would let the compiler sink the section's loads below
	 * it (message passing; x86 hardware keeps the order, so the mutant is
	 * killed by tests/models/ebr_gp.pml).
	 */
	store_release_rule(R6_EXIT, &r->state, 0);
}

/* True while @r protects (inside a section or QSBR-online). */
static __always_inline bool ebr_protecting(const struct ebr_rec *r)
{
	return r->depth != 0;
}

/* True while @r is inside an ebr_enter() section. */
static __always_inline bool ebr_in_section(const struct ebr_rec *r)
{
	return r->depth > (u32)r->online;
}

/* ebr_quiescent()'s report, epoch @e, for an online record at depth 1. */
static __always_inline void ebr_quiescent_publish(struct ebr_rec *r, u64 e)
{
	/*
	 * R6: our earlier protected loads happen before the new epoch is
	 * published.  Pairs with the load_acquire scan in ebr_try_advance().
	 * Message passing, like ebr_exit(): the R6_QS mutant (relaxed store)
	 * is killed by tests/models/ebr_qsbr.pml.
	 */
	r->qs_epoch = e;
	store_release_rule(R6_QS, &r->state, ebr_state_of(e));
}

/**
 * ebr_quiescent() - QSBR: report that this CPU holds no protected pointer.
 * @r: the calling CPU's record (not inside an ebr_enter() section)
 *
 * A no-op on a record that is not online.
 * Moves the record's observed epoch to the current global epoch.  No fence:
 * the record protects throughout, only its epoch moves forward, and every
 * protected load after this point comes after the load of the epoch (TSO
 * keeps load->load order), so it sees every unlink made before that epoch
 * was reached.
 */
static __always_inline void ebr_quiescent(struct ebr_rec *r)
{
	/*
	 * R6: acquire the epoch: an unlink tagged before the advance to it is
	 * visible to our following loads.  Pairs with the store_release of
	 * the epoch in ebr_try_advance().
	 */
	u64 e = load_acquire(&r->domain->epoch);

	/*
	 * A quiescent state inside a section would end its protection.  Debug
	 * builds check that on every call (the release build only when the
	 * epoch moved, below), as they check lock ownership (lib/lockdep.h).
	 */
	if (LOCKDEP_ON)
		ASSERT(!r->online || r->depth == 1);
	/*
	 * Common case first: no advance since the last quiescent state (the
	 * epoch is the one this record last reported online, r->qs_epoch,
	 * which ebr_online() and the store below set): one compare with the
	 * epoch itself.  Then there is nothing to report whatever the mode:
	 * an online record's state already says e, an offline record has
	 * nothing to say, and an EBR section's state is left as it is.
	 */
	if (likely(e == r->qs_epoch))
		return;
	if (!r->online)
		return;		/* offline or plain EBR: nothing to report */
	/* A quiescent state inside a section would end its protection. */
	ASSERT(r->depth == 1);
	ebr_quiescent_publish(r, e);
}

/**
 * ebr_quiescent_online() - ebr_quiescent() for a record that its CPU keeps
 * online all the time it may call this: the exit fast path's vCPU record
 * (vmx/vcpu_run.c puts it online before every VM entry).
 * @r: the calling CPU's record, online, not inside an ebr_enter() section
 *
 * Debug builds check on every call that @r is at depth 1: online and in no
 * section.  That is one test where ebr_quiescent()'s "offline, or online
 * at depth 1" is two, and it is stronger: it fails for an offline record
 * too, which here would be a bug (a vCPU running unprotected).
 */
static __always_inline void ebr_quiescent_online(struct ebr_rec *r)
{
	/* R6: as in ebr_quiescent(); pairs with ebr_try_advance()'s store_release. */
	u64 e = load_acquire(&r->domain->epoch);

	if (LOCKDEP_ON)
		ASSERT(r->depth == 1);
	if (likely(e == r->qs_epoch))
		return;
	ASSERT(r->online && r->depth == 1);
	ebr_quiescent_publish(r, e);
}

void ebr_online(struct ebr_rec *r);
void ebr_offline(struct ebr_rec *r);

void ebr_retire(struct ebr_rec *r, struct ebr_node *n, void (*fn)(struct ebr_node *));
void ebr_synchronize(struct ebr_domain *d);
void ebr_barrier(struct ebr_domain *d);
bool ebr_poll(struct ebr_rec *r);

/* Current global epoch (for hooks and tests). */
u64 ebr_epoch(const struct ebr_domain *d);
void ebr_stats_read(struct ebr_domain *d, struct ebr_stats *out);

#endif /* MM_EBR_H */
