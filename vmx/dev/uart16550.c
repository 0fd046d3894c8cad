// SPDX-License-Identifier: MIT
/*
 * 16550A UART model (vmx/dev/uart16550.h).  Register behaviour follows the
 * National Semiconductor PC16550D datasheet: IIR computed on every read
 * with the interrupt priorities RLS > RDA/timeout > THRE > MSR, the THRE
 * interrupt cleared by reading IIR while it is the one shown or by writing
 * THR, FIFO enable and clear bits, the divisor latch behind LCR.DLAB, and
 * loopback (MCR.LOOP) with the modem outputs fed back to the modem inputs.
 *
 * Lock order: u->lock, then the VM's console (console_putc), then the
 * interrupt controllers (vdev_irq_set).  Nothing calls back into the UART
 * while holding those.  LCR and SCR are plain bytes with no side effect and
 * no invariant tying them to other state, so they are read and written
 * without the lock (READ_ONCE/WRITE_ONCE for tear-free single bytes; two
 * vCPUs racing on them see one of the values, as on hardware).
 */
#include "vmx/dev/uart16550.h"

#include "lib/platform.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "vmx/dev/platform.h"
#include "vmx/dev/vdev.h"

struct uart16550 {
	spinlock_t lock;
	struct vdev_bus *bus;
	unsigned int gsi;
	u8 ier, lcr, mcr, scr, dll, dlm, fcr;
	u8 lsr_err;		/* OE/BI latched until LSR is read */
	u8 msr_delta;		/* MSR bits 3:0, cleared when MSR is read */
	bool thre_pending;	/* THR empty and not yet acknowledged */
	bool irq_level;		/* last level driven on the line */
	u8 rx[UART_FIFO_SIZE];
	unsigned int rx_head, rx_count;
	u8 backlog[UART_BACKLOG];	/* uart_rx_feed(): waits for FIFO room */
	unsigned int bl_head, bl_count;
	u64 tx_bytes;			/* bytes sent (under the lock) */
	/* Register reads and writes: see uart_count_lockfree(). */
	u64 locked_accesses;		/* those that take the lock (under it) */
	u64 lockfree_accesses[HV_MAX_CPUS];	/* LCR and SCR, per CPU */
	bool bl_refused;		/* uart_rx_feed() took fewer than offered */
};

static bool uart_fifo_on(const struct uart16550 *u)
{
	return u->fcr & UART_FCR_ENABLE;
}

static unsigned int uart_rx_capacity(const struct uart16550 *u)
{
	/* Without FIFOs the 16550 is a 16450: one holding register. */
	return uart_fifo_on(u) ? UART_FIFO_SIZE : 1;
}

/* Receive trigger level from FCR[7:6]: 1, 4, 8 or 14 bytes. */
static unsigned int uart_rx_trigger(const struct uart16550 *u)
{
	static const u8 level[4] = { 1, 4, 8, 14 };

	return uart_fifo_on(u) ? level[u->fcr >> 6] : 1;
}

/* The interrupt the IIR shows now, by priority; UART_IIR_NONE if none. */
static u8 uart_pending_iir(const struct uart16550 *u)
{
	if ((u->ier & UART_IER_RLSI) && u->lsr_err)
		return UART_IIR_RLSI;
	if ((u->ier & UART_IER_RDI) && u->rx_count) {
		/*
		 * Below the trigger level the 16550 reports a character
		 * timeout once the line has been idle for four character
		 * times; input arrives here in bursts, so the line is idle
		 * as soon as the burst is in: report the timeout at once.
		 */
		return u->rx_count >= uart_rx_trigger(u) ? UART_IIR_RDI : UART_IIR_TIMEOUT;
	}
	if ((u->ier & UART_IER_THRI) && u->thre_pending)
		return UART_IIR_THRI;
	if ((u->ier & UART_IER_MSI) && u->msr_delta)
		return UART_IIR_MSI;
	return UART_IIR_NONE;
}

/* Drive the interrupt line: INTR gated by OUT2, as on a PC serial card. */
static void uart_update_irq(struct uart16550 *u)
{
	bool level = uart_pending_iir(u) != UART_IIR_NONE && (u->mcr & UART_MCR_OUT2);

	if (level != u->irq_level) {
		u->irq_level = level;
		vdev_irq_set(u->bus, u->gsi, level);
	}
}

/* Modem status inputs: looped back from MCR in loopback mode, else a connected line. */
static u8 uart_modem_inputs(const struct uart16550 *u)
{
	if (u->mcr & UART_MCR_LOOP)
		return (u8)(((u->mcr & UART_MCR_RTS) ? UART_MSR_CTS : 0) |
			    ((u->mcr & UART_MCR_DTR) ? UART_MSR_DSR : 0) |
			    ((u->mcr & UART_MCR_OUT1) ? UART_MSR_RI : 0) |
			    ((u->mcr & UART_MCR_OUT2) ? UART_MSR_DCD : 0));
	return UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD;
}

static bool uart_rx_put(struct uart16550 *u, u8 c)
{
	if (u->rx_count >= uart_rx_capacity(u))
		return false;
	u->rx[(u->rx_head + u->rx_count) % UART_FIFO_SIZE] = c;
	u->rx_count++;
	return true;
}

/* The guest takes receive interrupts: RDI enabled and the line wired (OUT2). */
static bool uart_rx_irq_on(const struct uart16550 *u)
{
	return (u->ier & UART_IER_RDI) && (u->mcr & UART_MCR_OUT2);
}

/* Move queued bytes into the FIFO while it has room. */
static void uart_rx_refill(struct uart16550 *u)
{
	while (u->bl_count && uart_rx_put(u, u->backlog[u->bl_head])) {
		u->bl_head = (u->bl_head + 1) % UART_BACKLOG;
		u->bl_count--;
	}
}

static void uart_rx_clear(struct uart16550 *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
}

static void uart_transmit(struct uart16550 *u, u8 c)
{
	if (u->mcr & UART_MCR_LOOP) {
		/* Loopback: the byte comes back on the receiver; a full FIFO overruns. */
		if (!uart_rx_put(u, c))
			u->lsr_err |= UART_LSR_OE;
	} else if (u->bus->host.console_putc) {
		u->bus->host.console_putc(u->bus->host.owner, c);
	}
	u->tx_bytes++;
	/* Sent at once: the holding register is empty again. */
	u->thre_pending = true;
}

/* The upper bytes of a wider access to an 8-bit register read as ones. */
static u32 uart_widen(u8 val, unsigned int size)
{
	return size == 1 ? val : val | (~0u << 8);
}

/* Registers with side effects, under the lock; out of line (see uart_read()). */
static __noinline u32 uart_read_locked(struct uart16550 *u, u16 off, unsigned int size)
{
	u8 val = 0xff, iir;
	bool room;

	spin_lock(&u->lock);
	u->locked_accesses++;
	/* Queued bytes arrive when the guest polls the receiver (see uart_rx_feed()). */
	if (off == UART_LSR || (off == UART_RBR && !(READ_ONCE(u->lcr) & UART_LCR_DLAB)))
		uart_rx_refill(u);
	switch (off) {
	case UART_RBR:
		if (READ_ONCE(u->lcr) & UART_LCR_DLAB) {
			val = u->dll;
		} else if (u->rx_count) {
			val = u->rx[u->rx_head];
			u->rx_head = (u->rx_head + 1) % UART_FIFO_SIZE;
			u->rx_count--;
			uart_rx_refill(u);
		} else {
			val = 0;
		}
		break;
	case UART_IER:
		val = (u->lcr & UART_LCR_DLAB) ? u->dlm : u->ier;
		break;
	case UART_IIR:
		iir = uart_pending_iir(u);
		/* Reading IIR while it shows THRE acknowledges that interrupt. */
		if (iir == UART_IIR_THRI)
			u->thre_pending = false;
		val = iir | (uart_fifo_on(u) ? UART_IIR_FIFO : 0);
		break;
	case UART_MCR:
		val = u->mcr;
		break;
	case UART_LSR:
		val = UART_LSR_THRE | UART_LSR_TEMT | (u->rx_count ? UART_LSR_DR : 0) | u->lsr_err;
		u->lsr_err = 0;
		break;
	case UART_MSR:
		val = uart_modem_inputs(u) | u->msr_delta;
		u->msr_delta = 0;
		break;
	default:
		break;
	}
	uart_update_irq(u);
	/* The sender that was refused is told once there is room (see console_rx_room). */
	room = u->bl_refused && u->bl_count < UART_BACKLOG;
	if (room)
		u->bl_refused = false;
	spin_unlock(&u->lock);
	if (room && u->bus->host.console_rx_room)
		u->bus->host.console_rx_room(u->bus->host.owner);
	return uart_widen(val, size);
}

/*
 * The lock-free registers are handled here and the rest out of line, so
 * that the common polling accesses pay for no register saves they do not
 * need (every access is a VM exit; the I/O fast path calls this directly).
 */
/*
 * Access counts, statistics only (no ordering), with no locked add on any
 * access (each one a VM exit): an access that takes u->lock is counted
 * under it (locked_accesses), and a lock-free one (LCR, SCR) in its CPU's
 * slot (arch_count_this_cpu()).  A slot has one writer: the access is
 * counted by the CPU whose vCPU made it, in that exit, and nothing else on
 * that CPU counts in between (no interrupt handler touches the UART's
 * registers), so no count is lost; uart_stats() sums the slots, a figure
 * that may be a few accesses old.
 */
static void uart_count_lockfree(struct uart16550 *u)
{
	arch_count_this_cpu(u->lockfree_accesses);
}

static u32 uart_read(void *dev, u16 off, unsigned int size)
{
	struct uart16550 *u = dev;

	if (off == UART_SCR) {
		uart_count_lockfree(u);
		return uart_widen(READ_ONCE(u->scr), size);
	}
	if (off == UART_LCR) {
		uart_count_lockfree(u);
		return uart_widen(READ_ONCE(u->lcr), size);
	}
	return uart_read_locked(u, off, size);
}

static __noinline void uart_write_locked(struct uart16550 *u, u16 off, u8 val)
{
	u8 before;

	spin_lock(&u->lock);
	u->locked_accesses++;
	switch (off) {
	case UART_THR:
		if (READ_ONCE(u->lcr) & UART_LCR_DLAB)
			u->dll = val;
		else
			uart_transmit(u, val);
		break;
	case UART_IER:
		if (READ_ONCE(u->lcr) & UART_LCR_DLAB) {
			u->dlm = val;
		} else {
			/* Enabling THRI with the holding register empty raises it at once. */
			if ((val & UART_IER_THRI) && !(u->ier & UART_IER_THRI))
				u->thre_pending = true;
			u->ier = val & 0x0f;
			if (uart_rx_irq_on(u))
				uart_rx_refill(u);
		}
		break;
	case UART_FCR:
		if ((val ^ u->fcr) & UART_FCR_ENABLE)
			uart_rx_clear(u);	/* switching FIFO mode resets the FIFOs */
		if (val & UART_FCR_CLR_RX)
			uart_rx_clear(u);
		u->fcr = val & 0xc1;		/* enable and trigger level are kept */
		break;
	case UART_MCR:
		before = uart_modem_inputs(u);
		u->mcr = val & 0x1f;
		if (uart_rx_irq_on(u))
			uart_rx_refill(u);
		/* Delta bits for inputs that changed (RI: only its falling edge). */
		before ^= uart_modem_inputs(u);
		u->msr_delta |= (u8)(((before & UART_MSR_CTS) ? UART_MSR_DCTS : 0) |
				     ((before & UART_MSR_DSR) ? UART_MSR_DDSR : 0) |
				     ((before & UART_MSR_DCD) ? UART_MSR_DDCD : 0) |
				     ((before & UART_MSR_RI) && !(uart_modem_inputs(u) & UART_MSR_RI)
					      ? UART_MSR_TERI : 0));
		break;
	default:
		break;			/* LSR and MSR are read-only */
	}
	uart_update_irq(u);
	spin_unlock(&u->lock);
}

/* As uart_read(): lock-free registers here, the rest out of line. */
static void uart_write(void *dev, u16 off, unsigned int size, u32 v32)
{
	struct uart16550 *u = dev;

	if (off == UART_SCR) {
		WRITE_ONCE(u->scr, (u8)v32);
		uart_count_lockfree(u);
	} else if (off == UART_LCR) {
		WRITE_ONCE(u->lcr, (u8)v32);
		uart_count_lockfree(u);
	} else {
		uart_write_locked(u, off, (u8)v32);
	}
}

static const struct vdev_pio_ops uart_ops = { uart_read, uart_write };

void uart_stats(struct uart16550 *u, u64 *tx_bytes, u64 *accesses)
{
	spin_lock(&u->lock);
	*tx_bytes = u->tx_bytes;
	*accesses = u->locked_accesses;
	spin_unlock(&u->lock);
	for (unsigned int cpu = 0; cpu < HV_MAX_CPUS; cpu++)
		*accesses += READ_ONCE(u->lockfree_accesses[cpu]);	/* see uart_count_lockfree() */
}

size_t uart_rx_push(struct uart16550 *u, const u8 *buf, size_t len)
{
	size_t n = 0;

	spin_lock(&u->lock);
	while (n < len && uart_rx_put(u, buf[n]))
		n++;
	uart_update_irq(u);
	spin_unlock(&u->lock);
	return n;
}

size_t uart_rx_feed(struct uart16550 *u, const u8 *buf, size_t len)
{
	size_t n = 0;

	spin_lock(&u->lock);
	for (; n < len && u->bl_count < UART_BACKLOG; n++, u->bl_count++)
		u->backlog[(u->bl_head + u->bl_count) % UART_BACKLOG] = buf[n];
	if (n < len)
		u->bl_refused = true;
	/* A receiver taking interrupts is told now; one that polls, when it looks. */
	if (uart_rx_irq_on(u))
		uart_rx_refill(u);
	uart_update_irq(u);
	spin_unlock(&u->lock);
	return n;
}

size_t uart_rx_room(struct uart16550 *u)
{
	size_t room;

	spin_lock(&u->lock);
	room = uart_rx_capacity(u) - u->rx_count;
	spin_unlock(&u->lock);
	return room;
}

struct uart16550 *uart16550_create(struct vdev_bus *bus, u16 base, unsigned int gsi, int *err)
{
	struct uart16550 *u = vdev_alloc(bus, "com1", sizeof(*u), err);

	if (!u)
		return NULL;
	spin_lock_init(&u->lock);
	u->bus = bus;
	u->gsi = gsi;
	u->dll = 1;			/* 115200 baud, as firmware leaves it */
	*err = vdev_pio_register(bus, base, 8, &uart_ops, u);
	if (*err)
		return NULL;		/* freed with the bus */
	return u;
}

struct uart16550 *uart16550_com1(struct vdev_bus *bus)
{
	return vdev_bus_find(bus, "com1");
}

static int uart_com1_create(struct vdev_bus *bus)
{
	int err = 0;

	uart16550_create(bus, PLAT_COM1_BASE, PLAT_COM1_GSI, &err);
	return err;
}
VDEV_TYPE(com1, uart_com1_create);
