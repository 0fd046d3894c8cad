/* SPDX-License-Identifier: MIT */
/*
 * Hosted guest memory: the struct vm that the portable code's calls into
 * vmx/vm/guest_mem.h (copy_to_guest(), clear_guest(), ...) reach in the
 * hosted tests and the fuzzers, linked in place of hv's vmx/vm/guest_mem.c.
 * A test says where the bytes are; every access is checked against
 * [0, size) and counted.
 */
#ifndef TESTS_HOST_GUEST_MEM_BUF_H
#define TESTS_HOST_GUEST_MEM_BUF_H

#include "vmx/vm/guest_mem.h"

struct vm {
	u64 size;			/* guest RAM: [0, size) */
	/*
	 * The bytes backing [gpa, gpa + len), which lies inside RAM, or NULL
	 * where the test keeps none (the access is counted, not done).
	 */
	u8 *(*at)(struct vm *vm, u64 gpa, u64 len);
	unsigned long outside;		/* accesses refused: not inside [0, size) */
	unsigned long untracked;	/* accesses inside RAM the test keeps no bytes for */
};

#endif /* TESTS_HOST_GUEST_MEM_BUF_H */
