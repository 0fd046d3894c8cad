// SPDX-License-Identifier: MIT
/* The CPU watchdog (vmx/watchdog.h). */
#include "vmx/watchdog.h"

#include "arch/x86/cpu.h"
#include "arch/x86/tsc.h"
#include "lib/atomic.h"
#include "lib/platform.h"
#include "lib/printk.h"

/*
 * One record per CPU, in its own cache line: only its CPU writes the
 * heartbeat fields (WRITE_ONCE: tear-free for the watchers' READ_ONCE; a
 * watcher that reads a mix of an old and a new beat only delays or hastens
 * a report by one period, no ordering is needed), wakers write
 * @kicked_tsc, and the first watcher to report sets @reported (cmpxchg,
 * so a CPU is reported once).
 */
struct watchdog_cpu {
	u64 beats;
	u64 beat_tsc;
	u32 state;
	const char *vm;
	unsigned int vcpu;
	u64 kicked_tsc;		/* 0: no kick outstanding */
	u64 next_poll;		/* the owner's next look at the others */
	u32 reported;
} __cacheline_aligned;

static struct watchdog_cpu wd_cpus[HV_MAX_CPUS];


void watchdog_beat(enum watchdog_state st, const char *vm, unsigned int vcpu)
{
	struct watchdog_cpu *w = &wd_cpus[arch_cpu_id()];

	WRITE_ONCE(w->vm, vm);
	WRITE_ONCE(w->vcpu, vcpu);
	WRITE_ONCE(w->state, (u32)st);
	WRITE_ONCE(w->beat_tsc, rdtsc());
	WRITE_ONCE(w->beats, w->beats + 1);
	/*
	 * Awake, so any kick is answered.  A kick racing with this store is
	 * lost to the watchdog only: its IPI still ends the next HLT.
	 */
	if (READ_ONCE(w->kicked_tsc))
		WRITE_ONCE(w->kicked_tsc, 0);
}

void watchdog_kicked(unsigned int cpu)
{
	struct watchdog_cpu *w = &wd_cpus[cpu];
	u64 zero = 0;

	/* Only the oldest outstanding kick counts: keep the first stamp. */
	try_cmpxchg(&w->kicked_tsc, &zero, rdtsc());
}

bool watchdog_reported_self(void)
{
	return READ_ONCE(wd_cpus[arch_cpu_id()].reported);
}

static void watchdog_report(unsigned int cpu, const struct watchdog_cpu *w, u64 now,
			    const char *why, u64 since)
{
	u32 zero = 0;

	if (!try_cmpxchg(&wd_cpus[cpu].reported, &zero, 1))
		return;
	pr_plain("hv: watchdog: cpu%u lost: %s %llu ms ago; last: %s vm %s vcpu %u, %llu beats\n",
		 cpu, why, (tsc_ticks_to_ns(now - since) / 1000000),
		 READ_ONCE(w->state) == WD_IDLE ? "idle in" : "running", READ_ONCE(w->vm),
		 READ_ONCE(w->vcpu), READ_ONCE(w->beats));
}

void watchdog_poll(void)
{
	unsigned int self = arch_cpu_id(), n = arch_cpus_online();
	struct watchdog_cpu *me = &wd_cpus[self];
	u64 now = rdtsc(), lost = tsc_ns_to_ticks(WATCHDOG_LOST_NS);

	if (now < me->next_poll)
		return;
	me->next_poll = now + tsc_ns_to_ticks(WATCHDOG_PERIOD_NS);
	for (unsigned int cpu = 0; cpu < n; cpu++) {
		const struct watchdog_cpu *w = &wd_cpus[cpu];
		u64 beat = READ_ONCE(w->beat_tsc), kicked = READ_ONCE(w->kicked_tsc);

		if (cpu == self || READ_ONCE(w->reported))
			continue;
		if (READ_ONCE(w->state) == WD_RUNNING && now > beat && now - beat > lost)
			watchdog_report(cpu, w, now, "no heartbeat for", beat);
		else if (kicked && now > kicked && now - kicked > lost)
			watchdog_report(cpu, w, now, "did not wake from a kick sent", kicked);
	}
}
