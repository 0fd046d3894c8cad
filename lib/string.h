/* SPDX-License-Identifier: MIT */
/*
 * Freestanding string and memory functions.  The bare-metal build has no
 * libc, and gcc emits calls to memcpy/memset/memmove/memcmp on its own
 * (struct copies, large initialisers), so lib/string.c defines the standard
 * names with the standard signatures.  The hosted build renames them in the
 * object file (see the Makefile) so they never interpose libc; portable code
 * calls the standard names and gets libc's there.
 */
#ifndef LIB_STRING_H
#define LIB_STRING_H

#include "lib/compiler.h"
#include "lib/errno.h"

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);

/* The value of the hex digit @c (either case), or -1. */
int hex_digit_value(char c);

/**
 * str_to_u64() - parse an unsigned number.
 * @s:    text; leading spaces/tabs are skipped, no sign is accepted
 * @end:  if not NULL, set to the first character not consumed (to @s on error)
 * @base: 2..36, or 0 for C rules ("0x" hex, "0b" binary, leading "0" octal)
 * @out:  result, written only on success
 *
 * Return: 0, -HV_EINVAL (no digits) or -HV_ERANGE (overflow).  Parsing
 * stops at the first character that is not a digit of @base.
 */
int str_to_u64(const char *s, const char **end, unsigned int base, u64 *out);

/* Copy at most size-1 bytes and NUL-terminate; returns strlen(src). */
size_t str_copy(char *dst, const char *src, size_t size);

#endif /* LIB_STRING_H */
