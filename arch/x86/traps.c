// SPDX-License-Identifier: MIT
/*
 * Exception reporting and interrupt dispatch.
 *
 * An exception in the hypervisor is a bug: print everything needed to find
 * it (vector, error code, all registers, CR0/CR2/CR3/CR4, a frame-pointer
 * stack trace), then stop this CPU cleanly.  The other CPUs keep running; a
 * panic() would be the way to stop everything.
 */
#include "arch/x86/traps.h"
#include "arch/x86/cpu.h"
#include "arch/x86/lapic.h"
#include "arch/x86/paging.h"
#include "arch/x86/percpu.h"
#include "arch/x86/uart.h"
#include "lib/atomic.h"
#include "lib/format.h"
#include "lib/platform.h"
#include "lib/printk.h"

#define TRAP_STACK_DEPTH 24

static trap_handler_fn trap_handlers[256];
static trap_irq_fn trap_irqs[256];
static bool trap_stop_requested;

static const char *const trap_names[32] = {
	[0] = "#DE divide error",
	[1] = "#DB debug",
	[2] = "NMI",
	[3] = "#BP breakpoint",
	[4] = "#OF overflow",
	[5] = "#BR bound range",
	[6] = "#UD invalid opcode",
	[7] = "#NM device not available",
	[8] = "#DF double fault",
	[9] = "coprocessor segment overrun",
	[10] = "#TS invalid TSS",
	[11] = "#NP segment not present",
	[12] = "#SS stack fault",
	[13] = "#GP general protection",
	[14] = "#PF page fault",
	[16] = "#MF x87 error",
	[17] = "#AC alignment check",
	[18] = "#MC machine check",
	[19] = "#XM SIMD error",
	[20] = "#VE virtualization exception",
	[21] = "#CP control protection",
};

bool trap_register_handler(unsigned int vector, trap_handler_fn fn)
{
	trap_handler_fn none = NULL;

	if (vector < 32 || vector > 255 || !fn)
		return false;
	/*
	 * R1 (publish after init): the handler's data is set up before the
	 * pointer becomes visible.  The locked CMPXCHG orders it; pairs with
	 * the READ_ONCE in trap_dispatch() and the address dependency of the
	 * call through it.
	 */
	return __atomic_compare_exchange_n(&trap_handlers[vector], &none, fn, false,
					   __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

/* A device interrupt taken through the IDT: EOI, then its handler. */
static void trap_irq_entry(struct trap_frame *f)
{
	lapic_eoi();
	trap_run_irq((unsigned int)f->vector);
}

bool trap_register_irq(unsigned int vector, trap_irq_fn fn)
{
	if (vector < 32 || vector > 255 || !fn)
		return false;
	if (READ_ONCE(trap_irqs[vector]))
		return false;
	/*
	 * R1 (publish after init): the handler before the IDT path can reach
	 * it; the cmpxchg in trap_register_handler() orders this store, and
	 * pairs with the READ_ONCE in trap_run_irq().
	 */
	WRITE_ONCE(trap_irqs[vector], fn);
	if (trap_register_handler(vector, trap_irq_entry))
		return true;
	WRITE_ONCE(trap_irqs[vector], NULL);
	return false;
}

bool trap_run_irq(unsigned int vector)
{
	/* R1: pairs with the publication in trap_register_irq(). */
	trap_irq_fn fn = vector < 256 ? READ_ONCE(trap_irqs[vector]) : NULL;

	if (!fn)
		return false;
	fn();
	return true;
}

void trap_request_stop(void)
{
	/*
	 * R1 (publish before signal): the flag is visible before the NMI IPI
	 * that the caller sends next.  Pairs with the load_acquire in
	 * trap_nmi().
	 */
	store_release(&trap_stop_requested, true);
}

/* True if va can be read as a u64 without faulting. */
static bool trap_readable(u64 va)
{
	return IS_ALIGNED(va, 8) && paging_va_mapped(va) && paging_va_mapped(va + 7);
}

void trap_print_stack(u64 rip, u64 rbp)
{
	unsigned int depth = 0;

	pr_err("stack trace:\n");
	pr_err("  #%-2u 0x%016llx\n", depth++, rip);
	while (rbp && depth < TRAP_STACK_DEPTH) {
		u64 next, ret;

		if (!trap_readable(rbp) || !trap_readable(rbp + 8)) {
			pr_err("  (frame pointer %#llx not readable: trace ends)\n",
			       rbp);
			return;
		}
		next = ((const u64 *)rbp)[0];
		ret = ((const u64 *)rbp)[1];
		if (!ret)
			break;
		pr_err("  #%-2u 0x%016llx\n", depth++, ret);
		/* Frames grow up the stack; anything else is a corrupt chain. */
		if (next && next <= rbp) {
			pr_err("  (frame pointer chain goes backwards: trace ends)\n");
			return;
		}
		rbp = next;
	}
	if (depth == TRAP_STACK_DEPTH && rbp)
		pr_err("  (trace cut at %u frames)\n", TRAP_STACK_DEPTH);
}

static void trap_dump(const struct trap_frame *f)
{
	u64 v = f->vector;
	const char *name = v < 32 && trap_names[v] ? trap_names[v] : "reserved exception";

	pr_err("EXCEPTION %s (vector %llu) error code 0x%llx\n", name, v,
	       f->error_code);
	if (v == X86_TRAP_PF)
		pr_err("page fault: %s %s access, %s, %s\n",
		       f->error_code & BIT(0) ? "protection violation on" : "not-present page for",
		       f->error_code & BIT(4) ? "instruction fetch" :
		       f->error_code & BIT(1) ? "write" :
						"read",
		       f->error_code & BIT(2) ? "user" : "supervisor",
		       f->error_code & BIT(3) ? "reserved bit set" : "no reserved bit");
	pr_err("RIP 0x%016llx CS 0x%llx RFLAGS 0x%llx\n", f->rip,
	       f->cs, f->rflags);
	pr_err("RSP 0x%016llx SS 0x%llx\n", f->rsp, f->ss);
	pr_err("RAX 0x%016llx RBX 0x%016llx RCX 0x%016llx\n", f->rax,
	       f->rbx, f->rcx);
	pr_err("RDX 0x%016llx RSI 0x%016llx RDI 0x%016llx\n", f->rdx,
	       f->rsi, f->rdi);
	pr_err("RBP 0x%016llx R8  0x%016llx R9  0x%016llx\n", f->rbp,
	       f->r8, f->r9);
	pr_err("R10 0x%016llx R11 0x%016llx R12 0x%016llx\n", f->r10,
	       f->r11, f->r12);
	pr_err("R13 0x%016llx R14 0x%016llx R15 0x%016llx\n", f->r13,
	       f->r14, f->r15);
	pr_err("CR0 0x%016llx CR2 0x%016llx\n", read_cr0(),
	       read_cr2());
	pr_err("CR3 0x%016llx CR4 0x%016llx\n", read_cr3(),
	       read_cr4());
	trap_print_stack(f->rip, f->rbp);
}

static __noreturn void trap_stop_cpu(void)
{
	pr_err("cpu%u stopped after an exception\n", arch_cpu_id());
	uart_flush();
	arch_halt_cpu();
}

static void trap_nmi(struct trap_frame *f)
{
	char msg[160];
	int n;

	/* R1: pairs with the store_release in trap_request_stop(). */
	if (load_acquire(&trap_stop_requested))
		arch_halt_cpu();
	/*
	 * An NMI can interrupt this CPU inside printk() with the console lock
	 * held, so it must not take that lock: format locally (lock-free) and
	 * write to the UART directly.  The handler's own stack address shows
	 * the IST switch.
	 */
	n = fmt_snprintf(msg, sizeof(msg),
			 "\nhv: unexpected NMI on cpu%u at RIP 0x%016llx RSP 0x%016llx, "
			 "handled on stack 0x%016llx (ignored)\n",
			 arch_cpu_id(), f->rip, f->rsp,
			 (u64)msg);
	if (n > 0)
		uart_write(msg, MIN((size_t)n, sizeof(msg) - 1));
}

/*
 * rdmsr_safe(msr = EDI, val = RSI): the RDMSR at rdmsr_safe_insn is the
 * only instruction allowed to #GP; trap_fixup() sends it to rdmsr_safe_fail.
 */
extern const char rdmsr_safe_insn[], rdmsr_safe_fail[];
__asm__(".pushsection .text\n"
	".globl rdmsr_safe\n"
	".type rdmsr_safe, @function\n"
	"rdmsr_safe:\n"
	"	movl %edi, %ecx\n"
	".globl rdmsr_safe_insn\n"
	"rdmsr_safe_insn:\n"
	"	rdmsr\n"
	"	shlq $32, %rdx\n"
	"	orq %rdx, %rax\n"
	"	movq %rax, (%rsi)\n"
	"	xorl %eax, %eax\n"
	"	ret\n"
	".globl rdmsr_safe_fail\n"
	"rdmsr_safe_fail:\n"
	"	movl $-1, %eax\n"
	"	ret\n"
	".size rdmsr_safe, . - rdmsr_safe\n"
	".popsection\n");

/* An expected fault: resume at its recovery point.  True if @f was one. */
static bool trap_fixup(struct trap_frame *f)
{
	if (f->vector == X86_TRAP_GP && f->rip == (u64)rdmsr_safe_insn) {
		f->rip = (u64)rdmsr_safe_fail;
		return true;
	}
	return false;
}

static __noreturn void trap_exception(struct trap_frame *f)
{
	struct percpu *pc = this_cpu();

	/*
	 * A fault while reporting a fault: say so with the bare UART (printk
	 * may be what faulted) and stop.
	 */
	if (pc && pc->trap_depth++ > 0) {
		static const char msg[] =
			"\nhv: nested exception while reporting one; cpu stopped\n";

		uart_write(msg, sizeof(msg) - 1);
		uart_flush();
		arch_halt_cpu();
	}
	printk_emergency_mode();
	trap_dump(f);
	trap_stop_cpu();
}

/**
 * trap_dispatch() - common C entry for every vector (from isr.asm).
 * @f: the saved state; handlers may modify it before IRETQ.
 */
void trap_dispatch(struct trap_frame *f)
{
	trap_handler_fn fn;

	if (f->vector == X86_TRAP_NMI) {
		trap_nmi(f);
		return;
	}
	if (f->vector < 32) {
		if (trap_fixup(f))
			return;
		trap_exception(f);
	}

	/* R1: pairs with the cmpxchg in trap_register_handler(). */
	fn = READ_ONCE(trap_handlers[f->vector]);
	if (fn) {
		fn(f);
		return;
	}
	pr_warn("unexpected interrupt on vector %llu ignored\n",
		f->vector);
	/*
	 * Acknowledge it anyway: an in-service bit left set would block every
	 * interrupt of equal or lower priority on this CPU.  The LAPIC's own
	 * spurious vector is the one that must not be acknowledged.
	 */
	if (f->vector != LAPIC_SPURIOUS_VECTOR && lapic_ready())
		lapic_eoi();
}
