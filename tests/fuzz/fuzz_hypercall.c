// SPDX-License-Identifier: MIT
/*
 * Fuzz target: the hypercall ABI's argument handling (vmx/vm/hypercall_abi.c).
 * The input is a call and a guest memory: RAX, RBX, RCX, RDX, RSI (8 bytes
 * each, little-endian), a flags byte (bit 0: 64-bit code, bits 2:1: CPL),
 * then the guest's RAM, in a heap buffer of exactly its size.  Checked: no
 * read outside that RAM (the env aborts on one, and ASan watches), the
 * status is one the ABI defines, HC_CONSOLE_WRITE sends all of its bytes or
 * none, a report's text is printable and within HC_REPORT_TEXT_MAX, 32-bit
 * callers' upper register halves are ignored, and only HC_EXIT stops.
 */
#include "tests/fuzz/fuzz.h"
#include "vmx/vm/hypercall.h"
#include "vmx/vm/hypercall_abi.h"

#include <stdlib.h>
#include <string.h>

struct fake_vm {
	const u8 *ram;
	u64 size;
	u64 console_bytes;
	unsigned int reports, stops, timers;
};

static bool f_range_ok(void *ctx, u64 gpa, u64 len)
{
	const struct fake_vm *vm = ctx;

	return gpa + len >= gpa && gpa + len <= vm->size;
}

static int f_read(void *ctx, u64 gpa, void *dst, size_t len)
{
	const struct fake_vm *vm = ctx;

	if (!f_range_ok(ctx, gpa, len))
		return -1;
	memcpy(dst, vm->ram + gpa, len);
	return 0;
}

static void f_putc(void *ctx, u8 c)
{
	((struct fake_vm *)ctx)->console_bytes++;
}

static void f_report(void *ctx, u64 code, const char *text)
{
	size_t n = strlen(text);

	FUZZ_CHECK(n <= HC_REPORT_TEXT_MAX);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK((text[i] >= 0x20 && text[i] < 0x7f) || text[i] == '\t');
	((struct fake_vm *)ctx)->reports++;
}

static void f_stop(void *ctx, u64 code)
{
	((struct fake_vm *)ctx)->stops++;
}

static long f_set_timer(void *ctx, u64 delta, u64 vector)
{
	((struct fake_vm *)ctx)->timers++;
	return vector < 32 || vector > 255 ? HC_EINVAL : HC_OK;
}

static u64 le64(const u8 *p)
{
	u64 v;

	memcpy(&v, p, 8);
	return v;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	enum { HDR = 5 * 8 + 1 };
	static const unsigned int regs[5] = { HC_RAX, HC_RBX, HC_RCX, HC_RDX, HC_RSI };
	struct fake_vm vm = { 0 };
	struct hc_env env = {
		.ctx = &vm, .range_ok = f_range_ok, .read = f_read, .console_putc = f_putc,
		.report = f_report, .stop = f_stop, .set_timer = f_set_timer,
		.mem_size = 0, .vcpu_id = 1, .nvcpus = 2,
	};
	u64 r[16] = { 0 }, in[16];
	u8 *ram;
	long st;
	bool stopped;

	if (size < HDR)
		return 0;
	for (unsigned int i = 0; i < 5; i++)
		r[regs[i]] = le64(data + 8 * i);
	env.long_mode = data[40] & 1;
	env.cpl = (data[40] >> 1) & 3;
	vm.size = size - HDR;
	ram = malloc(vm.size ? vm.size : 1);
	if (!ram)
		abort();
	memcpy(ram, data + HDR, vm.size);
	/* Read by the callbacks through env's context pointer. */
	// cppcheck-suppress unreadVariable
	vm.ram = ram;
	env.mem_size = vm.size;
	memcpy(in, r, sizeof(in));

	stopped = hc_dispatch(&env, r);
	st = (long)r[HC_RAX];
	FUZZ_CHECK(st == HC_OK || st == HC_ENOSYS || st == HC_EINVAL || st == HC_EFAULT ||
		   st == HC_EPERM);
	FUZZ_CHECK(stopped == (vm.stops == 1));
	FUZZ_CHECK(vm.stops <= 1 && vm.reports <= 1 && vm.timers <= 1);
	{
		u64 nr = env.long_mode ? in[HC_RAX] : (u32)in[HC_RAX];
		u64 len = env.long_mode ? in[HC_RCX] : (u32)in[HC_RCX];

		if (env.cpl && nr != HC_NOP)
			FUZZ_CHECK(st == HC_EPERM && !vm.console_bytes && !vm.reports && !stopped);
		if (nr == HC_CONSOLE_WRITE && !env.cpl)
			FUZZ_CHECK(st == HC_OK ? vm.console_bytes == len : vm.console_bytes == 0);
		else
			FUZZ_CHECK(vm.console_bytes == 0);
		/* 32-bit callers: only the low halves count (HC_INFO writes results) */
		if (!env.long_mode && !(nr == HC_INFO && !env.cpl))
			for (unsigned int i = 1; i < 5; i++)
				FUZZ_CHECK(r[regs[i]] >> 32 == 0);
	}
	free(ram);
	return 0;
}
