/* SPDX-License-Identifier: MIT */
/*
 * Hosted implementation of lib/platform.h: the portable core runs as a
 * user-space program with one pthread per simulated CPU.  Linked instead of
 * arch/x86's definitions; see the Makefile's HOST_SHIM.
 */
#include "lib/platform.h"
#include "lib/atomic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static unsigned int next_cpu_id;
static __thread int my_cpu_id = -1;
static __thread unsigned long my_irq_disabled;

unsigned int arch_cpu_id(void)
{
	if (unlikely(my_cpu_id < 0)) {
		unsigned int id = fetch_add(&next_cpu_id, 1);

		if (id >= HV_MAX_CPUS) {
			fprintf(stderr, "shim: more than %d threads registered\n", HV_MAX_CPUS);
			abort();
		}
		my_cpu_id = (int)id;
	}
	return (unsigned int)my_cpu_id;
}

void arch_count_this_cpu(u64 *slots)
{
	slots[arch_cpu_id()]++;
}

unsigned int arch_cpus_online(void)
{
	unsigned int n = READ_ONCE(next_cpu_id);

	return n ? n : 1;
}

unsigned long arch_irq_save(void)
{
	unsigned long old = my_irq_disabled;

	my_irq_disabled = 1;
	return old;
}

void arch_irq_restore(unsigned long flags)
{
	my_irq_disabled = flags;
}

bool arch_irqs_disabled(void)
{
	return my_irq_disabled != 0;
}

void arch_console_write(const char *s, size_t len)
{
	/* One write(2) per call: lines from different threads never mix. */
	while (len) {
		ssize_t n = write(2, s, len);

		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

void arch_halt_cpu(void)
{
	abort();
}

void arch_stop_other_cpus(void)
{
}

u64 arch_time_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

s64 arch_wallclock_sec(void)
{
	return (s64)time(NULL);
}

void *arch_page_alloc(void)
{
	void *p = aligned_alloc(PAGE_SIZE, PAGE_SIZE);

	if (p)
		memset(p, 0, PAGE_SIZE);
	return p;
}

void arch_page_free(void *page)
{
	free(page);
}

phys_addr_t arch_virt_to_phys(const void *va)
{
	return (phys_addr_t)(uintptr_t)va;
}

void *arch_phys_to_virt(phys_addr_t pa)
{
	return (void *)(uintptr_t)pa;
}
