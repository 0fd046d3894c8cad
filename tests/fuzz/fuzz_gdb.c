// SPDX-License-Identifier: MIT
/*
 * Fuzz target: the GDB stub's protocol layer (vmx/gdb/gdb_proto.c), fed
 * what a serial line delivers, against a fake VM with two threads and one
 * mapped page.  Whenever the stub asks the VM to stop, or to run, the fake
 * reports a stop at once, so every packet reaches the dispatcher.  Checked:
 * everything the stub sends is '+', '-' or a well-formed packet ($, no raw
 * '#' inside, '#', the right checksum), within the size we announced, and
 * the fake is only asked for threads and lengths in range.
 */
#include "tests/fuzz/fuzz.h"
#include "lib/string.h"
#include "vmx/gdb/gdb_proto.h"

#include <string.h>

static u8 mem[0x1000];
static u64 regs[3][GDB_NREGS];
static bool want_stop;

static unsigned int f_nthreads(void *ctx) { return 2; }

static int f_read_regs(void *ctx, unsigned int tid, u64 val[GDB_NREGS])
{
	FUZZ_CHECK(tid >= 1 && tid <= 2);
	memcpy(val, regs[tid], sizeof(regs[tid]));
	return 0;
}

static int f_write_regs(void *ctx, unsigned int tid, const u64 val[GDB_NREGS], u64 mask)
{
	FUZZ_CHECK(tid >= 1 && tid <= 2);
	for (unsigned int r = 0; r < GDB_NREGS; r++)
		if (mask & (1ull << r))
			regs[tid][r] = val[r];
	return 0;
}

static size_t f_mem(u64 addr, size_t len, u8 *dst, const u8 *src)
{
	size_t n = 0;

	FUZZ_CHECK(len <= GDB_MEM_MAX);
	for (; n < len && addr + n >= 0x1000 && addr + n < 0x2000; n++) {
		if (dst)
			dst[n] = mem[addr + n - 0x1000];
		else
			mem[addr + n - 0x1000] = src[n];
	}
	return n;
}

static size_t f_read_mem(void *ctx, unsigned int tid, u64 addr, u8 *buf, size_t len)
{
	FUZZ_CHECK(tid >= 1 && tid <= 2);
	return f_mem(addr, len, buf, NULL);
}

static size_t f_write_mem(void *ctx, unsigned int tid, u64 addr, const u8 *buf, size_t len)
{
	FUZZ_CHECK(tid >= 1 && tid <= 2);
	return f_mem(addr, len, NULL, buf);
}

static int f_breakpoint(void *ctx, enum gdb_bp_type type, u64 addr, u64 len, bool insert)
{
	FUZZ_CHECK(type == GDB_BP_SW || type == GDB_BP_HW || type == GDB_BP_WRITE ||
		   type == GDB_BP_ACCESS);
	return addr & 1 ? -1 : 0;
}

static void f_resume(void *ctx, unsigned int step_tid, bool others)
{
	FUZZ_CHECK(step_tid <= 2);
	want_stop = true;
}

static void f_interrupt(void *ctx) { want_stop = true; }
static void f_detach(void *ctx) { }
static void f_kill(void *ctx) { }

/* The output as a stream: check each frame as it completes. */
static enum { OUT_IDLE, OUT_DATA, OUT_C1, OUT_C2 } out_state;
static u8 out_sum, out_cs;
static size_t out_len;

static void f_write(void *ctx, const u8 *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		u8 c = buf[i];

		switch (out_state) {
		case OUT_IDLE:
			FUZZ_CHECK(c == '+' || c == '-' || c == '$');
			if (c == '$') {
				out_state = OUT_DATA;
				out_sum = 0;
				out_len = 0;
			}
			break;
		case OUT_DATA:
			FUZZ_CHECK(c != '$');
			if (c == '#') {
				out_state = OUT_C1;
				break;
			}
			out_sum += c;
			FUZZ_CHECK(++out_len <= 2 * GDB_PKT_MAX);
			break;
		case OUT_C1:
			FUZZ_CHECK(hex_digit_value((char)c) >= 0);
			out_cs = (u8)(hex_digit_value((char)c) << 4);
			out_state = OUT_C2;
			break;
		case OUT_C2:
			FUZZ_CHECK(hex_digit_value((char)c) >= 0);
			FUZZ_CHECK((u8)(out_cs | hex_digit_value((char)c)) == out_sum);
			out_state = OUT_IDLE;
			break;
		}
	}
}

static const struct gdb_target_ops fops = {
	.nthreads = f_nthreads, .read_regs = f_read_regs, .write_regs = f_write_regs,
	.read_mem = f_read_mem, .write_mem = f_write_mem, .breakpoint = f_breakpoint,
	.resume = f_resume, .interrupt = f_interrupt, .detach = f_detach, .kill = f_kill,
	.write = f_write,
};

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct gdb_proto p;

	gdb_proto_init(&p, &fops, NULL);
	out_state = OUT_IDLE;
	want_stop = false;
	for (size_t i = 0; i < size; i++) {
		gdb_proto_rx(&p, data[i]);
		FUZZ_CHECK(p.len <= GDB_PKT_MAX);
		if (want_stop) {
			want_stop = false;
			gdb_proto_stopped(&p, i & 1 ? GDB_STOP_SWBREAK : GDB_STOP_SIGNAL, GDB_SIGTRAP,
					  1 + (unsigned int)(i & 1));
		}
	}
	FUZZ_CHECK(out_state == OUT_IDLE);
	return 0;
}
