// SPDX-License-Identifier: MIT
/*
 * vmx/vm/aml.c: integer and name encodings, EisaId, PkgLength at every
 * size boundary (decoded back and checked to be the shortest encoding),
 * nested objects against hand-assembled bytes, and the buffer limits: a
 * measured size is always enough, anything less is refused without a byte
 * written past the capacity.
 */
#include "tests/host/harness.h"
#include "vmx/vm/aml.h"

#include <stdlib.h>
#include <string.h>

#define OUT_MAX		64

/* Emit with @fn into a fresh buffer; check aml_ok and the bytes against @want. */
#define EXPECT_AML(want, stmt)						\
	do {								\
		static const u8 w_[] = want;				\
		u8 o_[OUT_MAX];						\
		struct aml_buf a_;					\
		aml_init(&a_, o_, sizeof(o_));				\
		{ struct aml_buf *a = &a_; stmt; }			\
		CHECK(aml_ok(&a_));					\
		CHECK_EQ(a_.len, sizeof(w_));				\
		if (a_.len == sizeof(w_))				\
			CHECK(!memcmp(o_, w_, sizeof(w_)));		\
	} while (0)

/* @stmt must mark the input as malformed. */
#define EXPECT_BAD(stmt)						\
	do {								\
		u8 o_[OUT_MAX];						\
		struct aml_buf a_;					\
		aml_init(&a_, o_, sizeof(o_));				\
		{ struct aml_buf *a = &a_; stmt; }			\
		CHECK(a_.bad);						\
		CHECK(!aml_ok(&a_));					\
	} while (0)

#define B(...)	{ __VA_ARGS__ }

static void test_integers(void)
{
	EXPECT_AML(B(0x00), aml_integer(a, 0));
	EXPECT_AML(B(0x01), aml_integer(a, 1));
	EXPECT_AML(B(0xff), aml_integer(a, ~0ull));
	EXPECT_AML(B(0x0a, 0x02), aml_integer(a, 2));
	EXPECT_AML(B(0x0a, 0xff), aml_integer(a, 0xff));
	EXPECT_AML(B(0x0b, 0x00, 0x01), aml_integer(a, 0x100));
	EXPECT_AML(B(0x0b, 0xff, 0xff), aml_integer(a, 0xffff));
	EXPECT_AML(B(0x0c, 0x00, 0x00, 0x01, 0x00), aml_integer(a, 0x10000));
	EXPECT_AML(B(0x0c, 0xff, 0xff, 0xff, 0xff), aml_integer(a, 0xffffffffull));
	EXPECT_AML(B(0x0e, 0, 0, 0, 0, 1, 0, 0, 0), aml_integer(a, 0x100000000ull));
	EXPECT_AML(B(0x0e, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
		   aml_integer(a, ~0ull - 1));
}

static void test_names(void)
{
	EXPECT_AML(B('_', 'S', '5', '_'), aml_name(a, "_S5"));
	EXPECT_AML(B('C', 'O', 'M', '1'), aml_name(a, "COM1"));
	EXPECT_AML(B(0x5c, '_', 'S', 'B', '_'), aml_name(a, "\\_SB"));
	EXPECT_AML(B(0x5c, 0x2e, '_', 'S', 'B', '_', 'C', 'O', 'M', '1'),
		   aml_name(a, "\\_SB.COM1"));
	EXPECT_AML(B(0x2f, 3, 'A', '_', '_', '_', 'B', '1', '_', '_', 'C', '_', '_', '_'),
		   aml_name(a, "A.B1.C"));
	EXPECT_AML(B(0x5e, 0x5e, 'F', 'O', 'O', '_'), aml_name(a, "^^FOO"));
	EXPECT_AML(B(0x5c, 0x00), aml_name(a, "\\"));

	EXPECT_BAD(aml_name(a, ""));
	EXPECT_BAD(aml_name(a, "com1"));
	EXPECT_BAD(aml_name(a, "1ABC"));
	EXPECT_BAD(aml_name(a, "TOOLONG"));
	EXPECT_BAD(aml_name(a, "A..B"));
	EXPECT_BAD(aml_name(a, "A."));
	EXPECT_BAD(aml_name(a, "A-B"));
}

static void test_eisaid(void)
{
	/* Known values: PNP0501 is 0x0105D041, PNP0A03 0x030AD041, PNP0C0C 0x0C0CD041. */
	EXPECT_AML(B(0x0c, 0x41, 0xd0, 0x05, 0x01), aml_eisaid(a, "PNP0501"));
	EXPECT_AML(B(0x0c, 0x41, 0xd0, 0x0a, 0x03), aml_eisaid(a, "PNP0A03"));
	EXPECT_AML(B(0x0c, 0x41, 0xd0, 0x0c, 0x0c), aml_eisaid(a, "PNP0C0C"));

	EXPECT_BAD(aml_eisaid(a, "pnp0501"));
	EXPECT_BAD(aml_eisaid(a, "PNP050"));
	EXPECT_BAD(aml_eisaid(a, "PNP05011"));
	EXPECT_BAD(aml_eisaid(a, "PNP050G"));
	EXPECT_BAD(aml_eisaid(a, "PNP050a"));
}

static void test_objects(void)
{
	/* Name(_S5_, Package(1){5}), as the reference bytes in guest-platform.md §4. */
	EXPECT_AML(B(0x08, 0x5f, 0x53, 0x35, 0x5f, 0x12, 0x04, 0x01, 0x0a, 0x05), {
		size_t m;

		aml_name_def(a, "_S5");
		m = aml_package_begin(a, 1);
		aml_integer(a, 5);
		aml_end(a, m);
	});

	/* Scope(\_SB) { Device(DEV0) { Name(_UID, Zero) } } */
	EXPECT_AML(B(0x10, 0x13, 0x5c, '_', 'S', 'B', '_',
		     0x5b, 0x82, 0x0b, 'D', 'E', 'V', '0',
		     0x08, '_', 'U', 'I', 'D', 0x00), {
		size_t s;	/* one declarator each: a comma here would split the macro's arguments */
		size_t d;

		s = aml_scope_begin(a, "\\_SB");
		d = aml_device_begin(a, "DEV0");
		aml_name_integer(a, "_UID", 0);
		aml_end(a, d);
		aml_end(a, s);
	});

	/* ResourceTemplate() { IO(Decode16, 0x3F8, 0x3F8, 1, 8) IRQNoFlags() {4} } */
	EXPECT_AML(B(0x11, 0x10, 0x0a, 0x0d,
		     0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08,
		     0x22, 0x10, 0x00,
		     0x79, 0x00), {
		size_t m = aml_buffer_begin(a);

		aml_res_io16(a, 0x3f8, 0x3f8, 1, 8);
		aml_res_irq_noflags(a, 1u << 4);
		aml_res_end_tag(a);
		aml_buffer_end(a, m);
	});

	/* An empty Buffer: size Zero. */
	EXPECT_AML(B(0x11, 0x02, 0x00), { aml_buffer_end(a, aml_buffer_begin(a)); });

	/* A mark from the future is refused. */
	EXPECT_BAD(aml_end(a, 5));
	EXPECT_BAD(aml_buffer_end(a, 5));
}

/*
 * Decode the PkgLength at @p: its value, and through @nbytes its length.
 * Returns 0 for an encoding that is malformed or not the shortest.
 */
static size_t pkglen_decode(const u8 *p, size_t *nbytes)
{
	size_t n = (size_t)(p[0] >> 6) + 1, v;

	*nbytes = n;
	if (n == 1)
		return p[0] & 0x3f;
	if (p[0] & 0x30)
		return 0;	/* bits 5:4 are reserved in the multi-byte form */
	v = p[0] & 0xf;
	for (size_t i = 1; i < n; i++)
		v |= (size_t)p[i] << (4 + 8 * (i - 1));
	/* Shortest: with one byte fewer, the value (one less) must not have fitted. */
	if (v - 1 <= (n == 2 ? 0x3f : (1u << (4 + 8 * (n - 2))) - 1))
		return 0;
	return v;
}

/*
 * A Buffer of @body raw bytes: the PkgLength must count exactly the bytes
 * after BufferOp, be the shortest, and BufferSize must be @body.
 */
static void check_buffer_of(u8 *out, size_t cap, size_t body)
{
	struct aml_buf a;
	size_t m, v, npl, off;
	u64 size;

	aml_init(&a, out, cap);
	m = aml_buffer_begin(&a);
	for (size_t i = 0; i < body; i++)
		aml_byte(&a, (u8)i);
	aml_buffer_end(&a, m);
	CHECK(aml_ok(&a));
	CHECK_EQ(out[0], AML_BUFFER_OP);
	v = pkglen_decode(out + 1, &npl);
	CHECK_EQ(v, a.len - 1);
	off = 1 + npl;
	switch (out[off]) {
	case AML_ZERO_OP:
		size = 0, off += 1;
		break;
	case AML_ONE_OP:
		size = 1, off += 1;
		break;
	case AML_BYTE_PREFIX:
		size = out[off + 1], off += 2;
		break;
	case AML_WORD_PREFIX:
		size = out[off + 1] | (u64)out[off + 2] << 8, off += 3;
		break;
	case AML_DWORD_PREFIX:
		size = out[off + 1] | (u64)out[off + 2] << 8 | (u64)out[off + 3] << 16 |
		       (u64)out[off + 4] << 24;
		off += 5;
		break;
	default:
		size = ~0ull;
		break;
	}
	CHECK_EQ(size, body);
	CHECK_EQ(a.len - off, body);
	if (a.len - off == body && body)
		CHECK(out[off] == 0 && out[a.len - 1] == (u8)(body - 1));
}

static void test_pkglen(void)
{
	static const size_t edges[] = { 0xfff, 0xfffff };
	size_t cap = (1u << 20) + 64;
	u8 *out = malloc(cap);
	struct aml_buf a;
	size_t m;

	CHECK(out != NULL);
	if (!out)
		return;
	/* Every size across the 1-byte/2-byte edge and well beyond. */
	for (size_t body = 0; body < 300; body++)
		check_buffer_of(out, cap, body);
	/* Around the 2/3-byte and 3/4-byte edges. */
	for (size_t e = 0; e < ARRAY_SIZE(edges); e++)
		for (size_t body = edges[e] - 12; body < edges[e] + 4; body++)
			check_buffer_of(out, cap, body);
	free(out);

	/* The largest PkgLength and one beyond, measured without a buffer. */
	aml_init(&a, NULL, 0);
	m = aml_package_begin(&a, 0);
	a.len += AML_PKGLEN_MAX - 5;	/* a body of PKGLEN_MAX - 4: total PKGLEN_MAX */
	aml_end(&a, m);
	CHECK(aml_ok(&a));
	aml_init(&a, NULL, 0);
	m = aml_package_begin(&a, 0);
	a.len += AML_PKGLEN_MAX - 4;
	aml_end(&a, m);
	CHECK(a.bad);
}

/* A nested emission for the buffer-limit tests. */
static void emit_nested(struct aml_buf *a)
{
	size_t s, d, b;

	s = aml_scope_begin(a, "\\_SB");
	d = aml_device_begin(a, "COM1");
	aml_name_def(a, "_HID");
	aml_eisaid(a, "PNP0501");
	aml_name_def(a, "_CRS");
	b = aml_buffer_begin(a);
	for (int i = 0; i < 70; i++)		/* a 2-byte PkgLength inside */
		aml_res_io16(a, (u16)i, (u16)i, 1, 1);
	aml_res_end_tag(a);
	aml_buffer_end(a, b);
	aml_end(a, d);
	aml_end(a, s);
}

static void test_limits(void)
{
	struct aml_buf meas, a;
	u8 *ref, *out;
	size_t need, canary = 32;

	aml_init(&meas, NULL, 0);
	emit_nested(&meas);
	CHECK(aml_ok(&meas));
	need = meas.len;
	ref = malloc(need);
	out = malloc(need + canary);
	CHECK(ref && out);
	if (!ref || !out)
		goto out;

	/* Exactly the measured size is enough. */
	aml_init(&a, ref, need);
	emit_nested(&a);
	CHECK(aml_ok(&a));
	CHECK_EQ(a.len, need);

	/* Less is refused, and nothing lands past the capacity. */
	for (size_t cap = 0; cap < need; cap++) {
		memset(out, 0xa5, need + canary);
		aml_init(&a, out, cap);
		emit_nested(&a);
		CHECK(a.overflow);
		CHECK(!aml_ok(&a));
		CHECK_EQ(a.len, need);
		for (size_t i = cap; i < need + canary; i++)
			if (out[i] != 0xa5) {
				test_fail(__FILE__, __LINE__, "cap %zu: byte %zu written", cap, i);
				break;
			}
	}

	/* More is the same output. */
	aml_init(&a, out, need + canary);
	emit_nested(&a);
	CHECK(aml_ok(&a));
	CHECK(!memcmp(out, ref, need));
out:
	free(ref);
	free(out);
}

int main(int argc, char **argv)
{
	test_init(argc, argv, 0);
	test_integers();
	test_names();
	test_eisaid();
	test_objects();
	test_pkglen();
	test_limits();
	return test_finish();
}
