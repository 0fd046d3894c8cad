// SPDX-License-Identifier: MIT
/*
 * Guest-physical memory access (vmx/vm/guest_mem.h).  The only file that
 * turns a guest-physical address into a hypervisor pointer, and the only
 * one that dereferences a __guest pointer: everything else copies.
 */
#include "vmx/vm/guest_mem.h"
#include "lib/platform.h"
#include "lib/string.h"
#include "vmx/vcpu.h"

/*
 * The hypervisor's view of guest-physical @gpa and the bytes from it to the
 * end of its slot in *@avail, or NULL when @gpa is not guest RAM.
 */
static u8 __guest *guest_ram_at(struct vm *vm, gpa_t gpa, u64 *avail)
{
	for (unsigned int i = 0; i < vm->nchunks; i++) {
		const struct vm_mem_chunk *c = &vm->chunks[i];

		if (gpa >= c->gpa && gpa - c->gpa < c->size) {
			*avail = c->size - (gpa - c->gpa);
			/* The direct map of the slot's host block is guest memory. */
			return (u8 __force __guest *)arch_phys_to_virt(c->hpa) + (gpa - c->gpa);
		}
	}
	return NULL;
}

/* Visit [gpa, gpa + len) slot by slot: @src to guest, guest to @dst, or zero (both NULL). */
static int guest_copy(struct vm *vm, gpa_t gpa, u8 *dst, const u8 *src, size_t len)
{
	if (gpa + len < gpa)
		return -HV_EFAULT;
	while (len) {
		u64 avail;
		u8 __guest *g = guest_ram_at(vm, gpa, &avail);
		size_t n;

		if (!g)
			return -HV_EFAULT;
		n = MIN((u64)len, avail);
		if (dst) {
			memcpy(dst, (__force const u8 *)g, n);
			dst += n;
		} else if (src) {
			memcpy((__force u8 *)g, src, n);
			src += n;
		} else {
			memset((__force u8 *)g, 0, n);
		}
		gpa += n;
		len -= n;
	}
	return 0;
}

bool guest_range_ok(struct vm *vm, gpa_t gpa, u64 len)
{
	/* The slots cover [0, mem_size) without holes (vm_alloc_memory()). */
	return gpa + len >= gpa && gpa + len <= vm->mem_size;
}

int copy_from_guest(struct vm *vm, void *dst, gpa_t gpa, size_t len)
{
	return guest_copy(vm, gpa, dst, NULL, len);
}

int copy_to_guest(struct vm *vm, gpa_t gpa, const void *src, size_t len)
{
	return guest_copy(vm, gpa, NULL, src, len);
}

int clear_guest(struct vm *vm, gpa_t gpa, size_t len)
{
	return guest_copy(vm, gpa, NULL, NULL, len);
}

int guest_cmpxchg(struct vm *vm, gpa_t gpa, u64 *old, u64 new_val, unsigned int size)
{
	u64 avail;
	u8 __guest *g = guest_ram_at(vm, gpa, &avail);
	void *p = (__force void *)g;

	if (!g || size > avail)
		return -HV_EFAULT;
	/*
	 * Atomicity only, as the guest's own LOCK CMPXCHG: the guest's other
	 * vCPUs see one operation, and the hypervisor orders nothing by it.
	 */
	switch (size) {
	case 1: {
		u8 o = (u8)*old;
		int ok = __atomic_compare_exchange_n((u8 *)p, &o, (u8)new_val, false,
						     __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
		*old = o;
		return ok;
	}
	case 2: {
		u16 o = (u16)*old;
		int ok = __atomic_compare_exchange_n((u16 *)p, &o, (u16)new_val, false,
						     __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
		*old = o;
		return ok;
	}
	case 4: {
		u32 o = (u32)*old;
		int ok = __atomic_compare_exchange_n((u32 *)p, &o, (u32)new_val, false,
						     __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
		*old = o;
		return ok;
	}
	case 8:
		return __atomic_compare_exchange_n((u64 *)p, old, new_val, false,
						   __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	default:
		return -HV_EINVAL;
	}
}

int guest_gpt_read(void *opaque, u64 gpa, u64 *val, unsigned int size)
{
	*val = 0;
	return copy_from_guest(opaque, val, gpa, size);
}

int guest_gpt_cmpxchg(void *opaque, u64 gpa, u64 old, u64 new_val, unsigned int size)
{
	/* An entry is naturally aligned; anything else is not one the CPU would update. */
	if (gpa & (size - 1))
		return -HV_EINVAL;
	return guest_cmpxchg(opaque, gpa, &old, new_val, size);
}
