/* SPDX-License-Identifier: MIT */
/*
 * Hypercall ABI (docs/hypercalls.md): VMCALL with the number in RAX,
 * arguments in RBX, RCX, RDX, RSI, the status back in RAX (0 or a negative
 * HC_E* code) and results in RBX.. as documented per call.  Pointers are
 * guest-physical addresses.  Shared by the hypervisor and the test guests
 * (tests/guests/), so it holds only plain constants.
 */
#ifndef VMX_HYPERCALL_H
#define VMX_HYPERCALL_H

#define HC_ABI_VERSION		1

#define HC_INFO			0	/* -> RBX version, RCX memory bytes, RDX vcpu id, RSI vcpus */
#define HC_CONSOLE_WRITE	1	/* RBX = gpa, RCX = length (<= HC_CONSOLE_MAX) */
#define HC_REPORT		2	/* RBX = 0 pass / else fail code, RCX = gpa of a NUL-terminated text or 0 */
#define HC_EXIT			3	/* RBX = exit code: stop this VM */
#define HC_TIMER		4	/* RBX = TSC ticks from now (0 = cancel), RCX = vector (32..255) */
#define HC_NOP			5	/* nothing: the round-trip benchmark */
#define HC_NR			6

/* CPUID 0x40000001 EAX: the calls above are all available. */
#define HC_FEATURES		((1u << HC_NR) - 1)

#define HC_OK			0
#define HC_ENOSYS		(-1)	/* unknown number */
#define HC_EINVAL		(-2)	/* bad argument value */
#define HC_EFAULT		(-3)	/* pointer outside guest memory */
#define HC_EPERM		(-4)	/* called from CPL > 0 */

#define HC_CONSOLE_MAX		4096
#define HC_REPORT_TEXT_MAX	120

#endif /* VMX_HYPERCALL_H */
