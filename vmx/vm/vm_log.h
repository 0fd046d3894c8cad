/* SPDX-License-Identifier: MIT */
/*
 * Messages a guest can trigger (a port without a device, an unknown MSR,
 * an IPI hv does not emulate): logged once per port or MSR, and through a
 * per-VM rate limit, so no guest can flood the console.  A serial line at
 * 115200 baud spends about 8 ms on a line; VM_LOG_BURST lines per
 * VM_LOG_INTERVAL_NS keep one VM to a small share of it, and the refused
 * lines are counted and reported ("N messages suppressed").
 */
#ifndef VMX_VM_LOG_H
#define VMX_VM_LOG_H

#include "lib/compiler.h"
#include "lib/ratelimit.h"
#include "lib/spinlock.h"

#define VM_LOG_BURST		10
#define VM_LOG_INTERVAL_NS	(5ull * 1000 * 1000 * 1000)

/* The MSR ranges in which every number is remembered (SDM vol. 4: the
 * architectural and model-specific MSRs, the hypervisor range, AMD64's). */
#define VM_LOG_MSR_RANGES	3
#define VM_LOG_MSR_SPAN		0x2000u

/**
 * struct vm_log - one VM's guest-triggered logging state.
 * @lock:        serialises everything below; taken from any of the VM's vCPUs
 * @limit:       the rate limit of guest-triggered lines
 * @port_seen:   one bit per I/O port already reported
 * @msr_seen:    one bit per MSR already reported, per range of VM_LOG_MSR_SPAN
 * @msr_other:   an MSR outside those ranges was reported (they are all
 *               reserved: the first one stands for the rest)
 */
#define VM_LOG_COUNTED	16	/* ports and MSRs counted one by one for the report */

/* Accesses to one port or MSR that no device or emulation answered. */
struct vm_log_count {
	u32 what;
	u32 reads, writes;
};

struct vm_log {
	spinlock_t lock;
	struct ratelimit limit;
	u8 port_seen[0x10000 / 8];
	u8 msr_seen[VM_LOG_MSR_RANGES][VM_LOG_MSR_SPAN / 8];
	bool msr_other;
	struct vm_log_count ports[VM_LOG_COUNTED], msrs[VM_LOG_COUNTED];
	unsigned int nports, nmsrs;
	u64 ports_uncounted, msrs_uncounted;	/* accesses beyond the tables */
};

struct vm;

void vm_log_init(struct vm *vm);

/*
 * True the first time @port is reported on @vm; false ever after.  Every
 * call also counts the access (@write or a read) for the stop report.
 */
bool vm_log_port_first(struct vm *vm, u16 port, bool write);

/*
 * True the first time @msr is reported on @vm.  An MSR outside the ranges
 * counts as seen once any MSR outside them was: *@other tells the caller
 * to say so in its line.
 */
bool vm_log_msr_first(struct vm *vm, u32 msr, bool write, bool *other);

/*
 * For the stop report: "hv: vm NAME port 0x2e9 had no device: N reads, N
 * writes", "hv: vm NAME MSR 0x4d0 refused with #GP: ...", so a person sees
 * what a guest wanted that hv does not offer.
 */
void vm_log_report_unclaimed(struct vm *vm);

/* A guest-triggered warning: printed unless @vm is over its rate limit. */
void vm_guest_warn(struct vm *vm, const char *fmt, ...) __printf(2, 3);

/* For the stop report: how many guest-triggered lines were suppressed. */
u64 vm_log_suppressed(struct vm *vm);

#endif /* VMX_VM_LOG_H */
