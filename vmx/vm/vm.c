// SPDX-License-Identifier: MIT
/*
 * Virtual machines: build each configured VM (memory from the frame
 * allocator, its EPT MMU and memory slots, the guest image, bitmaps, vCPUs),
 * start the vCPUs on their CPUs, stop a VM and report on it.
 *
 * Guest memory is never identity-mapped: guest-physical 0.. is backed by
 * blocks from pmm_alloc() wherever they are, one memory slot per block.
 */
#include "vmx/vm/vm.h"

#include "arch/x86/cpu.h"
#include "arch/x86/lapic.h"
#include "arch/x86/percpu.h"
#include "arch/x86/smp.h"
#include "arch/x86/setup.h"
#include "lib/atomic.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/ept_mmu.h"
#include "mm/heap.h"
#include "mm/pmm.h"
#include "vmx/caps.h"
#include "vmx/console/console.h"
#include "vmx/gdb/gdb_stub.h"
#include "vmx/dev/apic_route.h"
#include "vmx/dev/platform.h"
#include "vmx/dev/uart16550.h"
#include "vmx/msr_bitmap.h"
#include "vmx/vcpu_lapic.h"
#include "vmx/vm/acpi_build.h"
#include "vmx/vm/guest_mem.h"
#include "vmx/vcpu_run.h"
#include "vmx/stats/exit_stats.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_cpu.h"
#include "vmx/vmx_error.h"

struct vm *vm_list[HV_MAX_VMS];
unsigned int vm_count;

/* ---------------------------------------------------------------- VPIDs */

#define VPID_MAX	256
static u64 vpid_map[VPID_MAX / 64];

/* A free VPID (1..VPID_MAX-1; 0 is the host's), or 0 when none is left. */
static u16 vpid_alloc(void)
{
	unsigned int i;

	for (i = 1; i < VPID_MAX; i++) {
		u64 bit = BIT(i % 64);

		/* Atomicity only (no ordering): a locked RMW, so no VPID is handed out twice. */
		if (!(fetch_or(&vpid_map[i / 64], bit) & bit))
			return (u16)i;
	}
	return 0;
}

static void vpid_free(u16 vpid)
{
	/* Atomicity only: a locked RMW, so a concurrent claim of another bit is kept. */
	if (vpid)
		fetch_and(&vpid_map[vpid / 64], ~BIT(vpid % 64));
}

/* ---------------------------------------------------------------- memory */

/* Back [0, mem) with the largest free blocks, one memory slot each. */
static int vm_alloc_memory(struct vm *vm)
{
	u64 left = vm->mem_size;
	gpa_t gpa = 0;

	while (left) {
		unsigned int order = PMM_MAX_ORDER;
		phys_addr_t pa = 0;

		while (order > 9 && (PAGE_SIZE << order) > left)
			order--;
		/* Blocks are aligned to their size, so 2M/1G EPT leaves stay possible. */
		while (order >= 9 && !(pa = pmm_alloc(order)))
			order--;
		if (!pa) {
			pr_err("vm %s: out of memory after %llu of %llu MiB\n", vm->cfg.name,
			       (gpa >> 20),
			       (vm->mem_size >> 20));
			return -HV_ENOMEM;
		}
		/* One slot stays free for the APIC-access page (vm_add_slots()). */
		if (vm->nchunks == VM_MAX_CHUNKS || vm->nchunks == EPT_MAX_SLOTS - 1) {
			pmm_free(pa, order);
			pr_err("vm %s: memory too fragmented (more than %u blocks)\n",
			       vm->cfg.name, vm->nchunks);
			return -HV_ENOSPC;
		}
		/* Never hand a guest what the hypervisor or another VM left there. */
		memset(arch_phys_to_virt(pa), 0, PAGE_SIZE << order);
		vm->chunks[vm->nchunks++] = (struct vm_mem_chunk){ gpa, pa, PAGE_SIZE << order,
								   order };
		gpa += PAGE_SIZE << order;
		left -= MIN(left, (u64)(PAGE_SIZE << order));
	}
	return 0;
}

static int vm_add_slots(struct vm *vm)
{
	unsigned int i;
	int err;

	for (i = 0; i < vm->nchunks; i++) {
		const struct vm_mem_chunk *c = &vm->chunks[i];
		struct ept_memslot s = {
			.id = i + 1,
			.kind = EPT_SLOT_RAM,
			.base_gfn = c->gpa >> PAGE_SHIFT,
			.npages = c->size >> PAGE_SHIFT,
			.base_pfn = c->hpa >> PAGE_SHIFT,
		};

		err = ept_memslot_set(vm->mmu, &s);
		if (err)
			return err;
	}
	/*
	 * With APIC virtualisation the xAPIC page's guest-physical address
	 * maps the APIC-access page: accesses that reach it are virtualised
	 * by the CPU or exit (SDM "APIC-access page"), whatever the page holds.
	 */
	if (vm->apic_access) {
		struct ept_memslot s = {
			.id = vm->nchunks + 1,
			.kind = EPT_SLOT_RAM,
			.base_gfn = PLAT_LAPIC_BASE >> PAGE_SHIFT,
			.npages = 1,
			.base_pfn = arch_virt_to_phys(vm->apic_access) >> PAGE_SHIFT,
		};

		return ept_memslot_set(vm->mmu, &s);
	}
	return 0;
}

static int vm_create_vcpus(struct vm *vm)
{
	unsigned int cpu;
	int err;

	for (cpu = 0; cpu < HV_MAX_CPUS; cpu++) {
		struct vcpu *v;

		if (!(vm->cfg.cpu_mask & BIT(cpu)))
			continue;
		if (vm->nvcpus == VM_MAX_VCPUS) {
			pr_err("vm %s: more than %u vCPUs\n", vm->cfg.name, VM_MAX_VCPUS);
			return -HV_ENOSPC;
		}
		v = kzalloc(sizeof(*v));
		if (!v)
			return -HV_ENOMEM;
		vm->vcpus[vm->nvcpus++] = v;	/* owned by the VM from here (vm_free) */
		v->stats = kzalloc(sizeof(*v->stats));
		if (!v->stats)
			return -HV_ENOMEM;
		v->vm = vm;
		v->id = vm->nvcpus - 1;
		v->pcpu = cpu;
		v->run_state = VCPU_WAIT_SIPI;
		if (vmx_caps.vpid && !(v->vpid = vpid_alloc())) {
			pr_err("vm %s: out of VPIDs\n", vm->cfg.name);
			return -HV_ENOSPC;
		}
		v->flush_id = ept_flush_vcpu_add(&vm->mmu->flush, v);
		if (v->flush_id < 0)
			return v->flush_id;
		err = vcpu_lapic_create(v);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Give back everything a VM that failed to start holds, so that the VMs
 * after it still find memory.  @mmu_ready: ept_mmu_init() succeeded.
 */
static void vm_free_parts(struct vm *vm, bool mmu_ready)
{
	unsigned int i;

	vdev_bus_destroy(&vm->bus);
	if (mmu_ready)
		ept_mmu_destroy(vm->mmu);
	for (i = 0; i < vm->nchunks; i++)
		pmm_free(vm->chunks[i].hpa, vm->chunks[i].order);
	for (i = 0; i < vm->nvcpus; i++) {
		vpid_free(vm->vcpus[i]->vpid);
		if (vm->vcpus[i]->vmcs)
			arch_page_free(vm->vcpus[i]->vmcs);
		vcpu_lapic_destroy(vm->vcpus[i]);
		kfree(vm->vcpus[i]->stats);
		kfree(vm->vcpus[i]);
	}
	for (i = 0; i < 2; i++)
		if (vm->io_bitmap[i])
			arch_page_free(vm->io_bitmap[i]);
	if (vm->msr_bitmap)
		arch_page_free(vm->msr_bitmap);
	if (vm->msr_bitmap_x2apic)
		arch_page_free(vm->msr_bitmap_x2apic);
	if (vm->apic_access)
		arch_page_free(vm->apic_access);
	kfree(vm->mmu);
	/* Back to the state vm_build() starts from; what lies before mmu stays. */
	memset(&vm->mmu, 0, sizeof(*vm) - offsetof(struct vm, mmu));
}

static void vm_free(struct vm *vm, bool mmu_ready)
{
	vm_free_parts(vm, mmu_ready);
	kfree(vm);
}

/* ---------------------------------------------------------------- devices */

static void vm_dev_console_putc(void *owner, u8 c)
{
	vm_console_putc(owner, c);
}

static void vm_dev_console_rx_room(void *owner)
{
	console_vm_rx_room(owner);
}

static void vm_dev_request_stop(void *owner, unsigned int code)
{
	vm_stop(owner, "isa-debug-exit, exit code %u", code);
}

static void vm_dev_request_reset(void *owner, const char *why)
{
	vm_reset(owner, "reset (%s)", why);
}

static void vm_dev_request_poweroff(void *owner)
{
	vm_stop(owner, "power off");
}

static u64 vm_dev_time_ns(void *owner)
{
	return arch_time_ns();
}

/* The I/O APIC's messages, to the VM's local APICs (none before the vCPUs exist). */
static unsigned int vm_dev_apic_deliver(void *owner, const struct apic_msg *m)
{
	struct vm *vm = owner;

	return apic_route(vm->lapics, vm->nvcpus, m);
}

static s64 vm_dev_wallclock_sec(void *owner)
{
	return arch_wallclock_sec();
}

/*
 * The VM's ACPI tables (vmx/vm/acpi_build.c) at 0xE0000, where a BIOS-area
 * scan finds the RSDP; the area lies in the VM's RAM below 1 MiB, which
 * no loader uses.
 */
static int vm_place_acpi(struct vm *vm)
{
	const struct acpi_build_cfg cfg = {
		.nr_vcpus = vm->nvcpus,
		.x2apic = vm->nvcpus > 255,
	};
	struct acpi_build_info info;
	size_t size = acpi_build_size(&cfg);
	u8 *buf;
	int rc;

	if (!size || size > PLAT_ACPI_AREA_SIZE) {
		pr_err("vm %s: ACPI tables for %u vCPUs do not fit\n", vm->cfg.name, vm->nvcpus);
		return -HV_ERANGE;
	}
	buf = kzalloc(size);
	if (!buf) {
		pr_err("vm %s: no memory to build its ACPI tables\n", vm->cfg.name);
		return -HV_ENOMEM;
	}
	rc = acpi_build(&cfg, buf, size, PLAT_ACPI_AREA_GPA, &info);
	if (rc) {
		pr_err("vm %s: its ACPI tables could not be built (%d)\n", vm->cfg.name, rc);
		kfree(buf);
		return -HV_EINVAL;
	}
	rc = copy_to_guest(vm, PLAT_ACPI_AREA_GPA, buf, info.size);
	kfree(buf);
	if (rc) {
		pr_err("vm %s: its ACPI tables could not be built (%d)\n", vm->cfg.name, rc);
		return rc;
	}
	vm->acpi_rsdp = info.rsdp_gpa;
	return 0;
}

/* Every registered device type, and COM1's input=TEXT. */
static int vm_create_devices(struct vm *vm)
{
	const struct vdev_host host = {
		.owner = vm,
		.name = vm->cfg.name,
		.nvcpus = (unsigned int)__builtin_popcountll(vm->cfg.cpu_mask),
		.mem_size = vm->mem_size,
		.console_putc = vm_dev_console_putc,
		.console_rx_room = vm_dev_console_rx_room,
		.request_stop = vm_dev_request_stop,
		.request_reset = vm_dev_request_reset,
		.request_poweroff = vm_dev_request_poweroff,
		.time_ns = vm_dev_time_ns,
		.wallclock_sec = vm_dev_wallclock_sec,
		.apic_deliver = vm_dev_apic_deliver,
	};
	struct uart16550 *com1;
	int err;

	vdev_bus_init(&vm->bus, &host);
	err = vdev_bus_create_all(&vm->bus);
	if (err)
		return err;
	com1 = uart16550_com1(&vm->bus);
	if (vm->cfg.input_len && com1 &&
	    uart_rx_feed(com1, (const u8 *)vm->cfg.input, vm->cfg.input_len) != vm->cfg.input_len) {
		pr_err("vm %s: input= does not fit COM1's backlog\n", vm->cfg.name);
		return -HV_ENOSPC;
	}
	return 0;
}

/*
 * Build @vm from its configuration: everything from vm->mmu on starts
 * zeroed.  On failure the parts built so far are given back (the struct
 * stays) and the failing step's negated HV_E* value is returned after a
 * message.
 */
static int vm_build(struct vm *vm)
{
	const struct vm_config *cfg = &vm->cfg;
	struct ept_mmu_config mc = { 0 };
	unsigned int i;
	int err;

	vm_log_init(vm);
	vm_console_init(vm, cfg->console_raw);
	vm->mem_size = cfg->mem_mib << 20;
	vm->mmu = kzalloc(sizeof(*vm->mmu));
	vm->io_bitmap[0] = arch_page_alloc();
	vm->io_bitmap[1] = arch_page_alloc();
	vm->msr_bitmap = arch_page_alloc();
	if (!vm->mmu || !vm->io_bitmap[0] || !vm->io_bitmap[1] || !vm->msr_bitmap) {
		pr_err("vm %s: out of memory for its structures\n", cfg->name);
		vm_free_parts(vm, false);
		return -HV_ENOMEM;
	}
	memset(vm->io_bitmap[0], 0xff, PAGE_SIZE);
	memset(vm->io_bitmap[1], 0xff, PAGE_SIZE);
	vm_msr_bitmap_init(vm->msr_bitmap);
	/* APIC virtualisation where the CPU offers it and the VM did not say apicv=off. */
	vm->apicv = vmx_caps.apicv && !cfg->apicv_off;
	if (vm->apicv) {
		vm->apic_access = arch_page_alloc();
		if (vmx_caps.virt_x2apic)
			vm->msr_bitmap_x2apic = arch_page_alloc();
		if (!vm->apic_access || (vmx_caps.virt_x2apic && !vm->msr_bitmap_x2apic)) {
			pr_err("vm %s: out of memory for its structures\n", cfg->name);
			vm_free_parts(vm, false);
			return -HV_ENOMEM;
		}
		memset(vm->apic_access, 0, PAGE_SIZE);
		if (vm->msr_bitmap_x2apic)
			vm_msr_bitmap_x2apic_init(vm->msr_bitmap_x2apic, vm->msr_bitmap);
	}

	mc.five_level = !vmx_caps.ept_4level && vmx_caps.ept_5level;
	/* A 4 KiB mapping of all memory twice over (live + retired awaiting EBR), plus the top. */
	mc.max_table_pages = 2 * (vm->mem_size >> 21) + 64;
	mc.gfn_limit = vm->mem_size >> PAGE_SHIFT;
	mc.flush_ops = &vmx_ept_flush_ops;
	mc.max_level = vmx_caps.ept_1g ? 3 : vmx_caps.ept_2m ? 2 : 1;
	err = ept_mmu_init(vm->mmu, &mc);
	if (err) {
		pr_err("vm %s: EPT MMU setup failed\n", cfg->name);
		vm_free_parts(vm, false);
		return err;
	}
	/* ACPI before the image: the loaders give the kernel the RSDP's address. */
	err = vm_alloc_memory(vm);
	if (!err)
		err = vm_add_slots(vm);
	if (!err)
		err = vm_create_devices(vm);
	if (!err)
		err = vm_create_vcpus(vm);
	if (!err)
		err = vm_place_acpi(vm);
	if (!err)
		err = vm_load_image(vm);
	if (err) {
		vm_free_parts(vm, true);
		return err;
	}
	for (i = 0; i < vm->nvcpus; i++)
		vm->vcpus_running++;
	/* No other CPU sees the VM before vm_start_all() publishes its vCPUs (R1). */
	WRITE_ONCE(vm->state, VM_RUNNING);
	pr_info("vm %s: %llu MiB in %u blocks, %u vCPUs, entry=%s, EPT %d-level, local APICs %s\n",
		cfg->name, cfg->mem_mib, vm->nchunks, vm->nvcpus,
		cfg->kernel[0] ? "kernel" : cfg->entry == VM_ENTRY_REAL ? "real" :
		cfg->entry == VM_ENTRY_PROT ? "prot" : "long",
		vm->mmu->root_level,
		vm->apicv ? (vmx_caps.virt_x2apic ?
			     "virtualised (APIC-register virtualisation, virtual-interrupt delivery, "
			     "x2APIC mode)" :
			     "virtualised (APIC-register virtualisation, virtual-interrupt delivery)") :
		cfg->apicv_off ? "emulated (apicv=off)" :
		"emulated (the CPU has no APIC virtualisation)");
	return 0;
}

static struct vm *vm_create(const struct vm_config *cfg, unsigned int id)
{
	struct vm *vm = kzalloc(sizeof(*vm));

	if (!vm) {
		pr_err("vm %s: out of memory for its structures\n", cfg->name);
		return NULL;
	}
	vm->cfg = *cfg;
	vm->id = id;
	spin_lock_init(&vm->lock);
	if (vm_build(vm)) {
		kfree(vm);
		return NULL;
	}
	return vm;
}

u64 vm_eptp(struct vm *vm)
{
	struct ept_root *root = ept_root_get_active(vm->mmu);
	u64 eptp;

	if (!root)
		return 0;
	eptp = arch_virt_to_phys((const void __force *)root->page->spt) | EPT_MT_WB |
	       ((u64)(root->level - 1) << 3);
	if (vmx_caps.ept_ad)
		eptp |= BIT(6);		/* accessed/dirty flags */
	ept_root_put(vm->mmu, root);
	return eptp;
}

/* ---------------------------------------------------------------- stop and report */

enum vm_stop_kind { VM_STOP_PLAIN, VM_STOP_RESET, VM_STOP_RESTART };

static void vm_stop_va(struct vm *vm, enum vm_stop_kind kind, const char *fmt, va_list ap)
{
	unsigned int i;

	spin_lock(&vm->lock);
	if (vm->state == VM_STOPPED) {
		spin_unlock(&vm->lock);
		return;
	}
	fmt_vsnprintf(vm->stop_reason, sizeof(vm->stop_reason), fmt, ap);
	/*
	 * Under vm->lock, published with the reason by the store_release of
	 * STOPPED below; the last vCPU out reads it after its own load_acquire
	 * of the state (vm_is_stopped()) and the fetch_sub in vm_run_this_cpu().
	 */
	vm->restart = kind == VM_STOP_RESTART || (kind == VM_STOP_RESET && vm->cfg.reset_restart);
	vm->restart_why = kind == VM_STOP_RESTART ? "from the shell" : "after the reset";
	/*
	 * R1 (publish): the reason is written before the state says
	 * STOPPED.  Pairs with the load_acquire in vm_is_stopped().
	 */
	store_release(&vm->state, VM_STOPPED);
	spin_unlock(&vm->lock);
	/*
	 * R11 shape: vcpu_wake() fences, so STOPPED is globally visible before
	 * each kick; a vCPU on its way in reads the state once more after the
	 * full fence of ept_flush_vcpu_enter(), one asleep in vcpu_idle() is
	 * woken to look.
	 */
	for (i = 0; i < vm->nvcpus; i++)
		if (vm->vcpus[i]->pcpu != arch_cpu_id())
			vcpu_wake(vm->vcpus[i]);
}

void vm_stop(struct vm *vm, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vm_stop_va(vm, VM_STOP_PLAIN, fmt, ap);
	va_end(ap);
}

void vm_reset(struct vm *vm, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vm_stop_va(vm, VM_STOP_RESET, fmt, ap);
	va_end(ap);
}

/* COM1's output and what it cost: each register access is one exit. */
static void vm_report_com1(struct vm *vm)
{
	struct uart16550 *com1 = uart16550_com1(&vm->bus);
	u64 bytes, accesses;

	if (!com1)
		return;
	uart_stats(com1, &bytes, &accesses);
	if (bytes)
		pr_plain("hv: vm %s COM1: %llu bytes out, %llu register accesses (%llu.%02llu per "
			 "byte)\n", vm->cfg.name, bytes,
			 accesses, (accesses / bytes),
			 (accesses * 100 / bytes % 100));
}

void vm_report(struct vm *vm)
{
	u64 counts[EXIT_REASON_MAX + 1] = { 0 };
	u64 total = 0, halts = 0, polls = 0, emulated = 0;
	unsigned int i, r;

	for (i = 0; i < vm->nvcpus; i++) {
		for (r = 0; r <= EXIT_REASON_MAX; r++)
			counts[r] += exit_stats_count(vm->vcpus[i]->stats, r);
		halts += vm->vcpus[i]->idle_halts;
		polls += vm->vcpus[i]->idle_polls;
		emulated += vm->vcpus[i]->emulated;
	}
	for (r = 0; r <= EXIT_REASON_MAX; r++)
		total += counts[r];
	pr_plain("hv: vm %s stopped: %s\n", vm->cfg.name, vm->stop_reason);
	pr_plain("hv: vm %s exits: total %llu, results %u pass %u fail\n", vm->cfg.name,
		 total, vm->results_pass, vm->results_fail);
	for (r = 0; r <= EXIT_REASON_MAX; r++)
		if (counts[r])
			pr_plain("hv: vm %s exits: %3u %-28s %llu\n", vm->cfg.name, r,
				 r < EXIT_REASON_MAX ? vmx_exit_reason_str(r) : "(other)",
				 counts[r]);
	pr_plain("hv: vm %s idle: %llu CPU halts, %llu polls\n", vm->cfg.name,
		 halts, polls);
	if (emulated)
		pr_plain("hv: vm %s emulated: %llu instructions (MMIO, string I/O)\n",
			 vm->cfg.name, emulated);
	vm_report_com1(vm);
	vm_log_report_unclaimed(vm);
	if (vm_log_suppressed(vm))
		pr_plain("hv: vm %s log: %llu guest-triggered messages suppressed (at most %u "
			 "every %llu s)\n", vm->cfg.name, vm_log_suppressed(vm),
			 VM_LOG_BURST, VM_LOG_INTERVAL_NS / 1000000000ull);
}

/* ---------------------------------------------------------------- start */

/*
 * VMs not yet stopped for good: vm_start_all() waits for 0, then sets
 * vm_all_done and gives every VM's memory back; vm_start_again() may
 * raise the count only before that, both under vm_life_lock.
 */
static spinlock_t vm_life_lock = SPINLOCK_INIT;
static u32 vm_live;
static bool vm_all_done;

/* @vm stopped for good and was reported. */
static void vm_retire(struct vm *vm)
{
	unsigned long flags = spin_lock_irqsave(&vm_life_lock);

	vm->done = true;
	/*
	 * R1 (publish): the report before the count drops; pairs with the
	 * load_acquire in vm_start_all(), so the summary comes after it.
	 */
	store_release(&vm_live, vm_live - 1);
	spin_unlock_irqrestore(&vm_life_lock, flags);
}

/*
 * Hand each vCPU of @vm to its CPU: a launch IPI, or, for the caller's
 * own CPU, its own loop (@self_ipi false) or an IPI to itself (@self_ipi
 * true: the caller is an interrupt handler, the vCPU runs after it).
 */
static void vm_launch(struct vm *vm, bool self_ipi)
{
	for (unsigned int j = 0; j < vm->nvcpus; j++) {
		struct vcpu *v = vm->vcpus[j];
		struct percpu *pc = percpu_of(v->pcpu);

		/*
		 * R1 (publish): the finished vCPU and its VM before the launch
		 * IPI; pairs with the load_acquire in vm_run_this_cpu().
		 */
		store_release(&vmx_cpus[v->pcpu].vcpu, v);
		if ((self_ipi || v->pcpu != arch_cpu_id()) && pc)
			lapic_send_fixed(pc->apic_id, VCPU_LAUNCH_VECTOR);
	}
}

/*
 * Rebuild a VM the guest reset (on_reset=restart): give back everything
 * it took, as at a stop, and build it again from its boot modules and
 * configuration on fresh memory, on the same CPUs.  Runs on the CPU of
 * its last vCPU out, when no CPU runs any of its vCPUs any more.  The
 * struct vm itself stays, so the VM list, the console's focus and the
 * shell keep a valid pointer; it reads as stopped until vm_build() ends.
 */
static void vm_restart(struct vm *vm, const char *why, bool self_ipi)
{
	vm_free_parts(vm, true);
	vm->restarts++;
	pr_plain("hv: vm %s restarting %s (restart %u)\n", vm->cfg.name, why, vm->restarts);
	if (vm_build(vm)) {
		pr_plain("hv: vm %s not restarted (see the messages above)\n", vm->cfg.name);
		vm_retire(vm);
		return;
	}
	/* The same VM on the same memory sizes each time: the count shows nothing leaks. */
	pr_plain("hv: vm %s restarted: %llu pages free\n", vm->cfg.name, pmm_free_pages());
	vm_launch(vm, self_ipi);
}

int vm_start_again(struct vm *vm)
{
	unsigned long flags = spin_lock_irqsave(&vm_life_lock);
	int rc = 0;

	if (vm_all_done)
		rc = -1;		/* the VMs' memory is being given back */
	else if (!vm->done)
		rc = -2;		/* running, or its vCPUs are still on their way out */
	else {
		vm->done = false;
		vm_live++;
	}
	spin_unlock_irqrestore(&vm_life_lock, flags);
	if (rc)
		return rc;
	/* Its vCPUs have all left (done): no CPU touches its parts any more. */
	vm_restart(vm, "from the shell", true);
	return 0;
}

static void vm_stop_kind(struct vm *vm, enum vm_stop_kind kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vm_stop_va(vm, kind, fmt, ap);
	va_end(ap);
}

void vm_restart_request(struct vm *vm)
{
	vm_stop_kind(vm, VM_STOP_RESTART, "restart requested from the shell");
}

void vm_run_this_cpu(void)
{
	unsigned int cpu = arch_cpu_id();

	/* A restart may hand this CPU its vCPU of the new VM at once: run that too. */
	for (;;) {
		/* R1 (publish): pairs with the store_release in vm_launch(): the vCPU is complete. */
		struct vcpu *v = load_acquire(&vmx_cpus[cpu].vcpu);
		struct vm *vm;

		if (!v)
			return;
		vm = v->vm;
		vcpu_run(v);	/* clears vmx_cpus[cpu].vcpu before it returns */
		/*
		 * The last vCPU out reports: the locked RMW orders every vCPU's
		 * exit counts (and its clearing of vmx_cpus[].vcpu) before the
		 * report reads them and a restart publishes new vCPUs.
		 */
		if (fetch_sub(&vm->vcpus_running, 1) != 1)
			return;
		vm_report(vm);
		if (vm->restart) {
			vm_restart(vm, vm->restart_why, false);
			continue;
		}
		vm_retire(vm);
		return;
	}
}

/*
 * Give back everything the stopped VMs took: guest memory, EPT tables (the
 * vCPUs have left VMX operation and their EBR records are offline, so the
 * grace periods of ept_mmu_destroy() complete at once), VMCS pages, VPIDs,
 * devices.  Then say whether the frame allocator and the heap are back
 * where they were before the first VM was created.
 */
/* VMXON regions: one per CPU that entered VMX, kept for its next VM. */
static u64 vm_vmxon_pages(void)
{
	u64 n = 0;

	for (unsigned int cpu = 0; cpu < HV_MAX_CPUS; cpu++)
		n += vmx_cpus[cpu].vmxon != NULL;
	return n;
}

static void vm_free_all(u64 pages_before, const struct heap_stats *hs_before)
{
	u64 heap_live_before = hs_before->allocs - hs_before->frees;
	struct heap_stats hs;
	u64 pages_after, heap_live_after;
	bool balanced;

	for (unsigned int i = 0; i < vm_count; i++) {
		/* A VM whose restart failed holds only its struct. */
		vm_free(vm_list[i], vm_list[i]->mmu != NULL);
		vm_list[i] = NULL;
	}
	vm_count = 0;
	pages_after = pmm_free_pages();
	heap_get_stats(&hs);
	heap_live_after = hs.allocs - hs.frees;
	/*
	 * Pages the heap keeps for its size classes, and each CPU's VMXON
	 * region (kept for its next VM; none existed before the first VM),
	 * are held on purpose, not leaked.
	 */
	balanced = heap_live_after == heap_live_before &&
		   pages_after + hs.small_pages + vm_vmxon_pages() ==
			   pages_before + hs_before->small_pages;
	pr_plain("hv: memory after the VMs: %llu free pages (%llu before), %llu live heap objects "
		 "(%llu before), %llu heap pages (%llu before): %s\n",
		 pages_after, pages_before,
		 heap_live_after, heap_live_before,
		 hs.small_pages, hs_before->small_pages,
		 balanced ? "balanced" : "LEAKED");
}

void vm_start_all(void)
{
	unsigned int i, n;
	unsigned long flags;
	struct heap_stats hs;
	u64 pages_before;

	for (i = 0; i < hv_config.vm_count; i++)
		if (vm_cmdline_option(hv_config.vm_opts[i]))
			pr_plain("hv: vm option \"%s\" rejected (see above)\n", hv_config.vm_opts[i]);
	n = vm_config_count();
	if (!n)
		return;
	if (!vmx_caps.vmx || !vmx_caps.ept) {
		pr_plain("hv: %u VMs configured but VMX%s is not usable: none started\n", n,
			 vmx_caps.vmx ? " with EPT" : "");
		return;
	}
	vcpu_run_init();
	pages_before = pmm_free_pages();
	heap_get_stats(&hs);
	for (i = 0; i < n; i++) {
		const struct vm_config *cfg = vm_config_get(i);
		struct vm *vm;

		if (cfg->cpu_mask >> arch_cpus_online()) {
			pr_plain("hv: vm %s not started: cpus= names CPUs beyond the %u online\n",
				 cfg->name, arch_cpus_online());
			continue;
		}
		vm = vm_create(cfg, vm_count);
		if (!vm) {
			pr_plain("hv: vm %s not started (see the messages above)\n", cfg->name);
			continue;
		}
		vm_list[vm_count++] = vm;
		gdb_vm_created(vm);
	}
	console_boot_focus();
	vm_live = vm_count;	/* before any vCPU runs: no other CPU reads it yet */
	for (i = 0; i < vm_count; i++)
		vm_launch(vm_list[i], false);
	flags = arch_irq_save();
	vm_run_this_cpu();
	arch_irq_restore(flags);
	/*
	 * Wait for every VM, so the summary is the last line; then no VM may
	 * start again (vm_start_again()) while their memory goes back.
	 */
	for (;;) {
		/* R1: pairs with the store_release in vm_retire(). */
		while (load_acquire(&vm_live))
			cpu_relax_irq();	/* the console's interrupt may come meanwhile */
		flags = spin_lock_irqsave(&vm_life_lock);
		if (!vm_live)
			vm_all_done = true;
		spin_unlock_irqrestore(&vm_life_lock, flags);
		if (vm_all_done)
			break;
	}
	pr_plain("hv: all %u VMs stopped\n", vm_count);
	/* No guest may keep a CPU from the hypervisor: every one must answer. */
	smp_check_cpus_answer();
	vm_free_all(pages_before, &hs);
}
