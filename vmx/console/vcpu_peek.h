/* SPDX-License-Identifier: MIT */
/*
 * A copy of one vCPU's registers and VMCS fields, taken by the CPU that runs
 * it (only that CPU may VMREAD its VMCS) at a point where the vCPU is out of
 * the guest: the shell asks with an IPI and waits, bounded.  The hand-off
 * and its ordering are in docs/locking.md ("The shell's vCPU snapshot").
 */
#ifndef VMX_CONSOLE_VCPU_PEEK_H
#define VMX_CONSOLE_VCPU_PEEK_H

#include "lib/compiler.h"

/* IPI vector: "copy your vCPU's state" (after the VMX core's 0xf0..0xf3). */
#define VCPU_PEEK_VECTOR	0xf4

struct vcpu;

/* The VMCS fields a snapshot holds, in vcpu_peek_fields[] order. */
struct vcpu_peek_field {
	u32 enc;		/* VMCS field encoding */
	const char *name;
};
extern const struct vcpu_peek_field vcpu_peek_fields[];
extern const unsigned int vcpu_peek_nfields;
#define VCPU_PEEK_MAX_FIELDS	96

struct vcpu_snapshot {
	u64 gpr[16];				/* enum vmx_gpr order; RSP from the VMCS */
	u64 field[VCPU_PEEK_MAX_FIELDS];	/* vcpu_peek_fields[i] */
	u32 run_state;
};

/* Register the IPI vector (BSP, once, before the first request). */
void vcpu_peek_init(void);

/**
 * vcpu_peek() - copy @v's state into @out.
 * @v:   a vCPU of a VM still in vm_list
 * @out: the copy
 *
 * From the console's CPU with interrupts off (the shell).  On @v's own CPU
 * the copy is taken at once; elsewhere that CPU is asked with an IPI, and
 * the wait ends after VCPU_PEEK_TIMEOUT_NS.
 *
 * Return: 0, -1 when @v is not in its run loop (not started, stopped),
 * -2 when its CPU did not answer in time.
 */
#define VCPU_PEEK_TIMEOUT_NS	500000000ull
int vcpu_peek(struct vcpu *v, struct vcpu_snapshot *out);

/* The value of field @enc in @s (0 if the snapshot has no such field). */
u64 vcpu_snap_get(const struct vcpu_snapshot *s, u32 enc);

#endif /* VMX_CONSOLE_VCPU_PEEK_H */
