// SPDX-License-Identifier: MIT
/*
 * Port I/O.  Every port is trapped (the I/O bitmaps are all ones) and goes
 * to the VM's device bus (vmx/dev/vdev.h): a device that claimed the port
 * answers.  Ports no device claims follow the VM's policy
 * (vm=...,io=ignore|stop): reads return all ones and writes are dropped,
 * each port logged once; or the VM is stopped.  String I/O (INS/OUTS,
 * with REP) is emulated (vmx/exit_emulate.c) through the same path.
 */
#include "vmx/exit.h"

#include "lib/printk.h"
#include "vmx/vm/vm.h"
#include "vmx/vm/vm_log.h"
#include "vmx/vmx_ops.h"

#define IO_QUAL_SIZE(q)		(((q) & 7) + 1)
#define IO_QUAL_IN		BIT(3)
#define IO_QUAL_STRING		BIT(4)
#define IO_QUAL_PORT(q)		((u16)((q) >> 16))

/* IN AL/AX keep the rest of RAX; IN EAX zero-extends into RAX. */
static void io_set_rax(u64 *rax, unsigned int size, u32 val)
{
	u64 mask = size == 4 ? 0xffffffffull : (1ull << (size * 8)) - 1;

	*rax = size == 4 ? val : (*rax & ~mask) | (val & mask);
}

/*
 * The access at @q, if a device claims it; false for the slow path's
 * policy.  Always inline: it is most of the I/O fast path.
 */
static __always_inline bool io_dispatch(struct vcpu *v, u64 q)
{
	unsigned int size = IO_QUAL_SIZE(q);
	u16 port = IO_QUAL_PORT(q);
	const struct vdev_pio_range *r = vdev_pio_find(&v->vm->bus, port, size);
	u64 *rax = &v->regs.r[GPR_RAX];

	if (!r)
		return false;
	if (q & IO_QUAL_IN)
		io_set_rax(rax, size, r->ops->read(r->dev, (u16)(port - r->base), size));
	else
		r->ops->write(r->dev, (u16)(port - r->base), size, (u32)*rax);
	return true;
}

bool exit_io_fast(struct vcpu *v)
{
	u64 q = vmcs_read(VMCS_EXIT_QUAL);

	if ((q & IO_QUAL_STRING) || !io_dispatch(v, q))
		return false;
	vcpu_skip_insn_fast(v);
	/*
	 * A device may have stopped the VM (isa-debug-exit, ACPI power-off,
	 * a reset): the guest must not run on.  The slow path finds the VM
	 * stopped before it dispatches anything (vmx_handle_exit()).
	 */
	if (unlikely(!(q & IO_QUAL_IN) && vm_is_stopped(v->vm))) {
		v->exit_done = true;
		return false;
	}
	return true;
}

bool vcpu_pio(struct vcpu *v, u16 port, unsigned int size, bool in, u32 *val)
{
	if (in ? vdev_pio_read(&v->vm->bus, port, size, val)
	       : vdev_pio_write(&v->vm->bus, port, size, *val))
		return true;
	if (v->vm->cfg.io == VM_IO_STOP) {
		vcpu_log_exit(v, "I/O to a port without a device");
		vm_stop(v->vm, "%s of port %#x (size %u) with io=stop", in ? "read" : "write", port,
			size);
		return false;
	}
	if (vm_log_first(v->vm, VM_LOG_PORT, port, !in))
		vm_guest_warn(v->vm, "vm %s vcpu %u: %s of port %#x (size %u, rip %llx) has no "
			      "device: %s\n", v->vm->cfg.name, v->id, in ? "read" : "write", port,
			      size, vmcs_read(VMCS_GUEST_RIP),
			      in ? "reads all ones" : "dropped");
	if (in)
		*val = 0xffffffffu;
	return true;
}

enum exit_action exit_io(struct vcpu *v)
{
	u64 q = vmcs_read(VMCS_EXIT_QUAL);
	u32 val = (u32)v->regs.r[GPR_RAX];

	if (q & IO_QUAL_STRING)
		return vcpu_emulate(v, "string I/O");
	if (!vcpu_pio(v, IO_QUAL_PORT(q), IO_QUAL_SIZE(q), q & IO_QUAL_IN, &val))
		return EXIT_STOP;
	if (q & IO_QUAL_IN)
		io_set_rax(&v->regs.r[GPR_RAX], IO_QUAL_SIZE(q), val);
	vcpu_skip_insn_fast(v);
	return EXIT_RESUME;
}
