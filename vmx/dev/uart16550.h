/* SPDX-License-Identifier: MIT */
/*
 * A 16550A UART, COM1 of every VM (vmx/dev/platform.h: port 0x3f8, GSI 4).
 *
 * Transmitted bytes go to the VM's console at once (vdev_host.console_putc),
 * so the transmitter is always idle (LSR = 0x60) and THRE interrupts come
 * as soon as they are enabled.  Received bytes come from the hypervisor
 * (the console with input focus, or a test hook) through uart_rx_push(),
 * which takes only what fits: a full FIFO holds the sender back, nothing
 * is ever dropped.  The interrupt line is the 16550's INTR gated by MCR.OUT2,
 * as PC serial ports wire it.  docs/platform.md lists where a guest could
 * tell this UART from a real one.
 */
#ifndef VMX_DEV_UART16550_H
#define VMX_DEV_UART16550_H

#include "lib/compiler.h"

struct uart16550;
struct vdev_bus;

/* Registers (offsets from the base port). */
#define UART_RBR	0	/* receive buffer (read, DLAB = 0) */
#define UART_THR	0	/* transmit holding (write, DLAB = 0) */
#define UART_DLL	0	/* divisor latch low (DLAB = 1) */
#define UART_IER	1
#define UART_DLM	1
#define UART_IIR	2	/* read */
#define UART_FCR	2	/* write */
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7

#define UART_IER_RDI	0x01	/* received data available */
#define UART_IER_THRI	0x02	/* transmitter holding register empty */
#define UART_IER_RLSI	0x04	/* receiver line status */
#define UART_IER_MSI	0x08	/* modem status */

#define UART_IIR_NONE	0x01
#define UART_IIR_MSI	0x00
#define UART_IIR_THRI	0x02
#define UART_IIR_RDI	0x04
#define UART_IIR_RLSI	0x06
#define UART_IIR_TIMEOUT 0x0c
#define UART_IIR_FIFO	0xc0	/* FIFOs enabled */

#define UART_FCR_ENABLE	0x01
#define UART_FCR_CLR_RX	0x02
#define UART_FCR_CLR_TX	0x04

#define UART_LCR_DLAB	0x80

#define UART_MCR_DTR	0x01
#define UART_MCR_RTS	0x02
#define UART_MCR_OUT1	0x04
#define UART_MCR_OUT2	0x08
#define UART_MCR_LOOP	0x10

#define UART_LSR_DR	0x01
#define UART_LSR_OE	0x02
#define UART_LSR_BI	0x10
#define UART_LSR_THRE	0x20
#define UART_LSR_TEMT	0x40

#define UART_MSR_DCTS	0x01
#define UART_MSR_DDSR	0x02
#define UART_MSR_TERI	0x04
#define UART_MSR_DDCD	0x08
#define UART_MSR_CTS	0x10
#define UART_MSR_DSR	0x20
#define UART_MSR_RI	0x40
#define UART_MSR_DCD	0x80

#define UART_FIFO_SIZE	16

/**
 * uart16550_create() - a UART on @bus at @base raising @gsi.
 * Return: the device (released with the bus), or NULL after a message with
 * *@err set to the failed step's -HV_E* value (vdev_alloc(),
 * vdev_pio_register()).
 */
struct uart16550 *uart16550_create(struct vdev_bus *bus, u16 base, unsigned int gsi, int *err);

/* The VM's COM1, created by its VDEV_TYPE; NULL if the VM has none. */
struct uart16550 *uart16550_com1(struct vdev_bus *bus);

/* Bytes the guest sent, and its register reads and writes (each one VM exit). */
void uart_stats(struct uart16550 *u, u64 *tx_bytes, u64 *accesses);

/**
 * uart_rx_push() - bytes arriving on the serial line.
 * @u:   the UART
 * @buf: the bytes, in order
 * @len: how many
 *
 * Return: how many were taken (fewer when the receive FIFO filled up; the
 * caller keeps the rest and offers them again later).
 */
size_t uart_rx_push(struct uart16550 *u, const u8 *buf, size_t len);

/* Free room in the receive FIFO (what uart_rx_push() would take now). */
size_t uart_rx_room(struct uart16550 *u);

/*
 * uart_rx_feed() - queue bytes behind the receive FIFO: they enter it as
 * the guest reads, in order, none dropped.  For senders that cannot wait
 * (the vm=...,input= test hook).  The bytes "arrive" when the guest next
 * polls the receiver (reads LSR or RBR) or takes receive interrupts (IER.RDI
 * with MCR.OUT2), so a guest that resets its FIFOs while it probes and sets
 * the UART up loses none.  Return: how many fitted in the backlog
 * (UART_BACKLOG bytes).  When that is fewer than @len, the bus's
 * console_rx_room hook is called once the guest has read enough to make
 * room (the hypervisor console keeps the rest meanwhile).
 */
#define UART_BACKLOG	1024
size_t uart_rx_feed(struct uart16550 *u, const u8 *buf, size_t len);

#endif /* VMX_DEV_UART16550_H */
