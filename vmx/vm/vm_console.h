/* SPDX-License-Identifier: MIT */
/*
 * A VM's console: the bytes its COM1 transmits (and HC_CONSOLE_WRITE), on
 * the hypervisor console.  Two modes, chosen per VM (vm=...,console=):
 *  - line (default): whole lines, each prefixed "[NAME] ", every byte
 *    through lib/guest_text.h, so several VMs share one serial line
 *    legibly and no guest can forge a hypervisor line;
 *  - raw: bytes as they come, escape sequences intact, for a shell in the
 *    guest - but only while the VM has the console's input focus
 *    (vm_console_focus); without it, the VM falls back to line mode.
 */
#ifndef VMX_VM_VM_CONSOLE_H
#define VMX_VM_VM_CONSOLE_H

#include "lib/compiler.h"
#include "lib/spinlock.h"

#define VM_CONSOLE_LINE	120

struct vm;

struct vm_console {
	spinlock_t lock;	/* the line buffer: any vCPU of the VM may write */
	char line[VM_CONSOLE_LINE + 1];
	unsigned int len;
	bool raw;		/* vm=...,console=raw */
};

void vm_console_init(struct vm *vm, bool raw);

/* One byte the guest transmitted. */
void vm_console_putc(struct vm *vm, u8 c);

/* Print a partial line (before a hypervisor line about the VM, and at stop). */
void vm_console_flush(struct vm *vm);

/* The VM whose raw console passes bytes unfiltered (NULL: none). */
void vm_console_set_focus(struct vm *vm);
struct vm *vm_console_focus(void);

#endif /* VMX_VM_VM_CONSOLE_H */
