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

/* What vm_log_first() is told about: a port without a device, a refused MSR. */
enum vm_log_kind {
	VM_LOG_PORT,
	VM_LOG_MSR,
};

/**
 * vm_log_first() - note an access nothing answered; say whether to log it.
 * @vm:    the VM
 * @kind:  a port (@what < 0x10000) or an MSR
 * @what:  the port or MSR number
 * @write: a write, else a read (counted for the stop report)
 *
 * Return: true the first time @what of @kind is reported on @vm, false ever
 * after.  The MSRs outside the VM_LOG_MSR_RANGES count as one: the first of
 * them is reported (vm_log_msr_tracked() tells the caller to say so).
 */
bool vm_log_first(struct vm *vm, enum vm_log_kind kind, u32 what, bool write);

/* True when @msr lies in one of the ranges whose MSRs are logged one by one. */
bool vm_log_msr_tracked(u32 msr);

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
