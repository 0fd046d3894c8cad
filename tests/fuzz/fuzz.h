/* SPDX-License-Identifier: MIT */
/*
 * Shared support for the libFuzzer targets tests/fuzz/fuzz_*.c (see
 * tests/fuzz/support.c and docs/fuzzing.md).  A target defines
 * LLVMFuzzerTestOneInput(), checks its invariants with FUZZ_CHECK() and
 * gives the parser its input through fuzz_dup(), so ASan sees every read
 * past the end.
 */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include "lib/types.h"

/* libFuzzer's entry points. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

/*
 * The fuzz binaries are linked with --wrap for these two (Makefile), so the
 * portable core's calls reach the __wrap_ versions; __real_ is the hosted
 * shim's.  A target may define a strong __wrap_arch_phys_to_virt() to lay
 * "physical memory" out in its input; support.c has a weak identity one.
 */
void __real_arch_console_write(const char *s, size_t len);
void __wrap_arch_console_write(const char *s, size_t len);
void *__real_arch_phys_to_virt(phys_addr_t pa);
void *__wrap_arch_phys_to_virt(phys_addr_t pa);

/* arch_console_write() calls (one per printk line) since the process started. */
extern unsigned long fuzz_console_writes;

/* Report a violated invariant and abort(): libFuzzer saves the input as a crash. */
__attribute__((noreturn)) void fuzz_fail(const char *file, int line, const char *what);

#define FUZZ_CHECK(cond)						\
	do {								\
		if (!(cond))						\
			fuzz_fail(__FILE__, __LINE__, #cond);		\
	} while (0)

/* A heap copy of exactly @size bytes (aborts when out of memory). */
u8 *fuzz_dup(const void *data, size_t size);

/* Little-endian loads from fuzz input of any alignment. */
u32 fuzz_u32(const u8 *p);
u64 fuzz_u64(const u8 *p);

#endif /* TESTS_FUZZ_FUZZ_H */
