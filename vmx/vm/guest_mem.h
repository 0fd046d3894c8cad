/* SPDX-License-Identifier: MIT */
/*
 * Guest-physical memory: the one way the hypervisor reads or writes a VM's
 * RAM.  Every access is checked against the VM's memory slots (the host
 * blocks that back [0, mem_size), vm->chunks) and fails instead of
 * faulting when any byte lies outside them.  Pointers into guest RAM are
 * __guest (lib/compiler.h): sparse (make check) rejects a dereference
 * anywhere but in vmx/vm/guest_mem.c.  docs/development.md, "Guest memory".
 *
 * The portable loaders (vmx/loader/) call it too; the link chooses who
 * answers: vmx/vm/guest_mem.c in hv, tests/host/guest_mem_buf.c (a buffer)
 * in the hosted tests and the fuzzers.  Only lib/ headers here, so that
 * portable code may include it.
 */
#ifndef VMX_VM_GUEST_MEM_H
#define VMX_VM_GUEST_MEM_H

#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/types.h"

struct vm;

/* True when [gpa, gpa + len) lies entirely in the VM's RAM (no wrap). */
bool guest_range_ok(struct vm *vm, gpa_t gpa, u64 len);

/* Copy @len bytes from guest-physical @gpa to @dst; 0, or -HV_EFAULT outside RAM. */
int copy_from_guest(struct vm *vm, void *dst, gpa_t gpa, size_t len);

/* Copy @len bytes from @src to guest-physical @gpa; 0, or -HV_EFAULT outside RAM. */
int copy_to_guest(struct vm *vm, gpa_t gpa, const void *src, size_t len);

/* Zero [gpa, gpa + len); 0, or -HV_EFAULT outside RAM. */
int clear_guest(struct vm *vm, gpa_t gpa, size_t len);

/**
 * guest_cmpxchg() - atomic compare-and-exchange on guest RAM, as a LOCK
 * CMPXCHG of the guest would be seen by its other vCPUs.
 * @vm:      the VM
 * @gpa:     guest-physical address of the operand
 * @old:     the expected value; on a failed compare, the value found
 * @new_val: the value to store
 * @size:    1, 2, 4 or 8 bytes
 *
 * Return: 1 swapped, 0 not swapped (*@old updated), -HV_EFAULT when the
 * operand is not inside one slot of guest RAM (a device page, outside the
 * VM, or straddling two host blocks), -HV_EINVAL when @size is not one of
 * the above.
 */
int guest_cmpxchg(struct vm *vm, gpa_t gpa, u64 *old, u64 new_val, unsigned int size);

/*
 * The guest page walker's callbacks (struct gpt_walk_ctx in
 * vmx/emul/gpt_walk.h) over this API, with @opaque the struct vm: a
 * zero-extended load of @size bytes, and an atomic A/D-bit update.
 */
int guest_gpt_read(void *opaque, u64 gpa, u64 *val, unsigned int size);
int guest_gpt_cmpxchg(void *opaque, u64 gpa, u64 old, u64 new_val, unsigned int size);

#endif /* VMX_VM_GUEST_MEM_H */
