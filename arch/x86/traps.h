/* SPDX-License-Identifier: MIT */
/*
 * Exceptions and interrupt dispatch.  The layout of struct trap_frame is
 * what arch/x86/isr.asm pushes.
 */
#ifndef ARCH_X86_TRAPS_H
#define ARCH_X86_TRAPS_H

#include "lib/compiler.h"
#include "lib/x86_traps.h"

struct trap_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error_code;
	u64 rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

BUILD_BUG_ON(sizeof(struct trap_frame) != 22 * 8);

typedef void (*trap_handler_fn)(struct trap_frame *f);

/*
 * Route vector (32..255) to fn, which must acknowledge the interrupt itself
 * (LAPIC EOI).  Returns false if the vector is an exception or already taken.
 */
bool trap_register_handler(unsigned int vector, trap_handler_fn fn);

/*
 * Device interrupts of the hypervisor (the console UART): @fn runs for
 * @vector after its EOI, with interrupts off, either from the IDT (the CPU
 * was in the hypervisor) or from the VM exit that took the interrupt while a
 * guest ran (trap_run_irq(), vmx/exit.c).  So @fn must be safe in both: no
 * trap frame, no assumption about what it interrupted beyond IF = 0.
 * Return: false if the vector is taken.
 */
typedef void (*trap_irq_fn)(void);
bool trap_register_irq(unsigned int vector, trap_irq_fn fn);

/* Run the device-interrupt handler of @vector (EOI already sent); false if none. */
bool trap_run_irq(unsigned int vector);

/*
 * rdmsr_safe() - RDMSR that survives a #GP (an MSR the CPU does not have):
 * the fault handler resumes at the failure exit instead of stopping the CPU.
 * Return: 0 with *@val set, or -1 on #GP.
 */
int rdmsr_safe(u32 msr, u64 *val);

/* Called by isr.asm for every vector. */
void trap_dispatch(struct trap_frame *f);

/*
 * Stop requests: arch_stop_other_cpus() sets the flag and sends NMIs; the
 * NMI path of a CPU that sees the flag halts it for good.
 */
void trap_request_stop(void);

/* Print "stack trace:" and return addresses from the frame-pointer chain at rbp. */
void trap_print_stack(u64 rip, u64 rbp);

#endif /* ARCH_X86_TRAPS_H */
