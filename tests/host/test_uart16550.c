// SPDX-License-Identifier: MIT
/*
 * vmx/dev/uart16550.c: what Linux's 8250 driver probes and uses.  The
 * scratch and IER tests, the loopback test (MSR follows MCR), FIFO
 * detection through IIR[7:6], THRE interrupts (raised by enabling THRI,
 * acknowledged by reading IIR or writing THR), receive FIFO with trigger
 * levels and timeout, flow control on a full FIFO (nothing dropped), OUT2
 * gating the interrupt line, the divisor latch, transmit to the console.
 */
#include "tests/host/harness.h"
#include "vmx/dev/platform.h"
#include "vmx/dev/uart16550.h"
#include "vmx/dev/vdev.h"

#include <string.h>

static char out[256];
static unsigned int out_len;
static bool line;
static unsigned int edges;

static void putc_cb(void *owner, u8 c)
{
	if (out_len < sizeof(out) - 1)
		out[out_len++] = (char)c;
}

static void sink(void *ctx, unsigned int gsi, bool level)
{
	CHECK_EQ(gsi, PLAT_COM1_GSI);
	if (level != line)
		edges++;
	line = level;
}

static struct vdev_bus bus;
static unsigned int room_calls;

static void room_cb(void *owner)
{
	room_calls++;
}

static u8 rd(unsigned int reg)
{
	u32 v = 0;

	CHECK(vdev_pio_read(&bus, (u16)(PLAT_COM1_BASE + reg), 1, &v));
	return (u8)v;
}

static void wr(unsigned int reg, u8 v)
{
	CHECK(vdev_pio_write(&bus, (u16)(PLAT_COM1_BASE + reg), 1, v));
}

int main(int argc, char **argv)
{
	struct vdev_host host = { .name = "t", .console_putc = putc_cb,
				  .console_rx_room = room_cb };
	struct uart16550 *u;
	u8 buf[40];
	int err = 0;

	test_init(argc, argv, 0);
	vdev_bus_init(&bus, &host);
	vdev_irq_sink_register(&bus, &(struct vdev_irq_sink){ .set = sink });
	u = uart16550_create(&bus, PLAT_COM1_BASE, PLAT_COM1_GSI, &err);
	CHECK(u != NULL);
	CHECK_EQ(err, 0);

	/* Idle: LSR 0x60, IIR no interrupt, MSR a connected line. */
	CHECK_EQ(rd(UART_LSR), 0x60);
	CHECK_EQ(rd(UART_IIR), 0x01);
	CHECK_EQ(rd(UART_MSR) & 0xf0, 0xb0);
	/* Scratch and IER tests of the 8250 probe. */
	wr(UART_SCR, 0xa5);
	CHECK_EQ(rd(UART_SCR), 0xa5);
	wr(UART_IER, 0);
	CHECK_EQ(rd(UART_IER), 0);
	wr(UART_IER, 0xff);
	CHECK_EQ(rd(UART_IER), 0x0f);
	wr(UART_IER, 0);
	/* Loopback: MSR's inputs follow MCR's outputs. */
	wr(UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2 | UART_MCR_RTS);
	CHECK_EQ(rd(UART_MSR) & 0xf0, UART_MSR_DCD | UART_MSR_CTS);
	wr(UART_THR, 'L');
	CHECK_EQ(out_len, 0);				/* not on the console */
	CHECK(rd(UART_LSR) & UART_LSR_DR);
	CHECK_EQ(rd(UART_RBR), 'L');
	wr(UART_MCR, 0);
	(void)rd(UART_MSR);				/* clear the deltas */
	/* FIFO detection: IIR[7:6] = 3 once FCR enables the FIFOs. */
	wr(UART_FCR, 0xe7);
	CHECK_EQ(rd(UART_IIR) & 0xc0, 0xc0);
	wr(UART_FCR, 0);
	CHECK_EQ(rd(UART_IIR) & 0xc0, 0);
	wr(UART_FCR, 0xc7);				/* FIFO on, trigger 14 */
	/* Divisor latch. */
	wr(UART_LCR, 0x83);
	wr(UART_DLL, 0x0c);
	wr(UART_DLM, 0x00);
	CHECK_EQ(rd(UART_DLL), 0x0c);
	wr(UART_LCR, 0x03);
	CHECK_EQ(rd(UART_LCR), 0x03);

	/* THRE: enabling THRI with the holder empty interrupts; OUT2 gates the line. */
	wr(UART_IER, UART_IER_THRI);
	CHECK_EQ(rd(UART_IIR), 0xc0 | UART_IIR_THRI);	/* reading acknowledges */
	CHECK_EQ(rd(UART_IIR), 0xc1);
	CHECK(!line);
	wr(UART_MCR, UART_MCR_OUT2 | UART_MCR_DTR | UART_MCR_RTS);
	wr(UART_THR, 'h');
	CHECK(line);					/* THR empty again */
	wr(UART_THR, 'i');
	CHECK_EQ(rd(UART_IIR), 0xc0 | UART_IIR_THRI);
	CHECK(!line);
	CHECK_EQ(out_len, 2);
	CHECK(!memcmp(out, "hi", 2));
	wr(UART_IER, 0);

	/* Receive: 40 bytes offered, 16 taken, the rest held back, none lost. */
	for (unsigned int i = 0; i < sizeof(buf); i++)
		buf[i] = (u8)('a' + i % 26);
	wr(UART_IER, UART_IER_RDI);
	CHECK_EQ(uart_rx_push(u, buf, sizeof(buf)), UART_FIFO_SIZE);
	CHECK_EQ(uart_rx_room(u), 0);
	CHECK_EQ(rd(UART_IIR), 0xc0 | UART_IIR_RDI);	/* 16 >= trigger 14 */
	CHECK(line);
	for (unsigned int i = 0; i < 3; i++)
		CHECK_EQ(rd(UART_RBR), buf[i]);
	CHECK_EQ(rd(UART_IIR), 0xc0 | UART_IIR_TIMEOUT);	/* 13 left, below 14 */
	for (unsigned int i = 3; i < UART_FIFO_SIZE; i++)
		CHECK_EQ(rd(UART_RBR), buf[i]);
	CHECK(!(rd(UART_LSR) & UART_LSR_DR));
	CHECK_EQ(rd(UART_IIR), 0xc1);
	CHECK(!line);
	CHECK_EQ(uart_rx_push(u, buf + 16, 24), UART_FIFO_SIZE);
	CHECK_EQ(rd(UART_RBR), buf[16]);
	/* FIFO clear through FCR. */
	wr(UART_FCR, 0xc7);
	CHECK(!(rd(UART_LSR) & UART_LSR_DR));
	/* 16450 mode: one byte at a time. */
	wr(UART_FCR, 0);
	CHECK_EQ(uart_rx_push(u, buf, 5), 1);
	CHECK_EQ(rd(UART_IIR), UART_IIR_RDI);
	CHECK_EQ(rd(UART_RBR), buf[0]);
	/* Modem status interrupt on a loopback change. */
	wr(UART_IER, UART_IER_MSI);
	wr(UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2 | UART_MCR_DTR);
	CHECK_EQ(rd(UART_IIR), UART_IIR_MSI);
	CHECK(rd(UART_MSR) & UART_MSR_DCTS);	/* CTS dropped: RTS is off */
	CHECK_EQ(rd(UART_IIR), UART_IIR_NONE);
	/* Wider accesses: the upper bytes read as ones. */
	{
		u32 v;

		CHECK(vdev_pio_read(&bus, PLAT_COM1_BASE + UART_SCR, 1, &v));
		CHECK(vdev_pio_read(&bus, PLAT_COM1_BASE + UART_LSR, 2, &v));
		CHECK_EQ(v >> 8, 0xffffff);
	}
	/* The backlog: 100 bytes fed, all arrive in order as the guest reads. */
	{
		u8 many[100];
		unsigned int got = 0;

		wr(UART_MCR, UART_MCR_OUT2);
		wr(UART_FCR, 0x07);
		while (rd(UART_LSR) & UART_LSR_DR)
			(void)rd(UART_RBR);
		for (unsigned int i = 0; i < sizeof(many); i++)
			many[i] = (u8)i;
		CHECK_EQ(uart_rx_feed(u, many, sizeof(many)), sizeof(many));
		while ((rd(UART_LSR) & UART_LSR_DR) && got < 200) {
			CHECK_EQ(rd(UART_RBR), got);
			got++;
		}
		CHECK_EQ(got, sizeof(many));
	}
	/*
	 * A full backlog refuses the rest, and says once when the guest has
	 * read enough to make room (the console's hold-back): nothing lost.
	 */
	{
		static u8 big[3 * UART_BACKLOG];
		unsigned int got = 0, seen = 0;
		size_t took;

		for (unsigned int i = 0; i < sizeof(big); i++)
			big[i] = (u8)(i * 7 + i / 256);
		room_calls = 0;
		took = uart_rx_feed(u, big, sizeof(big));
		CHECK(took < sizeof(big));
		CHECK_EQ(room_calls, 0);
		while ((rd(UART_LSR) & UART_LSR_DR) && got < sizeof(big)) {
			CHECK_EQ(rd(UART_RBR), big[got]);
			got++;
			/* Offer the rest only when told there is room. */
			if (room_calls != seen) {
				CHECK_EQ(room_calls, seen + 1);
				seen = room_calls;
				took += uart_rx_feed(u, big + took, sizeof(big) - took);
			}
		}
		CHECK(room_calls >= 2);
		CHECK_EQ(got, sizeof(big));
	}
	vdev_bus_destroy(&bus);
	return test_finish();
}
