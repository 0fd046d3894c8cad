/* SPDX-License-Identifier: MIT */
/*
 * Inside the virtual local APIC: its state and the helpers that its three
 * parts share: vmx/dev/vlapic.c (modes, priorities, delivery, EOI, local
 * sources), vlapic_regs.c (the xAPIC and x2APIC register interface) and
 * vlapic_timer.c (the timer).  Every helper named *_locked runs under vlapic.lock and
 * leaves callbacks to a struct vlapic_defer, run after the unlock.
 */
#ifndef VMX_DEV_VLAPIC_IMPL_H
#define VMX_DEV_VLAPIC_IMPL_H

#include "lib/spinlock.h"
#include "vmx/dev/vlapic.h"

/**
 * struct vlapic - one virtual local APIC.
 * @lock:          protects everything below and the register page
 * @regs:          the register page, xAPIC layout (vlapic.h)
 * @cfg:           creation parameters
 * @base:          IA32_APIC_BASE
 * @xid:           the 8-bit xAPIC id (writable in xAPIC mode, kept across modes)
 * @sw_enabled:    SVR bit 8 (cached: side effects never read the page's old value)
 * @lint_level:    electrical level of LINT0 (bit 0) and LINT1 (bit 1)
 * @lint_remote_irr: remote IRR of LINT0 (bit 0) and LINT1 (bit 1)
 * @esr_pending:   errors seen since the last ESR write
 * @esr_armed:     an error may raise the error interrupt (re-armed by an ESR write)
 * @timer_mode:    APIC_TIMER_* of the LVT timer entry (cached)
 * @timer_div:     the divider, 1..128 (cached)
 * @timer_start:   guest TSC when the count was @timer_cur0 (count modes)
 * @timer_cur0:    the count at @timer_start
 * @timer_deadline: guest TSC of the next expiry, 0 when not armed
 * @tsc_deadline:  IA32_TSC_DEADLINE (TSC-deadline mode)
 * @virt:          virtual-interrupt delivery (vlapic_set_virtualised()): the CPU
 *                 writes IRR/ISR/PPR in the page while the guest runs, so
 *                 accepted vectors wait in @pir until the owner merges them
 * @pir:           accepted fixed vectors not yet in IRR (@virt only); set with
 *                 atomic ORs by any CPU, taken with xchg by the owner
 * @pir_level:     their trigger modes (1 = level), same rules as @pir
 */
struct vlapic {
	spinlock_t lock;
	u32 *regs;
	struct vlapic_config cfg;
	u64 base;
	u8 xid;
	bool sw_enabled;
	u8 lint_level;
	u8 lint_remote_irr;
	u32 esr_pending;
	bool esr_armed;
	u8 timer_mode;
	u32 timer_div;
	u64 timer_start;
	u32 timer_cur0;
	u64 timer_deadline;
	u64 tsc_deadline;
	bool virt;
	u32 pir[8];
	u32 pir_level[8];
};

#define VLAPIC_DEFER_EVENTS	4

/**
 * struct vlapic_defer - callbacks owed once the lock is dropped.
 * @send:    an IPI to hand to ops->send
 * @msg:     that IPI
 * @eoi:     a level-triggered vector to broadcast (ops->eoi), or -1
 * @kick:    IRR gained a vector (ops->kick)
 * @nevents: entries used in @ev (ops->event)
 * @ev:      delivery mode and vector of each event
 */
struct vlapic_defer {
	bool send;
	struct apic_msg msg;
	int eoi;
	bool kick;
	unsigned int nevents;
	struct {
		u8 delivery, vector;
	} ev[VLAPIC_DEFER_EVENTS];
};

static inline u32 vlapic_reg(const struct vlapic *v, u32 off)
{
	return v->regs[off >> 2];
}

static inline void vlapic_set_reg(struct vlapic *v, u32 off, u32 val)
{
	v->regs[off >> 2] = val;
}

static inline enum vlapic_mode vlapic_mode_of(u64 base)
{
	if (!(base & APIC_BASE_EN))
		return VLAPIC_DISABLED;
	return (base & APIC_BASE_EXTD) ? VLAPIC_X2APIC : VLAPIC_XAPIC;
}

static inline enum vlapic_mode vlapic_cur_mode(const struct vlapic *v)
{
	return vlapic_mode_of(v->base);
}

/* LVT entry offsets: CMCI at 0x2f0, then timer..error at 0x320..0x370. */
static inline u32 vlapic_lvt_offset(enum vlapic_lvt which)
{
	return which == VLAPIC_LVT_CMCI ? APIC_LVT_CMCI : APIC_LVT_TIMER + (which - 1) * 0x10;
}

/* The LVT entry at @off, or -1. */
static inline int vlapic_lvt_index(u32 off)
{
	if (off == APIC_LVT_CMCI)
		return VLAPIC_LVT_CMCI;
	if (off >= APIC_LVT_TIMER && off <= APIC_LVT_ERROR && !(off & 0xf))
		return (int)((off - APIC_LVT_TIMER) >> 4) + VLAPIC_LVT_TIMER;
	return -1;
}

BUILD_BUG_ON(VLAPIC_LVT_ERROR != APIC_LVT_COUNT - 1);
BUILD_BUG_ON(APIC_LVT_ERROR - APIC_LVT_TIMER != (VLAPIC_LVT_ERROR - VLAPIC_LVT_TIMER) * 0x10);

/* vlapic.c: the core */
unsigned long vlapic_lock_defer(struct vlapic *v, struct vlapic_defer *d);
void vlapic_unlock_run(struct vlapic *v, unsigned long flags, struct vlapic_defer *d);
u8 vlapic_update_ppr_locked(struct vlapic *v);
u8 vlapic_compute_apr_locked(const struct vlapic *v);
void vlapic_raise_error_locked(struct vlapic *v, u32 bits, struct vlapic_defer *d);
bool vlapic_accept_locked(struct vlapic *v, u8 vector, bool level, struct vlapic_defer *d);
void vlapic_eoi_locked(struct vlapic *v, struct vlapic_defer *d);
void vlapic_pir_merge_slow(struct vlapic *v);

/* Vectors accepted while the CPU owned IRR (@virt) into IRR; the owner's only. */
static inline void vlapic_pir_merge_locked(struct vlapic *v)
{
	if (v->virt)
		vlapic_pir_merge_slow(v);
}
bool vlapic_lvt_fire_locked(struct vlapic *v, enum vlapic_lvt which, struct vlapic_defer *d);

/* vlapic_timer.c */
void vlapic_timer_reset_locked(struct vlapic *v);
u32 vlapic_timer_ccr_locked(struct vlapic *v, u64 now);
void vlapic_timer_catch_up_locked(struct vlapic *v, struct vlapic_defer *d);
void vlapic_timer_lvt_written_locked(struct vlapic *v, u32 lvt);
void vlapic_timer_write_icr_locked(struct vlapic *v, u32 val);
void vlapic_timer_write_dcr_locked(struct vlapic *v, u32 val);
bool vlapic_timer_fire_locked(struct vlapic *v, u64 now, struct vlapic_defer *d);

#endif /* VMX_DEV_VLAPIC_IMPL_H */
