// SPDX-License-Identifier: MIT
/*
 * CPUID.  The host's answer, with what guests must not see removed (VMX,
 * SMX, MONITOR, performance monitoring, XSAVES, FSRM that Bochs
 * mis-emulates for Linux), the topology made per-vCPU, the hypervisor bit
 * set, and our own leaves at 0x40000000.  Kept short: this is the exit the
 * benchmark times.
 */
#include "vmx/exit.h"
#include "vmx/guest_state.h"

#include "arch/x86/cpu.h"
#include "arch/x86/tsc.h"
#include "lib/x86_cpuid.h"
#include "vmx/vm/hypercall.h"
#include "vmx/vm/vm.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_ops.h"

/* "hvhvhvhvhvhv" in EBX, ECX, EDX. */
#define HV_SIG			0x76687668u

/*
 * Out of line: its two VMREADs of CR4 need registers that would otherwise
 * be saved and restored on every CPUID exit, leaf 1 or not (6 instructions
 * on the benchmarked leaf 0).
 */
static __noinline struct cpuid_regs cpuid_leaf1(struct vcpu *v, struct cpuid_regs r)
{
	r.ecx &= ~(CPUID1_ECX_MONITOR | CPUID1_ECX_VMX | CPUID1_ECX_SMX | CPUID1_ECX_PDCM | CPUID1_ECX_OSXSAVE |
		    CPUID1_ECX_EST | CPUID1_ECX_TM2);
	/* No thermal or power-management MSRs behind these; MCE and MCA are backed (vmx/dev/mca.c). */
	r.edx &= ~(CPUID1_EDX_ACPI | CPUID1_EDX_TM | CPUID1_EDX_PBE);
	/* The virtual LAPIC (vmx/dev/vlapic.c) has x2APIC and the TSC-deadline timer. */
	r.ecx |= CPUID1_ECX_X2APIC | CPUID1_ECX_TSC_DEADLINE | CPUID1_ECX_HYPERVISOR;
	if (vmcs_guest_cr4() & X86_CR4_OSXSAVE)
		r.ecx |= CPUID1_ECX_OSXSAVE;
	/* EBX[31:24] initial APIC ID, EBX[23:16] logical processors. */
	r.ebx = (r.ebx & 0xffff) | ((u32)v->id << 24) | ((u32)v->vm->nvcpus << 16);
	return r;
}

/*
 * Leaves 0x15 and 0x16 from hv's measured TSC rate, so a guest needs no
 * PIT or HPET to calibrate: 0x15 says TSC = crystal * EBX / EAX, with the
 * crystal (also the LAPIC timer's clock) at the TSC rate, halved until it
 * fits ECX; 0x16 gives the base and maximum frequency in MHz.  Leaf 0
 * reports at least 0x16 as the highest basic leaf, so older hosts
 * (Haswell's is 0xd) give them too.
 */
/* The guest's highest basic leaf is at least the TSC frequency leaf 0x16. */
#define CPUID_GUEST_MIN_BASIC	0x16u

static __noinline struct cpuid_regs cpuid_tsc_leaves(u32 leaf)
{
	u64 hz = tsc_hz(), crystal = hz;
	u32 ratio = 1;

	while (crystal > 0xffffffffull) {
		crystal >>= 1;
		ratio <<= 1;
	}
	if (leaf == 0x15)
		return (struct cpuid_regs){ .eax = 1, .ebx = ratio, .ecx = (u32)crystal, .edx = 0 };
	return (struct cpuid_regs){ .eax = (u32)(hz / 1000000), .ebx = (u32)(hz / 1000000),
					  .ecx = 100, .edx = 0 };
}

/*
 * Basic leaves above the host's highest one, up to the guest's (at least
 * CPUID_GUEST_MIN_BASIC): reserved, so zero; above the guest's highest, the
 * answer of the highest, as Intel CPUs do.
 */
static __noinline struct cpuid_regs cpuid_beyond_host(u32 leaf, struct cpuid_regs r)
{
	u32 host_max = cpuid_count(0, 0).eax;

	if (leaf <= host_max)
		return r;
	if (leaf <= CPUID_GUEST_MIN_BASIC)
		return (struct cpuid_regs){ 0, 0, 0, 0 };
	if (host_max <= CPUID_GUEST_MIN_BASIC)
		return cpuid_tsc_leaves(CPUID_GUEST_MIN_BASIC);
	return r;
}

static void cpuid_leaf7(struct cpuid_regs *r)
{
	if (!vmx_ctl.invpcid)
		r->ebx &= ~CPUID7_EBX_INVPCID;
	/* CET: its MSRs and shadow-stack state are not switched (docs/host-state.md). */
	r->ecx &= ~CPUID7_ECX_CET_SS;
	r->edx &= ~(CPUID7_EDX_FSRM | CPUID7_EDX_CET_IBT);
}

void cpuid_answer(struct vcpu *v)
{
	u32 leaf = (u32)v->regs.r[GPR_RAX], sub = (u32)v->regs.r[GPR_RCX];
	struct cpuid_regs r;

	if (unlikely((leaf & 0xf0000000u) == 0x40000000u)) {
		r = (struct cpuid_regs){ 0, 0, 0, 0 };
		if (leaf == 0x40000000u) {
			r = (struct cpuid_regs){ 0x40000001u, HV_SIG, HV_SIG, HV_SIG };
		} else if (leaf == 0x40000001u) {
			r.eax = HC_FEATURES;
			r.ebx = HC_ABI_VERSION;
			r.ecx = v->id;
			r.edx = v->vm->nvcpus;
		}
	} else {
		r = cpuid_count(leaf, sub);
		/* Leaves we edit; everything else is the host's answer as is. */
		switch (leaf) {
		case 1:
			r = cpuid_leaf1(v, r);
			break;
		case 5:		/* MONITOR/MWAIT: none */
		case 0xa:	/* performance monitoring: none */
			r = (struct cpuid_regs){ 0, 0, 0, 0 };
			break;
		case 7:
			if (sub == 0)
				cpuid_leaf7(&r);
			break;
		case 0xb:
		case 0x1f:
			r.edx = v->id;		/* x2APIC ID */
			break;
		case 6:
			/*
			 * Thermal and power management: only ARAT (the virtual
			 * LAPIC timer never stops); no sensors, HWP or energy
			 * bias MSRs behind the others.
			 */
			r = (struct cpuid_regs){ .eax = CPUID6_EAX_ARAT };
			break;
		case 0:
			r.eax = MAX(r.eax, CPUID_GUEST_MIN_BASIC);
			break;
		case 0x15:
		case 0x16:
			r = cpuid_tsc_leaves(leaf);
			break;
		case 0xd:
			/*
			 * No XSAVES: its VM-execution control stays off (the
			 * instruction raises #UD) and there is no IA32_XSS, so
			 * no supervisor state components either.
			 */
			if (sub == 1) {
				r.eax &= ~CPUIDD1_EAX_XSAVES;
				r.ecx = 0;
				r.edx = 0;
			}
			break;
		case 0x80000001u:
			if (!vmx_ctl.rdtscp)
				r.edx &= ~CPUID81_EDX_RDTSCP;
			break;
		default:
			if (unlikely(leaf > 0xd && leaf < 0x80000000u))
				r = cpuid_beyond_host(leaf, r);
			break;
		}
	}
	v->regs.r[GPR_RAX] = r.eax;
	v->regs.r[GPR_RBX] = r.ebx;
	v->regs.r[GPR_RCX] = r.ecx;
	v->regs.r[GPR_RDX] = r.edx;
}

enum exit_action exit_cpuid(struct vcpu *v)
{
	cpuid_answer(v);
	vmcs_guest_skip_insn_fast();
	return EXIT_RESUME;
}
