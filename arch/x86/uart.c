// SPDX-License-Identifier: MIT
/*
 * 16550 driver: output polled, input read when its interrupt comes.  Every wait is bounded so that a machine without a
 * UART (reads return 0xff) or a stuck one never hangs the boot.
 */
#include "arch/x86/uart.h"
#include "arch/x86/cpu.h"
#include "lib/atomic.h"

#define UART_THR 0 /* transmit holding (DLAB=0) */
#define UART_DLL 0 /* divisor low (DLAB=1) */
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7

#define IER_RDI	 0x01
#define FCR_ENABLE_CLEAR 0x07	/* FIFOs on, both cleared */
#define FCR_RX_TRIGGER_1 0x03	/* FIFOs on, receive FIFO cleared, receive trigger at 1 byte */
#define FCR_TRIGGER_14	 0xc0
#define MCR_DTR_RTS 0x03
#define MCR_OUT2 0x08
#define LSR_DR	 0x01
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
	if (!uart_port_setup(port, baud))
		return false;
	uart_base = port;
	return true;
}

bool uart_port_setup(u16 port, u32 baud)
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
	outb(port + UART_FCR, FCR_ENABLE_CLEAR | FCR_TRIGGER_14);
	outb(port + UART_MCR, MCR_DTR_RTS); /* OUT2 off: no IRQ (uart_rx_irq_enable()) */
	return true;
}

void uart_port_putc(u16 port, u8 c)
{
	unsigned int spins = 0;

	while (!(inb(port + UART_LSR) & LSR_THRE) && spins++ < UART_SPIN_MAX)
		pause();
	outb(port + UART_THR, c);
}

void uart_putc(char c)
{
	unsigned int spins = 0;

	while (!(inb(uart_base + UART_LSR) & LSR_THRE) && spins++ < UART_SPIN_MAX)
		pause();
	outb(uart_base + UART_THR, (u8)c);
}

/* The shell's prompt or echo is the last thing on the line (uart_write_term()). */
static bool uart_term_open;

static void uart_write_bytes(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			uart_putc('\r');
		uart_putc(s[i]);
	}
}

void uart_write(const char *s, size_t len)
{
	/* A log line never starts behind a prompt: it gets a line of its own. */
	if (len && READ_ONCE(uart_term_open)) {
		WRITE_ONCE(uart_term_open, false);
		uart_write_bytes("\n", 1);
	}
	uart_write_bytes(s, len);
}

void uart_write_term(const char *s, size_t len)
{
	uart_write_bytes(s, len);
	if (len)
		WRITE_ONCE(uart_term_open, s[len - 1] != '\n');
}

void uart_flush(void)
{
	unsigned int spins = 0;

	while (!(inb(uart_base + UART_LSR) & LSR_TEMT) && spins++ < UART_SPIN_MAX)
		pause();
}

int uart_port_getc(u16 port)
{
	if (!(inb(port + UART_LSR) & LSR_DR))
		return -1;
	return inb(port + UART_THR);	/* RBR: same offset, read */
}

int uart_getc(void)
{
	return uart_port_getc(uart_base);
}

void uart_port_rx_irq_enable(u16 port)
{
	/* Interrupt at the first byte (trigger level 1): a person types one at a time. */
	outb(port + UART_FCR, FCR_RX_TRIGGER_1);
	outb(port + UART_IER, IER_RDI);
	outb(port + UART_MCR, MCR_DTR_RTS | MCR_OUT2);
}

void uart_rx_irq_enable(void)
{
	uart_port_rx_irq_enable(uart_base);
}
