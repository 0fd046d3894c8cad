// SPDX-License-Identifier: MIT
/*
 * Quiesced rmap-against-EPT audit; see tests/host/rmap_audit.h.
 */
#include "tests/host/rmap_audit.h"

#include "lib/atomic.h"
#include "mm/ebr.h"
#include "mm/rmap.h"

#include <stdio.h>
#include <string.h>

struct rmap_audit_walk {
	struct vm_mmu *mmu;
	struct rmap_audit *a;
	u64 problems;
};

/* Counts the entries of one head, and those equal to @want. */
struct rmap_audit_count {
	const u64 __ept *want;
	u64 entries, matches;
};

/* The visitor type (rmap_for_each()) passes a writable entry pointer. */
// cppcheck-suppress constParameter
static void rmap_audit_count_visit(u64 __ept *sptep, void *arg)
{
	struct rmap_audit_count *c = arg;

	c->entries++;
	c->matches += sptep == c->want;
}

static void rmap_audit_make_young(u64 __ept *sptep, void *arg)
{
	(void)arg;
	/* As the CPU sets it: an atomic OR. */
	ept_set_bits_atomic(sptep, EPT_A);
}

static bool rmap_audit_covers(const struct rmap_table *rt, gfn_t gfn, int level)
{
	return level >= RMAP_LEVEL_MIN && level <= RMAP_LEVEL_MAX &&
	       gfn >= rt->base_gfn && gfn - rt->base_gfn < rt->nr_gfns;
}

/* A present leaf @sptep maps @gfn at @level: its head must list it once. */
static void rmap_audit_leaf(struct rmap_audit_walk *w, u64 __ept *sptep, gfn_t gfn, int level)
{
	struct rmap_audit_count c = { .want = sptep };

	w->a->leaves++;
	if (!rmap_audit_covers(&w->mmu->rmap, gfn, level))
		return;
	w->a->tracked++;
	rmap_walk_readonly(&w->mmu->rmap, gfn, level, rmap_audit_count_visit, &c);
	if (c.matches != 1) {
		w->a->not_once++;
		if (w->problems++ < 5)
			fprintf(stderr, "rmap audit: leaf %p (gfn 0x%llx level %d) found %llu times"
				" among the %llu entries of its head\n", (__force void *)sptep,
				gfn, level, c.matches,
				c.entries);
	}
}

static void rmap_audit_table(struct rmap_audit_walk *w, u64 __ept *pt, int level, gfn_t gfn)
{
	for (int i = 0; i < EPT_ENTRIES; i++) {
		u64 __ept *sptep = &pt[i];
		u64 e = ept_read_entry(sptep);
		gfn_t g = gfn + (u64)i * ept_pages_per_entry(level);

		if (ept_is_leaf(e, level))
			rmap_audit_leaf(w, sptep, g, level);
		else if (ept_is_table(e, level))
			rmap_audit_table(w, ept_entry_table(e), level - 1, g);
	}
}

/* Walk every head of every level with @fn; returns the entries visited. */
static u64 rmap_audit_heads(struct rmap_table *rt, rmap_visit_fn fn, void *arg)
{
	u64 n = 0;

	for (int level = RMAP_LEVEL_MIN; level <= RMAP_LEVEL_MAX; level++)
		for (u64 off = 0; off < rt->nr_gfns; off += ept_pages_per_entry(level))
			n += rmap_walk_readonly(rt, rt->base_gfn + off, level, fn, arg);
	return n;
}

static void rmap_audit_problem(struct rmap_audit_walk *w, const char *what, u64 got, u64 want)
{
	w->problems++;
	fprintf(stderr, "rmap audit: %s: %llu, expected %llu\n", what,
		got, want);
}

u64 rmap_audit(struct vm_mmu *mmu, struct rmap_audit *a, const char *tag)
{
	struct rmap_audit_walk w = { .mmu = mmu, .a = a };
	struct ebr_rec *rec = ebr_rec_this(&mmu->ebr);
	struct rmap_table *rt = &mmu->rmap;
	struct rmap_audit_count all = { .want = NULL };
	struct ept_mmu_stats st;
	struct ept_root *root;
	u64 counted = 0;

	memset(a, 0, sizeof(*a));
	if (!mmu->has_rmap) {
		fprintf(stderr, "rmap audit: the MMU has no rmap (gfn_limit 0)\n");
		return 1;
	}
	/* EBR section: the rules for rmap_walk_readonly() (mm/rmap.h). */
	ebr_enter(rec);
	root = load_acquire(&mmu->active_root);
	if (root)
		rmap_audit_table(&w, root->page->spt, root->level, 0);
	/*
	 * Nothing beyond the leaves: each was found once in its own head, so
	 * as many entries as tracked leaves means there is no other.
	 */
	a->entries = rmap_audit_heads(rt, rmap_audit_count_visit, &all);
	a->made_young = rmap_audit_heads(rt, rmap_audit_make_young, NULL);
	ebr_exit(rec);
	a->found_young = ept_age_range(mmu, rt->base_gfn, rt->base_gfn + rt->nr_gfns);
	a->found_again = ept_age_range(mmu, rt->base_gfn, rt->base_gfn + rt->nr_gfns);
	a->bad_desc = READ_ONCE(rt->bad_desc);
	ept_mmu_stats_read(mmu, &st);
	for (int l = 1; l <= EPT_MAX_HUGE_LEVEL; l++)
		counted += st.mapped[l];
	a->mapped = counted;

	if (a->entries != a->tracked)
		rmap_audit_problem(&w, "rmap entries vs leaves it covers", a->entries, a->tracked);
	if (a->leaves != a->mapped)
		rmap_audit_problem(&w, "leaves vs the mapped counters", a->leaves, a->mapped);
	if (a->bad_desc)
		rmap_audit_problem(&w, "dead descriptors met by walks", a->bad_desc, 0);
	if (a->made_young != a->entries)
		rmap_audit_problem(&w, "entries made young vs entries", a->made_young, a->entries);
	if (a->found_young != a->made_young)
		rmap_audit_problem(&w, "young leaves an aging pass found", a->found_young,
				   a->made_young);
	if (a->found_again)
		rmap_audit_problem(&w, "young leaves the next pass found", a->found_again, 0);
	printf("%s: rmap %llu leaves (%llu mapped, %llu in the rmap's range), %llu rmap entries,"
	       " %llu not found once, %llu dead descriptors; aging found %llu of %llu made young,"
	       " then %llu\n", tag, a->leaves, a->mapped,
	       a->tracked, a->entries,
	       a->not_once, a->bad_desc,
	       a->found_young, a->made_young,
	       a->found_again);
	return w.problems;
}
