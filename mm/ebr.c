/* SPDX-License-Identifier: MIT */
/*
 * Epoch-based reclamation: the update side (retire, tag, advance, poll,
 * synchronize, barrier) and record management.  The read side is inline in
 * mm/ebr.h.  Ordering rules R5 and R6 (docs/locking.md).
 *
 * Why a callback tagged t is safe to run once the global epoch g reached
 * t + 2 (R6).  A full barrier separates the caller's unlink from the load
 * of t: the locked RMW that takes r->lock in the owner's ebr_poll() (after
 * every unlink of the staged objects it tags), the smp_mb() that follows
 * ebr_barrier()'s acquire of another record's stage, or the smp_mb() in
 * ebr_synchronize().  Take a reader R that loaded the old pointer: its
 * entry fence (R5) cannot follow that barrier in the global order of
 * fences and locked instructions (then its load would see the unlink), so
 * R's "protecting in e" store
 * reached memory before t was loaded, hence before the advance t -> t+1 was
 * stored, hence before any scan for the advance t+1 -> t+2, which therefore
 * sees R protecting with e <= t and refuses while R stays.  One advance is
 * not enough: a reader with e == t does not block t -> t+1.
 */
#include "mm/ebr.h"

#include "lib/panic.h"
#include "lib/string.h"

/* now has reached target, on the modular difference (wrap-safe). */
static inline bool ebr_reached(u64 now, u64 target)
{
	/* R6: the R6_WRAP mutant compares as plain unsigned numbers. */
	return rule_value(R6_WRAP, (s64)(now - target) >= 0, now >= target);
}

/* Epoch at which a callback tagged @tag may run. */
static inline u64 ebr_ready_epoch(u64 tag)
{
	/* R6: two advances (see the top); the R6_AGE mutant waits for one. */
	return tag + rule_value(R6_AGE, 2, 1);
}

static void ebr_bucket_reset(struct ebr_bucket *b)
{
	b->head = NULL;
	b->tailp = &b->head;
	b->count = 0;
	b->epoch = 0;
}

static void ebr_rec_reset_queue(struct ebr_rec *r)
{
	r->staged = 0;
	r->stolen = 0;
	for (unsigned int i = 0; i < EBR_NR_BUCKETS; i++)
		ebr_bucket_reset(&r->bucket[i]);
	r->pending = 0;
}

/*
 * Set r->poll_at, the staged count at which ebr_retire() next leaves its
 * fast path: when the stage is full, or when the backlog (tagged + staged)
 * reaches the soft limit; right at the next retire if it already has.
 * Never above EBR_STAGE, so the stage cannot overflow.  ebr_barrier() can
 * only lower r->pending, which makes the value early, never late.
 */
static void ebr_set_poll_at(struct ebr_rec *r)
{
	u64 backlog = READ_ONCE(r->pending) + r->staged;
	u32 soft = READ_ONCE(r->domain->backlog_soft);
	u64 at = backlog >= soft ? r->staged + 1 : r->staged + (soft - backlog);

	r->poll_at = (u32)(at < EBR_STAGE ? at : EBR_STAGE);
}

/**
 * ebr_domain_init_at() - initialize a domain with the epoch at @start.
 * @d:     the domain
 * @start: first global epoch (tests start near UINT64_MAX to cross the wrap)
 */
void ebr_domain_init_at(struct ebr_domain *d, u64 start)
{
	BUILD_BUG_ON(sizeof(struct ebr_rec) % 64);
	BUILD_BUG_ON(EBR_STAGE > EBR_BACKLOG_SOFT);
	BUILD_BUG_ON(EBR_NR_BUCKETS < 3);
	/* The index must not jump at the u64 wrap (see mm/ebr.h). */
	BUILD_BUG_ON(EBR_NR_BUCKETS & (EBR_NR_BUCKETS - 1));
	memset(d, 0, sizeof(*d));
	d->epoch = start;
	d->backlog_soft = EBR_BACKLOG_SOFT;
	d->backlog_hard = EBR_BACKLOG_HARD;
	for (unsigned int i = 0; i < HV_MAX_CPUS; i++) {
		struct ebr_rec *r = &d->recs[i];

		spin_lock_init(&r->lock);
		r->domain = d;
		r->cpu = i;
		ebr_rec_reset_queue(r);
	}
}

void ebr_domain_init(struct ebr_domain *d)
{
	ebr_domain_init_at(d, 0);
}

void ebr_set_backlog(struct ebr_domain *d, u32 soft, u32 hard)
{
	ASSERT(soft > 0 && soft <= hard);
	WRITE_ONCE(d->backlog_soft, soft);
	WRITE_ONCE(d->backlog_hard, hard);
}

void ebr_set_gp_hook(struct ebr_domain *d, const struct ebr_gp_hook *hook)
{
	/* The hook is read only under the advance flag. */
	while (xchg(&d->advancing, 1))
		cpu_relax();
	WRITE_ONCE(d->hook, hook);	/* ebr_synchronize() peeks without the flag */
	d->hook_started_valid = false;
	/*
	 * Release of the advance flag, a lock bit: the new hook is visible to
	 * the next CPU that takes the flag.  Pairs with the xchg that takes it
	 * in ebr_try_advance().
	 */
	store_release(&d->advancing, 0);
}

u64 ebr_epoch(const struct ebr_domain *d)
{
	/* R6: pairs with the store_release advance in ebr_try_advance(). */
	return load_acquire(&d->epoch);
}

/**
 * ebr_register() - the calling CPU (thread) starts using its record.
 * @r: the record (ebr_rec_this() calls this on first use)
 *
 * A no-op on a record that is already registered.
 */
void ebr_register(struct ebr_rec *r)
{
	struct ebr_domain *d = r->domain;
	u32 n = READ_ONCE(d->nr_recs);

	if (r->registered)
		return;
	r->registered = true;
	r->depth = 0;
	r->online = false;
	r->in_poll = false;
	r->poll_blocker = NULL;
	ebr_set_poll_at(r);
	WRITE_ONCE(r->state, 0);
	/*
	 * R5: make the record part of every later scan before it can ever
	 * protect anything.  Pairs with the READ_ONCE of nr_recs in
	 * ebr_try_advance(): a scan that misses this record read nr_recs
	 * before this locked cmpxchg, so the record's first epoch load (after
	 * it) returns that advance's epoch or a later one, and with it sees
	 * every unlink tagged before (see the proof at the top).
	 */
	while (n < r->cpu + 1 && !try_cmpxchg(&d->nr_recs, &n, r->cpu + 1))
		;
}

/**
 * ebr_unregister() - the calling CPU (thread) stops using its record.
 * @r: the record; must not be inside a section
 *
 * Waits until every callback queued on @r has run.
 */
void ebr_unregister(struct ebr_rec *r)
{
	ASSERT(r->registered);
	ASSERT(!ebr_in_section(r));
	if (r->online)
		ebr_offline(r);
	while (r->staged || READ_ONCE(r->pending) || READ_ONCE(r->running)) {
		if (!ebr_poll(r) && (r->staged || READ_ONCE(r->pending)))
			ebr_synchronize(r->domain);
	}
	r->registered = false;
}

/**
 * ebr_online() - QSBR: from now on this record protects until the next
 * ebr_quiescent() or ebr_offline(); the hypervisor's vCPU loop runs online.
 * @r: the calling CPU's record
 */
void ebr_online(struct ebr_rec *r)
{
	ASSERT(!r->online);
	r->online = true;
	if (r->depth++) {
		/* Already protecting, observed epoch kept: ebr_quiescent() compares with it. */
		r->qs_epoch = r->state >> 1;
		return;
	}
	r->qs_epoch = READ_ONCE(r->domain->epoch);
	/*
	 * R5: as in ebr_enter(), an offline->online step is a new section:
	 * publish it with an xchg, the store and the store->load fence before
	 * the first protected load in one locked instruction.  Pairs with the
	 * full barrier between an unlink and its tag: ebr_tag_staged()'s (the
	 * r->lock RMW of a poll, or ebr_barrier()'s smp_mb()), or the smp_mb()
	 * in ebr_synchronize().  The R5_ONLINE
	 * mutant is a plain release store.
	 */
	store_mb_rule(R5_ONLINE, &r->state, ebr_state_of(r->qs_epoch));
}

/**
 * ebr_offline() - QSBR: this CPU holds no protected pointer until
 * ebr_online(); an offline record never holds up a grace period.
 * @r: the calling CPU's record
 */
void ebr_offline(struct ebr_rec *r)
{
	ASSERT(r->online);
	r->online = false;
	if (--r->depth)
		return;		/* the enclosing section still protects */
	/*
	 * R6: our protected loads happen before "not protecting".  Pairs
	 * with the load_acquire scan in ebr_try_advance().
	 */
	store_release(&r->state, 0);
}

/* Raise d->peak_pending to at least @v. */
static void ebr_note_peak(struct ebr_domain *d, u64 v)
{
	u64 p = READ_ONCE(d->peak_pending);

	while (v > p && !try_cmpxchg(&d->peak_pending, &p, v))
		;
}

/* Why an advance attempt failed: the record that held it, if one did. */
struct ebr_blocker {
	const u64 *state;	/* that record's state word, or NULL */
	u64 seen;		/* the value that held the advance */
};

/**
 * ebr_try_advance() - advance the global epoch by one if nobody holds it.
 * @d:  the domain
 * @why: if not NULL, set on failure (the holding record, if any)
 *
 * Return: true if this call advanced the epoch.  False if a record still
 * protects in an older epoch, the hook withholds its consent, or another
 * CPU is advancing right now.
 */
static bool ebr_try_advance(struct ebr_domain *d, struct ebr_blocker *why)
{
	const struct ebr_gp_hook *hook;
	u64 g, want;
	u32 n;
	bool ok = true;

	if (why)
		why->state = NULL;
	if (READ_ONCE(d->advancing))
		return false;
	/*
	 * R6: one advancer at a time, so start()/done() never run
	 * concurrently and the epoch needs no cmpxchg.  Acquire pairs with
	 * the store_release that clears the flag below.
	 */
	if (xchg(&d->advancing, 1))
		return false;
	g = d->epoch;		/* written only under the flag */
	want = ebr_state_of(g);
	/*
	 * No fence needed here: the store->load order this scan relies on is
	 * the full barrier between the unlink and the load of the tag epoch
	 * (ebr_tag_staged()'s, ebr_synchronize()'s smp_mb()), which
	 * precedes this advance through the epoch itself; see the proof at
	 * the top of this file.  nr_recs: pairs with the cmpxchg in
	 * ebr_register().
	 */
	n = READ_ONCE(d->nr_recs);
	for (u32 i = 0; i < n; i++) {
		/*
		 * R6: acquire: if the record left its section (0) or moved
		 * to epoch g, its reads of the old objects happen before
		 * our advance and thus before their free.  Pairs with the
		 * store_release in ebr_exit() / ebr_quiescent() /
		 * ebr_offline() and the xchg in ebr_enter() / ebr_online().
		 */
		u64 s = load_acquire(&d->recs[i].state);

		if (rule_check(R6_SCAN, (s & 1) && s != want)) {
			ok = false;
			if (why) {
				why->state = &d->recs[i].state;
				why->seen = s;
			}
			break;
		}
	}
	hook = READ_ONCE(d->hook);
	if (ok && hook) {
		if (!d->hook_started_valid || d->hook_started != g) {
			d->hook_started = g;
			d->hook_started_valid = true;
			if (hook->start)
				hook->start(hook->arg, g);
		}
		/* The hook's consent (e.g. every CPU acked the EPT flush). */
		rule_step(R6_HOOK, ok = hook->done(hook->arg, g));
	}
	if (ok) {
		WRITE_ONCE(d->advances, d->advances + 1);
		/*
		 * R6: publish the new epoch after the scan.  Release pairs
		 * with the load_acquire of the epoch by pollers deciding
		 * that a callback may run and by ebr_quiescent().
		 */
		store_release(&d->epoch, g + 1);
	}
	/* R6: end of the advance; pairs with the xchg above. */
	store_release(&d->advancing, 0);
	return ok;
}

/**
 * ebr_tag_staged() - tag the staged callbacks of @r with the current epoch.
 * @r:     the record; r->lock held
 * @owner: the caller is @r's owner (ebr_poll()); else ebr_barrier()
 * @tailp: where a displaced ready bucket goes (see below), or NULL
 * @nready: its size is added here
 *
 * Files the staged slots in bucket[t % 4] for the current epoch t.  A
 * bucket found there with another tag holds t - 4 or older (tags only grow
 * on one record), so it is ready: it goes onto *@tailp; with @tailp NULL
 * (a retire from a callback, which cannot run callbacks) it is folded into
 * tag t instead, which only delays it.  The owner empties the stage; a
 * remote caller marks the slots it took in r->stolen, as the owner may be
 * filling the next slot.
 */
static void ebr_tag_staged(struct ebr_rec *r, bool owner, struct ebr_node ***tailp,
			   u64 *nready)
{
	struct ebr_domain *d = r->domain;
	struct ebr_node **tail;
	struct ebr_bucket *b;
	u32 from = r->stolen, to;
	u64 t;

	assert_held(&r->lock);
	/*
	 * The slots the owner published: acquire pairs with the
	 * store_release of r->staged in ebr_retire(), so a remote caller
	 * reads every slot (and node) written before it.
	 */
	to = owner ? r->staged : load_acquire(&r->staged);
	if (from == to) {
		if (owner) {	/* ebr_barrier() may have taken them all */
			WRITE_ONCE(r->stolen, 0);
			WRITE_ONCE(r->staged, 0);
		}
		return;
	}
	/*
	 * R6: the unlinks that preceded these retires are globally visible
	 * before the epoch read below (store-buffering against the R5 fence
	 * in ebr_enter()/ebr_online()).  The owner took r->lock after them, a
	 * locked RMW: smp_mb__after_atomic() records that and costs nothing.
	 * A remote caller (ebr_barrier()) saw them published through the
	 * acquire above, after its own lock RMW: it needs a fence of its own
	 * between that load and the epoch load.  The same rule with a real
	 * fence and no lock is ebr_synchronize()'s R6_SYNC, whose mutant
	 * tests/models/ebr_gp.pml kills.
	 */
	if (owner)
		smp_mb__after_atomic();
	else
		smp_mb();
	t = ebr_epoch(d);
	b = &r->bucket[t % EBR_NR_BUCKETS];
	if (b->count && b->epoch != t) {
		BUG_ON(!ebr_reached(t, ebr_ready_epoch(b->epoch)));
		if (tailp) {
			**tailp = b->head;
			*tailp = b->tailp;
			**tailp = NULL;
			*nready += b->count;
			WRITE_ONCE(r->pending, r->pending - b->count);
			ebr_bucket_reset(b);
		}
	}
	b->epoch = t;
	tail = b->tailp;	/* a local: the stores below cannot alias it */
	for (u32 i = from; i < to; i++) {
		struct ebr_node *n = r->stage[i];

		n->epoch = t;
		*tail = n;
		tail = &n->next;
	}
	*tail = NULL;
	b->tailp = tail;
	b->count += to - from;
	WRITE_ONCE(r->pending, r->pending + (to - from));
	WRITE_ONCE(r->st_retired, r->st_retired + (to - from));
	ebr_note_peak(d, fetch_add(&d->pending, to - from) + (to - from));
	if (owner) {
		WRITE_ONCE(r->stolen, 0);
		WRITE_ONCE(r->staged, 0);
	} else {
		WRITE_ONCE(r->stolen, to);	/* ebr_stats_read() peeks */
	}
}

/*
 * Move every bucket of @r that is ready at epoch @g onto *@tailp.  Called
 * with r->lock held.  Returns the number of callbacks moved.
 */
static u64 ebr_take_ready(struct ebr_rec *r, u64 g, struct ebr_node ***tailp)
{
	u64 n = 0;

	assert_held(&r->lock);
	for (unsigned int i = 0; i < EBR_NR_BUCKETS; i++) {
		struct ebr_bucket *b = &r->bucket[i];

		if (!b->count || !ebr_reached(g, ebr_ready_epoch(b->epoch)))
			continue;
		**tailp = b->head;
		*tailp = b->tailp;
		n += b->count;
		ebr_bucket_reset(b);
	}
	**tailp = NULL;
	return n;
}

/* Run a list of callbacks (no lock held). */
static void ebr_run(struct ebr_node *n)
{
	while (n) {
		struct ebr_node *next = n->next;

		n->fn(n);
		n = next;
	}
}

/**
 * ebr_poll() - try to advance the epoch and run this record's ready callbacks.
 * @r: the calling CPU's record
 *
 * Tags the record's untagged callbacks, so two later advances make them
 * ready.  Callbacks run on the calling CPU without any EBR lock held; they
 * may retire further objects.
 *
 * A poll returns at once while the epoch is where this record's previous
 * poll left it and the record that held that poll's advance still holds it
 * (protecting in an older epoch): the advance would fail again, nothing
 * became ready (readiness depends only on the epoch), and untagged
 * callbacks are tagged by a later poll, with a later epoch, which only
 * delays them.  That keeps a retiring CPU past the soft backlog limit
 * (one poll per retire) from paying a whole poll, two locked RMWs and
 * the queue's lock, per retire while a reader stays in one section, or
 * is descheduled inside it.
 *
 * Return: true if any callback ran.
 */
bool ebr_poll(struct ebr_rec *r)
{
	struct ebr_domain *d = r->domain;
	struct ebr_node *run = NULL, **tail = &run;
	struct ebr_blocker why;
	unsigned long flags;
	u64 n = 0, taken;

	if (r->in_poll)
		return false;	/* a callback polled again: the outer poll continues */
	/*
	 * Plain reads, a heuristic only: the skip frees nothing, and the next
	 * full poll reads everything it decides on with acquire.  A full
	 * stage is always tagged: the next retire needs a slot.
	 */
	if (r->poll_blocker && r->staged < EBR_STAGE &&
	    READ_ONCE(d->epoch) == r->poll_blocked_epoch) {
		u64 s = READ_ONCE(*r->poll_blocker);

		if ((s & 1) && s != ebr_state_of(r->poll_blocked_epoch)) {
			ebr_set_poll_at(r);
			return false;
		}
	}
	r->in_poll = true;
	r->poll_blocker = NULL;
	if (!ebr_try_advance(d, &why) && why.state) {
		r->poll_blocker = why.state;
		r->poll_blocked_epoch = READ_ONCE(d->epoch);
	}
	flags = spin_lock_irqsave(&r->lock);
	ebr_tag_staged(r, true, &tail, &n);
	taken = ebr_take_ready(r, ebr_epoch(d), &tail);
	if (taken) {
		/* Off the queue now: ebr_barrier() must not take them again. */
		WRITE_ONCE(r->pending, r->pending - taken);
		n += taken;
	}
	if (n)
		WRITE_ONCE(r->running, r->running + 1);
	spin_unlock_irqrestore(&r->lock, flags);
	if (n) {
		ebr_run(run);
		flags = spin_lock_irqsave(&r->lock);
		WRITE_ONCE(r->st_freed, r->st_freed + n);
		/* R6: ebr_barrier() waits for running == 0; pairs with its load_acquire. */
		store_release(&r->running, r->running - 1);
		spin_unlock_irqrestore(&r->lock, flags);
		fetch_sub(&d->pending, n);
	}
	r->in_poll = false;
	ebr_set_poll_at(r);
	return n != 0;
}

/*
 * Waiting for a record that holds the epoch: first this many plain
 * re-reads of its state word (a section of a few hundred nanoseconds ends
 * within them, and PAUSE costs up to ~80 ns when virtualized), then
 * cpu_relax() between re-reads.  Another advance attempt follows as soon
 * as the record moves; a hook refusal or a busy advance flag backs off
 * exponentially up to EBR_WAIT_MAX_SPINS cpu_relax() calls.
 */
#define EBR_WAIT_FAST_READS	256
#define EBR_WAIT_MAX_SPINS	64

/* Spin until the global epoch is at least @target, helping it along. */
static void ebr_wait_epoch(struct ebr_domain *d, u64 target)
{
	unsigned int spins = 1;
	struct ebr_blocker why;
	u64 g;

	while (!ebr_reached(g = ebr_epoch(d), target)) {
		if (ebr_try_advance(d, &why)) {
			spins = 1;
			continue;
		}
		if (why.state) {
			/*
			 * A heuristic wait only: the next ebr_try_advance()
			 * rescans with load_acquire.  Leave once the record
			 * left its section or moved on, or the epoch moved.
			 */
			for (unsigned int i = 0; READ_ONCE(*why.state) == why.seen &&
			     READ_ONCE(d->epoch) == g; i++) {
				if (i >= EBR_WAIT_FAST_READS)
					cpu_relax();
			}
			continue;
		}
		for (unsigned int i = 0; i < spins; i++)
			cpu_relax();
		if (spins < EBR_WAIT_MAX_SPINS)
			spins <<= 1;
	}
}

/**
 * ebr_wait_readers() - the grace-period wait of ebr_synchronize().
 * @d:  the domain
 * @g0: the epoch read after the caller's fence
 *
 * Returns once every section that may hold a pointer unlinked before that
 * fence has ended.  Two sufficient conditions, whichever comes first: the
 * epoch reached g0 + 2 (the R6 rule), or every record has been seen, after
 * the fence, either not protecting or protecting in g0 + 1.  A record
 * protecting in g0 + 1 loaded the epoch after the advance from g0, hence
 * after our fence, so its loads see the unlink.  A record seen protecting
 * in g0 or older must be seen again in one of those two states: merely
 * "changed" is not enough, because a QSBR quiescent store may still sit in
 * the store buffer while the loads after it already run
 * (tests/models/ebr_qsbr.pml finds exactly that).  The second condition
 * ends the wait when the last old section ends, often without two
 * advances; advance attempts continue meanwhile, so a reader that
 * re-enters soon does so in g0 + 1.
 */
static void ebr_wait_readers(struct ebr_domain *d, u64 g0)
{
	const u64 newer = ebr_state_of(g0 + 1);
	u32 n = READ_ONCE(d->nr_recs);
	unsigned int reads = 0;
	u64 need = 0;

	BUILD_BUG_ON(HV_MAX_CPUS > 64);	/* @need is a 64-bit mask */
	for (u32 i = 0; i < n; i++) {
		/*
		 * R6: acquire: a record seen not protecting ended its sections
		 * before our caller frees.  Pairs with the store_release in
		 * ebr_exit() / ebr_quiescent() / ebr_offline() / ebr_enter().
		 */
		u64 s = load_acquire(&d->recs[i].state);

		if ((s & 1) && s != newer)
			need |= BIT(i);
	}
	if (need)
		ebr_try_advance(d, NULL);	/* let re-entering readers see g0 + 1 */
	while (need) {
		if (ebr_reached(ebr_epoch(d), ebr_ready_epoch(g0)))
			return;
		for (u64 m = need; m; m &= m - 1) {
			unsigned int i = (unsigned int)__builtin_ctzll(m);
			/* R6: as above. */
			u64 s = load_acquire(&d->recs[i].state);

			if (!(s & 1) || s == newer)
				need &= ~BIT(i);
		}
		if (need && ++reads >= EBR_WAIT_FAST_READS) {
			ebr_try_advance(d, NULL);
			cpu_relax();
		}
	}
}

/**
 * ebr_synchronize() - wait for a full grace period.
 * @d: the domain
 *
 * Every section that was active when the call began has ended when it
 * returns, and, if a grace-period hook is installed, the hook has agreed
 * to two epoch advances since.  Must not be called inside a section (it
 * would wait for itself); a QSBR-online caller is treated as quiescent and
 * offline while it waits.
 */
void ebr_synchronize(struct ebr_domain *d)
{
	struct ebr_rec *r = ebr_rec_this(d);
	bool was_online = r->online;
	u64 g;

	if (ebr_in_section(r))
		panic("ebr_synchronize() inside an EBR read section (cpu %u, depth %u): "
		      "it would wait for itself", r->cpu, r->depth);
	if (was_online)
		ebr_offline(r);
	/*
	 * R6: the caller's unlinks are globally visible before we read the
	 * epoch we wait from.  Pairs with the R5 fence in ebr_enter() /
	 * ebr_online() (store-buffering; see the proof at the top).
	 */
	smp_mb_rule(R6_SYNC);
	g = ebr_epoch(d);
	/*
	 * With a grace-period hook a grace period includes its consent (the
	 * EPT flush acks): wait for two advances.  Without one, waiting for
	 * the old sections to end is enough, and usually much quicker.
	 */
	if (READ_ONCE(d->hook))
		ebr_wait_epoch(d, ebr_ready_epoch(g));
	else
		ebr_wait_readers(d, g);
	if (was_online)
		ebr_online(r);
}

/*
 * The hard backlog limit was reached: wait for grace periods and run
 * callbacks until this record is back under the soft limit.
 */
static void ebr_wait_backlog(struct ebr_rec *r)
{
	struct ebr_domain *d = r->domain;
	u32 soft = READ_ONCE(d->backlog_soft);

	while (READ_ONCE(r->pending) + r->staged >= soft) {
		if (ebr_poll(r))
			continue;
		ebr_synchronize(d);
	}
}

/*
 * ebr_retire() once @i slots are staged and i >= r->poll_at: the stage is
 * full, or the backlog reached the soft or the hard limit.  Out of line.
 */
static __noinline void ebr_retire_slow(struct ebr_rec *r, u32 i)
{
	struct ebr_domain *d = r->domain;
	u64 backlog = READ_ONCE(r->pending) + i;
	unsigned long flags;

	if (r->in_poll) {
		/* Retired from a callback: the running poll is enough... */
		if (i < EBR_STAGE)
			return;
		/* ...but a full stage must be tagged now; no callback runs here. */
		flags = spin_lock_irqsave(&r->lock);
		ebr_tag_staged(r, true, NULL, NULL);
		spin_unlock_irqrestore(&r->lock, flags);
		return;
	}
	if (backlog < READ_ONCE(d->backlog_hard)) {
		ebr_poll(r);
		return;
	}
	if (!ebr_protecting(r)) {
		WRITE_ONCE(r->st_waits, r->st_waits + 1);
		ebr_wait_backlog(r);
		return;
	}
	/* Cannot wait for ourselves: bounded by what this section retires. */
	WRITE_ONCE(r->st_nowait, r->st_nowait + 1);
	ebr_poll(r);
}

/**
 * ebr_retire() - run @fn(@n) after a grace period.
 * @r:  the calling CPU's record
 * @n:  node embedded in the retired object, already unlinked from every
 *      structure a reader can reach
 * @fn: callback (usually frees the object)
 *
 * Stages @n in the record: no lock and no locked instruction.  The full
 * barrier that R6 needs between the caller's unlink and the epoch @n is
 * tagged with comes later, once per stage (see ebr_tag_staged()).  A full
 * stage is tagged by a poll.  May be called inside a section.  Past the
 * soft backlog limit (tagged and staged callbacks of the record) it polls
 * on every retire; past the hard limit it waits for grace periods unless
 * the caller is protecting (inside a section or QSBR-online), which is
 * counted.  One compare decides all that: r->poll_at, the slot count at
 * which the next of those happens, set by every poll (ebr_set_poll_at()).
 */
void ebr_retire(struct ebr_rec *r, struct ebr_node *n, void (*fn)(struct ebr_node *))
{
	u32 i = r->staged;	/* only the owner writes it outside r->lock */

	n->fn = fn;
	r->stage[i++] = n;
	/*
	 * Publish the slot to ebr_barrier() on another CPU, which may take
	 * the stage: release pairs with the load_acquire in ebr_tag_staged().
	 */
	store_release(&r->staged, i);
	if (unlikely(i >= r->poll_at))
		ebr_retire_slow(r, i);
}

/**
 * ebr_barrier() - wait until every callback retired before the call has run.
 * @d: the domain
 *
 * Takes the queued callbacks of every record (tags kept, untagged ones are
 * tagged now), waits for their grace periods and runs them here; then waits
 * for callbacks that other CPUs had already taken to finish running.  Must
 * not be called inside a section.
 */
void ebr_barrier(struct ebr_domain *d)
{
	struct ebr_node *mine = NULL, **tail = &mine;
	struct ebr_rec *me = ebr_rec_this(d);
	u32 n = READ_ONCE(d->nr_recs);
	u64 newest = 0, count = 0;
	bool any = false;

	if (ebr_in_section(me))
		panic("ebr_barrier() inside an EBR read section: it would wait for itself");
	for (u32 i = 0; i < n; i++) {
		struct ebr_rec *r = &d->recs[i];
		unsigned long flags = spin_lock_irqsave(&r->lock);
		u64 took, ready = 0;

		ebr_tag_staged(r, r == me, &tail, &ready);
		took = r->pending + ready;
		for (unsigned int b = 0; b < EBR_NR_BUCKETS; b++) {
			struct ebr_bucket *bk = &r->bucket[b];

			if (!bk->count)
				continue;
			if (!any || !ebr_reached(newest, bk->epoch))
				newest = bk->epoch;
			any = true;
			*tail = bk->head;
			tail = bk->tailp;
			ebr_bucket_reset(bk);
		}
		*tail = NULL;
		/* Stolen: counted as freed by the barrier once they ran. */
		WRITE_ONCE(r->pending, 0);
		count += took;
		spin_unlock_irqrestore(&r->lock, flags);
	}
	if (any)
		ebr_wait_epoch(d, ebr_ready_epoch(newest));
	ebr_run(mine);
	if (count) {
		fetch_sub(&d->pending, count);
		stat_add(&d->barrier_freed, count);
	}
	/* Callbacks that a poller took before we looked: wait for them. */
	for (u32 i = 0; i < n; i++) {
		/* R6: pairs with the store_release of running in ebr_poll(). */
		while (load_acquire(&d->recs[i].running))
			cpu_relax();
	}
}

/**
 * ebr_stats_read() - snapshot the domain's statistics.
 * @d:   the domain
 * @out: filled in
 */
void ebr_stats_read(struct ebr_domain *d, struct ebr_stats *out)
{
	u32 n = READ_ONCE(d->nr_recs);

	memset(out, 0, sizeof(*out));
	for (u32 i = 0; i < n; i++) {
		const struct ebr_rec *r = &d->recs[i];

		u32 staged = READ_ONCE(r->staged), stolen = READ_ONCE(r->stolen);

		/*
		 * Tagged, plus staged: a snapshot, exact when the owner is not
		 * retiring or tagging meanwhile.
		 */
		out->retired += READ_ONCE(r->st_retired) + (staged > stolen ? staged - stolen : 0);
		out->freed += READ_ONCE(r->st_freed);
		out->waits_for_backlog += READ_ONCE(r->st_waits);
		out->nowait_over_hard += READ_ONCE(r->st_nowait);
	}
	out->freed += READ_ONCE(d->barrier_freed);
	out->pending = out->retired - out->freed;
	out->peak_pending = READ_ONCE(d->peak_pending);
	out->advances = READ_ONCE(d->advances);
	out->epoch = ebr_epoch(d);
}
