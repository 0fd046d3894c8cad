// SPDX-License-Identifier: MIT
/*
 * The virtual local APIC's timer (vmx/dev/vlapic.h): one-shot, periodic
 * and TSC-deadline modes, computed from the guest's TSC.
 *
 * Count modes keep no ticking counter.  A count of timer_cur0 at guest TSC
 * timer_start, and the divider, give every later count exactly:
 *
 *   q = floor((now - timer_start) * timer_hz / (div * tsc_hz))   counts elapsed
 *   current = timer_cur0 - q                  while q < timer_cur0
 *           = N - (q - timer_cur0) % N        after that, periodic (N = initial count)
 *           = 0                               after that, one-shot
 *
 * Expiry k (k = 0, 1, ...) happens when q reaches timer_cur0 + k * N, at
 * the first TSC value where it does: timer_start + ceil(counts * div *
 * tsc_hz / timer_hz).  The products go through lib/muldiv.h, so nothing
 * overflows before the TSC itself would (centuries at GHz rates).  Writing
 * the initial count restarts from it; changing the divider re-bases
 * (timer_start = now, timer_cur0 = the current count), so the count goes
 * on from where it was at the new rate.
 */
#include "vmx/dev/vlapic_impl.h"

#include "lib/muldiv.h"

/* DCR bits 3 and 1:0 as a 3-bit code: 000 -> 2, 001 -> 4, ... 110 -> 128, 111 -> 1. */
static u32 dcr_divider(u32 dcr)
{
	u32 code = (dcr & 3) | ((dcr >> 1) & 4);

	return code == 7 ? 1 : 2u << code;
}

static u8 lvt_timer_mode(u32 lvt)
{
	return (u8)((lvt & APIC_LVT_TIMER_MASK) >> APIC_LVT_TIMER_SHIFT);
}

static u64 now_tsc(const struct vlapic *v)
{
	return v->cfg.ops->now(v->cfg.ctx);
}

/* Guest-TSC ticks until @counts more counts have elapsed, rounded up. */
static u64 counts_to_tsc(const struct vlapic *v, u64 counts)
{
	return mul_u64_div_u64_up(counts, v->timer_div * v->cfg.tsc_hz, v->cfg.timer_hz);
}

/* Whole counts (after the divider) from timer_start to @now. */
static u64 counts_elapsed(const struct vlapic *v, u64 now)
{
	if (now <= v->timer_start)
		return 0;
	return mul_u64_div_u64(now - v->timer_start, v->cfg.timer_hz,
			       v->timer_div * v->cfg.tsc_hz);
}

/* Arm a count-mode timer: @count counts from @now. */
static void arm_counts(struct vlapic *v, u64 now, u32 count)
{
	v->timer_start = now;
	v->timer_cur0 = count;
	v->timer_deadline = now + counts_to_tsc(v, count);
	if (!v->timer_deadline)
		v->timer_deadline = 1;		/* 0 means "not armed" */
}

void vlapic_timer_reset_locked(struct vlapic *v)
{
	v->timer_mode = APIC_TIMER_ONESHOT;
	v->timer_div = dcr_divider(0);
	v->timer_start = 0;
	v->timer_cur0 = 0;
	v->timer_deadline = 0;
	v->tsc_deadline = 0;
}

u32 vlapic_timer_ccr_locked(struct vlapic *v, u64 now)
{
	u32 n = vlapic_reg(v, APIC_TIMER_ICR);
	u64 q;

	if (v->timer_mode == APIC_TIMER_TSC_DEADLINE || !v->timer_deadline)
		return 0;
	q = counts_elapsed(v, now);
	if (q < v->timer_cur0)
		return (u32)(v->timer_cur0 - q);
	if (v->timer_mode != APIC_TIMER_PERIODIC || !n)
		return 0;
	return (u32)(n - (q - v->timer_cur0) % n);
}

bool vlapic_timer_fire_locked(struct vlapic *v, u64 now, struct vlapic_defer *d)
{
	u32 n = vlapic_reg(v, APIC_TIMER_ICR);
	u64 q, next;

	if (!v->timer_deadline || now < v->timer_deadline)
		return false;
	vlapic_lvt_fire_locked(v, VLAPIC_LVT_TIMER, d);
	if (v->timer_mode == APIC_TIMER_TSC_DEADLINE) {
		/* It disarms itself and clears IA32_TSC_DEADLINE (SDM 10.5.4.1). */
		v->timer_deadline = 0;
		v->tsc_deadline = 0;
		return true;
	}
	if (v->timer_mode != APIC_TIMER_PERIODIC || !n) {
		v->timer_deadline = 0;		/* one-shot: the count stays at 0 */
		return true;
	}
	/* The first period boundary after @now; the ones missed coalesce. */
	q = counts_elapsed(v, now);
	next = v->timer_cur0 + ((q - v->timer_cur0) / n + 1) * (u64)n;
	v->timer_deadline = v->timer_start + counts_to_tsc(v, next);
	return true;
}

void vlapic_timer_catch_up_locked(struct vlapic *v, struct vlapic_defer *d)
{
	if (v->timer_deadline)
		vlapic_timer_fire_locked(v, now_tsc(v), d);
}

void vlapic_timer_lvt_written_locked(struct vlapic *v, u32 lvt)
{
	u8 old = v->timer_mode;

	v->timer_mode = lvt_timer_mode(lvt);
	/* Moving into or out of TSC-deadline mode disarms the timer (SDM 10.5.4.1). */
	if ((old == APIC_TIMER_TSC_DEADLINE) != (v->timer_mode == APIC_TIMER_TSC_DEADLINE)) {
		v->timer_deadline = 0;
		v->tsc_deadline = 0;
		v->timer_cur0 = 0;
		vlapic_set_reg(v, APIC_TIMER_ICR, 0);
	}
}

void vlapic_timer_write_icr_locked(struct vlapic *v, u32 val)
{
	/* TSC-deadline mode ignores the initial count. */
	if (v->timer_mode == APIC_TIMER_TSC_DEADLINE)
		return;
	vlapic_set_reg(v, APIC_TIMER_ICR, val);
	if (!val) {
		/* A write of 0 stops the timer in both count modes. */
		v->timer_deadline = 0;
		v->timer_cur0 = 0;
		return;
	}
	arm_counts(v, now_tsc(v), val);
}

void vlapic_timer_write_dcr_locked(struct vlapic *v, u32 val)
{
	u32 div = dcr_divider(val & APIC_DCR_MASK);
	u64 now;
	u32 cur;

	vlapic_set_reg(v, APIC_TIMER_DCR, val & APIC_DCR_MASK);
	if (div == v->timer_div)
		return;
	if (v->timer_mode == APIC_TIMER_TSC_DEADLINE || !v->timer_deadline) {
		v->timer_div = div;
		return;
	}
	/* Running: go on from the current count at the new rate. */
	now = now_tsc(v);
	cur = vlapic_timer_ccr_locked(v, now);
	v->timer_div = div;
	if (cur)
		arm_counts(v, now, cur);
}

/* ------------------------------------------------------- public entry points */

u64 vlapic_timer_next(struct vlapic *v)
{
	unsigned long flags = spin_lock_irqsave(&v->lock);
	u64 next = v->timer_deadline;

	spin_unlock_irqrestore(&v->lock, flags);
	return next;
}

bool vlapic_timer_fire(struct vlapic *v, u64 now)
{
	struct vlapic_defer d;
	unsigned long flags = vlapic_lock_defer(v, &d);
	bool fired = vlapic_timer_fire_locked(v, now, &d);

	vlapic_unlock_run(v, flags, &d);
	return fired;
}

u64 vlapic_tsc_deadline_read(struct vlapic *v)
{
	unsigned long flags = spin_lock_irqsave(&v->lock);
	u64 val = v->timer_mode == APIC_TIMER_TSC_DEADLINE ? v->tsc_deadline : 0;

	spin_unlock_irqrestore(&v->lock, flags);
	return val;
}

void vlapic_tsc_deadline_write(struct vlapic *v, u64 val)
{
	struct vlapic_defer d;
	unsigned long flags = vlapic_lock_defer(v, &d);

	/* In the other modes the MSR reads 0 and writes are ignored. */
	if (v->cfg.tsc_deadline && v->timer_mode == APIC_TIMER_TSC_DEADLINE) {
		v->tsc_deadline = val;
		v->timer_deadline = val;	/* 0 disarms */
		if (val)
			vlapic_timer_fire_locked(v, now_tsc(v), &d);	/* already past: now */
	}
	vlapic_unlock_run(v, flags, &d);
}
