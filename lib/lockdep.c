// SPDX-License-Identifier: MIT
/*
 * Lock debugging: failure reports and the out-of-line checks behind
 * assert_held*().  Linked only where LOCKDEP_ON is 1: the release build
 * (make RELEASE=1) leaves this file out, so a check that does not compile
 * away there fails its link.  The statistics are in lib/lock_stats.c.
 *
 * Failure messages are formatted here with a tiny local formatter and
 * written with arch_console_write(): printk takes a spinlock and may be
 * the very thing whose locking broke.
 */
#include "lib/lockdep.h"
#include "lib/atomic.h"
#include "lib/bitlock.h"
#include "lib/mcslock.h"
#include "lib/rwlock.h"
#include "lib/spinlock.h"

/* A fixed buffer that a failure message is assembled in. */
struct lockdep_msg {
	char buf[320];
	size_t len;
};

static void msg_str(struct lockdep_msg *m, const char *s)
{
	while (s && *s && m->len < sizeof(m->buf) - 1)
		m->buf[m->len++] = *s++;
}

static void msg_dec(struct lockdep_msg *m, u64 v)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n && m->len < sizeof(m->buf) - 1)
		m->buf[m->len++] = tmp[--n];
}

static void msg_hex(struct lockdep_msg *m, u64 v)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[16];
	int n = 0;

	do {
		tmp[n++] = digits[v & 0xf];
		v >>= 4;
	} while (v);
	msg_str(m, "0x");
	while (n && m->len < sizeof(m->buf) - 1)
		m->buf[m->len++] = tmp[--n];
}

static __noreturn void msg_emit_and_halt(struct lockdep_msg *m)
{
	msg_str(m, "\n");
	arch_console_write(m->buf, m->len);
	arch_halt_cpu();
}

static void msg_head(struct lockdep_msg *m, const char *file, int line)
{
	m->len = 0;
	msg_str(m, "LOCKDEP: ");
	if (file) {
		msg_str(m, file);
		msg_str(m, ":");
		msg_dec(m, (u64)(line < 0 ? 0 : line));
		msg_str(m, ": ");
	}
}

__noreturn void lockdep_fail(const char *what, const char *file, int line)
{
	struct lockdep_msg m;

	msg_head(&m, file, line);
	msg_str(&m, what);
	msg_str(&m, " (cpu ");
	msg_dec(&m, arch_cpu_id());
	msg_str(&m, ")");
	msg_emit_and_halt(&m);
}

__noreturn void lockdep_fail_lock(const char *what, const char *lock_expr, const void *lock,
				  const char *file, int line)
{
	struct lockdep_msg m;

	msg_head(&m, file, line);
	msg_str(&m, what);
	msg_str(&m, ": ");
	msg_str(&m, lock_expr ? lock_expr : "lock");
	msg_str(&m, " @");
	msg_hex(&m, (u64)(uintptr_t)lock);
	msg_str(&m, " (cpu ");
	msg_dec(&m, arch_cpu_id());
	msg_str(&m, ")");
	msg_emit_and_halt(&m);
}

/* Report with the owner seen and the code address that made the call. */
static __noreturn void lockdep_fail_owner(const char *what, const void *lock, u32 owner,
					  const void *caller)
{
	struct lockdep_msg m;

	msg_head(&m, NULL, 0);
	msg_str(&m, what);
	msg_str(&m, ": lock @");
	msg_hex(&m, (u64)(uintptr_t)lock);
	msg_str(&m, " owner ");
	if (owner == LOCKDEP_NO_OWNER)
		msg_str(&m, "none");
	else
		msg_dec(&m, owner - 1);
	msg_str(&m, ", cpu ");
	msg_dec(&m, arch_cpu_id());
	msg_str(&m, ", called from ");
	msg_hex(&m, (u64)(uintptr_t)caller);
	msg_emit_and_halt(&m);
}

__noreturn __noinline void spin_lockdep_recursion(const spinlock_t *l)
{
	lockdep_fail_owner("spin_lock: recursive acquisition (self-deadlock)", l,
			   READ_ONCE(l->owner), __builtin_return_address(0));
}

__noreturn __noinline void spin_lockdep_bad_unlock(const spinlock_t *l)
{
	lockdep_fail_owner("spin_unlock: lock not held by this cpu", l, READ_ONCE(l->owner),
			   __builtin_return_address(0));
}

__noreturn __noinline void mcs_lockdep_fail(const char *what, const struct mcs_lock *l)
{
	lockdep_fail_owner(what, l, READ_ONCE(l->owner), __builtin_return_address(0));
}

__noreturn __noinline void rw_lockdep_fail(const char *what, const rwlock_t *l)
{
	lockdep_fail_owner(what, l, READ_ONCE(l->wowner), __builtin_return_address(0));
}

__noreturn void bitlock_fail(const char *what, const u64 *word, u64 seen, u64 expected)
{
	struct lockdep_msg m;

	msg_head(&m, NULL, 0);
	msg_str(&m, what);
	msg_str(&m, ": word @");
	msg_hex(&m, (u64)(uintptr_t)word);
	msg_str(&m, " holds ");
	msg_hex(&m, seen);
	msg_str(&m, ", expected ");
	msg_hex(&m, expected);
	msg_str(&m, " (cpu ");
	msg_dec(&m, arch_cpu_id());
	msg_str(&m, ")");
	msg_emit_and_halt(&m);
}

void lockdep_check_spin(const struct spinlock *l, const char *expr, const char *file, int line)
{
	if (READ_ONCE(l->owner) != lockdep_self())
		lockdep_fail_lock("assert_held failed: spinlock not held by this cpu", expr, l,
				  file, line);
}

void lockdep_check_mcs(const struct mcs_lock *l, const char *expr, const char *file, int line)
{
	if (READ_ONCE(l->owner) != lockdep_self())
		lockdep_fail_lock("assert_held failed: mcs lock not held by this cpu", expr, l,
				  file, line);
}

static bool rw_held_write(const struct rwlock *l)
{
	return READ_ONCE(l->wowner) == lockdep_self();
}

static bool rw_held_read(const struct rwlock *l)
{
	return rwlock_read_depth_self(l) != 0;
}

void lockdep_check_rw_any(const struct rwlock *l, const char *expr, const char *file, int line)
{
	if (!rw_held_write(l) && !rw_held_read(l))
		lockdep_fail_lock("assert_held failed: rwlock not held by this cpu", expr, l,
				  file, line);
}

void lockdep_check_rw_read(const struct rwlock *l, const char *expr, const char *file, int line)
{
	if (!rw_held_read(l))
		lockdep_fail_lock("assert_held_read failed: rwlock not read-held by this cpu",
				  expr, l, file, line);
}

void lockdep_check_rw_write(const struct rwlock *l, const char *expr, const char *file, int line)
{
	if (!rw_held_write(l))
		lockdep_fail_lock("assert_held_write failed: rwlock not write-held by this cpu",
				  expr, l, file, line);
}
