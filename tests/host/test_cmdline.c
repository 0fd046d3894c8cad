// SPDX-License-Identifier: MIT
/*
 * boot/cmdline.c: every option and its accepted spellings, bad values and
 * unknown options (each must be reported with the word quoted and leave the
 * previous value), quoting and whitespace, the image-path first word, and
 * long input.
 */
#include "boot/cmdline.h"
#include "tests/host/harness.h"
#include "tests/host/test_capture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long cases;

/* Parse @line from defaults; @want_rej words rejected; @msg (if set) printed. */
static struct hv_config run(const char *line, int want_rej, const char *msg, int lineno)
{
	struct hv_config cfg;
	struct capture c;
	int rej;

	cmdline_defaults(&cfg);
	capture_begin(&c);
	rej = cmdline_parse(line, &cfg);
	capture_end(&c);
	cases++;
	if (rej != want_rej)
		test_fail(__FILE__, lineno, "\"%s\": %d rejected, want %d; output:\n%s", line, rej,
			  want_rej, c.text);
	if (msg && !strstr(c.text, msg))
		test_fail(__FILE__, lineno, "\"%s\": no message containing \"%s\"; got:\n%s", line,
			  msg, c.text);
	if (!want_rej && c.len)
		test_fail(__FILE__, lineno, "\"%s\": unexpected output:\n%s", line, c.text);
	/* every rejected word printed one line */
	{
		int lines = 0;

		for (size_t i = 0; i < c.len; i++)
			lines += c.text[i] == '\n';
		if (lines != want_rej)
			test_fail(__FILE__, lineno, "\"%s\": %d message lines for %d rejections", line,
				  lines, want_rej);
	}
	capture_free(&c);
	return cfg;
}

#define RUN(line, rej, msg) run(line, rej, msg, __LINE__)

static void test_defaults(void)
{
	struct hv_config c = RUN(NULL, 0, NULL);

	CHECK_EQ(c.console_port, 0x3f8);
	CHECK_EQ(c.console_baud, 115200);
	CHECK_EQ(c.loglevel, LOG_INFO);
	CHECK_EQ(c.maxcpus, 0);
	CHECK(!c.nosmp);
	c = RUN("", 0, NULL);
	CHECK_EQ(c.console_port, 0x3f8);
	c = RUN("   \t \n ", 0, NULL);
	CHECK_EQ(c.errors, 0);
}

static void test_console(void)
{
	struct hv_config c;

	c = RUN("console=com2", 0, NULL);
	CHECK(c.console_port == 0x2f8 && c.console_baud == 115200);
	c = RUN("console=com3,9600", 0, NULL);
	CHECK(c.console_port == 0x3e8 && c.console_baud == 9600);
	c = RUN("console=com4", 0, NULL);
	CHECK_EQ(c.console_port, 0x2e8);
	c = RUN("console=0x2f8,38400", 0, NULL);
	CHECK(c.console_port == 0x2f8 && c.console_baud == 38400);
	c = RUN("console=1016", 0, NULL);
	CHECK_EQ(c.console_port, 1016);
	c = RUN("console=com1,115200", 0, NULL);
	CHECK(c.console_port == 0x3f8 && c.console_baud == 115200);

	c = RUN("console=com9", 1, "\"console=com9\" ignored: port must be");
	CHECK_EQ(c.console_port, 0x3f8);
	c = RUN("console=0x10000", 1, "out of range");
	CHECK_EQ(c.console_port, 0x3f8);
	(void)RUN("console=0", 1, "out of range");
	c = RUN("console=com2,1234", 1, "baud rate must divide 115200");
	CHECK(c.console_port == 0x3f8 && c.console_baud == 115200);	/* all or nothing */
	(void)RUN("console=com2,0", 1, "baud");
	(void)RUN("console=com2,230400", 1, "baud");
	(void)RUN("console=com2,fast", 1, "baud rate must be a decimal number");
	(void)RUN("console=com2,", 1, "baud");
	(void)RUN("console=", 1, "needs a value");
	(void)RUN("console", 1, "needs a value");
	(void)RUN("console=0x3f8x", 1, "port must be");
}

static void test_gdb(void)
{
	struct hv_config c;

	c = RUN("", 0, NULL);
	CHECK_EQ(c.gdb_port, 0);
	c = RUN("gdb=com2", 0, NULL);
	CHECK(c.gdb_port == 0x2f8 && c.gdb_baud == 115200);
	c = RUN("gdb=0x2e8,9600", 0, NULL);
	CHECK(c.gdb_port == 0x2e8 && c.gdb_baud == 9600);
	CHECK(c.console_port == 0x3f8 && c.console_baud == 115200);	/* the console's own */
	c = RUN("gdb=com7", 1, "\"gdb=com7\" ignored: port must be");
	CHECK_EQ(c.gdb_port, 0);
	c = RUN("gdb=com2,1234", 1, "baud rate must divide 115200");
	CHECK_EQ(c.gdb_port, 0);
	c = RUN("gdb=0", 1, "out of range");
	CHECK_EQ(c.gdb_port, 0);
	c = RUN("gdb", 1, "needs a value");
	CHECK_EQ(c.gdb_port, 0);
}

static void test_loglevel(void)
{
	static const char *const names[] = { "err", "warn", "info", "debug" };
	struct hv_config c;
	char line[32];

	for (int i = 0; i < 4; i++) {
		snprintf(line, sizeof(line), "loglevel=%s", names[i]);
		c = RUN(line, 0, NULL);
		CHECK_EQ(c.loglevel, i);
		snprintf(line, sizeof(line), "loglevel=%d", i);
		c = RUN(line, 0, NULL);
		CHECK_EQ(c.loglevel, i);
	}
	c = RUN("loglevel=4", 1, "expected err, warn, info, debug or 0..3");
	CHECK_EQ(c.loglevel, LOG_INFO);
	RUN("loglevel=verbose", 1, "\"loglevel=verbose\" ignored");
	RUN("loglevel=-1", 1, "expected");
	RUN("loglevel=DEBUG", 1, "expected");
}

static void test_cpus(void)
{
	struct hv_config c;

	c = RUN("maxcpus=4", 0, NULL);
	CHECK_EQ(c.maxcpus, 4);
	c = RUN("maxcpus=1", 0, NULL);
	CHECK_EQ(c.maxcpus, 1);
	c = RUN("maxcpus=0", 1, "must be 1..65536");
	CHECK_EQ(c.maxcpus, 0);
	RUN("maxcpus=99999999999999999999999", 1, "expected a decimal number");
	RUN("maxcpus=4x", 1, "expected a decimal number");
	RUN("maxcpus=0x4", 1, "expected a decimal number");
	c = RUN("nosmp", 0, NULL);
	CHECK(c.nosmp);
	c = RUN("nosmp=1", 1, "takes no value");
	CHECK(!c.nosmp);
	c = RUN("trace=off", 0, NULL);
	CHECK(c.trace_off);
	c = RUN("trace=off trace=on", 0, NULL);
	CHECK(!c.trace_off);
	c = RUN("trace=maybe", 1, "expected on or off");
	CHECK(!c.trace_off);
	RUN("trace", 1, "needs a value");
}

/* Table entries added by other parts (vm=, debug.*): stored as documented, bad values reported. */
static void test_more_options(void)
{
	static const char *const faults[] = { "ud", "pf", "gp", "stack", "nmi" };
	static const enum cmdline_fault fault_vals[] = {
		CMDLINE_FAULT_UD, CMDLINE_FAULT_PF, CMDLINE_FAULT_GP, CMDLINE_FAULT_STACK,
		CMDLINE_FAULT_NMI,
	};
	struct hv_config c;
	char line[1024];
	size_t n = 0;

	c = RUN("vm=linux,mem=64M \"vm=second one\"", 0, NULL);
	CHECK_EQ(c.vm_count, 2);
	CHECK(!strcmp(c.vm_opts[0], "linux,mem=64M") && !strcmp(c.vm_opts[1], "second one"));
	for (unsigned int i = 0; i <= HV_MAX_VMS; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "vm=v%u ", i);
	c = RUN(line, 1, "too many vm= options");
	CHECK_EQ(c.vm_count, HV_MAX_VMS);
	RUN("vm", 1, "needs a value");

	for (size_t i = 0; i < ARRAY_SIZE(faults); i++) {
		snprintf(line, sizeof(line), "debug.fault=%s", faults[i]);
		c = RUN(line, 0, NULL);
		CHECK_EQ(c.debug_fault, fault_vals[i]);
	}
	c = RUN("debug.fault=oops", 1, "expected ud, pf, gp, stack or nmi");
	CHECK_EQ(c.debug_fault, CMDLINE_FAULT_NONE);

	c = RUN("debug.nosipi=0x3", 0, NULL);
	CHECK(c.debug_nosipi && c.debug_nosipi_apic == 3);
	c = RUN("debug.nosipi=0x100000000", 1, "expected an APIC id");
	CHECK(!c.debug_nosipi);
	c = RUN("debug.rsdpscan", 0, NULL);
	CHECK(c.debug_rsdp_scan);
	RUN("debug.rsdpscan=1", 1, "takes no value");
}

static void test_words(void)
{
	struct hv_config c;

	/* several options, odd whitespace, later ones win */
	c = RUN("\tconsole=com2   loglevel=debug\nmaxcpus=2 \r maxcpus=3  ", 0, NULL);
	CHECK(c.console_port == 0x2f8 && c.loglevel == LOG_DEBUG && c.maxcpus == 3);
	/* unknown options are reported, the rest still applies */
	c = RUN("foo console=com2 bar=1 =x", 3, "unknown option \"bar=1\" ignored");
	CHECK_EQ(c.console_port, 0x2f8);
	CHECK_EQ(c.errors, 3);
	RUN("Console=com2", 1, "unknown option \"Console=com2\"");
	/* quotes group blanks and are removed */
	c = RUN("\"loglevel=warn\" console=\"com2,9600\"", 0, NULL);
	CHECK(c.loglevel == LOG_WARN && c.console_port == 0x2f8 && c.console_baud == 9600);
	RUN("console=\"com2 9600\"", 1, "\"console=com2 9600\" ignored");
	RUN("loglevel=\"debug", 1, "unterminated quote");
	c = RUN("\"\" maxcpus=2", 0, NULL);	/* an empty quoted word is nothing */
	CHECK_EQ(c.maxcpus, 2);
	/* an image path first is skipped; anywhere else it is an unknown word */
	c = RUN("/boot/hv.elf maxcpus=2", 0, NULL);
	CHECK_EQ(c.maxcpus, 2);
	RUN("maxcpus=2 /boot/hv.elf", 1, "unknown option \"/boot/hv.elf\"");
}

static void test_long(void)
{
	struct hv_config c;
	size_t n = 20000;
	char *s = malloc(n + 1), *p = s;

	if (!s)
		abort();
	/* a word one past the limit, then many valid words */
	memset(p, 'a', CMDLINE_WORD_MAX);
	p += CMDLINE_WORD_MAX;
	*p++ = ' ';
	while ((size_t)(p - s) + 16 < n)
		p += sprintf(p, "maxcpus=%d ", (int)((p - s) % 7) + 1);
	*p = '\0';
	c = RUN(s, 1, "is longer than 255");
	CHECK(c.maxcpus >= 1 && c.maxcpus <= 7);
	/* exactly at the limit is fine (as an unknown word) */
	memset(s, 'b', CMDLINE_WORD_MAX - 1);
	s[CMDLINE_WORD_MAX - 1] = '\0';
	RUN(s, 1, "unknown option");
	/* one huge quoted word */
	s[0] = '"';
	memset(s + 1, 'c', n - 2);
	s[n - 1] = '"';
	s[n] = '\0';
	RUN(s, 1, "longer than");
	free(s);
}

/* Random bytes: never crashes, never reads past the terminator (ASan), output bounded. */
static void test_random(unsigned long iters)
{
	static const char alphabet[] = "=,\" \t\nabcnosmpxloglevelconsolecom1234maxcpus0x9";
	u64 rng = test_opts.seed;
	struct capture c;
	unsigned long rejected = 0;

	capture_begin(&c);
	for (unsigned long i = 0; i < iters; i++) {
		size_t len = test_rand(&rng) % 64;
		char *s = malloc(len + 1);
		struct hv_config cfg;

		if (!s)
			abort();
		for (size_t k = 0; k < len; k++)
			s[k] = alphabet[test_rand(&rng) % (sizeof(alphabet) - 1)];
		s[len] = '\0';
		cmdline_defaults(&cfg);
		rejected += (unsigned long)cmdline_parse(s, &cfg);
		CHECK(cfg.loglevel <= LOG_DEBUG);
		CHECK(cfg.console_baud && 115200 % cfg.console_baud == 0);
		free(s);
	}
	capture_end(&c);
	printf("random: %lu lines, %lu words rejected\n", iters, rejected);
	capture_free(&c);
}

int main(int argc, char **argv)
{
	test_init(argc, argv, 0);
	test_defaults();
	test_console();
	test_gdb();
	test_loglevel();
	test_cpus();
	test_more_options();
	test_words();
	test_long();
	test_random(test_opts.quick ? 20000 : 100000);
	printf("cmdline: %lu command lines checked\n", cases);
	return test_finish();
}
