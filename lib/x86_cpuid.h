/* SPDX-License-Identifier: MIT */
/*
 * CPUID feature bits that hv reads or changes (Intel SDM vol. 2A, CPUID;
 * vol. 3 for the MSRs each bit promises).  Named CPUID<leaf>_<register>_
 * <feature>; leaf 0x80000001 is 81, leaf 0xd sub-leaf 1 is D1.  The host
 * code (arch/x86, vmx/) and the guest's CPUID policy (vmx/exit_cpuid.c)
 * take their numbers from here; so do the test guests.
 */
#ifndef LIB_X86_CPUID_H
#define LIB_X86_CPUID_H

/* Leaf 1, ECX. */
#define CPUID1_ECX_MONITOR	(1u << 3)
#define CPUID1_ECX_VMX		(1u << 5)
#define CPUID1_ECX_SMX		(1u << 6)
#define CPUID1_ECX_EST		(1u << 7)	/* Enhanced SpeedStep: P-state MSRs */
#define CPUID1_ECX_TM2		(1u << 8)
#define CPUID1_ECX_PDCM		(1u << 15)
#define CPUID1_ECX_X2APIC	(1u << 21)
#define CPUID1_ECX_TSC_DEADLINE	(1u << 24)
#define CPUID1_ECX_XSAVE	(1u << 26)
#define CPUID1_ECX_OSXSAVE	(1u << 27)
#define CPUID1_ECX_AVX		(1u << 28)
#define CPUID1_ECX_HYPERVISOR	(1u << 31)

/* Leaf 1, EDX. */
#define CPUID1_EDX_APIC		(1u << 9)
#define CPUID1_EDX_ACPI		(1u << 22)	/* thermal monitor and clock control MSRs */
#define CPUID1_EDX_TM		(1u << 29)
#define CPUID1_EDX_PBE		(1u << 31)

/* Leaf 6, EAX. */
#define CPUID6_EAX_ARAT		(1u << 2)	/* the APIC timer runs in deep C-states */

/* Leaf 7 sub-leaf 0. */
#define CPUID7_EBX_INVPCID	(1u << 10)
#define CPUID7_ECX_CET_SS	(1u << 7)
#define CPUID7_EDX_FSRM		(1u << 4)
#define CPUID7_EDX_CET_IBT	(1u << 20)

/* Leaf 0xd sub-leaf 1, EAX. */
#define CPUIDD1_EAX_XSAVES	(1u << 3)	/* XSAVES/XRSTORS and IA32_XSS */

/* Leaf 0x80000001, EDX. */
#define CPUID81_EDX_RDTSCP	(1u << 27)

#endif /* LIB_X86_CPUID_H */
