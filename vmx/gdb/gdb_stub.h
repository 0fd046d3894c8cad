/* SPDX-License-Identifier: MIT */
/*
 * The GDB stub's bare-metal side (vmx/gdb/gdb_stub.c): the serial port of
 * gdb=, the VM chosen for it, and the hold of that VM's vCPUs outside guest
 * mode while GDB looks at them.  The protocol itself is portable
 * (vmx/gdb/gdb_proto.h).  docs/gdb.md; the hold's ordering is rule R17 of
 * docs/locking.md.
 */
#ifndef VMX_GDB_GDB_STUB_H
#define VMX_GDB_GDB_STUB_H

#include "lib/compiler.h"

struct vm;
struct vcpu;

/* Vectors on the BSP: the gdb= UART's interrupt, and "every vCPU is held" (an IPI). */
#define GDB_UART_VECTOR		0xe1
#define GDB_NOTIFY_VECTOR	0xf5

/* Program gdb='s UART and route its interrupt to this CPU (the BSP, before the VMs start). */
void gdb_stub_init(u16 port, u32 baud);

/* A VM was created: with vm=...,gdb it becomes GDB's, held before its first instruction. */
void gdb_vm_created(struct vm *vm);

/* The shell's "gdb NAME": GDB's next connection debugs @vm (BSP, interrupts off). */
void gdb_select_vm(struct vm *vm);

/* The vCPU must hold for GDB now (its run loop asks at each unusual turn; owner only). */
bool gdb_vcpu_must_hold(struct vcpu *v);
/* Publish @v's state and count it held (owner, outside the guest). */
void gdb_vcpu_hold_begin(struct vcpu *v);
/* GDB let @v run again, or its VM stopped. */
bool gdb_vcpu_hold_done(struct vcpu *v);
/* Apply what GDB changed (registers, single step, debug registers) before the next entry. */
void gdb_vcpu_hold_end(struct vcpu *v);

/* Exits GDB takes part in; each returns true when the exit was GDB's (handled). */
/* #BP or #DB (trapped while GDB is attached): GDB's breakpoint, or re-delivered to the guest. */
bool gdb_exit_exception(struct vcpu *v, u32 intr_info);
/* Monitor trap flag: the end of GDB's single step. */
bool gdb_exit_mtf(struct vcpu *v);
/* Any other exit while the monitor trap flag is on: did the guest run past it without its exit? */
void gdb_exit_mtf_missed(struct vcpu *v);
/* MOV to/from DR while GDB owns the debug registers: emulated on the guest's copy. */
bool gdb_exit_dr(struct vcpu *v, u64 qual);

#endif /* VMX_GDB_GDB_STUB_H */
