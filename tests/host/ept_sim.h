/* SPDX-License-Identifier: MIT */
/*
 * Hosted simulation of the EPT hardware interface (mm/ept_flush.h): vCPU
 * threads with a private translation cache (a TLB that also remembers the
 * table page each translation was read from), INVEPT = drop the cache,
 * kick = a flag the vCPU polls while "in the guest".
 *
 * Detectors (counters that tests require to stay 0):
 *   uaf_uses    a cached translation whose table page is poisoned, i.e. the
 *               page was freed before this vCPU acknowledged a flush (R4)
 *   stale_uses  a cached frame that no longer matches the memory map while
 *               no flush is pending for this vCPU (missing flush, R4/R9)
 *   r11_misses  the vCPU is in the guest while a requester decided not to
 *               kick it for a request it did not see at entry (R11)
 *   walk_poison the simulated hardware walk met a poisoned entry
 */
#ifndef TESTS_HOST_EPT_SIM_H
#define TESTS_HOST_EPT_SIM_H

#include "mm/ept_mmu.h"

#define EPT_SIM_TLB	64

struct ept_sim_tlbe {
	gfn_t gfn;
	pfn_t pfn;
	u64 __ept *table;	/* table page holding the leaf */
	u32 idx;
	bool writable;
	bool valid;
};

struct ept_sim_counters {
	u64 entries, exits, kicks, flushes, uses, fills, faults, fault_retries;
	u64 uaf_uses, stale_uses, r11_misses, walk_poison;
	u64 fault_ret[8];
};

struct ept_sim_vcpu {
	struct vm_mmu *mmu;
	int id;				/* index in mmu->flush */
	u32 kick;			/* "IPI" pending */
	gfn_t lo, hi;			/* gfns it touches: [lo, hi) ... */
	gfn_t lo2, hi2;			/* ... and, half the time, [lo2, hi2) if set */
	double write_ratio;
	u64 rng;
	struct ept_root *root;		/* its EPTP reference (R7) */
	struct ept_sim_tlbe tlb[EPT_SIM_TLB];
	struct ept_sim_counters c;
	bool *stop;
};

/* The flush ops to pass in struct ept_mmu_config. */
extern const struct ept_flush_ops ept_sim_flush_ops;

/* Register @v with @mmu's flush state; returns 0 or -1. */
int ept_sim_vcpu_init(struct ept_sim_vcpu *v, struct vm_mmu *mmu, gfn_t lo, gfn_t hi,
		      double write_ratio, u64 seed, bool *stop);
/* Thread body: run guest slices until *stop (arg: struct ept_sim_vcpu *). */
void *ept_sim_vcpu_thread(void *arg);
/* Sum of detector counters of @n vCPUs (and print a one-line summary). */
u64 ept_sim_violations(struct ept_sim_vcpu *v, unsigned int n, const char *tag);

#endif /* TESTS_HOST_EPT_SIM_H */
