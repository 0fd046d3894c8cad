/* SPDX-License-Identifier: MIT */
/*
 * Kernel log.  Every line is formatted into a local buffer first and then
 * written to the console in one arch_console_write() call under an IRQ-safe
 * spinlock, prefixed with "cpuN: ", so lines from different CPUs never mix
 * mid-line.  Lines above the current level are dropped.
 */
#ifndef LIB_PRINTK_H
#define LIB_PRINTK_H

#include "lib/compiler.h"

#include <stdarg.h>

enum log_level {
	LOG_ERR,
	LOG_WARN,
	LOG_INFO,
	LOG_DEBUG,
};

/*
 * Longest message one printk() call formats; a longer one is cut and ends in
 * "...".  The line written adds the "cpuN: " prefix (after every newline
 * inside the message too) and a final newline if the message has none.
 */
#define PRINTK_LINE_MAX	512

void printk(enum log_level lvl, const char *fmt, ...) __printf(2, 3);
void vprintk(enum log_level lvl, const char *fmt, va_list ap) __printf(2, 0);

/* Print exactly as given (no prefix) at level INFO: machine-read lines. */
void pr_plain(const char *fmt, ...) __printf(1, 2);

/*
 * As pr_plain(), at every log level: the answer to what a person typed (the
 * shell's commands, the console's focus moves), which `loglevel err` must not
 * silence, or the shell could not even show that it lowered the level.
 */
void pr_answer(const char *fmt, ...) __printf(1, 2);

void printk_set_level(enum log_level lvl);
enum log_level printk_get_level(void);

/*
 * Panic/exception path: from now on a CPU waits only a bounded time for the
 * console lock and then writes anyway, so a CPU that died holding the lock
 * cannot silence the others.  Never turned off again.
 */
void printk_emergency_mode(void);

/*
 * Hold the console across several printk() calls (an exception dump), so
 * no other CPU's line lands in between.  printk() on the holding CPU writes
 * straight through.  Nests.  Under emergency mode the wait is bounded and
 * @h records whether the lock was really taken.
 */
struct printk_hold {
	bool locked;		/* we took the lock (else nested or forced) */
	unsigned long flags;	/* interrupt state to restore */
};
void printk_console_lock(struct printk_hold *h);
void printk_console_unlock(struct printk_hold *h);

#define pr_err(fmt, ...)	printk(LOG_ERR, fmt, ##__VA_ARGS__)
#define pr_warn(fmt, ...)	printk(LOG_WARN, fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...)	printk(LOG_INFO, fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...)	printk(LOG_DEBUG, fmt, ##__VA_ARGS__)

#endif /* LIB_PRINTK_H */
