/* SPDX-License-Identifier: MIT */
/*
 * The virtual local APIC: one per vCPU, a portable register model that the
 * VT-x side drives (MMIO or APIC-access exits in xAPIC mode, RDMSR/WRMSR
 * exits in x2APIC mode, IA32_APIC_BASE and IA32_TSC_DEADLINE, event
 * injection, the interrupt window, HLT).  docs/platform.md, "Interrupt
 * controllers", says what is emulated and where a guest could tell.
 *
 * Register file.  The registers live in one 4 KiB page laid out exactly
 * as the xAPIC MMIO page (register at offset OFF, 32 bits, OFF 16-byte
 * aligned; ISR/TMR/IRR as 8 x 32 bits at 0x100/0x180/0x200), in both
 * modes: an x2APIC MSR 0x800 + n is the register at n << 4, and the 64-bit
 * ICR is ICR_LO at 0x300 and the destination at 0x310.  That is the layout
 * of the VT-x virtual-APIC page, so vlapic_page() can be that page
 * (TPR shadow, APIC-register virtualisation).  Everything that a
 * register's side effects depend on (timer mode and divider, software
 * enable, the xAPIC id) is also kept outside the page, so a write that
 * the CPU already stored there (an APIC-write exit) is emulated from the
 * new value alone: vlapic_apic_write_exit().  Registers the model computes
 * (PPR, APR, current count) are refreshed in the page when read through
 * the model; a CPU reading the page directly sees them as of the last
 * model access.
 *
 * Time.  The APIC's clock is the guest's TSC: ops->now() returns what
 * RDTSC would return in the guest, cfg.tsc_hz is its rate, and the APIC
 * timer counts at cfg.timer_hz before its divider (the crystal rate that
 * CPUID.15H:ECX advertises).  vlapic_timer_next() and the TSC-deadline
 * MSR are in guest-TSC units, ready for the VMX-preemption timer or a host
 * TSC-deadline once the VMCS TSC offset is subtracted.
 *
 * Locking.  Each vlapic has one IRQ-safe spinlock over its whole state;
 * every function here takes it, so any CPU may call any of them (a sender
 * accepts into a remote vlapic; the owner runs the register accessors).
 * The lock is a leaf: the callbacks in struct vlapic_ops are always called
 * after it is released.  The I/O APIC delivers under its own lock, hence the
 * order vioapic lock -> vlapic lock, never the reverse: ops->send and
 * ops->eoi may call into any vlapic, the router or the I/O APIC, while
 * ops->kick and ops->event may run inside an I/O APIC delivery and only
 * wake or flag the vCPU.
 */
#ifndef VMX_DEV_VLAPIC_H
#define VMX_DEV_VLAPIC_H

#include "vmx/dev/apic_msg.h"
#include "lib/x86_apic.h"
#include "vmx/dev/vdev.h"

struct vlapic;

enum vlapic_mode {
	VLAPIC_DISABLED,	/* IA32_APIC_BASE.EN = 0 */
	VLAPIC_XAPIC,
	VLAPIC_X2APIC,
};

/* The local interrupt sources, in LVT order. */
enum vlapic_lvt {
	VLAPIC_LVT_CMCI,
	VLAPIC_LVT_TIMER,
	VLAPIC_LVT_THERMAL,
	VLAPIC_LVT_PERF,
	VLAPIC_LVT_LINT0,
	VLAPIC_LVT_LINT1,
	VLAPIC_LVT_ERROR,
};

/**
 * struct vlapic_ops - what a vlapic asks of its vCPU and VM.  Every
 * callback runs without this vlapic's lock held (see the locking rules
 * above); @now may run with it held and must take no lock.
 * @now:   the guest's TSC now (monotonic)
 * @send:  route an IPI written to the ICR; returns how many local APICs
 *         took it (apic_route() does exactly this)
 * @eoi:   EOI of a level-triggered vector: broadcast it to the I/O APIC
 *         (vdev_irq_eoi()); not called when the guest suppressed it (SVR
 *         bit 12)
 * @kick:  a fixed interrupt became pending in IRR: wake the vCPU or have
 *         it look (it may be running, halted, or the caller itself)
 * @event: an NMI, SMI, INIT, SIPI or ExtINT for this vCPU (delivery mode
 *         APIC_DM_*, vector for SIPI/ExtINT); the vCPU model owns those
 *         states.  INIT does not reset the vlapic: the vCPU calls
 *         vlapic_init_signal() when it acts on it.
 */
struct vlapic_ops {
	u64 (*now)(void *ctx);
	unsigned int (*send)(void *ctx, const struct apic_msg *m);
	void (*eoi)(void *ctx, u8 vector);
	void (*kick)(void *ctx);
	void (*event)(void *ctx, u8 delivery, u8 vector);
};

/**
 * struct vlapic_config - fixed at creation.
 * @id:           APIC id = the vCPU's index (x2APIC id; xAPIC id = its low 8 bits)
 * @bsp:          IA32_APIC_BASE.BSP
 * @phys_bits:    the guest's MAXPHYADDR (IA32_APIC_BASE reserved bits)
 * @x2apic:       CPUID advertises x2APIC: EXTD may be set
 * @tsc_deadline: CPUID advertises the TSC-deadline timer mode
 * @eoi_suppress: advertise and honour EOI-broadcast suppression (version
 *                bit 24, SVR bit 12)
 * @tsc_hz:       guest TSC rate, non-zero
 * @timer_hz:     APIC timer input clock before the divider, non-zero
 * @ops:          callbacks; @ctx is their first argument
 */
struct vlapic_config {
	u32 id;
	bool bsp;
	u8 phys_bits;
	bool x2apic;
	bool tsc_deadline;
	bool eoi_suppress;
	u64 tsc_hz;
	u64 timer_hz;
	const struct vlapic_ops *ops;
	void *ctx;
};

/* Results of vlapic_base_write() and of the x2APIC MSR accessors. */
#define VLAPIC_GP		(-1)	/* raise #GP(0); nothing changed */
#define VLAPIC_OK		0
#define VLAPIC_REMAP		1	/* the xAPIC MMIO page moved, appeared or went */

/* vlapic_mmio_base() when no xAPIC page is mapped (disabled or x2APIC). */
#define VLAPIC_NO_MMIO		(~0ull)

/* ---------------------------------------------------------------- life */

/* A vlapic in its power-up state (xAPIC mode at PLAT_LAPIC_BASE); NULL if out of memory or cfg is bad. */
struct vlapic *vlapic_create(const struct vlapic_config *cfg);
void vlapic_destroy(struct vlapic *v);

/* Power-up/RESET: xAPIC mode at PLAT_LAPIC_BASE, every register reset. */
void vlapic_reset(struct vlapic *v);

/* INIT: registers reset as at power-up except the id; mode and base kept. */
void vlapic_init_signal(struct vlapic *v);

u32 vlapic_id(const struct vlapic *v);
enum vlapic_mode vlapic_mode(struct vlapic *v);

/* ------------------------------------------------------ IA32_APIC_BASE */

u64 vlapic_base_read(struct vlapic *v);

/**
 * vlapic_base_write() - WRMSR IA32_APIC_BASE.
 * @v:   the vlapic
 * @val: the value written
 *
 * Checks reserved bits and the SDM's mode transitions: disabled <-> xAPIC,
 * xAPIC -> x2APIC, x2APIC -> disabled.  x2APIC -> xAPIC, disabled ->
 * x2APIC and EN = 0 with EXTD = 1 are invalid.  Going to disabled resets
 * the registers (the id is kept).  BSP is read-only.
 *
 * Return: VLAPIC_GP (nothing changed), VLAPIC_OK, or VLAPIC_REMAP when the
 * caller must move its xAPIC MMIO mapping to vlapic_mmio_base().
 */
int vlapic_base_write(struct vlapic *v, u64 val);

/* Guest-physical base of the xAPIC page, or VLAPIC_NO_MMIO when not in xAPIC mode. */
u64 vlapic_mmio_base(struct vlapic *v);

/* ----------------------------------------------------- register access */

/*
 * xAPIC MMIO, @offset within the page.  32-bit accesses to offsets 16-byte
 * aligned are the architectural ones; narrower reads return the addressed
 * bytes, narrower or misaligned writes are ignored, an 8-byte access is a
 * 32-bit one.  Outside xAPIC mode reads return all ones and writes are
 * dropped (no APIC there).
 */
u64 vlapic_mmio_read(struct vlapic *v, u64 offset, unsigned int size);
void vlapic_mmio_write(struct vlapic *v, u64 offset, unsigned int size, u64 val);

/* The same, as device ops whose dev is the struct vlapic. */
extern const struct vdev_mmio_ops vlapic_mmio_ops;

/**
 * vlapic_apic_write_exit() - emulate a write the CPU already stored.
 * @v:      the vlapic
 * @offset: the register (the APIC-write exit qualification)
 *
 * For APIC-register virtualisation: the new value is in vlapic_page();
 * its side effects (ICR send, EOI, timer, masks) happen now.
 */
void vlapic_apic_write_exit(struct vlapic *v, u32 offset);

/*
 * x2APIC registers, MSRs X2APIC_MSR_FIRST..X2APIC_MSR_LAST.  VLAPIC_GP
 * outside x2APIC mode, for an MSR that is not a register, a read of a
 * write-only register, a write of a read-only one, and a write with
 * reserved bits set.
 */
int vlapic_msr_read(struct vlapic *v, u32 msr, u64 *val);
int vlapic_msr_write(struct vlapic *v, u32 msr, u64 val);

/*
 * IA32_TSC_DEADLINE: 0 unless the timer is in TSC-deadline mode (writes
 * are ignored then).  0 disarms; a deadline already past fires at once.
 * The caller makes it #GP when CPUID does not advertise TSC-deadline.
 */
u64 vlapic_tsc_deadline_read(struct vlapic *v);
void vlapic_tsc_deadline_write(struct vlapic *v, u64 val);

/* TPR, for MOV to/from CR8 (CR8 = TPR[7:4]). */
u8 vlapic_tpr_read(struct vlapic *v);
void vlapic_tpr_write(struct vlapic *v, u8 tpr);

/* ------------------------------------------------------------ delivery */

/**
 * vlapic_accept() - a fixed interrupt arrives.
 * @v:      the target
 * @vector: the vector
 * @level:  level-triggered (sets its TMR bit; an EOI then broadcasts)
 *
 * Not accepted when the APIC is disabled or software-disabled, or the
 * vector is illegal (0..15: ESR "receive illegal vector").
 *
 * Return: true if it is now pending in IRR (kicks the vCPU).
 */
bool vlapic_accept(struct vlapic *v, u8 vector, bool level);

/*
 * One message for this APIC, already chosen as a target by the router:
 * fixed and lowest priority go to vlapic_accept(), NMI/SMI/INIT/SIPI/
 * ExtINT to ops->event (a software-disabled APIC still takes them), an
 * INIT de-assert is dropped.  True if taken.
 */
bool vlapic_deliver(struct vlapic *v, const struct apic_msg *m);

/**
 * vlapic_match_dest() - is this APIC a destination of @dest?
 * @v:       the candidate
 * @dest:    destination field of the message
 * @logical: logical destination mode
 * @x2apic:  @dest is in the x2APIC (32-bit) format
 *
 * Physical: the APIC id, or the broadcast id (0xff / 0xffffffff).
 * Logical xAPIC: 0xff is broadcast; otherwise flat (DFR model 1111b)
 * matches when @dest AND LDR[31:24] is non-zero, cluster (0000b) when
 * @dest[7:4] equals LDR[31:28] and @dest[3:0] AND LDR[27:24] is non-zero.
 * Logical x2APIC: 0xffffffff is broadcast; otherwise @dest[31:16] equals
 * the cluster of the derived LDR and @dest[15:0] AND LDR[15:0] is
 * non-zero.  A message in the other mode's format reaches an APIC only
 * physically or as broadcast.  A disabled APIC matches nothing.
 */
bool vlapic_match_dest(struct vlapic *v, u32 dest, bool logical, bool x2apic);

/* Arbitration priority (the APR register's value) for lowest-priority delivery. */
u8 vlapic_apr(struct vlapic *v);

/* True when the APIC is enabled and software-enabled (SVR bit 8). */
bool vlapic_sw_enabled(struct vlapic *v);

/* Highest vector in IRR whose priority class is above PPR's, or -1. */
int vlapic_highest_pending(struct vlapic *v);

/* Highest vector in IRR whatever PPR says, or -1 (TPR-threshold bookkeeping). */
int vlapic_highest_irr(struct vlapic *v);

/* vlapic_highest_pending() >= 0: the interrupt window / HLT wake-up question. */
bool vlapic_has_deliverable(struct vlapic *v);

/**
 * vlapic_ack() - the VT-x side injects @vector: IRR -> ISR.
 * Return: false (nothing changed) if @vector was not pending in IRR.
 */
bool vlapic_ack(struct vlapic *v, u8 vector);

/*
 * The level of the LINT0/LINT1 pin (@pin 0 or 1) changed: delivered as the
 * LVT entry says (edge on the polarity-adjusted rising edge; fixed
 * level-triggered LINT0 with remote IRR until EOI, again after EOI while
 * still asserted).
 */
void vlapic_lint(struct vlapic *v, unsigned int pin, bool level);

/* A CMCI, thermal or performance-counter event: delivered as its LVT entry says. */
void vlapic_lvt_event(struct vlapic *v, enum vlapic_lvt which);

/* --------------------------------------------------------------- timer */

/* Guest-TSC time of the next timer expiry, or 0 when the timer is not armed. */
u64 vlapic_timer_next(struct vlapic *v);

/**
 * vlapic_timer_fire() - the timer's time may have come.
 * @v:   the vlapic
 * @now: guest TSC now
 *
 * If @now is at or past vlapic_timer_next(): raise the timer interrupt (if
 * the LVT entry is not masked), re-arm a periodic timer for the next period
 * after @now (periods missed meanwhile coalesce into this one interrupt,
 * as IRR would), disarm a one-shot or TSC-deadline timer.
 *
 * Return: true if the timer expired.
 */
bool vlapic_timer_fire(struct vlapic *v, u64 now);

/* --------------------------------------------- APIC virtualisation hooks */

/* The register page (4 KiB, page-aligned, xAPIC layout): the virtual-APIC page. */
void *vlapic_page(struct vlapic *v);

/**
 * vlapic_set_virtualised() - the page is a virtual-APIC page with
 * virtual-interrupt delivery.
 * @v:  the vlapic, before its vCPU first runs
 * @on: true: the CPU updates IRR, ISR, PPR (and TPR, EOI) in the page while
 *      the guest runs
 *
 * From then on vlapic_accept() and everything that accepts a vector (IPIs,
 * the timer, LVT sources) leave the vector in a pending set, as a
 * posted-interrupt descriptor would, instead of writing IRR while the CPU
 * may be writing it too.  The owner merges the set into IRR at its defined
 * points, always outside guest mode: vlapic_virt_sync(),
 * vlapic_highest_pending(), vlapic_highest_irr(), vlapic_ack() and the
 * register accessors (MMIO, MSR, APIC-write).
 */
void vlapic_set_virtualised(struct vlapic *v, bool on);

/**
 * struct vlapic_virt_state - what the VMCS needs after a sync.
 * @rvi: highest vector in IRR (0 when none): the guest interrupt status' RVI
 * @svi: highest vector in ISR (0 when none): its SVI
 * @tmr: the TMR, eight 32-bit words: the level-triggered vectors, whose EOI
 *       must exit (the EOI-exit bitmap) so that it reaches the I/O APIC
 */
struct vlapic_virt_state {
	u8 rvi, svi;
	u32 tmr[8];
};

/*
 * Owner only, outside guest mode: merge pending vectors into IRR, refresh
 * PPR in the page, and report RVI, SVI and the TMR for the VMCS.
 */
void vlapic_virt_sync(struct vlapic *v, struct vlapic_virt_state *st);

/**
 * vlapic_eoi_virtualised() - the CPU's EOI virtualisation retired @vector
 * (an EOI-induced VM exit): ISR, SVI and PPR are already updated; this does
 * the rest of an EOI (the broadcast of a level-triggered vector to the
 * I/O APIC, a LINT pin's remote IRR).
 */
void vlapic_eoi_virtualised(struct vlapic *v, u8 vector);

#endif /* VMX_DEV_VLAPIC_H */
