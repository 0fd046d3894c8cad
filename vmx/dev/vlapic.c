// SPDX-License-Identifier: MIT
/*
 * The virtual local APIC's core (vmx/dev/vlapic.h): life and reset,
 * IA32_APIC_BASE and the mode transitions, priorities (TPR/PPR/APR),
 * IRR/ISR/TMR, acceptance and delivery, EOI and its broadcast, ESR, the
 * local sources (LVT, LINT pins) and destination matching.  The register
 * interface is vlapic_regs.c, the timer vlapic_timer.c.
 */
#include "vmx/dev/vlapic_impl.h"

#include "lib/atomic.h"
#include "lib/platform.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "vmx/dev/platform.h"

BUILD_BUG_ON(APIC_REG_PAGE_SIZE != PAGE_SIZE);

/* ------------------------------------------------------- lock and defer */

unsigned long vlapic_lock_defer(struct vlapic *v, struct vlapic_defer *d)
{
	d->send = false;
	d->eoi = -1;
	d->kick = false;
	d->nevents = 0;
	return spin_lock_irqsave(&v->lock);
}

/* Drop the lock, then make the callbacks the locked part left in @d. */
void vlapic_unlock_run(struct vlapic *v, unsigned long flags, struct vlapic_defer *d)
{
	const struct vlapic_ops *ops = v->cfg.ops;

	spin_unlock_irqrestore(&v->lock, flags);
	if (d->eoi >= 0 && ops->eoi)
		ops->eoi(v->cfg.ctx, (u8)d->eoi);
	for (unsigned int i = 0; i < d->nevents; i++)
		if (ops->event)
			ops->event(v->cfg.ctx, d->ev[i].delivery, d->ev[i].vector);
	if (d->kick && ops->kick)
		ops->kick(v->cfg.ctx);
	if (d->send && ops->send)
		ops->send(v->cfg.ctx, &d->msg);
}

static void defer_event(struct vlapic_defer *d, u8 delivery, u8 vector)
{
	/* At most two local sources fire per call; the array has room for four. */
	if (d->nevents < VLAPIC_DEFER_EVENTS) {
		d->ev[d->nevents].delivery = delivery;
		d->ev[d->nevents].vector = vector;
		d->nevents++;
	}
}

/* ------------------------------------------------------------- state */

static u64 base_addr_mask(const struct vlapic *v)
{
	return GENMASK(v->cfg.phys_bits - 1, APIC_BASE_ADDR_SHIFT);
}

static u64 mmio_base_locked(const struct vlapic *v)
{
	return vlapic_cur_mode(v) == VLAPIC_XAPIC ? v->base & base_addr_mask(v) : VLAPIC_NO_MMIO;
}

/* The logical x2APIC id: cluster id[31:4] in bits 31:16, one bit for id[3:0]. */
static u32 x2apic_ldr(u32 id)
{
	return ((id >> 4) << 16) | (1u << (id & 0xf));
}

static u32 version_value(const struct vlapic *v)
{
	return APIC_VERSION_INTEGRATED | ((APIC_LVT_COUNT - 1u) << APIC_VERSION_MAXLVT_SHIFT) |
	       (v->cfg.eoi_suppress ? APIC_VERSION_EOI_SUPPRESS : 0);
}

static bool vec_test(const struct vlapic *v, u32 base, u8 vec)
{
	return vlapic_reg(v, APIC_VEC_REG(base, vec)) & APIC_VEC_BIT(vec);
}

static void vec_set(struct vlapic *v, u32 base, u8 vec)
{
	u32 off = APIC_VEC_REG(base, vec);

	vlapic_set_reg(v, off, vlapic_reg(v, off) | APIC_VEC_BIT(vec));
}

static void vec_clear(struct vlapic *v, u32 base, u8 vec)
{
	u32 off = APIC_VEC_REG(base, vec);

	vlapic_set_reg(v, off, vlapic_reg(v, off) & ~APIC_VEC_BIT(vec));
}

/* Highest vector set in the 256-bit register at @base (ISR, TMR, IRR), or -1. */
static int vec_highest(const struct vlapic *v, u32 base)
{
	for (int i = 7; i >= 0; i--) {
		u32 w = vlapic_reg(v, base + (u32)i * 16);

		if (w)
			return i * 32 + 31 - __builtin_clz(w);
	}
	return -1;
}

/*
 * PPR (SDM "Task and Processor Priorities"): the higher of the TPR's and
 * the highest in-service vector's class; the TPR's sub-class when the TPR
 * wins or ties (the tie is model-specific: we keep the TPR's).
 */
static u8 compute_ppr(const struct vlapic *v)
{
	u8 tpr = (u8)vlapic_reg(v, APIC_TPR);
	int isrv = vec_highest(v, APIC_ISR);
	u8 isr_class = isrv < 0 ? 0 : APIC_PRIO_CLASS((u8)isrv);

	return APIC_PRIO_CLASS(tpr) >= isr_class ? tpr : isr_class;
}

u8 vlapic_update_ppr_locked(struct vlapic *v)
{
	u8 ppr = compute_ppr(v);

	vlapic_set_reg(v, APIC_PPR, ppr);
	return ppr;
}

/*
 * APR, by the SDM's formula: TPR when its class is at least the highest
 * requested one and above the highest in-service one; otherwise the class
 * max(TPR class AND ISRV class, IRRV class), sub-class 0.
 */
u8 vlapic_compute_apr_locked(const struct vlapic *v)
{
	u8 tpr = (u8)vlapic_reg(v, APIC_TPR);
	int irrv = vec_highest(v, APIC_IRR), isrv = vec_highest(v, APIC_ISR);
	u8 tc = APIC_PRIO_CLASS(tpr);
	u8 irc = irrv < 0 ? 0 : APIC_PRIO_CLASS((u8)irrv);
	u8 isc = isrv < 0 ? 0 : APIC_PRIO_CLASS((u8)isrv);

	if (tc >= irc && tc > isc)
		return tpr;
	return MAX((u8)(tc & isc), irc);
}

/* ------------------------------------------------------------ reset */

/*
 * The power-up register state (SDM "Local APIC State After Power-Up or
 * Reset"), with the identity registers of the current mode.
 */
static void regs_reset_locked(struct vlapic *v)
{
	memset(v->regs, 0, APIC_REG_PAGE_SIZE);
	/*
	 * Vectors accepted before the reset go with IRR.  Atomicity only: the
	 * xchg pairs with the senders' fetch_or into @pir, so no concurrently
	 * accepted vector is half-cleared; ordering comes from the vlapic lock.
	 */
	for (int i = 0; i < 8; i++) {
		(void)xchg(&v->pir[i], 0u);
		(void)xchg(&v->pir_level[i], 0u);
	}
	vlapic_set_reg(v, APIC_VERSION, version_value(v));
	vlapic_set_reg(v, APIC_DFR, APIC_DFR_FLAT);
	vlapic_set_reg(v, APIC_SVR, APIC_SVR_VECTOR);
	for (int i = 0; i < APIC_LVT_COUNT; i++)
		vlapic_set_reg(v, vlapic_lvt_offset(i), APIC_LVT_MASKED);
	v->sw_enabled = false;
	v->lint_remote_irr = 0;
	v->esr_pending = 0;
	v->esr_armed = true;
	vlapic_timer_reset_locked(v);
	if (vlapic_cur_mode(v) == VLAPIC_X2APIC) {
		vlapic_set_reg(v, APIC_ID, v->cfg.id);
		vlapic_set_reg(v, APIC_LDR, x2apic_ldr(v->cfg.id));
	} else {
		vlapic_set_reg(v, APIC_ID, (u32)v->xid << 24);
	}
}

struct vlapic *vlapic_create(const struct vlapic_config *cfg)
{
	struct vlapic *v;

	if (!cfg->ops || !cfg->tsc_hz || !cfg->timer_hz || cfg->phys_bits < 32 ||
	    cfg->phys_bits > 52) {
		pr_err("vlapic %u: bad configuration\n", cfg->id);
		return NULL;
	}
	v = kzalloc(sizeof(*v));
	if (!v)
		return NULL;
	v->regs = arch_page_alloc();
	if (!v->regs) {
		kfree(v);
		return NULL;
	}
	spin_lock_init(&v->lock);
	v->cfg = *cfg;
	vlapic_reset(v);
	return v;
}

void vlapic_destroy(struct vlapic *v)
{
	if (!v)
		return;
	arch_page_free(v->regs);
	kfree(v);
}

void vlapic_reset(struct vlapic *v)
{
	unsigned long flags = spin_lock_irqsave(&v->lock);

	v->base = PLAT_LAPIC_BASE | APIC_BASE_EN | (v->cfg.bsp ? APIC_BASE_BSP : 0);
	v->xid = (u8)v->cfg.id;
	v->lint_level = 0;
	regs_reset_locked(v);
	spin_unlock_irqrestore(&v->lock, flags);
}

void vlapic_init_signal(struct vlapic *v)
{
	unsigned long flags = spin_lock_irqsave(&v->lock);

	regs_reset_locked(v);
	spin_unlock_irqrestore(&v->lock, flags);
}

u32 vlapic_id(const struct vlapic *v)
{
	return v->cfg.id;
}

enum vlapic_mode vlapic_mode(struct vlapic *v)
{
	unsigned long flags = spin_lock_irqsave(&v->lock);
	enum vlapic_mode m = vlapic_cur_mode(v);

	spin_unlock_irqrestore(&v->lock, flags);
	return m;
}

void *vlapic_page(struct vlapic *v)
{
	return v->regs;
}

void vlapic_set_virtualised(struct vlapic *v, bool on)
{
	unsigned long flags = spin_lock_irqsave(&v->lock);

	vlapic_pir_merge_locked(v);
	v->virt = on;
	spin_unlock_irqrestore(&v->lock, flags);
}

/*
 * vlapic_pir_merge_locked() (vlapic_impl.h) without APIC virtualisation
 * does nothing; with it, this moves vectors accepted meanwhile into IRR,
 * and their trigger modes into TMR.  The owner's, outside guest mode (the
 * CPU writes IRR in guest mode).
 * Pairs with vlapic_accept_locked(): a sender ORs the level bit before the
 * request bit (both sequentially consistent), so a request bit taken here
 * comes with its level bit; only the level bits of the requests taken are
 * consumed, a later request's stays for the next merge.
 */
void vlapic_pir_merge_slow(struct vlapic *v)
{
	for (u32 i = 0; i < 8; i++) {
		u32 irr, lvl, off;

		if (!READ_ONCE(v->pir[i]))	/* a hint only: the xchg decides */
			continue;
		irr = xchg(&v->pir[i], 0u);
		lvl = fetch_and(&v->pir_level[i], ~irr) & irr;
		off = APIC_IRR + i * 16;
		vlapic_set_reg(v, off, vlapic_reg(v, off) | irr);
		off = APIC_TMR + i * 16;
		vlapic_set_reg(v, off, (vlapic_reg(v, off) & ~irr) | lvl);
	}
}

void vlapic_virt_sync(struct vlapic *v, struct vlapic_virt_state *st)
{
	unsigned long flags = spin_lock_irqsave(&v->lock);
	int irr, isr;

	vlapic_pir_merge_locked(v);
	vlapic_update_ppr_locked(v);
	irr = vec_highest(v, APIC_IRR);
	isr = vec_highest(v, APIC_ISR);
	st->rvi = irr < 0 ? 0 : (u8)irr;
	st->svi = isr < 0 ? 0 : (u8)isr;
	for (u32 i = 0; i < 8; i++)
		st->tmr[i] = vlapic_reg(v, APIC_TMR + i * 16);
	spin_unlock_irqrestore(&v->lock, flags);
}

/* ---------------------------------------------------- IA32_APIC_BASE */

u64 vlapic_base_read(struct vlapic *v)
{
	unsigned long flags = spin_lock_irqsave(&v->lock);
	u64 base = v->base;

	spin_unlock_irqrestore(&v->lock, flags);
	return base;
}

u64 vlapic_mmio_base(struct vlapic *v)
{
	unsigned long flags = spin_lock_irqsave(&v->lock);
	u64 b = mmio_base_locked(v);

	spin_unlock_irqrestore(&v->lock, flags);
	return b;
}

int vlapic_base_write(struct vlapic *v, u64 val)
{
	u64 allowed = APIC_BASE_BSP | APIC_BASE_EN | base_addr_mask(v) |
		      (v->cfg.x2apic ? APIC_BASE_EXTD : 0);
	enum vlapic_mode from, to;
	unsigned long flags;
	u64 old_mmio;
	int ret;

	if (val & ~allowed)
		return VLAPIC_GP;
	if ((val & (APIC_BASE_EN | APIC_BASE_EXTD)) == APIC_BASE_EXTD)
		return VLAPIC_GP;	/* EXTD without EN: the invalid state */
	flags = spin_lock_irqsave(&v->lock);
	from = vlapic_cur_mode(v);
	to = vlapic_mode_of(val);
	if ((from == VLAPIC_X2APIC && to == VLAPIC_XAPIC) ||
	    (from == VLAPIC_DISABLED && to == VLAPIC_X2APIC)) {
		spin_unlock_irqrestore(&v->lock, flags);
		return VLAPIC_GP;
	}
	old_mmio = mmio_base_locked(v);
	/* BSP is read-only: keep ours whatever was written. */
	v->base = (val & ~APIC_BASE_BSP) | (v->base & APIC_BASE_BSP);
	if (from != to) {
		if (to == VLAPIC_DISABLED) {
			/* The APIC returns to its power-up state; the ids survive. */
			regs_reset_locked(v);
		} else if (to == VLAPIC_X2APIC) {
			/* xAPIC -> x2APIC keeps the registers but the id and LDR. */
			vlapic_set_reg(v, APIC_ID, v->cfg.id);
			vlapic_set_reg(v, APIC_LDR, x2apic_ldr(v->cfg.id));
		} else {
			vlapic_set_reg(v, APIC_ID, (u32)v->xid << 24);
		}
	}
	ret = mmio_base_locked(v) != old_mmio ? VLAPIC_REMAP : VLAPIC_OK;
	spin_unlock_irqrestore(&v->lock, flags);
	return ret;
}

/* --------------------------------------------------------------- ESR */

void vlapic_raise_error_locked(struct vlapic *v, u32 bits, struct vlapic_defer *d)
{
	v->esr_pending |= bits;
	/* One error interrupt until the next ESR write re-arms it (SDM 10.5.3). */
	if (v->esr_armed && vlapic_lvt_fire_locked(v, VLAPIC_LVT_ERROR, d))
		v->esr_armed = false;
}

/* ---------------------------------------------------------- delivery */

bool vlapic_accept_locked(struct vlapic *v, u8 vector, bool level, struct vlapic_defer *d)
{
	if (vlapic_cur_mode(v) == VLAPIC_DISABLED || !v->sw_enabled)
		return false;
	if (vector < 16) {
		vlapic_raise_error_locked(v, APIC_ESR_RECV_ILLEGAL, d);
		return false;
	}
	d->kick = true;
	if (v->virt) {
		u32 w = vector >> 5, bit = APIC_VEC_BIT(vector);

		/*
		 * Level bit before request bit: pairs with the merge
		 * (vlapic_pir_merge_slow()), which takes the request word first.
		 */
		if (level)
			(void)fetch_or(&v->pir_level[w], bit);
		else
			(void)fetch_and(&v->pir_level[w], ~bit);
		(void)fetch_or(&v->pir[w], bit);
		return true;
	}
	vec_set(v, APIC_IRR, vector);
	if (level)
		vec_set(v, APIC_TMR, vector);
	else
		vec_clear(v, APIC_TMR, vector);
	return true;
}

/**
 * vlapic_lvt_fire_locked() - raise the local interrupt of LVT entry @which.
 * @v:     the vlapic
 * @which: the source
 * @d:     where callbacks go
 *
 * Return: true if an interrupt or event was delivered (not masked, a
 * valid delivery mode, a legal vector).
 */
bool vlapic_lvt_fire_locked(struct vlapic *v, enum vlapic_lvt which, struct vlapic_defer *d)
{
	u32 off = vlapic_lvt_offset(which), lvt = vlapic_reg(v, off);
	u8 vec = (u8)(lvt & APIC_LVT_VECTOR);
	bool lint = which == VLAPIC_LVT_LINT0 || which == VLAPIC_LVT_LINT1;
	u8 dm = APIC_DM_FIXED;
	bool done = false;

	if (vlapic_cur_mode(v) == VLAPIC_DISABLED || (lvt & APIC_LVT_MASKED))
		return false;
	if (which != VLAPIC_LVT_TIMER && which != VLAPIC_LVT_ERROR)
		dm = (u8)((lvt & APIC_LVT_DM_MASK) >> APIC_LVT_DM_SHIFT);
	switch (dm) {
	case APIC_DM_FIXED: {
		/* Only LINT0 may be level-triggered (LINT1 is always edge). */
		bool level = which == VLAPIC_LVT_LINT0 && (lvt & APIC_LVT_LEVEL);

		if (vec < 16) {
			/* The error entry's own illegal vector is logged, never re-raised. */
			if (which == VLAPIC_LVT_ERROR)
				v->esr_pending |= APIC_ESR_RECV_ILLEGAL;
			else
				vlapic_raise_error_locked(v, APIC_ESR_RECV_ILLEGAL, d);
			return false;
		}
		done = vlapic_accept_locked(v, vec, level, d);
		if (done && level) {
			v->lint_remote_irr |= 1u << (which - VLAPIC_LVT_LINT0);
			vlapic_set_reg(v, off, lvt | APIC_LVT_REMOTE_IRR);
		}
		break;
	}
	case APIC_DM_SMI:
	case APIC_DM_NMI:
		defer_event(d, dm, 0);
		done = true;
		break;
	case APIC_DM_INIT:
	case APIC_DM_EXTINT:
		/* Not supported for CMCI, thermal and perf: nothing is delivered. */
		if (lint) {
			defer_event(d, dm, vec);
			done = true;
		}
		break;
	default:
		break;
	}
	/* The performance-counter entry masks itself when it fires (SDM 10.5.1). */
	if (done && which == VLAPIC_LVT_PERF)
		vlapic_set_reg(v, off, vlapic_reg(v, off) | APIC_LVT_MASKED);
	return done;
}

bool vlapic_accept(struct vlapic *v, u8 vector, bool level)
{
	struct vlapic_defer d;
	unsigned long flags = vlapic_lock_defer(v, &d);
	bool ok = vlapic_accept_locked(v, vector, level, &d);

	vlapic_unlock_run(v, flags, &d);
	return ok;
}

bool vlapic_deliver(struct vlapic *v, const struct apic_msg *m)
{
	unsigned long flags;
	bool enabled;

	switch (m->delivery) {
	case APIC_DM_FIXED:
	case APIC_DM_LOWEST:
		return vlapic_accept(v, m->vector, m->level);
	case APIC_DM_INIT:
		/* INIT level de-assert: a synchronisation message of old APICs, no effect. */
		if (m->level && !m->assert)
			return false;
		__attribute__((fallthrough));
	case APIC_DM_SMI:
	case APIC_DM_NMI:
	case APIC_DM_SIPI:
	case APIC_DM_EXTINT:
		flags = spin_lock_irqsave(&v->lock);
		enabled = vlapic_cur_mode(v) != VLAPIC_DISABLED;
		spin_unlock_irqrestore(&v->lock, flags);
		if (enabled && v->cfg.ops->event)
			v->cfg.ops->event(v->cfg.ctx, m->delivery, m->vector);
		return enabled;
	default:
		return false;
	}
}

bool vlapic_match_dest(struct vlapic *v, u32 dest, bool logical, bool x2apic)
{
	unsigned long flags = spin_lock_irqsave(&v->lock);
	enum vlapic_mode mode = vlapic_cur_mode(v);
	u32 ldr = vlapic_reg(v, APIC_LDR), dfr = vlapic_reg(v, APIC_DFR);
	u32 id = mode == VLAPIC_X2APIC ? v->cfg.id : v->xid;
	u8 lid, mda;

	spin_unlock_irqrestore(&v->lock, flags);
	if (mode == VLAPIC_DISABLED)
		return false;
	if (x2apic && dest == APIC_X2APIC_BROADCAST)
		return true;
	if (!x2apic && dest == APIC_XAPIC_BROADCAST)
		return true;
	if (!logical)
		return dest == id;
	/* Logical: only within the format of the APIC's own mode. */
	if (x2apic != (mode == VLAPIC_X2APIC))
		return false;
	if (x2apic)
		return (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffff);
	lid = (u8)(ldr >> 24);
	mda = (u8)dest;
	if ((dfr & APIC_DFR_MODEL_MASK) == (APIC_DFR_FLAT & APIC_DFR_MODEL_MASK))
		return (mda & lid) != 0;
	if ((dfr & APIC_DFR_MODEL_MASK) == (APIC_DFR_CLUSTER & APIC_DFR_MODEL_MASK))
		return (mda >> 4) == (lid >> 4) && (mda & lid & 0xf);
	return false;	/* a reserved model matches nothing */
}

u8 vlapic_apr(struct vlapic *v)
{
	unsigned long flags = spin_lock_irqsave(&v->lock);
	u8 apr = vlapic_compute_apr_locked(v);

	spin_unlock_irqrestore(&v->lock, flags);
	return apr;
}

bool vlapic_sw_enabled(struct vlapic *v)
{
	unsigned long flags = spin_lock_irqsave(&v->lock);
	bool on = vlapic_cur_mode(v) != VLAPIC_DISABLED && v->sw_enabled;

	spin_unlock_irqrestore(&v->lock, flags);
	return on;
}

static int highest_pending_locked(struct vlapic *v)
{
	int vec;
	u8 ppr;

	if (vlapic_cur_mode(v) == VLAPIC_DISABLED)
		return -1;
	vlapic_pir_merge_locked(v);
	/* PPR from the page: a TPR shadow may have changed the TPR under us. */
	ppr = vlapic_update_ppr_locked(v);
	vec = vec_highest(v, APIC_IRR);
	if (vec < 0 || APIC_PRIO_CLASS((u8)vec) <= APIC_PRIO_CLASS(ppr))
		return -1;
	return vec;
}

int vlapic_highest_pending(struct vlapic *v)
{
	unsigned long flags = spin_lock_irqsave(&v->lock);
	int vec = highest_pending_locked(v);

	spin_unlock_irqrestore(&v->lock, flags);
	return vec;
}

bool vlapic_has_deliverable(struct vlapic *v)
{
	return vlapic_highest_pending(v) >= 0;
}

int vlapic_highest_irr(struct vlapic *v)
{
	unsigned long flags = spin_lock_irqsave(&v->lock);
	int vec;

	vlapic_pir_merge_locked(v);
	vec = vlapic_cur_mode(v) == VLAPIC_DISABLED ? -1 : vec_highest(v, APIC_IRR);

	spin_unlock_irqrestore(&v->lock, flags);
	return vec;
}

bool vlapic_ack(struct vlapic *v, u8 vector)
{
	unsigned long flags = spin_lock_irqsave(&v->lock);
	bool ok;

	vlapic_pir_merge_locked(v);
	ok = vec_test(v, APIC_IRR, vector);

	if (ok) {
		vec_clear(v, APIC_IRR, vector);
		vec_set(v, APIC_ISR, vector);
		vlapic_update_ppr_locked(v);
	}
	spin_unlock_irqrestore(&v->lock, flags);
	return ok;
}

/* LINT pin @pin: deliver if its (polarity-adjusted) level calls for it. */
static void lint_service_locked(struct vlapic *v, unsigned int pin, bool rising,
				struct vlapic_defer *d)
{
	enum vlapic_lvt which = pin ? VLAPIC_LVT_LINT1 : VLAPIC_LVT_LINT0;
	u32 lvt = vlapic_reg(v, vlapic_lvt_offset(which));
	bool asserted = ((v->lint_level >> pin) & 1) != !!(lvt & APIC_LVT_POLARITY_LOW);
	bool level = !pin && (lvt & APIC_LVT_LEVEL) &&
		     ((lvt & APIC_LVT_DM_MASK) >> APIC_LVT_DM_SHIFT) == APIC_DM_FIXED;

	if (level ? asserted && !(v->lint_remote_irr & (1u << pin)) : asserted && rising)
		vlapic_lvt_fire_locked(v, which, d);
}

void vlapic_lint(struct vlapic *v, unsigned int pin, bool level)
{
	struct vlapic_defer d;
	unsigned long flags;
	u32 lvt;
	bool was;

	if (pin > 1)
		return;
	flags = vlapic_lock_defer(v, &d);
	lvt = vlapic_reg(v, vlapic_lvt_offset(pin ? VLAPIC_LVT_LINT1 : VLAPIC_LVT_LINT0));
	was = ((v->lint_level >> pin) & 1) != !!(lvt & APIC_LVT_POLARITY_LOW);
	v->lint_level = (u8)((v->lint_level & ~(1u << pin)) | ((u32)level << pin));
	lint_service_locked(v, pin, !was, &d);
	vlapic_unlock_run(v, flags, &d);
}

void vlapic_lvt_event(struct vlapic *v, enum vlapic_lvt which)
{
	struct vlapic_defer d;
	unsigned long flags;

	if (which != VLAPIC_LVT_CMCI && which != VLAPIC_LVT_THERMAL && which != VLAPIC_LVT_PERF)
		return;
	flags = vlapic_lock_defer(v, &d);
	vlapic_lvt_fire_locked(v, which, &d);
	vlapic_unlock_run(v, flags, &d);
}

/* --------------------------------------------------------------- EOI */

/*
 * The rest of an EOI of @vec, once it left ISR: a level-triggered vector is
 * broadcast to the I/O APIC unless the guest suppressed that (SVR bit 12),
 * and releases a LINT pin waiting on it.
 */
static void eoi_vector_locked(struct vlapic *v, u8 vec, struct vlapic_defer *d)
{
	vlapic_update_ppr_locked(v);
	if (!vec_test(v, APIC_TMR, vec))
		return;
	if (!(v->cfg.eoi_suppress && (vlapic_reg(v, APIC_SVR) & APIC_SVR_EOI_SUPPRESS)))
		d->eoi = vec;
	for (unsigned int pin = 0; pin < 2; pin++) {
		u32 off = vlapic_lvt_offset(pin ? VLAPIC_LVT_LINT1 : VLAPIC_LVT_LINT0);
		u32 lvt = vlapic_reg(v, off);

		if ((v->lint_remote_irr & (1u << pin)) && (lvt & APIC_LVT_VECTOR) == (u32)vec) {
			v->lint_remote_irr &= (u8)~(1u << pin);
			vlapic_set_reg(v, off, lvt & ~APIC_LVT_REMOTE_IRR);
			lint_service_locked(v, pin, false, d);
		}
	}
}

/* EOI: retire the highest in-service vector; no in-service vector: nothing. */
void vlapic_eoi_locked(struct vlapic *v, struct vlapic_defer *d)
{
	int vec = vec_highest(v, APIC_ISR);

	if (vec < 0)
		return;
	vec_clear(v, APIC_ISR, (u8)vec);
	eoi_vector_locked(v, (u8)vec, d);
}

void vlapic_eoi_virtualised(struct vlapic *v, u8 vector)
{
	struct vlapic_defer d;
	unsigned long flags = vlapic_lock_defer(v, &d);

	/* The CPU cleared the vector's ISR bit; a stale one would block its class. */
	vec_clear(v, APIC_ISR, vector);
	eoi_vector_locked(v, vector, &d);
	vlapic_unlock_run(v, flags, &d);
}
