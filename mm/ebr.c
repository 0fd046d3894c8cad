/* SPDX-License-Identifier: MIT */
/*
 * Epoch-based reclamation: the update side (retire, tag, advance, poll,
 * synchronize, barrier) and record management.  The read side is inline in
 * mm/ebr.h.  Ordering rules R5 and R6 (docs/locking.md).
 *
 * Why a callback tagged t is safe to run once the global epoch g reached
 * t + 2 (R6).  A full barrier separates the caller's unlink from the load
 * of t: the locked RMW that takes r->lock in ebr_retire(), or the smp_mb()
 * in ebr_synchronize().  Take a reader R that loaded the old pointer: its
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
	r->new_head = NULL;
	r->new_tailp = &r->new_head;
	r->new_count = 0;
	for (unsigned int i = 0; i < EBR_NR_BUCKETS; i++)
		ebr_bucket_reset(&r->bucket[i]);
	r->pending = 0;
}

/**
 * ebr_domain_init_at() - initialize a domain with the epoch at @start.
 * @d:     the domain
 * @start: first global epoch (tests start near UINT64_MAX to cross the wrap)
 */
void ebr_domain_init_at(struct ebr_domain *d, u64 start)
{
	BUILD_BUG_ON(sizeof(struct ebr_rec) % 64);
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
	r->retires_since_poll = 0;
	r->poll_blocker = NULL;
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
	while (READ_ONCE(r->pending) || READ_ONCE(r->running)) {
		if (!ebr_poll(r) && READ_ONCE(r->pending))
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
	if (r->depth++)
		return;		/* already protecting, observed epoch kept */
	/*
	 * R5: as in ebr_enter(), an offline->online step is a new section:
	 * publish it with an xchg, the store and the store->load fence before
	 * the first protected load in one locked instruction.  Pairs with the
	 * full barrier between an unlink and its tag: the r->lock RMW in
	 * ebr_retire(), or the smp_mb() in ebr_synchronize().  The R5_ONLINE
	 * mutant is a plain release store.
	 */
	store_mb_rule(R5_ONLINE, &r->state, ebr_state_of(READ_ONCE(r->domain->epoch)));
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
	 * (ebr_retire()'s lock RMW, ebr_synchronize()'s smp_mb()), which
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

/*
 * Tag the record's new (untagged) callbacks with the current epoch t and
 * file them in bucket[t % 4].  A bucket found there with another tag holds
 * t - 4 or older (tags only grow on one record), so it is ready: it goes
 * onto *@tailp and its size is added to *@nready.  Called with r->lock held.
 */
static void ebr_tag_new(struct ebr_rec *r, struct ebr_node ***tailp, u64 *nready)
{
	struct ebr_domain *d = r->domain;
	struct ebr_bucket *b;
	u64 t;

	assert_held(&r->lock);
	if (!r->new_count)
		return;
	/*
	 * R6: the unlinks that preceded these retires are globally visible
	 * before this epoch read: each retire queued its node behind a full
	 * barrier (see ebr_retire()).
	 */
	t = ebr_epoch(d);
	b = &r->bucket[t % EBR_NR_BUCKETS];
	if (b->count && b->epoch != t) {
		BUG_ON(!ebr_reached(t, ebr_ready_epoch(b->epoch)));
		**tailp = b->head;
		*tailp = b->tailp;
		**tailp = NULL;
		*nready += b->count;
		ebr_bucket_reset(b);
	}
	b->epoch = t;
	for (struct ebr_node *n = r->new_head; n; n = n->next)
		n->epoch = t;
	*b->tailp = r->new_head;
	b->tailp = r->new_tailp;
	b->count += r->new_count;
	ebr_note_peak(d, fetch_add(&d->pending, r->new_count) + r->new_count);
	r->new_head = NULL;
	r->new_tailp = &r->new_head;
	r->new_count = 0;
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
	u64 n = 0;

	if (r->in_poll)
		return false;	/* a callback polled again: the outer poll continues */
	r->retires_since_poll = 0;
	/*
	 * Plain reads, a heuristic only: the skip frees nothing, and the next
	 * full poll reads everything it decides on with acquire.
	 */
	if (r->poll_blocker && READ_ONCE(d->epoch) == r->poll_blocked_epoch) {
		u64 s = READ_ONCE(*r->poll_blocker);

		if ((s & 1) && s != ebr_state_of(r->poll_blocked_epoch))
			return false;
	}
	r->in_poll = true;
	r->poll_blocker = NULL;
	if (!ebr_try_advance(d, &why) && why.state) {
		r->poll_blocker = why.state;
		r->poll_blocked_epoch = READ_ONCE(d->epoch);
	}
	flags = spin_lock_irqsave(&r->lock);
	ebr_tag_new(r, &tail, &n);
	n += ebr_take_ready(r, ebr_epoch(d), &tail);
	if (n) {
		/* Off the queue now: ebr_barrier() must not take them again. */
		WRITE_ONCE(r->pending, r->pending - n);
		WRITE_ONCE(r->running, r->running + 1);
	}
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

	while (READ_ONCE(r->pending) >= soft) {
		if (ebr_poll(r))
			continue;
		ebr_synchronize(d);
	}
}

/**
 * ebr_retire() - run @fn(@n) after a grace period.
 * @r:  the calling CPU's record
 * @n:  node embedded in the retired object, already unlinked from every
 *      structure a reader can reach
 * @fn: callback (usually frees the object)
 *
 * May be called inside a section.  Past the soft backlog limit it polls;
 * past the hard limit it waits for grace periods unless the caller is
 * protecting (inside a section or QSBR-online), which is counted.
 */
void ebr_retire(struct ebr_rec *r, struct ebr_node *n, void (*fn)(struct ebr_node *))
{
	struct ebr_domain *d = r->domain;
	unsigned long flags;
	u64 pending;

	n->fn = fn;
	n->next = NULL;
	n->epoch = 0;
	flags = spin_lock_irqsave(&r->lock);
	/*
	 * R6: the caller's unlink must be globally visible before the epoch
	 * this node will be tagged with is read (ebr_tag_new(), by us or by
	 * ebr_barrier() on another CPU).  Pairs with the R5 fence in
	 * ebr_enter()/ebr_online() (store-buffering: either the reader's
	 * "protecting" store reached memory first, and every scan after the
	 * next advance sees it, or the reader sees the unlink).  Taking
	 * r->lock is a locked RMW (the ticket fetch_add), a full barrier on
	 * x86: smp_mb__after_atomic() records that and costs nothing.  The
	 * same rule with a real fence is ebr_synchronize()'s R6_SYNC,
	 * checked with tests/models/ebr_gp.pml.
	 */
	smp_mb__after_atomic();
	*r->new_tailp = n;
	r->new_tailp = &n->next;
	r->new_count++;
	pending = r->pending + 1;
	WRITE_ONCE(r->pending, pending);
	WRITE_ONCE(r->st_retired, r->st_retired + 1);
	spin_unlock_irqrestore(&r->lock, flags);

	if (r->in_poll)
		return;		/* retired from a callback: the running poll is enough */
	if (unlikely(pending >= READ_ONCE(d->backlog_hard))) {
		if (!ebr_protecting(r)) {
			WRITE_ONCE(r->st_waits, r->st_waits + 1);
			ebr_wait_backlog(r);
			return;
		}
		/* Cannot wait for ourselves: bounded by what this section retires. */
		WRITE_ONCE(r->st_nowait, r->st_nowait + 1);
		ebr_poll(r);
		return;
	}
	if (pending >= READ_ONCE(d->backlog_soft) || ++r->retires_since_poll >= EBR_POLL_EVERY)
		ebr_poll(r);
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
	u32 n = READ_ONCE(d->nr_recs);
	u64 newest = 0, count = 0;
	bool any = false;

	if (ebr_in_section(ebr_rec_this(d)))
		panic("ebr_barrier() inside an EBR read section: it would wait for itself");
	for (u32 i = 0; i < n; i++) {
		struct ebr_rec *r = &d->recs[i];
		unsigned long flags = spin_lock_irqsave(&r->lock);
		u64 took = r->pending, ready = 0;

		ebr_tag_new(r, &tail, &ready);
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

		out->retired += READ_ONCE(r->st_retired);
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
