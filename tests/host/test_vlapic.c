// SPDX-License-Identifier: MIT
/*
 * vmx/dev/vlapic.c, vlapic_timer.c and apic_route.c: every register's
 * read/write/reserved behaviour in xAPIC (MMIO) and x2APIC (MSR) form,
 * IA32_APIC_BASE transitions and their #GP cases, priorities (TPR, PPR,
 * APR, nested interrupts and EOI order), IRR/ISR/TMR and the EOI
 * broadcast, ESR, software disable, the timer in one-shot, periodic and
 * TSC-deadline modes on a fake clock, ICR decoding for every delivery mode
 * and shorthand, destination matching (physical, logical flat and cluster,
 * x2APIC), lowest-priority arbitration, LINT pins, APIC-write exits.
 */
#include "vmx/dev/apic_route.h"
#include "vmx/dev/vlapic.h"
#include "vmx/dev/platform.h"
#include "tests/host/harness.h"

#include <string.h>

#define NCPU	4
#define TSC_HZ	1000000000ull		/* 1 tick per ns */
#define TMR_HZ	25000000ull		/* 40 TSC ticks per APIC timer tick */

/* What the callbacks saw, per vCPU. */
struct fake_cpu {
	struct vlapic *v;
	unsigned int kicks;
	unsigned int nsent;
	struct apic_msg sent[16];
	unsigned int neoi;
	u8 eoi[16];
	unsigned int nev;
	struct {
		u8 delivery, vector;
	} ev[16];
	bool route;		/* send through apic_route() over cpus[] */
};

static struct fake_cpu cpus[NCPU];
static struct vlapic *lapics[NCPU];
static u64 clock_now;

static u64 f_now(void *ctx __unused)
{
	return clock_now;
}

static unsigned int f_send(void *ctx, const struct apic_msg *m)
{
	struct fake_cpu *c = ctx;

	c->sent[c->nsent % ARRAY_SIZE(c->sent)] = *m;
	c->nsent++;
	return c->route ? apic_route(lapics, NCPU, m) : 0;
}

static void f_eoi(void *ctx, u8 vector)
{
	struct fake_cpu *c = ctx;

	if (c->neoi < ARRAY_SIZE(c->eoi))
		c->eoi[c->neoi] = vector;
	c->neoi++;
}

static void f_kick(void *ctx)
{
	((struct fake_cpu *)ctx)->kicks++;
}

static void f_event(void *ctx, u8 delivery, u8 vector)
{
	struct fake_cpu *c = ctx;

	if (c->nev < ARRAY_SIZE(c->ev)) {
		c->ev[c->nev].delivery = delivery;
		c->ev[c->nev].vector = vector;
	}
	c->nev++;
}

static const struct vlapic_ops fops = { f_now, f_send, f_eoi, f_kick, f_event };

/* A fresh vlapic with APIC id @id in slot @id % NCPU, callbacks cleared. */
static struct vlapic *make(unsigned int id, bool x2apic, bool eoi_suppress, u64 tsc_hz,
			   u64 timer_hz)
{
	struct fake_cpu *c = &cpus[id % NCPU];
	struct vlapic_config cfg = {
		.id = id, .bsp = id == 0, .phys_bits = 39, .x2apic = x2apic,
		.tsc_deadline = true, .eoi_suppress = eoi_suppress,
		.tsc_hz = tsc_hz, .timer_hz = timer_hz, .ops = &fops, .ctx = c,
	};

	vlapic_destroy(c->v);
	memset(c, 0, sizeof(*c));
	c->v = vlapic_create(&cfg);
	lapics[id % NCPU] = c->v;
	CHECK(c->v);
	return c->v;
}

static u32 rd(struct vlapic *v, u32 off)
{
	return (u32)vlapic_mmio_read(v, off, 4);
}

static void wr(struct vlapic *v, u32 off, u32 val)
{
	vlapic_mmio_write(v, off, 4, val);
}

static u64 rdmsr(struct vlapic *v, u32 off)
{
	u64 val = 0xdeadull;

	CHECK_EQ(vlapic_msr_read(v, X2APIC_MSR(off), &val), VLAPIC_OK);
	return val;
}

static int wrmsr(struct vlapic *v, u32 off, u64 val)
{
	return vlapic_msr_write(v, X2APIC_MSR(off), val);
}

/* Write then read the ESR, as software does. */
static u32 esr(struct vlapic *v)
{
	if (vlapic_mode(v) == VLAPIC_X2APIC) {
		CHECK_EQ(wrmsr(v, APIC_ESR, 0), VLAPIC_OK);
		return (u32)rdmsr(v, APIC_ESR);
	}
	wr(v, APIC_ESR, 0);
	return rd(v, APIC_ESR);
}

static bool irr(struct vlapic *v, u8 vec)
{
	return rd(v, APIC_VEC_REG(APIC_IRR, vec)) & APIC_VEC_BIT(vec);
}

static bool isr(struct vlapic *v, u8 vec)
{
	return rd(v, APIC_VEC_REG(APIC_ISR, vec)) & APIC_VEC_BIT(vec);
}

static bool tmr(struct vlapic *v, u8 vec)
{
	return rd(v, APIC_VEC_REG(APIC_TMR, vec)) & APIC_VEC_BIT(vec);
}

static void sw_enable(struct vlapic *v)
{
	wr(v, APIC_SVR, APIC_SVR_ENABLE | 0xff);
}

static void to_x2apic(struct vlapic *v)
{
	CHECK_EQ(vlapic_base_write(v, PLAT_LAPIC_BASE | APIC_BASE_EN | APIC_BASE_EXTD),
		 VLAPIC_REMAP);
	CHECK_EQ(vlapic_mode(v), VLAPIC_X2APIC);
}

static bool vec_empty(struct vlapic *v)
{
	for (u32 i = 0; i < 8; i++)
		if (rd(v, APIC_IRR + i * 16) || rd(v, APIC_ISR + i * 16))
			return false;
	return true;
}

/* Inject everything deliverable, highest first, as the VT-x side would; returns the order. */
static unsigned int drain(struct vlapic *v, u8 *order, unsigned int max)
{
	unsigned int n = 0;
	int vec;

	while ((vec = vlapic_highest_pending(v)) >= 0 && n < max) {
		CHECK(vlapic_ack(v, (u8)vec));
		order[n++] = (u8)vec;
	}
	return n;
}

/* Take and retire everything, TPR permitting, until IRR and ISR are empty. */
static void settle(struct vlapic *v)
{
	u8 order[16];

	for (unsigned int guard = 0; guard < 300; guard++) {
		drain(v, order, 16);
		if (vec_empty(v))
			return;
		wr(v, APIC_EOI, 0);
	}
	CHECK(!"settle: interrupts left");
}

/* ------------------------------------------------------------------ */

static void test_reset_state(void)
{
	struct vlapic *v = make(0, true, true, TSC_HZ, TMR_HZ);
	struct vlapic *w = make(1, true, false, TSC_HZ, TMR_HZ);

	CHECK_EQ(vlapic_mode(v), VLAPIC_XAPIC);
	CHECK_EQ(vlapic_base_read(v), PLAT_LAPIC_BASE | APIC_BASE_EN | APIC_BASE_BSP);
	CHECK_EQ(vlapic_base_read(w), PLAT_LAPIC_BASE | APIC_BASE_EN);
	CHECK_EQ(vlapic_mmio_base(v), PLAT_LAPIC_BASE);
	CHECK_EQ(rd(w, APIC_ID), 1u << 24);
	CHECK_EQ(rd(v, APIC_VERSION), 0x14u | 6u << 16 | 1u << 24);
	CHECK_EQ(rd(w, APIC_VERSION), 0x14u | 6u << 16);
	CHECK_EQ(rd(v, APIC_TPR), 0);
	CHECK_EQ(rd(v, APIC_PPR), 0);
	CHECK_EQ(rd(v, APIC_LDR), 0);
	CHECK_EQ(rd(v, APIC_DFR), 0xffffffffu);
	CHECK_EQ(rd(v, APIC_SVR), 0xff);
	for (u32 off = APIC_LVT_TIMER; off <= APIC_LVT_ERROR; off += 0x10)
		CHECK_EQ(rd(v, off), APIC_LVT_MASKED);
	CHECK_EQ(rd(v, APIC_LVT_CMCI), APIC_LVT_MASKED);
	CHECK_EQ(rd(v, APIC_TIMER_ICR), 0);
	CHECK_EQ(rd(v, APIC_TIMER_CCR), 0);
	CHECK_EQ(rd(v, APIC_TIMER_DCR), 0);
	CHECK_EQ(vlapic_timer_next(v), 0);
	CHECK(!vlapic_sw_enabled(v));
	CHECK(vlapic_page(v) && ((uintptr_t)vlapic_page(v) & 0xfff) == 0);
	/* The page is the register file, xAPIC layout. */
	CHECK_EQ(((u32 *)vlapic_page(v))[APIC_VERSION / 4], rd(v, APIC_VERSION));
	CHECK_EQ(((u32 *)vlapic_page(w))[APIC_ID / 4], 1u << 24);
}

static void test_xapic_registers(void)
{
	struct vlapic *v = make(0, true, true, TSC_HZ, TMR_HZ);
	struct vlapic *w = make(1, true, false, TSC_HZ, TMR_HZ);

	/* ID: bits 31:24 writable. */
	wr(v, APIC_ID, 0x5a123456);
	CHECK_EQ(rd(v, APIC_ID), 0x5a000000u);
	CHECK(vlapic_match_dest(v, 0x5a, false, false));
	CHECK(!vlapic_match_dest(v, 0, false, false));
	wr(v, APIC_ID, 0);
	/* Version: read-only. */
	wr(v, APIC_VERSION, 0);
	CHECK_EQ(rd(v, APIC_VERSION), 0x14u | 6u << 16 | 1u << 24);
	/* TPR: 8 bits. */
	wr(v, APIC_TPR, 0xfffff1e2);
	CHECK_EQ(rd(v, APIC_TPR), 0xe2);
	CHECK_EQ(vlapic_tpr_read(v), 0xe2);
	CHECK_EQ(rd(v, APIC_PPR), 0xe2);
	wr(v, APIC_PPR, 0);			/* read-only */
	CHECK_EQ(rd(v, APIC_PPR), 0xe2);
	vlapic_tpr_write(v, 0x30);		/* CR8 = 3 */
	CHECK_EQ(rd(v, APIC_TPR), 0x30);
	wr(v, APIC_TPR, 0);
	/* LDR: bits 31:24.  DFR: model bits, the rest ones. */
	wr(v, APIC_LDR, 0x12345678);
	CHECK_EQ(rd(v, APIC_LDR), 0x12000000u);
	wr(v, APIC_DFR, 0x01234567);
	CHECK_EQ(rd(v, APIC_DFR), 0x0fffffffu);
	wr(v, APIC_DFR, 0xffffffff);
	CHECK_EQ(rd(v, APIC_DFR), 0xffffffffu);
	/* SVR: vector, enable, EOI suppression only where advertised; bit 9 reserved. */
	wr(v, APIC_SVR, 0xffffffff);
	CHECK_EQ(rd(v, APIC_SVR), 0x11ffu);
	wr(w, APIC_SVR, 0xffffffff);
	CHECK_EQ(rd(w, APIC_SVR), 0x1ffu);
	/* LVT writable bits, entry by entry. */
	wr(v, APIC_LVT_TIMER, 0xffffffff);
	CHECK_EQ(rd(v, APIC_LVT_TIMER), 0x700ffu);
	wr(v, APIC_LVT_TIMER, 0);
	wr(v, APIC_LVT_THERMAL, 0xffffffff);
	CHECK_EQ(rd(v, APIC_LVT_THERMAL), 0x107ffu);
	wr(v, APIC_LVT_PERF, 0xffffffff);
	CHECK_EQ(rd(v, APIC_LVT_PERF), 0x107ffu);
	wr(v, APIC_LVT_CMCI, 0xffffffff);
	CHECK_EQ(rd(v, APIC_LVT_CMCI), 0x107ffu);
	wr(v, APIC_LVT_LINT0, 0xffffffff);
	CHECK_EQ(rd(v, APIC_LVT_LINT0), 0x1a7ffu);	/* no delivery status, no remote IRR */
	wr(v, APIC_LVT_LINT1, 0xffffffff);
	CHECK_EQ(rd(v, APIC_LVT_LINT1), 0x1a7ffu);
	wr(v, APIC_LVT_ERROR, 0xffffffff);
	CHECK_EQ(rd(v, APIC_LVT_ERROR), 0x100ffu);
	/* TSC-deadline bit only where advertised: an x2APIC-less, deadline-less config. */
	{
		struct vlapic_config cfg = { .id = 9, .phys_bits = 36, .tsc_hz = TSC_HZ,
					     .timer_hz = TMR_HZ, .ops = &fops, .ctx = &cpus[3] };
		struct vlapic *o = vlapic_create(&cfg);

		sw_enable(o);
		wr(o, APIC_LVT_TIMER, 0xffffffff);
		CHECK_EQ(rd(o, APIC_LVT_TIMER), 0x300ffu);
		CHECK_EQ(vlapic_base_write(o, PLAT_LAPIC_BASE | APIC_BASE_EN | APIC_BASE_EXTD),
			 VLAPIC_GP);		/* no x2APIC advertised */
		CHECK_EQ(vlapic_base_write(o, 0x1000000000ull | APIC_BASE_EN), VLAPIC_GP);
		vlapic_destroy(o);
	}
	/* ICR: delivery status reads 0; ICR_HI bits 31:24. */
	wr(v, APIC_ICR_HI, 0xffffffff);
	CHECK_EQ(rd(v, APIC_ICR_HI), 0xff000000u);
	wr(v, APIC_ICR_LO, 0xfff3ffff & ~(7u << 8));	/* fixed, vector 0xff, all reserved bits */
	CHECK_EQ(rd(v, APIC_ICR_LO), 0xc8ffu);
	/* Divide configuration: bits 3, 1:0. */
	wr(v, APIC_TIMER_DCR, 0xffffffff);
	CHECK_EQ(rd(v, APIC_TIMER_DCR), 0xb);
	/* Read-only: ISR/TMR/IRR/CCR/APR. */
	wr(v, APIC_IRR + 0x10, 0xffffffff);
	CHECK_EQ(rd(v, APIC_IRR + 0x10), 0);
	wr(v, APIC_TIMER_CCR, 5);
	CHECK_EQ(rd(v, APIC_TIMER_CCR), 0);
	/* EOI and RRD read 0. */
	CHECK_EQ(rd(v, APIC_EOI), 0);
	CHECK_EQ(rd(v, APIC_RRD), 0);
	/* Reserved offsets: read 0, writes dropped, ESR "illegal register address". */
	CHECK_EQ(esr(v), 0);
	CHECK_EQ(rd(v, 0x040), 0);
	CHECK_EQ(esr(v), APIC_ESR_ILLEGAL_REG);
	CHECK_EQ(esr(v), 0);
	wr(v, 0x3f0, 0x40);			/* SELF IPI is x2APIC-only */
	CHECK_EQ(esr(v), APIC_ESR_ILLEGAL_REG);
	CHECK(!irr(v, 0x40));
	wr(v, 0x2a0, 1);
	CHECK_EQ(esr(v), APIC_ESR_ILLEGAL_REG);
	/* Narrow reads return the bytes; narrow or misaligned writes are ignored. */
	wr(v, APIC_TPR, 0xa5);
	CHECK_EQ(vlapic_mmio_read(v, APIC_VERSION + 2, 1), 6);
	CHECK_EQ(vlapic_mmio_read(v, APIC_VERSION, 2), 0x14);
	CHECK_EQ(vlapic_mmio_read(v, APIC_TPR + 4, 4), 0);
	vlapic_mmio_write(v, APIC_TPR, 1, 0x11);
	vlapic_mmio_write(v, APIC_TPR + 4, 4, 0x11);
	CHECK_EQ(rd(v, APIC_TPR), 0xa5);
	vlapic_mmio_write(v, APIC_TPR, 8, 0x22);	/* 8 bytes: the low dword */
	CHECK_EQ(vlapic_mmio_read(v, APIC_TPR, 8), 0x22);
	/* The ops table for the bus. */
	vlapic_mmio_ops.write(v, APIC_TPR, 4, 0x33);
	CHECK_EQ(vlapic_mmio_ops.read(v, APIC_TPR, 4), 0x33);
	/* MSR access outside x2APIC mode is #GP. */
	{
		u64 val;

		CHECK_EQ(vlapic_msr_read(v, X2APIC_MSR(APIC_TPR), &val), VLAPIC_GP);
		CHECK_EQ(vlapic_msr_write(v, X2APIC_MSR(APIC_TPR), 0), VLAPIC_GP);
	}
}

static void test_x2apic_registers(void)
{
	struct vlapic *v = make(0x23, true, true, TSC_HZ, TMR_HZ);
	u64 val;

	sw_enable(v);
	wr(v, APIC_TPR, 0x20);
	wr(v, APIC_LVT_LINT0, 0x700);		/* ExtINT, unmasked: kept across the switch */
	to_x2apic(v);
	CHECK_EQ(vlapic_mmio_base(v), VLAPIC_NO_MMIO);
	CHECK_EQ(vlapic_mmio_read(v, APIC_ID, 4), 0xffffffffu);	/* no xAPIC page now */
	vlapic_mmio_write(v, APIC_TPR, 4, 0x90);
	CHECK_EQ(rdmsr(v, APIC_ID), 0x23);
	CHECK_EQ(rdmsr(v, APIC_LDR), (2u << 16) | (1u << 3));
	CHECK_EQ(rdmsr(v, APIC_TPR), 0x20);
	CHECK_EQ(rdmsr(v, APIC_LVT_LINT0), 0x700);
	CHECK_EQ(rdmsr(v, APIC_SVR), 0x1ff);
	CHECK_EQ(rdmsr(v, APIC_VERSION), 0x14u | 6u << 16 | 1u << 24);
	/* Registers that do not exist in x2APIC mode, and holes. */
	static const u32 absent[] = { APIC_APR, APIC_RRD, APIC_DFR, APIC_ICR_HI, 0x000, 0x010,
				      0x040, 0x2a0, 0x3a0, 0x400, 0xff0 };
	for (unsigned int i = 0; i < ARRAY_SIZE(absent); i++) {
		CHECK_EQ(vlapic_msr_read(v, X2APIC_MSR(absent[i]), &val), VLAPIC_GP);
		CHECK_EQ(wrmsr(v, absent[i], 0), VLAPIC_GP);
	}
	CHECK_EQ(vlapic_msr_read(v, 0x7ff, &val), VLAPIC_GP);
	CHECK_EQ(vlapic_msr_read(v, 0x900, &val), VLAPIC_GP);
	/* Write-only registers. */
	CHECK_EQ(vlapic_msr_read(v, X2APIC_MSR(APIC_EOI), &val), VLAPIC_GP);
	CHECK_EQ(vlapic_msr_read(v, X2APIC_MSR_SELF_IPI, &val), VLAPIC_GP);
	/* Read-only registers. */
	static const u32 ro[] = { APIC_ID, APIC_VERSION, APIC_PPR, APIC_LDR, APIC_ISR,
				  APIC_TMR + 0x70, APIC_IRR + 0x30, APIC_TIMER_CCR };
	for (unsigned int i = 0; i < ARRAY_SIZE(ro); i++)
		CHECK_EQ(wrmsr(v, ro[i], 0), VLAPIC_GP);
	/* Reserved bits are #GP, and nothing changes. */
	CHECK_EQ(wrmsr(v, APIC_TPR, 0x100), VLAPIC_GP);
	CHECK_EQ(wrmsr(v, APIC_TPR, 1ull << 32), VLAPIC_GP);
	CHECK_EQ(rdmsr(v, APIC_TPR), 0x20);
	CHECK_EQ(wrmsr(v, APIC_SVR, 0x3ff), VLAPIC_GP);		/* bit 9 */
	CHECK_EQ(wrmsr(v, APIC_SVR, 0x11ff), VLAPIC_OK);
	CHECK_EQ(rdmsr(v, APIC_SVR), 0x11ff);
	CHECK_EQ(wrmsr(v, APIC_LVT_TIMER, 1u << 19), VLAPIC_GP);
	CHECK_EQ(wrmsr(v, APIC_LVT_TIMER, 3u << 17), VLAPIC_GP);	/* mode 11b */
	CHECK_EQ(wrmsr(v, APIC_LVT_TIMER, 0x100), VLAPIC_GP);		/* no delivery mode */
	CHECK_EQ(wrmsr(v, APIC_LVT_TIMER, APIC_LVT_PENDING | 0x40), VLAPIC_OK); /* read-only bit */
	CHECK_EQ(rdmsr(v, APIC_LVT_TIMER), 0x40);
	CHECK_EQ(wrmsr(v, APIC_LVT_ERROR, 0x100), VLAPIC_GP);
	CHECK_EQ(wrmsr(v, APIC_LVT_LINT0, 1u << 17), VLAPIC_GP);
	CHECK_EQ(wrmsr(v, APIC_LVT_LINT0, APIC_LVT_REMOTE_IRR | 0x8000 | 0x2000 | 0x450),
		 VLAPIC_OK);
	CHECK_EQ(rdmsr(v, APIC_LVT_LINT0), 0xa450);
	CHECK_EQ(wrmsr(v, APIC_LVT_CMCI, 1u << 13), VLAPIC_GP);
	CHECK_EQ(wrmsr(v, APIC_ESR, 1), VLAPIC_GP);
	CHECK_EQ(wrmsr(v, APIC_EOI, 1), VLAPIC_GP);
	CHECK_EQ(wrmsr(v, APIC_TIMER_DCR, 4), VLAPIC_GP);
	CHECK_EQ(wrmsr(v, APIC_TIMER_DCR, 0xb), VLAPIC_OK);
	CHECK_EQ(rdmsr(v, APIC_TIMER_DCR), 0xb);
	CHECK_EQ(wrmsr(v, APIC_TIMER_ICR, 0xffffffff), VLAPIC_OK);
	CHECK_EQ(wrmsr(v, APIC_TIMER_ICR, 1ull << 32), VLAPIC_GP);
	CHECK_EQ(rdmsr(v, APIC_TIMER_ICR), 0xffffffffu);
	CHECK_EQ(wrmsr(v, APIC_TIMER_ICR, 0), VLAPIC_OK);
	CHECK_EQ(wrmsr(v, APIC_SELF_IPI, 0x100), VLAPIC_GP);
	CHECK_EQ(wrmsr(v, APIC_ICR_LO, 1u << 12), VLAPIC_GP);	/* no delivery status in x2APIC */
	CHECK_EQ(wrmsr(v, APIC_ICR_LO, 1u << 13), VLAPIC_GP);
	CHECK_EQ(wrmsr(v, APIC_ICR_LO, 1u << 20), VLAPIC_GP);
	CHECK_EQ(cpus[0x23 % NCPU].nsent, 0);
	/* SELF IPI: a fixed edge interrupt to itself. */
	CHECK_EQ(wrmsr(v, APIC_SELF_IPI, 0x61), VLAPIC_OK);
	CHECK(rdmsr(v, APIC_VEC_REG(APIC_IRR, 0x61)) & APIC_VEC_BIT(0x61));
	CHECK(!(rdmsr(v, APIC_VEC_REG(APIC_TMR, 0x61)) & APIC_VEC_BIT(0x61)));
	CHECK_EQ(wrmsr(v, APIC_SELF_IPI, 0x0f), VLAPIC_OK);	/* illegal vector */
	CHECK_EQ(esr(v), APIC_ESR_SEND_ILLEGAL);
	/* ISR/TMR/IRR through their MSRs, PPR from ISR. */
	CHECK(vlapic_ack(v, 0x61));
	CHECK(rdmsr(v, APIC_VEC_REG(APIC_ISR, 0x61)) & APIC_VEC_BIT(0x61));
	CHECK_EQ(rdmsr(v, APIC_PPR), 0x60);
	CHECK_EQ(wrmsr(v, APIC_EOI, 0), VLAPIC_OK);
	CHECK_EQ(rdmsr(v, APIC_PPR), 0x20);
	/* The upper half of a 32-bit register is reserved. */
	CHECK_EQ(wrmsr(v, APIC_LVT_ERROR, 1ull << 40), VLAPIC_GP);
}

static void test_base_transitions(void)
{
	struct vlapic *v = make(1, true, false, TSC_HZ, TMR_HZ);
	const u64 xa = PLAT_LAPIC_BASE | APIC_BASE_EN, x2 = xa | APIC_BASE_EXTD;

	CHECK_EQ(vlapic_base_write(v, xa), VLAPIC_OK);		/* no change */
	/* Reserved bits: 0..7, 9, at or above MAXPHYADDR (39). */
	CHECK_EQ(vlapic_base_write(v, xa | 1), VLAPIC_GP);
	CHECK_EQ(vlapic_base_write(v, xa | BIT(9)), VLAPIC_GP);
	CHECK_EQ(vlapic_base_write(v, xa | BIT(39)), VLAPIC_GP);
	CHECK_EQ(vlapic_base_write(v, xa | BIT(38)), VLAPIC_REMAP);	/* relocated */
	CHECK_EQ(vlapic_mmio_base(v), PLAT_LAPIC_BASE | BIT(38));
	CHECK_EQ(vlapic_base_write(v, xa), VLAPIC_REMAP);
	/* BSP is read-only. */
	CHECK_EQ(vlapic_base_write(v, xa | APIC_BASE_BSP), VLAPIC_OK);
	CHECK_EQ(vlapic_base_read(v), xa);
	/* EXTD without EN: invalid from every state. */
	CHECK_EQ(vlapic_base_write(v, PLAT_LAPIC_BASE | APIC_BASE_EXTD), VLAPIC_GP);
	CHECK_EQ(vlapic_mode(v), VLAPIC_XAPIC);
	/* xAPIC -> x2APIC -> (x2APIC -> xAPIC is #GP) -> disabled. */
	sw_enable(v);
	wr(v, APIC_TPR, 0x40);
	vlapic_accept(v, 0x80, false);
	to_x2apic(v);
	CHECK_EQ(rdmsr(v, APIC_TPR), 0x40);		/* registers preserved */
	CHECK(rdmsr(v, APIC_VEC_REG(APIC_IRR, 0x80)) & APIC_VEC_BIT(0x80));
	CHECK_EQ(vlapic_base_write(v, xa), VLAPIC_GP);
	CHECK_EQ(vlapic_mode(v), VLAPIC_X2APIC);
	CHECK_EQ(vlapic_base_write(v, PLAT_LAPIC_BASE | APIC_BASE_EXTD), VLAPIC_GP);
	CHECK_EQ(vlapic_base_write(v, x2), VLAPIC_OK);
	CHECK_EQ(vlapic_base_write(v, PLAT_LAPIC_BASE), VLAPIC_OK);	/* x2APIC -> disabled */
	CHECK_EQ(vlapic_mode(v), VLAPIC_DISABLED);
	CHECK(!vlapic_accept(v, 0x80, false));
	CHECK_EQ(vlapic_highest_pending(v), -1);
	CHECK(!vlapic_match_dest(v, 1, false, false));
	CHECK(!vlapic_match_dest(v, 0xff, false, false));
	CHECK(!vlapic_deliver(v, &(struct apic_msg){ .delivery = APIC_DM_NMI }));
	CHECK_EQ(vlapic_mmio_read(v, APIC_ID, 4), 0xffffffffu);
	/* disabled -> x2APIC directly is #GP; -> xAPIC is fine, in the reset state. */
	CHECK_EQ(vlapic_base_write(v, x2), VLAPIC_GP);
	CHECK_EQ(vlapic_base_write(v, xa), VLAPIC_REMAP);
	CHECK_EQ(vlapic_mode(v), VLAPIC_XAPIC);
	CHECK_EQ(rd(v, APIC_ID), 1u << 24);
	CHECK_EQ(rd(v, APIC_TPR), 0);
	CHECK_EQ(rd(v, APIC_SVR), 0xff);
	CHECK(!irr(v, 0x80));
	/* xAPIC -> disabled, with a running timer: stopped. */
	sw_enable(v);
	wr(v, APIC_TIMER_ICR, 100);
	CHECK(vlapic_timer_next(v));
	CHECK_EQ(vlapic_base_write(v, PLAT_LAPIC_BASE), VLAPIC_REMAP);
	CHECK_EQ(vlapic_timer_next(v), 0);
	CHECK_EQ(vlapic_mmio_base(v), VLAPIC_NO_MMIO);
	CHECK_EQ(vlapic_base_write(v, xa), VLAPIC_REMAP);
	/* The xAPIC id written by the guest survives x2APIC and disable. */
	wr(v, APIC_ID, 0x7u << 24);
	to_x2apic(v);
	CHECK_EQ(rdmsr(v, APIC_ID), 1);			/* x2APIC id: the vCPU's */
	CHECK_EQ(vlapic_base_write(v, PLAT_LAPIC_BASE), VLAPIC_OK);
	CHECK_EQ(vlapic_base_write(v, xa), VLAPIC_REMAP);
	CHECK_EQ(rd(v, APIC_ID), 0x7u << 24);
	/* RESET: all back. */
	vlapic_reset(v);
	CHECK_EQ(rd(v, APIC_ID), 1u << 24);
	CHECK_EQ(vlapic_base_read(v), xa);
}

static void test_priorities(void)
{
	struct vlapic *v = make(0, true, false, TSC_HZ, TMR_HZ);
	u8 order[16];

	CHECK(!vlapic_accept(v, 0x31, false));		/* software-disabled */
	sw_enable(v);
	CHECK(vlapic_accept(v, 0x31, false));
	CHECK(vlapic_accept(v, 0x45, false));
	CHECK(vlapic_accept(v, 0x52, false));
	CHECK_EQ(cpus[0].kicks, 3);
	CHECK(irr(v, 0x31) && irr(v, 0x45) && irr(v, 0x52));
	CHECK_EQ(vlapic_highest_irr(v), 0x52);
	CHECK_EQ(vlapic_highest_pending(v), 0x52);
	/* TPR masks classes at or below its own. */
	wr(v, APIC_TPR, 0x50);
	CHECK_EQ(vlapic_highest_pending(v), -1);
	CHECK(!vlapic_has_deliverable(v));
	CHECK_EQ(vlapic_highest_irr(v), 0x52);
	wr(v, APIC_TPR, 0x4f);
	CHECK_EQ(vlapic_highest_pending(v), 0x52);
	CHECK(vlapic_has_deliverable(v));
	/* In service, the class of 0x52 masks 0x45 (PPR = 0x50 > TPR 0x4f class 4). */
	CHECK(vlapic_ack(v, 0x52));
	CHECK(!vlapic_ack(v, 0x52));		/* not pending any more */
	CHECK(!irr(v, 0x52) && isr(v, 0x52));
	CHECK_EQ(rd(v, APIC_PPR), 0x50);
	CHECK_EQ(vlapic_highest_pending(v), -1);
	/* A higher class nests. */
	vlapic_accept(v, 0x61, false);
	CHECK_EQ(vlapic_highest_pending(v), 0x61);
	CHECK(vlapic_ack(v, 0x61));
	CHECK_EQ(rd(v, APIC_PPR), 0x60);
	/* Same class, higher vector: still blocked while 0x61 is in service. */
	vlapic_accept(v, 0x6f, false);
	CHECK_EQ(vlapic_highest_pending(v), -1);
	/* EOI retires the highest in-service vector first. */
	wr(v, APIC_EOI, 0);
	CHECK(!isr(v, 0x61) && isr(v, 0x52));
	CHECK_EQ(rd(v, APIC_PPR), 0x50);
	CHECK_EQ(vlapic_highest_pending(v), 0x6f);
	CHECK(vlapic_ack(v, 0x6f));
	wr(v, APIC_EOI, 0);
	wr(v, APIC_EOI, 0);
	CHECK(!isr(v, 0x52));
	CHECK_EQ(rd(v, APIC_PPR), 0x4f);
	/* TPR sub-class shows in PPR when the TPR wins, not when ISR does. */
	wr(v, APIC_TPR, 0x3a);
	CHECK_EQ(rd(v, APIC_PPR), 0x3a);
	CHECK_EQ(drain(v, order, 16), 1);	/* 0x45; 0x31 is class 3, not above 3 */
	CHECK_EQ(order[0], 0x45);
	CHECK_EQ(rd(v, APIC_PPR), 0x40);
	wr(v, APIC_EOI, 0);
	CHECK_EQ(rd(v, APIC_PPR), 0x3a);
	CHECK_EQ(vlapic_highest_pending(v), -1);
	wr(v, APIC_TPR, 0x2f);
	CHECK_EQ(drain(v, order, 16), 1);
	CHECK_EQ(order[0], 0x31);
	CHECK_EQ(rd(v, APIC_PPR), 0x30);
	wr(v, APIC_EOI, 0);
	wr(v, APIC_EOI, 0);			/* nothing in service: no effect */
	CHECK_EQ(rd(v, APIC_PPR), 0x2f);
	wr(v, APIC_TPR, 0);

	/* Many at once come out highest first, each nesting over the last. */
	for (unsigned int vec = 0x20; vec < 0x100; vec += 0x13)
		vlapic_accept(v, (u8)vec, false);
	{
		unsigned int n = drain(v, order, 16), prev = 0x100;

		CHECK(n >= 1);
		for (unsigned int i = 0; i < n; i++) {
			CHECK(order[i] < prev);
			CHECK(APIC_PRIO_CLASS(order[i]) < APIC_PRIO_CLASS(prev) || prev == 0x100);
			prev = order[i];
		}
		/* Retire them all, re-draining what each EOI unblocks. */
		for (unsigned int guard = 0; guard < 64 && (vlapic_highest_irr(v) >= 0 ||
							  rd(v, APIC_PPR)); guard++) {
			wr(v, APIC_EOI, 0);
			drain(v, order, 16);
		}
		CHECK_EQ(vlapic_highest_irr(v), -1);
		CHECK_EQ(rd(v, APIC_PPR), 0);
	}

	/* APR, by the SDM's formula. */
	wr(v, APIC_TPR, 0x35);
	CHECK_EQ(rd(v, APIC_APR), 0x35);		/* nothing requested or in service */
	vlapic_accept(v, 0x20, false);
	CHECK_EQ(vlapic_apr(v), 0x35);			/* TPR class >= IRRV class */
	vlapic_accept(v, 0x70, false);
	CHECK_EQ(vlapic_apr(v), 0x70);			/* IRRV class wins, sub-class 0 */
	wr(v, APIC_TPR, 0);
	CHECK(vlapic_ack(v, 0x70));
	CHECK_EQ(vlapic_apr(v), 0x20);			/* max(0 AND 7, 2) */
	wr(v, APIC_TPR, 0x75);
	CHECK_EQ(vlapic_apr(v), 0x70);			/* TPR class not above ISRV's */
	wr(v, APIC_TPR, 0x85);
	CHECK_EQ(vlapic_apr(v), 0x85);
	wr(v, APIC_EOI, 0);
	wr(v, APIC_TPR, 0);
	drain(v, order, 16);
	wr(v, APIC_EOI, 0);
}

static void test_irr_isr_tmr_eoi(void)
{
	struct vlapic *v = make(0, true, true, TSC_HZ, TMR_HZ);
	struct vlapic *w = make(1, true, false, TSC_HZ, TMR_HZ);

	sw_enable(v);
	/* Register layout: vector 0x52 is bit 18 of the third IRR register. */
	vlapic_accept(v, 0x52, true);
	CHECK_EQ(rd(v, APIC_IRR + 0x20), 1u << 18);
	CHECK_EQ(rd(v, APIC_TMR + 0x20), 1u << 18);
	CHECK(vlapic_ack(v, 0x52));
	CHECK_EQ(rd(v, APIC_IRR + 0x20), 0);
	CHECK_EQ(rd(v, APIC_ISR + 0x20), 1u << 18);
	/* Level: the EOI is broadcast with the vector. */
	wr(v, APIC_EOI, 0);
	CHECK_EQ(cpus[0].neoi, 1);
	CHECK_EQ(cpus[0].eoi[0], 0x52);
	/* An edge acceptance clears the TMR bit again; its EOI is not broadcast. */
	vlapic_accept(v, 0x52, false);
	CHECK(!tmr(v, 0x52));
	vlapic_ack(v, 0x52);
	wr(v, APIC_EOI, 0);
	CHECK_EQ(cpus[0].neoi, 1);
	/* A second acceptance while pending collapses into one IRR bit. */
	vlapic_accept(v, 0x90, false);
	vlapic_accept(v, 0x90, false);
	CHECK(vlapic_ack(v, 0x90));
	CHECK(!vlapic_ack(v, 0x90));
	/* ... but one in service and one pending is two. */
	vlapic_accept(v, 0x90, false);
	CHECK(isr(v, 0x90) && irr(v, 0x90));
	wr(v, APIC_EOI, 0);
	CHECK_EQ(vlapic_highest_pending(v), 0x90);
	vlapic_ack(v, 0x90);
	wr(v, APIC_EOI, 0);
	/* EOI-broadcast suppression (SVR bit 12), where advertised. */
	wr(v, APIC_SVR, APIC_SVR_ENABLE | APIC_SVR_EOI_SUPPRESS | 0xff);
	vlapic_accept(v, 0x60, true);
	vlapic_ack(v, 0x60);
	wr(v, APIC_EOI, 0);
	CHECK_EQ(cpus[0].neoi, 1);
	CHECK(!isr(v, 0x60));
	/* Not advertised: the bit does not stick, the broadcast happens. */
	wr(w, APIC_SVR, APIC_SVR_ENABLE | APIC_SVR_EOI_SUPPRESS | 0xff);
	vlapic_accept(w, 0x60, true);
	vlapic_ack(w, 0x60);
	wr(w, APIC_EOI, 0);
	CHECK_EQ(cpus[1].neoi, 1);
	/* Illegal vectors are refused: ESR "receive illegal vector". */
	CHECK(!vlapic_accept(v, 0x0f, false));
	CHECK(!irr(v, 0x0f));
	CHECK_EQ(esr(v), APIC_ESR_RECV_ILLEGAL);
	/* Vectors 16..31 are accepted. */
	CHECK(vlapic_accept(v, 0x10, false));
	CHECK(irr(v, 0x10));
}

static void test_esr(void)
{
	struct vlapic *v = make(0, true, false, TSC_HZ, TMR_HZ);

	sw_enable(v);
	/* Errors are seen by a read only after the next write. */
	vlapic_accept(v, 3, false);
	CHECK_EQ(rd(v, APIC_ESR), 0);
	wr(v, APIC_ESR, 0x1234);		/* the value written does not matter */
	CHECK_EQ(rd(v, APIC_ESR), APIC_ESR_RECV_ILLEGAL);
	CHECK_EQ(rd(v, APIC_ESR), APIC_ESR_RECV_ILLEGAL);	/* reads do not clear */
	wr(v, APIC_ESR, 0);
	CHECK_EQ(rd(v, APIC_ESR), 0);
	/* The error interrupt: raised once, re-armed by the ESR write. */
	wr(v, APIC_LVT_ERROR, 0xfe);
	vlapic_accept(v, 4, false);
	CHECK(irr(v, 0xfe));
	vlapic_ack(v, 0xfe);
	wr(v, APIC_EOI, 0);
	vlapic_accept(v, 5, false);		/* not re-armed yet */
	CHECK(!irr(v, 0xfe));
	wr(v, APIC_ESR, 0);
	CHECK_EQ(rd(v, APIC_ESR), APIC_ESR_RECV_ILLEGAL);
	wr(v, APIC_ICR_LO, 0x00004003);		/* fixed IPI, vector 3: send illegal */
	CHECK(irr(v, 0xfe));
	CHECK_EQ(cpus[0].nsent, 0);
	CHECK_EQ(esr(v), APIC_ESR_SEND_ILLEGAL);
	/* An illegal error vector is logged, not raised. */
	vlapic_ack(v, 0xfe);
	wr(v, APIC_EOI, 0);
	wr(v, APIC_LVT_ERROR, 0x02);
	vlapic_accept(v, 6, false);
	CHECK_EQ(esr(v), APIC_ESR_RECV_ILLEGAL);
	CHECK_EQ(vlapic_highest_irr(v), -1);
	/* Masked: still logged, nothing raised. */
	wr(v, APIC_LVT_ERROR, APIC_LVT_MASKED | 0xfe);
	vlapic_accept(v, 7, false);
	CHECK(!irr(v, 0xfe));
	CHECK_EQ(esr(v), APIC_ESR_RECV_ILLEGAL);
}

static void test_software_disable(void)
{
	struct vlapic *v = make(0, true, false, TSC_HZ, TMR_HZ);

	/* After reset the APIC is software-disabled: masks cannot be cleared. */
	wr(v, APIC_LVT_TIMER, 0x40);
	CHECK_EQ(rd(v, APIC_LVT_TIMER), APIC_LVT_MASKED | 0x40);
	sw_enable(v);
	CHECK(vlapic_sw_enabled(v));
	wr(v, APIC_LVT_TIMER, 0x40);
	wr(v, APIC_LVT_LINT0, 0x700);
	wr(v, APIC_LVT_ERROR, 0xfe);
	CHECK_EQ(rd(v, APIC_LVT_TIMER), 0x40);
	vlapic_accept(v, 0x80, false);
	/* Disable: every LVT entry gets masked; pending interrupts stay deliverable. */
	wr(v, APIC_SVR, 0xff);
	CHECK(!vlapic_sw_enabled(v));
	for (u32 off = APIC_LVT_TIMER; off <= APIC_LVT_ERROR; off += 0x10)
		CHECK(rd(v, off) & APIC_LVT_MASKED);
	CHECK(rd(v, APIC_LVT_CMCI) & APIC_LVT_MASKED);
	CHECK_EQ(rd(v, APIC_LVT_TIMER), APIC_LVT_MASKED | 0x40);
	CHECK_EQ(vlapic_highest_pending(v), 0x80);
	/* New fixed interrupts are not accepted ... */
	CHECK(!vlapic_accept(v, 0x81, false));
	CHECK(!vlapic_deliver(v, &(struct apic_msg){ .delivery = APIC_DM_LOWEST, .vector = 0x82 }));
	CHECK(!irr(v, 0x81) && !irr(v, 0x82));
	/* ... but NMI, INIT, SIPI are. */
	CHECK(vlapic_deliver(v, &(struct apic_msg){ .delivery = APIC_DM_NMI }));
	CHECK(vlapic_deliver(v, &(struct apic_msg){ .delivery = APIC_DM_INIT, .assert = true }));
	CHECK(vlapic_deliver(v, &(struct apic_msg){ .delivery = APIC_DM_SIPI, .vector = 0x9a }));
	CHECK_EQ(cpus[0].nev, 3);
	CHECK_EQ(cpus[0].ev[0].delivery, APIC_DM_NMI);
	CHECK_EQ(cpus[0].ev[1].delivery, APIC_DM_INIT);
	CHECK_EQ(cpus[0].ev[2].delivery, APIC_DM_SIPI);
	CHECK_EQ(cpus[0].ev[2].vector, 0x9a);
	/* It can still send IPIs. */
	cpus[0].nsent = 0;
	wr(v, APIC_ICR_LO, 0x000c4000 | APIC_DM_NMI << 8);
	CHECK_EQ(cpus[0].nsent, 1);
	/* A LINT0 ExtINT is masked now. */
	vlapic_lint(v, 0, true);
	CHECK_EQ(cpus[0].nev, 3);
	/* Re-enabling leaves the masks set. */
	sw_enable(v);
	CHECK_EQ(rd(v, APIC_LVT_TIMER), APIC_LVT_MASKED | 0x40);
	CHECK(vlapic_accept(v, 0x81, false));
}

/* ------------------------------------------------------------- timer */

/* TSC ticks per APIC timer count with divider @div at TSC_HZ/TMR_HZ. */
#define TPC(div)	((u64)(div) * (TSC_HZ / TMR_HZ))

static void test_timer_oneshot(void)
{
	struct vlapic *v = make(0, true, false, TSC_HZ, TMR_HZ);
	u64 t0 = 1000000;

	sw_enable(v);
	clock_now = t0;
	wr(v, APIC_TIMER_DCR, 0xb);			/* divide by 1 */
	wr(v, APIC_LVT_TIMER, 0x41);			/* one-shot, vector 0x41 */
	wr(v, APIC_TIMER_ICR, 1000);
	CHECK_EQ(rd(v, APIC_TIMER_CCR), 1000);
	CHECK_EQ(vlapic_timer_next(v), t0 + 1000 * TPC(1));
	/* The count falls linearly, one per 40 TSC ticks. */
	for (u64 k = 0; k <= 1000; k += 37) {
		clock_now = t0 + k * TPC(1);
		CHECK_EQ(rd(v, APIC_TIMER_CCR), 1000 - k);
		clock_now += TPC(1) - 1;		/* just before the next count */
		CHECK_EQ(rd(v, APIC_TIMER_CCR), 1000 - k);
	}
	clock_now = t0 + 1000 * TPC(1) - 1;
	CHECK_EQ(rd(v, APIC_TIMER_CCR), 1);
	CHECK(!vlapic_timer_fire(v, clock_now));	/* not yet */
	CHECK(!irr(v, 0x41));
	clock_now++;
	CHECK_EQ(rd(v, APIC_TIMER_CCR), 0);
	CHECK(vlapic_timer_fire(v, clock_now));
	CHECK(irr(v, 0x41));
	CHECK(!tmr(v, 0x41));
	CHECK_EQ(cpus[0].kicks, 1);
	CHECK_EQ(vlapic_timer_next(v), 0);		/* one-shot: disarmed */
	CHECK(!vlapic_timer_fire(v, clock_now + 100000));
	clock_now += 100000;
	CHECK_EQ(rd(v, APIC_TIMER_CCR), 0);
	CHECK_EQ(rd(v, APIC_TIMER_ICR), 1000);		/* the initial count stays */
	/* Rewriting the initial count restarts; 0 stops. */
	wr(v, APIC_TIMER_ICR, 10);
	CHECK_EQ(vlapic_timer_next(v), clock_now + 10 * TPC(1));
	clock_now += 5 * TPC(1);
	wr(v, APIC_TIMER_ICR, 10);
	CHECK_EQ(rd(v, APIC_TIMER_CCR), 10);
	wr(v, APIC_TIMER_ICR, 0);
	CHECK_EQ(rd(v, APIC_TIMER_CCR), 0);
	CHECK_EQ(vlapic_timer_next(v), 0);
	/* Divider 2 (DCR 0) by default after reset: 80 ticks per count. */
	wr(v, APIC_TIMER_DCR, 0);
	wr(v, APIC_TIMER_ICR, 3);
	CHECK_EQ(vlapic_timer_next(v), clock_now + 3 * TPC(2));
	/* Each divide code. */
	static const struct { u32 dcr, div; } dv[] = {
		{ 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 }, { 0x8, 32 }, { 0x9, 64 },
		{ 0xa, 128 }, { 0xb, 1 },
	};
	for (unsigned int i = 0; i < ARRAY_SIZE(dv); i++) {
		wr(v, APIC_TIMER_ICR, 0);
		wr(v, APIC_TIMER_DCR, dv[i].dcr);
		wr(v, APIC_TIMER_ICR, 7);
		CHECK_EQ(vlapic_timer_next(v), clock_now + 7 * TPC(dv[i].div));
	}
	/* A masked one-shot expires without an interrupt. */
	wr(v, APIC_TIMER_ICR, 0);
	vlapic_ack(v, 0x41);
	wr(v, APIC_EOI, 0);
	wr(v, APIC_LVT_TIMER, APIC_LVT_MASKED | 0x41);
	wr(v, APIC_TIMER_ICR, 1);
	clock_now += 1000;
	CHECK(vlapic_timer_fire(v, clock_now));
	CHECK(!irr(v, 0x41));
	CHECK_EQ(vlapic_timer_next(v), 0);
}

static void test_timer_periodic(void)
{
	struct vlapic *v = make(0, true, false, TSC_HZ, TMR_HZ);
	u64 t0 = 5000, period = 100 * TPC(2);

	sw_enable(v);
	clock_now = t0;
	wr(v, APIC_TIMER_DCR, 0);			/* divide by 2 */
	wr(v, APIC_LVT_TIMER, (APIC_TIMER_PERIODIC << 17) | 0x50);
	wr(v, APIC_TIMER_ICR, 100);
	CHECK_EQ(vlapic_timer_next(v), t0 + period);
	/* The count wraps from 1 back to the initial count. */
	clock_now = t0 + period - TPC(2);
	CHECK_EQ(rd(v, APIC_TIMER_CCR), 1);
	clock_now = t0 + period;
	CHECK_EQ(rd(v, APIC_TIMER_CCR), 100);		/* reloaded even before fire() */
	clock_now = t0 + period + 30 * TPC(2);
	CHECK_EQ(rd(v, APIC_TIMER_CCR), 70);
	/* Fire on time: one interrupt, re-armed one period later. */
	CHECK(vlapic_timer_fire(v, t0 + period));
	CHECK(irr(v, 0x50));
	CHECK_EQ(vlapic_timer_next(v), t0 + 2 * period);
	vlapic_ack(v, 0x50);
	wr(v, APIC_EOI, 0);
	/* Fired late, 3.5 periods later: one interrupt, next on the period grid. */
	clock_now = t0 + 5 * period + period / 2;
	CHECK(vlapic_timer_fire(v, clock_now));
	CHECK(irr(v, 0x50));
	CHECK_EQ(vlapic_timer_next(v), t0 + 6 * period);
	CHECK_EQ(rd(v, APIC_TIMER_CCR), 50);
	vlapic_ack(v, 0x50);
	wr(v, APIC_EOI, 0);
	/* Masked: no interrupt, still periodic. */
	wr(v, APIC_LVT_TIMER, (APIC_TIMER_PERIODIC << 17) | APIC_LVT_MASKED | 0x50);
	CHECK(vlapic_timer_fire(v, t0 + 6 * period));
	CHECK(!irr(v, 0x50));
	CHECK_EQ(vlapic_timer_next(v), t0 + 7 * period);
	/* Periodic -> one-shot takes effect at the next expiry. */
	wr(v, APIC_LVT_TIMER, 0x50);
	CHECK_EQ(vlapic_timer_next(v), t0 + 7 * period);
	CHECK(vlapic_timer_fire(v, t0 + 7 * period));
	CHECK(irr(v, 0x50));
	CHECK_EQ(vlapic_timer_next(v), 0);
	clock_now = t0 + 8 * period;
	CHECK_EQ(rd(v, APIC_TIMER_CCR), 0);
	/* An expiry due when the timer is reprogrammed is not lost. */
	vlapic_ack(v, 0x50);
	wr(v, APIC_EOI, 0);
	wr(v, APIC_TIMER_ICR, 10);
	clock_now += 10 * TPC(2) + 3;
	wr(v, APIC_TIMER_ICR, 20);			/* the first expiry was due */
	CHECK(irr(v, 0x50));
	CHECK_EQ(vlapic_timer_next(v), clock_now + 20 * TPC(2));
}

static void test_timer_divide_change(void)
{
	struct vlapic *v = make(0, true, false, TSC_HZ, TMR_HZ);
	u64 t0 = 777, t1;

	sw_enable(v);
	clock_now = t0;
	wr(v, APIC_TIMER_DCR, 0xb);			/* by 1 */
	wr(v, APIC_LVT_TIMER, 0x60);
	wr(v, APIC_TIMER_ICR, 1000);
	t1 = t0 + 400 * TPC(1) + 7;			/* mid-count, mid-tick */
	clock_now = t1;
	CHECK_EQ(rd(v, APIC_TIMER_CCR), 600);
	wr(v, APIC_TIMER_DCR, 0x1);			/* by 4 */
	CHECK_EQ(rd(v, APIC_TIMER_CCR), 600);		/* goes on from where it was */
	CHECK_EQ(vlapic_timer_next(v), t1 + 600 * TPC(4));
	clock_now = t1 + 100 * TPC(4);
	CHECK_EQ(rd(v, APIC_TIMER_CCR), 500);
	clock_now = t1 + 100 * TPC(4) - 1;
	CHECK_EQ(rd(v, APIC_TIMER_CCR), 501);
	/* Same divider again: nothing moves. */
	wr(v, APIC_TIMER_DCR, 0x1);
	CHECK_EQ(vlapic_timer_next(v), t1 + 600 * TPC(4));
	/* Periodic: the partial period at the new rate, then whole periods of N. */
	wr(v, APIC_TIMER_ICR, 0);
	wr(v, APIC_TIMER_DCR, 0xb);
	wr(v, APIC_LVT_TIMER, (APIC_TIMER_PERIODIC << 17) | 0x60);
	clock_now = 100000;
	wr(v, APIC_TIMER_ICR, 50);
	clock_now += 20 * TPC(1);
	CHECK_EQ(rd(v, APIC_TIMER_CCR), 30);
	wr(v, APIC_TIMER_DCR, 0x0);			/* by 2 */
	t1 = clock_now;
	CHECK_EQ(vlapic_timer_next(v), t1 + 30 * TPC(2));
	CHECK(vlapic_timer_fire(v, t1 + 30 * TPC(2)));
	CHECK_EQ(vlapic_timer_next(v), t1 + 80 * TPC(2));
	clock_now = t1 + 55 * TPC(2);
	CHECK_EQ(rd(v, APIC_TIMER_CCR), 25);
}

/* A TSC rate that is no multiple of the timer's: counts stay exact at the edges. */
static void test_timer_odd_rates(void)
{
	const u64 tsc = 2903117000ull, tmr = 24000000ull;
	struct vlapic *v = make(0, true, false, tsc, tmr);
	u32 last = 0xffffffffu;

	sw_enable(v);
	clock_now = 123456789;
	wr(v, APIC_TIMER_DCR, 0x3);			/* by 16 */
	wr(v, APIC_LVT_TIMER, (APIC_TIMER_PERIODIC << 17) | 0x70);
	wr(v, APIC_TIMER_ICR, 0xffffffff);		/* the longest period: ~48 minutes */
	for (unsigned int i = 0; i < 2000; i++) {
		u32 c;

		clock_now += 1000003;
		c = rd(v, APIC_TIMER_CCR);
		CHECK(c < last);
		last = c;
	}
	for (unsigned int k = 0; k < 3; k++) {
		u64 next = vlapic_timer_next(v);

		clock_now = next - 1;
		CHECK_EQ(rd(v, APIC_TIMER_CCR), 1);
		CHECK(!vlapic_timer_fire(v, clock_now));
		clock_now = next;
		CHECK_EQ(rd(v, APIC_TIMER_CCR), 0xffffffffu);
		CHECK(vlapic_timer_fire(v, clock_now));
		CHECK(vlapic_timer_next(v) > next);
	}
	/* A period of one count, fired very late: still one interrupt, next on the grid. */
	wr(v, APIC_TIMER_DCR, 0xb);
	wr(v, APIC_TIMER_ICR, 1);
	clock_now += 1000ull * 3600 * tsc;		/* an hour later */
	CHECK(vlapic_timer_fire(v, clock_now));
	CHECK(vlapic_timer_next(v) > clock_now);
	CHECK(vlapic_timer_next(v) - clock_now <= tsc / tmr + 1);
}

static void test_tsc_deadline(void)
{
	struct vlapic *v = make(0, true, false, TSC_HZ, TMR_HZ);

	sw_enable(v);
	clock_now = 1000;
	/* Not in TSC-deadline mode: reads 0, writes ignored. */
	vlapic_tsc_deadline_write(v, 5000);
	CHECK_EQ(vlapic_tsc_deadline_read(v), 0);
	CHECK_EQ(vlapic_timer_next(v), 0);
	/* A running count-mode timer is disarmed by the switch. */
	wr(v, APIC_TIMER_ICR, 100);
	wr(v, APIC_LVT_TIMER, (APIC_TIMER_TSC_DEADLINE << 17) | 0xef);
	CHECK_EQ(vlapic_timer_next(v), 0);
	CHECK_EQ(rd(v, APIC_TIMER_ICR), 0);
	/* The initial count is ignored, the current count reads 0. */
	wr(v, APIC_TIMER_ICR, 100);
	CHECK_EQ(rd(v, APIC_TIMER_ICR), 0);
	CHECK_EQ(rd(v, APIC_TIMER_CCR), 0);
	CHECK_EQ(vlapic_timer_next(v), 0);
	/* Arm in the future. */
	vlapic_tsc_deadline_write(v, 5000);
	CHECK_EQ(vlapic_tsc_deadline_read(v), 5000);
	CHECK_EQ(vlapic_timer_next(v), 5000);
	CHECK(!vlapic_timer_fire(v, 4999));
	CHECK(vlapic_timer_fire(v, 5000));
	CHECK(irr(v, 0xef));
	CHECK_EQ(vlapic_tsc_deadline_read(v), 0);	/* disarmed and cleared */
	CHECK_EQ(vlapic_timer_next(v), 0);
	vlapic_ack(v, 0xef);
	wr(v, APIC_EOI, 0);
	/* Move it, then disarm with 0. */
	vlapic_tsc_deadline_write(v, 9000);
	vlapic_tsc_deadline_write(v, 7000);
	CHECK_EQ(vlapic_timer_next(v), 7000);
	vlapic_tsc_deadline_write(v, 0);
	CHECK_EQ(vlapic_timer_next(v), 0);
	CHECK(!vlapic_timer_fire(v, 100000));
	CHECK(!irr(v, 0xef));
	/* A deadline already past fires at once. */
	clock_now = 20000;
	cpus[0].kicks = 0;
	vlapic_tsc_deadline_write(v, 19999);
	CHECK(irr(v, 0xef));
	CHECK_EQ(cpus[0].kicks, 1);
	CHECK_EQ(vlapic_tsc_deadline_read(v), 0);
	CHECK_EQ(vlapic_timer_next(v), 0);
	/* Leaving TSC-deadline mode disarms it. */
	vlapic_tsc_deadline_write(v, 50000);
	wr(v, APIC_LVT_TIMER, 0xef);
	CHECK_EQ(vlapic_timer_next(v), 0);
	CHECK_EQ(vlapic_tsc_deadline_read(v), 0);
	wr(v, APIC_LVT_TIMER, (APIC_TIMER_TSC_DEADLINE << 17) | 0xef);
	CHECK_EQ(vlapic_tsc_deadline_read(v), 0);
	/* Masked: it still disarms on expiry. */
	wr(v, APIC_LVT_TIMER, (APIC_TIMER_TSC_DEADLINE << 17) | APIC_LVT_MASKED | 0xee);
	vlapic_tsc_deadline_write(v, 30000);
	CHECK(vlapic_timer_fire(v, 30000));
	CHECK(!irr(v, 0xee));
	CHECK_EQ(vlapic_tsc_deadline_read(v), 0);
	/* x2APIC: the same, and the mode bits go through the MSR. */
	to_x2apic(v);
	CHECK_EQ(wrmsr(v, APIC_LVT_TIMER, (APIC_TIMER_TSC_DEADLINE << 17) | 0xed), VLAPIC_OK);
	vlapic_tsc_deadline_write(v, 40000);
	CHECK(vlapic_timer_fire(v, 40001));
	CHECK(rdmsr(v, APIC_VEC_REG(APIC_IRR, 0xed)) & APIC_VEC_BIT(0xed));
}

/* --------------------------------------------------------------- ICR */

static struct apic_msg last_sent(unsigned int cpu)
{
	CHECK(cpus[cpu].nsent > 0);
	return cpus[cpu].sent[(cpus[cpu].nsent - 1) % ARRAY_SIZE(cpus[cpu].sent)];
}

static void test_icr_decode(void)
{
	struct vlapic *v = make(2, true, false, TSC_HZ, TMR_HZ);
	struct apic_msg m;

	sw_enable(v);
	/* Every delivery mode and shorthand, xAPIC. */
	for (u32 dm = 0; dm < 8; dm++) {
		for (u32 sh = 0; sh < 4; sh++) {
			unsigned int before = cpus[2].nsent;
			u32 lo = 0x31 | dm << 8 | APIC_ICR_LOGICAL | APIC_ICR_ASSERT | sh << 18;

			wr(v, APIC_ICR_HI, 0xa5u << 24);
			wr(v, APIC_ICR_LO, lo);
			CHECK_EQ(rd(v, APIC_ICR_LO), lo);	/* never busy */
			if (dm == 3 || dm == 7) {		/* reserved: nothing sent */
				CHECK_EQ(cpus[2].nsent, before);
				continue;
			}
			CHECK_EQ(cpus[2].nsent, before + 1);
			m = last_sent(2);
			CHECK_EQ(m.vector, 0x31);
			CHECK_EQ(m.delivery, dm);
			CHECK_EQ(m.shorthand, sh);
			CHECK(m.logical);
			CHECK(m.assert);
			CHECK(!m.level);
			CHECK(!m.x2apic);
			CHECK_EQ(m.dest, 0xa5);
			CHECK_EQ(m.src, 2);
		}
	}
	/* Physical, level, de-assert: INIT de-assert as old software sends it. */
	wr(v, APIC_ICR_HI, 0x01000000);
	wr(v, APIC_ICR_LO, APIC_DM_INIT << 8 | APIC_ICR_LEVEL);
	m = last_sent(2);
	CHECK(!m.logical && m.level && !m.assert);
	CHECK_EQ(m.dest, 1);
	/* SIPI with its page number. */
	wr(v, APIC_ICR_LO, APIC_DM_SIPI << 8 | 0x9f);
	m = last_sent(2);
	CHECK_EQ(m.delivery, APIC_DM_SIPI);
	CHECK_EQ(m.vector, 0x9f);
	/* Illegal vectors: fixed and lowest are not sent; others do not care. */
	cpus[2].nsent = 0;
	wr(v, APIC_ICR_LO, 0x0e);
	wr(v, APIC_ICR_LO, APIC_DM_LOWEST << 8 | 0x0e);
	CHECK_EQ(cpus[2].nsent, 0);
	CHECK_EQ(esr(v), APIC_ESR_SEND_ILLEGAL);
	wr(v, APIC_ICR_LO, APIC_DM_NMI << 8);
	CHECK_EQ(cpus[2].nsent, 1);
	/* x2APIC: one 64-bit write, a 32-bit destination. */
	to_x2apic(v);
	CHECK_EQ(wrmsr(v, APIC_ICR_LO, 0x12345678ull << 32 | APIC_ICR_LEVEL | APIC_ICR_ASSERT |
			   APIC_DM_FIXED << 8 | 0xc3), VLAPIC_OK);
	m = last_sent(2);
	CHECK_EQ(m.dest, 0x12345678);
	CHECK(m.x2apic && m.level && m.assert && !m.logical);
	CHECK_EQ(m.vector, 0xc3);
	CHECK_EQ(rdmsr(v, APIC_ICR_LO), 0x12345678ull << 32 | 0xc0c3);
	CHECK_EQ(wrmsr(v, APIC_ICR_LO, 0xffffffffull << 32 | APIC_SH_ALL_BUT_SELF << 18 |
			   APIC_DM_NMI << 8), VLAPIC_OK);
	m = last_sent(2);
	CHECK_EQ(m.shorthand, APIC_SH_ALL_BUT_SELF);
	CHECK_EQ(m.dest, 0xffffffffu);
}

/* --------------------------------------------------------- destinations */

static void test_match_dest(void)
{
	struct vlapic *v = make(3, true, false, TSC_HZ, TMR_HZ);

	sw_enable(v);
	/* Physical xAPIC. */
	CHECK(vlapic_match_dest(v, 3, false, false));
	CHECK(!vlapic_match_dest(v, 2, false, false));
	CHECK(vlapic_match_dest(v, 0xff, false, false));
	CHECK(vlapic_match_dest(v, 3, false, true));		/* x2APIC format, same id */
	CHECK(vlapic_match_dest(v, 0xffffffff, false, true));
	/* Logical flat: any common bit. */
	wr(v, APIC_LDR, 0x08u << 24);
	CHECK(vlapic_match_dest(v, 0x08, true, false));
	CHECK(vlapic_match_dest(v, 0x0f, true, false));
	CHECK(!vlapic_match_dest(v, 0x07, true, false));
	CHECK(vlapic_match_dest(v, 0xff, true, false));
	CHECK(!vlapic_match_dest(v, 0x00, true, false));
	CHECK(!vlapic_match_dest(v, 0x08, true, true));		/* wrong format */
	wr(v, APIC_LDR, 0);
	CHECK(!vlapic_match_dest(v, 0x7f, true, false));
	CHECK(vlapic_match_dest(v, 0xff, true, false));		/* broadcast */
	/* Logical cluster: cluster in the high nibble, members in the low. */
	wr(v, APIC_DFR, APIC_DFR_CLUSTER);
	wr(v, APIC_LDR, 0x52u << 24);
	CHECK(vlapic_match_dest(v, 0x52, true, false));
	CHECK(vlapic_match_dest(v, 0x57, true, false));
	CHECK(!vlapic_match_dest(v, 0x51, true, false));
	CHECK(!vlapic_match_dest(v, 0x42, true, false));
	CHECK(vlapic_match_dest(v, 0xff, true, false));
	/* A reserved DFR model matches nothing but broadcast. */
	wr(v, APIC_DFR, 0x70000000);
	CHECK(!vlapic_match_dest(v, 0x52, true, false));
	wr(v, APIC_DFR, APIC_DFR_FLAT);
	/* x2APIC: id 3 -> cluster 0, bit 3; id 0x25 -> cluster 2, bit 5. */
	to_x2apic(v);
	CHECK(vlapic_match_dest(v, 3, false, true));
	CHECK(vlapic_match_dest(v, 3, false, false));		/* an 8-bit physical message */
	CHECK(vlapic_match_dest(v, 0xff, false, false));
	CHECK(vlapic_match_dest(v, 0x00000008, true, true));
	CHECK(vlapic_match_dest(v, 0x0000ff0f, true, true));
	CHECK(vlapic_match_dest(v, 0x0000000f, true, true));
	CHECK(!vlapic_match_dest(v, 0x00010008, true, true));	/* other cluster */
	CHECK(!vlapic_match_dest(v, 0x00000004, true, true));
	CHECK(vlapic_match_dest(v, 0xffffffff, true, true));
	CHECK(!vlapic_match_dest(v, 0x08, true, false));	/* xAPIC-format logical */
	v = make(1, true, false, TSC_HZ, TMR_HZ);
	{
		struct vlapic_config cfg = { .id = 0x25, .phys_bits = 39, .x2apic = true,
					     .tsc_hz = TSC_HZ, .timer_hz = TMR_HZ, .ops = &fops,
					     .ctx = &cpus[1] };
		struct vlapic *w = vlapic_create(&cfg);

		to_x2apic(w);
		CHECK_EQ(rdmsr(w, APIC_LDR), 0x00020020);
		CHECK(vlapic_match_dest(w, 0x00020020, true, true));
		CHECK(vlapic_match_dest(w, 0x000200ff, true, true));
		CHECK(!vlapic_match_dest(w, 0x00000020, true, true));
		CHECK(vlapic_match_dest(w, 0x25, false, true));
		CHECK(!vlapic_match_dest(w, 0x05, false, true));
		vlapic_destroy(w);
	}
}

static void test_route(void)
{
	for (unsigned int i = 0; i < NCPU; i++) {
		make(i, true, false, TSC_HZ, TMR_HZ);
		sw_enable(cpus[i].v);
		wr(cpus[i].v, APIC_LDR, (1u << i) << 24);	/* flat: one bit each */
		cpus[i].route = true;
	}
	/* Fixed, physical. */
	wr(cpus[0].v, APIC_ICR_HI, 2u << 24);
	wr(cpus[0].v, APIC_ICR_LO, 0x40);
	CHECK(irr(cpus[2].v, 0x40) && !irr(cpus[1].v, 0x40) && !irr(cpus[0].v, 0x40));
	CHECK_EQ(cpus[2].kicks, 1);
	/* Fixed, logical flat to 1 and 3. */
	wr(cpus[0].v, APIC_ICR_HI, 0x0au << 24);
	wr(cpus[0].v, APIC_ICR_LO, APIC_ICR_LOGICAL | 0x41);
	CHECK(irr(cpus[1].v, 0x41) && irr(cpus[3].v, 0x41) && !irr(cpus[2].v, 0x41));
	/* Shorthands. */
	wr(cpus[1].v, APIC_ICR_LO, APIC_SH_SELF << 18 | 0x42);
	CHECK(irr(cpus[1].v, 0x42) && !irr(cpus[0].v, 0x42));
	wr(cpus[1].v, APIC_ICR_LO, APIC_SH_ALL << 18 | 0x43);
	for (unsigned int i = 0; i < NCPU; i++)
		CHECK(irr(cpus[i].v, 0x43));
	wr(cpus[1].v, APIC_ICR_LO, APIC_SH_ALL_BUT_SELF << 18 | 0x44);
	for (unsigned int i = 0; i < NCPU; i++)
		CHECK_EQ(irr(cpus[i].v, 0x44), i != 1);
	/* NMI / INIT / SIPI become events of the targets. */
	wr(cpus[0].v, APIC_ICR_HI, 3u << 24);
	wr(cpus[0].v, APIC_ICR_LO, APIC_DM_INIT << 8 | APIC_ICR_ASSERT);
	wr(cpus[0].v, APIC_ICR_LO, APIC_DM_INIT << 8 | APIC_ICR_LEVEL);	/* de-assert: dropped */
	wr(cpus[0].v, APIC_ICR_LO, APIC_DM_SIPI << 8 | 0x10);
	wr(cpus[0].v, APIC_ICR_LO, APIC_DM_NMI << 8);
	wr(cpus[0].v, APIC_ICR_LO, APIC_DM_SMI << 8);
	CHECK_EQ(cpus[3].nev, 4);
	CHECK_EQ(cpus[3].ev[0].delivery, APIC_DM_INIT);
	CHECK_EQ(cpus[3].ev[1].delivery, APIC_DM_SIPI);
	CHECK_EQ(cpus[3].ev[1].vector, 0x10);
	CHECK_EQ(cpus[3].ev[2].delivery, APIC_DM_NMI);
	CHECK_EQ(cpus[3].ev[3].delivery, APIC_DM_SMI);
	CHECK_EQ(cpus[2].nev, 0);
	/* Lowest priority: the lowest APR among the targets, ties to the lowest id. */
	for (unsigned int i = 0; i < NCPU; i++)
		settle(cpus[i].v);
	wr(cpus[0].v, APIC_TPR, 0x30);
	wr(cpus[1].v, APIC_TPR, 0x20);
	wr(cpus[2].v, APIC_TPR, 0x20);
	wr(cpus[3].v, APIC_TPR, 0x10);
	wr(cpus[0].v, APIC_ICR_HI, 0x07u << 24);	/* logical: 0, 1, 2 */
	wr(cpus[0].v, APIC_ICR_LO, APIC_ICR_LOGICAL | APIC_DM_LOWEST << 8 | 0x55);
	CHECK(irr(cpus[1].v, 0x55));
	CHECK(!irr(cpus[0].v, 0x55) && !irr(cpus[2].v, 0x55) && !irr(cpus[3].v, 0x55));
	/* Software-disabled APICs take no part. */
	wr(cpus[1].v, APIC_SVR, 0xff);
	wr(cpus[0].v, APIC_ICR_LO, APIC_ICR_LOGICAL | APIC_DM_LOWEST << 8 | 0x56);
	CHECK(irr(cpus[2].v, 0x56));
	/* Through apic_route() directly, as the I/O APIC would: how many took it. */
	CHECK_EQ(apic_route(lapics, NCPU, &(struct apic_msg){ .dest = 0xff, .vector = 0x57,
				.delivery = APIC_DM_FIXED, .src = APIC_SRC_IOAPIC }), 3);
	CHECK_EQ(apic_route(lapics, NCPU, &(struct apic_msg){ .dest = 9, .vector = 0x58,
				.delivery = APIC_DM_FIXED, .src = APIC_SRC_IOAPIC }), 0);
	CHECK_EQ(apic_route(lapics, NCPU, &(struct apic_msg){ .dest = 0, .vector = 0x58,
				.delivery = APIC_DM_FIXED, .shorthand = APIC_SH_SELF,
				.src = APIC_SRC_IOAPIC }), 0);
	for (unsigned int i = 0; i < NCPU; i++)
		cpus[i].route = false;
}

/* ------------------------------------------------------- local sources */

static void test_lint_and_lvt(void)
{
	struct vlapic *v = make(0, true, false, TSC_HZ, TMR_HZ);

	sw_enable(v);
	/* LINT0 ExtINT (virtual wire): an event with the vector, on the rising edge. */
	wr(v, APIC_LVT_LINT0, APIC_DM_EXTINT << 8 | 0x20);
	vlapic_lint(v, 0, true);
	vlapic_lint(v, 0, true);			/* no new edge */
	CHECK_EQ(cpus[0].nev, 1);
	CHECK_EQ(cpus[0].ev[0].delivery, APIC_DM_EXTINT);
	vlapic_lint(v, 0, false);
	/* LINT1 NMI, active low: asserted by the falling edge. */
	wr(v, APIC_LVT_LINT1, APIC_DM_NMI << 8 | APIC_LVT_POLARITY_LOW);
	vlapic_lint(v, 1, true);
	CHECK_EQ(cpus[0].nev, 1);
	vlapic_lint(v, 1, false);
	CHECK_EQ(cpus[0].nev, 2);
	CHECK_EQ(cpus[0].ev[1].delivery, APIC_DM_NMI);
	/* LINT0 fixed, level: remote IRR until EOI, again after EOI while asserted. */
	wr(v, APIC_LVT_LINT0, APIC_LVT_LEVEL | 0x66);
	vlapic_lint(v, 0, true);
	CHECK(irr(v, 0x66) && tmr(v, 0x66));
	CHECK(rd(v, APIC_LVT_LINT0) & APIC_LVT_REMOTE_IRR);
	vlapic_ack(v, 0x66);
	vlapic_lint(v, 0, true);			/* still remote IRR: nothing */
	CHECK(!irr(v, 0x66));
	wr(v, APIC_EOI, 0);
	CHECK(irr(v, 0x66));				/* re-delivered */
	CHECK_EQ(cpus[0].neoi, 1);			/* and the EOI broadcast, as for any level */
	vlapic_ack(v, 0x66);
	vlapic_lint(v, 0, false);
	wr(v, APIC_EOI, 0);
	CHECK(!irr(v, 0x66));
	CHECK(!(rd(v, APIC_LVT_LINT0) & APIC_LVT_REMOTE_IRR));
	/* The remote IRR bit is read-only. */
	wr(v, APIC_LVT_LINT0, APIC_LVT_REMOTE_IRR | 0x66);
	CHECK(!(rd(v, APIC_LVT_LINT0) & APIC_LVT_REMOTE_IRR));
	/* LINT1 fixed is edge-triggered even if level is asked for. */
	wr(v, APIC_LVT_LINT1, APIC_LVT_LEVEL | 0x67);
	vlapic_lint(v, 1, true);
	CHECK(irr(v, 0x67) && !tmr(v, 0x67));
	/* CMCI / thermal / perf: fixed, SMI, NMI; INIT and ExtINT deliver nothing. */
	wr(v, APIC_LVT_CMCI, 0x68);
	vlapic_lvt_event(v, VLAPIC_LVT_CMCI);
	CHECK(irr(v, 0x68));
	wr(v, APIC_LVT_THERMAL, APIC_DM_SMI << 8);
	vlapic_lvt_event(v, VLAPIC_LVT_THERMAL);
	CHECK_EQ(cpus[0].nev, 3);
	CHECK_EQ(cpus[0].ev[2].delivery, APIC_DM_SMI);
	wr(v, APIC_LVT_THERMAL, APIC_DM_EXTINT << 8 | 0x69);
	vlapic_lvt_event(v, VLAPIC_LVT_THERMAL);
	CHECK_EQ(cpus[0].nev, 3);
	CHECK(!irr(v, 0x69));
	/* The perf entry masks itself when it fires. */
	wr(v, APIC_LVT_PERF, APIC_DM_NMI << 8);
	vlapic_lvt_event(v, VLAPIC_LVT_PERF);
	CHECK_EQ(cpus[0].nev, 4);
	CHECK(rd(v, APIC_LVT_PERF) & APIC_LVT_MASKED);
	vlapic_lvt_event(v, VLAPIC_LVT_PERF);
	CHECK_EQ(cpus[0].nev, 4);
	/* Not an event source. */
	vlapic_lvt_event(v, VLAPIC_LVT_TIMER);
	vlapic_lint(v, 2, true);
	CHECK_EQ(cpus[0].nev, 4);
	/* An illegal fixed vector on a local source: "receive illegal vector". */
	wr(v, APIC_LVT_CMCI, 0x05);
	vlapic_lvt_event(v, VLAPIC_LVT_CMCI);
	CHECK_EQ(esr(v), APIC_ESR_RECV_ILLEGAL);
}

/* APIC-register virtualisation: the CPU stored the value, the exit emulates the rest. */
static void test_apic_write_exit(void)
{
	struct vlapic *v = make(1, true, false, TSC_HZ, TMR_HZ);
	u32 *page = vlapic_page(v);

	page[APIC_SVR / 4] = APIC_SVR_ENABLE | 0xff;
	vlapic_apic_write_exit(v, APIC_SVR);
	CHECK(vlapic_sw_enabled(v));
	page[APIC_ICR_HI / 4] = 0x03000000;
	vlapic_apic_write_exit(v, APIC_ICR_HI);
	page[APIC_ICR_LO / 4] = APIC_DM_NMI << 8;
	vlapic_apic_write_exit(v, APIC_ICR_LO);
	CHECK_EQ(cpus[1].nsent, 1);
	CHECK_EQ(last_sent(1).dest, 3);
	/* A timer programmed through the page. */
	clock_now = 4242;
	page[APIC_TIMER_DCR / 4] = 0xb;
	vlapic_apic_write_exit(v, APIC_TIMER_DCR);
	page[APIC_LVT_TIMER / 4] = 0x77;
	vlapic_apic_write_exit(v, APIC_LVT_TIMER);
	page[APIC_TIMER_ICR / 4] = 10;
	vlapic_apic_write_exit(v, APIC_TIMER_ICR);
	CHECK_EQ(vlapic_timer_next(v), 4242 + 10 * TPC(1));
	/* The divider is taken from the cache, not the page's (new) value. */
	page[APIC_TIMER_DCR / 4] = 0x0;
	vlapic_apic_write_exit(v, APIC_TIMER_DCR);
	CHECK_EQ(vlapic_timer_next(v), 4242 + 10 * TPC(2));
	/* A level vector retired by an EOI write. */
	vlapic_accept(v, 0x88, true);
	vlapic_ack(v, 0x88);
	page[APIC_EOI / 4] = 0;
	vlapic_apic_write_exit(v, APIC_EOI);
	CHECK(!isr(v, 0x88));
	CHECK_EQ(cpus[1].neoi, 1);
	/* Reserved bits the CPU stored are dropped; the TPR shadow is honoured. */
	page[APIC_LVT_ERROR / 4] = 0xffffffff;
	vlapic_apic_write_exit(v, APIC_LVT_ERROR);
	CHECK_EQ(page[APIC_LVT_ERROR / 4], 0x100ffu);
	vlapic_accept(v, 0x51, false);
	page[APIC_TPR / 4] = 0x60;			/* as MOV to CR8 with a TPR shadow */
	CHECK_EQ(vlapic_highest_pending(v), -1);
	CHECK_EQ(page[APIC_PPR / 4], 0x60);
	vlapic_apic_write_exit(v, 0x3f8);		/* misaligned: ignored */
}

/* Virtual-interrupt delivery: the page is the CPU's while the guest runs. */
static void test_virtualised(void)
{
	struct vlapic *v = make(2, true, false, TSC_HZ, TMR_HZ);
	u32 *page = vlapic_page(v);
	struct vlapic_virt_state st;

#define PAGE_BIT(base, vec)	(page[APIC_VEC_REG(base, vec) / 4] & APIC_VEC_BIT(vec))
	sw_enable(v);
	vlapic_set_virtualised(v, true);
	/* Accepted vectors wait outside the page until the owner syncs. */
	CHECK(vlapic_accept(v, 0x61, false));
	CHECK(vlapic_accept(v, 0x93, true));
	CHECK(!PAGE_BIT(APIC_IRR, 0x61));
	CHECK(!PAGE_BIT(APIC_IRR, 0x93));
	CHECK_EQ(cpus[2].kicks, 2);
	vlapic_virt_sync(v, &st);
	CHECK_EQ(st.rvi, 0x93);
	CHECK_EQ(st.svi, 0);
	CHECK(PAGE_BIT(APIC_IRR, 0x61));
	CHECK(PAGE_BIT(APIC_TMR, 0x93));
	CHECK(!PAGE_BIT(APIC_TMR, 0x61));
	CHECK_EQ(st.tmr[0x93 >> 5], APIC_VEC_BIT(0x93));
	/* The CPU delivers 0x93: IRR -> ISR, as virtual-interrupt delivery does. */
	page[APIC_VEC_REG(APIC_IRR, 0x93) / 4] &= ~APIC_VEC_BIT(0x93);
	page[APIC_VEC_REG(APIC_ISR, 0x93) / 4] |= APIC_VEC_BIT(0x93);
	vlapic_virt_sync(v, &st);
	CHECK_EQ(st.rvi, 0x61);
	CHECK_EQ(st.svi, 0x93);
	CHECK_EQ(page[APIC_PPR / 4], 0x90);
	CHECK_EQ(vlapic_highest_pending(v), -1);	/* 0x61 is below PPR */
	/* Its EOI, virtualised: the CPU cleared ISR, the exit broadcasts the level vector. */
	page[APIC_VEC_REG(APIC_ISR, 0x93) / 4] &= ~APIC_VEC_BIT(0x93);
	vlapic_eoi_virtualised(v, 0x93);
	CHECK_EQ(cpus[2].neoi, 1);
	CHECK_EQ(cpus[2].eoi[0], 0x93);
	CHECK_EQ(vlapic_highest_pending(v), 0x61);
	/* An edge acceptance of the vector clears its TMR bit again. */
	vlapic_accept(v, 0x93, false);
	vlapic_virt_sync(v, &st);
	CHECK(!PAGE_BIT(APIC_TMR, 0x93));
	CHECK_EQ(st.tmr[0x93 >> 5], 0);
	CHECK_EQ(st.rvi, 0x93);
	/* The owner's own questions see vectors not yet merged. */
	vlapic_accept(v, 0xa1, false);
	CHECK_EQ(vlapic_highest_irr(v), 0xa1);
	vlapic_accept(v, 0xb1, false);
	CHECK_EQ(vlapic_highest_pending(v), 0xb1);
	vlapic_accept(v, 0xc1, false);
	CHECK(irr(v, 0xc1));
	/* INIT drops everything pending, merged or not. */
	vlapic_accept(v, 0xd1, false);
	vlapic_init_signal(v);
	vlapic_virt_sync(v, &st);
	CHECK_EQ(st.rvi, 0);
	CHECK_EQ(st.svi, 0);
	/* Back to plain emulation: accepted vectors go straight to IRR. */
	sw_enable(v);
	vlapic_set_virtualised(v, false);
	vlapic_accept(v, 0x71, false);
	CHECK(PAGE_BIT(APIC_IRR, 0x71));
#undef PAGE_BIT
}

static void test_init_signal(void)
{
	struct vlapic *v = make(1, true, false, TSC_HZ, TMR_HZ);

	sw_enable(v);
	wr(v, APIC_ID, 0x9u << 24);
	wr(v, APIC_TPR, 0x20);
	wr(v, APIC_TIMER_ICR, 50);
	vlapic_accept(v, 0x70, false);
	vlapic_init_signal(v);
	CHECK_EQ(rd(v, APIC_ID), 0x9u << 24);		/* kept */
	CHECK_EQ(rd(v, APIC_TPR), 0);
	CHECK_EQ(rd(v, APIC_SVR), 0xff);
	CHECK(!irr(v, 0x70));
	CHECK_EQ(vlapic_timer_next(v), 0);
	CHECK_EQ(vlapic_mode(v), VLAPIC_XAPIC);
	/* INIT in x2APIC mode keeps x2APIC mode and the derived LDR. */
	to_x2apic(v);
	vlapic_init_signal(v);
	CHECK_EQ(vlapic_mode(v), VLAPIC_X2APIC);
	CHECK_EQ(rdmsr(v, APIC_LDR), 1u << 1);
	CHECK_EQ(rdmsr(v, APIC_ID), 1);
}

static void test_bad_config(void)
{
	struct vlapic_config cfg = { .id = 0, .phys_bits = 39, .tsc_hz = TSC_HZ, .timer_hz = 0,
				     .ops = &fops };

	CHECK(!vlapic_create(&cfg));
	cfg.timer_hz = TMR_HZ;
	cfg.phys_bits = 60;
	CHECK(!vlapic_create(&cfg));
	vlapic_destroy(NULL);
}

int main(int argc, char **argv)
{
	test_init(argc, argv, 0);
	test_reset_state();
	test_xapic_registers();
	test_x2apic_registers();
	test_base_transitions();
	test_priorities();
	test_irr_isr_tmr_eoi();
	test_esr();
	test_software_disable();
	test_timer_oneshot();
	test_timer_periodic();
	test_timer_divide_change();
	test_timer_odd_rates();
	test_tsc_deadline();
	test_icr_decode();
	test_match_dest();
	test_route();
	test_lint_and_lvt();
	test_apic_write_exit();
	test_virtualised();
	test_init_signal();
	test_bad_config();
	for (unsigned int i = 0; i < NCPU; i++)
		vlapic_destroy(cpus[i].v);
	return test_finish();
}
