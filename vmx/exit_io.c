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
#include "vmx/guest_state.h"
#include "vmx/exit_io.h"

#include "lib/printk.h"
#include "vmx/vm/vm.h"
#include "vmx/vm/vm_log.h"
#include "vmx/vmx_ops.h"

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
	vmcs_guest_skip_insn_fast();
	return EXIT_RESUME;
}
