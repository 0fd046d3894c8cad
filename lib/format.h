/* SPDX-License-Identifier: MIT */
/*
 * vsnprintf-style formatter, freestanding.  Named fmt_* so the hosted build
 * never clashes with libc.
 *
 * Conversions: %d %i %u %x %X %o %p %s %c %%.
 * Length modifiers: hh h l ll z t.  Flags: '-' '0' '#' '+' ' '.
 * Width and precision, each a number or '*'; precision limits %s and sets the
 * minimum digits of integers.  %s of NULL prints "(null)".  %p prints
 * 0x-prefixed hex.  An unknown conversion is copied through literally.
 *
 * Return value as in C99: the length the full output would have had; the
 * buffer (if size > 0) is always NUL-terminated.
 */
#ifndef LIB_FORMAT_H
#define LIB_FORMAT_H

#include "lib/compiler.h"

#include <stdarg.h>

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap) __printf(3, 0);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif /* LIB_FORMAT_H */
