/* SPDX-License-Identifier: MIT */
/*
 * Port I/O exits: the exit qualification's fields, and the dispatch to the
 * VM's device bus that both the exit fast path and exit_io() use.
 */
#ifndef VMX_EXIT_IO_H
#define VMX_EXIT_IO_H

#include "vmx/dev/vdev.h"
#include "vmx/exit_fast.h"
#include "vmx/guest_state.h"
#include "vmx/vm/vm.h"
#include "vmx/vmx_ops.h"

#define IO_QUAL_SIZE(q)		(((q) & 7) + 1)
#define IO_QUAL_IN		BIT(3)
#define IO_QUAL_STRING		BIT(4)
#define IO_QUAL_PORT(q)		((u16)((q) >> 16))

/* IN AL/AX keep the rest of RAX; IN EAX zero-extends into RAX. */
static inline void io_set_rax(u64 *rax, unsigned int size, u32 val)
{
	u64 mask = size == 4 ? 0xffffffffull : (1ull << (size * 8)) - 1;

	*rax = size == 4 ? val : (*rax & ~mask) | (val & mask);
}

/*
 * The qualification bits that are set for a string instruction or a port at
 * or above VDEV_PIO_LEGACY: clear for the fast path's common case.
 */
BUILD_BUG_ON(VDEV_PIO_LEGACY & (VDEV_PIO_LEGACY - 1));
#define IO_QUAL_NOT_LEGACY	(IO_QUAL_STRING | ((u64)(u16)~(VDEV_PIO_LEGACY - 1) << 16))

/*
 * exit_io_fast() - the fast path's I/O exit (vmx/exit_fast.c): finish an
 * IN/OUT that a device on the VM's bus claims; NULL if none does (the
 * slow path applies the VM's policy), or if the access stopped the VM
 * (then it is done: the vCPU's exit_done tells the slow path not to
 * dispatch it again).  @rip: the guest's RIP, read by the fast path.
 *
 * Return: @v, done (read back after the device call: see below), or NULL.
 *
 * Inline into the fast path, and written so that nothing lives across a
 * call in a register (the qualification waits in v->exit_qual across the
 * far ports' lookup and an IN's device call, RIP is moved on before the
 * device call, and @v is read back with vmx_exit_fast_vcpu()): the fast
 * path then saves no register at all.
 */
static __always_inline struct vcpu *exit_io_fast(struct vcpu *v, u64 rip)
{
	u64 q = vmcs_read(VMCS_EXIT_QUAL);
	const struct vdev_pio_range *r;
	u16 off;

	/* One test for the common case: no string, a port in the direct table. */
	if (likely(!(q & IO_QUAL_NOT_LEGACY))) {
		/* (u32)q >> 16 rather than the u16 port: no zero-extensions. */
		r = vdev_pio_find_legacy(&v->vm->bus, (u32)q >> 16, IO_QUAL_SIZE(q));
	} else {
		if (q & IO_QUAL_STRING)
			return NULL;
		v->exit_qual = q;
		r = vdev_pio_find_far(&v->vm->bus, IO_QUAL_PORT(q), IO_QUAL_SIZE(q));
		v = vmx_exit_fast_vcpu();
		q = v->exit_qual;
		/* Read again rather than kept across the call in a saved register. */
		rip = vmcs_read(VMCS_GUEST_RIP);
	}
	if (!r)
		return NULL;
	off = (u16)(((u32)q >> 16) - r->base);
	/* The access cannot fail from here on: the guest moves past it. */
	vmcs_guest_skip_insn_from(rip);
	if (q & IO_QUAL_IN) {
		u32 val;

		v->exit_qual = q;
		val = r->ops->read(r->dev, off, IO_QUAL_SIZE(q));
		v = vmx_exit_fast_vcpu();
		io_set_rax(&v->regs.r[GPR_RAX], IO_QUAL_SIZE(v->exit_qual), val);
		return v;
	}
	r->ops->write(r->dev, off, IO_QUAL_SIZE(q), (u32)v->regs.r[GPR_RAX]);
	v = vmx_exit_fast_vcpu();
	/*
	 * A device may have stopped the VM (isa-debug-exit, ACPI power-off,
	 * a reset): the guest must not run on.  The slow path finds the VM
	 * stopped before it dispatches anything (vmx_handle_exit()).
	 */
	if (unlikely(vm_is_stopped(v->vm))) {
		v->exit_done = true;
		return NULL;
	}
	return v;
}

#endif /* VMX_EXIT_IO_H */
