// SPDX-License-Identifier: MIT
/*
 * hv_main(): the boot sequence on the BSP, from the 64-bit entry to the
 * "hv: ready" line and on to the VMs.
 *
 * Order matters: the arch steps first (arch/x86/setup.c: per-CPU/GDT/IDT,
 * the boot information and command line, memory, the platform), then VMX,
 * then the ready line, then the consoles and the VMs (vmx/).  Arch code
 * does not call into vmx/; this file is where the two meet.
 */
#include "boot/hv_main.h"
#include "arch/x86/cpu.h"
#include "arch/x86/memmap.h"
#include "arch/x86/setup.h"
#include "lib/platform.h"
#include "lib/printk.h"
#include "vmx/caps.h"
#include "vmx/console/console.h"
#include "vmx/debug/test_aids.h"
#include "vmx/gdb/gdb_stub.h"
#include "vmx/stats/trace.h"
#include "vmx/vm/vm.h"

/**
 * hv_main() - C entry of the BSP (boot/entry.asm).
 * @magic:   EAX from the loader (the 32-bit entry already checked it)
 * @info_pa: physical address of the multiboot2 information
 */
void hv_main(u32 magic, u32 info_pa)
{
	setup_early();
	pr_info("hv %s (git %s, %s build): x86-64 VMX hypervisor\n", HV_VERSION, HV_GIT_REV,
		hv_build_kind);

	setup_boot_info(magic, info_pa);
	setup_memory();
	setup_platform();

	trace_init(!hv_config.trace_off);
	vmx_caps_probe(&vmx_caps);
	vmx_caps_report(&vmx_caps);

	pr_plain("hv: ready cpus=%u mem=%llu vmx=%s ept=%s ug=%s\n", arch_cpus_online(),
		 (memmap_get()->usable_bytes >> 20),
		 vmx_caps.vmx ? "yes" : "no", vmx_caps.ept ? "yes" : "no",
		 vmx_caps.unrestricted_guest ? "yes" : "no");

	setup_debug_fault();

	/* Console input (vmx/console/): taken from the first time this CPU enables interrupts. */
	console_init();
	/* gdb=: the GDB stub's serial port (vmx/gdb/), its interrupt on this CPU too. */
	gdb_stub_init(hv_config.gdb_port, hv_config.gdb_baud);

	/* The VMs of the vm= options (vmx/vm/vm.c); returns when all have stopped. */
	vm_start_all();
	/* No VM left (or none at all): the shell has the input. */
	console_boot_focus();

	/* Nothing to run yet: idle with interrupts on. */
	for (;;)
		sti_hlt();
}
