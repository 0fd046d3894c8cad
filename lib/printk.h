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

/* Longest line printk() emits, prefix and newline included; longer ones are cut. */
#define PRINTK_LINE_MAX	256

void printk(enum log_level lvl, const char *fmt, ...) __printf(2, 3);
void vprintk(enum log_level lvl, const char *fmt, va_list ap) __printf(2, 0);

/* Print exactly as given (no prefix) at level INFO: machine-read lines. */
void pr_plain(const char *fmt, ...) __printf(1, 2);

void printk_set_level(enum log_level lvl);
enum log_level printk_get_level(void);

/*
 * Panic/exception path: from now on a CPU waits only a bounded time for the
 * console lock and then writes anyway, so a CPU that died holding the lock
 * cannot silence the others.  Never turned off again.
 */
void printk_emergency_mode(void);

#define pr_err(fmt, ...)	printk(LOG_ERR, fmt, ##__VA_ARGS__)
#define pr_warn(fmt, ...)	printk(LOG_WARN, fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...)	printk(LOG_INFO, fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...)	printk(LOG_DEBUG, fmt, ##__VA_ARGS__)

#endif /* LIB_PRINTK_H */
