/* SPDX-License-Identifier: MIT */
/*
 * Virtual machines: creation from the command line, guest memory, stopping
 * and the stop report.  See docs/vmx.md.
 */
#ifndef VMX_VM_H
#define VMX_VM_H

#include "lib/compiler.h"
#include "vmx/vcpu.h"

/* RAX at the first guest instruction of vCPU 0 (RBX = memory bytes, RCX = vCPU id). */
#define VM_BOOT_MAGIC		0x68760001ull

/*
 * VMX-preemption timer slice: a vCPU exits at least this often (TSC ticks).
 * It bounds how late a kick can be served where an IPI does not force an
 * exit (Bochs 2.7 with a guest running with RFLAGS.IF = 0).
 */
#define VCPU_SLICE_TICKS	(1ull << 22)

extern struct vm *vm_list[HV_MAX_VMS];
extern unsigned int vm_count;

/**
 * vm_config_parse() - parse the value of one vm= option.
 * @val: "NAME,mod=MODULE,mem=MIB,cpus=LIST[,entry=real|prot|long][,io=ignore|stop]"
 * @out: filled on success
 *
 * Return: 0, or -HV_EINVAL after a pr_warn quoting the bad part.
 */
int vm_config_parse(const char *val, struct vm_config *out);

/*
 * Queue a parsed configuration for vm_start_all().  0, or after a pr_warn
 * -HV_ENOSPC (too many VMs), -HV_EEXIST (the name is taken), -HV_EBUSY
 * (CPUs shared with another VM).
 */
int vm_config_add(const struct vm_config *cfg);

/* Number of vm= options accepted so far, and the i-th one. */
unsigned int vm_config_count(void);
const struct vm_config *vm_config_get(unsigned int i);

/* The vm= command-line option handler: parse and queue.  0, or as above (reported). */
int vm_cmdline_option(const char *val);

/**
 * vm_start_all() - create every configured VM and start its vCPUs (BSP, after boot).
 *
 * VMs that cannot be created are reported and skipped; the others run.
 * Returns after the vCPUs were handed to their CPUs; vCPU 0 of a VM placed on
 * the calling CPU runs when vm_run_this_cpu() is called.
 */
void vm_start_all(void);

/* Run whatever vCPU is assigned to the calling CPU, then idle; returns when all VMs stopped. */
void vm_run_this_cpu(void);

/* EPT pointer of @vm's current root. */
u64 vm_eptp(struct vm *vm);

/**
 * vm_stop() - stop @vm: every vCPU leaves its run loop at its next exit.
 * @vm:  the VM
 * @fmt: the reason, printed in the report (the first reason wins)
 *
 * Safe from any CPU; other VMs and the hypervisor are not affected.
 */
void vm_stop(struct vm *vm, const char *fmt, ...) __printf(2, 3);

/**
 * vm_reset() - the guest reset its machine: stop @vm, then rebuild it from
 * its boot modules on fresh memory if its configuration says on_reset=restart.
 * @vm:  the VM
 * @fmt: what reset it (ACPI reset register, 0xcf9, i8042, triple fault)
 *
 * Like vm_stop(), the first reason wins: a reset after a power-off stops.
 */
void vm_reset(struct vm *vm, const char *fmt, ...) __printf(2, 3);

/* Stop @vm and rebuild it from its boot modules, whatever on_reset says (the shell). */
void vm_restart_request(struct vm *vm);

/**
 * vm_start_again() - rebuild a VM that stopped for good and run it again
 * (the shell's "vm start"), from an interrupt handler or the BSP.
 * @vm: the VM
 *
 * Return: 0; -1 when hv has already given every VM's memory back (all
 * stopped); -2 when @vm is still running or its vCPUs are on their way out.
 */
int vm_start_again(struct vm *vm);

static inline bool vm_is_stopped(const struct vm *vm)
{
	/* R1 (publish): pairs with the store_release of STOPPED in vm_stop(). */
	return __atomic_load_n(&vm->state, __ATOMIC_ACQUIRE) == VM_STOPPED;
}

/* Load the VM's boot image (mod= or kernel=) into its fresh memory; 0 or -HV_E* (reported). */
int vm_load_image(struct vm *vm);

/* Print "hv: vm NAME stopped: REASON" and the exit counts per reason. */
void vm_report(struct vm *vm);

#endif /* VMX_VM_H */
