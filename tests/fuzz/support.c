// SPDX-License-Identifier: MIT
/*
 * Linked into every fuzz target (any tests/fuzz/ file not named fuzz_*.c is
 * support).  The Makefile links the targets with
 * --wrap=arch_console_write and --wrap=arch_phys_to_virt, so the portable
 * core reaches those two services through here:
 *
 *  - console output is counted and dropped.  The parsers warn about most
 *    malformed inputs, and a line on stderr per execution would slow the
 *    fuzzer down and bury its reports.  HV_FUZZ_VERBOSE=1 in the
 *    environment passes it through (useful when replaying a crash input).
 *  - arch_phys_to_virt() stays the hosted identity unless the target defines
 *    its own __wrap_arch_phys_to_virt() (fuzz_acpi.c does).
 *
 * Every line is still formatted at LOG_DEBUG, so that the arguments a
 * parser hands to printk (a %.4s signature, a %s word) are read under ASan
 * too.
 */
#include "tests/fuzz/fuzz.h"
#include "lib/printk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned long fuzz_console_writes;
static bool fuzz_verbose;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *v = getenv("HV_FUZZ_VERBOSE");

	fuzz_verbose = v && *v && strcmp(v, "0");
	printk_set_level(LOG_DEBUG);
	return 0;
}

void __wrap_arch_console_write(const char *s, size_t len)
{
	fuzz_console_writes++;
	if (fuzz_verbose)
		__real_arch_console_write(s, len);
}

/* Weak: a target that lays out physical memory itself overrides it. */
__attribute__((weak)) void *__wrap_arch_phys_to_virt(phys_addr_t pa)
{
	return __real_arch_phys_to_virt(pa);
}

void fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: invariant violated: %s\n", file, line, what);
	abort();
}

/* malloc(0) too: ASan then flags even a one-byte read of an empty input. */
u8 *fuzz_dup(const void *data, size_t size)
{
	u8 *p = malloc(size);

	if (!p && size)
		abort();
	if (size)
		memcpy(p, data, size);
	return p;
}

u32 fuzz_u32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

u64 fuzz_u64(const u8 *p)
{
	u64 v;

	memcpy(&v, p, sizeof(v));
	return v;
}
