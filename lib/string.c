// SPDX-License-Identifier: MIT
/*
 * Freestanding memory and string functions under their standard names.
 *
 * Built with -fno-tree-loop-distribute-patterns (Makefile): otherwise gcc
 * recognises the copy loops below as memcpy/memset and compiles them into
 * calls to themselves.  The hosted build renames the standard symbols of
 * this object to hv_<name> (see the Makefile) so that they do not replace
 * libc's in test programs; tests/host/test_string.c tests them there.
 */
#include "lib/string.h"

/* Word access that may alias anything (the caller's buffers have any type). */
typedef u64 __attribute__((may_alias)) string_word_t;

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if ((((uintptr_t)d | (uintptr_t)s) & 7) == 0) {
		for (; n >= 8; n -= 8, d += 8, s += 8)
			*(string_word_t *)d = *(const string_word_t *)s;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	u64 w = 0x0101010101010101ULL * (unsigned char)c;

	for (; n && ((uintptr_t)d & 7); n--)
		*d++ = (unsigned char)c;
	for (; n >= 8; n -= 8, d += 8)
		*(string_word_t *)d = w;
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	/* A forward copy is safe unless dst starts inside [src, src + n). */
	if ((uintptr_t)d - (uintptr_t)s >= n)
		return memcpy(dst, src, n);
	while (n) {
		n--;
		d[n] = s[n];
	}
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (size_t i = 0; i < n; i++) {
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	}
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

	while (*x && *x == *y) {
		x++;
		y++;
	}
	return *x == *y ? 0 : (*x < *y ? -1 : 1);
}

int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

	for (; n; n--, x++, y++) {
		if (*x != *y)
			return *x < *y ? -1 : 1;
		if (!*x)
			break;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

char *strstr(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);

	for (; *haystack; haystack++) {
		if (!strncmp(haystack, needle, n))
			return (char *)haystack;
	}
	return n ? NULL : (char *)haystack;
}

size_t str_copy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

static int str_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

int hex_digit_value(char c)
{
	int d = str_digit(c);

	return d < 16 ? d : -1;
}

int str_to_u64(const char *s, const char **end, unsigned int base, u64 *out)
{
	const char *p = s;
	u64 v = 0;
	bool overflow = false;
	const char *digits;

	if (end)
		*end = s;
	if (base == 1 || base > 36)
		return -HV_EINVAL;
	while (*p == ' ' || *p == '\t')
		p++;
	/* A prefix counts only when a digit of its base follows it. */
	if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
	    str_digit(p[2]) < 16) {
		base = 16;
		p += 2;
	} else if ((base == 0 || base == 2) && p[0] == '0' && (p[1] == 'b' || p[1] == 'B') &&
		   str_digit(p[2]) < 2) {
		base = 2;
		p += 2;
	} else if (base == 0) {
		base = p[0] == '0' ? 8 : 10;
	}
	digits = p;
	for (int d; (d = str_digit(*p)) < (int)base; p++) {
		if (v > (~0ULL - (u64)d) / base)
			overflow = true;
		v = v * base + (u64)d;
	}
	if (p == digits)
		return -HV_EINVAL;
	if (overflow)
		return -HV_ERANGE;
	if (end)
		*end = p;
	*out = v;
	return 0;
}
