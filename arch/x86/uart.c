// SPDX-License-Identifier: MIT
/*
 * Polled 16550 driver.  Every wait is bounded so that a machine without a
 * UART (reads return 0xff) or a stuck one never hangs the boot.
 */
#include "arch/x86/uart.h"
#include "arch/x86/cpu.h"

#define UART_THR 0 /* transmit holding (DLAB=0) */
#define UART_DLL 0 /* divisor low (DLAB=1) */
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7

#define LCR_8N1	 0x03
#define LCR_DLAB 0x80
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

#define UART_CLOCK    115200
#define UART_SPIN_MAX 200000

static u16 uart_base = UART_COM1;

u16 uart_port(void)
{
	return uart_base;
}

/**
 * uart_init() - program a 16550 for polled output.
 * @port: I/O base (0x3f8 for COM1).
 * @baud: line speed; must divide 115200.
 *
 * Probes the scratch register first.  Returns false when nothing answers
 * there, or the baud rate is not supported; the previous port stays in use.
 */
bool uart_init(u16 port, u32 baud)
{
	u32 divisor;

	if (!baud || baud > UART_CLOCK || UART_CLOCK % baud)
		return false;
	divisor = UART_CLOCK / baud;

	outb(port + UART_SCR, 0x5a);
	if (inb(port + UART_SCR) != 0x5a)
		return false;
	outb(port + UART_SCR, 0xa5);
	if (inb(port + UART_SCR) != 0xa5)
		return false;

	outb(port + UART_IER, 0);
	outb(port + UART_LCR, LCR_DLAB);
	outb(port + UART_DLL, divisor & 0xff);
	outb(port + UART_DLM, (divisor >> 8) & 0xff);
	outb(port + UART_LCR, LCR_8N1);
	outb(port + UART_FCR, 0xc7); /* enable, clear both FIFOs */
	outb(port + UART_MCR, 0x03); /* DTR | RTS, OUT2 off: no IRQ */
	uart_base = port;
	return true;
}

void uart_putc(char c)
{
	unsigned int spins = 0;

	while (!(inb(uart_base + UART_LSR) & LSR_THRE) && spins++ < UART_SPIN_MAX)
		pause();
	outb(uart_base + UART_THR, (u8)c);
}

void uart_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			uart_putc('\r');
		uart_putc(s[i]);
	}
}

void uart_flush(void)
{
	unsigned int spins = 0;

	while (!(inb(uart_base + UART_LSR) & LSR_TEMT) && spins++ < UART_SPIN_MAX)
		pause();
}
