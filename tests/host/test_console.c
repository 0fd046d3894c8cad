// SPDX-License-Identifier: MIT
/*
 * vmx/console/cons_edit.c and shell_parse.c: the Ctrl-A focus-switch
 * detector, the shell's line editor (echo, backspace, Ctrl-U, Ctrl-C, CR LF,
 * history with the arrows, escape sequences, the length limit) and the
 * command parser (every command with good and bad arguments, random lines).
 */
#include "vmx/console/cons_edit.h"
#include "vmx/console/shell_parse.h"
#include "tests/host/harness.h"

#include <string.h>

static char echo[4096];
static size_t echo_len;

static void out(void *ctx, const char *s, size_t len)
{
	CHECK(echo_len + len < sizeof(echo));
	memcpy(echo + echo_len, s, len);
	echo_len += len;
	echo[echo_len] = '\0';
}

static enum cons_edit_result feed(struct cons_edit *e, const char *s)
{
	enum cons_edit_result r = CONS_EDIT_MORE;

	for (; *s; s++)
		r = cons_edit_feed(e, (u8)*s);
	return r;
}

static void test_switch(void)
{
	struct cons_switch s = { 0 };
	u8 pass[3];
	size_t n;

	CHECK(!cons_switch_feed(&s, 'x', pass, &n));
	CHECK_EQ(n, 1);
	CHECK_EQ(pass[0], 'x');
	CHECK(!cons_switch_feed(&s, 1, pass, &n));
	CHECK_EQ(n, 0);
	CHECK(!cons_switch_feed(&s, 1, pass, &n));
	CHECK_EQ(n, 0);
	CHECK(cons_switch_feed(&s, 1, pass, &n));
	CHECK_EQ(n, 0);
	/* Two then another byte: all three go on, in order. */
	CHECK(!cons_switch_feed(&s, 1, pass, &n));
	CHECK(!cons_switch_feed(&s, 1, pass, &n));
	CHECK(!cons_switch_feed(&s, 'q', pass, &n));
	CHECK_EQ(n, 3);
	CHECK(pass[0] == 1 && pass[1] == 1 && pass[2] == 'q');
	/* Six in a row: two switches. */
	for (int i = 0; i < 6; i++)
		CHECK_EQ(cons_switch_feed(&s, 1, pass, &n), i == 2 || i == 5);
}

static void test_edit(void)
{
	static struct cons_edit e;

	cons_edit_init(&e, out, NULL);
	echo_len = 0;
	CHECK_EQ(feed(&e, "vmz\x7f" "s\r"), CONS_EDIT_LINE);
	CHECK(!strcmp(e.line, "vms"));
	CHECK(!strcmp(echo, "vmz\b \bs\r\n"));
	/* CR LF is one Enter; a lone LF is one too. */
	CHECK_EQ(feed(&e, "\n"), CONS_EDIT_MORE);
	CHECK_EQ(feed(&e, "cpus\n"), CONS_EDIT_LINE);
	CHECK(!strcmp(e.line, "cpus"));
	CHECK_EQ(feed(&e, "\n"), CONS_EDIT_LINE);
	CHECK(!strcmp(e.line, ""));
	/* Ctrl-U erases, Ctrl-C drops. */
	echo_len = 0;
	CHECK_EQ(feed(&e, "abc\x15" "de\x08x\r"), CONS_EDIT_LINE);
	CHECK(!strcmp(e.line, "dx"));
	CHECK(!strcmp(echo, "abc\b \b\b \b\b \bde\b \bx\r\n"));
	CHECK_EQ(feed(&e, "junk\x03"), CONS_EDIT_CANCEL);
	CHECK_EQ(feed(&e, "ok\r"), CONS_EDIT_LINE);
	CHECK(!strcmp(e.line, "ok"));
	/* History: ok, dx, cpus, vms (newest first); an empty line is not kept. */
	CHECK(!strcmp(cons_edit_history(&e, 0), "ok"));
	CHECK(!strcmp(cons_edit_history(&e, 3), "vms"));
	CHECK(cons_edit_history(&e, 4) == NULL);
	CHECK_EQ(feed(&e, "dr\x1b[A\x1b[A\x1bOA\x1b[B\r"), CONS_EDIT_LINE);
	CHECK(!strcmp(e.line, "dx"));
	/* Down past the newest gives back the draft. */
	CHECK_EQ(feed(&e, "draft\x1b[A\x1b[B\r"), CONS_EDIT_LINE);
	CHECK(!strcmp(e.line, "draft"));
	/* Repeating the newest line does not store it twice. */
	CHECK_EQ(feed(&e, "draft\r"), CONS_EDIT_LINE);
	CHECK(!strcmp(cons_edit_history(&e, 1), "dx"));
	/* Other sequences (left arrow, F5 = ESC [ 1 5 ~) and controls are ignored. */
	CHECK_EQ(feed(&e, "a\x1b[D\x1b[15~\x07\x01" "b\r"), CONS_EDIT_LINE);
	CHECK(!strcmp(e.line, "ab"));
	/* Dropped when the focus leaves: the next line starts empty, nothing echoed. */
	feed(&e, "half");
	echo_len = 0;
	cons_edit_drop(&e);
	CHECK_EQ(echo_len, 0);
	CHECK_EQ(feed(&e, "x\r"), CONS_EDIT_LINE);
	CHECK(!strcmp(e.line, "x"));
	/* The limit. */
	for (int i = 0; i < CONS_LINE_MAX + 20; i++)
		cons_edit_feed(&e, 'x');
	CHECK_EQ(e.len, CONS_LINE_MAX);
	CHECK_EQ(feed(&e, "\r"), CONS_EDIT_LINE);
	CHECK_EQ(strlen(e.line), CONS_LINE_MAX);
	/* More lines than the history holds: the oldest go. */
	for (int i = 0; i < CONS_HISTORY + 5; i++) {
		char l[8] = { 'l', (char)('a' + i), '\r', 0 };

		feed(&e, l);
	}
	CHECK(!strcmp(cons_edit_history(&e, 0), "lu"));
	CHECK(!strcmp(cons_edit_history(&e, CONS_HISTORY - 1), "lf"));
	CHECK(cons_edit_history(&e, CONS_HISTORY) == NULL);
}

static enum shell_parse_status parse(const char *s, struct shell_parsed *p)
{
	static char buf[256];

	snprintf(buf, sizeof(buf), "%s", s);
	return shell_parse(buf, p);
}

static void test_parse(void)
{
	struct shell_parsed p;

	CHECK_EQ(parse("", &p), SHELL_PARSE_EMPTY);
	CHECK_EQ(parse(" \t ", &p), SHELL_PARSE_EMPTY);
	CHECK_EQ(parse("frob", &p), SHELL_PARSE_UNKNOWN);
	CHECK_EQ(parse("help", &p), SHELL_PARSE_OK);
	CHECK_EQ(p.cmd, SHELL_HELP);
	CHECK_EQ(parse("help me", &p), SHELL_PARSE_BADARGS);
	CHECK_EQ(parse("  regs  demo\t1 ", &p), SHELL_PARSE_OK);
	CHECK(p.cmd == SHELL_REGS && p.argc == 2 && !strcmp(p.str[0], "demo") && p.num[1] == 1);
	CHECK_EQ(parse("regs demo", &p), SHELL_PARSE_BADARGS);
	CHECK_EQ(p.cmd, SHELL_REGS);
	CHECK_EQ(parse("regs demo x", &p), SHELL_PARSE_BADARGS);
	CHECK_EQ(parse("regs de/mo 0", &p), SHELL_PARSE_BADARGS);
	CHECK_EQ(parse("regs abcdefghijklmnop 0", &p), SHELL_PARSE_BADARGS);
	CHECK_EQ(parse("mem demo 0x1000", &p), SHELL_PARSE_OK);
	CHECK(p.argc == 2 && p.num[1] == 0x1000);
	CHECK_EQ(parse("mem demo 0x1000 16", &p), SHELL_PARSE_OK);
	CHECK(p.argc == 3 && p.num[2] == 16);
	CHECK_EQ(parse("mem demo 0x1000 16 1", &p), SHELL_PARSE_BADARGS);
	CHECK_EQ(parse("mem demo 0x1000 16 1 2 3 4 5", &p), SHELL_PARSE_BADARGS);
	CHECK_EQ(parse("hmem 0x100000000000000000", &p), SHELL_PARSE_BADARGS);
	CHECK_EQ(parse("cpuid 0x80000000 0", &p), SHELL_PARSE_OK);
	CHECK_EQ(parse("rdmsr 0x10", &p), SHELL_PARSE_OK);
	CHECK_EQ(parse("rdmsr -1", &p), SHELL_PARSE_BADARGS);
	CHECK_EQ(parse("loglevel debug", &p), SHELL_PARSE_OK);
	CHECK_EQ(p.num[0], 3);
	CHECK_EQ(parse("loglevel 2", &p), SHELL_PARSE_OK);
	CHECK_EQ(p.num[0], 2);
	CHECK_EQ(parse("loglevel 4", &p), SHELL_PARSE_BADARGS);
	CHECK_EQ(parse("loglevel loud", &p), SHELL_PARSE_BADARGS);
	CHECK_EQ(parse("vm stop demo", &p), SHELL_PARSE_OK);
	CHECK(p.cmd == SHELL_VM_STOP && !strcmp(p.str[0], "demo"));
	CHECK_EQ(parse("vm", &p), SHELL_PARSE_BADARGS);
	CHECK_EQ(p.cmd, SHELL_VM_STOP);
	CHECK_EQ(parse("vm frob demo", &p), SHELL_PARSE_BADARGS);
	CHECK_EQ(parse("vm stop", &p), SHELL_PARSE_BADARGS);
	CHECK_EQ(parse("vmstop demo", &p), SHELL_PARSE_UNKNOWN);
	CHECK_EQ(parse("gva demo 0 0xffffffff80000000", &p), SHELL_PARSE_OK);
	/* Every command: its usage's own words minus optional ones parse. */
	for (unsigned int c = 0; c < SHELL_NCMDS; c++) {
		const struct shell_cmd_desc *d = &shell_cmds[c];
		char line[128];

		CHECK(d->name && d->usage && d->help);
		CHECK(!strncmp(d->usage, d->name, strlen(d->name)));
		size_t at = (size_t)snprintf(line, sizeof(line), "%s", d->name);

		for (unsigned int a = 0; a < d->nreq && at < sizeof(line); a++)
			at += (size_t)snprintf(line + at, sizeof(line) - at, "%s",
					       d->kind[a] == SHELL_ARG_NAME ? " vm0" :
					       d->kind[a] == SHELL_ARG_LEVEL ? " info" : " 7");
		CHECK_EQ(parse(line, &p), SHELL_PARSE_OK);
		CHECK_EQ(p.cmd, c);
	}
}

static void test_random(unsigned int n)
{
	static const char alphabet[] = "vm stopregs 0x1f\t-.memhelp9Z";
	u64 seed = 1;

	for (unsigned int i = 0; i < n; i++) {
		char line[SHELL_LINE_MAX + 1];
		unsigned int len = (unsigned int)(test_rand(&seed) % (SHELL_LINE_MAX + 1));
		struct shell_parsed p;
		enum shell_parse_status st;

		for (unsigned int j = 0; j < len; j++)
			line[j] = alphabet[test_rand(&seed) % (sizeof(alphabet) - 1)];
		line[len] = '\0';
		st = shell_parse(line, &p);
		CHECK(st <= SHELL_PARSE_BADARGS);
		if (st == SHELL_PARSE_OK || st == SHELL_PARSE_BADARGS)
			CHECK(p.cmd < SHELL_NCMDS);
		if (st == SHELL_PARSE_OK)
			CHECK(p.argc >= shell_cmds[p.cmd].nreq &&
			      p.argc <= (unsigned int)(shell_cmds[p.cmd].nreq + shell_cmds[p.cmd].nopt));
	}
}

int main(int argc, char **argv)
{
	test_init(argc, argv, 0);
	test_switch();
	test_edit();
	test_parse();
	test_random(test_opts.quick ? 20000 : 200000);
	return test_finish();
}
