// SPDX-License-Identifier: MIT
/*
 * VMCALL handler: the VT-x side of the hypercall ABI.  The arguments are
 * checked by the portable core (vmx/vm/hypercall_abi.c, fuzzed hosted);
 * this file gives it the vCPU's VM to act on.
 */
#include "vmx/vm/hypercall.h"
#include "vmx/vm/hypercall_abi.h"

#include "arch/x86/cpu.h"
#include "lib/printk.h"
#include "vmx/exit.h"
#include "vmx/guest_state.h"
#include "vmx/vcpu_run.h"
#include "vmx/vm/guest_mem.h"
#include "vmx/vm/vm.h"
#include "vmx/vmx_ops.h"

/* The portable core names the registers by hardware number too. */
BUILD_BUG_ON((int)HC_RAX != GPR_RAX || (int)HC_RBX != GPR_RBX || (int)HC_RCX != GPR_RCX ||
	     (int)HC_RDX != GPR_RDX || (int)HC_RSI != GPR_RSI);

static bool hc_range_ok(void *ctx, u64 gpa, u64 len)
{
	return guest_range_ok(((struct vcpu *)ctx)->vm, gpa, len);
}

static int hc_read(void *ctx, u64 gpa, void *dst, size_t len)
{
	return copy_from_guest(((struct vcpu *)ctx)->vm, dst, gpa, len);
}

static void hc_console_putc(void *ctx, u8 c)
{
	vm_console_putc(((struct vcpu *)ctx)->vm, c);
}

static void hc_report_line(void *ctx, u64 code, const char *text)
{
	struct vm *vm = ((struct vcpu *)ctx)->vm;

	vm_console_flush(vm);
	/* Result counters are statistics: relaxed adds, read after the VM stopped. */
	if (code == 0) {
		__atomic_fetch_add(&vm->results_pass, 1, __ATOMIC_RELAXED);
		pr_plain("hv: vm %s result PASS%s%s\n", vm->cfg.name, text[0] ? ": " : "", text);
	} else {
		__atomic_fetch_add(&vm->results_fail, 1, __ATOMIC_RELAXED);
		pr_plain("hv: vm %s result FAIL (code %lld)%s%s\n", vm->cfg.name,
			 (long long)code, text[0] ? ": " : "", text);
	}
}

static void hc_stop(void *ctx, u64 code)
{
	struct vm *vm = ((struct vcpu *)ctx)->vm;

	vm_console_flush(vm);
	vm_stop(vm, "guest exit, code %lld", (long long)code);
}

static long hc_set_timer(void *ctx, u64 delta, u64 vector)
{
	return vcpu_set_timer(ctx, delta, vector);
}

enum exit_action exit_vmcall(struct vcpu *v)
{
	const struct hc_env env = {
		.ctx = v,
		.range_ok = hc_range_ok,
		.read = hc_read,
		.console_putc = hc_console_putc,
		.report = hc_report_line,
		.stop = hc_stop,
		.set_timer = hc_set_timer,
		.mem_size = v->vm->mem_size,
		.vcpu_id = v->id,
		.nvcpus = v->vm->nvcpus,
		.long_mode = vmcs_read(VMCS_GUEST_CS_AR) & BIT(13),
		.cpl = vmcs_guest_cpl(),
	};

	vmcs_guest_skip_insn_fast();
	return hc_dispatch(&env, v->regs.r) ? EXIT_STOP : EXIT_RESUME;
}
