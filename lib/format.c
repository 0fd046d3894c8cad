// SPDX-License-Identifier: MIT
/*
 * fmt_vsnprintf(): the formatter behind printk and every message.  It never
 * writes past @size, always terminates when @size > 0, and keeps counting
 * after the buffer is full so that it can return the C99 length.
 */
#include "lib/format.h"
#include "lib/string.h"

/* Output cursor: everything goes through out_char() so truncation is in one place. */
struct fmt_out {
	char *buf;
	size_t size;
	size_t len;		/* characters produced so far, written or not */
};

/* Format specification of one conversion. */
struct fmt_spec {
	bool left;		/* '-' */
	bool zero;		/* '0' */
	bool alt;		/* '#' */
	bool plus;		/* '+' */
	bool space;		/* ' ' */
	int width;		/* -1: none */
	int prec;		/* -1: none */
};

static void out_char(struct fmt_out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_repeat(struct fmt_out *o, char c, int n)
{
	while (n-- > 0)
		out_char(o, c);
}

static void out_str(struct fmt_out *o, const struct fmt_spec *sp, const char *s)
{
	int n = 0;

	if (!s)
		s = "(null)";
	/* Precision bounds how much of @s is read, so it need not be terminated. */
	while ((sp->prec < 0 || n < sp->prec) && s[n])
		n++;
	if (!sp->left)
		out_repeat(o, ' ', sp->width - n);
	for (int i = 0; i < n; i++)
		out_char(o, s[i]);
	if (sp->left)
		out_repeat(o, ' ', sp->width - n);
}

/**
 * out_num() - one integer conversion.
 * @o:     output
 * @sp:    flags, width, precision
 * @v:     magnitude
 * @neg:   print a minus sign
 * @base:  8, 10 or 16
 * @upper: upper-case hex digits
 * @pfx:   "0x"/"0X"/"0" prefix requested by '#' (or %p), applied when @v != 0
 *         (%p always gets its prefix: @force_pfx)
 */
static void out_num(struct fmt_out *o, const struct fmt_spec *sp, u64 v, bool neg,
		    unsigned int base, bool upper, bool force_pfx)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];		/* 2^64 in octal is 22 digits */
	const char *pfx = "";
	char sign = 0;
	int nd = 0, zeros, pad;

	do {
		tmp[nd++] = digits[v % base];
		v /= base;
	} while (v);
	/* C: "%.0d" of zero prints no digits. */
	if (sp->prec == 0 && nd == 1 && tmp[0] == '0' && !force_pfx)
		nd = 0;

	if (neg)
		sign = '-';
	else if (base == 10 && sp->plus)
		sign = '+';
	else if (base == 10 && sp->space)
		sign = ' ';

	if (base == 16 && (force_pfx || (sp->alt && !(nd == 1 && tmp[0] == '0') && nd)))
		pfx = upper ? "0X" : "0x";

	zeros = sp->prec > nd ? sp->prec - nd : 0;
	/* '#' with octal: the first digit must be 0. */
	if (base == 8 && sp->alt && zeros == 0 && (nd == 0 || tmp[nd - 1] != '0'))
		zeros = 1;

	pad = sp->width - (nd + zeros + (sign ? 1 : 0) + (int)(pfx[0] ? 2 : 0));
	/* '0' is ignored with '-' or with a precision, as in C. */
	if (sp->zero && !sp->left && sp->prec < 0) {
		zeros += pad > 0 ? pad : 0;
		pad = 0;
	}
	if (!sp->left)
		out_repeat(o, ' ', pad);
	if (sign)
		out_char(o, sign);
	while (*pfx)
		out_char(o, *pfx++);
	out_repeat(o, '0', zeros);
	while (nd)
		out_char(o, tmp[--nd]);
	if (sp->left)
		out_repeat(o, ' ', pad);
}

enum fmt_len { LEN_HH, LEN_H, LEN_INT, LEN_L, LEN_LL, LEN_Z, LEN_T };

/*
 * Narrow a fetched integer argument to its length modifier: sign-extend
 * for signed conversions, truncate for unsigned ones.
 */
static u64 fmt_narrow(u64 raw, enum fmt_len l, bool is_signed)
{
	switch (l) {
	case LEN_HH:
		return is_signed ? (u64)(s64)(s8)raw : (u8)raw;
	case LEN_H:
		return is_signed ? (u64)(s64)(s16)raw : (u16)raw;
	case LEN_INT:
		return is_signed ? (u64)(s64)(s32)raw : (u32)raw;
	default:
		return raw;
	}
}

/* Parse a decimal number in the format string, saturating (never overflows). */
static int parse_num(const char **pp)
{
	const char *p = *pp;
	int v = 0;

	while (*p >= '0' && *p <= '9') {
		if (v < 100000)
			v = v * 10 + (*p - '0');
		p++;
	}
	*pp = p;
	return v;
}

/**
 * fmt_vsnprintf() - format into a bounded buffer.
 * @buf:  destination (may be NULL when @size is 0)
 * @size: capacity including the terminating NUL
 * @fmt:  format (see lib/format.h)
 * @ap:   arguments
 *
 * Return: the length the complete output has, excluding the NUL.
 */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_out o = { .buf = buf, .size = size, .len = 0 };

	while (*fmt) {
		struct fmt_spec sp = { .width = -1, .prec = -1 };
		const char *start = fmt;
		enum fmt_len l = LEN_INT;
		u64 v = 0;

		if (*fmt != '%') {
			out_char(&o, *fmt++);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				sp.left = true;
			else if (*fmt == '0')
				sp.zero = true;
			else if (*fmt == '#')
				sp.alt = true;
			else if (*fmt == '+')
				sp.plus = true;
			else if (*fmt == ' ')
				sp.space = true;
			else
				break;
		}
		if (*fmt == '*') {
			sp.width = va_arg(ap, int);
			if (sp.width < 0) {	/* C: a negative '*' width means '-' */
				sp.left = true;
				sp.width = sp.width == -2147483647 - 1 ? 2147483647 : -sp.width;
			}
			fmt++;
		} else if (*fmt >= '0' && *fmt <= '9') {
			sp.width = parse_num(&fmt);
		}
		if (*fmt == '.') {
			fmt++;
			if (*fmt == '*') {
				sp.prec = va_arg(ap, int);	/* negative: as if omitted */
				if (sp.prec < 0)
					sp.prec = -1;
				fmt++;
			} else {
				sp.prec = parse_num(&fmt);
			}
		}
		switch (*fmt) {
		case 'h':
			l = LEN_H;
			if (*++fmt == 'h') {
				l = LEN_HH;
				fmt++;
			}
			break;
		case 'l':
			l = LEN_L;
			if (*++fmt == 'l') {
				l = LEN_LL;
				fmt++;
			}
			break;
		case 'z':
			l = LEN_Z;
			fmt++;
			break;
		case 't':
			l = LEN_T;
			fmt++;
			break;
		default:
			break;
		}

		/*
		 * Integer arguments: fetch by promoted width (long, size_t and
		 * ptrdiff_t are all 64-bit here), then narrow to the modifier.
		 */
		if (*fmt && strchr("diuxXo", *fmt)) {
			/*
			 * long and long long are distinct C types even at one
			 * size, so va_arg must name the right one.
			 */
			if (l == LEN_LL)
				v = va_arg(ap, unsigned long long); // NOLINT(bugprone-branch-clone)
			else if (l == LEN_L || l == LEN_Z || l == LEN_T)
				v = va_arg(ap, unsigned long); // NOLINT(bugprone-branch-clone)
			else
				v = va_arg(ap, unsigned int);
			v = fmt_narrow(v, l, *fmt == 'd' || *fmt == 'i');
		}
		switch (*fmt) {
		case 'd':
		case 'i':
			/* Negate in unsigned arithmetic: INT64_MIN has no positive s64. */
			out_num(&o, &sp, (s64)v < 0 ? 0 - v : v, (s64)v < 0, 10, false, false);
			break;
		case 'u':
			out_num(&o, &sp, v, false, 10, false, false);
			break;
		case 'x':
		case 'X':
			out_num(&o, &sp, v, false, 16, *fmt == 'X', false);
			break;
		case 'o':
			out_num(&o, &sp, v, false, 8, false, false);
			break;
		case 'p':
			out_num(&o, &sp, (u64)(uintptr_t)va_arg(ap, void *), false, 16, false, true);
			break;
		case 's':
			out_str(&o, &sp, va_arg(ap, const char *));
			break;
		case 'c':
			/* Exactly one char, even NUL: bypass out_str(). */
			if (!sp.left)
				out_repeat(&o, ' ', sp.width - 1);
			out_char(&o, (char)va_arg(ap, int));
			if (sp.left)
				out_repeat(&o, ' ', sp.width - 1);
			break;
		case '%':
			out_char(&o, '%');
			break;
		case '\0':
			/* A lone '%' at the end: copy what we saw. */
			while (start < fmt)
				out_char(&o, *start++);
			continue;
		default:
			/* Unknown conversion: copy it through so the bug is visible. */
			while (start <= fmt)
				out_char(&o, *start++);
			fmt++;
			continue;
		}
		fmt++;
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len > 0x7fffffff ? 0x7fffffff : (int)o.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
