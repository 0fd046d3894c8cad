/* SPDX-License-Identifier: MIT */
/*
 * x86-64 instruction wrappers: CPUID, MSRs, control registers, port I/O,
 * interrupt flag, TSC.  Header-only; each is one instruction.
 */
#ifndef ARCH_X86_CPU_H
#define ARCH_X86_CPU_H

#include "lib/compiler.h"
#include "lib/x86_regs.h"

/* MSRs used by the boot code. */
#define MSR_IA32_APIC_BASE		 0x0000001b
#define MSR_IA32_FEATURE_CONTROL	 0x0000003a
#define MSR_IA32_VMX_BASIC		 0x00000480
#define MSR_IA32_VMX_PINBASED_CTLS	 0x00000481
#define MSR_IA32_VMX_PROCBASED_CTLS	 0x00000482
#define MSR_IA32_VMX_EXIT_CTLS		 0x00000483
#define MSR_IA32_VMX_ENTRY_CTLS		 0x00000484
#define MSR_IA32_VMX_MISC		 0x00000485
#define MSR_IA32_VMX_CR0_FIXED0		 0x00000486
#define MSR_IA32_VMX_CR0_FIXED1		 0x00000487
#define MSR_IA32_VMX_CR4_FIXED0		 0x00000488
#define MSR_IA32_VMX_CR4_FIXED1		 0x00000489
#define MSR_IA32_VMX_PROCBASED_CTLS2	 0x0000048b
#define MSR_IA32_VMX_EPT_VPID_CAP	 0x0000048c
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS	 0x0000048d
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x0000048e
#define MSR_IA32_VMX_TRUE_EXIT_CTLS	 0x0000048f
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS	 0x00000490
#define MSR_IA32_PAT			 0x00000277
#define MSR_IA32_DEBUGCTL		 0x000001d9
#define MSR_IA32_SYSENTER_CS		 0x00000174
#define MSR_IA32_SYSENTER_ESP		 0x00000175
#define MSR_IA32_SYSENTER_EIP		 0x00000176
#define MSR_EFER			 0xc0000080
#define MSR_STAR			 0xc0000081
#define MSR_LSTAR			 0xc0000082
#define MSR_CSTAR			 0xc0000083
#define MSR_SFMASK			 0xc0000084
#define MSR_FS_BASE			 0xc0000100
#define MSR_GS_BASE			 0xc0000101
#define MSR_KERNEL_GS_BASE		 0xc0000102
#define MSR_TSC_AUX			 0xc0000103

/* IA32_DEBUGCTL bits a guest may set (SDM vol. 3 17.4.1): LBR, BTF. */
#define DEBUGCTL_LBR	BIT(0)
#define DEBUGCTL_BTF	BIT(1)

/* PAT: eight one-byte entries; types 2, 3 and 8..255 are reserved (#GP). */
static inline bool pat_valid(u64 pat)
{
	for (unsigned int i = 0; i < 8; i++) {
		u8 type = (u8)(pat >> (8 * i));

		if (type == 2 || type == 3 || type > 7)
			return false;
	}
	return true;
}

/* CR0/CR3/CR4/EFER/RFLAGS bits: lib/x86_regs.h (shared with portable code). */

struct cpuid_regs {
	u32 eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid_count(u32 leaf, u32 subleaf)
{
	struct cpuid_regs r;

	__asm__ __volatile__("cpuid"
			     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			     : "a"(leaf), "c"(subleaf));
	return r;
}

static inline struct cpuid_regs cpuid(u32 leaf)
{
	return cpuid_count(leaf, 0);
}

/* Highest basic (0) or extended (0x80000000) leaf. */
static inline u32 cpuid_max(u32 base)
{
	return cpuid(base).eax;
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	__asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 val)
{
	__asm__ __volatile__("wrmsr" ::"c"(msr), "a"((u32)val), "d"((u32)(val >> 32)) : "memory");
}

#define DEFINE_CR_ACCESSORS(n)                                               \
	static inline u64 read_cr##n(void)                                   \
	{                                                                    \
		u64 v;                                                       \
		__asm__ __volatile__("mov %%cr" #n ", %0" : "=r"(v));        \
		return v;                                                    \
	}                                                                    \
	static inline void write_cr##n(u64 v)                                \
	{                                                                    \
		__asm__ __volatile__("mov %0, %%cr" #n ::"r"(v) : "memory"); \
	}
DEFINE_CR_ACCESSORS(0)
DEFINE_CR_ACCESSORS(2)
DEFINE_CR_ACCESSORS(3)
DEFINE_CR_ACCESSORS(4)
#undef DEFINE_CR_ACCESSORS

static inline void outb(u16 port, u8 v)
{
	__asm__ __volatile__("outb %0, %1" ::"a"(v), "Nd"(port));
}

static inline void outw(u16 port, u16 v)
{
	__asm__ __volatile__("outw %0, %1" ::"a"(v), "Nd"(port));
}

static inline void outl(u16 port, u32 v)
{
	__asm__ __volatile__("outl %0, %1" ::"a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;

	__asm__ __volatile__("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u16 inw(u16 port)
{
	u16 v;

	__asm__ __volatile__("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u32 inl(u16 port)
{
	u32 v;

	__asm__ __volatile__("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void pause(void)
{
	__asm__ __volatile__("pause" ::: "memory");
}

static inline void hlt(void)
{
	__asm__ __volatile__("hlt" ::: "memory");
}

/* Orders every earlier load and store, uncached (MMIO) ones included. */
static inline void mfence(void)
{
	__asm__ __volatile__("mfence" ::: "memory");
}

static inline void cli(void)
{
	__asm__ __volatile__("cli" ::: "memory");
}

static inline void sti(void)
{
	__asm__ __volatile__("sti" ::: "memory");
}

/* STI's one-instruction shadow makes "sti; hlt" free of a lost wake-up. */
static inline void sti_hlt(void)
{
	__asm__ __volatile__("sti; hlt" ::: "memory");
}

/*
 * Let pending interrupts in and go on with interrupts off: STI's shadow
 * covers the NOP, so they are taken between it and the CLI.
 */
static inline void irq_window(void)
{
	__asm__ __volatile__("sti; nop; cli" ::: "memory");
}

/* One turn of a wait loop run with interrupts off that lets pending interrupts in. */
static inline void cpu_relax_irq(void)
{
	irq_window();
	__asm__ __volatile__("pause" ::: "memory");
}

static inline u64 read_rflags(void)
{
	u64 f;

	__asm__ __volatile__("pushfq; popq %0" : "=r"(f)::"memory");
	return f;
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

static inline void invlpg(const void *va)
{
	__asm__ __volatile__("invlpg (%0)" ::"r"(va) : "memory");
}

/* Reload CR3 with itself: flushes every non-global TLB entry. */
static inline void flush_tlb_local(void)
{
	write_cr3(read_cr3());
}

#endif /* ARCH_X86_CPU_H */
