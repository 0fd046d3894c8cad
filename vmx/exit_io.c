// SPDX-License-Identifier: MIT
/*
 * Port I/O.  Every port is trapped (the I/O bitmaps are all ones).  COM1
 * (0x3f8-0x3ff) is a small 16550 model whose transmitter feeds the
 * hypervisor console: each guest line is printed whole with the VM's name
 * as prefix, so several VMs share one serial line legibly.  Other ports
 * follow the VM's policy (vm=...,io=ignore|stop).
 */
#include "vmx/exit.h"

#include "lib/guest_text.h"
#include "lib/printk.h"
#include "vmx/vm/vm.h"
#include "vmx/vmx_ops.h"

#define COM1_BASE	0x3f8
#define UART_LCR_DLAB	0x80
#define UART_LSR_THRE	0x20
#define UART_LSR_TEMT	0x40

#define IO_QUAL_SIZE(q)		(((q) & 7) + 1)
#define IO_QUAL_IN		BIT(3)
#define IO_QUAL_STRING		BIT(4)
#define IO_QUAL_PORT(q)		((u16)((q) >> 16))

void vcpu_console_flush(struct vcpu *v)
{
	if (!v->con_len)
		return;
	v->con_line[v->con_len] = '\0';
	if (v->id == 0)
		pr_plain("[%s] %s\n", v->vm->cfg.name, v->con_line);
	else
		pr_plain("[%s/%u] %s\n", v->vm->cfg.name, v->id, v->con_line);
	v->con_len = 0;
}

void vcpu_console_putc(struct vcpu *v, char c)
{
	if (c == '\n') {
		if (!v->con_len)
			v->con_line[v->con_len++] = ' ';	/* keep empty lines visible */
		vcpu_console_flush(v);
		return;
	}
	if (c == '\r')
		return;
	/* Control, DEL and C1 bytes would drive the operator's terminal. */
	v->con_line[v->con_len++] = guest_text_byte((u8)c);
	if (v->con_len >= VM_CONSOLE_LINE)
		vcpu_console_flush(v);
}

static u32 com1_read(struct vcpu *v, unsigned int reg)
{
	bool dlab = v->uart_lcr & UART_LCR_DLAB;

	switch (reg) {
	case 0: return dlab ? v->uart_dll : 0;		/* RBR: no input */
	case 1: return dlab ? v->uart_dlm : v->uart_ier;
	case 2: return 0x01;				/* IIR: nothing pending */
	case 3: return v->uart_lcr;
	case 4: return v->uart_mcr;
	case 5: return UART_LSR_THRE | UART_LSR_TEMT;	/* always ready, no data */
	case 6: return 0xb0;				/* MSR: DCD, DSR, CTS */
	default: return v->uart_scr;
	}
}

static void com1_write(struct vcpu *v, unsigned int reg, u8 val)
{
	bool dlab = v->uart_lcr & UART_LCR_DLAB;

	switch (reg) {
	case 0:
		if (dlab)
			v->uart_dll = val;
		else
			vcpu_console_putc(v, (char)val);
		break;
	case 1:
		if (dlab)
			v->uart_dlm = val;
		else
			v->uart_ier = val & 0x0f;
		break;
	case 3: v->uart_lcr = val; break;
	case 4: v->uart_mcr = val & 0x1f; break;
	case 7: v->uart_scr = val; break;
	default: break;					/* FCR, LSR, MSR: ignored */
	}
}

bool exit_io_fast(struct vcpu *v)
{
	u64 q = vmcs_read(VMCS_EXIT_QUAL);
	u16 port = IO_QUAL_PORT(q);
	unsigned int reg = port - COM1_BASE;
	u64 *rax = &v->regs.r[GPR_RAX];

	if (port < COM1_BASE || reg >= 8 || IO_QUAL_SIZE(q) != 1 || (q & IO_QUAL_STRING))
		return false;
	if (q & IO_QUAL_IN) {
		*rax = (*rax & ~0xffull) | com1_read(v, reg);
	} else {
		/* A transmitted byte may complete a console line: slow path. */
		if (reg == 0 && !(v->uart_lcr & UART_LCR_DLAB))
			return false;
		com1_write(v, reg, (u8)*rax);
	}
	vcpu_skip_insn_fast(v);
	return true;
}

enum exit_action exit_io(struct vcpu *v)
{
	u64 q = vmcs_read(VMCS_EXIT_QUAL);
	unsigned int size = IO_QUAL_SIZE(q);
	u16 port = IO_QUAL_PORT(q);
	bool in = q & IO_QUAL_IN;
	u64 *rax = &v->regs.r[GPR_RAX];
	u64 mask = size == 4 ? 0xffffffffull : (1ull << (size * 8)) - 1;
	u32 val;

	if (q & IO_QUAL_STRING) {
		vcpu_log_exit(v, "string I/O is not emulated");
		vm_stop(v->vm, "string I/O (INS/OUTS) to port %#x is not supported", port);
		return EXIT_STOP;
	}
	if (port >= COM1_BASE && port < COM1_BASE + 8 && size == 1) {
		if (in)
			*rax = (*rax & ~mask) | com1_read(v, port - COM1_BASE);
		else
			com1_write(v, port - COM1_BASE, (u8)*rax);
		vcpu_skip_insn_fast(v);
		return EXIT_RESUME;
	}
	if (port == 0x80 && !in) {		/* POST diagnostics: harmless */
		vcpu_skip_insn_fast(v);
		return EXIT_RESUME;
	}
	if (v->vm->cfg.io == VM_IO_STOP) {
		vcpu_log_exit(v, "I/O to a port without a device");
		vm_stop(v->vm, "%s of port %#x (size %u) with io=stop", in ? "read" : "write", port,
			size);
		return EXIT_STOP;
	}
	if (vm_log_port_first(v->vm, port))
		vm_guest_warn(v->vm, "vm %s vcpu %u: %s of port %#x (size %u, rip %llx) has no "
			      "device: %s\n", v->vm->cfg.name, v->id, in ? "read" : "write", port,
			      size, (unsigned long long)vmcs_read(VMCS_GUEST_RIP),
			      in ? "reads all ones" : "dropped");
	if (in) {
		val = 0xffffffffu;
		/* IN EAX zero-extends into RAX; IN AL/AX keep the rest. */
		*rax = size == 4 ? val : (*rax & ~mask) | (val & mask);
	}
	vcpu_skip_insn_fast(v);
	return EXIT_RESUME;
}
