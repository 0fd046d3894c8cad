// SPDX-License-Identifier: MIT
/*
 * TSC calibration and the TSC-based monotonic clock (arch_time_ns()).
 *
 * The frequency is measured against PIT channel 2 (gated through port 0x61,
 * its output read back in bit 5) or, when the PIT does not answer, against
 * the ACPI PM timer.  A CPUID 0x15/0x16 nominal frequency is used only when
 * a measurement confirms it: emulators report the leaves of the CPU they
 * imitate while their TSC runs at a different rate (Bochs counts one tick
 * per instruction).
 *
 * The clock is ns = base_ns + (tsc - base_tsc) * mult >> 32.  Calibration
 * rebases it at the switch so that it never goes backwards.  All fields are
 * written by the BSP before the APs are started (the start-up IPI orders
 * them) and never change afterwards.
 */
#include "arch/x86/tsc.h"
#include "arch/x86/acpi.h"
#include "arch/x86/cpu.h"
#include "lib/platform.h"
#include "lib/printk.h"

#define NSEC_PER_SEC ((u64)1000000000)

/* PIT: 1.193182 MHz input clock; channel 2 data, command, and port 0x61. */
#define PIT_HZ		  ((u64)1193182)
#define PIT_CH2_DATA	  0x42
#define PIT_CMD		  0x43
#define PIT_CMD_CH2_MODE0 0xb0 /* channel 2, lobyte/hibyte, mode 0, binary */
#define PORT_SYS_CTRL_B	  0x61
#define SYS_CTRL_GATE2	  BIT(0) /* channel 2 gate */
#define SYS_CTRL_SPKR	  BIT(1) /* speaker data enable */
#define SYS_CTRL_OUT2	  BIT(5) /* channel 2 output (read-only) */
#define SYS_CTRL_WRITABLE 0x0f

#define PMTMR_HZ ((u64)3579545)

/* One measurement window, and how many we take (the shortest wins). */
#define CAL_WINDOW_US 10000
#define CAL_RUNS      3
/* A reference that has not ticked after this many polls is broken. */
#define CAL_MAX_POLLS 20000000UL
/* CPUID and measurement must agree within 1/CAL_AGREE (2 %). */
#define CAL_AGREE 50

struct tsc_clock {
	u64 hz;
	u64 mult; /* ns per tick in 32.32 fixed point */
	u64 base_tsc;
	u64 base_ns;
	enum tsc_source src;
};

static struct tsc_clock tsc_clk = {
	.hz = TSC_ASSUMED_HZ,
	.mult = (NSEC_PER_SEC << 32) / TSC_ASSUMED_HZ,
	.src = TSC_SRC_ASSUMED,
};

u64 tsc_hz(void)
{
	return tsc_clk.hz;
}

enum tsc_source tsc_source(void)
{
	return tsc_clk.src;
}

const char *tsc_source_name(enum tsc_source src)
{
	switch (src) {
	case TSC_SRC_ASSUMED:
		return "assumed";
	case TSC_SRC_PIT:
		return "PIT";
	case TSC_SRC_PMTIMER:
		return "ACPI PM timer";
	case TSC_SRC_CPUID:
		return "CPUID 0x15/0x16";
	case TSC_SRC_CPUID_ONLY:
		return "CPUID 0x15/0x16, unverified";
	}
	return "?";
}

u64 tsc_ticks_to_ns(u64 ticks)
{
	return (u64)(((unsigned __int128)ticks * tsc_clk.mult) >> 32);
}

u64 tsc_ns_to_ticks(u64 ns)
{
	u64 hz = tsc_clk.hz;

	/* Split so neither product overflows for hz < 18 GHz. */
	return ns / NSEC_PER_SEC * hz + (ns % NSEC_PER_SEC) * hz / NSEC_PER_SEC;
}

u64 tsc_ns(void)
{
	u64 now = rdtsc();

	/* A CPU whose TSC lags the base by a few ticks reads the base time. */
	if (now < tsc_clk.base_tsc)
		return tsc_clk.base_ns;
	return tsc_clk.base_ns + tsc_ticks_to_ns(now - tsc_clk.base_tsc);
}

u64 tsc_deadline_ns(u64 ns)
{
	return rdtsc() + tsc_ns_to_ticks(ns);
}

void tsc_delay_ns(u64 ns)
{
	u64 end = tsc_deadline_ns(ns);

	while (rdtsc() < end)
		pause();
}

void tsc_delay_us(u64 us)
{
	tsc_delay_ns(us * 1000);
}

/*
 * Count TSC ticks across one PIT channel 2 countdown of @pit_ticks input
 * clocks.  Mode 0 drives OUT2 low when the command is written and high at
 * terminal count; the gate must be high for it to count.  Returns 0 when
 * OUT2 is high right after programming or never rises.
 */
static u64 tsc_pit_window(u32 pit_ticks)
{
	u8 ctl = inb(PORT_SYS_CTRL_B);
	u64 t0, t1;

	outb(PORT_SYS_CTRL_B, (u8)((ctl & ~SYS_CTRL_SPKR) | SYS_CTRL_GATE2));
	outb(PIT_CMD, PIT_CMD_CH2_MODE0);
	outb(PIT_CH2_DATA, (u8)(pit_ticks & 0xff));
	outb(PIT_CH2_DATA, (u8)(pit_ticks >> 8));
	t0 = rdtsc();
	if (inb(PORT_SYS_CTRL_B) & SYS_CTRL_OUT2) {
		t1 = t0; /* output did not drop: no working channel 2 */
	} else {
		unsigned long polls = 0;

		while (!(inb(PORT_SYS_CTRL_B) & SYS_CTRL_OUT2) && ++polls <= CAL_MAX_POLLS)
			;
		t1 = polls > CAL_MAX_POLLS ? t0 : rdtsc();
	}
	/* Restore the writable bits (3:0: gate, speaker, check enables). */
	outb(PORT_SYS_CTRL_B, ctl & SYS_CTRL_WRITABLE);
	return t1 - t0;
}

static u64 tsc_measure_pit(void)
{
	u32 pit_ticks = (u32)(PIT_HZ * CAL_WINDOW_US / 1000000);
	u64 best = ~0ULL;

	for (int i = 0; i < CAL_RUNS; i++) {
		u64 d = tsc_pit_window(pit_ticks);

		if (!d)
			return 0;
		best = MIN(best, d);
	}
	return best * PIT_HZ / pit_ticks;
}

static u64 tsc_measure_pmtimer(void)
{
	u16 port;
	bool wide;
	u32 mask, want = (u32)(PMTMR_HZ * CAL_WINDOW_US / 1000000);
	u64 best_hz = 0;

	if (!acpi_pm_timer(&port, &wide))
		return 0;
	mask = wide ? 0xffffffffu : 0x00ffffffu;

	for (int i = 0; i < CAL_RUNS; i++) {
		unsigned long polls = 0;
		u32 p0, p1, elapsed;
		u64 t0, t1, hz;

		/* Start on a counter edge so the window is whole ticks. */
		p0 = inl(port) & mask;
		while ((p1 = inl(port) & mask) == p0) {
			if (++polls > CAL_MAX_POLLS)
				return 0;
		}
		t0 = rdtsc();
		p0 = p1;
		do {
			p1 = inl(port) & mask;
			elapsed = (p1 - p0) & mask;
			if (++polls > CAL_MAX_POLLS)
				return 0;
		} while (elapsed < want);
		t1 = rdtsc();
		hz = (t1 - t0) * PMTMR_HZ / elapsed;
		/* Slow reads only stretch t1 - t0 past elapsed: keep the lowest. */
		if (!best_hz || hz < best_hz)
			best_hz = hz;
	}
	return best_hz;
}

/* Nominal TSC frequency from CPUID 0x15 (or 0x16's base MHz), 0 if none. */
static u64 tsc_cpuid_hz(void)
{
	u32 max = cpuid_max(0);
	struct cpuid_regs r;

	if (max >= 0x15) {
		r = cpuid(0x15);
		if (r.eax && r.ebx && r.ecx)
			return (u64)r.ecx * r.ebx / r.eax;
	}
	if (max >= 0x16) {
		r = cpuid(0x16);
		if (r.eax & 0xffff)
			return (u64)(r.eax & 0xffff) * 1000000;
	}
	return 0;
}

static void tsc_set_hz(u64 hz, enum tsc_source src)
{
	u64 now = rdtsc();
	u64 ns_now = tsc_ns();

	tsc_clk.base_tsc = now;
	tsc_clk.base_ns = ns_now;
	tsc_clk.hz = hz;
	tsc_clk.mult = (NSEC_PER_SEC << 32) / hz;
	tsc_clk.src = src;
}

static bool tsc_agree(u64 a, u64 b)
{
	u64 diff = a > b ? a - b : b - a;

	return diff <= a / CAL_AGREE;
}

void tsc_calibrate(void)
{
	u64 nominal = tsc_cpuid_hz();
	enum tsc_source src = TSC_SRC_PIT;
	u64 measured;
	unsigned long flags = arch_irq_save();

	measured = tsc_measure_pit();
	if (!measured) {
		pr_warn("tsc: PIT channel 2 does not count, trying the ACPI PM timer\n");
		measured = tsc_measure_pmtimer();
		src = TSC_SRC_PMTIMER;
	}
	arch_irq_restore(flags);

	if (measured && nominal && tsc_agree(measured, nominal)) {
		tsc_set_hz(nominal, TSC_SRC_CPUID);
		pr_info("tsc: %llu.%03llu MHz (CPUID, %s measured %llu.%03llu MHz)\n",
			nominal / 1000000, nominal / 1000 % 1000, tsc_source_name(src),
			measured / 1000000, measured / 1000 % 1000);
		return;
	}
	if (measured) {
		tsc_set_hz(measured, src);
		if (nominal)
			pr_info("tsc: CPUID says %llu MHz but the TSC runs at a different rate\n",
				nominal / 1000000);
		pr_info("tsc: %llu.%03llu MHz (measured with the %s)\n", measured / 1000000,
			measured / 1000 % 1000, tsc_source_name(src));
		return;
	}
	if (nominal) {
		tsc_set_hz(nominal, TSC_SRC_CPUID_ONLY);
		pr_warn("tsc: no timer to measure against; trusting CPUID: %llu MHz\n",
			nominal / 1000000);
		return;
	}
	pr_err("tsc: cannot determine the TSC frequency; assuming %llu MHz, timeouts are approximate\n",
	       TSC_ASSUMED_HZ / 1000000);
}
