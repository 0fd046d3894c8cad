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

/* An event's who and data in one word, as the ring's who_data[] holds them. */
#define TRACE_WHO_DATA(who, data)	((u32)(who) | (u64)(u32)(data) << 32)

/* One event as trace_ring_snapshot() hands it out. */
struct trace_event {
	u64 tsc;
	u32 who;	/* TRACE_WHO() */
	u32 data;
	u64 arg;
};

/*
 * The ring keeps each word of an event in an array of its own, so that the
 * writer addresses event n's three words as word[TRACE_W_* + n % N], with
 * the scale of a u64 and a constant: no multiplication (the exit fast path
 * writes one event per exit).  TRACE_W_WHO_DATA holds who and data as
 * TRACE_WHO_DATA() makes them.
 */
#define TRACE_W_TSC		0
#define TRACE_W_WHO_DATA	TRACE_RING_EVENTS
#define TRACE_W_ARG		(2 * TRACE_RING_EVENTS)

struct trace_ring {
	u64 word[3 * TRACE_RING_EVENTS];	/* at offset 0: no addition */
	u64 head;	/* events written so far; event n is at n % N */
};

/**
 * trace_ring_put_word() - record one event; the ring's own CPU, interrupts off.
 * @who_data: TRACE_WHO_DATA() of the event (the exit fast path keeps it so)
 */
static __always_inline void trace_ring_put_word(struct trace_ring *r, u64 tsc, u64 who_data,
						u64 arg)
{
	u64 n = r->head;
	u64 i = n & (TRACE_RING_EVENTS - 1);

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
	/*
	 * Three plain stores, each exactly once, as written (as WRITE_ONCE
	 * would), spelt out: each is one MOV with the index register scaled
	 * by 8 and the array's offset as displacement, which the compiler
	 * does not find by itself (it computes a second index).
	 */
	__asm__ __volatile__("movq %[tsc], %c[ot](%[w], %[i], 8)\n\t"
			     "movq %[wd], %c[ow](%[w], %[i], 8)\n\t"
			     "movq %[arg], %c[oa](%[w], %[i], 8)"
			     :
			     : [w] "r"(r->word), [i] "r"(i), [tsc] "r"(tsc), [wd] "r"(who_data),
			       [arg] "r"(arg), [ot] "i"(TRACE_W_TSC * 8),
			       [ow] "i"(TRACE_W_WHO_DATA * 8), [oa] "i"(TRACE_W_ARG * 8)
			     : "memory");
	/*
	 * R19: publish after the slot is written; pairs with the reader's
	 * load_acquire.  head = n + 1 as one ADD to memory: the writer is
	 * the only one to store head, so the ADD's load reads n, and its
	 * store is a release like every x86 store (lib/atomic.h); the
	 * "memory" clobber keeps the compiler from moving the slot's stores
	 * after it.  An aligned u64, so readers see n or n + 1, never a mix.
	 */
	rule_step(R19_TRACE_PUBLISH,
		  __asm__ __volatile__("addq $1, %0" : "+m"(r->head) : : "memory"));
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
