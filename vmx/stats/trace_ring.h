/* SPDX-License-Identifier: MIT */
/*
 * A per-CPU ring of recent events (exits, injections, kicks, EPT flushes),
 * cheap enough to stay on: a writer fills one slot and bumps a counter.
 *
 * R19 (docs/locking.md).  One writer per ring, its own CPU, with interrupts
 * off (no nesting), never blocking.  A reader on any CPU takes a snapshot:
 * head h1 (acquire), copies the slots of events [h1 - N, h1), then reads
 * head h2 again.  Event n's slot is rewritten only by event n + N, which is
 * written after head reached n + N; so a copy the writer may have touched
 * has n + N <= h2, and the snapshot keeps only events n > h2 - N.  The
 * writer never waits for readers; a reader loses at most the events the
 * writer wrote over while it copied.  Portable: tests/host/test_stats.c.
 */
#ifndef VMX_STATS_TRACE_RING_H
#define VMX_STATS_TRACE_RING_H

#include "lib/atomic.h"
#include "lib/compiler.h"
#include "lib/mutate.h"

#define TRACE_RING_EVENTS	128	/* a power of two */

enum trace_kind {
	TRACE_EXIT = 1,		/* data: exit reason, arg: guest RIP */
	TRACE_INJECT,		/* data: VM-entry interruption information, arg: error code */
	TRACE_KICK,		/* data: the target's CPU; who: the target vCPU */
	TRACE_FLUSH,		/* data: INVEPT type, arg: EPTP (0 for a global flush) */
	TRACE_NKINDS,
};

/* Who an event is about: its kind, the VM's id and the vCPU's index. */
#define TRACE_WHO(kind, vm, vcpu)	((u32)(kind) | ((u32)(u8)(vm) << 8) | ((u32)(u16)(vcpu) << 16))
#define TRACE_WHO_KIND(w)		((w) & 0xff)
#define TRACE_WHO_VM(w)			(((w) >> 8) & 0xff)
#define TRACE_WHO_VCPU(w)		((w) >> 16)

/* An event's who and data as its slot holds them (who first: x86 is little-endian). */
#define TRACE_WHO_DATA(who, data)	((u32)(who) | (u64)(u32)(data) << 32)

struct trace_event {
	u64 tsc;
	union {
		struct {
			u32 who;	/* TRACE_WHO() */
			u32 data;
		};
		u64 who_data;	/* both, as TRACE_WHO_DATA() makes them: one store */
	};
	u64 arg;
	u64 unused;	/* never written: 32 bytes index with one shift */
};
BUILD_BUG_ON(sizeof(struct trace_event) != 32);

struct trace_ring {
	u64 head;	/* events written so far; event n is in ev[n % N] */
	struct trace_event ev[TRACE_RING_EVENTS];
};

/**
 * trace_ring_put_word() - record one event; the ring's own CPU, interrupts off.
 * @who_data: TRACE_WHO_DATA() of the event (the exit fast path keeps it so)
 */
static __always_inline void trace_ring_put_word(struct trace_ring *r, u64 tsc, u64 who_data,
						u64 arg)
{
	u64 n = r->head;
	struct trace_event *e = &r->ev[n & (TRACE_RING_EVENTS - 1)];

	/* The R19_TRACE_PUBLISH mutant publishes event n before it is written. */
	rule_mutant_step(R19_TRACE_PUBLISH, WRITE_ONCE(r->head, n + 1));
	/*
	 * R19: event n overwrites event n - N.  Its stores come after the
	 * store of head = n (the last event's publication), so a reader whose
	 * copy saw them reads head >= n afterwards and drops event n - N (it
	 * keeps only events > head - N).  Pairs with the smp_rmb() in
	 * trace_ring_snapshot().  (x86 keeps stores in order; this stops the
	 * compiler.)
	 */
	smp_wmb();
	/* Three plain stores (WRITE_ONCE: each exactly once, as written). */
	WRITE_ONCE(e->tsc, tsc);
	WRITE_ONCE(e->who_data, who_data);
	WRITE_ONCE(e->arg, arg);
	/* R19: publish after the slot is written; pairs with the reader's load_acquire. */
	rule_step(R19_TRACE_PUBLISH, store_release(&r->head, n + 1));
}

/* trace_ring_put_word() with who and data apart. */
static __always_inline void trace_ring_put(struct trace_ring *r, u64 tsc, u32 who, u32 data,
					   u64 arg)
{
	trace_ring_put_word(r, tsc, TRACE_WHO_DATA(who, data), arg);
}

/**
 * trace_ring_snapshot() - copy the ring's events that a writer did not
 * touch during the copy, oldest first.
 * @r:     the ring (its CPU may be writing)
 * @out:   TRACE_RING_EVENTS slots
 * @first: the number of the first event copied (events are numbered from 0)
 *
 * Return: how many events were copied (at most TRACE_RING_EVENTS - 1 while
 * the writer may be busy in the oldest slot).
 */
unsigned int trace_ring_snapshot(const struct trace_ring *r, struct trace_event *out, u64 *first);

/**
 * trace_event_describe() - one event as text, without who and when:
 * "exit 10 (CPUID) rip 0x100056", "inject vector 0x20 (external)".
 * @reason_name: the name of an exit reason (NULL: numbers only)
 */
void trace_event_describe(const struct trace_event *e, const char *(*reason_name)(u32 reason),
			  char *buf, size_t len);

#endif /* VMX_STATS_TRACE_RING_H */
