/* SPDX-License-Identifier: MIT */
/*
 * 16550 UART console (output polled; input by interrupt, see vmx/console/).  Usable from the first line of
 * C: the 32-bit entry already programmed COM1 for 115200 8N1, and
 * uart_init() re-programs whichever port the command line names.
 */
#ifndef ARCH_X86_UART_H
#define ARCH_X86_UART_H

#include "lib/compiler.h"

#define UART_COM1	  0x3f8
#define UART_COM2	  0x2f8
#define UART_DEFAULT_BAUD 115200

/* Program port for baud, 8N1, FIFOs on.  Returns false if no UART answers. */
bool uart_init(u16 port, u32 baud);
void uart_putc(char c);
/* Write len bytes; "\n" goes out as "\r\n".  Starts a new line after uart_write_term(). */
void uart_write(const char *s, size_t len);
/*
 * Terminal output of the shell (prompt, echo): as uart_write(), but a line it
 * leaves open (no final "\n") is ended by the next uart_write(), so log
 * lines always start at the beginning of a line.  Under the console lock.
 */
void uart_write_term(const char *s, size_t len);
/* Wait (bounded) until the transmitter is empty (LSR.TEMT): call before stopping. */
void uart_flush(void);
u16 uart_port(void);

/* The received byte waiting (LSR.DR), or -1 when none. */
int uart_getc(void);
/*
 * Interrupt on received data (IER.RDI, and MCR.OUT2, which PC boards use to
 * connect INTR to the interrupt controller).  Output stays polled.
 */
void uart_rx_irq_enable(void);

/*
 * Another 16550 than the console's (the GDB stub's, vmx/gdb/): programmed
 * like uart_init() but not made the console; raw bytes out (no "\n"
 * translation), polled; input by interrupt as above.
 */
bool uart_port_setup(u16 port, u32 baud);
void uart_port_putc(u16 port, u8 c);
int uart_port_getc(u16 port);
void uart_port_rx_irq_enable(u16 port);

#endif /* ARCH_X86_UART_H */
