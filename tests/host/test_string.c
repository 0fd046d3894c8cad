// SPDX-License-Identifier: MIT
/*
 * lib/string.c.  The hosted object exports the standard functions as
 * hv_<name> (see the Makefile), so they are declared here under those names
 * and compared with libc's: every length and alignment 0..70 with guard
 * bytes, overlapping memmove both ways, unsigned comparisons, and the
 * str_to_u64() edge cases.
 */
#include "lib/string.h"
#include "tests/host/harness.h"

#include <stdio.h>
#include <string.h>

void *hv_memcpy(void *dst, const void *src, size_t n);
void *hv_memset(void *dst, int c, size_t n);
void *hv_memmove(void *dst, const void *src, size_t n);
int hv_memcmp(const void *a, const void *b, size_t n);
size_t hv_strlen(const char *s);
size_t hv_strnlen(const char *s, size_t max);
int hv_strcmp(const char *a, const char *b);
int hv_strncmp(const char *a, const char *b, size_t n);
char *hv_strchr(const char *s, int c);
char *hv_strrchr(const char *s, int c);
char *hv_strstr(const char *h, const char *n);

static unsigned long checks;

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static void fill(unsigned char *p, size_t n, u64 *rng)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)test_rand(rng);
}

/* memcpy/memset/memmove against libc at every (dst align, src align, length). */
static void test_mem(void)
{
	enum { N = 80, G = 16 };
	unsigned char a[N + 2 * G], b[N + 2 * G], ref[N + 2 * G], src[N + 2 * G];
	u64 rng = test_opts.seed;

	for (size_t da = 0; da < 9; da++) {
		for (size_t sa = 0; sa < 9; sa++) {
			for (size_t len = 0; len <= 70; len++) {
				fill(a, sizeof(a), &rng);
				memcpy(ref, a, sizeof(a));
				fill(src, sizeof(src), &rng);
				CHECK(hv_memcpy(a + G + da, src + G + sa, len) == a + G + da);
				memcpy(ref + G + da, src + G + sa, len);
				CHECK(!memcmp(a, ref, sizeof(a)));

				CHECK(hv_memset(a + G + da, (int)(0x100 | len), len) == a + G + da);
				memset(ref + G + da, (int)(len & 0xff), len);
				CHECK(!memcmp(a, ref, sizeof(a)));

				/* overlapping moves, both directions, any distance */
				for (size_t dist = 0; dist <= 9; dist++) {
					fill(b, sizeof(b), &rng);
					memcpy(ref, b, sizeof(b));
					CHECK(hv_memmove(b + G + sa + dist, b + G + sa, len) ==
					      b + G + sa + dist);
					memmove(ref + G + sa + dist, ref + G + sa, len);
					CHECK(!memcmp(b, ref, sizeof(b)));
					hv_memmove(b + G + da, b + G + da + dist, len);
					memmove(ref + G + da, ref + G + da + dist, len);
					CHECK(!memcmp(b, ref, sizeof(b)));
					checks += 2;
				}
				checks += 2;
			}
		}
	}
	/* memcmp: sign only, bytes compared as unsigned */
	{
		unsigned char x[40], y[40];

		for (int i = 0; i < 2000; i++) {
			size_t n = test_rand(&rng) % 40;

			fill(x, sizeof(x), &rng);
			memcpy(y, x, sizeof(y));
			if (n && test_rand(&rng) & 1)
				y[test_rand(&rng) % n] = (unsigned char)test_rand(&rng);
			CHECK_EQ(sign(hv_memcmp(x, y, n)), sign(memcmp(x, y, n)));
			checks++;
		}
		CHECK(hv_memcmp("\x80", "\x7f", 1) > 0);
		CHECK_EQ(hv_memcmp("abc", "xyz", 0), 0);
	}
}

static void test_str(void)
{
	static const char *const s[] = { "", "a", "ab", "abc", "abd", "abcd", "\xff", "\x01",
					 "hello world", "hello", "worl", "lo w" };

	for (size_t i = 0; i < ARRAY_SIZE(s); i++) {
		CHECK_EQ(hv_strlen(s[i]), strlen(s[i]));
		for (size_t m = 0; m < 14; m++)
			CHECK_EQ(hv_strnlen(s[i], m), strnlen(s[i], m));
		for (size_t j = 0; j < ARRAY_SIZE(s); j++) {
			CHECK_EQ(sign(hv_strcmp(s[i], s[j])), sign(strcmp(s[i], s[j])));
			for (size_t n = 0; n < 6; n++)
				CHECK_EQ(sign(hv_strncmp(s[i], s[j], n)), sign(strncmp(s[i], s[j], n)));
			CHECK(hv_strstr(s[i], s[j]) == strstr(s[i], s[j]));
			checks += 8;
		}
		for (int c = 0; c < 256; c++) {
			CHECK(hv_strchr(s[i], c) == strchr(s[i], c));
			CHECK(hv_strrchr(s[i], c) == strrchr(s[i], c));
		}
		checks += 512;
	}
	/* strnlen on a buffer that is not terminated must stop at max */
	{
		char raw[4] = { 'x', 'y', 'z', 'w' };

		CHECK_EQ(hv_strnlen(raw, 4), 4);
	}
	/* str_copy: truncates, terminates, returns the source length */
	{
		char b[6];

		memset(b, 'Z', sizeof(b));
		CHECK_EQ(str_copy(b, "hello world", 4), 11);
		CHECK(!strcmp(b, "hel") && b[4] == 'Z');
		CHECK_EQ(str_copy(b, "hi", sizeof(b)), 2);
		CHECK(!strcmp(b, "hi"));
		CHECK_EQ(str_copy(b, "abc", 0), 3);
		CHECK(!strcmp(b, "hi"));
	}
}

struct u64_case {
	const char *s;
	unsigned int base;
	int ret;
	u64 val;
	size_t used;		/* characters consumed on success */
};

static void test_str_to_u64(void)
{
	static const struct u64_case c[] = {
		{ "0", 0, 0, 0, 1 },
		{ "123", 10, 0, 123, 3 },
		{ "  42x", 0, 0, 42, 4 },
		{ "\t7", 10, 0, 7, 2 },
		{ "0x1F", 0, 0, 31, 4 },
		{ "0X1f", 16, 0, 31, 4 },
		{ "1f", 16, 0, 31, 2 },
		{ "0x", 0, 0, 0, 1 },		/* "0" then stop at 'x' */
		{ "0xg", 16, 0, 0, 1 },
		{ "0b101", 0, 0, 5, 5 },
		{ "0b2", 0, 0, 0, 1 },		/* octal 0, stop at 'b' */
		{ "017", 0, 0, 15, 3 },
		{ "019", 0, 0, 1, 2 },
		{ "zz", 36, 0, 35 * 36 + 35, 2 },
		{ "18446744073709551615", 10, 0, ~0ULL, 20 },
		{ "0xffffffffffffffff", 0, 0, ~0ULL, 18 },
		{ "1777777777777777777777", 8, 0, ~0ULL, 22 },
		{ "18446744073709551616", 10, -HV_ERANGE, 0, 0 },
		{ "99999999999999999999999", 10, -HV_ERANGE, 0, 0 },
		{ "0x10000000000000000", 0, -HV_ERANGE, 0, 0 },
		{ "", 10, -HV_EINVAL, 0, 0 },
		{ "   ", 10, -HV_EINVAL, 0, 0 },
		{ "-1", 10, -HV_EINVAL, 0, 0 },
		{ "+1", 10, -HV_EINVAL, 0, 0 },
		{ "x", 16, -HV_EINVAL, 0, 0 },
		{ "12", 1, -HV_EINVAL, 0, 0 },
		{ "12", 37, -HV_EINVAL, 0, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(c); i++) {
		const char *end = (const char *)1;
		u64 v = 0xabad1dea;
		int r = str_to_u64(c[i].s, &end, c[i].base, &v);

		checks++;
		if (r != c[i].ret) {
			test_fail(__FILE__, __LINE__, "str_to_u64(\"%s\", %u) = %d, want %d", c[i].s,
				  c[i].base, r, c[i].ret);
			continue;
		}
		if (r == 0) {
			CHECK_EQ(v, c[i].val);
			CHECK_EQ(end - c[i].s, c[i].used);
		} else {
			CHECK_EQ(v, 0xabad1dea);	/* untouched on error */
			CHECK(end == c[i].s);
		}
	}
	/* every value compared with strtoull on random input, end pointer NULL allowed */
	{
		u64 rng = test_opts.seed ^ 0x55;

		for (int i = 0; i < 20000; i++) {
			char b[72];
			unsigned long long want = test_rand(&rng) >> (test_rand(&rng) % 64);
			unsigned int base = (unsigned int[]){ 10, 16, 8, 2 }[i % 4];
			u64 v;

			if (base == 10)
				snprintf(b, sizeof(b), "%llu", want);
			else if (base == 16)
				snprintf(b, sizeof(b), "%llx", want);
			else if (base == 8)
				snprintf(b, sizeof(b), "%llo", want);
			else {
				int n = 0;

				for (int bit = 63; bit >= 0; bit--)
					if (n || (want >> bit) & 1 || bit == 0)
						b[n++] = (char)('0' + ((want >> bit) & 1));
				b[n] = 0;
			}
			CHECK_EQ(str_to_u64(b, NULL, base, &v), 0);
			CHECK_EQ(v, want);
			checks++;
		}
	}
}

int main(int argc, char **argv)
{
	test_init(argc, argv, 0);
	test_mem();
	test_str();
	test_str_to_u64();
	printf("string: %lu checks\n", checks);
	return test_finish();
}
