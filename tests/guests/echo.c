// SPDX-License-Identifier: MIT
/*
 * Echoes what arrives on COM1, a line at a time (CR or LF ends one):
 * "echo: got N bytes: TEXT" (TEXT cut at 60 characters), until the line
 * "quit".  For the console test (tests/guests/console-drive): bytes typed on
 * the hypervisor's console while this VM has the input focus arrive here.
 * It never stops by itself otherwise, so it also serves as the VM that the
 * shell's "vm stop" stops.  While it waits it makes a hypercall now and then:
 * a loop of COM1 polls alone takes only fast-path exits, which beat no
 * watchdog heartbeat where the CPU does not save the preemption timer at
 * exit (Bochs: the timer restarts at every entry and never runs out).
 */
#include "guest.h"

#define COM1	0x3f8
#define LSR_DR	0x01

int guest_main(void)
{
	char line[64];
	unsigned int n = 0, total = 0, idle = 0;

	outb(COM1 + 2, 0x07);		/* FIFOs on, cleared */
	/*
	 * Interrupts on, as an OS runs (none is routed to this guest): Bochs
	 * turns a host interrupt into a VM exit only while the guest has
	 * RFLAGS.IF = 1 (docs/vmx.md), and the console's interrupt comes to
	 * cpu 0, where the VM "spin" runs this guest.
	 */
	__asm__ __volatile__("sti");
	gprintf("echo: ready on vcpu %u\n", guest_vcpu_id);
	for (;;) {
		char c;

		if (!(inb(COM1 + 5) & LSR_DR)) {
			if (!(++idle % 4096))
				hcall(HC_INFO, 0, 0, 0, 0);	/* the slow path: a heartbeat */
			cpu_relax();
			continue;
		}
		c = (char)inb(COM1);
		if (c != '\r' && c != '\n') {
			if (n < sizeof(line) - 1 && n < 60)
				line[n++] = c;
			total++;
			continue;
		}
		if (!total)
			continue;	/* the LF of CR LF, or an empty line */
		line[n] = '\0';
		gprintf("echo: got %u bytes: %s\n", total, line);
		if (!strcmp(line, "quit"))
			break;
		n = total = 0;
	}
	gprintf("echo: bye\n");
	return 0;
}
