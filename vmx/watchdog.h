/* SPDX-License-Identifier: MIT */
/*
 * The CPU watchdog: every CPU that runs a vCPU beats a heartbeat at each
 * pass through its run loop and says what it is doing; the other CPUs look
 * at each other's heartbeats and report a CPU that stopped beating while
 * it should run, or that was kicked and never woke, with what it was last
 * doing.  A lost CPU is found while it happens, not only by the ping after
 * all VMs stopped (smp_check_cpus_answer()).
 *
 * A vCPU's loop passes through the slow path at least once per
 * preemption-timer slice, and an idle vCPU's CPU wakes at least once per
 * WATCHDOG_PERIOD_NS to look at the others, so as long as one CPU runs a
 * vCPU, every other one is watched.
 */
#ifndef VMX_WATCHDOG_H
#define VMX_WATCHDOG_H

#include "lib/compiler.h"

/* A CPU silent this long while it should run is reported. */
#define WATCHDOG_LOST_NS	(2000ull * 1000 * 1000)
/* How often a CPU looks at the others (at most). */
#define WATCHDOG_PERIOD_NS	(500ull * 1000 * 1000)

enum watchdog_state {
	WD_OFF,			/* nothing expected of this CPU */
	WD_RUNNING,		/* runs a vCPU: must beat */
	WD_IDLE,		/* its vCPU idles: beats only when woken */
};

/* The calling CPU's heartbeat: what it does now (@vm, @vcpu for the report). */
void watchdog_beat(enum watchdog_state st, const char *vm, unsigned int vcpu);

/* A waker kicked @cpu: it must wake within WATCHDOG_LOST_NS. */
void watchdog_kicked(unsigned int cpu);

/* Look at the other CPUs (rate-limited to WATCHDOG_PERIOD_NS per CPU). */
void watchdog_poll(void);

/* True once the calling CPU was reported lost (debug=hang ends then). */
bool watchdog_reported_self(void);

#endif /* VMX_WATCHDOG_H */
