// SPDX-License-Identifier: MIT
/*
 * The x86 steps of the BSP's boot, in the order boot/hv_main.c calls them:
 * per-CPU/GDT/IDT and the early console, the boot information and the
 * command line, memory (memmap -> page tables -> frame allocator -> guarded
 * stacks), the platform (ACPI, LAPIC, TSC, APs), and the debug.fault= aid.
 * Nothing here calls into vmx/: hv_main() does that after these steps.
 */
#include "arch/x86/setup.h"
#include "arch/x86/acpi.h"
#include "arch/x86/cpu.h"
#include "arch/x86/lapic.h"
#include "arch/x86/memmap.h"
#include "arch/x86/paging.h"
#include "arch/x86/percpu.h"
#include "arch/x86/pic.h"
#include "arch/x86/rtc.h"
#include "arch/x86/smp.h"
#include "arch/x86/traps.h"
#include "arch/x86/tsc.h"
#include "arch/x86/uart.h"
#include "boot/cmdline.h"
#include "boot/multiboot2.h"
#include "lib/panic.h"
#include "lib/platform.h"
#include "lib/printk.h"
#include "mm/pmm.h"

/* Memory map entries listed one per line in the boot report. */
#define SETUP_MMAP_SHOWN 24

struct hv_config hv_config;
struct mb2_info hv_mb2;

static const char *setup_mmap_type(u32 type)
{
	switch (type) {
	case MB2_MEM_AVAILABLE:
		return "usable";
	case MB2_MEM_RESERVED:
		return "reserved";
	case MB2_MEM_ACPI_RECLAIMABLE:
		return "ACPI";
	case MB2_MEM_NVS:
		return "ACPI NVS";
	case MB2_MEM_BADRAM:
		return "bad RAM";
	default:
		return "other";
	}
}

/*
 * First step on the BSP: the per-CPU area, GDT, TSS and IDT (faults are
 * reported from here on), COM1 and the legacy PIC masked.
 */
void setup_early(void)
{
	percpu_early_init();
	uart_init(UART_COM1, UART_DEFAULT_BAUD);
	uart_write("\n", 1); /* ends the "hv: early 12345" progress line */
	pic_disable();
}

/* Re-program the console if the command line asks for another port or speed. */
static void setup_console(void)
{
	if (hv_config.console_port == uart_port() && hv_config.console_baud == UART_DEFAULT_BAUD)
		return;
	pr_info("console: switching to port %#x at %u baud\n", hv_config.console_port,
		hv_config.console_baud);
	if (!uart_init(hv_config.console_port, hv_config.console_baud)) {
		uart_init(UART_COM1, UART_DEFAULT_BAUD);
		pr_warn("console: no UART answers at port %#x (or %u baud is not supported); "
			"staying on COM1\n",
			hv_config.console_port, hv_config.console_baud);
	}
}

/**
 * setup_boot_info() - trust the loader's hand-over and read the command line.
 * @magic:   EAX from the loader (the 32-bit entry already checked it)
 * @info_pa: physical address of the multiboot2 information
 *
 * Fills hv_mb2 and hv_config, moves the console where the command line asks
 * and reports the loader, the command line and where the image lies.
 */
void setup_boot_info(u32 magic, u32 info_pa)
{
	int err;

	if (magic != MB2_BOOTLOADER_MAGIC)
		panic("not booted by a multiboot2 loader (magic %#x)", magic);
	err = mb2_parse(arch_phys_to_virt(info_pa), info_pa, GiB(4) - info_pa, &hv_mb2);
	if (err)
		panic("the multiboot2 boot information at %#x cannot be trusted (error %d)",
		      info_pa, err);

	cmdline_defaults(&hv_config);
	cmdline_parse(hv_mb2.cmdline, &hv_config);
	setup_console();
	printk_set_level(hv_config.loglevel);
	pr_info("loader: %s\n", hv_mb2.loader_name[0] ? hv_mb2.loader_name : "(unnamed)");
	pr_info("command line: \"%s\"\n", hv_mb2.cmdline);
	pr_info("image: %#llx-%#llx (%s)\n", memmap_image_start(),
		memmap_image_end(),
		boot_image_delta ? "relocated by the loader" : "at its link address");
}

static void setup_report_memory(const struct mb2_info *mb)
{
	const struct memmap *mm = memmap_get();
	unsigned int shown = 0;

	pr_info("memory map: %u entries%s%s\n", mb->mmap_count,
		mb->have_efi_mmap ? ", EFI memory map present" : "",
		mb->efi_boot_services_active ? ", EFI boot services still active" : "");
	for (; shown < mb->mmap_count && shown < SETUP_MMAP_SHOWN; shown++) {
		const struct mb2_mmap_entry *e = &mb->mmap[shown];

		pr_info("  [0x%012llx-0x%012llx) %s\n", e->base,
			(e->base + e->len), setup_mmap_type(e->type));
	}
	if (shown < mb->mmap_count)
		pr_info("  ... %u more entries\n", mb->mmap_count - shown);
	pr_info("memory: %llu MiB usable in %u range(s), RAM top %#llx\n",
		(mm->usable_bytes >> 20), mm->n_usable,
		mm->ram_top);
}

static void setup_report_modules(void)
{
	pr_info("modules: %u\n", hv_mb2.module_count);
	for (unsigned int i = 0; i < hv_mb2.module_count; i++) {
		const struct mb2_module *m = &hv_mb2.modules[i];

		pr_info("  module %u: \"%s\" %llu bytes at %#llx\n", i, m->cmdline,
			(m->end - m->start), m->start);
	}
}

void setup_memory(void)
{
	if (memmap_init(&hv_mb2))
		panic("cannot continue without a usable memory map");
	setup_report_memory(&hv_mb2);
	if (paging_init(&hv_mb2))
		panic("cannot build the hypervisor page tables");
	if (memmap_pmm_init())
		panic("cannot start the frame allocator");
	pr_info("pmm: %llu of %llu pages free\n", pmm_free_pages(),
		pmm_total_pages());
	/* Guarded IST stacks for the BSP now that pages can be allocated. */
	if (percpu_setup(0, this_cpu()->apic_id))
		panic("cannot allocate the boot CPU's stacks");
	percpu_mark_online(this_cpu());
	setup_report_modules();
}

/*
 * Platform bring-up: ACPI tables, local APIC, TSC calibration and the
 * application processors (arch/x86/acpi.c, lapic.c, tsc.c, smp.c).
 */
void setup_platform(void)
{
	const struct madt_info *madt;

	acpi_init(&hv_mb2, hv_config.debug_rsdp_scan);
	madt = acpi_madt();
	lapic_init(madt ? madt->lapic_pa : 0);
	tsc_calibrate();
	rtc_init();
	smp_boot_aps(&hv_config);
	pr_info("cpus: %u online\n", arch_cpus_online());
}

/* Recurse until the stack runs into its guard page (long before the limit). */
static __noinline unsigned long setup_overflow_stack(unsigned long depth)
{
	volatile u8 frame[256];

	if (depth > (1UL << 40))
		return 0;
	frame[0] = (u8)depth;
	/* The addition after the call keeps it from becoming a loop. */
	return setup_overflow_stack(depth + 1) + frame[0];
}

/*
 * debug.fault=ud|pf|gp|stack|nmi (a debugging aid, see boot/cmdline.h): raise
 * that exception on purpose after the boot report, to check the exception
 * dump.  "stack" overflows the boot stack: the #PF on the guard page cannot
 * push its frame, which makes it a #DF, handled on its own IST stack.
 */
void setup_debug_fault(void)
{
	switch (hv_config.debug_fault) {
	case CMDLINE_FAULT_UD:
		pr_info("debug.fault: raising #UD\n");
		__asm__ __volatile__("ud2");
		break;
	case CMDLINE_FAULT_PF:
		pr_info("debug.fault: raising #PF (write to an unmapped address)\n");
		*(volatile u64 *)0xdead000 = 1;
		break;
	case CMDLINE_FAULT_GP:
		pr_info("debug.fault: raising #GP (non-canonical address)\n");
		*(volatile u64 *)0x8000000000000000ULL = 1;
		break;
	case CMDLINE_FAULT_NMI:
		if (!lapic_ready()) {
			pr_warn("debug.fault=nmi: no local APIC to send it with\n");
			break;
		}
		pr_info("debug.fault: sending this CPU an NMI\n");
		lapic_send_nmi(lapic_id());
		/* Delivered on the NMI IST stack; the handler returns here. */
		tsc_delay_us(1000);
		pr_info("debug.fault: NMI handled, cpu%u continues\n", arch_cpu_id());
		break;
	case CMDLINE_FAULT_STACK:
		pr_info("debug.fault: overflowing the stack into its guard page\n");
		setup_overflow_stack(0);
		break;
	default:
		break;
	}
}
