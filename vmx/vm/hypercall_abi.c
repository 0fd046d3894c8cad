// SPDX-License-Identifier: MIT
/*
 * Hypercall argument handling (vmx/vm/hypercall_abi.h).  An unknown number
 * or a bad pointer returns an error code to the guest and never stops
 * anything; console text is all or nothing; report text is read byte by
 * byte (it may end right before the end of guest memory) and filtered
 * before it reaches a hypervisor line.
 */
#include "vmx/vm/hypercall_abi.h"

#include "lib/guest_text.h"
#include "vmx/vm/hypercall.h"

static long hc_console_write(const struct hc_env *env, u64 gpa, u64 len)
{
	u8 buf[256];
	u64 done, n;

	if (len > HC_CONSOLE_MAX)
		return HC_EINVAL;
	if (!env->range_ok(env->ctx, gpa, len))
		return HC_EFAULT;
	for (done = 0; done < len; done += n) {
		n = len - done < sizeof(buf) ? len - done : sizeof(buf);
		if (env->read(env->ctx, gpa + done, buf, n))
			return HC_EFAULT;
		for (u64 i = 0; i < n; i++)
			env->console_putc(env->ctx, buf[i]);
	}
	return HC_OK;
}

static long hc_report(const struct hc_env *env, u64 code, u64 gpa)
{
	char raw[HC_REPORT_TEXT_MAX], text[HC_REPORT_TEXT_MAX + 1] = "";

	if (gpa) {
		unsigned int i;

		for (i = 0; i < HC_REPORT_TEXT_MAX; i++) {
			if (env->read(env->ctx, gpa + i, &raw[i], 1))
				return HC_EFAULT;
			if (!raw[i])
				break;
		}
		guest_text_filter(text, sizeof(text), raw, i);
	}
	env->report(env->ctx, code, text);
	return HC_OK;
}

bool hc_dispatch(const struct hc_env *env, u64 r[16])
{
	u64 nr = r[HC_RAX];
	long ret = HC_OK;

	/* Outside 64-bit mode the upper register halves are not the guest's to set. */
	if (!env->long_mode) {
		nr = (u32)nr;
		r[HC_RBX] = (u32)r[HC_RBX];
		r[HC_RCX] = (u32)r[HC_RCX];
		r[HC_RDX] = (u32)r[HC_RDX];
		r[HC_RSI] = (u32)r[HC_RSI];
	}
	if (nr == HC_NOP) {
		r[HC_RAX] = HC_OK;
		return false;
	}
	if (env->cpl != 0) {
		r[HC_RAX] = (u64)(long)HC_EPERM;
		return false;
	}
	switch (nr) {
	case HC_INFO:
		r[HC_RBX] = HC_ABI_VERSION;
		r[HC_RCX] = env->mem_size;
		r[HC_RDX] = env->vcpu_id;
		r[HC_RSI] = env->nvcpus;
		break;
	case HC_CONSOLE_WRITE:
		ret = hc_console_write(env, r[HC_RBX], r[HC_RCX]);
		break;
	case HC_REPORT:
		ret = hc_report(env, r[HC_RBX], r[HC_RCX]);
		break;
	case HC_EXIT:
		env->stop(env->ctx, r[HC_RBX]);
		r[HC_RAX] = HC_OK;
		return true;
	case HC_TIMER:
		ret = env->set_timer(env->ctx, r[HC_RBX], r[HC_RCX]);
		break;
	default:
		ret = HC_ENOSYS;
		break;
	}
	r[HC_RAX] = (u64)ret;
	return false;
}
