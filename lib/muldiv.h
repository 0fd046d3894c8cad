/* SPDX-License-Identifier: MIT */
/*
 * a * b / c with a 128-bit intermediate, in plain u64 arithmetic: no
 * unsigned __int128 division, so the freestanding build needs no libgcc
 * helper (__udivti3).  For converting between clocks (TSC ticks <->
 * APIC-timer ticks) where the product of a time and a frequency easily
 * passes 2^64.
 */
#ifndef LIB_MULDIV_H
#define LIB_MULDIV_H

#include "lib/compiler.h"

/* The 128-bit product a * b, as *hi:*lo. */
static inline void mul_u64_u64(u64 a, u64 b, u64 *hi, u64 *lo)
{
	/* Masks, not (u32) casts: sparse reports a cast that drops bits of a constant. */
	const u64 m32 = 0xffffffffull;
	u64 al = a & m32, ah = a >> 32, bl = b & m32, bh = b >> 32;
	u64 ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
	/* The middle column: never overflows (each term < 2^32 after the shift). */
	u64 mid = (ll >> 32) + (lh & m32) + (hl & m32);

	*lo = (mid << 32) | (ll & m32);
	*hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
}

/**
 * div_u128_u64() - (hi:lo) / d by restoring long division.
 * @hi:  high half of the dividend
 * @lo:  low half
 * @d:   divisor, non-zero
 * @rem: the remainder, when the quotient fits (may be NULL)
 *
 * Return: the quotient, or ~0 (and *rem = 0) when it does not fit in 64 bits.
 */
static inline u64 div_u128_u64(u64 hi, u64 lo, u64 d, u64 *rem)
{
	u64 q = 0;

	if (!hi) {
		if (rem)
			*rem = lo % d;
		return lo / d;
	}
	if (hi >= d) {
		if (rem)
			*rem = 0;
		return ~0ull;
	}
	for (int i = 0; i < 64; i++) {
		u64 top = hi >> 63;	/* the bit shifted out of the 64-bit window */

		hi = (hi << 1) | (lo >> 63);
		lo <<= 1;
		q <<= 1;
		if (top || hi >= d) {
			hi -= d;
			q |= 1;
		}
	}
	if (rem)
		*rem = hi;
	return q;
}

/* floor(a * b / c), saturating at ~0; c must be non-zero. */
static inline u64 mul_u64_div_u64(u64 a, u64 b, u64 c)
{
	u64 hi, lo;

	mul_u64_u64(a, b, &hi, &lo);
	return div_u128_u64(hi, lo, c, NULL);
}

/* ceil(a * b / c), saturating at ~0; c must be non-zero. */
static inline u64 mul_u64_div_u64_up(u64 a, u64 b, u64 c)
{
	u64 hi, lo, rem, q;

	mul_u64_u64(a, b, &hi, &lo);
	q = div_u128_u64(hi, lo, c, &rem);
	return rem && q != ~0ull ? q + 1 : q;
}

#endif /* LIB_MULDIV_H */
