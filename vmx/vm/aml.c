// SPDX-License-Identifier: MIT
/* The AML emitter (vmx/vm/aml.h). */
#include "vmx/vm/aml.h"

#include "lib/string.h"

/* Small resource data items (6.4.2): tag byte = name << 3 | length. */
#define RES_SMALL(name, len)	((u8)(((name) << 3) | (len)))
#define RES_IRQ_NAME		0x4
#define RES_IO_NAME		0x8
#define RES_END_TAG_NAME	0xf
#define RES_IO_DECODE16		BIT(0)	/* IO information byte: 16-bit decode */

#define AML_SEG_LEN		4
#define AML_MAX_SEGS		255	/* MultiNamePath's SegCount is a byte */

void aml_init(struct aml_buf *a, u8 *buf, size_t cap)
{
	*a = (struct aml_buf){ .buf = buf, .cap = buf ? cap : 0 };
}

bool aml_ok(const struct aml_buf *a)
{
	return !a->overflow && !a->bad;
}

void aml_byte(struct aml_buf *a, u8 b)
{
	if (a->len < a->cap)
		a->buf[a->len] = b;
	else if (a->buf)
		a->overflow = true;
	a->len++;
}

void aml_bytes(struct aml_buf *a, const void *p, size_t n)
{
	const u8 *b = p;

	for (size_t i = 0; i < n; i++)
		aml_byte(a, b[i]);
}

/*
 * Insert @n bytes of @hdr at @mark, moving what was emitted after @mark
 * up.  Headers go in on close, once the body's length is known.
 */
static void aml_insert(struct aml_buf *a, size_t mark, const u8 *hdr, size_t n)
{
	if (mark > a->len) {
		a->bad = true;
		return;
	}
	if (a->buf && !a->overflow) {
		if (a->len + n > a->cap) {
			a->overflow = true;
		} else {
			memmove(a->buf + mark + n, a->buf + mark, a->len - mark);
			memcpy(a->buf + mark, hdr, n);
		}
	}
	a->len += n;
}

/*
 * Encode the PkgLength of an object whose @body bytes follow it (20.2.4).
 * The value counts the PkgLength's own bytes too.  Values up to 63 fit the
 * lead byte; beyond, its top two bits give the count of following bytes,
 * its low nibble the low 4 bits and each following byte 8 more.
 * Returns the encoding's length, 0 when @body is too long.
 */
static size_t aml_pkglen(u8 out[4], size_t body)
{
	size_t n, total;

	if (body + 1 <= 0x3f) {
		out[0] = (u8)(body + 1);
		return 1;
	}
	if (body + 2 <= 0xfff)
		n = 2;
	else if (body + 3 <= 0xfffff)
		n = 3;
	else if (body + 4 <= AML_PKGLEN_MAX)
		n = 4;
	else
		return 0;
	total = body + n;
	out[0] = (u8)(((n - 1) << 6) | (total & 0xf));
	for (size_t i = 1; i < n; i++)
		out[i] = (u8)(total >> (4 + 8 * (i - 1)));
	return n;
}

void aml_end(struct aml_buf *a, size_t mark)
{
	u8 hdr[4];
	size_t n;

	if (mark > a->len) {
		a->bad = true;
		return;
	}
	n = aml_pkglen(hdr, a->len - mark);
	if (!n) {
		a->bad = true;
		return;
	}
	aml_insert(a, mark, hdr, n);
}

static bool aml_lead_char(char c)
{
	return (c >= 'A' && c <= 'Z') || c == '_';
}

static bool aml_name_char(char c)
{
	return aml_lead_char(c) || (c >= '0' && c <= '9');
}

/* Emit the NameSeg at @p (up to '.' or the end), padded with '_'; returns its length. */
static size_t aml_nameseg(struct aml_buf *a, const char *p)
{
	size_t n = 0;

	while (p[n] && p[n] != '.')
		n++;
	if (n == 0 || n > AML_SEG_LEN || !aml_lead_char(p[0])) {
		a->bad = true;
		return n;
	}
	for (size_t i = 0; i < AML_SEG_LEN; i++) {
		char c = i < n ? p[i] : '_';

		if (!aml_name_char(c))
			a->bad = true;
		aml_byte(a, (u8)c);
	}
	return n;
}

void aml_name(struct aml_buf *a, const char *path)
{
	const char *p = path;
	size_t nsegs = 1;

	if (*p == '\\') {
		aml_byte(a, AML_ROOT_CHAR);
		p++;
	} else {
		while (*p == '^') {
			aml_byte(a, AML_PARENT_PREFIX);
			p++;
		}
	}
	if (!*p) {
		/* "\" alone is the root: a NullName after the prefix. */
		if (p == path)
			a->bad = true;
		aml_byte(a, 0);
		return;
	}
	for (const char *q = p; *q; q++)
		nsegs += *q == '.';
	if (nsegs > AML_MAX_SEGS) {
		a->bad = true;
		return;
	}
	if (nsegs == 2) {
		aml_byte(a, AML_DUAL_NAME_PREFIX);
	} else if (nsegs > 2) {
		aml_byte(a, AML_MULTI_NAME_PREFIX);
		aml_byte(a, (u8)nsegs);
	}
	for (size_t i = 0; i < nsegs; i++) {
		p += aml_nameseg(a, p);
		if (*p == '.')
			p++;
	}
}

void aml_integer(struct aml_buf *a, u64 v)
{
	unsigned int bytes;

	/* OnesOp is all ones in a revision 2 definition block, where integers have 64 bits. */
	if (v == 0) {
		aml_byte(a, AML_ZERO_OP);
		return;
	}
	if (v == 1) {
		aml_byte(a, AML_ONE_OP);
		return;
	}
	if (v == ~0ull) {
		aml_byte(a, AML_ONES_OP);
		return;
	}
	if (v <= 0xff) {
		aml_byte(a, AML_BYTE_PREFIX);
		bytes = 1;
	} else if (v <= 0xffff) {
		aml_byte(a, AML_WORD_PREFIX);
		bytes = 2;
	} else if (v <= 0xffffffffull) {
		aml_byte(a, AML_DWORD_PREFIX);
		bytes = 4;
	} else {
		aml_byte(a, AML_QWORD_PREFIX);
		bytes = 8;
	}
	for (unsigned int i = 0; i < bytes; i++)
		aml_byte(a, (u8)(v >> (8 * i)));
}

static int aml_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void aml_eisaid(struct aml_buf *a, const char *id)
{
	u32 v = 0;

	/*
	 * Three letters of 5 bits each ('A' = 1), then four hex digits, in a
	 * big-endian 32-bit value that is emitted as a little-endian integer.
	 */
	if (strnlen(id, 8) != 7) {
		a->bad = true;
		return;
	}
	for (int i = 0; i < 3; i++) {
		if (id[i] < 'A' || id[i] > 'Z')
			a->bad = true;
		v |= (u32)((id[i] - '@') & 0x1f) << (26 - 5 * i);
	}
	for (int i = 0; i < 4; i++) {
		int d = aml_hex_digit(id[3 + i]);

		if (d < 0)
			a->bad = true;
		v |= (u32)(d & 0xf) << (12 - 4 * i);
	}
	aml_integer(a, __builtin_bswap32(v));
}

void aml_name_def(struct aml_buf *a, const char *name)
{
	aml_byte(a, AML_NAME_OP);
	aml_name(a, name);
}

void aml_name_integer(struct aml_buf *a, const char *name, u64 v)
{
	aml_name_def(a, name);
	aml_integer(a, v);
}

size_t aml_scope_begin(struct aml_buf *a, const char *path)
{
	size_t mark;

	aml_byte(a, AML_SCOPE_OP);
	mark = a->len;
	aml_name(a, path);
	return mark;
}

size_t aml_device_begin(struct aml_buf *a, const char *name)
{
	size_t mark;

	aml_byte(a, AML_EXT_OP_PREFIX);
	aml_byte(a, AML_DEVICE_OP);
	mark = a->len;
	aml_name(a, name);
	return mark;
}

size_t aml_package_begin(struct aml_buf *a, u8 nelem)
{
	size_t mark;

	aml_byte(a, AML_PACKAGE_OP);
	mark = a->len;
	aml_byte(a, nelem);
	return mark;
}

size_t aml_buffer_begin(struct aml_buf *a)
{
	aml_byte(a, AML_BUFFER_OP);
	return a->len;
}

void aml_buffer_end(struct aml_buf *a, size_t mark)
{
	u8 hdr[4 + 9];
	struct aml_buf size;
	size_t body, n;

	if (mark > a->len) {
		a->bad = true;
		return;
	}
	/* DefBuffer := BufferOp PkgLength BufferSize ByteList; BufferSize is an Integer. */
	body = a->len - mark;
	aml_init(&size, hdr + 4, sizeof(hdr) - 4);
	aml_integer(&size, body);
	n = aml_pkglen(hdr, size.len + body);
	if (!n) {
		a->bad = true;
		return;
	}
	memmove(hdr + n, hdr + 4, size.len);
	aml_insert(a, mark, hdr, n + size.len);
}

void aml_res_io16(struct aml_buf *a, u16 min, u16 max, u8 align, u8 len)
{
	const u8 d[] = {
		RES_SMALL(RES_IO_NAME, 7), RES_IO_DECODE16,
		(u8)min, (u8)(min >> 8), (u8)max, (u8)(max >> 8), align, len,
	};

	aml_bytes(a, d, sizeof(d));
}

void aml_res_irq_noflags(struct aml_buf *a, u16 mask)
{
	/* The 2-byte form: no information byte means edge, active-high, exclusive. */
	const u8 d[] = { RES_SMALL(RES_IRQ_NAME, 2), (u8)mask, (u8)(mask >> 8) };

	aml_bytes(a, d, sizeof(d));
}

void aml_res_end_tag(struct aml_buf *a)
{
	const u8 d[] = { RES_SMALL(RES_END_TAG_NAME, 1), 0 };

	aml_bytes(a, d, sizeof(d));
}
