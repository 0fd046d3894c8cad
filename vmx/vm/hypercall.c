// SPDX-License-Identifier: MIT
/*
 * VMCALL handler.  Every argument is checked before use; an unknown number or
 * a bad pointer returns an error code to the guest and never stops anything.
 */
#include "vmx/vm/hypercall.h"

#include "arch/x86/cpu.h"
#include "lib/guest_text.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "vmx/exit.h"
#include "vmx/vcpu_run.h"
#include "vmx/vm/vm.h"
#include "vmx/vmx_ops.h"

static long hc_console_write(struct vcpu *v, u64 gpa, u64 len)
{
	char buf[256];
	u64 done, n;

	if (len > HC_CONSOLE_MAX)
		return HC_EINVAL;
	/* All or nothing: a bad range prints nothing. */
	if (!vm_guest_range_ok(v->vm, gpa, len))
		return HC_EFAULT;
	for (done = 0; done < len; done += n) {
		n = len - done < sizeof(buf) ? len - done : sizeof(buf);
		if (vm_read_guest(v->vm, gpa + done, buf, n))
			return HC_EFAULT;
		for (const char *c = buf; c < buf + n; c++)
			vm_console_putc(v->vm, (u8)*c);
	}
	return HC_OK;
}

static long hc_report(struct vcpu *v, u64 code, u64 gpa)
{
	char raw[HC_REPORT_TEXT_MAX], text[HC_REPORT_TEXT_MAX + 1] = "";
	struct vm *vm = v->vm;

	if (gpa) {
		unsigned int i;

		/* Byte by byte: the text may end right before the end of guest memory. */
		for (i = 0; i < HC_REPORT_TEXT_MAX; i++) {
			if (vm_read_guest(vm, gpa + i, &raw[i], 1))
				return HC_EFAULT;
			if (!raw[i])
				break;
		}
		/* The guest's words go into a hypervisor line: filtered. */
		guest_text_filter(text, sizeof(text), raw, i);
	}
	vm_console_flush(v->vm);
	/* Result counters are statistics: relaxed adds, read after the VM stopped. */
	if (code == 0) {
		__atomic_fetch_add(&vm->results_pass, 1, __ATOMIC_RELAXED);
		pr_plain("hv: vm %s result PASS%s%s\n", vm->cfg.name, text[0] ? ": " : "", text);
	} else {
		__atomic_fetch_add(&vm->results_fail, 1, __ATOMIC_RELAXED);
		pr_plain("hv: vm %s result FAIL (code %lld)%s%s\n", vm->cfg.name,
			 (long long)code, text[0] ? ": " : "", text);
	}
	return HC_OK;
}

enum exit_action exit_vmcall(struct vcpu *v)
{
	u64 *r = v->regs.r;
	u64 nr = r[GPR_RAX];
	long ret = HC_OK;

	vcpu_skip_insn_fast(v);
	/* Outside 64-bit mode the upper register halves are not the guest's to set. */
	if (!(vmcs_read(VMCS_GUEST_CS_AR) & BIT(13))) {
		nr = (u32)nr;
		r[GPR_RBX] = (u32)r[GPR_RBX];
		r[GPR_RCX] = (u32)r[GPR_RCX];
		r[GPR_RDX] = (u32)r[GPR_RDX];
		r[GPR_RSI] = (u32)r[GPR_RSI];
	}
	if (nr == HC_NOP) {
		r[GPR_RAX] = HC_OK;
		return EXIT_RESUME;
	}
	if (vcpu_cpl() != 0) {
		r[GPR_RAX] = (u64)(long)HC_EPERM;
		return EXIT_RESUME;
	}
	switch (nr) {
	case HC_INFO:
		r[GPR_RBX] = HC_ABI_VERSION;
		r[GPR_RCX] = v->vm->mem_size;
		r[GPR_RDX] = v->id;
		r[GPR_RSI] = v->vm->nvcpus;
		break;
	case HC_CONSOLE_WRITE:
		ret = hc_console_write(v, r[GPR_RBX], r[GPR_RCX]);
		break;
	case HC_REPORT:
		ret = hc_report(v, r[GPR_RBX], r[GPR_RCX]);
		break;
	case HC_EXIT:
		vm_console_flush(v->vm);
		vm_stop(v->vm, "guest exit, code %lld", (long long)r[GPR_RBX]);
		r[GPR_RAX] = HC_OK;
		return EXIT_STOP;
	case HC_TIMER:
		ret = vcpu_set_timer(v, r[GPR_RBX], r[GPR_RCX]);
		break;
	default:
		ret = HC_ENOSYS;
		break;
	}
	r[GPR_RAX] = (u64)ret;
	return EXIT_RESUME;
}
