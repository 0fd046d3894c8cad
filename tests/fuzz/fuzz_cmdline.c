// SPDX-License-Identifier: MIT
/*
 * Fuzz target: boot/cmdline.c.  The input is the command line; it gets a
 * NUL appended in a heap buffer of exactly size + 1 bytes (the parser stops
 * at the first NUL, so embedded ones only shorten the line).  Parsed from
 * the defaults, as at boot, the configuration must hold only values the
 * options accept, every rejected word must have printed exactly one line,
 * and the parser must not have written to the line.
 */
#include "tests/fuzz/fuzz.h"
#include "boot/cmdline.h"

#include <stdlib.h>
#include <string.h>

static struct hv_config cfg;

static void check_config(int rejected, size_t len)
{
	FUZZ_CHECK(rejected >= 0 && (unsigned int)rejected == cfg.errors);
	/* a word is at least one character and one blank: at most (len + 1) / 2 words */
	FUZZ_CHECK((size_t)rejected <= (len + 1) / 2);

	FUZZ_CHECK(cfg.console_port >= 1 && cfg.console_port <= 0xfff8);
	FUZZ_CHECK(cfg.console_baud && cfg.console_baud <= 115200 && !(115200 % cfg.console_baud));
	FUZZ_CHECK(cfg.loglevel <= LOG_DEBUG);
	FUZZ_CHECK(cfg.maxcpus <= 65536);
	FUZZ_CHECK(cfg.debug_fault <= CMDLINE_FAULT_NMI);
	FUZZ_CHECK(cfg.debug_nosipi || !cfg.debug_nosipi_apic);

	FUZZ_CHECK(cfg.vm_count <= HV_MAX_VMS);
	for (unsigned int i = 0; i < HV_MAX_VMS; i++) {
		const char *o = cfg.vm_opts[i];
		size_t n = strnlen(o, CMDLINE_WORD_MAX);

		FUZZ_CHECK(n < CMDLINE_WORD_MAX);
		/* vm= needs a value; unused slots stay as cmdline_defaults() left them */
		FUZZ_CHECK(i < cfg.vm_count ? n > 0 : n == 0);
		FUZZ_CHECK(n <= len);
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	char *line = malloc(size + 1);
	unsigned long writes;
	int rejected;

	if (!line)
		abort();
	memcpy(line, data, size);
	line[size] = '\0';

	cmdline_defaults(&cfg);
	writes = fuzz_console_writes;
	rejected = cmdline_parse(line, &cfg);
	check_config(rejected, strlen(line));
	/* one warning line per rejected word, nothing for accepted ones */
	FUZZ_CHECK(fuzz_console_writes - writes == (unsigned long)rejected);
	/* it splits words into its own buffer: the line itself stays as it was */
	FUZZ_CHECK(!memcmp(line, data, size));
	free(line);
	return 0;
}
