// SPDX-License-Identifier: MIT
/*
 * Application-processor bring-up.
 *
 * The boot CPU copies boot/trampoline.asm to four free pages below 1 MiB
 * (code + data, then a PML4, PDPT and PD of its own: a 32-bit MOV to CR3
 * cannot reach the hypervisor's tables if they lie above 4 GiB, and those
 * tables do not map low memory).  Then, for one AP at a time:
 *
 *   BSP: percpu_setup(cpu, apic_id); fill the trampoline data block;
 *        INIT; 10 ms; go = 1 (release); SIPI; 200 us; SIPI again unless the
 *        AP has already claimed the block; wait for its acknowledgement.
 *   AP:  real mode: claim with xchg(go, 0); 32-bit; long mode on the
 *        trampoline's tables; smp_ap_entry(): hypervisor CR3, GDT/TSS/IDT/GS
 *        (cpu_local_init), local APIC, online, acknowledge.
 *
 * Giving up on an AP is race-free: the BSP withdraws the block with its own
 * xchg(go, 0).  If it gets 1 back, the AP never claimed it and, should it
 * wake up later, finds go == 0 and parks in real mode without touching
 * anything; the BSP also sends it another INIT, so it is back in
 * wait-for-SIPI long before the block is published for the next AP.  If it
 * gets 0, the AP is already running on the block and the BSP waits longer
 * for it.  tests/models/handoff.pml model-checks this hand-off.
 */
#include "arch/x86/smp.h"
#include "arch/x86/acpi.h"
#include "arch/x86/cpu.h"
#include "arch/x86/lapic.h"
#include "arch/x86/memmap.h"
#include "arch/x86/paging.h"
#include "arch/x86/percpu.h"
#include "arch/x86/setup.h"
#include "arch/x86/smp_lowmem.h"
#include "arch/x86/traps.h"
#include "arch/x86/tsc.h"
#include "lib/atomic.h"
#include "lib/mutate.h"
#include "lib/platform.h"
#include "lib/printk.h"
#include "lib/string.h"

/* The trampoline image (boot/trampoline.asm). */
extern const u8 smp_trampoline_start[], smp_trampoline_end[], smp_trampoline_data[];
extern const u8 smp_trampoline_pm32[], smp_trampoline_lm64[];

/* Offset of a trampoline label from its start (= from the copy's base). */
#define TRAMP_OFF(label) ((u64)((uintptr_t)(label) - (uintptr_t)smp_trampoline_start))

/* Pages of the low area: code+data, PML4, PDPT, PD. */
#define TRAMP_PAGES	4
#define TRAMP_AREA_SIZE (TRAMP_PAGES * PAGE_SIZE)
#define TRAMP_MIN_PA	0x1000	 /* page 0: real-mode IVT and BDA */
#define TRAMP_MAX_PA	0x100000 /* SIPI vectors reach below 1 MiB */

/* INIT-SIPI-SIPI delays (SDM Vol. 3A, 9.4.4.1 "typical BSP sequence"). */
#define SMP_INIT_DELAY_US 10000
#define SMP_SIPI_DELAY_US 200

/* Segment selectors of the trampoline's own GDT. */
#define TRAMP_SEL_CODE32 0x08
#define TRAMP_SEL_CODE64 0x18

/*
 * The trampoline's data block; offsets fixed by boot/trampoline.asm
 * (TRAMP_* equates there).  Written by the BSP between starts, read by one
 * AP after it has claimed @go.
 */
struct smp_tramp_data {
	u32 go;	   /* 1: published for one AP; the AP xchg's it to 0 */
	u32 cr3;   /* the trampoline's PML4 (below 1 MiB) */
	u64 efer;  /* BSP's EFER without LMA */
	u64 cr0;   /* BSP's CR0 (PE, PG, WP, ...) */
	u64 cr4;   /* BSP's CR4, loaded once in 64-bit mode */
	u64 entry; /* smp_ap_entry */
	u64 stack; /* initial RSP: the AP's own stack */
	u64 arg;   /* struct percpu * */
	u16 gdt_limit;
	u32 gdt_base; /* linear address of gdt[] in the copy */
	u32 pm32_off; /* far pointer to the 32-bit part */
	u16 pm32_sel;
	u32 lm64_off; /* far pointer to the 64-bit part */
	u16 lm64_sel;
	u8 pad[6];
	u64 gdt[4];
} __packed;

BUILD_BUG_ON(offsetof(struct smp_tramp_data, go) != 0);
BUILD_BUG_ON(offsetof(struct smp_tramp_data, cr3) != 4);
BUILD_BUG_ON(offsetof(struct smp_tramp_data, efer) != 8);
BUILD_BUG_ON(offsetof(struct smp_tramp_data, cr0) != 16);
BUILD_BUG_ON(offsetof(struct smp_tramp_data, cr4) != 24);
BUILD_BUG_ON(offsetof(struct smp_tramp_data, entry) != 32);
BUILD_BUG_ON(offsetof(struct smp_tramp_data, stack) != 40);
BUILD_BUG_ON(offsetof(struct smp_tramp_data, arg) != 48);
BUILD_BUG_ON(offsetof(struct smp_tramp_data, gdt_limit) != 56);
BUILD_BUG_ON(offsetof(struct smp_tramp_data, pm32_off) != 62);
BUILD_BUG_ON(offsetof(struct smp_tramp_data, lm64_off) != 68);
BUILD_BUG_ON(offsetof(struct smp_tramp_data, gdt) != 80);
BUILD_BUG_ON(sizeof(struct smp_tramp_data) != 112);

/* Acknowledgement word: (cpu + 1), with SMP_ACK_FAILED when init failed. */
#define SMP_ACK_FAILED 0x80000000u

struct smp_state {
	phys_addr_t tramp_pa;	     /* base of the low area */
	struct smp_tramp_data *data; /* its data block, through the direct map */
	u64 *pml4, *pdpt, *pd;	     /* its page tables, direct map */
	u64 kernel_cr3;		     /* what APs switch to in C */
	u32 skip_sipi_apic;	     /* debug.nosipi=: SMP_NO_APIC or an APIC id */
	u32 ack;		     /* written by the starting AP */
	u32 ping_count[HV_MAX_CPUS]; /* fixed-IPI check, one per CPU */
};

static struct smp_state smp = { .skip_sipi_apic = SMP_NO_APIC };

/* Park the calling CPU for good (interrupts off; NMIs still stop it). */
static __noreturn void smp_park(void)
{
	for (;;) {
		cli();
		hlt();
	}
}

static void smp_ping_handler(struct trap_frame *f)
{
	unsigned int cpu = arch_cpu_id();

	/*
	 * Only this CPU writes its counter (interrupts are off in the
	 * handler), so a plain increment is atomic enough.  R1 (publish,
	 * message passing): the new count is the answer; pairs with the
	 * load_acquire in smp_ping_aps().
	 */
	store_release(&smp.ping_count[cpu], smp.ping_count[cpu] + 1);
	lapic_eoi();
}

/*
 * An AP's life after bring-up: wait for interrupts.  Only IPIs reach an AP
 * (its LINT pins and timer are masked), so enabling interrupts here lets
 * the boot CPU talk to it through fixed vectors.
 */
static __noreturn void smp_ap_idle(void)
{
	for (;;)
		sti_hlt();
}

__noreturn void smp_ap_entry(struct percpu *pc)
{
	u32 ack = pc->cpu + 1;

	/* The hypervisor's own tables; the trampoline's map low memory too. */
	write_cr3(smp.kernel_cr3);
	cpu_local_init(pc);

	if (lapic_ap_init() != 0) {
		ack |= SMP_ACK_FAILED;
	} else {
		u32 apic = lapic_id();

		if (apic != pc->apic_id) {
			pr_err("APIC id %u, but the MADT entry started was %u\n", apic,
			       pc->apic_id);
			ack |= SMP_ACK_FAILED;
		}
	}
	if (!(ack & SMP_ACK_FAILED)) {
		percpu_mark_online(pc);
		pr_info("online, APIC id %u, %s, stack %#lx-%#lx\n", pc->apic_id, lapic_mode_name(),
			(unsigned long)pc->stack_bottom, (unsigned long)pc->stack_top);
	}
	/*
	 * R1 (publish-after-init): everything this CPU set up, and its online
	 * mark, is visible before the BSP sees the acknowledgement and moves
	 * on (and reuses the trampoline block).  Pairs with the load_acquire
	 * in smp_wait_ack().
	 */
	store_release(&smp.ack, ack);
	if (ack & SMP_ACK_FAILED)
		smp_park();
	smp_ap_idle();
}

/*
 * Pick TRAMP_PAGES free pages below 1 MiB from the usable RAM, clear of the
 * memory in use although the map calls it usable: the image, the multiboot2
 * information and the modules (a loader may put them low).  The frame
 * allocator never hands out memory below 1 MiB, so the pages stay ours.
 * The highest fit is taken, away from the BIOS data at the bottom.
 */
static bool smp_find_tramp_area(phys_addr_t *out)
{
	const struct memmap *mm = memmap_get();
	struct mem_range busy[2 + MB2_MAX_MODULES];
	unsigned int n = 0;

	busy[n++] = (struct mem_range){ memmap_image_start(),
					memmap_image_end() - memmap_image_start() };
	busy[n++] = (struct mem_range){ hv_mb2.info_pa, hv_mb2.info_size };
	for (unsigned int i = 0; i < hv_mb2.module_count && i < MB2_MAX_MODULES; i++)
		busy[n++] = (struct mem_range){ hv_mb2.modules[i].start,
						hv_mb2.modules[i].end - hv_mb2.modules[i].start };
	return smp_lowmem_pick(mm->usable, mm->n_usable, busy, n, TRAMP_AREA_SIZE, TRAMP_MIN_PA,
			       TRAMP_MAX_PA, out);
}

/*
 * Copy the trampoline and build its page tables.  PML4[0] -> PDPT[0] ->
 * PD[0] maps 0..2 MiB with one large page (the trampoline runs there with
 * paging on); the upper half is shared with the hypervisor's tables and is
 * refreshed before each start (smp_refresh_upper_half()).
 */
static bool smp_prepare_trampoline(void)
{
	size_t code_len = TRAMP_OFF(smp_trampoline_end);
	size_t data_off = TRAMP_OFF(smp_trampoline_data);
	phys_addr_t pa;
	u8 *va;
	struct smp_tramp_data *d;
	u64 cr4 = read_cr4();

	BUILD_BUG_ON(TRAMP_MAX_PA > MiB(2)); /* inside the identity large page */
	if (code_len > PAGE_SIZE) {
		pr_err("smp: trampoline is %zu bytes, more than a page\n", code_len);
		return false;
	}
	if (cr4 & X86_CR4_LA57) {
		pr_err("smp: 5-level paging is on; the AP trampoline builds 4-level tables\n");
		return false;
	}
	smp.kernel_cr3 = paging_kernel_cr3();
	if (!smp.kernel_cr3)
		smp.kernel_cr3 = read_cr3();
	if (!smp_find_tramp_area(&pa)) {
		pr_err("smp: no %lu KiB of free RAM below 1 MiB for the AP trampoline\n",
		       (unsigned long)(TRAMP_AREA_SIZE / 1024));
		return false;
	}
	smp.tramp_pa = pa;
	va = arch_phys_to_virt(pa);
	memset(va, 0, TRAMP_AREA_SIZE);
	memcpy(va, smp_trampoline_start, code_len);

	smp.pml4 = (u64 *)(va + PAGE_SIZE);
	smp.pdpt = (u64 *)(va + 2 * PAGE_SIZE);
	smp.pd = (u64 *)(va + 3 * PAGE_SIZE);
	smp.pd[0] = PTE_P | PTE_W | PTE_PS; /* physical 0, 2 MiB */
	smp.pdpt[0] = (pa + 3 * PAGE_SIZE) | PTE_P | PTE_W;
	smp.pml4[0] = (pa + 2 * PAGE_SIZE) | PTE_P | PTE_W;

	d = (struct smp_tramp_data *)(va + data_off);
	smp.data = d;
	d->cr3 = (u32)(pa + PAGE_SIZE);
	d->efer = rdmsr(MSR_EFER) & ~EFER_LMA;
	d->cr0 = read_cr0();
	/* VMX is each CPU's own business (VMXON region, feature control). */
	d->cr4 = cr4 & ~X86_CR4_VMXE;
	d->entry = (u64)smp_ap_entry;
	d->gdt[0] = 0;
	d->gdt[1] = 0x00cf9a000000ffffULL; /* 0x08: 32-bit code, flat */
	d->gdt[2] = 0x00cf92000000ffffULL; /* 0x10: data, flat */
	d->gdt[3] = 0x00af9a000000ffffULL; /* 0x18: 64-bit code */
	d->gdt_limit = sizeof(d->gdt) - 1;
	d->gdt_base = (u32)(pa + data_off + offsetof(struct smp_tramp_data, gdt));
	d->pm32_off = (u32)(pa + TRAMP_OFF(smp_trampoline_pm32));
	d->pm32_sel = TRAMP_SEL_CODE32;
	d->lm64_off = (u32)(pa + TRAMP_OFF(smp_trampoline_lm64));
	d->lm64_sel = TRAMP_SEL_CODE64;
	return true;
}

/*
 * Share the hypervisor's upper half (image, stacks, direct map) as it is
 * now: percpu_setup() may just have added top-level entries for new stacks.
 */
static void smp_refresh_upper_half(void)
{
	const u64 *kpml4 = arch_phys_to_virt(smp.kernel_cr3 & PTE_ADDR_MASK);

	for (unsigned int i = 256; i < 512; i++)
		smp.pml4[i] = kpml4[i];
}

/* Wait up to @timeout_ns for the starting AP's acknowledgement; 0 if none. */
static u32 smp_wait_ack(u64 timeout_ns)
{
	u64 deadline = tsc_deadline_ns(timeout_ns);
	u32 ack;

	/*
	 * R1: pairs with the store_release in smp_ap_entry(); what the AP
	 * initialised is visible once its acknowledgement is.
	 */
	while (!(ack = load_acquire(&smp.ack))) {
		if (rdtsc() > deadline)
			return 0;
		cpu_relax();
	}
	return ack;
}

enum smp_start_result {
	SMP_START_OK,
	SMP_START_NO_RESPONSE, /* never claimed the trampoline: safe to go on */
	SMP_START_INIT_FAILED, /* reached C but could not initialise: parked */
	SMP_START_STUCK,       /* claimed the trampoline, never reported */
	SMP_START_IPI_FAILED,  /* the local APIC did not send */
};

/*
 * Withdraw the trampoline block from an AP that has not claimed it yet.
 * True when it was still unclaimed (and now can never be).
 */
static bool smp_withdraw(void)
{
	/*
	 * R1 / atomicity: the withdrawal and the AP's claim are both XCHGs on
	 * go, so exactly one of them takes the 1.  Pairs with the xchg in
	 * boot/trampoline.asm.
	 */
	return xchg_rule(R1_SMP_WITHDRAW, &smp.data->go, 0) == 1;
}

/**
 * smp_start_ap() - start one AP and wait for it.
 * @cpu:  the dense index it gets (its percpu area is set up)
 * @apic: its APIC id
 *
 * Return: what happened (enum smp_start_result).
 */
static enum smp_start_result smp_start_ap(unsigned int cpu, u32 apic)
{
	struct percpu *pc = percpu_of(cpu);
	struct smp_tramp_data *d = smp.data;
	u8 vector = (u8)(smp.tramp_pa >> PAGE_SHIFT);
	u32 ack;

	smp_refresh_upper_half();
	d->stack = pc->stack_top;
	d->arg = (u64)pc;
	WRITE_ONCE(smp.ack, 0);

	if (lapic_send_init(apic) != 0)
		return SMP_START_IPI_FAILED;
	tsc_delay_us(SMP_INIT_DELAY_US);
	/*
	 * R1 (publish-after-init): the block is complete before go says so.
	 * Pairs with the claiming xchg in boot/trampoline.asm.  Published
	 * only now, 10 ms after this INIT and every earlier one, so that an AP
	 * given up on before (and INIT-reset) can no longer be running.
	 */
	store_release(&d->go, 1);
	if (apic == smp.skip_sipi_apic) {
		pr_warn("smp: debug.nosipi: no start-up IPI for APIC id %u\n", apic);
	} else {
		for (int i = 0; i < 2; i++) {
			if (lapic_send_startup(apic, vector) != 0)
				break;
			tsc_delay_us(SMP_SIPI_DELAY_US);
			/* Claimed: the AP left wait-for-SIPI, a second SIPI is moot. */
			if (READ_ONCE(d->go) == 0)
				break;
		}
	}

	ack = smp_wait_ack((u64)SMP_AP_TIMEOUT_MS * 1000000);
	if (!ack) {
		if (smp_withdraw()) {
			/* Hold it in wait-for-SIPI: it must not wake up later. */
			lapic_send_init(apic);
			return SMP_START_NO_RESPONSE;
		}
		ack = smp_wait_ack((u64)(SMP_AP_CLAIMED_TIMEOUT_MS - SMP_AP_TIMEOUT_MS) * 1000000);
		if (!ack)
			return SMP_START_STUCK;
	}
	if (ack == cpu + 1)
		return SMP_START_OK;
	if (ack == ((cpu + 1) | SMP_ACK_FAILED))
		return SMP_START_INIT_FAILED;
	pr_err("smp: unexpected acknowledgement %#x while starting cpu%u\n", ack, cpu);
	return SMP_START_STUCK;
}

/*
 * Send every online AP a fixed-vector IPI and wait for its handler to
 * count it: checks IPI delivery, the AP's IDT and its EOI end to end.
 */
/* Send @cpu a fixed IPI and wait up to 100 ms for its handler to count it. */
static bool smp_ping_cpu(unsigned int cpu)
{
	struct percpu *pc = percpu_of(cpu);
	/* R1: pairs with the store_release in smp_ping_handler(). */
	u32 before = load_acquire(&smp.ping_count[cpu]);
	u64 deadline;

	if (!pc || lapic_send_fixed(pc->apic_id, SMP_VECTOR_PING) != 0)
		return false;
	deadline = tsc_deadline_ns(100 * 1000 * 1000ULL);
	for (;;) {
		if (load_acquire(&smp.ping_count[cpu]) != before)
			return true;
		if (rdtsc() > deadline)
			return false;
		cpu_relax();
	}
}

static void smp_ping_aps(unsigned int ncpus)
{
	unsigned int answered = 0;

	for (unsigned int cpu = 1; cpu < ncpus; cpu++) {
		if (smp_ping_cpu(cpu))
			answered++;
		else
			pr_err("smp: cpu%u (APIC id %u) did not answer a fixed IPI\n", cpu,
			       percpu_of(cpu)->apic_id);
	}
	pr_info("smp: fixed-IPI check: %u of %u APs answered\n", answered, ncpus - 1);
}

unsigned int smp_check_cpus_answer(void)
{
	unsigned int self = arch_cpu_id(), n = arch_cpus_online(), lost = 0;

	for (unsigned int cpu = 0; cpu < n; cpu++) {
		if (cpu == self || smp_ping_cpu(cpu))
			continue;
		lost++;
		pr_plain("hv: cpu%u (APIC id %u) does not answer: it is lost to the hypervisor\n",
			 cpu, percpu_of(cpu)->apic_id);
	}
	if (!lost)
		pr_plain("hv: all %u CPUs answer\n", n);
	return lost;
}

static unsigned int smp_cpu_limit(const struct hv_config *cfg)
{
	if (cfg->nosmp)
		return 1;
	if (cfg->maxcpus && cfg->maxcpus < HV_MAX_CPUS)
		return cfg->maxcpus;
	return HV_MAX_CPUS;
}

/* What happened to the enabled MADT CPUs other than the boot CPU. */
struct smp_tally {
	unsigned int online;	    /* boot CPU included: the next cpu number */
	unsigned int failed;	    /* did not come up */
	unsigned int by_cmdline;    /* beyond maxcpus= */
	unsigned int by_max;	    /* beyond HV_MAX_CPUS */
	unsigned int unaddressable; /* APIC id too big for the APIC mode */
	unsigned int not_tried;	    /* after a failure that stops bring-up */
};

/*
 * Start one listed AP as cpu number t->online.  Returns false when bring-up
 * must stop: the CPU may still be using its stacks, its TSS or the
 * trampoline block, so neither its number nor the block can be reused.
 */
static bool smp_start_listed(const struct madt_cpu *c, unsigned int limit, struct smp_tally *t)
{
	unsigned int cpu = t->online;
	enum smp_start_result r;

	if (c->apic_id > lapic_max_dest()) {
		pr_warn("smp: APIC id %u cannot be addressed in %s mode; not started\n", c->apic_id,
			lapic_mode_name());
		t->unaddressable++;
		return true;
	}
	if (cpu >= limit) {
		if (limit < HV_MAX_CPUS)
			t->by_cmdline++;
		else
			t->by_max++;
		return true;
	}
	if (percpu_setup(cpu, c->apic_id) != 0) {
		pr_err("smp: no per-CPU area for cpu%u; not starting more CPUs\n", cpu);
		t->not_tried++;
		return false;
	}
	/* A previous attempt that never ran may have left another id here. */
	percpu_of(cpu)->apic_id = c->apic_id;

	r = smp_start_ap(cpu, c->apic_id);
	switch (r) {
	case SMP_START_OK:
		t->online++;
		return true;
	case SMP_START_NO_RESPONSE:
	case SMP_START_IPI_FAILED:
		/* Never ran (and is INIT-reset): its number goes to the next one. */
		pr_err("smp: cpu%u (APIC id %u) did not come up\n", cpu, c->apic_id);
		t->failed++;
		return true;
	case SMP_START_INIT_FAILED:
	case SMP_START_STUCK:
		break;
	}
	pr_err("smp: cpu%u (APIC id %u) %s; not starting more CPUs\n", cpu, c->apic_id,
	       r == SMP_START_STUCK ? "started but never reported" :
				      "failed to initialise and is parked");
	t->failed++;
	return false;
}

static void smp_report(const struct madt_info *madt, bool bsp_listed, unsigned int limit,
		       const struct smp_tally *t)
{
	unsigned int enabled = madt->ncpus_enabled + (bsp_listed ? 0 : 1);

	if (t->by_cmdline)
		pr_info("smp: maxcpus=%u: %u enabled CPU(s) not started\n", limit, t->by_cmdline);
	if (t->by_max)
		pr_warn("smp: %u enabled CPUs but HV_MAX_CPUS is %u: %u CPU(s) left out\n", enabled,
			HV_MAX_CPUS, t->by_max);
	if (t->unaddressable || t->not_tried)
		pr_warn("smp: %u CPU(s) not started (%u not addressable, %u after a failure)\n",
			t->unaddressable + t->not_tried, t->unaddressable, t->not_tried);
	if (t->failed)
		pr_warn("smp: %u of %u enabled CPUs online, %u did not come up\n", t->online,
			enabled, t->failed);
	else
		pr_info("smp: %u of %u enabled CPUs online\n", t->online, enabled);
}

void smp_boot_aps(const struct hv_config *cfg)
{
	const struct madt_info *madt = acpi_madt();
	unsigned int limit = smp_cpu_limit(cfg);
	struct smp_tally t = { .online = 1 };
	unsigned int candidates = 0;
	u32 bsp_apic = lapic_ready() ? lapic_id() : lapic_cpuid_apic_id();
	bool bsp_listed = false, go_on = true, ping;

	/* percpu_early_init() read the 8-bit CPUID id; the APIC's may be wider. */
	this_cpu()->apic_id = bsp_apic;
	pr_info("online, APIC id %u (boot CPU), %s\n", bsp_apic, lapic_mode_name());
	if (cfg->debug_nosipi)
		smp.skip_sipi_apic = cfg->debug_nosipi_apic;
	if (!madt) {
		pr_warn("smp: no MADT, so no list of CPUs: running on the boot CPU only\n");
		return;
	}
	if (!lapic_ready()) {
		pr_warn("smp: no usable local APIC: running on the boot CPU only\n");
		return;
	}
	if (madt->ncpus_total > madt->ncpus)
		pr_warn("smp: the MADT lists %u processors; only the first %u are used\n",
			madt->ncpus_total, madt->ncpus);
	for (unsigned int i = 0; i < madt->ncpus; i++) {
		if (madt->cpus[i].apic_id == bsp_apic)
			bsp_listed = true;
		else if (madt->cpus[i].enabled)
			candidates++;
	}
	if (!bsp_listed)
		pr_warn("smp: the boot CPU (APIC id %u) is not in the MADT\n", bsp_apic);
	if (!candidates)
		return;
	if (limit == 1) {
		pr_info("smp: %s: not starting %u other CPU(s)\n",
			cfg->nosmp ? "nosmp" : "maxcpus=1", candidates);
		return;
	}
	if (!smp_prepare_trampoline()) {
		pr_err("smp: cannot start APs: running on the boot CPU only\n");
		return;
	}
	ping = trap_register_handler(SMP_VECTOR_PING, smp_ping_handler);
	if (!ping)
		pr_warn("smp: vector %#x is taken; the fixed-IPI check is skipped\n",
			SMP_VECTOR_PING);
	pr_info("smp: trampoline at %#lx, %u AP(s) to start\n", (unsigned long)smp.tramp_pa,
		candidates);

	for (unsigned int i = 0; i < madt->ncpus; i++) {
		const struct madt_cpu *c = &madt->cpus[i];

		if (c->apic_id == bsp_apic || !c->enabled)
			continue;
		if (go_on)
			go_on = smp_start_listed(c, limit, &t);
		else
			t.not_tried++;
	}
	smp_report(madt, bsp_listed, limit, &t);
	if (ping && t.online > 1)
		smp_ping_aps(t.online);
}
