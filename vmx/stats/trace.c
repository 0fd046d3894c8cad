// SPDX-License-Identifier: MIT
/* The per-CPU trace rings (vmx/stats/trace.h). */
#include "vmx/stats/trace.h"

#include "arch/x86/cpu.h"
#include "arch/x86/percpu.h"
#include "lib/platform.h"
#include "lib/printk.h"
#include "mm/heap.h"

/* Written once at boot before any VM runs (the launch IPIs order it for the APs). */
static struct trace_ring *trace_rings[HV_MAX_CPUS];

void trace_init(bool on)
{
	unsigned int n = 0;

	if (!on) {
		pr_info("trace: off (trace=off)\n");
		return;
	}
	for (unsigned int cpu = 0; cpu < HV_MAX_CPUS; cpu++) {
		struct percpu *pc = percpu_of(cpu);

		if (!pc || !pc->online)
			continue;
		trace_rings[cpu] = kzalloc(sizeof(struct trace_ring));
		if (!trace_rings[cpu]) {
			pr_warn("trace: no memory for cpu %u's ring: it is not traced\n", cpu);
			continue;
		}
		n++;
	}
	pr_info("trace: %u events per CPU on %u CPUs (trace=off turns it off)\n",
		TRACE_RING_EVENTS, n);
}

struct trace_ring *trace_ring_of(unsigned int cpu)
{
	return cpu < HV_MAX_CPUS ? trace_rings[cpu] : NULL;
}

void trace_event(u32 who, u32 data, u64 arg)
{
	struct trace_ring *r = trace_rings[arch_cpu_id()];
	unsigned long flags;

	if (!r)
		return;
	flags = arch_irq_save();	/* R19: one writer: no interrupt writes in between */
	trace_ring_put(r, rdtsc(), who, data, arg);
	arch_irq_restore(flags);
}
