/* SPDX-License-Identifier: MIT */
/*
 * The hypercall ABI's argument handling, portable: every number and every
 * pointer a guest passes is checked here before use, against a VM described
 * by struct hc_env.  vmx/vm/hypercall.c builds the env from a vCPU; the
 * hosted fuzzer (tests/fuzz/fuzz_hypercall.c) builds one over a buffer.
 */
#ifndef VMX_VM_HYPERCALL_ABI_H
#define VMX_VM_HYPERCALL_ABI_H

#include "lib/compiler.h"

/* Registers by hardware number, as struct vmx_gprs holds them. */
enum hc_reg { HC_RAX = 0, HC_RCX = 1, HC_RDX = 2, HC_RBX = 3, HC_RSI = 6 };

/**
 * struct hc_env - what a hypercall may do to the VM that made it.
 * @range_ok:     [gpa, gpa + len) lies in guest RAM (no wrap)
 * @read:         copy guest RAM; 0, or -1 outside it
 * @console_putc: one byte to the VM's console
 * @report:       a result line; @text is already filtered (lib/guest_text.h)
 * @stop:         HC_EXIT: stop the VM with the guest's code
 * @set_timer:    HC_TIMER; returns an HC_* status
 * @long_mode:    the caller runs 64-bit code (else the upper halves are ignored)
 * @cpl:          the caller's privilege level
 */
struct hc_env {
	void *ctx;
	bool (*range_ok)(void *ctx, u64 gpa, u64 len);
	int (*read)(void *ctx, u64 gpa, void *dst, size_t len);
	void (*console_putc)(void *ctx, u8 c);
	void (*report)(void *ctx, u64 code, const char *text);
	void (*stop)(void *ctx, u64 code);
	long (*set_timer)(void *ctx, u64 delta, u64 vector);
	u64 mem_size;
	unsigned int vcpu_id, nvcpus;
	bool long_mode;
	unsigned int cpl;
};

/**
 * hc_dispatch() - carry out the hypercall in @r (RAX the number, RBX, RCX,
 * RDX, RSI the arguments) and write its status and results back to @r.
 * Return: true when the call stopped the VM (HC_EXIT).
 */
bool hc_dispatch(const struct hc_env *env, u64 r[16]);

#endif /* VMX_VM_HYPERCALL_ABI_H */
