// SPDX-License-Identifier: MIT
/*
 * fmt_vsnprintf(): fixed cases for every conversion, flag, width, precision
 * and length modifier; truncation and C99 return values at every buffer
 * size; then a randomised comparison against the host libc's snprintf over
 * the conversions both implement identically (all but %p).
 */
#include "lib/format.h"
#include "tests/host/harness.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The fixed cases feed deliberately odd formats (NULL %s, '0' with '-', ...). */
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-overflow"
#pragma GCC diagnostic ignored "-Wformat-extra-args"

static unsigned long checks;

#define EXPECT(want, ...)						\
	do {								\
		char b_[256];						\
		int n_ = fmt_snprintf(b_, sizeof(b_), __VA_ARGS__);	\
		checks++;						\
		if (strcmp(b_, (want)) || n_ != (int)strlen(want))	\
			test_fail(__FILE__, __LINE__, "%s: got \"%s\" (%d), want \"%s\"", \
				  #__VA_ARGS__, b_, n_, (want));	\
	} while (0)

static void test_fixed(void)
{
	EXPECT("hello", "hello");
	EXPECT("%", "%%");
	EXPECT("42 -42 0", "%d %d %d", 42, -42, 0);
	EXPECT("-2147483648 2147483647", "%d %i", INT_MIN, INT_MAX);
	EXPECT("-9223372036854775808", "%lld", (long long)INT64_MIN);
	EXPECT("-9223372036854775808", "%ld", (long)INT64_MIN);
	EXPECT("9223372036854775807", "%lld", (long long)INT64_MAX);
	EXPECT("18446744073709551615", "%llu", UINT64_MAX);
	EXPECT("4294967295", "%u", UINT_MAX);
	EXPECT("ffffffffffffffff", "%llx", UINT64_MAX);
	EXPECT("DEADBEEF deadbeef", "%X %x", 0xdeadbeefu, 0xdeadbeefu);
	EXPECT("1777777777777777777777", "%llo", UINT64_MAX);
	EXPECT("17 017 0", "%o %#o %#o", 15u, 15u, 0u);
	EXPECT("0xff 0XFF 0", "%#x %#X %#x", 255u, 255u, 0u);
	EXPECT("-1 255 65535", "%hhd %hhu %hu", -1, 255, 65535);
	EXPECT("-128 0", "%hhd %hhd", 128, 256);
	EXPECT("-32768", "%hd", 32768);
	EXPECT("123 -5", "%zu %zd", (size_t)123, (ssize_t)-5);
	EXPECT("-7", "%td", (ptrdiff_t)-7);
	/* width, '-', '0', precision */
	EXPECT("   42|42   |00042", "%5d|%-5d|%05d", 42, 42, 42);
	EXPECT("  -42|-42  |-0042", "%5d|%-5d|%05d", -42, -42, -42);
	EXPECT("00042|  00042", "%.5d|%7.5d", 42, 42);
	EXPECT("   42", "%05.2d", 42);	/* '0' ignored with a precision */
	EXPECT("42   ", "%-05d", 42);	/* '0' ignored with '-' */
	EXPECT("|", "%.0d|", 0);
	EXPECT("+5 -5  5", "%+d %+d % d", 5, -5, 5);
	EXPECT("0x000000ff", "%#010x", 255u);
	EXPECT("   0xff", "%#7x", 255u);
	EXPECT("   42", "%*d", 5, 42);
	EXPECT("42   |", "%*d|", -5, 42);
	EXPECT("00042", "%.*d", 5, 42);
	EXPECT("42", "%.*d", -3, 42);
	/* strings and characters */
	EXPECT("abc", "%s", "abc");
	EXPECT("(null)", "%s", (char *)NULL);
	EXPECT("  (null)", "%8s", (char *)NULL);
	EXPECT("ab", "%.2s", "abcdef");
	EXPECT("   ab|ab   |", "%5.2s|%-5.2s|", "abcdef", "abcdef");
	EXPECT("", "%.0s", "abc");
	EXPECT("x", "%c", 'x');
	EXPECT("    x|x    |", "%5c|%-5c|", 'x', 'x');
	/* pointers: always 0x-prefixed hex, NULL included */
	EXPECT("0x0", "%p", (void *)NULL);
	EXPECT("0x1234abcd", "%p", (void *)0x1234abcd);
	EXPECT("  0x10", "%6p", (void *)0x10);
	/* unknown conversions are copied through; a trailing '%' too */
	EXPECT("a%qb", "a%qb");
	EXPECT("x%", "x%");
	EXPECT("%5", "%5");

	/* precision bounds the read of a string that is not terminated */
	{
		char raw[3] = { 'a', 'b', 'c' };
		char b[8];

		CHECK_EQ(fmt_snprintf(b, sizeof(b), "%.3s", raw), 3);
		CHECK(!strcmp(b, "abc"));
	}
	/* %c of NUL still counts one character */
	{
		char b[8];

		CHECK_EQ(fmt_snprintf(b, sizeof(b), "a%cb", 0), 3);
		CHECK(b[0] == 'a' && b[1] == 0 && b[2] == 'b' && b[3] == 0);
	}
}

/* Every buffer size 0..len+2: never writes past size, always terminates, returns len. */
static void test_truncation(void)
{
	const char *want = "value=-12345 name=abcdef hex=0xbeef";
	size_t len = strlen(want);

	for (size_t size = 0; size <= len + 2; size++) {
		char b[64];
		int n;

		memset(b, 'Z', sizeof(b));
		n = fmt_snprintf(size ? b : NULL, size, "value=%d name=%s hex=%#x", -12345, "abcdef",
				 0xbeefu);
		checks++;
		CHECK_EQ(n, len);
		if (size) {
			size_t keep = size - 1 < len ? size - 1 : len;

			CHECK(!memcmp(b, want, keep));
			CHECK_EQ(b[keep], 0);
		}
		for (size_t i = size; i < sizeof(b); i++) {
			if (b[i] != 'Z') {
				test_fail(__FILE__, __LINE__, "size %zu: byte %zu written", size, i);
				break;
			}
		}
	}
	/* a huge width is counted, not written */
	{
		char b[4];

		CHECK_EQ(fmt_snprintf(b, sizeof(b), "%1000d", 1), 1000);
		CHECK(!strcmp(b, "   "));
		CHECK_EQ(fmt_snprintf(b, sizeof(b), "%99999999999d", 1) > 0, 1);
	}
}

static const char *const rand_convs[] = { "d", "i", "u", "x", "X", "o", "ld", "lu", "lx", "lld",
					  "llu", "llx", "hd", "hu", "hhu", "hhd", "zu", "s", "c" };

/* Random flags/width/precision/value versus the host libc. */
static void test_against_libc(unsigned long iters)
{
	static const char *const strs[] = { "", "a", "hello", "a longer string value" };
	u64 rng = test_opts.seed;
	unsigned long mismatches = 0;

	for (unsigned long it = 0; it < iters; it++) {
		char fmt[32], ours[128], libc[128];
		const char *conv = rand_convs[test_rand(&rng) % ARRAY_SIZE(rand_convs)];
		u64 v = test_rand(&rng);
		size_t fl = 0;
		int n1, n2;

		fmt[fl++] = '%';
		if (test_rand(&rng) & 1)
			fmt[fl++] = '-';
		if (test_rand(&rng) & 1 && conv[0] != 's' && conv[0] != 'c')
			fmt[fl++] = '0';
		if (test_rand(&rng) % 4 == 0 && strchr("xXo", conv[strlen(conv) - 1]))
			fmt[fl++] = '#';
		if (test_rand(&rng) % 4 == 0 && strchr("di", conv[strlen(conv) - 1]))
			fmt[fl++] = test_rand(&rng) & 1 ? '+' : ' ';
		if (test_rand(&rng) & 1)
			fl += (size_t)sprintf(fmt + fl, "%u", (unsigned int)(test_rand(&rng) % 30));
		if (test_rand(&rng) % 3 == 0 && conv[0] != 'c')
			fl += (size_t)sprintf(fmt + fl, ".%u", (unsigned int)(test_rand(&rng) % 25));
		snprintf(fmt + fl, sizeof(fmt) - fl, "%s", conv);
		/* Shrink the value sometimes so small magnitudes and zero get covered. */
		if (test_rand(&rng) % 3 == 0)
			v %= 1000;
		if (test_rand(&rng) % 10 == 0)
			v = 0;

#define BOTH(...)                                                              \
	do {                                                                   \
		n1 = fmt_snprintf(ours, sizeof(ours), fmt, __VA_ARGS__);       \
		n2 = snprintf(libc, sizeof(libc), fmt, __VA_ARGS__);           \
	} while (0)
		_Pragma("GCC diagnostic push")
		_Pragma("GCC diagnostic ignored \"-Wformat-nonliteral\"")
		_Pragma("GCC diagnostic ignored \"-Wformat\"")
		if (conv[0] == 's')
			BOTH(strs[v % ARRAY_SIZE(strs)]);
		else if (conv[0] == 'c')
			BOTH((int)(' ' + v % 90));
		else if (conv[0] == 'l' || conv[0] == 'z')
			BOTH((unsigned long long)v);
		else
			BOTH((unsigned int)v);
		_Pragma("GCC diagnostic pop")
#undef BOTH
		checks++;
		if (n1 != n2 || strcmp(ours, libc)) {
			if (mismatches++ < 10)
				test_fail(__FILE__, __LINE__, "fmt \"%s\" v=%llu: ours \"%s\" (%d), libc \"%s\" (%d)",
					  fmt, v, ours, n1, libc, n2);
		}
	}
	printf("libc comparison: %lu formats, %lu mismatches\n", iters, mismatches);
}

int main(int argc, char **argv)
{
	test_init(argc, argv, 0);
	test_fixed();
	test_truncation();
	test_against_libc(test_opts.quick ? 20000 : 200000);
	printf("format: %lu checks\n", checks);
	return test_finish();
}
