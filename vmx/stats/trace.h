/* SPDX-License-Identifier: MIT */
/*
 * The per-CPU event trace (vmx/stats/trace_ring.h for the ring and R19):
 * one ring per online CPU, allocated at boot unless the command line says
 * trace=off.  Writers record on their own CPU; the shell's "trace [CPU]"
 * reads any CPU's ring with trace_ring_snapshot().
 */
#ifndef VMX_STATS_TRACE_H
#define VMX_STATS_TRACE_H

#include "vmx/stats/trace_ring.h"

/* Allocate every online CPU's ring (nothing with trace=off); at boot, before any VM runs. */
void trace_init(bool on);

/* CPU @cpu's ring, NULL if tracing is off or @cpu has none. */
struct trace_ring *trace_ring_of(unsigned int cpu);

/*
 * trace_event() - record an event on this CPU's ring, from any context but
 * NMI (interrupts are held off for the write: R19 has one writer at a time).
 */
void trace_event(u32 who, u32 data, u64 arg);

#endif /* VMX_STATS_TRACE_H */
