// SPDX-License-Identifier: MIT
/*
 * vmx/vm/guest_mem.h over a test's buffers (tests/host/guest_mem_buf.h):
 * the hosted side of the link-time choice whose bare-metal side is
 * vmx/vm/guest_mem.c.
 */
#include "tests/host/guest_mem_buf.h"

#include <string.h>

/* The backing bytes of [gpa, gpa + len), NULL when untracked; -HV_EFAULT outside RAM. */
static int guest_buf_at(struct vm *vm, gpa_t gpa, size_t len, u8 **p)
{
	if (!guest_range_ok(vm, gpa, len)) {
		vm->outside++;
		return -HV_EFAULT;
	}
	*p = vm->at(vm, gpa, len);
	if (!*p)
		vm->untracked++;
	return 0;
}

bool guest_range_ok(struct vm *vm, gpa_t gpa, u64 len)
{
	return gpa + len >= gpa && gpa + len <= vm->size;
}

int copy_from_guest(struct vm *vm, void *dst, gpa_t gpa, size_t len)
{
	u8 *p;
	int err = guest_buf_at(vm, gpa, len, &p);

	if (err)
		return err;
	if (p)
		memcpy(dst, p, len);
	else
		memset(dst, 0, len);
	return 0;
}

int copy_to_guest(struct vm *vm, gpa_t gpa, const void *src, size_t len)
{
	u8 *p;
	int err = guest_buf_at(vm, gpa, len, &p);

	if (err)
		return err;
	if (p)
		memcpy(p, src, len);
	return 0;
}

int clear_guest(struct vm *vm, gpa_t gpa, size_t len)
{
	u8 *p;
	int err = guest_buf_at(vm, gpa, len, &p);

	if (err)
		return err;
	if (p)
		memset(p, 0, len);
	return 0;
}
