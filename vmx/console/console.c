// SPDX-License-Identifier: MIT
/*
 * Console input: the UART's interrupt, the focus, the hand-off of bytes to
 * the shell or a VM (vmx/console/console.h, docs/console.md).
 *
 * Who runs what: console_irq() runs only on the BSP, with interrupts off,
 * from the IDT or from the VM exit of the BSP's vCPU (trap_run_irq()); it
 * alone reads the UART, moves the focus and feeds the line editor, so that
 * state needs no lock.  The bytes held for a VM whose COM1 backlog is full
 * (con_pend) are shared with console_vm_rx_room(), which runs on the CPU
 * of the vCPU that read its receiver: they are under con_pend_lock, taken
 * before the UART's own lock (uart_rx_feed()).
 */
#include "vmx/console/console.h"

#include "arch/x86/ioapic.h"
#include "arch/x86/lapic.h"
#include "arch/x86/percpu.h"
#include "arch/x86/traps.h"
#include "arch/x86/uart.h"
#include "lib/printk.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "vmx/console/cons_edit.h"
#include "vmx/console/vcpu_peek.h"
#include "vmx/dev/uart16550.h"
#include "vmx/vm/vm.h"
#include "vmx/vm/vm_console.h"

#define CONSOLE_PEND		256	/* bytes held per VM behind its COM1 backlog */
#define CONSOLE_IRQ_BUDGET	256	/* bytes read per interrupt (the rest re-interrupts) */
#define SHELL_PROMPT		"hv> "

struct con_pend {
	u8 buf[CONSOLE_PEND];
	unsigned int len;
	u64 refused;		/* bytes refused because buf was full */
	bool told;		/* the refusal was reported */
};

static struct cons_switch con_switch;
static struct cons_edit con_edit;
static bool con_ready;
static spinlock_t con_pend_lock = SPINLOCK_INIT;
static struct con_pend con_pend[HV_MAX_VMS];

void console_term_write(const char *s, size_t len)
{
	struct printk_hold h;

	printk_console_lock(&h);
	uart_write_term(s, len);
	printk_console_unlock(&h);
}

static void con_edit_out(void *ctx, const char *s, size_t len)
{
	console_term_write(s, len);
}

/* The VM @vm is still one of vm_list's (not freed by vm_start_all()'s end). */
static bool con_vm_listed(const struct vm *vm)
{
	for (unsigned int i = 0; i < vm_count; i++)
		if (vm_list[i] == vm)
			return true;
	return false;
}

static void con_say_focus(void)
{
	struct vm *vm = vm_console_focus();

	if (vm)
		pr_answer("hv: console input to vm %s (Ctrl-A three times to switch)\n",
			  vm->cfg.name);
	else
		pr_answer("hv: console input to the hypervisor shell (Ctrl-A three times to switch)\n");
	if (!vm)
		console_term_write(SHELL_PROMPT, sizeof(SHELL_PROMPT) - 1);
}

/* Ctrl-A x3: the next of the shell, then each running VM in vm_list order. */
static void con_focus_next(void)
{
	struct vm *cur = vm_console_focus();
	unsigned int i = 0;

	if (!cur) {
		/* Leave the shell: forget what was typed on it (the next line ends the prompt's). */
		cons_edit_drop(&con_edit);
	} else {
		vm_console_flush(cur);
		while (i < vm_count && vm_list[i] != cur)
			i++;
		i++;			/* the one after the current VM */
	}
	for (; i < vm_count; i++) {
		if (!vm_is_stopped(vm_list[i])) {
			vm_console_set_focus(vm_list[i]);
			con_say_focus();
			return;
		}
	}
	vm_console_set_focus(NULL);
	con_say_focus();
}

/* Offer @vm's held bytes to its COM1; con_pend_lock held. */
static void con_pend_push(struct vm *vm, struct con_pend *p)
{
	struct uart16550 *com1 = uart16550_com1(&vm->bus);
	size_t n;

	assert_held(&con_pend_lock);
	if (!com1 || !p->len)
		return;
	n = uart_rx_feed(com1, p->buf, p->len);
	if (n) {
		memmove(p->buf, p->buf + n, p->len - n);
		p->len -= (unsigned int)n;
	}
}

void console_vm_rx_room(struct vm *vm)
{
	struct con_pend *p = &con_pend[vm->id % HV_MAX_VMS];
	unsigned long flags = arch_irq_save();

	spin_lock(&con_pend_lock);
	con_pend_push(vm, p);
	spin_unlock(&con_pend_lock);
	arch_irq_restore(flags);
}

/* A byte for the VM with the focus: behind what it holds already, never dropped quietly. */
static void con_to_vm(struct vm *vm, u8 c)
{
	struct con_pend *p = &con_pend[vm->id % HV_MAX_VMS];
	u64 refused = 0;

	spin_lock(&con_pend_lock);
	if (p->len < CONSOLE_PEND) {
		p->buf[p->len++] = c;
		p->told = false;
	} else {
		p->refused++;
		if (!p->told) {
			p->told = true;
			refused = p->refused;
		}
	}
	con_pend_push(vm, p);
	spin_unlock(&con_pend_lock);
	if (refused)
		pr_plain("hv: console: vm %s does not read its input: bytes refused (%llu so far)\n",
			 vm->cfg.name, refused);
}

static void con_to_shell(u8 c)
{
	switch (cons_edit_feed(&con_edit, c)) {
	case CONS_EDIT_LINE:
		shell_run(con_edit.line);
		/* A command may have moved the focus (vm stop): prompt only for the shell. */
		if (!vm_console_focus())
			console_term_write(SHELL_PROMPT, sizeof(SHELL_PROMPT) - 1);
		break;
	case CONS_EDIT_CANCEL:
		console_term_write(SHELL_PROMPT, sizeof(SHELL_PROMPT) - 1);
		break;
	default:
		break;
	}
}

static void con_deliver(u8 c)
{
	struct vm *vm = vm_console_focus();

	if (vm && (!con_vm_listed(vm) || vm_is_stopped(vm))) {
		/* Its VM is gone: the shell takes the input from here on (this byte too). */
		if (con_vm_listed(vm))
			pr_answer("hv: vm %s has stopped\n", vm->cfg.name);
		vm_console_set_focus(NULL);
		con_say_focus();
		vm = NULL;
	}
	if (vm)
		con_to_vm(vm, c);
	else
		con_to_shell(c);
}

/* CONSOLE_IRQ_VECTOR: everything the UART holds, byte by byte. */
static void console_irq(void)
{
	unsigned int budget = CONSOLE_IRQ_BUDGET;
	int c;

	while (budget-- && (c = uart_getc()) >= 0) {
		u8 pass[CONS_SWITCH_PRESSES];
		size_t n;

		if (cons_switch_feed(&con_switch, (u8)c, pass, &n)) {
			con_focus_next();
			continue;
		}
		for (size_t i = 0; i < n; i++)
			con_deliver(pass[i]);
	}
}

void console_init(void)
{
	u16 port = uart_port();
	/* ISA wiring: COM1/COM3 on IRQ 4, COM2/COM4 on IRQ 3. */
	unsigned int irq = (port == 0x2f8 || port == 0x2e8) ? 3 : 4;

	cons_edit_init(&con_edit, con_edit_out, NULL);
	vcpu_peek_init();
	if (!lapic_ready() || !trap_register_irq(CONSOLE_IRQ_VECTOR, console_irq) ||
	    ioapic_route_isa(irq, CONSOLE_IRQ_VECTOR, this_cpu()->apic_id)) {
		pr_warn("console: no input (the UART's interrupt cannot be routed)\n");
		return;
	}
	uart_rx_irq_enable();
	con_ready = true;
}

void console_boot_focus(void)
{
	struct vm *focus = NULL;

	for (unsigned int i = 0; i < vm_count && !focus; i++)
		if (vm_list[i]->cfg.console_raw)
			focus = vm_list[i];
	if (!focus && vm_count == 1)
		focus = vm_list[0];
	vm_console_set_focus(focus);
	if (con_ready)
		con_say_focus();
}
