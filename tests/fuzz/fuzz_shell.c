// SPDX-License-Identifier: MIT
/*
 * Fuzz target: the console's input path up to the shell's command parser
 * (vmx/console/cons_edit.c, shell_parse.c).  The input is what a serial
 * line delivers: every byte goes through the Ctrl-A focus-switch detector,
 * the bytes it passes on through the line editor, and every finished line
 * through shell_parse().  Then the input once more, as one line, straight to
 * the parser.  Checked: lines stay within their limit, echo holds no more
 * than the editor may send, a parsed command and its arguments are within
 * the table's bounds, and NAME arguments are names.
 */
#include "tests/fuzz/fuzz.h"
#include "vmx/console/cons_edit.h"
#include "vmx/console/shell_parse.h"

#include <stdlib.h>
#include <string.h>

static size_t echoed;

static void fuzz_out(void *ctx, const char *s, size_t len)
{
	FUZZ_CHECK(len > 0 && len <= CONS_LINE_MAX + 4);
	echoed += len;
}

static void check_parse(char *line)
{
	struct shell_parsed p;
	enum shell_parse_status st = shell_parse(line, &p);
	const struct shell_cmd_desc *d;

	FUZZ_CHECK(st <= SHELL_PARSE_BADARGS);
	if (st != SHELL_PARSE_OK && st != SHELL_PARSE_BADARGS)
		return;
	FUZZ_CHECK(p.cmd < SHELL_NCMDS);
	if (st != SHELL_PARSE_OK)
		return;
	d = &shell_cmds[p.cmd];
	FUZZ_CHECK(p.argc >= d->nreq && p.argc <= (unsigned int)(d->nreq + d->nopt));
	for (unsigned int i = 0; i < p.argc; i++) {
		FUZZ_CHECK(p.str[i] != NULL);
		if (d->kind[i] == SHELL_ARG_NAME)
			FUZZ_CHECK(strlen(p.str[i]) >= 1 && strlen(p.str[i]) <= SHELL_NAME_MAX);
		if (d->kind[i] == SHELL_ARG_LEVEL)
			FUZZ_CHECK(p.num[i] <= 3);
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct cons_edit e;
	struct cons_switch sw = { 0 };
	char *copy;

	cons_edit_init(&e, fuzz_out, NULL);
	echoed = 0;
	for (size_t i = 0; i < size; i++) {
		u8 pass[CONS_SWITCH_PRESSES];
		size_t n;

		if (cons_switch_feed(&sw, data[i], pass, &n))
			continue;
		FUZZ_CHECK(n <= CONS_SWITCH_PRESSES && (n > 0 || data[i] == CONS_CTRL_A));
		for (size_t j = 0; j < n; j++) {
			enum cons_edit_result r = cons_edit_feed(&e, pass[j]);

			FUZZ_CHECK(e.len <= CONS_LINE_MAX);
			if (r == CONS_EDIT_LINE) {
				char line[CONS_LINE_MAX + 1];

				FUZZ_CHECK(strlen(e.line) <= CONS_LINE_MAX);
				memcpy(line, e.line, sizeof(line));
				check_parse(line);
			}
		}
	}
	/* Each byte echoes at most one history line's worth (erase + show). */
	FUZZ_CHECK(echoed <= (size + 1) * (4 * CONS_LINE_MAX + 8));

	/* The raw input as one line (the parser reads at most SHELL_LINE_MAX). */
	copy = malloc(size + 1);
	FUZZ_CHECK(copy != NULL);
	memcpy(copy, data, size);
	copy[size] = '\0';
	check_parse(copy);
	free(copy);
	return 0;
}
