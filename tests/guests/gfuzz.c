// SPDX-License-Identifier: MIT
/*
 * The guest fuzzer: seeded random instruction streams at CPL 3 and
 * templated ones at CPL 0, on every vCPU of its VM, for a bounded number of
 * blocks or TSC ticks.  docs/testing-hostile.md "Guest fuzzer" describes it;
 * tests/guests/gfuzz_asm.asm holds the entry stubs.
 *
 * Each vCPU runs its own copy of the loop on its own page directory, TSS,
 * kernel and trap stacks.  One iteration is one block:
 *
 *  - a ring-3 block: up to 48 random bytes (sometimes with instructions
 *    that exit sprinkled in) on a user code page filled with `int 0x81`,
 *    entered with IRET from a fresh register state (random values and
 *    pointers into the user pages).  It ends with the first exception (every
 *    one comes back to ring 0 through the IDT on the vCPU's trap stack), at
 *    `int 0x81`, after a bounded number of single steps (some blocks run with
 *    TF set), or by the timer interrupt once its deadline has passed.
 *    Everything but the user pages is supervisor-only, and the TSS has no
 *    I/O bitmap, so random bytes cannot touch the fuzzer or a port;
 *  - a ring-0 template: one instruction shape that exits or is emulated,
 *    with random operands (gf_templates[] below), run under gf_try() so that
 *    the exceptions it may raise are caught and checked against the ones the
 *    architecture allows for it.
 *
 * Invariants checked as it goes: only the vectors a block may raise arrive
 * (and a ring-3 #PF says "user"), the fuzzer's canaries, GDT, IDT and user
 * code pages survive, CPUID keeps VMX hidden and reports the vCPU, a CR4 bit
 * is settable exactly when CPUID offers it, CR0/CR4/TPR/XCR0/DRn/PAT read back
 * what was written, RDTSC never goes back, RDPMC faults, hypercalls answer
 * their documented status, HLT is woken by the timer, the timer keeps
 * firing.  At the end every vCPU prints
 *
 *     gfuzz: seed S, vcpu V: N blocks, M exceptions by vector V:n ...
 *
 * and vCPU 0 reports PASS when no check failed.
 *
 * The seed and the bounds live in gf_config, tagged "GFUZZCFG", which
 * tools/fuzz-guest patches in a copy of the image (the module's GRUB line
 * does not reach the guest).  Options there: GF_OPT_STRING_IO adds a REP
 * INS/OUTS template and GF_OPT_PAST_RAM accesses past the end of RAM; both
 * are off by default because hv stops the VM for either (string I/O is not
 * emulated, and RAM has an end).  GF_OPT_TF_EXITS (on by default) single-steps
 * over instructions that exit and checks that the #DB arrives right after
 * them.  Under Bochs 2.7 it does; on hardware the VMM must pend the single
 * step when it skips an emulated instruction (SDM vol. 3C 27.3.4), which hv
 * does not do yet.
 */
#include "guest.h"

#include "lib/x86_msr.h"
#include "lib/x86_regs.h"
#include "lib/x86_apic.h"
#include "vmx/dev/platform.h"

/* ---------------------------------------------------------------- config */

#define GF_OPT_STRING_IO	(1u << 0)
#define GF_OPT_PAST_RAM		(1u << 1)
#define GF_OPT_TF_EXITS		(1u << 2)

/* Patched by tools/fuzz-guest: keep the layout (docs/testing-hostile.md). */
struct gf_config {
	char magic[8];		/* "GFUZZCFG" */
	u32 seed;
	u32 blocks;		/* per vCPU; 0: no limit */
	u32 ticks_lo, ticks_hi;	/* TSC budget per vCPU; 0: no limit */
	u32 flags;		/* GF_OPT_* */
	u32 user_percent;	/* share of ring-3 blocks */
};

#ifndef GFUZZ_SEED
#define GFUZZ_SEED	1
#endif

volatile struct gf_config gf_config = {
	.magic = { 'G', 'F', 'U', 'Z', 'Z', 'C', 'F', 'G' },
	.seed = GFUZZ_SEED,
	.blocks = 20000,
	.ticks_lo = 1000000000u,	/* 20 s at Bochs's 50 M ips */
	.flags = GF_OPT_TF_EXITS,
	.user_percent = 50,
};

/* ---------------------------------------------------------------- layout */

#define GF_MAX_CPUS	8
#define GF_KPT		16		/* kernel page tables: RAM up to 64 MiB */

#define KERNEL_CS	0x08
#define KERNEL_DS	0x10
#define USER_CS		0x1b
#define USER_DS		0x23
#define TSS_SEL(i)	(0x28 + 8 * (i))

#define UVA_BASE	0x40000000u	/* per-vCPU user pages, page directory entry 256 */
#define UVA_CODE	(UVA_BASE + 0x0000)	/* 2 pages, user read-only */
#define UVA_STACK	(UVA_BASE + 0x3000)	/* 1 page (0x2000 stays unmapped) */
#define UVA_DATA	(UVA_BASE + 0x4000)	/* 2 pages */
#define UPAGES		5

#define PTE_P		0x001u
#define PTE_W		0x002u
#define PTE_U		0x004u

#define GF_TIMER_VEC	0xe0
#define GF_END_VEC	0x81		/* `int 0x81`: a ring-3 block ends */
#define GF_END_STEPS	0x100
#define GF_END_TIMEOUT	0x101
#define GF_TIMER_PERIOD	300000u		/* TSC ticks */
#define GF_BLOCK_TICKS	2000000u
#define GF_MAX_STEPS	200

/* Vectors ring-3 code may raise: #DE #DB #BP #OF #BR #UD #NM #TS #SS #GP #PF #MF #AC #XM. */
#define USER_VECTORS	((1u << 0) | (1u << 1) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) | \
			 (1u << 7) | (1u << 10) | (1u << 12) | (1u << 13) | (1u << 14) | \
			 (1u << 16) | (1u << 17) | (1u << 19))
#define V(n)		(1u << (n))

/* ---------------------------------------------------------------- state */

struct gf_jmp {
	u32 esp, active;
};

/* gfuzz_asm.asm's gf_to_user() reads these offsets. */
struct gf_uregs {
	u32 eax, ebx, ecx, edx, esi, edi, ebp, esp, eip, eflags;
};

/* The stack gfuzz_asm.asm's trap_common builds. */
struct gf_frame {
	u32 gs, fs, es, ds;
	u32 edi, esi, ebp, esp_kernel, ebx, edx, ecx, eax;
	u32 vector, err;
	u32 eip, cs, eflags;
	u32 user_esp, user_ss;		/* only from ring 3 */
};

struct tss32 {
	u32 link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
	u32 eax, ecx, edx, ebx, esp, ebp, esi, edi;
	u32 es, cs, ss, ds, fs, gs, ldt;
	u16 trap, iomap;
} __attribute__((packed));

enum gf_tpl {
	T_CPUID, T_MSR, T_IO, T_CR0, T_CR4, T_TPR, T_XSETBV, T_VMCALL, T_HLT, T_INVLPG,
	T_EDGE, T_TSC, T_DR, T_BREAK, T_TFEXIT, T_STRIO, T_COUNT
};

static const char *const tpl_names[T_COUNT] = {
	"cpuid", "msr", "io", "cr0", "cr4", "tpr", "xsetbv", "vmcall", "hlt", "invlpg",
	"edge", "tsc", "dr", "break", "tfexit", "strio",
};

#define CANARY		0x6766757au	/* "zufg" */

struct gf_cpu {
	u32 canary_lo;
	u32 index, vcpu_id;
	struct gf_jmp jb;
	u64 rng;
	/* The block that runs. */
	int tpl;			/* enum gf_tpl, or -1 for ring 3 */
	u32 blocks;
	u32 steps;
	u64 deadline;
	u32 code_off, code_len;
	u32 last_eip, last_err, last_cr2, last_dr6;
	/* What the templates know. */
	u64 last_tsc;
	u32 tsc_aux;
	bool aux_known;
	/* Statistics. */
	u32 user_blocks, tpl_runs[T_COUNT];
	u32 exc[32], exc_total;
	u32 irqs, timer_irqs, other_irqs;
	u32 ends_term, ends_steps, ends_timeout, steps_total;
	u32 hlt_waits;
	u32 fails;
	u32 canary_hi;
	struct tss32 tss;
	u8 scratch[64] __attribute__((aligned(16)));
};

static struct gf_cpu cpus[GF_MAX_CPUS];
static u64 gdt[5 + GF_MAX_CPUS] __attribute__((aligned(8)));
static u64 idt[256] __attribute__((aligned(8)));
static u64 gdt_copy[5 + GF_MAX_CPUS], idt_copy[256];
static u32 pd[GF_MAX_CPUS][1024] __attribute__((aligned(4096)));
static u32 kpt[GF_KPT][1024] __attribute__((aligned(4096)));
static u32 upt[GF_MAX_CPUS][1024] __attribute__((aligned(4096)));
static u8 upages[GF_MAX_CPUS][UPAGES][4096] __attribute__((aligned(4096)));
static u8 kstacks[GF_MAX_CPUS][16384] __attribute__((aligned(16)));
static u8 tstacks[GF_MAX_CPUS][8192] __attribute__((aligned(16)));
static u32 canaries[64];

static u32 mem_bytes, nvcpus, seed, flags;
static volatile u32 started, go, done, print_turn;

/* CPUID as this VM sees it, read once by vCPU 0. */
static struct {
	u32 c1_ecx, c1_edx, c7_ebx, c7_ecx, c7_edx, c81_ecx, c81_edx;
} feat;

extern const u32 gf_stub_table[256];
int gf_try(struct gf_jmp *jb, void (*fn)(void *), void *arg);
__attribute__((noreturn)) void gf_longjmp(struct gf_jmp *jb, int val);
__attribute__((noreturn)) void gf_to_user(void *uregs);
__attribute__((noreturn)) void gf_on_stack(void (*fn)(u32), u32 arg, void *top);
void gf_trap(struct gf_frame *f);
void guest_idt_load(void);

/* ---------------------------------------------------------------- helpers */

/* xorshift64*: one stream per vCPU, from the seed and the vCPU index. */
static u32 rnd(struct gf_cpu *c)
{
	c->rng ^= c->rng >> 12;
	c->rng ^= c->rng << 25;
	c->rng ^= c->rng >> 27;
	return (u32)((c->rng * 0x2545f4914f6cdd1dull) >> 32);
}

static u32 below(struct gf_cpu *c, u32 n)
{
	return (u32)(((u64)rnd(c) * n) >> 32);
}

static bool chance(struct gf_cpu *c, u32 one_in)
{
	return below(c, one_in) == 0;
}

static u32 read_cr0(void)
{
	u32 v;

	__asm__ __volatile__("mov %%cr0, %0" : "=r"(v));
	return v;
}

static void write_cr0(u32 v)
{
	__asm__ __volatile__("mov %0, %%cr0" ::"r"(v) : "memory");
}

static void write_cr4(u32 v)
{
	__asm__ __volatile__("mov %0, %%cr4" ::"r"(v) : "memory");
}

static u32 read_cr2(void)
{
	u32 v;

	__asm__ __volatile__("mov %%cr2, %0" : "=r"(v));
	return v;
}

static u32 read_dr6(void)
{
	u32 v;

	__asm__ __volatile__("mov %%dr6, %0" : "=r"(v));
	return v;
}

static void write_dr6(u32 v)
{
	__asm__ __volatile__("mov %0, %%dr6" ::"r"(v));
}

static void write_dr7(u32 v)
{
	__asm__ __volatile__("mov %0, %%dr7" ::"r"(v));
}

static struct gf_cpu *this_cpu(void)
{
	u16 tr;

	__asm__ __volatile__("str %0" : "=r"(tr));
	return &cpus[((tr - TSS_SEL(0)) >> 3) & (GF_MAX_CPUS - 1)];
}

static void arm_timer(struct gf_cpu *c)
{
	hcall(HC_TIMER, GF_TIMER_PERIOD, GF_TIMER_VEC, 0, 0);
}

/*
 * gf_fail() - a check failed: say where (seed, vCPU, block, template, so the
 * run can be replayed) and count it; the first 8 per vCPU are printed.
 */
static void gf_fail(struct gf_cpu *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void gf_fail(struct gf_cpu *c, const char *fmt, ...)
{
	char buf[96];
	va_list ap;

	__atomic_fetch_add(&guest_failures, 1, __ATOMIC_RELAXED);
	if (c->fails++ >= 8)
		return;
	va_start(ap, fmt);
	gvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	gprintf("CHECK FAILED gfuzz: seed %u vcpu %u block %u %s: %s\n", seed, c->vcpu_id,
		c->blocks, c->tpl < 0 ? "ring3" : tpl_names[c->tpl], buf);
}

/*
 * try_insn() - run fn(arg) under this vCPU's jump buffer; -1 if it
 * finished, else the vector it raised, which must be in @allowed.
 */
static int try_insn(struct gf_cpu *c, void (*fn)(void *), void *arg, u32 allowed)
{
	int v = gf_try(&c->jb, fn, arg);

	if (v >= 0 && !(allowed & V(v)))
		gf_fail(c, "vector %d (error %#x) at %#x", v, c->last_err, c->last_eip);
	return v;
}

/* ---------------------------------------------------------------- traps */

/*
 * gf_trap() - every exception and interrupt, from ring 3 or ring 0.
 * Interrupts and single steps return; an exception abandons the block.
 */
void gf_trap(struct gf_frame *f)
{
	struct gf_cpu *c = this_cpu();
	u32 v = f->vector;
	bool user = (f->cs & 3) == 3;

	if (v >= 32) {
		if (v == GF_END_VEC && user) {
			c->ends_term++;
			gf_longjmp(&c->jb, GF_END_VEC);
		}
		c->irqs++;
		if (v == GF_TIMER_VEC)
			c->timer_irqs++;
		else
			c->other_irqs++;
		arm_timer(c);	/* one-shot: the periodic timer re-arms itself */
		if (user && c->jb.active && rdtsc() > c->deadline) {
			c->ends_timeout++;
			gf_longjmp(&c->jb, GF_END_TIMEOUT);
		}
		return;
	}
	if (user) {
		if (v == 1 && (read_dr6() & X86_DR6_BS)) {
			/* A single step: go on, up to the block's bound. */
			write_dr6(0xffff0ff0u);
			c->steps_total++;
			if (++c->steps >= GF_MAX_STEPS || rdtsc() > c->deadline) {
				c->ends_steps++;
				gf_longjmp(&c->jb, GF_END_STEPS);
			}
			return;
		}
		c->exc[v]++;
		c->exc_total++;
		if (!(USER_VECTORS & V(v)))
			gf_fail(c, "vector %u (error %#x) from ring 3 at %#x", v, f->err, f->eip);
		if (v == 14 && !(f->err & 4))
			gf_fail(c, "#PF from ring 3 without the user bit (error %#x)", f->err);
		c->last_eip = f->eip;
		c->last_err = f->err;
		gf_longjmp(&c->jb, (int)v);
	}
	if (c->jb.active) {
		c->exc[v]++;
		c->exc_total++;
		c->last_eip = f->eip;
		c->last_err = f->err;
		if (v == 14)
			c->last_cr2 = read_cr2();
		if (v == 1)
			c->last_dr6 = read_dr6();
		gf_longjmp(&c->jb, (int)v);
	}
	/* The fuzzer itself faulted: nothing to go back to. */
	gprintf("gfuzz: vcpu %u: exception %u (error %#x) at %#x outside a block (block %u)\n",
		c->vcpu_id, v, f->err, f->eip, c->blocks);
	greport(200 + (int)v, "gfuzz faulted outside a block");
	gexit(1);
}

/* ---------------------------------------------------------------- set-up */

static u64 seg_desc(u32 base, u32 limit, u32 access, u32 gran)
{
	return (limit & 0xffff) | ((u64)(base & 0xffffff) << 16) | ((u64)access << 40) |
	       ((u64)((limit >> 16) & 0xf) << 48) | ((u64)gran << 52) | ((u64)(base >> 24) << 56);
}

/* GDT, IDT and the shared kernel page tables: vCPU 0, before the APs start. */
static void tables_init(void)
{
	u32 i, pages = mem_bytes / 4096;

	gdt[1] = seg_desc(0, 0xfffff, 0x9a, 0xc);	/* 0x08 kernel code */
	gdt[2] = seg_desc(0, 0xfffff, 0x92, 0xc);	/* 0x10 kernel data */
	gdt[3] = seg_desc(0, 0xfffff, 0xfa, 0xc);	/* 0x18 user code, DPL 3 */
	gdt[4] = seg_desc(0, 0xfffff, 0xf2, 0xc);	/* 0x20 user data, DPL 3 */
	for (i = 0; i < GF_MAX_CPUS; i++)		/* 0x28... a TSS per vCPU */
		gdt[5 + i] = seg_desc((u32)(uintptr_t)&cpus[i].tss, sizeof(struct tss32) - 1,
				      0x89, 0);
	for (i = 0; i < 256; i++) {
		/* Interrupt gates; #BP, #OF and the block end may be raised from ring 3. */
		u32 type = (i == 3 || i == 4 || i == GF_END_VEC) ? 0xee : 0x8e, h = gf_stub_table[i];

		idt[i] = (h & 0xffff) | ((u64)KERNEL_CS << 16) | ((u64)type << 40) |
			 ((u64)(h >> 16) << 48);
	}
	memcpy(gdt_copy, gdt, sizeof(gdt));
	memcpy(idt_copy, idt, sizeof(idt));
	/* Identity map of RAM, supervisor only; page 0 stays unmapped. */
	if (flags & GF_OPT_PAST_RAM)
		pages++;	/* and the page after RAM: its accesses stop the VM */
	for (i = 1; i < pages && i < GF_KPT * 1024; i++)
		kpt[i / 1024][i % 1024] = i * 4096 | PTE_P | PTE_W;
	for (i = 0; i < 64; i++)
		canaries[i] = CANARY ^ (i * 0x01000193u);
}

static void cpu_init(struct gf_cpu *c, u32 index)
{
	struct {
		u16 limit;
		u32 base;
	} __attribute__((packed)) gdtr = { sizeof(gdt) - 1, (u32)(uintptr_t)gdt },
	  idtr = { sizeof(idt) - 1, (u32)(uintptr_t)idt };
	u32 i, cr0, cr4 = read_cr4();

	c->index = index;
	c->vcpu_id = (u32)rdmsr(X2APIC_MSR(APIC_ID));
	c->canary_lo = c->canary_hi = CANARY ^ index;
	c->rng = ((u64)seed << 32 | 0x9e3779b9u) ^ ((u64)(index + 1) * 0x9e3779b97f4a7c15ull);
	for (i = 0; i < 8; i++)
		rnd(c);
	c->tpl = -1;
	/* Segments and the TSS: ring-3 traps land on the trap stack. */
	c->tss.ss0 = KERNEL_DS;
	c->tss.esp0 = (u32)(uintptr_t)&tstacks[index][sizeof(tstacks[0])];
	c->tss.iomap = sizeof(struct tss32);	/* no I/O bitmap: every port #GP at CPL 3 */
	__asm__ __volatile__("lgdt %0\n\t"
			     "ljmp $0x08, $1f\n"
			     "1:\tmov %1, %%ds\n\t"
			     "mov %1, %%es\n\t"
			     "mov %1, %%ss\n\t"
			     "mov %1, %%fs\n\t"
			     "mov %1, %%gs\n\t"
			     "ltr %w2\n\t"
			     "lidt %3"
			     :: "m"(gdtr), "r"(KERNEL_DS), "r"(TSS_SEL(index)), "m"(idtr)
			     : "memory");
	/* Paging: the shared identity map, and this vCPU's user pages at UVA_BASE. */
	for (i = 0; i < GF_KPT; i++)
		pd[index][i] = (u32)(uintptr_t)kpt[i] | PTE_P | PTE_W;
	pd[index][UVA_BASE >> 22] = (u32)(uintptr_t)upt[index] | PTE_P | PTE_W | PTE_U;
	upt[index][0] = (u32)(uintptr_t)upages[index][0] | PTE_P | PTE_U;
	upt[index][1] = (u32)(uintptr_t)upages[index][1] | PTE_P | PTE_U;
	upt[index][3] = (u32)(uintptr_t)upages[index][2] | PTE_P | PTE_W | PTE_U;
	upt[index][4] = (u32)(uintptr_t)upages[index][3] | PTE_P | PTE_W | PTE_U;
	upt[index][5] = (u32)(uintptr_t)upages[index][4] | PTE_P | PTE_W | PTE_U;
	for (i = 0; i < 2 * 4096; i++)	/* `int 0x81` everywhere a block is not */
		upages[index][i / 4096][i % 4096] = (i & 1) ? GF_END_VEC : 0xcd;
	__asm__ __volatile__("mov %0, %%cr3" ::"r"((u32)(uintptr_t)pd[index]) : "memory");
	if (feat.c1_edx & V(24))
		cr4 |= X86_CR4_OSFXSR;
	if (feat.c1_edx & V(25))
		cr4 |= X86_CR4_OSXMMEXCPT;
	write_cr4(cr4);
	cr0 = read_cr0() | X86_CR0_PG | X86_CR0_NE | X86_CR0_AM | X86_CR0_MP;
	write_cr0(cr0 & ~(X86_CR0_EM | X86_CR0_TS));
	if (feat.c81_edx & V(27)) {
		wrmsr(MSR_TSC_AUX, 0x100 + index);
		c->tsc_aux = 0x100 + index;
		c->aux_known = true;
	}
	c->last_tsc = rdtsc();
	arm_timer(c);
}

/* ---------------------------------------------------------------- checks */

static void check_canaries(struct gf_cpu *c)
{
	u32 i;

	if (c->canary_lo != (CANARY ^ c->index) || c->canary_hi != (CANARY ^ c->index))
		gf_fail(c, "per-vCPU canary %#x %#x", c->canary_lo, c->canary_hi);
	for (i = 0; i < 64; i++) {
		if (canaries[i] != (CANARY ^ (i * 0x01000193u))) {
			gf_fail(c, "canary %u is %#x", i, canaries[i]);
			break;
		}
	}
}

/* The tables and the user code pages (user read-only: only ring 0 writes them). */
static void check_tables(struct gf_cpu *c)
{
	u32 i;

	for (i = 0; i < 5 + GF_MAX_CPUS; i++) {
		/* Only the accessed bit (busy in a TSS) may differ. */
		if ((gdt[i] ^ gdt_copy[i]) & ~(3ull << 40)) {
			gf_fail(c, "GDT entry %u changed", i);
			break;
		}
	}
	if (memcmp(idt, idt_copy, sizeof(idt)))
		gf_fail(c, "IDT changed");
	for (i = 0; i < 2 * 4096; i++) {
		if (upages[c->index][i / 4096][i % 4096] != ((i & 1) ? GF_END_VEC : 0xcd)) {
			gf_fail(c, "user code byte %#x is %#x", i, upages[c->index][i / 4096][i % 4096]);
			break;
		}
	}
}

/* ---------------------------------------------------------------- ring 3 */

/* Instructions worth meeting often: exits, privileged ones, flag games. */
static const u8 snippets[][8] = {
	{ 2, 0x0f, 0xa2 },			/* cpuid */
	{ 3, 0x0f, 0x01, 0xc1 },		/* vmcall */
	{ 2, 0x0f, 0x31 },			/* rdtsc */
	{ 3, 0x0f, 0x01, 0xf9 },		/* rdtscp */
	{ 2, 0x0f, 0x33 },			/* rdpmc */
	{ 2, 0x0f, 0x32 },			/* rdmsr */
	{ 2, 0x0f, 0x30 },			/* wrmsr */
	{ 1, 0xf4 },				/* hlt */
	{ 1, 0xec },				/* in al, dx */
	{ 1, 0xef },				/* out dx, eax */
	{ 1, 0x6e },				/* outsb */
	{ 1, 0xcf },				/* iret */
	{ 1, 0xf1 },				/* icebp */
	{ 1, 0xce },				/* into */
	{ 2, 0x0f, 0x34 },			/* sysenter */
	{ 2, 0x0f, 0x05 },			/* syscall */
	{ 3, 0x0f, 0x01, 0xd0 },		/* xgetbv */
	{ 3, 0x0f, 0x01, 0xd1 },		/* xsetbv */
	{ 3, 0x0f, 0x01, 0xc8 },		/* monitor */
	{ 3, 0x0f, 0x01, 0xc9 },		/* mwait */
	{ 2, 0x0f, 0x08 },			/* invd */
	{ 2, 0x0f, 0x09 },			/* wbinvd */
	{ 3, 0x0f, 0x01, 0x38 },		/* invlpg [eax] */
	{ 3, 0x0f, 0x23, 0xf8 },		/* mov dr7, eax */
	{ 3, 0x0f, 0x22, 0xe0 },		/* mov cr4, eax */
	{ 3, 0x0f, 0x78, 0xc0 },		/* vmread eax, eax */
	{ 4, 0xf3, 0x0f, 0xc7, 0x30 },		/* vmxon [eax] */
	{ 2, 0x0f, 0x37 },			/* getsec */
	{ 3, 0x0f, 0x00, 0xc8 },		/* str eax */
	{ 3, 0x0f, 0x01, 0x00 },		/* sgdt [eax] */
	{ 6, 0x68, 0x00, 0x41, 0x04, 0x00, 0x9d },	/* push TF|NT|AC; popf */
	{ 3, 0x8e, 0xd0, 0xa2 },		/* mov ss, eax; (shadow) mov [imm], al */
	{ 7, 0xea, 0x00, 0x00, 0x00, 0x00, 0x28, 0x00 },	/* jmp far 0x28:0 (a TSS) */
	{ 6, 0xd9, 0xe8, 0xd9, 0xee, 0xde, 0xf9 },	/* fld1; fldz; fdivp */
	{ 4, 0x0f, 0xae, 0x10 },		/* ldmxcsr [eax] */
	{ 2, 0xcd, 0x80 },			/* int 0x80 (DPL 0: #GP) */
};

static void gen_user_block(struct gf_cpu *c, struct gf_uregs *r)
{
	u8 *code = upages[c->index][0];
	u32 len = 1 + below(c, 48), off = below(c, 4096 - 64), i, k;
	u32 mode = below(c, 4);
	u32 *data = (u32 *)(void *)upages[c->index][3];

	for (i = 0; i < len; i++)
		code[off + i] = (u8)rnd(c);
	if (mode >= 2) {
		/* Sprinkle whole instructions over the random bytes. */
		for (k = 1 + below(c, 4); k; k--) {
			const u8 *s = snippets[below(c, sizeof(snippets) / sizeof(snippets[0]))];
			u32 at = below(c, len);

			for (i = 0; i < s[0] && at + i < 60; i++)
				code[off + at + i] = s[1 + i];
			if (at + s[0] > len)
				len = at + s[0] < 60 ? at + s[0] : 60;
		}
	}
	code[off + len] = 0xcd;		/* the block's own end */
	code[off + len + 1] = GF_END_VEC;
	c->code_off = off;
	c->code_len = len + 2;
	/* A fresh register state: random values, small numbers, user pointers. */
	for (i = 0; i < 7; i++) {
		u32 v, *dst = &r->eax + i;

		switch (below(c, 5)) {
		case 0: v = rnd(c); break;
		case 1: v = below(c, 16); break;
		case 2: v = UVA_DATA + below(c, 8192); break;
		case 3: v = UVA_STACK + below(c, 4096); break;
		default: v = (const u32[]){ 0, 0xffffffffu, 0x80000000u, UVA_CODE + off,
					    HC_NOP, 0x40000000u }[below(c, 6)];
			 break;
		}
		*dst = v;
	}
	r->esp = chance(c, 16) ? rnd(c) : UVA_STACK + 4096 - 4 * below(c, 64);
	r->eip = UVA_CODE + off;
	r->eflags = 0x202 | (rnd(c) & 0xcd5) | (chance(c, 8) ? X86_RFLAGS_AC : 0) |
		    (chance(c, 2) ? X86_RFLAGS_TF : 0);	/* CF PF AF ZF SF DF OF at random */
	for (i = 0; i < 16; i++)
		data[below(c, 2048)] = rnd(c);
}

static void run_user_block(struct gf_cpu *c)
{
	struct gf_uregs r;
	u8 *code = upages[c->index][0];
	u32 i;

	gen_user_block(c, &r);
	c->tpl = -1;
	c->user_blocks++;
	c->steps = 0;
	write_dr7(0x400);
	write_dr6(0xffff0ff0u);
	if (!(read_cr0() & (X86_CR0_EM | X86_CR0_TS)))
		__asm__ __volatile__("fninit");
	c->deadline = rdtsc() + GF_BLOCK_TICKS;
	(void)gf_try(&c->jb, gf_to_user, &r);
	/* Back in ring 0: put the filler back, and the segments the block may have changed. */
	for (i = c->code_off; i < c->code_off + c->code_len; i++)
		code[i] = (i & 1) ? GF_END_VEC : 0xcd;
	__asm__ __volatile__("mov %0, %%fs; mov %0, %%gs" ::"r"(KERNEL_DS));
}

/* ---------------------------------------------------------------- ring 0 */

struct op {
	u32 a, b, c, d, s;		/* eax ebx ecx edx esi, in and out */
	u32 port, size, addr;
};

static void op_cpuid(void *p)
{
	struct op *o = p;

	__asm__ __volatile__("cpuid" : "+a"(o->a), "=b"(o->b), "+c"(o->c), "=d"(o->d));
}

static void tpl_cpuid(struct gf_cpu *c)
{
	static const u32 sub_leaves[] = { 4, 7, 0xb, 0xd, 0x14, 0x1f };
	struct op o = { 0 };
	u32 leaf;

	switch (below(c, 6)) {
	case 0: leaf = below(c, 0x21); break;
	case 1: leaf = 0x80000000u + below(c, 9); break;
	case 2: leaf = 0x40000000u + below(c, 0x10); break;
	case 3: leaf = sub_leaves[below(c, 6)]; break;
	case 4: leaf = 1; break;
	default: leaf = rnd(c); break;
	}
	o.a = leaf;
	o.c = chance(c, 2) ? below(c, 8) : rnd(c);
	if (try_insn(c, op_cpuid, &o, 0) >= 0)
		return;
	if (leaf == 1) {
		if (o.c & V(5))
			gf_fail(c, "CPUID.1 shows VMX");
		if (!(o.c & V(31)))
			gf_fail(c, "CPUID.1 hides the hypervisor bit");
		if ((o.b >> 24) != c->vcpu_id)
			gf_fail(c, "CPUID.1 APIC id %u", o.b >> 24);
		if (!!(o.c & V(27)) != !!(read_cr4() & X86_CR4_OSXSAVE))
			gf_fail(c, "CPUID.1 OSXSAVE %u, CR4 %#x", !!(o.c & V(27)), read_cr4());
	} else if (leaf == 0x40000000u) {
		if (o.b != 0x76687668u || o.c != 0x76687668u || o.d != 0x76687668u)
			gf_fail(c, "no hv signature: %#x %#x %#x", o.b, o.c, o.d);
	} else if (leaf == 0x40000001u) {
		if (o.c != c->vcpu_id || o.d != nvcpus)
			gf_fail(c, "CPUID 0x40000001: vcpu %u of %u", o.c, o.d);
	}
}

static void op_rdmsr(void *p)
{
	struct op *o = p;

	__asm__ __volatile__("rdmsr" : "=a"(o->a), "=d"(o->d) : "c"(o->c));
}

static void op_wrmsr(void *p)
{
	struct op *o = p;

	__asm__ __volatile__("wrmsr" ::"a"(o->a), "d"(o->d), "c"(o->c) : "memory");
}

static u32 pick_msr(struct gf_cpu *c)
{
	static const u32 known[] = {
		0x10, 0x17, 0x1b, 0x3a, 0x3b, 0x8b, 0xfe, 0x174, 0x175, 0x176, 0x1a0, 0x1d9,
		0x277, 0x2ff, 0x480, 0x48d, 0x491, 0x6e0, 0x802, 0x803, 0x808, 0x80a, 0x80b,
		0x830, 0x83f, 0xc0000080u, 0xc0000081u, 0xc0000082u, 0xc0000100u, 0xc0000101u,
		0xc0000102u, 0xc0000103u, 0x40000000u, 0x40000001u,
	};

	switch (below(c, 7)) {
	case 0: return below(c, 0x2000);
	case 1: return 0xc0000000u + below(c, 0x2000);
	case 2: return 0xc0000080u + below(c, 0x90);
	case 3: return 0x40000000u + below(c, 0x100);
	case 4: return 0x800 + below(c, 0x100);
	case 5: return known[below(c, sizeof(known) / sizeof(known[0]))];
	default: return rnd(c);
	}
}

/*
 * RDMSR, then maybe WRMSR with a random value.  Never written with random
 * values: TSC and TSC_ADJUST (the fuzzer's clock), SYSENTER_* and EFER.SCE
 * (they would let ring-3 SYSENTER/SYSCALL into ring 0 at a random place);
 * EFER gets only NXE or LME toggled.
 */
static void tpl_msr(struct gf_cpu *c)
{
	struct op o = { 0 };
	u32 msr = pick_msr(c), efer_old = 0;
	int v;
	u64 val;

	o.c = msr;
	v = try_insn(c, op_rdmsr, &o, V(13));
	if (!chance(c, 2))
		return;
	if (msr == MSR_IA32_TSC || msr == MSR_IA32_TSC_ADJUST ||
	    (msr >= MSR_IA32_SYSENTER_CS && msr <= MSR_IA32_SYSENTER_EIP))
		return;
	if (msr == MSR_EFER) {
		if (v >= 0)
			return;
		efer_old = o.a;
		o.a = (o.a ^ (chance(c, 2) ? EFER_NXE : EFER_LME)) & ~EFER_SCE;
	} else if (chance(c, 4) && v < 0) {
		o.a ^= V(below(c, 32));		/* the value read with one bit flipped */
	} else {
		o.a = rnd(c);
		o.d = chance(c, 2) ? 0 : rnd(c);
		if (chance(c, 2))
			o.a &= 0xff;
	}
	val = (u64)o.d << 32 | o.a;
	o.c = msr;
	v = try_insn(c, op_wrmsr, &o, V(13));
	switch (msr) {
	case X2APIC_MSR(APIC_TPR):
		if ((v < 0) != (val <= 0xff))
			gf_fail(c, "TPR write %#llx: vector %d", val, v);
		wrmsr(X2APIC_MSR(APIC_TPR), 0);
		break;
	case MSR_EFER:
		/* Paging is on: LME cannot change; NXE can where CPUID offers NX. */
		if (((u32)rdmsr(MSR_EFER) ^ efer_old) & EFER_LME)
			gf_fail(c, "EFER.LME changed with paging on");
		if ((v >= 0) != !!((val ^ efer_old) & EFER_LME) && (feat.c81_edx & V(20)))
			gf_fail(c, "EFER %#llx after %#x: vector %d", val,
				efer_old, v);
		break;
	case MSR_IA32_PAT:
		if (v < 0 && rdmsr(MSR_IA32_PAT) != val)
			gf_fail(c, "PAT reads %#llx after %#llx", rdmsr(MSR_IA32_PAT),
				val);
		break;
	case MSR_TSC_AUX:
		if (v < 0) {
			c->tsc_aux = (u32)val;
			c->aux_known = true;
		}
		break;
	default:
		break;
	}
	if (msr == 0x830 || msr == 0x83f || msr == X2APIC_MSR(APIC_TPR))
		wrmsr(X2APIC_MSR(APIC_TPR), 0);
}

/* Writes there reset, stop or power off the VM, or break this guest's console. */
static bool port_write_skipped(u32 port, u32 size)
{
	u32 b, p;

	for (b = 0; b < size; b++) {
		p = (port + b) & 0xffff;
		if ((p >= PLAT_COM1_BASE && p < PLAT_COM1_BASE + 8) || plat_port_write_ends_vm(p))
			return true;
	}
	return false;
}

static void op_in(void *p)
{
	struct op *o = p;

	if (o->size == 1)
		__asm__ __volatile__("inb %w1, %b0" : "+a"(o->a) : "d"(o->port));
	else if (o->size == 2)
		__asm__ __volatile__("inw %w1, %w0" : "+a"(o->a) : "d"(o->port));
	else
		__asm__ __volatile__("inl %w1, %0" : "+a"(o->a) : "d"(o->port));
}

static void op_out(void *p)
{
	struct op *o = p;

	if (o->size == 1)
		__asm__ __volatile__("outb %b0, %w1" ::"a"(o->a), "d"(o->port));
	else if (o->size == 2)
		__asm__ __volatile__("outw %w0, %w1" ::"a"(o->a), "d"(o->port));
	else
		__asm__ __volatile__("outl %0, %w1" ::"a"(o->a), "d"(o->port));
}

static u32 pick_port(struct gf_cpu *c)
{
	static const u32 known[] = {
		0x20, 0x21, 0x40, 0x43, 0x60, 0x61, 0x64, 0x70, 0x71, 0x80, 0x92, 0xa0, 0xe9,
		0xf4, 0x3f8, 0x3f9, 0x3fa, 0x3fb, 0x3fc, 0x3fd, 0x3fe, 0x3ff, 0x600, 0x601,
		0xcf8, 0xcf9, 0xcfc, 0xcfe, 0xffff,
	};

	switch (below(c, 3)) {
	case 0: return below(c, 0x400);
	case 1: return known[below(c, sizeof(known) / sizeof(known[0]))];
	default: return below(c, 0x10000);
	}
}

static void tpl_io(struct gf_cpu *c)
{
	struct op o = { 0 };

	o.port = pick_port(c);
	o.size = (const u32[]){ 1, 2, 4 }[below(c, 3)];
	o.a = rnd(c);
	if (chance(c, 2))
		try_insn(c, op_in, &o, 0);
	else if (!port_write_skipped(o.port, o.size))
		try_insn(c, op_out, &o, 0);
}

static void op_strio(void *p)
{
	struct op *o = p;
	u32 cnt = o->c, dst = o->addr;

	if (o->b)
		__asm__ __volatile__("rep insb" : "+D"(dst), "+c"(cnt) : "d"(o->port) : "memory");
	else
		__asm__ __volatile__("rep outsb" : "+S"(dst), "+c"(cnt) : "d"(o->port) : "memory");
}

/* REP INS/OUTS: only with GF_OPT_STRING_IO, since hv stops the VM on string I/O. */
static void tpl_strio(struct gf_cpu *c)
{
	struct op o = { 0 };

	o.port = pick_port(c);
	o.b = chance(c, 2);
	o.c = 1 + below(c, 4);
	o.addr = (u32)(uintptr_t)c->scratch;
	if (!o.b && port_write_skipped(o.port, o.c))
		return;
	try_insn(c, op_strio, &o, 0);
}

static void op_cr0(void *p)
{
	write_cr0(((struct op *)p)->a);
}

/* MOV to CR0 toggling MP EM TS WP AM NW CD; NW without CD, or PG without PE, must #GP. */
static void tpl_cr0(struct gf_cpu *c)
{
	const u32 m = X86_CR0_MP | X86_CR0_EM | X86_CR0_TS | X86_CR0_WP | X86_CR0_AM |
		      X86_CR0_NW | X86_CR0_CD;
	u32 old = read_cr0(), val = (old & ~m) | (rnd(c) & m);
	struct op o = { 0 };
	bool bad;
	int v;

	if (chance(c, 8))
		val &= ~X86_CR0_PE;
	bad = ((val & X86_CR0_NW) && !(val & X86_CR0_CD)) || !(val & X86_CR0_PE);
	o.a = val;
	v = try_insn(c, op_cr0, &o, V(13));
	if (bad && v < 0)
		gf_fail(c, "CR0 %#x taken", val);
	else if (!bad && v >= 0)
		gf_fail(c, "CR0 %#x: #GP", val);
	else if (!bad && read_cr0() != (val | X86_CR0_ET))
		gf_fail(c, "CR0 reads %#x after %#x", read_cr0(), val);
	else if (bad && read_cr0() != old)
		gf_fail(c, "CR0 changed to %#x by a faulting write", read_cr0());
}

static void op_cr4(void *p)
{
	write_cr4(((struct op *)p)->a);
}

/*
 * MOV to CR4.  A bit CPUID (as hv shows it) offers must be settable; one it
 * does not offer, VMXE, PCIDE outside long mode and bit 31 must #GP.  PAE is
 * left alone: it would switch this guest's paging mode.
 */
static void tpl_cr4(struct gf_cpu *c)
{
	static const struct {
		u32 bit;
		const u32 *reg;
		u32 mask;
	} offered[] = {
		{ X86_CR4_VME, &feat.c1_edx, V(1) }, { X86_CR4_PVI, &feat.c1_edx, V(1) },
		{ X86_CR4_TSD, &feat.c1_edx, V(4) }, { X86_CR4_DE, &feat.c1_edx, V(2) },
		{ X86_CR4_PSE, &feat.c1_edx, V(3) }, { X86_CR4_MCE, &feat.c1_edx, V(7) },
		{ X86_CR4_PGE, &feat.c1_edx, V(13) }, { X86_CR4_OSFXSR, &feat.c1_edx, V(24) },
		{ X86_CR4_OSXMMEXCPT, &feat.c1_edx, V(25) }, { X86_CR4_UMIP, &feat.c7_ecx, V(2) },
		{ X86_CR4_LA57, &feat.c7_ecx, V(16) }, { X86_CR4_SMXE, &feat.c1_ecx, V(6) },
		{ X86_CR4_FSGSBASE, &feat.c7_ebx, V(0) }, { X86_CR4_OSXSAVE, &feat.c1_ecx, V(26) },
		{ X86_CR4_SMEP, &feat.c7_ebx, V(7) }, { X86_CR4_SMAP, &feat.c7_ebx, V(20) },
		{ X86_CR4_PKE, &feat.c7_ecx, V(3) }, { X86_CR4_CET, &feat.c7_ecx, V(7) },
		{ X86_CR4_PKS, &feat.c7_ecx, V(31) },
	};
	u32 old = read_cr4(), val = old, i, n = sizeof(offered) / sizeof(offered[0]);
	u32 ok_bits = X86_CR4_PCE, bad_bits = X86_CR4_VMXE | X86_CR4_PCIDE | (1u << 31);
	struct op o = { 0 };
	bool bad;
	int v;

	for (i = 0; i < n; i++) {
		if (*offered[i].reg & offered[i].mask)
			ok_bits |= offered[i].bit;
		else
			bad_bits |= offered[i].bit;
	}
	/* LA57 changes paging; CET needs CR0.WP and more: keep them to the must-#GP side. */
	ok_bits &= ~(X86_CR4_LA57 | X86_CR4_CET);
	val = (old & ~ok_bits) | (rnd(c) & ok_bits);
	if (chance(c, 6)) {
		u32 pick;

		do {
			pick = V(below(c, 32));
		} while (!(pick & bad_bits));
		val |= pick;
	}
	bad = val & bad_bits;
	o.a = val;
	v = try_insn(c, op_cr4, &o, V(13));
	if (bad && v < 0)
		gf_fail(c, "CR4 %#x taken (bits %#x not offered)", val, val & bad_bits);
	else if (!bad && v >= 0)
		gf_fail(c, "CR4 %#x: #GP (old %#x)", val, old);
	else if (!bad && read_cr4() != val)
		gf_fail(c, "CR4 reads %#x after %#x", read_cr4(), val);
	else if (bad && read_cr4() != old)
		gf_fail(c, "CR4 changed to %#x by a faulting write", read_cr4());
}

static void op_lock_cr8(void *p)
{
	u32 v;

	/* LOCK MOV EAX, CR0: CR8 on CPUs with AltMovCr8 (AMD), #UD elsewhere. */
	__asm__ __volatile__(".byte 0xf0, 0x0f, 0x20, 0xc0" : "=a"(v));
	((struct op *)p)->a = v;
}

/*
 * The task priority (CR8's register: a 32-bit guest reaches it as the x2APIC
 * TPR MSR): random values, the read-back, and #GP above 0xff; then 0 again
 * so that the timer keeps its way in.
 */
static void tpl_tpr(struct gf_cpu *c)
{
	struct op o = { 0 };
	int v;

	if (chance(c, 4)) {
		try_insn(c, op_lock_cr8, &o, (feat.c81_ecx & V(4)) ? 0 : V(6));
		return;
	}
	o.c = X2APIC_MSR(APIC_TPR);
	o.a = chance(c, 4) ? rnd(c) : below(c, 256);
	o.d = chance(c, 8) ? rnd(c) : 0;
	v = try_insn(c, op_wrmsr, &o, V(13));
	if ((v >= 0) != (o.a > 0xff || o.d))
		gf_fail(c, "TPR %#x:%#x: vector %d", o.d, o.a, v);
	else if (v < 0 && rdmsr(X2APIC_MSR(APIC_TPR)) != o.a)
		gf_fail(c, "TPR reads %#llx after %#x", rdmsr(X2APIC_MSR(APIC_TPR)), o.a);
	wrmsr(X2APIC_MSR(APIC_TPR), 0);
}

static void op_xsetbv(void *p)
{
	struct op *o = p;

	__asm__ __volatile__("xsetbv" ::"a"(o->a), "d"(o->d), "c"(o->c));
}

static void op_xgetbv(void *p)
{
	struct op *o = p;

	__asm__ __volatile__("xgetbv" : "=a"(o->a), "=d"(o->d) : "c"(0));
}

static void tpl_xsetbv(struct gf_cpu *c)
{
	struct op o = { 0 }, r = { 0 };
	bool osx = read_cr4() & X86_CR4_OSXSAVE;
	int v;

	o.a = rnd(c) & (chance(c, 4) ? 0xffffffffu : 0x2ff);
	if (!chance(c, 8))
		o.a |= 1;		/* x87: mostly valid */
	o.d = chance(c, 8) ? V(below(c, 32)) : 0;
	o.c = chance(c, 8) ? rnd(c) & 3 : 0;
	v = try_insn(c, op_xsetbv, &o, osx ? V(13) : V(6));
	if (!osx && v != 6)
		gf_fail(c, "XSETBV without CR4.OSXSAVE: vector %d", v);
	if (v < 0 && try_insn(c, op_xgetbv, &r, 0) < 0 && (r.a != o.a || r.d != o.d))
		gf_fail(c, "XCR0 reads %#x:%#x after %#x:%#x", r.d, r.a, o.d, o.a);
}

static void op_vmcall(void *p)
{
	struct op *o = p;

	__asm__ __volatile__("vmcall"
			     : "+a"(o->a), "+b"(o->b), "+c"(o->c), "+d"(o->d), "+S"(o->s)
			     :: "memory");
}

/*
 * VMCALL with random numbers and arguments.  Never HC_REPORT or HC_EXIT
 * (they would end the run), HC_CONSOLE_WRITE only with ranges outside RAM.
 */
static void tpl_vmcall(struct gf_cpu *c)
{
	struct op o = { 0 };
	u32 nr;

	switch (below(c, 6)) {
	case 0: nr = HC_INFO; break;
	case 1: nr = HC_NOP; break;
	case 2: nr = HC_TIMER; break;
	case 3: nr = HC_CONSOLE_WRITE; break;
	case 4: nr = 6 + below(c, 64); break;
	default: nr = rnd(c); break;
	}
	if (nr == HC_REPORT || nr == HC_EXIT)
		nr = HC_NOP;
	o.a = nr;
	o.b = rnd(c);
	o.c = rnd(c);
	o.d = rnd(c);
	o.s = rnd(c);
	if (nr == HC_CONSOLE_WRITE) {
		o.b = chance(c, 2) ? mem_bytes + below(c, 0x10000) : 0xffffff00u + below(c, 256);
		o.c = 1 + below(c, 512);
	}
	if (nr == HC_TIMER) {
		o.b = chance(c, 4) ? rnd(c) : 1000 + below(c, 100000);
		o.c = chance(c, 2) ? 32 + below(c, 224) : rnd(c) & 0x1ff;
	}
	if (try_insn(c, op_vmcall, &o, 0) >= 0)
		return;
	switch (nr) {
	case HC_INFO:
		if (o.a != 0 || o.d != c->vcpu_id || o.s != nvcpus || o.c != mem_bytes)
			gf_fail(c, "HC_INFO %d: vcpu %u of %u, %#x bytes", (int)o.a, o.d, o.s, o.c);
		break;
	case HC_NOP:
		if (o.a != 0)
			gf_fail(c, "HC_NOP: %d", (int)o.a);
		break;
	case HC_CONSOLE_WRITE:
		if (o.a != (u32)HC_EFAULT)
			gf_fail(c, "HC_CONSOLE_WRITE outside RAM: %d", (int)o.a);
		break;
	case HC_TIMER:
		/*
		 * A random timer replaced the periodic one: when it fires, the
		 * handler re-arms the periodic one; if it is far away, at once.
		 */
		if (o.a != 0 && o.a != (u32)HC_EINVAL)
			gf_fail(c, "HC_TIMER: %d", (int)o.a);
		if (o.a == 0 && o.b > 4 * GF_TIMER_PERIOD)
			arm_timer(c);
		break;
	default:
		if (nr > 5 && o.a != (u32)HC_ENOSYS)
			gf_fail(c, "hypercall %#x: %d", nr, (int)o.a);
		break;
	}
}

static void op_hlt(void *p)
{
	__asm__ __volatile__("sti; hlt; cli" ::: "memory");
}

/* HLT with interrupts on and a timer armed: it must end with the timer's interrupt. */
static void tpl_hlt(struct gf_cpu *c)
{
	u32 before = c->irqs;

	hcall(HC_TIMER, 1000 + below(c, 60000), GF_TIMER_VEC, 0, 0);
	c->hlt_waits++;
	try_insn(c, op_hlt, NULL, 0);
	if (c->irqs == before)
		gf_fail(c, "HLT ended without an interrupt");
}

static void op_invlpg(void *p)
{
	struct op *o = p;

	if (o->b) {
		u32 cr3;

		__asm__ __volatile__("mov %%cr3, %0; mov %0, %%cr3" : "=r"(cr3) :: "memory");
	} else {
		__asm__ __volatile__("invlpg (%0)" ::"r"(o->addr) : "memory");
	}
}

static void tpl_invlpg(struct gf_cpu *c)
{
	struct op o = { 0 };

	o.b = chance(c, 8);
	switch (below(c, 3)) {
	case 0: o.addr = rnd(c); break;
	case 1: o.addr = UVA_BASE + below(c, 0x6000); break;
	default: o.addr = (u32)(uintptr_t)&cpus[c->index]; break;
	}
	try_insn(c, op_invlpg, &o, 0);
}

static void op_access(void *p)
{
	struct op *o = p;
	volatile void *a = (volatile void *)(uintptr_t)o->addr;

	if (o->b) {
		if (o->size == 1)
			*(volatile u8 *)a = (u8)o->a;
		else if (o->size == 2)
			*(volatile u16 *)a = (u16)o->a;
		else
			*(volatile u32 *)a = o->a;
	}
	o->d = o->size == 1 ? *(volatile u8 *)a : o->size == 2 ? *(volatile u16 *)a :
	       *(volatile u32 *)a;
}

/*
 * The last page of RAM (a slice per vCPU), written and read back; with
 * GF_OPT_PAST_RAM also the bytes right after RAM, which stops the VM.
 */
static void tpl_edge(struct gf_cpu *c)
{
	struct op o = { 0 };
	u32 mask;

	o.size = (const u32[]){ 1, 2, 4 }[below(c, 3)];
	mask = o.size == 4 ? 0xffffffffu : (1u << (o.size * 8)) - 1;
	o.addr = mem_bytes - 4096 + c->index * 256 + below(c, 256 - o.size + 1);
	if ((flags & GF_OPT_PAST_RAM) && chance(c, 64))
		o.addr = mem_bytes - o.size + 1 + below(c, 16);
	o.b = chance(c, 2);
	o.a = rnd(c);
	if (try_insn(c, op_access, &o, 0) < 0 && o.b && o.d != (o.a & mask))
		gf_fail(c, "last page %#x reads %#x after %#x", o.addr, o.d, o.a & mask);
}

static void op_rdtscp(void *p)
{
	struct op *o = p;

	__asm__ __volatile__("rdtscp" : "=a"(o->a), "=d"(o->d), "=c"(o->c));
}

static void op_rdpmc(void *p)
{
	struct op *o = p;

	__asm__ __volatile__("rdpmc" : "=a"(o->a), "=d"(o->d) : "c"(o->c));
}

/* RDTSC never goes back (nothing here writes the TSC); RDTSCP sees TSC_AUX; RDPMC #GP. */
static void tpl_tsc(struct gf_cpu *c)
{
	struct op o = { 0 };
	u64 t;

	switch (below(c, 3)) {
	case 0:
		t = rdtsc();
		if (t < c->last_tsc)
			gf_fail(c, "TSC went back: %#llx after %#llx", t,
				c->last_tsc);
		c->last_tsc = t;
		break;
	case 1:
		if (try_insn(c, op_rdtscp, &o, (feat.c81_edx & V(27)) ? 0 : V(6)) >= 0)
			break;
		if (!(feat.c81_edx & V(27)))
			gf_fail(c, "RDTSCP works, CPUID hides it");
		t = (u64)o.d << 32 | o.a;
		if (t < c->last_tsc)
			gf_fail(c, "RDTSCP went back");
		c->last_tsc = t;
		if (c->aux_known && o.c != c->tsc_aux)
			gf_fail(c, "RDTSCP aux %#x, TSC_AUX %#x", o.c, c->tsc_aux);
		break;
	default:
		o.c = chance(c, 2) ? below(c, 8) | (chance(c, 2) ? V(30) : 0) : rnd(c);
		if (try_insn(c, op_rdpmc, &o, V(13)) != 13)
			gf_fail(c, "RDPMC %#x did not #GP", o.c);
		break;
	}
}

static void op_dr(void *p)
{
	struct op *o = p;
	u32 v = o->a, r = 0, a = 0, b = 0, cc = 0, d = 0;

	/* Write the register, exit (CPUID), read it back. */
	switch (o->b) {
	case 0: __asm__ __volatile__("mov %0, %%dr0" ::"r"(v)); break;
	case 1: __asm__ __volatile__("mov %0, %%dr1" ::"r"(v)); break;
	case 2: __asm__ __volatile__("mov %0, %%dr2" ::"r"(v)); break;
	case 3: __asm__ __volatile__("mov %0, %%dr3" ::"r"(v)); break;
	case 4: __asm__ __volatile__("mov %0, %%dr4" ::"r"(v)); break;
	case 5: __asm__ __volatile__("mov %0, %%dr5" ::"r"(v)); break;
	case 6: __asm__ __volatile__("mov %0, %%dr6" ::"r"(v)); break;
	default: __asm__ __volatile__("mov %0, %%dr7" ::"r"(v)); break;
	}
	__asm__ __volatile__("cpuid" : "=a"(a), "=b"(b), "=c"(cc), "=d"(d) : "a"(0), "c"(0));
	switch (o->b) {
	case 0: __asm__ __volatile__("mov %%dr0, %0" : "=r"(r)); break;
	case 1: __asm__ __volatile__("mov %%dr1, %0" : "=r"(r)); break;
	case 2: __asm__ __volatile__("mov %%dr2, %0" : "=r"(r)); break;
	case 3: __asm__ __volatile__("mov %%dr3, %0" : "=r"(r)); break;
	case 4: __asm__ __volatile__("mov %%dr4, %0" : "=r"(r)); break;
	case 5: __asm__ __volatile__("mov %%dr5, %0" : "=r"(r)); break;
	case 6: __asm__ __volatile__("mov %%dr6, %0" : "=r"(r)); break;
	default: __asm__ __volatile__("mov %%dr7, %0" : "=r"(r)); break;
	}
	o->d = r;
}

/*
 * MOV DRn: DR0-DR3 keep any value across an exit; DR7 keeps its enables
 * (its breakpoints point at DR0-DR3's random addresses, then DR7 is
 * cleared); DR4/DR5 #UD with CR4.DE, alias DR6/DR7 without.
 */
static void tpl_dr(struct gf_cpu *c)
{
	struct op o = { 0 };
	bool de = read_cr4() & X86_CR4_DE;
	int v;

	o.b = below(c, 8);
	o.a = rnd(c);
	if (o.b == 7 || o.b == 5)
		o.a = (o.a & 0xffff00ffu & ~V(13)) | 0x400;	/* no GD; enables only in L0-L3/G0-G3 */
	v = try_insn(c, op_dr, &o, (o.b == 4 || o.b == 5) && de ? V(6) : V(1));
	if ((o.b == 4 || o.b == 5) && de && v != 6)
		gf_fail(c, "MOV DR%u with CR4.DE: vector %d", o.b, v);
	else if (v < 0 && o.b < 4 && o.d != o.a)
		gf_fail(c, "DR%u reads %#x after %#x", o.b, o.d, o.a);
	else if (v < 0 && o.b == 7 && (o.d & 0xffff00ffu) != (o.a & 0xffff00ffu))
		gf_fail(c, "DR7 reads %#x after %#x", o.d, o.a);
	write_dr7(0x400);
}

static void op_break(void *p)
{
	struct op *o = p;

	__asm__ __volatile__("mov %0, %%dr0; mov %1, %%dr7" ::"r"(o->addr), "r"(o->c));
	*(volatile u32 *)(uintptr_t)o->addr = o->a;	/* the breakpoint's write */
	__asm__ __volatile__("nop");
}

/* A data breakpoint on this vCPU's scratch word: the write must raise #DB with B0. */
static void tpl_break(struct gf_cpu *c)
{
	struct op o = { 0 };
	int v;

	o.addr = (u32)(uintptr_t)&c->scratch[4 * below(c, 4)];
	o.c = 0x400 | V(0) | (1u << 16) | (3u << 18);	/* L0, write, 4 bytes */
	o.a = rnd(c);
	write_dr6(0xffff0ff0u);
	v = try_insn(c, op_break, &o, V(1));
	write_dr7(0x400);
	if (v != 1 || !(c->last_dr6 & V(0)))
		gf_fail(c, "data breakpoint: vector %d, DR6 %#x", v, c->last_dr6);
}

/* Single step over an instruction that exits: #DB right after it, as on hardware. */
static void op_tfexit(void *p)
{
	struct op *o = p;

	switch (o->b) {
	case 0:
		__asm__ __volatile__("pushf; orl $0x100, (%%esp); movl $1f, %0; popf; cpuid; 1: nop"
				     : "=m"(o->addr), "+a"(o->a), "+c"(o->c) :: "ebx", "edx", "memory");
		break;
	case 1:
		__asm__ __volatile__("pushf; orl $0x100, (%%esp); movl $1f, %0; popf; rdmsr; 1: nop"
				     : "=m"(o->addr), "=a"(o->a), "=d"(o->d)
				     : "c"(X2APIC_MSR(APIC_TPR)) : "memory");
		break;
	case 2:
		__asm__ __volatile__("pushf; orl $0x100, (%%esp); movl $1f, %0; popf; outb %%al, $0x80; 1: nop"
				     : "=m"(o->addr) : "a"(0) : "memory");
		break;
	default:
		__asm__ __volatile__("pushf; orl $0x100, (%%esp); movl $1f, %0; popf; vmcall; 1: nop"
				     : "=m"(o->addr), "+a"(o->a) :: "ebx", "ecx", "edx", "esi", "memory");
		break;
	}
}

static void tpl_tfexit(struct gf_cpu *c)
{
	struct op o = { 0 };
	int v;

	o.b = below(c, 4);
	o.a = o.b == 3 ? HC_NOP : 0;
	v = try_insn(c, op_tfexit, &o, V(1));
	if (v != 1 || c->last_eip != o.addr)
		gf_fail(c, "single step over exit %u: vector %d at %#x, expected %#x", o.b, v,
			c->last_eip, o.addr);
}

static void (*const gf_templates[T_COUNT])(struct gf_cpu *) = {
	[T_CPUID] = tpl_cpuid, [T_MSR] = tpl_msr, [T_IO] = tpl_io, [T_CR0] = tpl_cr0,
	[T_CR4] = tpl_cr4, [T_TPR] = tpl_tpr, [T_XSETBV] = tpl_xsetbv, [T_VMCALL] = tpl_vmcall,
	[T_HLT] = tpl_hlt, [T_INVLPG] = tpl_invlpg, [T_EDGE] = tpl_edge, [T_TSC] = tpl_tsc,
	[T_DR] = tpl_dr, [T_BREAK] = tpl_break, [T_TFEXIT] = tpl_tfexit, [T_STRIO] = tpl_strio,
};

static bool tpl_enabled(int t)
{
	if (t == T_STRIO)
		return flags & GF_OPT_STRING_IO;
	if (t == T_TFEXIT)
		return flags & GF_OPT_TF_EXITS;
	return true;
}

/* ---------------------------------------------------------------- the loop */

/* Result lines that wrap before hv's 120-character console line. */
struct gf_line {
	char buf[128];
	u32 len;
	char cont[24];		/* prefix of a continuation line */
};

static void line_fmt(char *buf, u32 size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void line_fmt(char *buf, u32 size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	gvsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

static void line_add(struct gf_line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line_add(struct gf_line *l, const char *fmt, ...)
{
	char item[112];
	va_list ap;
	u32 n;

	va_start(ap, fmt);
	gvsnprintf(item, sizeof(item), fmt, ap);
	va_end(ap);
	n = strlen(item);
	if (l->len + n > 110) {
		gprintf("%s\n", l->buf);
		l->len = strlen(l->cont);
		memcpy(l->buf, l->cont, l->len + 1);
	}
	memcpy(l->buf + l->len, item, n + 1);
	l->len += n;
}

/* One vCPU after the other, in index order, so that their lines do not mix. */
static void print_results(struct gf_cpu *c)
{
	struct gf_line l;
	u64 t0 = rdtsc();
	u32 v;

	while (print_turn != c->index && rdtsc() - t0 < 1000000000ull)
		cpu_relax();
	l.len = 0;
	l.buf[0] = '\0';
	line_fmt(l.cont, sizeof(l.cont), "gfuzz: vcpu %u ...", c->vcpu_id);
	line_add(&l, "gfuzz: seed %u, vcpu %u: %u blocks, %u exceptions by vector", seed,
		 c->vcpu_id, c->blocks, c->exc_total);
	for (v = 0; v < 32; v++)
		if (c->exc[v])
			line_add(&l, " %u:%u", v, c->exc[v]);
	gprintf("%s\n", l.buf);
	gprintf("gfuzz: vcpu %u: %u ring-3 blocks (%u ended by int 0x81, %u by the step bound, "
		"%u timed out), %u steps\n", c->vcpu_id, c->user_blocks, c->ends_term,
		c->ends_steps, c->ends_timeout, c->steps_total);
	gprintf("gfuzz: vcpu %u: %u interrupts (%u timer, %u other), %u HLT waits\n", c->vcpu_id,
		c->irqs, c->timer_irqs, c->other_irqs, c->hlt_waits);
	l.len = 0;
	l.buf[0] = '\0';
	line_add(&l, "gfuzz: vcpu %u templates", c->vcpu_id);
	for (v = 0; v < T_COUNT; v++)
		if (c->tpl_runs[v])
			line_add(&l, " %s:%u", tpl_names[v], c->tpl_runs[v]);
	gprintf("%s\n", l.buf);
	__atomic_fetch_add(&print_turn, 1, __ATOMIC_RELEASE);
}

/* One vCPU's fuzzing, until its block or tick budget is spent. */
static void fuzz(u32 index)
{
	struct gf_cpu *c = &cpus[index];
	u64 t0, budget = (u64)gf_config.ticks_hi << 32 | gf_config.ticks_lo;
	u32 max_blocks = gf_config.blocks, user_pct = gf_config.user_percent;

	cpu_init(c, index);
	t0 = rdtsc();
	while ((!max_blocks || c->blocks < max_blocks) && (!budget || rdtsc() - t0 < budget)) {
		if (below(c, 100) < user_pct) {
			run_user_block(c);
		} else {
			int t;

			do {
				t = (int)below(c, T_COUNT);
			} while (!tpl_enabled(t));
			c->tpl = t;
			c->tpl_runs[t]++;
			gf_templates[t](c);
			c->tpl = -1;
		}
		c->blocks++;
		check_canaries(c);
		if (!(c->blocks % 256))
			check_tables(c);
	}
	check_tables(c);
	/* The timer must have kept firing: wait for one more with HLT. */
	c->tpl = T_HLT;
	tpl_hlt(c);
	c->tpl = -1;
	if (!c->timer_irqs)
		gf_fail(c, "the timer never fired");
	hcall(HC_TIMER, 0, 0, 0, 0);
	write_dr7(0x400);
	print_results(c);
}

static void ap_main(u32 index)
{
	__atomic_fetch_add(&started, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		cpu_relax();
	fuzz(index);
	__atomic_fetch_add(&done, 1, __ATOMIC_SEQ_CST);
	for (;;)
		__asm__ __volatile__("cli; hlt");
}

/* The trampoline's 4 KiB stack is small: each AP moves to its own at once. */
static void ap_entry(u32 index)
{
	gf_on_stack(ap_main, index, &kstacks[index][sizeof(kstacks[0])]);
}

int guest_main(void)
{
	u32 a, b, aps;
	u64 t0;

	seed = gf_config.seed;
	flags = gf_config.flags;
	mem_bytes = guest_mem_bytes;
	hcall_out(HC_INFO, 0, 0, 0, 0, NULL, NULL, NULL, &nvcpus);
	cpuid(1, 0, &a, &b, &feat.c1_ecx, &feat.c1_edx);
	cpuid(7, 0, &a, &feat.c7_ebx, &feat.c7_ecx, &feat.c7_edx);
	cpuid(0x80000001u, 0, &a, &b, &feat.c81_ecx, &feat.c81_edx);
	aps = nvcpus > GF_MAX_CPUS ? GF_MAX_CPUS - 1 : nvcpus - 1;
	gprintf("gfuzz: seed %u, %u vCPUs, %u blocks or %llu ticks each, %u%% in ring 3, "
		"options %#x\n", seed, aps + 1, gf_config.blocks,
		(u64)gf_config.ticks_hi << 32 | gf_config.ticks_lo,
		gf_config.user_percent, flags);
	if (mem_bytes > GF_KPT * 4096u * 1024u || nvcpus == 0) {
		gprintf("gfuzz: %u bytes of RAM: at most %u MiB\n", mem_bytes, GF_KPT * 4);
		return 1;
	}
	tables_init();
	if (aps) {
		gstart_aps(ap_entry, aps);
		t0 = rdtsc();
		while (started < aps && rdtsc() - t0 < 400000000ull)
			cpu_relax();
		CHECK_EQ(started, aps);
	}
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	fuzz(0);
	t0 = rdtsc();
	while (done < started && rdtsc() - t0 < 4000000000ull)
		cpu_relax();
	CHECK_EQ(done, started);
	return 0;
}
