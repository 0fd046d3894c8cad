/* SPDX-License-Identifier: MIT */
/*
 * Lock debugging: owner tracking, assert_held*(), and per-lock contention
 * statistics for the locks in lib/spinlock.h, lib/mcslock.h and lib/rwlock.h.
 *
 * Debug builds (the default) record the owner CPU of every exclusive lock
 * and a per-CPU reader depth for rwlocks, and assert_held(),
 * assert_held_read() and assert_held_write() really check them; a failed
 * check prints "file:line: what (lock expression @address)" on the console
 * and stops the CPU.  The release build (make RELEASE=1, which compiles
 * with -DHV_RELEASE=1) compiles the checks and the tracking stores away
 * and does not link lib/lockdep.c at all; the fields stay so that layouts
 * match.
 *
 * Statistics (lib/lock_stats.c) are kept in both builds and cost one plain
 * increment inside the critical section; wait time is measured only on the
 * contended path.
 */
#ifndef LIB_LOCKDEP_H
#define LIB_LOCKDEP_H

#include "lib/compiler.h"
#include "lib/platform.h"

/* 1 when owner tracking and assert_held*() are compiled in. */
#define LOCKDEP_ON	(!is_defined(HV_RELEASE))

/*
 * struct lock_stats - contention statistics of one lock.
 * @acquisitions: successful acquisitions (for rwlock_t: write acquisitions
 *                plus read acquisitions that took the queued slow path;
 *                fast-path reads are not counted, to keep them one RMW)
 * @contended:    acquisitions that had to wait
 * @max_wait_ns:  longest wait of a contended acquisition
 */
struct lock_stats {
	u64 acquisitions;
	u64 contended;
	u64 max_wait_ns;
};

/* Owner word value meaning "no owner"; owners are stored as cpu + 1. */
#define LOCKDEP_NO_OWNER	0U

/* The owner-word value of the calling CPU. */
static __always_inline u32 lockdep_self(void)
{
	return arch_cpu_id() + 1;
}

/**
 * lockdep_fail() - report a broken locking rule and stop this CPU.
 * @what: what was wrong, including the lock's name where known
 * @file: source file of the check
 * @line: source line of the check
 *
 * Writes straight to arch_console_write() (printk takes a spinlock, so it
 * cannot be used here) and calls arch_halt_cpu().  Never returns.
 */
__noreturn void lockdep_fail(const char *what, const char *file, int line);

/* lockdep_fail() with the lock expression and address appended. */
__noreturn void lockdep_fail_lock(const char *what, const char *lock_expr, const void *lock,
				  const char *file, int line);

struct spinlock;
struct mcs_lock;
struct rwlock;

/* Failure paths of the lock implementations (report the caller's address). */
__noreturn void mcs_lockdep_fail(const char *what, const struct mcs_lock *l);
__noreturn void rw_lockdep_fail(const char *what, const struct rwlock *l);

/*
 * Count one contended acquisition that waited @wait_ns.  The caller holds
 * the lock that owns @s (or, for rwlock_t, its queue).
 */
void lock_stats_note_wait(struct lock_stats *s, u64 wait_ns);

/* Out-of-line checks behind the assert macros (lib/lockdep.c). */
void lockdep_check_spin(const struct spinlock *l, const char *expr, const char *file, int line);
void lockdep_check_mcs(const struct mcs_lock *l, const char *expr, const char *file, int line);
void lockdep_check_rw_any(const struct rwlock *l, const char *expr, const char *file, int line);
void lockdep_check_rw_read(const struct rwlock *l, const char *expr, const char *file, int line);
void lockdep_check_rw_write(const struct rwlock *l, const char *expr, const char *file, int line);

/* Readers of the statistics (any CPU, any time; values are a snapshot). */
void spin_lock_stats(const struct spinlock *l, struct lock_stats *out);
void mcs_lock_stats(const struct mcs_lock *l, struct lock_stats *out);
void rwlock_stats(const struct rwlock *l, struct lock_stats *out);

/*
 * assert_held(lock): the calling CPU holds @lock (spinlock_t *, struct
 * mcs_lock * or rwlock_t *; for an rwlock, in either mode).
 */
#define assert_held(l)							\
	do {								\
		if (LOCKDEP_ON)						\
			_Generic((l),					\
				struct spinlock *: lockdep_check_spin,	\
				const struct spinlock *: lockdep_check_spin, \
				struct mcs_lock *: lockdep_check_mcs,	\
				const struct mcs_lock *: lockdep_check_mcs, \
				struct rwlock *: lockdep_check_rw_any,	\
				const struct rwlock *: lockdep_check_rw_any) \
			((l), #l, __FILE__, __LINE__);			\
	} while (0)

/* assert_held_read(rw): the calling CPU holds @rw for reading. */
#define assert_held_read(rw)						\
	do {								\
		if (LOCKDEP_ON)						\
			_Generic((rw),					\
				struct rwlock *: lockdep_check_rw_read,	\
				const struct rwlock *: lockdep_check_rw_read) \
			((rw), #rw, __FILE__, __LINE__);		\
	} while (0)

/* assert_held_write(rw): the calling CPU holds @rw for writing. */
#define assert_held_write(rw)						\
	do {								\
		if (LOCKDEP_ON)						\
			_Generic((rw),					\
				struct rwlock *: lockdep_check_rw_write, \
				const struct rwlock *: lockdep_check_rw_write) \
			((rw), #rw, __FILE__, __LINE__);		\
	} while (0)

/* lock_stats_read(lock, &out): copy @lock's statistics into @out. */
#define lock_stats_read(l, out)						\
	_Generic((l),							\
		struct spinlock *: spin_lock_stats,			\
		const struct spinlock *: spin_lock_stats,		\
		struct mcs_lock *: mcs_lock_stats,			\
		const struct mcs_lock *: mcs_lock_stats,		\
		struct rwlock *: rwlock_stats,				\
		const struct rwlock *: rwlock_stats)((l), (out))

#endif /* LIB_LOCKDEP_H */
