/* SPDX-License-Identifier: MIT */
/*
 * panic() and assertions.  panic() switches printk to emergency mode, prints
 * the message, stops the other CPUs (arch_stop_other_cpus) and halts this one.
 */
#ifndef LIB_PANIC_H
#define LIB_PANIC_H

#include "lib/compiler.h"

__noreturn void panic(const char *fmt, ...) __printf(1, 2);

/* Report a WARN_ON hit at file:line (out of line to keep call sites small). */
void panic_warn_at(const char *file, int line, const char *cond);

#define ASSERT(cond)							\
	do {								\
		if (unlikely(!(cond)))					\
			panic("assertion failed at %s:%d: %s",		\
			      __FILE__, __LINE__, #cond);		\
	} while (0)

#define BUG_ON(cond)							\
	do {								\
		if (unlikely(cond))					\
			panic("BUG at %s:%d: %s", __FILE__, __LINE__, #cond); \
	} while (0)

/* Prints file:line when cond holds; evaluates to cond. */
#define WARN_ON(cond)							\
	({								\
		bool __w = !!(cond);					\
		if (unlikely(__w))					\
			panic_warn_at(__FILE__, __LINE__, #cond);	\
		__w;							\
	})

/* As WARN_ON but prints only the first time this site fires. */
#define WARN_ON_ONCE(cond)						\
	({								\
		static bool __warned;					\
		bool __w = !!(cond);					\
		/* Orders nothing (no R-rule): one report per site. */	\
		if (unlikely(__w) &&					\
		    !__atomic_exchange_n(&__warned, true, __ATOMIC_RELAXED)) \
			panic_warn_at(__FILE__, __LINE__, #cond);	\
		__w;							\
	})

#endif /* LIB_PANIC_H */
