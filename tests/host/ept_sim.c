// SPDX-License-Identifier: MIT
/*
 * Hosted simulation of the EPT hardware side: vCPU threads with a private
 * translation cache.  See tests/host/ept_sim.h.
 */
#include "tests/host/ept_sim.h"

#include "tests/host/harness.h"

#include <stdio.h>
#include <string.h>

static void ept_sim_invept(void *ctx)
{
	struct ept_sim_vcpu *v = ctx;

	/* Called by the vCPU's own thread (ept_flush_vcpu_service()). */
	for (int i = 0; i < EPT_SIM_TLB; i++)
		v->tlb[i].valid = false;
	v->c.flushes++;
}

static void ept_sim_kick(void *ctx)
{
	struct ept_sim_vcpu *v = ctx;

	/* The "IPI": polled by the vCPU while in the guest. */
	store_release(&v->kick, 1);
}

const struct ept_flush_ops ept_sim_flush_ops = {
	.invept = ept_sim_invept,
	.kick = ept_sim_kick,
};

int ept_sim_vcpu_init(struct ept_sim_vcpu *v, struct vm_mmu *mmu, gfn_t lo, gfn_t hi,
		      double write_ratio, u64 seed, bool *stop)
{
	memset(v, 0, sizeof(*v));
	v->mmu = mmu;
	v->lo = lo;
	v->hi = hi > lo ? hi : lo + 1;
	v->write_ratio = write_ratio;
	v->rng = seed | 1;
	v->stop = stop;
	v->id = ept_flush_vcpu_add(&mmu->flush, v);
	return v->id < 0 ? -1 : 0;
}

/* A cached translation is used: check it against the page it came from and the map. */
static void ept_sim_use(struct ept_sim_vcpu *v, struct ept_sim_tlbe *t)
{
	struct vm_mmu *mmu = v->mmu;
	struct ept_flush_vcpu *fv = &mmu->flush.vcpu[v->id];
	struct ebr_rec *rec = ebr_rec_this(&mmu->ebr);
	const struct ept_memslot *slot;
	bool pending, ok;
	u64 e;

	v->c.uses++;
	e = ept_read_entry(&t->table[t->idx]);
	if (ept_is_poison(e)) {
		if (v->c.uaf_uses++ < 3)
			fprintf(stderr, "ept_sim: vCPU %d used gfn 0x%llx from a freed table %p\n",
				v->id, t->gfn, (__force void *)t->table);
	}
	ebr_enter(rec);
	slot = ept_memslot_find(ept_memmap_get(mmu), t->gfn);
	ok = slot && slot->kind != EPT_SLOT_MMIO && ept_memslot_pfn(slot, t->gfn) == t->pfn;
	/* Every request sets flush_req; it stays set until we take it. */
	pending = READ_ONCE(fv->flush_req);
	ebr_exit(rec);
	if (!ok && !pending && v->c.stale_uses++ < 3)
		fprintf(stderr, "ept_sim: vCPU %d used stale gfn 0x%llx -> pfn 0x%llx, no flush pending\n",
			v->id, t->gfn, t->pfn);
}

/*
 * The "hardware" walk on a TLB miss.  Sets A (and D for a write) like the
 * CPU does: a locked update that only succeeds on the entry it read (R2).
 * Returns false on an EPT violation (not present, or write to !W).
 */
static bool ept_sim_fill(struct ept_sim_vcpu *v, gfn_t gfn, bool write)
{
	struct vm_mmu *mmu = v->mmu;
	struct ebr_rec *rec = ebr_rec_this(&mmu->ebr);
	struct ept_root *root = v->root;
	u64 __ept *pt;
	bool ok = false;

	if (gfn >= ept_root_gfn_span(root->level))
		return false;
	ebr_enter(rec);
	pt = root->page->spt;
	for (int l = root->level; l >= 1;) {
		u64 __ept *p = &pt[ept_index(gfn, l)];
		u64 e = ept_read_entry(p);

		if (ept_is_poison(e)) {
			v->c.walk_poison++;
			break;
		}
		if (ept_is_table(e, l)) {
			pt = ept_entry_table(e);	/* R1: dependent load */
			l--;
			continue;
		}
		if (!ept_is_leaf(e, l) || (write && !(e & EPT_W)))
			break;
		if ((e & (EPT_A | (write ? EPT_D : 0))) != (EPT_A | (write ? EPT_D : 0)) &&
		    !ept_cmpxchg_entry(p, &e, e | EPT_A | (write ? EPT_D : 0)))
			continue;	/* changed under us: walk this level again */
		{
			struct ept_sim_tlbe *t = &v->tlb[gfn % EPT_SIM_TLB];

			t->gfn = gfn;
			t->pfn = ept_entry_pfn(e) + (gfn - ept_gfn_round(gfn, l));
			t->table = pt;
			t->idx = ept_index(gfn, l);
			t->writable = e & EPT_W;
			t->valid = true;
			v->c.fills++;
			ok = true;
		}
		break;
	}
	ebr_exit(rec);
	return ok;
}

void *ept_sim_vcpu_thread(void *arg)
{
	struct ept_sim_vcpu *v = arg;
	struct vm_mmu *mmu = v->mmu;
	struct ept_flush *fl = &mmu->flush;

	ept_mmu_cpu_register(mmu);
	while (!READ_ONCE(*v->stop)) {
		gfn_t fault_gfn = 0;
		bool fault = false, fault_write = false, r11_bad = false;

		/* EPTP: hold a reference to the active root (R7). */
		if (!v->root || READ_ONCE(v->root->invalid)) {
			if (v->root)
				ept_root_put(mmu, v->root);
			v->root = ept_root_get_active(mmu);
			ept_sim_invept(v);	/* a new EPTP starts with an empty TLB */
			if (!v->root) {
				cpu_relax();
				continue;
			}
		}
		if (!ept_flush_vcpu_enter(fl, v->id)) {
			ept_flush_vcpu_service(fl, v->id);
			continue;
		}
		v->c.entries++;
		for (int k = 0; k < 128; k++) {
			u64 x = test_rand(&v->rng);
			gfn_t gfn = (v->hi2 > v->lo2 && (x & 1)) ?
				    v->lo2 + (x >> 1) % (v->hi2 - v->lo2) :
				    v->lo + (x >> 1) % (v->hi - v->lo);
			bool write = (double)(test_rand(&v->rng) >> 11) / (double)(1ULL << 53) <
				     v->write_ratio;
			struct ept_sim_tlbe *t = &v->tlb[gfn % EPT_SIM_TLB];

			if (load_acquire(&v->kick))
				break;
			if (!r11_bad && !ept_flush_vcpu_check(fl, v->id)) {
				r11_bad = true;
				if (v->c.r11_misses++ < 3)
					fprintf(stderr, "ept_sim: vCPU %d in the guest with an unkicked request\n",
						v->id);
			}
			if (t->valid && t->gfn == gfn && (!write || t->writable)) {
				ept_sim_use(v, t);
				continue;
			}
			if (!ept_sim_fill(v, gfn, write)) {
				fault = true;
				fault_gfn = gfn;
				fault_write = write;
				break;
			}
			ept_sim_use(v, t);
		}
		ept_flush_vcpu_exit(fl, v->id);
		v->c.exits++;
		if (xchg(&v->kick, 0))
			v->c.kicks++;
		ept_flush_vcpu_service(fl, v->id);
		if (fault) {
			struct ept_fault f = {
				.gpa = fault_gfn << PAGE_SHIFT,
				.access = EPT_ACC_READ | (fault_write ? EPT_ACC_WRITE : 0),
			};
			int r = ept_handle_fault(mmu, &f);

			v->c.faults++;
			v->c.fault_retries += f.retries;
			if (r >= 0 && r < 8)
				v->c.fault_ret[r]++;
		}
	}
	ept_flush_vcpu_exit(fl, v->id);
	if (v->root)
		ept_root_put(mmu, v->root);
	v->root = NULL;
	ept_mmu_cpu_unregister(mmu);
	return NULL;
}

u64 ept_sim_violations(struct ept_sim_vcpu *v, unsigned int n, const char *tag)
{
	struct ept_sim_counters s;
	u64 bad;

	memset(&s, 0, sizeof(s));
	for (unsigned int i = 0; i < n; i++) {
		s.entries += v[i].c.entries;
		s.kicks += v[i].c.kicks;
		s.flushes += v[i].c.flushes;
		s.uses += v[i].c.uses;
		s.fills += v[i].c.fills;
		s.faults += v[i].c.faults;
		s.uaf_uses += v[i].c.uaf_uses;
		s.stale_uses += v[i].c.stale_uses;
		s.r11_misses += v[i].c.r11_misses;
		s.walk_poison += v[i].c.walk_poison;
		for (int r = 0; r < 8; r++)
			s.fault_ret[r] += v[i].c.fault_ret[r];
	}
	bad = s.uaf_uses + s.stale_uses + s.r11_misses + s.walk_poison;
	printf("%s: vcpus %u entries %llu kicks %llu flushes %llu uses %llu fills %llu faults %llu"
	       " | uaf %llu stale %llu r11 %llu walk_poison %llu\n", tag, n,
	       s.entries, s.kicks,
	       s.flushes, s.uses,
	       s.fills, s.faults,
	       s.uaf_uses, s.stale_uses,
	       s.r11_misses, s.walk_poison);
	printf("%s: fault results fixed %llu spurious %llu retry %llu mmio %llu outside %llu"
	       " nomem %llu write_to_ro %llu\n", tag,
	       s.fault_ret[EPT_FAULT_FIXED],
	       s.fault_ret[EPT_FAULT_SPURIOUS],
	       s.fault_ret[EPT_FAULT_RETRY],
	       s.fault_ret[EPT_FAULT_MMIO],
	       s.fault_ret[EPT_FAULT_OUTSIDE],
	       s.fault_ret[EPT_FAULT_NOMEM],
	       s.fault_ret[EPT_FAULT_WRITE_TO_RO]);
	return bad;
}
