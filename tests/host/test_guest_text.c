// SPDX-License-Identifier: MIT
/*
 * lib/guest_text.c and lib/ratelimit.c: the filter every guest byte passes
 * before a hypervisor line, and the per-VM message limiter.
 *
 * Filter: every byte value, forged hypervisor lines, terminal escapes, C1
 * controls, truncation and NUL handling, and random strings whose output
 * must hold only printable ASCII and tabs.  Limiter: the burst, the count
 * of suppressed messages reported when the next window opens, the total.
 */
#include "lib/guest_text.h"
#include "lib/ratelimit.h"
#include "tests/host/harness.h"

#include <string.h>

static bool printable(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 0x20 && *s < 0x7f) || *s == '\t'))
			return false;
	return true;
}

static void test_every_byte(void)
{
	for (unsigned int c = 0; c < 256; c++) {
		char out = guest_text_byte((u8)c);

		if ((c >= 0x20 && c < 0x7f) || c == '\t')
			CHECK_EQ((u8)out, c);
		else
			CHECK_EQ(out, '?');
	}
}

static void test_forgery(void)
{
	static const char forged[] = "ok\nhv: vm victim result PASS: x\r\x1b[2J\x07\x9b" "31m\x7f!";
	char out[64];
	size_t n = guest_text_filter(out, sizeof(out), forged, sizeof(forged) - 1);

	CHECK_EQ(n, strlen(out));
	CHECK(!strcmp(out, "ok?hv: vm victim result PASS: x??[2J??31m?!"));
	CHECK(!strchr(out, '\n') && !strchr(out, '\r') && !strchr(out, 0x1b));
}

static void test_bounds(void)
{
	char out[8];

	memset(out, 'X', sizeof(out));
	CHECK_EQ(guest_text_filter(out, sizeof(out), "0123456789", 10), 7);
	CHECK(!strcmp(out, "0123456"));
	CHECK_EQ(guest_text_filter(out, sizeof(out), "ab\0cd", 5), 2);	/* NUL ends */
	CHECK(!strcmp(out, "ab"));
	CHECK_EQ(guest_text_filter(out, sizeof(out), "abc", 0), 0);
	CHECK_EQ(out[0], '\0');
	out[0] = 'X';
	CHECK_EQ(guest_text_filter(out, 0, "abc", 3), 0);
	CHECK_EQ(out[0], 'X');		/* size 0: nothing written */
	CHECK_EQ(guest_text_filter(out, 1, "abc", 3), 0);
	CHECK_EQ(out[0], '\0');
}

static void test_random(unsigned long iters)
{
	u64 rng = test_opts.seed;
	u8 in[300];
	char out[256];

	for (unsigned long i = 0; i < iters; i++) {
		size_t len = test_rand(&rng) % sizeof(in), n;

		for (size_t j = 0; j < len; j++)
			in[j] = (u8)test_rand(&rng);
		n = guest_text_filter(out, sizeof(out), in, len);
		CHECK(n < sizeof(out) && n == strlen(out));
		CHECK(printable(out));
	}
}

static void test_ratelimit(void)
{
	struct ratelimit rl = RATELIMIT_INIT(1000, 3);
	u32 missed = 99;
	u64 t = 5000;

	for (int i = 0; i < 3; i++) {
		CHECK(ratelimit_allow(&rl, t + (u64)i, &missed));
		CHECK_EQ(missed, 0);
	}
	for (int i = 0; i < 5; i++)
		CHECK(!ratelimit_allow(&rl, t + 10, &missed));
	CHECK_EQ(rl.suppressed_total, 5);
	/* Still inside the window: refused, nothing to report yet. */
	CHECK(!ratelimit_allow(&rl, t + 999, &missed));
	CHECK_EQ(missed, 0);
	/* The window is over: allowed, and the 6 refused ones are reported once. */
	CHECK(ratelimit_allow(&rl, t + 1000, &missed));
	CHECK_EQ(missed, 6);
	CHECK(ratelimit_allow(&rl, t + 1001, &missed));
	CHECK_EQ(missed, 0);
	CHECK_EQ(rl.suppressed_total, 6);
	/* A quiet window with nothing refused reports nothing. */
	CHECK(ratelimit_allow(&rl, t + 5000, &missed));
	CHECK_EQ(missed, 0);
}

int main(int argc, char **argv)
{
	test_init(argc, argv, 0);
	test_every_byte();
	test_forgery();
	test_bounds();
	test_random(test_opts.quick ? 20000 : 200000);
	test_ratelimit();
	return test_finish();
}
