/* SPDX-License-Identifier: MIT */
/*
 * Loads from byte-aligned little-endian structures (firmware tables, the
 * multiboot2 information, anything a hostile writer may misalign).  memcpy
 * is the only access C allows at any alignment; x86 is little-endian, so
 * the value needs no swap.
 */
#ifndef LIB_UNALIGNED_H
#define LIB_UNALIGNED_H

#include "lib/string.h"
#include "lib/types.h"

static inline u16 get_unaligned_u16(const void *p)
{
	u16 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline u32 get_unaligned_u32(const void *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline u64 get_unaligned_u64(const void *p)
{
	u64 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

#endif /* LIB_UNALIGNED_H */
