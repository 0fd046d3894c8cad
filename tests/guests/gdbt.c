// SPDX-License-Identifier: MIT
/*
 * The GDB stub's test guest (tests/guests/gdb-drive, docs/gdb.md): loops,
 * counting in gdbt_counter, and passes two places GDB breaks at
 * (gdbt_reg_site, gdbt_hw_site, gdbt_pushf_site).  It says so when GDB changes something:
 * EAX at gdbt_reg_site ("gdbt: eax set to ..."), gdbt_flag in memory
 * ("gdbt: flag N").  GDB_TURNS_AFTER turns after the flag changed, it
 * finishes and passes: that happens only if GDB let it run on untouched.
 * Addresses come from the ELF (nm), so GDB needs no symbol file.
 */
#include "guest.h"

#define GDB_TURNS_AFTER	20000
#define RFLAGS_TF	0x100

volatile u32 gdbt_counter, gdbt_flag;
volatile u32 gdbt_magic = 0x600dcafe;

/* EAX is 0 at the label; GDB may change it there. */
static __attribute__((noinline)) u32 gdbt_reg(void)
{
	u32 v;

	__asm__ __volatile__("xor %%eax, %%eax\n\t"
			     ".globl gdbt_reg_site\n"
			     "gdbt_reg_site:\n\t"
			     "nop\n\t"
			     "nop" : "=a"(v));
	return v;
}

static __attribute__((noinline)) void gdbt_hw(void)
{
	__asm__ __volatile__(".globl gdbt_hw_site\n"
			     "gdbt_hw_site:\n\t"
			     "nop");
}

/* RFLAGS as PUSHF sees it: GDB's single step must not show up in it (no TF). */
static __attribute__((noinline)) u32 gdbt_pushf(void)
{
	u32 f;

	__asm__ __volatile__(".globl gdbt_pushf_site\n"
			     "gdbt_pushf_site:\n\t"
			     "pushf\n\t"
			     "pop %%eax" : "=a"(f));
	return f;
}

int guest_main(void)
{
	u32 last = 0, after = 0;

	/* Interrupts on (none is routed here): Bochs exits for a kick only with IF = 1. */
	__asm__ __volatile__("sti");
	gprintf("gdbt: ready, counter at %p\n", (void *)&gdbt_counter);
	for (;;) {
		u32 v, f;

		gdbt_counter++;
		v = gdbt_reg();
		if (v)
			gprintf("gdbt: eax set to %#x\n", v);
		gdbt_hw();
		CHECK(!(gdbt_pushf() & RFLAGS_TF));
		f = gdbt_flag;
		if (f != last) {
			last = f;
			gprintf("gdbt: flag %u\n", f);
		}
		if (last && ++after > GDB_TURNS_AFTER)
			break;
		if (!(gdbt_counter % 4096))
			hcall(HC_INFO, 0, 0, 0, 0);	/* a heartbeat (see echo.c) */
	}
	gprintf("gdbt: done after %u turns\n", gdbt_counter);
	CHECK_EQ(gdbt_magic, 0x600dcafeu);
	return 0;
}
