// SPDX-License-Identifier: MIT
/*
 * The GDB stub's two-vCPU test guest (tests/guests/gdb-smp, docs/gdb.md):
 * each vCPU loops and counts, vCPU 1 (GDB's thread 2) through
 * gdbsmp_ap_site.  Once GDB writes gdbsmp_flag both run GDBSMP_TURNS_AFTER
 * more turns; the BSP then checks that the AP finished too and passes:
 * that happens only if GDB let both vCPUs go untouched.
 */
#include "guest.h"

#define GDBSMP_TURNS_AFTER	20000

volatile u32 gdbsmp_bsp_counter, gdbsmp_ap_counter, gdbsmp_flag;
static volatile u32 ap_up, ap_done;

/* vCPU 1's whole life after start-up: GDB finds its RIP in here. */
static __attribute__((noinline)) void gdbsmp_ap_loop(void)
{
	u32 after = 0;

	for (;;) {
		gdbsmp_ap_counter++;
		__asm__ __volatile__(".globl gdbsmp_ap_site\n"
				     "gdbsmp_ap_site:\n\t"
				     "nop");
		if (gdbsmp_flag && ++after > GDBSMP_TURNS_AFTER)
			break;
	}
	__atomic_store_n(&ap_done, 1, __ATOMIC_RELEASE);
	for (;;)
		__asm__ __volatile__("cli; hlt");
}

static void ap_entry(u32 index)
{
	gprintf("gdbsmp: AP %u up\n", index);
	__atomic_store_n(&ap_up, 1, __ATOMIC_RELEASE);
	/* Interrupts on: Bochs exits for a kick only with IF = 1 (gdbt.c). */
	__asm__ __volatile__("sti");
	gdbsmp_ap_loop();
}

int guest_main(void)
{
	u32 nvcpus, after = 0;
	u64 t0;

	hcall_out(HC_INFO, 0, 0, 0, 0, NULL, NULL, NULL, &nvcpus);
	CHECK_EQ(nvcpus, 2);
	gstart_aps(ap_entry, 1);
	t0 = rdtsc();
	while (!__atomic_load_n(&ap_up, __ATOMIC_ACQUIRE) && rdtsc() - t0 < 400000000ull)
		cpu_relax();
	CHECK(ap_up);
	__asm__ __volatile__("sti");
	gprintf("gdbsmp: ready\n");
	for (;;) {
		gdbsmp_bsp_counter++;
		if (gdbsmp_flag && ++after > GDBSMP_TURNS_AFTER)
			break;
		if (!(gdbsmp_bsp_counter % 4096))
			hcall(HC_INFO, 0, 0, 0, 0);	/* a heartbeat (see echo.c) */
	}
	gprintf("gdbsmp: flag %u seen\n", gdbsmp_flag);
	t0 = rdtsc();
	while (!__atomic_load_n(&ap_done, __ATOMIC_ACQUIRE) && rdtsc() - t0 < 400000000ull)
		cpu_relax();
	CHECK(ap_done);
	gprintf("gdbsmp: done, AP counted %u turns\n", gdbsmp_ap_counter);
	return 0;
}
