// SPDX-License-Identifier: MIT
/*
 * vmx/dev/vioapic.c on a device bus: register access (IOREGSEL/IOWIN, ID,
 * version, arbitration, redirection entries, the EOI register, narrow
 * accesses), edge and level pins with remote IRR and EOI, masking,
 * polarity, re-delivery, message fields for every delivery mode, and
 * routing to four real vlapics through apic_route() with physical,
 * logical and lowest-priority destinations, EOI broadcasts closing the
 * loop.  Last, two device threads raise lines while two vCPU threads take
 * and EOI the interrupts (run under TSan too).
 */
#include "vmx/dev/apic_route.h"
#include "vmx/dev/vioapic.h"
#include "vmx/dev/vlapic.h"
#include "vmx/dev/platform.h"
#include "lib/atomic.h"
#include "tests/host/harness.h"

#include <pthread.h>
#include <sched.h>
#include <string.h>

#define NCPU	4

static struct vdev_bus bus;
static struct vlapic *lapics[NCPU];

/* The fake APIC bus: records messages, answers rt.taken, or routes to lapics[]. */
static struct {
	unsigned int n;
	struct apic_msg m[64];
	unsigned int taken;
	bool use_lapics;
} rt;

static unsigned int host_deliver(void *owner __unused, const struct apic_msg *m)
{
	if (!rt.use_lapics) {
		rt.m[rt.n % ARRAY_SIZE(rt.m)] = *m;
		rt.n++;
		return rt.taken;
	}
	return apic_route(lapics, NCPU, m);
}

static struct apic_msg last(void)
{
	CHECK(rt.n > 0);
	return rt.m[(rt.n - 1) % ARRAY_SIZE(rt.m)];
}

static u32 mmio_rd(u64 off, unsigned int size)
{
	u64 v = 0;

	CHECK(vdev_mmio_read(&bus, PLAT_IOAPIC_BASE + off, size, &v));
	return (u32)v;
}

static void mmio_wr(u64 off, unsigned int size, u32 val)
{
	CHECK(vdev_mmio_write(&bus, PLAT_IOAPIC_BASE + off, size, val));
}

static u32 reg_rd(u32 index)
{
	mmio_wr(IOAPIC_REGSEL, 4, index);
	return mmio_rd(IOAPIC_WINDOW, 4);
}

static void reg_wr(u32 index, u32 val)
{
	mmio_wr(IOAPIC_REGSEL, 4, index);
	mmio_wr(IOAPIC_WINDOW, 4, val);
}

static u64 rte_rd(unsigned int pin)
{
	return reg_rd(IOAPIC_REG_RTE(pin)) | (u64)reg_rd(IOAPIC_REG_RTE(pin) + 1) << 32;
}

static void rte_wr(unsigned int pin, u64 rte)
{
	reg_wr(IOAPIC_REG_RTE(pin) + 1, (u32)(rte >> 32));
	reg_wr(IOAPIC_REG_RTE(pin), (u32)rte);
}

static void bus_up(void)
{
	struct vdev_host host = { .name = "t", .apic_deliver = host_deliver };

	vdev_bus_destroy(&bus);
	vdev_bus_init(&bus, &host);
	CHECK_EQ(vdev_bus_create_all(&bus), 0);
	memset(&rt, 0, sizeof(rt));
	rt.taken = 1;
}

/* ------------------------------------------------------------------ */

static void test_registers(void)
{
	bus_up();
	CHECK(vdev_mmio_claimed(&bus, PLAT_IOAPIC_BASE));
	CHECK(vdev_mmio_claimed(&bus, PLAT_IOAPIC_BASE + PLAT_IOAPIC_SIZE - 1));
	/* IOREGSEL: 8 bits, read back. */
	mmio_wr(IOAPIC_REGSEL, 4, 0xffffff01);
	CHECK_EQ(mmio_rd(IOAPIC_REGSEL, 4), 0x01);
	/* Version 0x20, 24 entries. */
	CHECK_EQ(mmio_rd(IOAPIC_WINDOW, 4), 0x170020);
	reg_wr(IOAPIC_REG_VERSION, 0);
	CHECK_EQ(reg_rd(IOAPIC_REG_VERSION), 0x170020);
	/* ID: bits 27:24; arbitration follows it, read-only. */
	CHECK_EQ(reg_rd(IOAPIC_REG_ID), PLAT_IOAPIC_ID << 24);
	reg_wr(IOAPIC_REG_ID, 0xffffffff);
	CHECK_EQ(reg_rd(IOAPIC_REG_ID), 0x0f000000);
	CHECK_EQ(reg_rd(IOAPIC_REG_ARB), 0x0f000000);
	reg_wr(IOAPIC_REG_ARB, 0);
	CHECK_EQ(reg_rd(IOAPIC_REG_ARB), 0x0f000000);
	reg_wr(IOAPIC_REG_ID, 0x02000000);
	/* Entries reset masked, everything else 0. */
	for (unsigned int pin = 0; pin < PLAT_IOAPIC_PINS; pin++)
		CHECK_EQ(rte_rd(pin), IOAPIC_RTE_MASKED);
	/* Writable bits: no delivery status, no remote IRR, no bits 55:17. */
	rte_wr(5, ~0ull);
	CHECK_EQ(rte_rd(5), 0xff0000000001afffull);
	rte_wr(5, IOAPIC_RTE_MASKED);
	CHECK_EQ(rte_rd(5), IOAPIC_RTE_MASKED);
	/* Registers that do not exist read 0. */
	CHECK_EQ(reg_rd(0x03), 0);
	CHECK_EQ(reg_rd(0x0f), 0);
	CHECK_EQ(reg_rd(IOAPIC_REG_RTE(PLAT_IOAPIC_PINS)), 0);
	CHECK_EQ(reg_rd(0xff), 0);
	reg_wr(0x40, 0x1234);
	CHECK_EQ(reg_rd(0x40), 0);
	/* The EOI register and empty offsets read 0. */
	CHECK_EQ(mmio_rd(IOAPIC_EOI, 4), 0);
	CHECK_EQ(mmio_rd(0x20, 4), 0);
	CHECK_EQ(mmio_rd(0xffc, 4), 0);
	/* Narrow accesses: bytes of the 32-bit registers, merged on write. */
	mmio_wr(IOAPIC_REGSEL, 1, IOAPIC_REG_VERSION);
	CHECK_EQ(mmio_rd(IOAPIC_WINDOW + 2, 1), 0x17);
	CHECK_EQ(mmio_rd(IOAPIC_WINDOW, 2), 0x0020);
	mmio_wr(IOAPIC_REGSEL, 4, IOAPIC_REG_RTE(6));
	mmio_wr(IOAPIC_WINDOW, 1, 0x42);			/* vector only */
	CHECK_EQ(reg_rd(IOAPIC_REG_RTE(6)), 0x10042);		/* still masked */
	mmio_wr(IOAPIC_REGSEL, 4, IOAPIC_REG_RTE(6) + 1);
	mmio_wr(IOAPIC_WINDOW + 3, 1, 0x07);			/* destination byte */
	CHECK_EQ(rte_rd(6), 0x0700000000010042ull);
	mmio_wr(IOAPIC_REGSEL, 4, IOAPIC_REG_RTE(6));
	CHECK_EQ(vioapic_mmio_ops.read(bus.irq_sink.ctx, IOAPIC_WINDOW, 8), 0x10042);
	/* Nothing was delivered by any of this. */
	CHECK_EQ(rt.n, 0);
}

static void test_edge(void)
{
	struct apic_msg m;

	bus_up();
	rte_wr(4, 0x31);				/* fixed, physical, edge, high, dest 0 */
	vdev_irq_set(&bus, 4, true);
	CHECK_EQ(rt.n, 1);
	m = last();
	CHECK_EQ(m.vector, 0x31);
	CHECK_EQ(m.delivery, APIC_DM_FIXED);
	CHECK(!m.level && !m.logical && m.assert && !m.x2apic);
	CHECK_EQ(m.dest, 0);
	CHECK_EQ(m.src, APIC_SRC_IOAPIC);
	CHECK_EQ(m.shorthand, APIC_SH_NONE);
	vdev_irq_set(&bus, 4, true);			/* no new edge */
	CHECK_EQ(rt.n, 1);
	vdev_irq_set(&bus, 4, false);
	CHECK_EQ(rt.n, 1);
	vdev_irq_set(&bus, 4, true);
	CHECK_EQ(rt.n, 2);
	CHECK(!(rte_rd(4) & IOAPIC_RTE_REMOTE_IRR));	/* edges never set it */
	/* An EOI of the vector is harmless. */
	mmio_wr(IOAPIC_EOI, 4, 0x31);
	CHECK_EQ(rt.n, 2);
	/* Masked: the edge is lost, unmasking does not bring it back. */
	vdev_irq_set(&bus, 4, false);
	rte_wr(4, IOAPIC_RTE_MASKED | 0x31);
	vdev_irq_set(&bus, 4, true);
	CHECK_EQ(rt.n, 2);
	rte_wr(4, 0x31);
	CHECK_EQ(rt.n, 2);
	/* Active low: the falling edge asserts. */
	rte_wr(4, IOAPIC_RTE_POLARITY_LOW | 0x32);
	vdev_irq_set(&bus, 4, false);
	CHECK_EQ(rt.n, 3);
	CHECK_EQ(last().vector, 0x32);
	vdev_irq_set(&bus, 4, true);
	CHECK_EQ(rt.n, 3);
	/* Out-of-range lines go nowhere. */
	vdev_irq_set(&bus, PLAT_IOAPIC_PINS, true);
	CHECK_EQ(rt.n, 3);
}

static void test_level(void)
{
	bus_up();
	rte_wr(9, IOAPIC_RTE_LEVEL | 0x59 | 3ull << IOAPIC_RTE_DEST_SHIFT);
	/* Assert: delivered, remote IRR set; more asserts wait for the EOI. */
	vdev_irq_set(&bus, 9, true);
	CHECK_EQ(rt.n, 1);
	CHECK(last().level);
	CHECK_EQ(last().dest, 3);
	CHECK(rte_rd(9) & IOAPIC_RTE_REMOTE_IRR);
	vdev_irq_set(&bus, 9, true);
	CHECK_EQ(rt.n, 1);
	/* Remote IRR is read-only. */
	reg_wr(IOAPIC_REG_RTE(9), IOAPIC_RTE_LEVEL | 0x59);
	CHECK(rte_rd(9) & IOAPIC_RTE_REMOTE_IRR);
	CHECK_EQ(rt.n, 1);
	/* An EOI of another vector changes nothing. */
	vdev_irq_eoi(&bus, 0x58);
	CHECK(rte_rd(9) & IOAPIC_RTE_REMOTE_IRR);
	/* EOI (broadcast) while still asserted: cleared, and delivered again. */
	vdev_irq_eoi(&bus, 0x59);
	CHECK_EQ(rt.n, 2);
	CHECK(rte_rd(9) & IOAPIC_RTE_REMOTE_IRR);
	/* Deasserted, then EOI through the register: cleared, nothing new. */
	vdev_irq_set(&bus, 9, false);
	mmio_wr(IOAPIC_EOI, 4, 0x59);
	CHECK_EQ(rt.n, 2);
	CHECK(!(rte_rd(9) & IOAPIC_RTE_REMOTE_IRR));
	/* Masked while asserted: held; unmasking delivers. */
	rte_wr(9, IOAPIC_RTE_MASKED | IOAPIC_RTE_LEVEL | 0x59);
	vdev_irq_set(&bus, 9, true);
	CHECK_EQ(rt.n, 2);
	rte_wr(9, IOAPIC_RTE_LEVEL | 0x59);
	CHECK_EQ(rt.n, 3);
	/* Masking after delivery does not take it back; the EOI still clears. */
	rte_wr(9, IOAPIC_RTE_MASKED | IOAPIC_RTE_LEVEL | 0x59);
	CHECK(rte_rd(9) & IOAPIC_RTE_REMOTE_IRR);
	vdev_irq_eoi(&bus, 0x59);
	CHECK(!(rte_rd(9) & IOAPIC_RTE_REMOTE_IRR));
	CHECK_EQ(rt.n, 3);				/* masked: not again */
	/* Asserted but deasserted before unmasking: nothing. */
	vdev_irq_set(&bus, 9, false);
	rte_wr(9, IOAPIC_RTE_LEVEL | 0x59);
	CHECK_EQ(rt.n, 3);
	/* Nobody took it: remote IRR stays clear, the next assert tries again. */
	rt.taken = 0;
	vdev_irq_set(&bus, 9, true);
	CHECK_EQ(rt.n, 4);
	CHECK(!(rte_rd(9) & IOAPIC_RTE_REMOTE_IRR));
	vdev_irq_set(&bus, 9, true);
	CHECK_EQ(rt.n, 5);
	rt.taken = 1;
	vdev_irq_set(&bus, 9, true);
	CHECK_EQ(rt.n, 6);
	CHECK(rte_rd(9) & IOAPIC_RTE_REMOTE_IRR);
	/* Level -> edge clears remote IRR (how software without an EOI register unsticks it). */
	rte_wr(9, IOAPIC_RTE_MASKED | 0x59);
	CHECK(!(rte_rd(9) & IOAPIC_RTE_REMOTE_IRR));
	rte_wr(9, IOAPIC_RTE_LEVEL | 0x59);		/* still asserted: delivered */
	CHECK_EQ(rt.n, 7);
	vdev_irq_set(&bus, 9, false);
	vdev_irq_eoi(&bus, 0x59);
	/* Two entries sharing a vector: one EOI clears both. */
	rte_wr(10, IOAPIC_RTE_LEVEL | 0x59);
	vdev_irq_set(&bus, 9, true);
	vdev_irq_set(&bus, 10, true);
	CHECK(rte_rd(9) & rte_rd(10) & IOAPIC_RTE_REMOTE_IRR);
	vdev_irq_set(&bus, 9, false);
	vdev_irq_set(&bus, 10, false);
	vdev_irq_eoi(&bus, 0x59);
	CHECK(!((rte_rd(9) | rte_rd(10)) & IOAPIC_RTE_REMOTE_IRR));
	/* Active low level: a pin nobody drives is idle; driven low it asserts. */
	rt.n = 0;
	rte_wr(11, IOAPIC_RTE_LEVEL | IOAPIC_RTE_POLARITY_LOW | 0x5b);
	CHECK_EQ(rt.n, 0);
	vdev_irq_set(&bus, 11, false);
	CHECK_EQ(rt.n, 1);
	vdev_irq_set(&bus, 11, true);
	vdev_irq_eoi(&bus, 0x5b);
	CHECK_EQ(rt.n, 1);
}

static void test_modes(void)
{
	static const struct { u8 dm; bool sent; } modes[] = {
		{ APIC_DM_FIXED, true }, { APIC_DM_LOWEST, true }, { APIC_DM_SMI, true },
		{ APIC_DM_RESERVED, false }, { APIC_DM_NMI, true }, { APIC_DM_INIT, true },
		{ APIC_DM_SIPI, false }, { APIC_DM_EXTINT, true },
	};

	bus_up();
	for (unsigned int i = 0; i < ARRAY_SIZE(modes); i++) {
		unsigned int before = rt.n;

		rte_wr(1, (u64)modes[i].dm << IOAPIC_RTE_DM_SHIFT | IOAPIC_RTE_LOGICAL | 0x41 |
			   0xa5ull << IOAPIC_RTE_DEST_SHIFT);
		vdev_irq_set(&bus, 1, true);
		vdev_irq_set(&bus, 1, false);
		CHECK_EQ(rt.n, before + modes[i].sent);
		if (modes[i].sent) {
			CHECK_EQ(last().delivery, modes[i].dm);
			CHECK(last().logical);
			CHECK_EQ(last().dest, 0xa5);
		}
	}
	/* NMI on a level entry is an edge to the local APIC and never waits for an EOI. */
	rte_wr(2, (u64)APIC_DM_NMI << IOAPIC_RTE_DM_SHIFT | IOAPIC_RTE_LEVEL);
	vdev_irq_set(&bus, 2, true);
	CHECK(!last().level);
	CHECK(!(rte_rd(2) & IOAPIC_RTE_REMOTE_IRR));
}

/* ------------------------------------------------- four real local APICs */

static struct {
	unsigned int kicks, events;
} cpu_seen[NCPU];

static u64 l_now(void *ctx __unused)
{
	return 0;
}

static void l_eoi(void *ctx __unused, u8 vector)
{
	vdev_irq_eoi(&bus, vector);
}

static void l_kick(void *ctx)
{
	fetch_add(&cpu_seen[(uintptr_t)ctx].kicks, 1);
}

static void l_event(void *ctx, u8 delivery __unused, u8 vector __unused)
{
	fetch_add(&cpu_seen[(uintptr_t)ctx].events, 1);
}

static unsigned int l_send(void *ctx __unused, const struct apic_msg *m)
{
	return apic_route(lapics, NCPU, m);
}

static const struct vlapic_ops lops = { l_now, l_send, l_eoi, l_kick, l_event };

static void lapics_up(void)
{
	for (unsigned int i = 0; i < NCPU; i++) {
		struct vlapic_config cfg = { .id = i, .bsp = !i, .phys_bits = 39, .x2apic = true,
					     .tsc_deadline = true, .tsc_hz = 1000000000,
					     .timer_hz = 25000000, .ops = &lops,
					     .ctx = (void *)(uintptr_t)i };

		vlapic_destroy(lapics[i]);
		lapics[i] = vlapic_create(&cfg);
		CHECK(lapics[i]);
		vlapic_mmio_write(lapics[i], APIC_SVR, 4, APIC_SVR_ENABLE | 0xff);
		vlapic_mmio_write(lapics[i], APIC_LDR, 4, (1u << i) << 24);	/* flat */
	}
	memset(cpu_seen, 0, sizeof(cpu_seen));
	rt.use_lapics = true;
}

static bool lirr(unsigned int cpu, u8 vec)
{
	return vlapic_mmio_read(lapics[cpu], APIC_VEC_REG(APIC_IRR, vec), 4) & APIC_VEC_BIT(vec);
}

static bool ltmr(unsigned int cpu, u8 vec)
{
	return vlapic_mmio_read(lapics[cpu], APIC_VEC_REG(APIC_TMR, vec), 4) & APIC_VEC_BIT(vec);
}

/* The vCPU takes @vec and EOIs it (after @before runs, as a handler would). */
static void service(unsigned int cpu, u8 vec, unsigned int pin_to_lower)
{
	CHECK_EQ(vlapic_highest_pending(lapics[cpu]), vec);
	CHECK(vlapic_ack(lapics[cpu], vec));
	if (pin_to_lower < PLAT_IOAPIC_PINS)
		vdev_irq_set(&bus, pin_to_lower, false);
	vlapic_mmio_write(lapics[cpu], APIC_EOI, 4, 0);
}

static void test_routing(void)
{
	bus_up();
	lapics_up();
	/* Physical to vCPU 2. */
	rte_wr(3, 0x33 | 2ull << IOAPIC_RTE_DEST_SHIFT);
	vdev_irq_set(&bus, 3, true);
	CHECK(lirr(2, 0x33) && !lirr(0, 0x33) && !lirr(1, 0x33) && !lirr(3, 0x33));
	CHECK(!ltmr(2, 0x33));
	CHECK_EQ(cpu_seen[2].kicks, 1);
	service(2, 0x33, 3);
	/* Physical broadcast. */
	rte_wr(3, 0x34 | 0xffull << IOAPIC_RTE_DEST_SHIFT);
	vdev_irq_set(&bus, 3, true);
	for (unsigned int i = 0; i < NCPU; i++)
		CHECK(lirr(i, 0x34));
	for (unsigned int i = 0; i < NCPU; i++)
		service(i, 0x34, i ? PLAT_IOAPIC_PINS : 3);
	/* Logical flat to vCPUs 0 and 2. */
	rte_wr(3, IOAPIC_RTE_LOGICAL | 0x35 | 0x05ull << IOAPIC_RTE_DEST_SHIFT);
	vdev_irq_set(&bus, 3, true);
	CHECK(lirr(0, 0x35) && lirr(2, 0x35) && !lirr(1, 0x35) && !lirr(3, 0x35));
	service(0, 0x35, 3);
	service(2, 0x35, PLAT_IOAPIC_PINS);
	/* Lowest priority among 1, 2, 3: vCPU 3 has the lowest TPR. */
	vlapic_mmio_write(lapics[1], APIC_TPR, 4, 0x20);
	vlapic_mmio_write(lapics[2], APIC_TPR, 4, 0x20);
	rte_wr(3, IOAPIC_RTE_LOGICAL | (u64)APIC_DM_LOWEST << IOAPIC_RTE_DM_SHIFT | 0x36 |
		   0x0eull << IOAPIC_RTE_DEST_SHIFT);
	vdev_irq_set(&bus, 3, true);
	CHECK(lirr(3, 0x36) && !lirr(1, 0x36) && !lirr(2, 0x36));
	service(3, 0x36, 3);
	/* Level to vCPU 1: TMR set; its EOI broadcast clears remote IRR (and re-delivers). */
	rte_wr(7, IOAPIC_RTE_LEVEL | 0x77 | 1ull << IOAPIC_RTE_DEST_SHIFT);
	vdev_irq_set(&bus, 7, true);
	CHECK(lirr(1, 0x77) && ltmr(1, 0x77));
	CHECK(rte_rd(7) & IOAPIC_RTE_REMOTE_IRR);
	CHECK(vlapic_ack(lapics[1], 0x77));
	vlapic_mmio_write(lapics[1], APIC_EOI, 4, 0);	/* the handler forgot the device */
	CHECK(lirr(1, 0x77));				/* so it comes back */
	CHECK(rte_rd(7) & IOAPIC_RTE_REMOTE_IRR);
	service(1, 0x77, 7);				/* this time the line is lowered */
	CHECK(!(rte_rd(7) & IOAPIC_RTE_REMOTE_IRR));
	CHECK(!lirr(1, 0x77));
	/* Directed EOI: with SVR bit 12 the local APIC keeps quiet, the EOI register clears. */
	{
		struct vlapic_config cfg = { .id = 1, .phys_bits = 39, .x2apic = true,
					     .eoi_suppress = true, .tsc_hz = 1000000000,
					     .timer_hz = 25000000, .ops = &lops,
					     .ctx = (void *)(uintptr_t)1 };

		vlapic_destroy(lapics[1]);
		lapics[1] = vlapic_create(&cfg);
		vlapic_mmio_write(lapics[1], APIC_SVR, 4,
				  APIC_SVR_ENABLE | APIC_SVR_EOI_SUPPRESS | 0xff);
	}
	vdev_irq_set(&bus, 7, true);
	CHECK(vlapic_ack(lapics[1], 0x77));
	vdev_irq_set(&bus, 7, false);
	vlapic_mmio_write(lapics[1], APIC_EOI, 4, 0);
	CHECK(rte_rd(7) & IOAPIC_RTE_REMOTE_IRR);	/* no broadcast */
	mmio_wr(IOAPIC_EOI, 4, 0x77);
	CHECK(!(rte_rd(7) & IOAPIC_RTE_REMOTE_IRR));
	/* A level entry for a software-disabled target: nobody takes it, no remote IRR. */
	vlapic_mmio_write(lapics[1], APIC_SVR, 4, 0xff);
	vdev_irq_set(&bus, 7, true);
	CHECK(!lirr(1, 0x77));
	CHECK(!(rte_rd(7) & IOAPIC_RTE_REMOTE_IRR));
	vdev_irq_set(&bus, 7, false);
	/* NMI becomes an event of the target. */
	rte_wr(8, (u64)APIC_DM_NMI << IOAPIC_RTE_DM_SHIFT | 3ull << IOAPIC_RTE_DEST_SHIFT);
	vdev_irq_set(&bus, 8, true);
	CHECK_EQ(cpu_seen[3].events, 1);
	/* x2APIC targets take 8-bit physical destinations. */
	vlapic_base_write(lapics[2], PLAT_LAPIC_BASE | APIC_BASE_EN | APIC_BASE_EXTD);
	rte_wr(3, 0x38 | 2ull << IOAPIC_RTE_DEST_SHIFT);
	vdev_irq_set(&bus, 3, false);
	vdev_irq_set(&bus, 3, true);
	CHECK(lirr(0, 0x38) == false);
	CHECK(vlapic_highest_pending(lapics[2]) == 0x38);
	rt.use_lapics = false;
}

/* ------------------------------------------- threads: devices and vCPUs */

#define EDGE_PINS	4		/* pins 0..3: edge, vector 0x30 + pin, vCPU pin % 2 */
#define LEVEL_PINS	4		/* pins 8..11: level, vector 0x60 + pin, vCPU pin % 2 */

static pthread_mutex_t line_lock[PLAT_IOAPIC_PINS];
static bool line_high[PLAT_IOAPIC_PINS];
static unsigned long pulses[PLAT_IOAPIC_PINS], asserts[PLAT_IOAPIC_PINS];
static unsigned long taken[PLAT_IOAPIC_PINS];
static unsigned int devices_done;

struct targ {
	unsigned int role;
	u64 seed;
};

/* A device's own lock orders its line changes (as a real device's would). */
static void line_set(unsigned int pin, bool high)
{
	pthread_mutex_lock(&line_lock[pin]);
	line_high[pin] = high;
	vdev_irq_set(&bus, pin, high);
	pthread_mutex_unlock(&line_lock[pin]);
}

static void *thread_main(void *arg)
{
	struct targ *t = arg;
	unsigned int rounds = test_opts.quick ? 5000 : 50000;

	if (t->role < 2) {			/* vCPU t->role */
		struct vlapic *v = lapics[t->role];

		for (;;) {
			int vec = vlapic_highest_pending(v);

			if (vec < 0) {
				bool quiet = true;

				/* Idle: yield, 4 threads share the CPUs with ticket locks. */
				if (load_acquire(&devices_done) < 2) {
					sched_yield();
					continue;
				}
				for (unsigned int p = 8; p < 8 + LEVEL_PINS; p++) {
					pthread_mutex_lock(&line_lock[p]);
					quiet &= !line_high[p] || p % 2 != t->role;
					pthread_mutex_unlock(&line_lock[p]);
				}
				if (quiet && vlapic_highest_pending(v) < 0)
					break;
				sched_yield();
				continue;
			}
			CHECK(vlapic_ack(v, (u8)vec));
			if (vec >= 0x68) {		/* a level pin: the handler lowers it */
				unsigned int pin = (unsigned int)vec - 0x60;

				taken[pin]++;
				line_set(pin, false);
			} else if (vec >= 0x30 && vec < 0x30 + EDGE_PINS) {
				taken[vec - 0x30]++;
			} else {
				test_fail(__FILE__, __LINE__, "vector %#x of no pin", vec);
			}
			vlapic_mmio_write(v, APIC_EOI, 4, 0);
		}
	} else if (t->role == 2) {		/* edge device */
		for (unsigned int i = 0; i < rounds; i++) {
			unsigned int pin = (unsigned int)(test_rand(&t->seed) % EDGE_PINS);

			line_set(pin, true);
			line_set(pin, false);
			pulses[pin]++;
		}
		fetch_add(&devices_done, 1);
	} else {				/* level device */
		for (unsigned int i = 0; i < rounds; i++) {
			unsigned int pin = 8 + (unsigned int)(test_rand(&t->seed) % LEVEL_PINS);
			bool fire;

			pthread_mutex_lock(&line_lock[pin]);
			fire = !line_high[pin];
			if (fire) {
				line_high[pin] = true;
				asserts[pin]++;
				vdev_irq_set(&bus, pin, true);
			}
			pthread_mutex_unlock(&line_lock[pin]);
			if (!fire)
				sched_yield();
		}
		fetch_add(&devices_done, 1);
	}
	return NULL;
}

static void test_threads(void)
{
	struct targ args[4];

	bus_up();
	lapics_up();
	for (unsigned int pin = 0; pin < PLAT_IOAPIC_PINS; pin++)
		pthread_mutex_init(&line_lock[pin], NULL);
	for (unsigned int pin = 0; pin < EDGE_PINS; pin++)
		rte_wr(pin, (0x30 + pin) | (u64)(pin % 2) << IOAPIC_RTE_DEST_SHIFT);
	for (unsigned int pin = 8; pin < 8 + LEVEL_PINS; pin++)
		rte_wr(pin, IOAPIC_RTE_LEVEL | (0x60 + pin) | (u64)(pin % 2) << IOAPIC_RTE_DEST_SHIFT);
	for (unsigned int i = 0; i < 4; i++)
		args[i] = (struct targ){ .role = i, .seed = test_opts.seed * (i + 1) + 1 };
	test_run_threads(4, thread_main, args, sizeof(args[0]));
	/* Every level assertion was taken exactly once; edges may coalesce, never multiply. */
	for (unsigned int pin = 8; pin < 8 + LEVEL_PINS; pin++) {
		CHECK_EQ(taken[pin], asserts[pin]);
		CHECK(!(rte_rd(pin) & IOAPIC_RTE_REMOTE_IRR));
	}
	for (unsigned int pin = 0; pin < EDGE_PINS; pin++) {
		CHECK(taken[pin] <= pulses[pin]);
		CHECK(taken[pin] > 0);
	}
	for (unsigned int i = 0; i < 2; i++) {
		CHECK_EQ(vlapic_highest_irr(lapics[i]), -1);
		CHECK_EQ(vlapic_mmio_read(lapics[i], APIC_PPR, 4), 0);
	}
	rt.use_lapics = false;
}

int main(int argc, char **argv)
{
	test_init(argc, argv, 0);
	test_registers();
	test_edge();
	test_level();
	test_modes();
	test_routing();
	test_threads();
	vdev_bus_destroy(&bus);
	for (unsigned int i = 0; i < NCPU; i++)
		vlapic_destroy(lapics[i]);
	return test_finish();
}
