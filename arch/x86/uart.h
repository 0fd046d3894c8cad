/* SPDX-License-Identifier: MIT */
/*
 * 16550 UART console (polled, no interrupts).  Usable from the first line of
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
/* Write len bytes; "\n" goes out as "\r\n". */
void uart_write(const char *s, size_t len);
/* Wait (bounded) until the transmitter is empty (LSR.TEMT): call before stopping. */
void uart_flush(void);
u16 uart_port(void);

#endif /* ARCH_X86_UART_H */
