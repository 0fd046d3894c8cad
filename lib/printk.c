// SPDX-License-Identifier: MIT
/*
 * printk: format a whole line on the stack, then write it with one
 * arch_console_write() under the console lock.  The bare-metal UART writes
 * byte by byte, so the lock is what keeps lines of different CPUs apart;
 * formatting outside the lock keeps the hold time to the write itself.
 */
#include "lib/printk.h"
#include "lib/atomic.h"
#include "lib/format.h"
#include "lib/platform.h"
#include "lib/spinlock.h"
#include "lib/string.h"

/* Room for the message plus a prefix after each of a few newlines. */
#define PRINTK_OUT_MAX		(PRINTK_LINE_MAX + 128)

/* Emergency mode: give up waiting for the console lock after this long. */
#define PRINTK_EMERG_WAIT_NS	100000000ULL
#define PRINTK_EMERG_SPINS	20000000UL

static spinlock_t printk_lock = SPINLOCK_INIT;
/* arch_cpu_id() + 1 of the CPU holding printk_lock, 0 when none. */
static unsigned int printk_owner;
/* An enum log_level, kept as unsigned int for the atomic accessors. */
static unsigned int printk_level = LOG_INFO;
static bool printk_emergency;
/* Emergency mode found the lock stuck once: later lines wait only briefly. */
static bool printk_lock_stuck;

void printk_set_level(enum log_level lvl)
{
	if (lvl > LOG_DEBUG)
		lvl = LOG_DEBUG;
	/* No ordering: a line racing with the change may use either level. */
	WRITE_ONCE(printk_level, (unsigned int)lvl);
}

enum log_level printk_get_level(void)
{
	/* No ordering: see printk_set_level(). */
	return (enum log_level)READ_ONCE(printk_level);
}

void printk_emergency_mode(void)
{
	/*
	 * No ordering needed: a CPU that still sees "false" waits for the lock
	 * as before, which is correct until the holder stops.
	 */
	WRITE_ONCE(printk_emergency, true);
}

/*
 * Emergency acquisition: bounded wait; false means "write without the lock".
 * After one timeout the holder is taken for dead and later lines try only
 * briefly, so a panic dump is not slowed down line by line.
 */
static bool printk_lock_bounded(void)
{
	/* No ordering: a hint that only shortens the wait. */
	unsigned long max = READ_ONCE(printk_lock_stuck) ? 1000 : PRINTK_EMERG_SPINS;
	u64 start = arch_time_ns();

	for (unsigned long spins = 0; spins < max; spins++) {
		if (spin_trylock(&printk_lock))
			return true;
		if (arch_time_ns() - start > PRINTK_EMERG_WAIT_NS)
			break;
		cpu_relax();
	}
	/* No ordering: see above. */
	WRITE_ONCE(printk_lock_stuck, true);
	return false;
}

/**
 * printk_console_lock() - hold the console for this CPU.
 * @h: state for printk_console_unlock()
 *
 * Nested holds on one CPU do nothing.  In emergency mode a lock that stays
 * busy for PRINTK_EMERG_WAIT_NS is ignored (the holder may be dead), and
 * the caller writes without it.
 */
void printk_console_lock(struct printk_hold *h)
{
	unsigned int self = arch_cpu_id() + 1;

	h->flags = arch_irq_save();
	h->locked = false;
	/*
	 * Only this CPU ever stores its own id here, so seeing it means we
	 * hold the lock (an NMI or exception inside printk): no ordering.
	 */
	if (READ_ONCE(printk_owner) == self)
		return;
	if (READ_ONCE(printk_emergency)) {
		if (!printk_lock_bounded())
			return;
	} else {
		spin_lock(&printk_lock);
	}
	h->locked = true;
	/* Under printk_lock; read racily only by the check above. */
	WRITE_ONCE(printk_owner, self);
}

void printk_console_unlock(struct printk_hold *h)
{
	if (h->locked) {
		assert_held(&printk_lock);
		WRITE_ONCE(printk_owner, 0);
		spin_unlock(&printk_lock);
	}
	arch_irq_restore(h->flags);
}

static void printk_write(const char *s, size_t len)
{
	struct printk_hold h;

	printk_console_lock(&h);
	arch_console_write(s, len);
	printk_console_unlock(&h);
}

/*
 * Lay out @msg into @out with "cpuN: " at the start of every line, ending in
 * exactly one newline.  Returns the length written (at most @size - 1).
 */
static size_t printk_layout(char *out, size_t size, const char *msg, unsigned int cpu)
{
	char prefix[16];
	int plen = fmt_snprintf(prefix, sizeof(prefix), "cpu%u: ", cpu);
	size_t n = 0;
	bool at_start = true;

	for (const char *p = msg; *p; p++) {
		if (at_start) {
			/* Keep room for the prefix, one character and the newline. */
			if (n + (size_t)plen + 2 >= size)
				break;
			memcpy(out + n, prefix, (size_t)plen);
			n += (size_t)plen;
			at_start = false;
		}
		if (n + 2 >= size)
			break;
		out[n++] = *p;
		if (*p == '\n')
			at_start = true;
	}
	if (n == 0) {
		memcpy(out, prefix, (size_t)plen);
		n = (size_t)plen;
	}
	if (out[n - 1] != '\n')
		out[n++] = '\n';
	out[n] = '\0';
	return n;
}

void vprintk(enum log_level lvl, const char *fmt, va_list ap)
{
	char msg[PRINTK_LINE_MAX];
	char out[PRINTK_OUT_MAX];
	int len;

	if (lvl > printk_get_level())
		return;
	len = fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	if (len < 0)
		len = 0;
	if ((size_t)len >= sizeof(msg))
		memcpy(msg + sizeof(msg) - 4, "...", 4);
	printk_write(out, printk_layout(out, sizeof(out), msg, arch_cpu_id()));
}

void printk(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(lvl, fmt, ap);
	va_end(ap);
}

/* Format and write exactly as given: pr_plain() and pr_answer(). */
static void vprintk_plain(const char *fmt, va_list ap)
{
	char msg[PRINTK_LINE_MAX];
	int len = fmt_vsnprintf(msg, sizeof(msg), fmt, ap);

	if (len < 0)
		len = 0;
	if ((size_t)len >= sizeof(msg))
		len = (int)sizeof(msg) - 1;
	printk_write(msg, (size_t)len);
}

void pr_plain(const char *fmt, ...)
{
	va_list ap;

	if (LOG_INFO > printk_get_level())
		return;
	va_start(ap, fmt);
	vprintk_plain(fmt, ap);
	va_end(ap);
}

void pr_answer(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk_plain(fmt, ap);
	va_end(ap);
}
