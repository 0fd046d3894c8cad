/* SPDX-License-Identifier: MIT */
/*
 * The test-guest library: a freestanding 32-bit protected-mode runtime for
 * guests of hv.  Console through the (trapped) COM1, the hypercalls of
 * docs/hypercalls.md, exception catching, and a result report that the
 * hypervisor prints with the VM's name as PASS or FAIL.
 *
 * A guest defines guest_main(); lib/start.asm calls it on vCPU 0 with a
 * stack and an IDT, then reports PASS when it returned 0 and no CHECK
 * failed, FAIL otherwise, and asks the hypervisor to stop the VM.
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmx/vm/hypercall.h"

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

/* Boot information the hypervisor passes in EAX/EBX/ECX (docs/vmx.md). */
extern u32 guest_boot_magic, guest_mem_bytes, guest_vcpu_id;

int guest_main(void);

/* Console (COM1). */
void gputc(char c);
void gputs(const char *s);
void gprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void gvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* Checks: print file:line and count a failure. */
extern unsigned int guest_failures;
void guest_check_failed(const char *file, int line, const char *what);
#define CHECK(c)							\
	do {								\
		if (!(c))						\
			guest_check_failed(__FILE__, __LINE__, #c);	\
	} while (0)
#define CHECK_EQ(a, b)							\
	do {								\
		unsigned long long __a = (a), __b = (b);		\
		if (__a != __b) {					\
			gprintf("  %s = %#llx, expected %#llx\n", #a, __a, __b); \
			guest_check_failed(__FILE__, __LINE__, #a " == " #b); \
		}							\
	} while (0)

/* Hypercalls: status in the return value, results through the pointers (may be NULL). */
long hcall(u32 nr, u32 a, u32 b, u32 c, u32 d);
long hcall_out(u32 nr, u32 a, u32 b, u32 c, u32 d, u32 *rbx, u32 *rcx, u32 *rdx, u32 *rsi);
void greport(int code, const char *text);
__attribute__((noreturn)) void gexit(int code);

/*
 * gtry() - run fn(arg); return -1 if it returned, or the vector of the
 * exception it raised (the exception is caught, fn is abandoned).
 */
int gtry(void (*fn)(void *), void *arg);

/*
 * gstart_aps() - start vCPUs 1..@count (at most 7) with INIT-SIPI-SIPI; each
 * runs entry(index) in 32-bit protected mode on its own 4 KiB stack, index
 * counting 1, 2, ... in the order the APs arrive.  gaps_started() counts the
 * APs that entered the trampoline.  Only in guests linked with lib/aps.o.
 */
void gstart_aps(void (*entry)(u32 index), u32 count);
/* Switch this vCPU's local APIC to x2APIC mode (it starts in xAPIC mode). */
void genable_x2apic(void);
u32 gaps_started(void);

/*
 * RDMSR / WRMSR that may fault: -1 when the instruction completed (the value
 * read in *val), else the vector it raised (13 for #GP).
 */
int gtry_rdmsr(u32 msr, u64 *val);
int gtry_wrmsr(u32 msr, u64 val);

/* Interrupt handlers (vectors 32..255): called with the vector, must be quick. */
typedef void (*girq_fn)(u32 vector);
void gset_irq(u8 vector, girq_fn fn);

/* String and memory helpers: the hypervisor's own, lib/string.c, linked into every guest. */
#include "lib/string.h"

/* Instructions. */
static inline void cpuid(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
	__asm__ __volatile__("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
			     : "a"(leaf), "c"(sub));
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	__asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ __volatile__("wrmsr" ::"c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}

static inline void outb(u16 port, u8 v)
{
	__asm__ __volatile__("outb %0, %1" ::"a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;

	__asm__ __volatile__("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void cpu_relax(void)
{
	__asm__ __volatile__("pause" ::: "memory");
}

static inline void sti_hlt(void)
{
	__asm__ __volatile__("sti; hlt" ::: "memory");
}

static inline void cli(void)
{
	__asm__ __volatile__("cli" ::: "memory");
}

static inline u32 read_cr4(void)
{
	u32 v;

	__asm__ __volatile__("mov %%cr4, %0" : "=r"(v));
	return v;
}

/* Median and minimum of n samples (sorts @v in place). */
void gstats(u64 *v, unsigned int n, u64 *min, u64 *median);

#endif /* GUEST_H */
