// SPDX-License-Identifier: MIT
/*
 * Local APIC access in xAPIC (MMIO) or x2APIC (MSR) mode, and IPIs.
 *
 * Register numbers are the xAPIC MMIO offsets; in x2APIC mode register
 * OFF is MSR 0x800 + OFF / 16 (SDM Vol. 3A, 11.12.1.2), except that the ICR
 * is one 64-bit MSR and there is no DFR and no delivery-status bit.
 */
#include "arch/x86/lapic.h"
#include "arch/x86/cpu.h"
#include "arch/x86/paging.h"
#include "arch/x86/tsc.h"
#include "lib/platform.h"
#include "lib/printk.h"
#include "lib/x86_cpuid.h"

#define APIC_BASE_ADDR_MASK 0x000ffffffffff000ULL

/* How long an xAPIC ICR may stay busy before we call it stuck. */
#define LAPIC_ICR_TIMEOUT_NS (100 * 1000 * 1000ULL)

struct lapic_state {
	enum lapic_mode mode;
	phys_addr_t base_pa;
	volatile u32 *mmio; /* xAPIC only: uncached mapping of base_pa */
	bool tsc_deadline;  /* the timer has TSC-deadline mode */
};

/* Written by the BSP in lapic_init() before any AP starts; then read-only. */
static struct lapic_state lapic;

enum lapic_mode lapic_mode(void)
{
	return lapic.mode;
}

const char *lapic_mode_name(void)
{
	switch (lapic.mode) {
	case LAPIC_MODE_XAPIC:
		return "xAPIC";
	case LAPIC_MODE_X2APIC:
		return "x2APIC";
	case LAPIC_MODE_NONE:
		break;
	}
	return "no APIC";
}

bool lapic_ready(void)
{
	return lapic.mode != LAPIC_MODE_NONE;
}

static u32 lapic_read(u32 reg)
{
	if (lapic.mode == LAPIC_MODE_X2APIC)
		return (u32)rdmsr(X2APIC_MSR_FIRST + reg / 16);
	return lapic.mmio[reg / 4];
}

static void lapic_write(u32 reg, u32 val)
{
	if (lapic.mode == LAPIC_MODE_X2APIC)
		wrmsr(X2APIC_MSR_FIRST + reg / 16, val);
	else
		lapic.mmio[reg / 4] = val;
}

u32 lapic_id(void)
{
	if (lapic.mode == LAPIC_MODE_X2APIC)
		return lapic_read(APIC_ID);
	if (lapic.mode == LAPIC_MODE_XAPIC)
		return lapic_read(APIC_ID) >> 24;
	return lapic_cpuid_apic_id();
}

u32 lapic_cpuid_apic_id(void)
{
	/* Leaf 0xB's EDX is the full 32-bit x2APIC ID when the leaf exists. */
	if (cpuid_max(0) >= 0xb && cpuid_count(0xb, 0).ebx != 0)
		return cpuid_count(0xb, 0).edx;
	return cpuid(1).ebx >> 24;
}

u32 lapic_max_dest(void)
{
	/* 0xff is the xAPIC broadcast ID, and 0xffffffff the x2APIC one. */
	return lapic.mode == LAPIC_MODE_X2APIC ? 0xfffffffeu : 0xfeu;
}

void lapic_eoi(void)
{
	lapic_write(APIC_EOI, 0);
}

/* Program the software state every CPU needs: enabled, nothing masked by TPR. */
static void lapic_setup_local(void)
{
	lapic_write(APIC_TPR, 0);
	lapic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
	lapic_write(APIC_LVT_ERROR, APIC_LVT_MASKED);
	lapic_write(APIC_SVR, APIC_SVR_ENABLE | LAPIC_SPURIOUS_VECTOR);
	/* The ESR latches on a write; two writes clear what firmware left. */
	lapic_write(APIC_ESR, 0);
	lapic_write(APIC_ESR, 0);
}

/* Switch the calling CPU's APIC to lapic.mode through IA32_APIC_BASE. */
static int lapic_enable_mode(void)
{
	u64 base = rdmsr(MSR_IA32_APIC_BASE);

	if (lapic.mode == LAPIC_MODE_X2APIC) {
		if (!(cpuid(1).ecx & CPUID1_ECX_X2APIC)) {
			pr_err("lapic: this CPU has no x2APIC but the boot CPU uses it\n");
			return -HV_ENODEV;
		}
		/* EN must be set before (or with) EXTD; xAPIC -> x2APIC is legal. */
		if (!(base & APIC_BASE_EN))
			wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_EN);
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_EN | APIC_BASE_EXTD);
		return 0;
	}
	if (base & APIC_BASE_EXTD) {
		/* Leaving x2APIC needs a trip through "disabled"; never done here. */
		pr_err("lapic: this CPU is in x2APIC mode but the boot CPU uses xAPIC\n");
		return -HV_ENODEV;
	}
	if ((base & APIC_BASE_ADDR_MASK) != lapic.base_pa) {
		pr_err("lapic: APIC base %#lx differs from the boot CPU's %#lx\n",
		       (unsigned long)(base & APIC_BASE_ADDR_MASK), (unsigned long)lapic.base_pa);
		return -HV_ENODEV;
	}
	if (!(base & APIC_BASE_EN))
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_EN);
	return 0;
}

int lapic_init(u64 madt_lapic_pa)
{
	struct cpuid_regs r = cpuid(1);
	u64 base = rdmsr(MSR_IA32_APIC_BASE);

	if (!(r.edx & CPUID1_EDX_APIC)) {
		pr_err("lapic: CPUID reports no local APIC; running on the boot CPU only\n");
		return -HV_ENODEV;
	}
	lapic.base_pa = base & APIC_BASE_ADDR_MASK;
	lapic.tsc_deadline = r.ecx & CPUID1_ECX_TSC_DEADLINE;
	if (madt_lapic_pa && madt_lapic_pa != lapic.base_pa)
		pr_warn("lapic: MADT says the local APIC is at %#lx, IA32_APIC_BASE says %#lx; using the MSR\n",
			(unsigned long)madt_lapic_pa, (unsigned long)lapic.base_pa);

	if ((r.ecx & CPUID1_ECX_X2APIC) || (base & APIC_BASE_EXTD)) {
		lapic.mode = LAPIC_MODE_X2APIC;
	} else {
		lapic.mmio = paging_map_mmio(lapic.base_pa, PAGE_SIZE);
		if (!lapic.mmio) {
			pr_err("lapic: cannot map the xAPIC page at %#lx\n",
			       (unsigned long)lapic.base_pa);
			return -HV_ENODEV;
		}
		lapic.mode = LAPIC_MODE_XAPIC;
	}
	if (lapic_enable_mode() != 0) {
		lapic.mode = LAPIC_MODE_NONE;
		return -HV_ENODEV;
	}
	lapic_setup_local();
	pr_info("lapic: %s mode, boot CPU APIC id %u, version %#x, TSC-deadline timer %s\n",
		lapic_mode_name(), lapic_id(), lapic_read(APIC_VERSION) & 0xff,
		lapic.tsc_deadline ? "yes" : "no");
	return 0;
}

int lapic_ap_init(void)
{
	int err;

	if (lapic.mode == LAPIC_MODE_NONE)
		return -HV_ENODEV;
	err = lapic_enable_mode();
	if (err)
		return err;
	lapic_setup_local();
	return 0;
}

bool lapic_timer_deadline_ok(void)
{
	return lapic.mode != LAPIC_MODE_NONE && lapic.tsc_deadline;
}

void lapic_timer_arm(u64 tsc, u8 vector)
{
	lapic_write(APIC_LVT_TIMER, (APIC_TIMER_TSC_DEADLINE << APIC_LVT_TIMER_SHIFT) | vector);
	/*
	 * SDM 10.5.4.1: in xAPIC mode the MMIO write that selects
	 * TSC-deadline mode must be ordered before the WRMSR of the
	 * deadline, and MFENCE is the instruction it names for that (WRMSR
	 * does not wait for an earlier uncached store).  It pairs with no
	 * other CPU: both writes go to this CPU's own APIC.
	 */
	mfence();
	/* A deadline already past fires at once; 0 would disarm instead. */
	wrmsr(MSR_IA32_TSC_DEADLINE, tsc ? tsc : 1);
}

void lapic_timer_disarm(void)
{
	wrmsr(MSR_IA32_TSC_DEADLINE, 0);
	lapic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
}

/* Wait until the xAPIC has sent the last IPI (delivery status idle). */
static bool lapic_icr_wait_idle(void)
{
	u64 deadline;

	if (lapic.mode == LAPIC_MODE_X2APIC)
		return true; /* x2APIC WRMSR to the ICR completes the send */
	if (!(lapic_read(APIC_ICR_LO) & APIC_ICR_BUSY))
		return true;
	deadline = tsc_deadline_ns(LAPIC_ICR_TIMEOUT_NS);
	while (lapic_read(APIC_ICR_LO) & APIC_ICR_BUSY) {
		if (rdtsc() > deadline)
			return false;
		pause();
	}
	return true;
}

static int lapic_send_icr(u32 dest, u32 icr_lo)
{
	unsigned long flags;
	int err = 0;

	if (lapic.mode == LAPIC_MODE_NONE)
		return -HV_ENODEV;

	/*
	 * The xAPIC ICR is two registers written in order; an interrupt
	 * handler sending its own IPI in between would mix the two halves.
	 */
	flags = arch_irq_save();
	if (!lapic_icr_wait_idle()) {
		err = -HV_ETIMEDOUT;
	} else if (lapic.mode == LAPIC_MODE_X2APIC) {
		/*
		 * R11 (request, then kick): a WRMSR to the x2APIC ICR is not
		 * serializing and may send the IPI before earlier stores are
		 * globally visible (SDM Vol. 3A, 11.12.3); MFENCE drains them
		 * and LFENCE keeps the WRMSR from starting early.  Pairs with
		 * the loads of the receiving CPU's interrupt handler (e.g. the
		 * published vCPU or work item the IPI announces).  The xAPIC
		 * path needs nothing: its ICR is an uncached store, ordered
		 * after earlier stores by TSO.
		 */
		__asm__ __volatile__("mfence; lfence" ::: "memory");
		wrmsr(X2APIC_MSR_ICR, ((u64)dest << 32) | icr_lo);
	} else {
		lapic_write(APIC_ICR_HI, dest << 24);
		lapic_write(APIC_ICR_LO, icr_lo);
		if (!lapic_icr_wait_idle())
			err = -HV_ETIMEDOUT;
	}
	arch_irq_restore(flags);
	if (err)
		pr_err("lapic: IPI %#x to APIC id %u not accepted (ICR busy)\n", icr_lo, dest);
	return err;
}

int lapic_send_ipi(u32 apic_id, u32 icr_lo)
{
	if (apic_id > lapic_max_dest()) {
		pr_err("lapic: APIC id %u cannot be addressed in %s mode\n", apic_id,
		       lapic_mode_name());
		return -HV_EINVAL;
	}
	return lapic_send_icr(apic_id, icr_lo);
}

int lapic_send_init(u32 apic_id)
{
	return lapic_send_ipi(apic_id, LAPIC_DM_INIT | APIC_ICR_ASSERT);
}

int lapic_send_startup(u32 apic_id, u8 vector_page)
{
	return lapic_send_ipi(apic_id, LAPIC_DM_STARTUP | APIC_ICR_ASSERT | vector_page);
}

int lapic_send_nmi(u32 apic_id)
{
	return lapic_send_ipi(apic_id, LAPIC_DM_NMI | APIC_ICR_ASSERT);
}

int lapic_send_fixed(u32 apic_id, u8 vector)
{
	if (vector < 32) {
		pr_err("lapic: fixed IPI vector %u is an exception vector\n", vector);
		return -HV_EINVAL;
	}
	return lapic_send_ipi(apic_id, LAPIC_DM_FIXED | APIC_ICR_ASSERT | vector);
}

int lapic_send_nmi_allbutself(void)
{
	return lapic_send_icr(0, LAPIC_DM_NMI | APIC_ICR_ASSERT | (APIC_SH_ALL_BUT_SELF << APIC_ICR_SH_SHIFT));
}
