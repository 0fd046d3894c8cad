// SPDX-License-Identifier: MIT
/*
 * Test aids of the debug build (vmx/debug/test_aids.h); the release build
 * links vmx/release/test_aids.c in their place.
 */
#include "vmx/debug/test_aids.h"

#include "arch/x86/cpu.h"
#include "lib/atomic.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/ept_mmu.h"
#include "vmx/vm/vm.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_ops.h"
#include "vmx/watchdog.h"
#include "vmx/stats/exit_stats.h"

/* debug=zap: the period between two splits or zaps. */
#define VCPU_ZAP_PERIOD		(2ull << 20)

/* debug=zap bookkeeping of each VM (its vCPU 0 zaps), by vm->id. */
static struct zap_state {
	u64 last;		/* TSC at the end of the last split or zap */
	u64 zaps;		/* splits and zaps done (odd: the next is a zap) */
	u64 zapped;		/* leaves the zaps removed */
	u64 max_ticks;		/* the longest split or zap */
} zap_state[HV_MAX_VMS];

const char hv_build_kind[] = "debug";
const char vm_test_aid_usage[] = ", debug=badstate|zap|hang";

static bool aid_is(const char *val, size_t n, const char *w)
{
	return strlen(w) == n && !memcmp(val, w, n);
}

bool vm_test_aid_parse(struct vm_config *cfg, const char *val, size_t n)
{
	if (aid_is(val, n, "badstate"))
		cfg->debug_badstate = true;
	else if (aid_is(val, n, "zap"))
		cfg->debug_zap = true;
	else if (aid_is(val, n, "hang"))
		cfg->debug_hang = true;
	else
		return false;
	return true;
}

void vcpu_test_aids_setup(struct vcpu *v)
{
	if (v->vm->cfg.debug_zap && v->id == 0)
		memset(&zap_state[v->vm->id], 0, sizeof(zap_state[0]));	/* a (re)started VM */
	if (v->vm->cfg.debug_badstate && v->id == 0) {
		pr_warn("vm %s: debug=badstate: entering with an unusable TR on purpose\n",
			v->vm->cfg.name);
		vmcs_write(VMCS_GUEST_TR_AR, 0x10000);
	}
}

void vcpu_test_aids_running(struct vcpu *v)
{
	if (v->vm->cfg.debug_hang && v->id == 0) {
		/* This CPU goes silent with interrupts off until the watchdog tells. */
		pr_warn("vm %s: debug=hang: cpu%u stops answering on purpose\n", v->vm->cfg.name,
			arch_cpu_id());
		while (!watchdog_reported_self())
			cpu_relax();
		watchdog_beat(WD_RUNNING, v->vm->cfg.name, v->id);
	}
}

/*
 * debug=zap: alternately split every huge EPT leaf of the VM down to 4 KiB
 * and remove every mapping, while its vCPUs run.  The zap requests a flush
 * of every vCPU (kicks, INVEPT, acknowledgements) and retires the emptied
 * 4 KiB tables through EBR, whose grace period waits for those
 * acknowledgements (R4): the whole remote-flush protocol on real VMX.  The
 * guest only sees extra EPT faults.
 */
void vcpu_test_aids_exit(struct vcpu *v)
{
	struct zap_state *z;
	u64 now, gfns;

	if (likely(!v->vm->cfg.debug_zap) || v->id != 0)
		return;
	z = &zap_state[v->vm->id];
	now = rdtsc();
	gfns = v->vm->mem_size >> PAGE_SHIFT;
	if (now - z->last < VCPU_ZAP_PERIOD)
		return;
	if (z->zaps & 1) {
		z->zapped += ept_zap_range(v->vm->mmu, 0, gfns);
	} else if (ept_split_range(v->vm->mmu, 0, gfns, EPT_LEVEL_4K) < 0) {
		pr_warn("vm %s debug=zap: split ran out of table pages\n", v->vm->cfg.name);
	}
	z->zaps++;
	z->last = rdtsc();
	z->max_ticks = MAX(z->max_ticks, z->last - now);
}

void vcpu_test_aids_report(struct vcpu *v)
{
	struct vm *vm = v->vm;
	const struct zap_state *z = &zap_state[vm->id];
	struct ept_mmu_stats st;

	if (!vm->cfg.debug_zap || v->id != 0)
		return;
	ept_mmu_stats_read(vm->mmu, &st);
	pr_plain("hv: vm %s debug=zap: %llu splits and zaps (longest %llu TSC ticks) "
		 "removed %llu leaves; huge leaves split %llu, tables removed %llu, EPT flush "
		 "requests %llu\n", vm->cfg.name, z->zaps, z->max_ticks, z->zapped, st.splits,
		 st.tables_removed, st.flushes);
	for (unsigned int i = 0; i < vm->nvcpus; i++) {
		const struct ept_flush_vcpu *fv = &vm->mmu->flush.vcpu[vm->vcpus[i]->flush_id];

		pr_plain("hv: vm %s debug=zap: vcpu %u kicked %llu times, acknowledged %llu "
			 "flushes, %llu interrupt exits, %llu EPT violations\n", vm->cfg.name, i,
			 READ_ONCE(fv->kicks),
			 READ_ONCE(fv->acks),
			 exit_stats_count(vm->vcpus[i]->stats,
							      EXIT_REASON_EXT_INTR),
			 exit_stats_count(vm->vcpus[i]->stats,
							      EXIT_REASON_EPT_VIOLATION));
	}
}
