// SPDX-License-Identifier: MIT
/*
 * panic() and the WARN_ON report.  The first CPU to panic stops the others;
 * a CPU that panics while another is already panicking prints its own
 * message and stops itself; a panic inside panic on one CPU writes one raw
 * line and stops.
 */
#include "lib/panic.h"
#include "lib/atomic.h"
#include "lib/format.h"
#include "lib/platform.h"
#include "lib/printk.h"
#include "lib/string.h"

/* arch_cpu_id() + 1 of the first CPU to panic, 0 while none has. */
static unsigned int panic_cpu;

void panic(const char *fmt, ...)
{
	unsigned int self = arch_cpu_id() + 1;
	unsigned int first = 0;
	char msg[PRINTK_LINE_MAX];
	va_list ap;

	arch_irq_save();
	/*
	 * Orders nothing (no R-rule): the cmpxchg only elects one CPU to stop
	 * the others; no data is published through panic_cpu.
	 */
	if (!try_cmpxchg(&panic_cpu, &first, self) && first == self) {
		static const char nested[] = "PANIC: nested panic, stopping\n";

		arch_console_write(nested, sizeof(nested) - 1);
		arch_halt_cpu();
	}
	printk_emergency_mode();
	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printk(LOG_ERR, "PANIC: %s\n", msg);
	if (first == 0)
		arch_stop_other_cpus();
	arch_halt_cpu();
}

void panic_warn_at(const char *file, int line, const char *cond)
{
	printk(LOG_WARN, "WARNING at %s:%d: %s\n", file, line, cond);
}
