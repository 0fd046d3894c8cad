// SPDX-License-Identifier: MIT
/* Guest-triggered messages: once per port or MSR, rate-limited per VM (vmx/vm/vm_log.h). */
#include "vmx/vm/vm_log.h"

#include "lib/format.h"
#include "lib/platform.h"
#include "lib/printk.h"
#include "vmx/vcpu.h"

static const u32 msr_range_base[VM_LOG_MSR_RANGES] = { 0x00000000u, 0x40000000u,
						       0xc0000000u };

void vm_log_init(struct vm *vm)
{
	spin_lock_init(&vm->log.lock);
	vm->log.limit = (struct ratelimit)RATELIMIT_INIT(VM_LOG_INTERVAL_NS, VM_LOG_BURST);
}

/* Set bit @n of @map; true when it was clear.  Caller holds the log lock. */
static bool test_and_set(u8 *map, u32 n)
{
	u8 bit = (u8)(1u << (n % 8));
	bool was_clear = !(map[n / 8] & bit);

	map[n / 8] |= bit;
	return was_clear;
}

/* Count one access to @what in @tab; caller holds the log lock. */
static void count_access(struct vm_log_count *tab, unsigned int *n, u64 *uncounted, u32 what,
			 bool write)
{
	unsigned int i;

	for (i = 0; i < *n && tab[i].what != what; i++)
		;
	if (i == *n) {
		if (*n == VM_LOG_COUNTED) {
			(*uncounted)++;
			return;
		}
		tab[(*n)++] = (struct vm_log_count){ .what = what };
	}
	if (write)
		tab[i].writes++;
	else
		tab[i].reads++;
}

/* Index of the range of VM_LOG_MSR_SPAN that holds @msr, or -1. */
static int msr_range(u32 msr)
{
	for (int r = 0; r < VM_LOG_MSR_RANGES; r++)
		if (msr - msr_range_base[r] < VM_LOG_MSR_SPAN)
			return r;
	return -1;
}

bool vm_log_msr_tracked(u32 msr)
{
	return msr_range(msr) >= 0;
}

bool vm_log_first(struct vm *vm, enum vm_log_kind kind, u32 what, bool write)
{
	struct vm_log *l = &vm->log;
	int r = kind == VM_LOG_MSR ? msr_range(what) : 0;
	bool first;

	spin_lock(&l->lock);
	if (kind == VM_LOG_PORT) {
		count_access(l->ports, &l->nports, &l->ports_uncounted, what, write);
		first = test_and_set(l->port_seen, what & 0xffff);
	} else {
		count_access(l->msrs, &l->nmsrs, &l->msrs_uncounted, what, write);
		if (r < 0) {
			first = !l->msr_other;
			l->msr_other = true;
		} else {
			first = test_and_set(l->msr_seen[r], what - msr_range_base[r]);
		}
	}
	spin_unlock(&l->lock);
	return first;
}

void vm_guest_warn(struct vm *vm, const char *fmt, ...)
{
	char msg[PRINTK_LINE_MAX];
	u32 missed;
	bool allow;
	va_list ap;

	spin_lock(&vm->log.lock);
	allow = ratelimit_allow(&vm->log.limit, arch_time_ns(), &missed);
	spin_unlock(&vm->log.lock);
	if (missed)
		pr_warn("vm %s: %u guest-triggered messages suppressed\n", vm->cfg.name, missed);
	if (!allow)
		return;
	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pr_warn("%s", msg);
}

u64 vm_log_suppressed(struct vm *vm)
{
	u64 n;

	spin_lock(&vm->log.lock);
	n = vm->log.limit.suppressed_total;
	spin_unlock(&vm->log.lock);
	return n;
}

static void report_counts(struct vm *vm, const char *kind, const char *outcome,
			  const struct vm_log_count *tab, unsigned int n, u64 uncounted)
{
	for (unsigned int i = 0; i < n; i++)
		pr_plain("hv: vm %s %s %#x %s: %u reads, %u writes\n", vm->cfg.name, kind,
			 tab[i].what, outcome, tab[i].reads, tab[i].writes);
	if (uncounted)
		pr_plain("hv: vm %s %s: %llu more accesses to %ss beyond these %u\n", vm->cfg.name,
			 outcome, uncounted, kind, n);
}

void vm_log_report_unclaimed(struct vm *vm)
{
	/* Called once every vCPU is out: nothing adds to the tables any more. */
	report_counts(vm, "port", "had no device", vm->log.ports, vm->log.nports,
		      vm->log.ports_uncounted);
	report_counts(vm, "MSR", "refused with #GP", vm->log.msrs, vm->log.nmsrs,
		      vm->log.msrs_uncounted);
}
