// SPDX-License-Identifier: MIT
/* HLT idles the vCPU until an event: the hypercall timer wakes it with an interrupt. */
#include "guest.h"

#define TIMER_VECTOR	0x40

static volatile u32 ticks;

static void on_timer(u32 vector)
{
	ticks++;
}

int guest_main(void)
{
	u64 t0, dt;
	unsigned int i;

	gset_irq(TIMER_VECTOR, on_timer);
	for (i = 0; i < 3; i++) {
		u32 before = ticks;

		t0 = rdtsc();
		CHECK_EQ(hcall(HC_TIMER, 2000000, TIMER_VECTOR, 0, 0), HC_OK);
		while (ticks == before)
			sti_hlt();
		cli();
		dt = rdtsc() - t0;
		gprintf("timer %u: woke after %llu ticks\n", i, dt);
		CHECK(dt >= 2000000);
	}
	/* An interrupt that arrives while interrupts are off waits for STI. */
	CHECK_EQ(hcall(HC_TIMER, 100000, TIMER_VECTOR, 0, 0), HC_OK);
	t0 = rdtsc();
	while (rdtsc() - t0 < 3000000)
		cpu_relax();
	CHECK_EQ(ticks, 3);
	__asm__ __volatile__("sti; nop; nop; cli" ::: "memory");
	CHECK_EQ(ticks, 4);
	return 0;
}
