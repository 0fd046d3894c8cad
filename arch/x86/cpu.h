/* SPDX-License-Identifier: MIT */
/*
 * x86-64 instruction wrappers: CPUID, MSRs, control registers, port I/O,
 * interrupt flag, TSC.  Header-only; each is one instruction.
 */
#ifndef ARCH_X86_CPU_H
#define ARCH_X86_CPU_H

#include "lib/compiler.h"
#include "lib/x86_msr.h"
#include "lib/x86_regs.h"

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
