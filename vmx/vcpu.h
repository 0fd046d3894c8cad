/* SPDX-License-Identifier: MIT */
/*
 * Virtual CPUs and virtual machines as the VMX core sees them.
 *
 * One vCPU runs pinned on one physical CPU and only that CPU touches its
 * VMCS and registers.  Other CPUs reach a vCPU only through the fields
 * marked "remote" below (SIPI delivery, stop requests, kicks), each with
 * its ordering rule at the access site.
 */
#ifndef VMX_VCPU_H
#define VMX_VCPU_H

#include "lib/compiler.h"
#include "lib/spinlock.h"
#include "vmx/dev/mca.h"
#include "vmx/dev/vdev.h"
#include "vmx/loader/loader.h"
#include "vmx/vm/vm_console.h"
#include "vmx/vm/vm_log.h"
#include "vmx/vmcs_defs.h"

/* Guest GPRs by hardware register number, as vmx/entry.asm stores them. */
enum vmx_gpr {
	GPR_RAX, GPR_RCX, GPR_RDX, GPR_RBX, GPR_RSP, GPR_RBP, GPR_RSI, GPR_RDI,
	GPR_R8, GPR_R9, GPR_R10, GPR_R11, GPR_R12, GPR_R13, GPR_R14, GPR_R15,
};

struct exit_stats;
struct trace_ring;

struct vmx_gprs {
	u64 r[16];	/* r[GPR_RSP] unused: the VMCS holds RSP */
};
BUILD_BUG_ON(sizeof(struct vmx_gprs) != 16 * 8);	/* vmx/entry.asm GPR(n) */

#define VM_NAME_MAX	16
#define VM_MOD_MAX	32
#define VM_MAX_VCPUS	8

enum vm_entry_mode {
	VM_ENTRY_REAL,	/* real mode at 1000:0000, module loaded at 0x10000 (unrestricted guest) */
	VM_ENTRY_PROT,	/* 32-bit flat protected mode, paging off, module at 0x100000 */
	VM_ENTRY_LONG,	/* 64-bit mode, identity map of 4 GiB in 2M pages, module at 0x100000 */
};

/* Guest load addresses and the boot structures the hypervisor writes. */
#define VM_LOAD_REAL	0x10000ull
#define VM_LOAD_HIGH	0x100000ull
#define VM_GDT_GPA	0x7000ull	/* null, code32 0x08, data 0x10, code64 0x18 */
#define VM_PML4_GPA	0x1000ull	/* long mode: PML4, PDPT, 4 PDs at 0x1000..0x6fff */
#define VM_GUEST_SEL_CODE32	0x08
#define VM_GUEST_SEL_DATA	0x10
#define VM_GUEST_SEL_CODE64	0x18

/* Policy for guest accesses to I/O ports that have no device (vm=...,io=). */
enum vm_io_policy {
	VM_IO_IGNORE,	/* reads return all ones, writes are dropped; logged once per port */
	VM_IO_STOP,	/* the VM is stopped with a report */
};

/* A VM as given on the command line (vm=NAME,mod=MODULE,mem=MIB,cpus=LIST,entry=...). */
struct vm_config {
	char name[VM_NAME_MAX];
	char mod[VM_MOD_MAX];		/* mod=: a flat image, "" with kernel= */
	char kernel[VM_MOD_MAX];	/* kernel=: bzImage or multiboot kernel (vmx/loader/) */
	char initrd[VM_MOD_MAX];	/* initrd=: a bzImage's initial RAM disk, "" if none */
	char mods[LOADER_MAX_MODS][VM_MOD_MAX];	/* mods=A+B: a multiboot kernel's modules */
	unsigned int nmods;
	u64 mem_mib;
	u64 cpu_mask;		/* physical CPUs, one vCPU each, vCPU 0 on the lowest */
	enum vm_entry_mode entry;
	enum vm_io_policy io;
	bool console_raw;	/* console=raw: COM1 bytes unfiltered while it has the focus */
	bool apicv_off;		/* apicv=off: emulate the local APICs even where the CPU
				 * offers APIC virtualisation */
	char input[128];	/* input=TEXT: bytes fed to COM1's receiver at start */
	unsigned int input_len;
	bool reset_restart;	/* on_reset=restart: a guest reset rebuilds the VM */
	bool gdb_wait;		/* gdb: the GDB stub's VM, held before its first instruction */
	bool debug_badstate;	/* test aid: enter vCPU 0 with an invalid guest state */
	bool debug_zap;		/* test aid: vCPU 0 splits / zaps all EPT mappings every ~2M ticks */
	bool debug_hang;	/* test aid: vCPU 0's CPU goes silent until the watchdog reports it */
};

/* vCPU run states (vcpu->run_state). */
enum vcpu_run_state {
	VCPU_WAIT_SIPI,		/* AP: waits for INIT-SIPI-SIPI from the guest's BSP */
	VCPU_RUNNABLE,
	VCPU_HALTED,		/* guest executed HLT; idles until an event */
	VCPU_STOPPED,
};

struct vm;
struct ebr_rec;
struct vlapic;

/**
 * struct vcpu - one virtual CPU.
 * @regs:       guest GPRs; first member: the entry stub takes &vcpu->regs
 * @host_rsp:   HOST_RSP value last written (the stub skips equal writes)
 * @launched:   VMLAUNCH done on this VMCS (next entry is VMRESUME)
 * @sipi:       remote: 0 = none, else 0x100 | vector of the first SIPI (R1 publish)
 * @init_seen:  remote: the guest BSP sent INIT (SIPIs before it are dropped)
 */
struct vcpu {
	struct vmx_gprs regs;
	u64 host_rsp;
	u64 exit_tsc;		/* TSC at the last VM exit, stored by vmx/entry.asm */
	bool launched;
	u32 intr_pending;	/* remote: look for an interrupt to inject (vmx/vcpu_lapic.c) */
	u8 hc_vector;		/* HC_TIMER's vector, pending while hc_pending */
	bool hc_pending;
	struct vlapic *lapic;	/* this vCPU's local APIC (vmx/dev/vlapic.h) */
	struct mca mca;		/* its machine-check MSRs (vmx/dev/mca.h) */
	struct vm *vm;
	int flush_id;		/* our slot in the VM's mm/ept_flush.h state (R11) */
	struct ebr_rec *ebr_rec;	/* this CPU's record in the VM's EBR domain */
	u32 preempt_val;	/* VMX-preemption timer value last written */
	unsigned int id;	/* vCPU index in its VM = its x2APIC id */
	unsigned int pcpu;	/* physical CPU it is pinned to */
	void *vmcs;
	phys_addr_t vmcs_pa;
	u16 vpid;
	u32 run_state;		/* owner writes with WRITE_ONCE, vapic.c reads with READ_ONCE:
				 * tear-free only, no ordering (a stale value only drops an
				 * INIT/SIPI aimed at a vCPU that is not waiting) */

	/* Remote fields. */
	u32 sipi __cacheline_aligned;
	u32 init_seen;
	u32 init_pending;	/* INIT to a started vCPU: back to wait-for-SIPI */
	u32 nmi_pending;

	/* Owner-only state below. */
	u64 timer_deadline __cacheline_aligned;	/* host TSC of the next timer, 0 = off */
	u64 hc_deadline;	/* HC_TIMER's deadline (host TSC), 0 = off */
	u64 lapic_deadline;	/* the LAPIC timer's next expiry (host TSC), 0 = off */
	u8 timer_vector;	/* HC_TIMER's vector */
	u64 xcr0;
	u64 tsc_offset;		/* guest TSC - host TSC (VMCS_TSC_OFFSET) */
	u64 tsc_adjust;		/* IA32_TSC_ADJUST as the guest sees it */
	/*
	 * The exit's reason next to TRACE_WHO(TRACE_EXIT, vm, vcpu), so that
	 * the fast path copies both into a trace slot as one word
	 * (TRACE_WHO_DATA(), vmx/stats/trace_ring.h).
	 */
	union {
		struct {
			u32 trace_who;
			u32 exit_reason;
		};
		u64 trace_who_reason;
	};
	bool exit_done;		/* the fast path finished this exit, which stopped the VM */
	u64 exit_qual;		/* the I/O fast path keeps the qualification here across calls */
	bool exit_untimed;	/* the slow path's exit is not in the histogram yet */
	struct exit_stats *stats;	/* exit counts and latencies (vmx/stats/exit_stats.h) */
	struct trace_ring *trace;	/* this CPU's ring while it runs us; NULL: trace=off */
	u64 idle_halts;		/* HLTs of the physical CPU while this vCPU idled */
	u64 idle_polls;		/* idle loop turns spent polling (no TSC-deadline timer) */
	u64 emulated;		/* instructions emulated (MMIO, string I/O) */
	u32 proc_ctls;		/* primary controls without the window exits */
	u32 proc2_ctls;		/* secondary controls as last written */
	u32 eoi_exit[8];	/* EOI-exit bitmap as last written (APIC virtualisation) */
};
BUILD_BUG_ON(offsetof(struct vcpu, regs) != 0);
BUILD_BUG_ON(offsetof(struct vcpu, exit_tsc) != 17 * 8);	/* vmx/entry.asm VCPU_EXIT_TSC */
BUILD_BUG_ON(offsetof(struct vcpu, trace_who_reason) % 8);	/* one aligned word */

/* VM states (vm->state). */
enum vm_state {
	VM_CREATED,
	VM_RUNNING,
	VM_STOPPED,
};

#define VM_MAX_CHUNKS	64

/* A block of host frames backing [gpa, gpa + size) of guest memory. */
struct vm_mem_chunk {
	gpa_t gpa;
	phys_addr_t hpa;
	u64 size;
	unsigned int order;
};

struct vm_mmu;

/**
 * struct vm - one virtual machine.
 * @state:       VM_* (STOPPED stored under @lock with store_release, read
 *               locklessly with load_acquire: vm_is_stopped())
 * @stop_reason: why it stopped (set once, under @lock)
 * @io_bitmap:   pages A and B, shared by the VM's vCPUs, read-only after setup
 * @msr_bitmap:  4 KiB, read-only after setup
 * @msr_bitmap_x2apic: the same with x2APIC register reads and the TPR, EOI
 *               and SELF IPI writes let through, for vCPUs in x2APIC mode
 *               with "virtualize x2APIC mode"; read-only after setup
 */
struct vm {
	/* Kept across a restart (vm_restart()); everything from mmu on is rebuilt. */
	struct vm_config cfg;
	unsigned int id;
	u32 state;
	spinlock_t lock;
	char stop_reason[160];
	unsigned int restarts;		/* how many times it was rebuilt */
	bool done;			/* stopped for good and reported (vm_life_lock) */
	struct vm_mmu *mmu;
	struct vm_mem_chunk chunks[VM_MAX_CHUNKS];
	unsigned int nchunks;
	u64 mem_size;
	struct vcpu *vcpus[VM_MAX_VCPUS];
	struct vlapic *lapics[VM_MAX_VCPUS];	/* vcpus[i]->lapic, for apic_route() */
	unsigned int nvcpus;
	unsigned int vcpus_running;	/* vCPUs not yet out of their run loop */
	bool restart;			/* rebuild once stopped (vm->lock; vm_stop_va()) */
	const char *restart_why;	/* "after the reset", "from the shell" */
	u8 *io_bitmap[2];		/* A (ports 0-0x7fff) and B */
	u8 *msr_bitmap;
	u8 *msr_bitmap_x2apic;		/* x2APIC registers virtualised (vcpu_apicv_controls()) */
	bool apicv;			/* local APICs virtualised (docs/platform.md) */
	void *apic_access;		/* the APIC-access page, mapped at PLAT_LAPIC_BASE */
	u32 results_pass, results_fail;
	struct vm_log log;		/* guest-triggered messages (vmx/vm/vm_log.h) */
	struct vm_console console;	/* COM1's output (vmx/vm/vm_console.h) */
	struct vdev_bus bus;		/* the VM's devices (vmx/dev/vdev.h) */
	u64 acpi_rsdp;			/* guest-physical address of its ACPI RSDP */
	struct loader_boot boot;	/* vCPU 0's start state with kernel= (vmx/vm/vm_load.c) */
};

#endif /* VMX_VCPU_H */
