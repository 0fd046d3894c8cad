/* SPDX-License-Identifier: MIT */
/*
 * A tiny AML emitter (ACPI 6.5, chapter 20): just what hv's DSDT needs.
 * Portable: it writes bytes into a caller's buffer and nothing else.
 *
 * Objects that carry a PkgLength (Scope, Device, Package, Buffer) are
 * opened with *_begin(), which returns a mark, and closed with aml_end() or
 * aml_buffer_end().  The body is written first and the length inserted in
 * front of it on close, so the output never grows past its final size: a
 * buffer of exactly the measured size is enough.
 *
 * Writes past the capacity are dropped and set ->overflow, but ->len keeps
 * counting, so a pass over a NULL buffer measures the output.  Bad input
 * (a malformed name, a length out of range) sets ->bad.  Check both once at
 * the end with aml_ok().
 */
#ifndef VMX_VM_AML_H
#define VMX_VM_AML_H

#include "lib/compiler.h"

struct aml_buf {
	u8 *buf;		/* NULL: measure only */
	size_t cap;		/* bytes writable at buf */
	size_t len;		/* bytes emitted so far (also those dropped) */
	bool overflow;		/* some byte did not fit */
	bool bad;		/* malformed input; the output is meaningless */
};

/* Opcodes (20.3) used by the emitter and its tests. */
#define AML_ZERO_OP		0x00
#define AML_ONE_OP		0x01
#define AML_NAME_OP		0x08
#define AML_BYTE_PREFIX		0x0a
#define AML_WORD_PREFIX		0x0b
#define AML_DWORD_PREFIX	0x0c
#define AML_QWORD_PREFIX	0x0e
#define AML_SCOPE_OP		0x10
#define AML_BUFFER_OP		0x11
#define AML_PACKAGE_OP		0x12
#define AML_DUAL_NAME_PREFIX	0x2e
#define AML_MULTI_NAME_PREFIX	0x2f
#define AML_EXT_OP_PREFIX	0x5b
#define AML_DEVICE_OP		0x82	/* after AML_EXT_OP_PREFIX */
#define AML_ROOT_CHAR		0x5c	/* '\' */
#define AML_PARENT_PREFIX	0x5e	/* '^' */
#define AML_ONES_OP		0xff

#define AML_PKGLEN_MAX		((1u << 28) - 1)	/* 4-byte PkgLength */

/* Start emitting into @buf (@cap bytes; @buf NULL to measure). */
void aml_init(struct aml_buf *a, u8 *buf, size_t cap);

/* True when everything fitted and no input was malformed. */
bool aml_ok(const struct aml_buf *a);

void aml_byte(struct aml_buf *a, u8 b);
void aml_bytes(struct aml_buf *a, const void *p, size_t n);

/**
 * aml_name() - emit a NameString.
 * @a:    output
 * @path: ASL-style path: an optional '\' or '^' prefixes, then segments of
 *        1 to 4 characters separated by '.', e.g. "\_SB.COM1" or "_S5";
 *        a short segment is padded with '_' ("_S5" is "_S5_")
 *
 * One segment is a bare NameSeg, two a DualNamePath, more a MultiNamePath.
 * Segment characters are 'A'-'Z', '0'-'9' and '_', not a digit first.
 */
void aml_name(struct aml_buf *a, const char *path);

/* An Integer in its shortest encoding: Zero, One, Ones, or Byte/Word/DWord/QWordConst. */
void aml_integer(struct aml_buf *a, u64 v);

/**
 * aml_eisaid() - emit the compressed EISA id of @id, as ASL's EisaId().
 * @a:  output
 * @id: three capital letters and four hex digits, e.g. "PNP0501"
 */
void aml_eisaid(struct aml_buf *a, const char *id);

/* Name(@name, ...): the caller emits the object next. */
void aml_name_def(struct aml_buf *a, const char *name);

/* Name(@name, Integer @v). */
void aml_name_integer(struct aml_buf *a, const char *name, u64 v);

/* Scope(@path) { ... aml_end() } */
size_t aml_scope_begin(struct aml_buf *a, const char *path);

/* Device(@name) { ... aml_end() } */
size_t aml_device_begin(struct aml_buf *a, const char *name);

/* Package(@nelem) { ... aml_end() }; the caller emits exactly @nelem elements. */
size_t aml_package_begin(struct aml_buf *a, u8 nelem);

/* Close a Scope, Device or Package: insert its PkgLength at @mark. */
void aml_end(struct aml_buf *a, size_t mark);

/* Buffer() { raw bytes ... aml_buffer_end() }: the size is inserted on close. */
size_t aml_buffer_begin(struct aml_buf *a);
void aml_buffer_end(struct aml_buf *a, size_t mark);

/*
 * Resource descriptors (6.4) for a ResourceTemplate: open it with
 * aml_buffer_begin(), emit descriptors, then aml_res_end_tag() and
 * aml_buffer_end().
 */

/* IO(Decode16, @min, @max, @align, @len). */
void aml_res_io16(struct aml_buf *a, u16 min, u16 max, u8 align, u8 len);

/* IRQNoFlags() {irqs in @mask}: edge-triggered, active-high, exclusive. */
void aml_res_irq_noflags(struct aml_buf *a, u16 mask);

/* The End Tag, with checksum 0 ("treated as valid"). */
void aml_res_end_tag(struct aml_buf *a);

#endif /* VMX_VM_AML_H */
