// SPDX-License-Identifier: MIT
/*
 * lib/muldiv.h: the 128-bit product and the long division against the
 * compiler's unsigned __int128 (fine in a hosted test, which has libgcc),
 * on edge values and random operands of every magnitude.
 */
#include "lib/muldiv.h"
#include "tests/host/harness.h"

typedef unsigned __int128 u128;

static void check_one(u64 a, u64 b, u64 c)
{
	u128 p = (u128)a * b;
	u64 hi, lo;
	u128 q = p / c;
	u128 qu = (p + c - 1) / c;

	mul_u64_u64(a, b, &hi, &lo);
	CHECK_EQ(hi, (u64)(p >> 64));
	CHECK_EQ(lo, (u64)p);
	CHECK_EQ(mul_u64_div_u64(a, b, c), q >> 64 ? ~0ull : (u64)q);
	if (!((p + c - 1) < p))		/* the reference's own overflow */
		CHECK_EQ(mul_u64_div_u64_up(a, b, c), qu >> 64 ? ~0ull : (u64)qu);
}

/* A random value with a random number of significant bits. */
static u64 rand_mag(u64 *s)
{
	unsigned int bits = (unsigned int)(test_rand(s) % 65);

	return bits ? test_rand(s) >> (64 - bits) : 0;
}

int main(int argc, char **argv)
{
	static const u64 edge[] = { 0, 1, 2, 3, 0xffffffffull, 0x100000000ull, 1000000000ull,
				    0x7fffffffffffffffull, 0x8000000000000000ull, ~0ull,
				    ~0ull - 1, 2900000000ull, 25000000ull };
	u64 s;
	u64 rem;
	unsigned int n;

	test_init(argc, argv, 0);
	s = test_opts.seed;
	for (unsigned int i = 0; i < ARRAY_SIZE(edge); i++)
		for (unsigned int j = 0; j < ARRAY_SIZE(edge); j++)
			for (unsigned int k = 0; k < ARRAY_SIZE(edge); k++)
				if (edge[k])
					check_one(edge[i], edge[j], edge[k]);
	n = test_opts.quick ? 100000 : 2000000;
	for (unsigned int i = 0; i < n; i++) {
		u64 c = rand_mag(&s);

		check_one(rand_mag(&s), rand_mag(&s), c ? c : 1);
	}
	/* The remainder of the long division. */
	CHECK_EQ(div_u128_u64(1, 5, 3, &rem), (u64)((((u128)1 << 64) + 5) / 3));
	CHECK_EQ(rem, (u64)((((u128)1 << 64) + 5) % 3));
	/* Exact products round the same both ways. */
	CHECK_EQ(mul_u64_div_u64_up(3000000000ull, 25000000ull, 25000000ull), 3000000000ull);
	CHECK_EQ(mul_u64_div_u64_up(1, 2, 3), 1);
	CHECK_EQ(mul_u64_div_u64(1, 2, 3), 0);
	return test_finish();
}
