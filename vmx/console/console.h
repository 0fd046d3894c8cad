/* SPDX-License-Identifier: MIT */
/*
 * The console's input: the hypervisor reads its console UART when it
 * interrupts (the BSP takes the interrupt, through its IDT or as the VM exit
 * of the vCPU it runs), spots Ctrl-A typed three times (the focus moves to
 * the next of: the shell, then each running VM in vm_list order) and hands
 * every other byte to whoever has the focus: the shell's line editor
 * (vmx/console/shell.c) or the VM's COM1 receiver.  See docs/console.md.
 */
#ifndef VMX_CONSOLE_CONSOLE_H
#define VMX_CONSOLE_CONSOLE_H

#include "lib/compiler.h"

struct vm;

/* Vector of the console UART's interrupt (on the BSP). */
#define CONSOLE_IRQ_VECTOR	0xe0

/*
 * console_init() - route the UART's interrupt to this CPU and turn it on
 * (the BSP, with interrupts off, before the VMs start).  Input is handled
 * from the next time this CPU takes interrupts.
 */
void console_init(void);

/*
 * console_boot_focus() - the focus once the VMs exist (vm_start_all()): the
 * first VM with console=raw, else the only VM, else the shell; says so.
 */
void console_boot_focus(void);

/* COM1 of @vm can take more of the input the console holds for it (vdev_host hook). */
void console_vm_rx_room(struct vm *vm);

/* Write @len bytes of the shell's terminal output (echo, prompt) as they are. */
void console_term_write(const char *s, size_t len);

/* Run the shell's command @line (vmx/console/shell.c); prints the answer. */
void shell_run(char *line);

#endif /* VMX_CONSOLE_CONSOLE_H */
