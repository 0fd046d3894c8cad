// SPDX-License-Identifier: MIT
/* A VM's console output on the hypervisor console (vmx/vm/vm_console.h). */
#include "vmx/vm/vm_console.h"

#include "lib/guest_text.h"
#include "lib/platform.h"
#include "lib/printk.h"
#include "vmx/vm/vm.h"

static struct vm *console_focus;

void vm_console_set_focus(struct vm *vm)
{
	/* No ordering: a byte racing with a focus change may go either way. */
	WRITE_ONCE(console_focus, vm);
}

struct vm *vm_console_focus(void)
{
	return READ_ONCE(console_focus);
}

void vm_console_init(struct vm *vm, bool raw)
{
	spin_lock_init(&vm->console.lock);
	vm->console.len = 0;
	vm->console.raw = raw;
}

static void vm_console_flush_locked(struct vm *vm)
{
	struct vm_console *con = &vm->console;

	if (!con->len)
		return;
	con->line[con->len] = '\0';
	pr_plain("[%s] %s\n", vm->cfg.name, con->line);
	con->len = 0;
}

void vm_console_flush(struct vm *vm)
{
	spin_lock(&vm->console.lock);
	vm_console_flush_locked(vm);
	spin_unlock(&vm->console.lock);
}

void vm_console_putc(struct vm *vm, u8 c)
{
	struct vm_console *con = &vm->console;

	spin_lock(&con->lock);
	if (con->raw && vm_console_focus() == vm) {
		/* The focused VM's terminal: its bytes, unfiltered, as they come. */
		vm_console_flush_locked(vm);
		arch_console_write((const char *)&c, 1);
	} else if (c == '\n') {
		if (!con->len)
			con->line[con->len++] = ' ';	/* keep empty lines visible */
		vm_console_flush_locked(vm);
	} else if (c != '\r') {
		con->line[con->len++] = guest_text_byte(c);
		if (con->len >= VM_CONSOLE_LINE)
			vm_console_flush_locked(vm);
	}
	spin_unlock(&con->lock);
}
