// SPDX-License-Identifier: MIT
/*
 * The virtual local APIC's register interface (vmx/dev/vlapic.h): reads and
 * writes in xAPIC form (MMIO offsets of the page, APIC-write exits) and in
 * x2APIC form (MSRs 0x800-0x8ff, with their #GP rules), and the ICR.  The
 * state behind the registers is in vlapic.c and vlapic_timer.c.
 */
#include "vmx/dev/vlapic_impl.h"

/* ------------------------------------------------------- writable bits */

static u32 svr_writable(const struct vlapic *v)
{
	return APIC_SVR_VECTOR | APIC_SVR_ENABLE | (v->cfg.eoi_suppress ? APIC_SVR_EOI_SUPPRESS : 0);
}

/* Bits software may set in LVT entry @which (SDM figure "Local Vector Table"). */
static u32 lvt_writable(const struct vlapic *v, enum vlapic_lvt which)
{
	switch (which) {
	case VLAPIC_LVT_TIMER:
		return APIC_LVT_VECTOR | APIC_LVT_MASKED |
		       (v->cfg.tsc_deadline ? APIC_LVT_TIMER_MASK : 1u << APIC_LVT_TIMER_SHIFT);
	case VLAPIC_LVT_LINT0:
	case VLAPIC_LVT_LINT1:
		return APIC_LVT_VECTOR | APIC_LVT_DM_MASK | APIC_LVT_POLARITY_LOW |
		       APIC_LVT_LEVEL | APIC_LVT_MASKED;
	case VLAPIC_LVT_ERROR:
		return APIC_LVT_VECTOR | APIC_LVT_MASKED;
	default:		/* CMCI, thermal, perf */
		return APIC_LVT_VECTOR | APIC_LVT_DM_MASK | APIC_LVT_MASKED;
	}
}

/* Read-only bits of an LVT entry: a write may carry them, they do not change. */
static u32 lvt_readonly(enum vlapic_lvt which)
{
	if (which == VLAPIC_LVT_LINT0 || which == VLAPIC_LVT_LINT1)
		return APIC_LVT_PENDING | APIC_LVT_REMOTE_IRR;
	return APIC_LVT_PENDING;
}

/* ---------------------------------------------------------------- ICR */

static void icr_send_locked(struct vlapic *v, struct vlapic_defer *d)
{
	u32 lo = vlapic_reg(v, APIC_ICR_LO), hi = vlapic_reg(v, APIC_ICR_HI);
	bool x2 = vlapic_cur_mode(v) == VLAPIC_X2APIC;
	struct apic_msg m = {
		.dest = x2 ? hi : hi >> APIC_ICR_XAPIC_DEST_SHIFT,
		.src = v->cfg.id,
		.vector = (u8)(lo & APIC_ICR_VECTOR),
		.delivery = (u8)((lo & APIC_ICR_DM_MASK) >> APIC_ICR_DM_SHIFT),
		.shorthand = (u8)((lo & APIC_ICR_SH_MASK) >> APIC_ICR_SH_SHIFT),
		.logical = lo & APIC_ICR_LOGICAL,
		.level = lo & APIC_ICR_LEVEL,
		.assert = lo & APIC_ICR_ASSERT,
		.x2apic = x2,
	};

	/* Reserved delivery modes send nothing. */
	if (m.delivery == APIC_DM_RESERVED || m.delivery == APIC_DM_EXTINT)
		return;
	/* An illegal vector is the sender's error; the message is not sent. */
	if ((m.delivery == APIC_DM_FIXED || m.delivery == APIC_DM_LOWEST) && m.vector < 16) {
		vlapic_raise_error_locked(v, APIC_ESR_SEND_ILLEGAL, d);
		return;
	}
	d->send = true;
	d->msg = m;
}

/* -------------------------------------------------------- registers */

static bool xapic_reg_exists(u32 off)
{
	switch (off) {
	case APIC_ID: case APIC_VERSION: case APIC_TPR: case APIC_APR: case APIC_PPR:
	case APIC_EOI: case APIC_RRD: case APIC_LDR: case APIC_DFR: case APIC_SVR:
	case APIC_ESR: case APIC_ICR_LO: case APIC_ICR_HI:
	case APIC_TIMER_ICR: case APIC_TIMER_CCR: case APIC_TIMER_DCR:
		return true;
	default:
		return (off >= APIC_ISR && off < APIC_IRR + 0x80) || vlapic_lvt_index(off) >= 0;
	}
}

static bool x2apic_reg_exists(u32 off)
{
	switch (off) {
	case APIC_APR: case APIC_RRD: case APIC_DFR: case APIC_ICR_HI:
		return false;
	case APIC_SELF_IPI:
		return true;
	default:
		return xapic_reg_exists(off);
	}
}

/* A register's value as a read sees it; computed registers are refreshed in the page. */
static u32 read_reg_locked(struct vlapic *v, u32 off)
{
	switch (off) {
	case APIC_PPR:
		return vlapic_update_ppr_locked(v);
	case APIC_APR:
		vlapic_set_reg(v, APIC_APR, vlapic_compute_apr_locked(v));
		break;
	case APIC_TIMER_CCR:
		vlapic_set_reg(v, APIC_TIMER_CCR, vlapic_timer_ccr_locked(v, v->cfg.ops->now(v->cfg.ctx)));
		break;
	case APIC_EOI:
	case APIC_SELF_IPI:
	case APIC_RRD:
		return 0;	/* write-only, or remote read (never valid) */
	default:
		break;
	}
	return vlapic_reg(v, off);
}

static void svr_write_locked(struct vlapic *v, u32 val)
{
	vlapic_set_reg(v, APIC_SVR, val & svr_writable(v));
	v->sw_enabled = val & APIC_SVR_ENABLE;
	/* Software disable masks every LVT entry (SDM 10.4.7.2). */
	if (!v->sw_enabled)
		for (int i = 0; i < APIC_LVT_COUNT; i++)
			vlapic_set_reg(v, vlapic_lvt_offset(i), vlapic_reg(v, vlapic_lvt_offset(i)) | APIC_LVT_MASKED);
}

static void lvt_write_locked(struct vlapic *v, enum vlapic_lvt which, u32 val,
			     struct vlapic_defer *d)
{
	u32 nv = val & lvt_writable(v, which);

	if (which == VLAPIC_LVT_TIMER)
		vlapic_timer_catch_up_locked(v, d);	/* an expiry due before the write */
	if (which == VLAPIC_LVT_LINT0 || which == VLAPIC_LVT_LINT1)
		if (v->lint_remote_irr & (1u << (which - VLAPIC_LVT_LINT0)))
			nv |= APIC_LVT_REMOTE_IRR;
	/* While software-disabled the mask bits cannot be cleared. */
	if (!v->sw_enabled)
		nv |= APIC_LVT_MASKED;
	vlapic_set_reg(v, vlapic_lvt_offset(which), nv);
	if (which == VLAPIC_LVT_TIMER)
		vlapic_timer_lvt_written_locked(v, nv);
}

/*
 * The side effects of writing @val to the register at @off, in the
 * current mode, after the caller's checks (x2APIC reserved bits).
 * Reserved bits are dropped; read-only registers ignore the write.
 */
static void write_reg_locked(struct vlapic *v, u32 off, u32 val, struct vlapic_defer *d)
{
	bool x2 = vlapic_cur_mode(v) == VLAPIC_X2APIC;
	int lvt = vlapic_lvt_index(off);

	if (lvt >= 0) {
		lvt_write_locked(v, (enum vlapic_lvt)lvt, val, d);
		return;
	}
	switch (off) {
	case APIC_ID:
		if (!x2) {
			v->xid = (u8)(val >> 24);
			vlapic_set_reg(v, APIC_ID, (u32)v->xid << 24);
		}
		break;
	case APIC_TPR:
		vlapic_set_reg(v, APIC_TPR, val & APIC_TPR_MASK);
		vlapic_update_ppr_locked(v);
		break;
	case APIC_EOI:
		vlapic_eoi_locked(v, d);
		break;
	case APIC_LDR:
		if (!x2)
			vlapic_set_reg(v, APIC_LDR, val & 0xff000000u);
		break;
	case APIC_DFR:
		if (!x2)
			vlapic_set_reg(v, APIC_DFR, (val & APIC_DFR_MODEL_MASK) | ~APIC_DFR_MODEL_MASK);
		break;
	case APIC_SVR:
		svr_write_locked(v, val);
		break;
	case APIC_ESR:
		/* Latch what was seen since the last write, start a new record. */
		vlapic_set_reg(v, APIC_ESR, v->esr_pending);
		v->esr_pending = 0;
		v->esr_armed = true;
		break;
	case APIC_ICR_LO:
		vlapic_set_reg(v, APIC_ICR_LO, val & (APIC_ICR_VECTOR | APIC_ICR_DM_MASK |
						      APIC_ICR_LOGICAL | APIC_ICR_ASSERT |
						      APIC_ICR_LEVEL | APIC_ICR_SH_MASK));
		icr_send_locked(v, d);
		break;
	case APIC_ICR_HI:
		vlapic_set_reg(v, APIC_ICR_HI, x2 ? val : val & 0xff000000u);
		break;
	case APIC_TIMER_ICR:
		vlapic_timer_catch_up_locked(v, d);
		vlapic_timer_write_icr_locked(v, val);
		break;
	case APIC_TIMER_DCR:
		vlapic_timer_catch_up_locked(v, d);
		vlapic_timer_write_dcr_locked(v, val);
		break;
	case APIC_SELF_IPI:
		if (!x2)
			break;
		if ((u8)val < 16)
			vlapic_raise_error_locked(v, APIC_ESR_SEND_ILLEGAL, d);
		else
			vlapic_accept_locked(v, (u8)val, false, d);
		break;
	default:
		if (!xapic_reg_exists(off))
			vlapic_raise_error_locked(v, APIC_ESR_ILLEGAL_REG, d);
		break;	/* read-only */
	}
}

u64 vlapic_mmio_read(struct vlapic *v, u64 offset, unsigned int size)
{
	u64 ones = size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
	struct vlapic_defer d;
	unsigned long flags;
	u32 off = (u32)(offset & ~0xfull), byte = (u32)(offset & 0xf), val = 0;

	if (offset >= APIC_REG_PAGE_SIZE || !size)
		return ones;
	flags = vlapic_lock_defer(v, &d);
	vlapic_pir_merge_locked(v);
	if (vlapic_cur_mode(v) != VLAPIC_XAPIC) {
		vlapic_unlock_run(v, flags, &d);
		return ones;
	}
	if (!xapic_reg_exists(off) || off == APIC_SELF_IPI)
		vlapic_raise_error_locked(v, APIC_ESR_ILLEGAL_REG, &d);
	else
		val = read_reg_locked(v, off);
	vlapic_unlock_run(v, flags, &d);
	if (byte >= 4)
		return 0;	/* bytes 4..15 of a register's slot */
	return (val >> (byte * 8)) & (u32)ones;
}

void vlapic_mmio_write(struct vlapic *v, u64 offset, unsigned int size, u64 val)
{
	struct vlapic_defer d;
	unsigned long flags;

	/* Only whole, aligned registers: narrower stores are model-specific. */
	if (offset >= APIC_REG_PAGE_SIZE || (offset & 0xf) || (size != 4 && size != 8))
		return;
	flags = vlapic_lock_defer(v, &d);
	if (vlapic_cur_mode(v) == VLAPIC_XAPIC) {
		if (offset == APIC_SELF_IPI)
			vlapic_raise_error_locked(v, APIC_ESR_ILLEGAL_REG, &d);
		else
			write_reg_locked(v, (u32)offset, (u32)val, &d);
	}
	vlapic_unlock_run(v, flags, &d);
}

static u64 vlapic_mmio_op_read(void *dev, u64 offset, unsigned int size)
{
	return vlapic_mmio_read(dev, offset, size);
}

static void vlapic_mmio_op_write(void *dev, u64 offset, unsigned int size, u64 val)
{
	vlapic_mmio_write(dev, offset, size, val);
}

const struct vdev_mmio_ops vlapic_mmio_ops = {
	.read = vlapic_mmio_op_read,
	.write = vlapic_mmio_op_write,
};

void vlapic_apic_write_exit(struct vlapic *v, u32 offset)
{
	struct vlapic_defer d;
	unsigned long flags;

	if (offset >= APIC_REG_PAGE_SIZE || (offset & 0xf))
		return;
	flags = vlapic_lock_defer(v, &d);
	if (vlapic_cur_mode(v) != VLAPIC_DISABLED)
		write_reg_locked(v, offset, vlapic_reg(v, offset), &d);
	vlapic_unlock_run(v, flags, &d);
}

/* Bits an x2APIC WRMSR may not set in the register at @off (beyond bit 31: all). */
static u32 x2apic_reserved(const struct vlapic *v, u32 off)
{
	int lvt = vlapic_lvt_index(off);

	if (lvt >= 0)
		return ~(lvt_writable(v, (enum vlapic_lvt)lvt) | lvt_readonly((enum vlapic_lvt)lvt));
	switch (off) {
	case APIC_TPR:
		return ~APIC_TPR_MASK;
	case APIC_SVR:
		return ~svr_writable(v);
	case APIC_EOI:
	case APIC_ESR:
		return ~0u;		/* only 0 may be written */
	case APIC_ICR_LO:
		return ~(APIC_ICR_VECTOR | APIC_ICR_DM_MASK | APIC_ICR_LOGICAL | APIC_ICR_ASSERT |
			 APIC_ICR_LEVEL | APIC_ICR_SH_MASK);
	case APIC_TIMER_DCR:
		return ~APIC_DCR_MASK;
	case APIC_SELF_IPI:
		return ~APIC_ICR_VECTOR;
	default:
		return 0;
	}
}

static bool x2apic_writable(u32 off)
{
	switch (off) {
	case APIC_TPR: case APIC_EOI: case APIC_SVR: case APIC_ESR: case APIC_ICR_LO:
	case APIC_TIMER_ICR: case APIC_TIMER_DCR: case APIC_SELF_IPI:
		return true;
	default:
		return vlapic_lvt_index(off) >= 0;
	}
}

int vlapic_msr_read(struct vlapic *v, u32 msr, u64 *val)
{
	struct vlapic_defer d;
	unsigned long flags;
	u32 off;
	int ret = VLAPIC_OK;

	if (msr < X2APIC_MSR_FIRST || msr > X2APIC_MSR_LAST)
		return VLAPIC_GP;
	off = X2APIC_MSR_OFFSET(msr);
	flags = vlapic_lock_defer(v, &d);
	vlapic_pir_merge_locked(v);
	if (vlapic_cur_mode(v) != VLAPIC_X2APIC || !x2apic_reg_exists(off) || off == APIC_EOI ||
	    off == APIC_SELF_IPI)
		ret = VLAPIC_GP;
	else if (off == APIC_ICR_LO)
		*val = (u64)vlapic_reg(v, APIC_ICR_HI) << 32 | vlapic_reg(v, APIC_ICR_LO);
	else
		*val = read_reg_locked(v, off);
	vlapic_unlock_run(v, flags, &d);
	return ret;
}

int vlapic_msr_write(struct vlapic *v, u32 msr, u64 val)
{
	struct vlapic_defer d;
	unsigned long flags;
	u32 off;
	int ret = VLAPIC_GP;

	if (msr < X2APIC_MSR_FIRST || msr > X2APIC_MSR_LAST)
		return VLAPIC_GP;
	off = X2APIC_MSR_OFFSET(msr);
	if (!x2apic_reg_exists(off) || !x2apic_writable(off))
		return VLAPIC_GP;
	if (off != APIC_ICR_LO && (val >> 32))
		return VLAPIC_GP;
	flags = vlapic_lock_defer(v, &d);
	if (vlapic_cur_mode(v) != VLAPIC_X2APIC || ((u32)val & x2apic_reserved(v, off)))
		goto out;
	/* The timer mode 11b is reserved. */
	if (off == APIC_LVT_TIMER &&
	    ((u32)val & APIC_LVT_TIMER_MASK) == APIC_LVT_TIMER_MASK)
		goto out;
	if (off == APIC_ICR_LO)
		vlapic_set_reg(v, APIC_ICR_HI, (u32)(val >> 32));
	write_reg_locked(v, off, (u32)val, &d);
	ret = VLAPIC_OK;
out:
	vlapic_unlock_run(v, flags, &d);
	return ret;
}

u8 vlapic_tpr_read(struct vlapic *v)
{
	unsigned long flags = spin_lock_irqsave(&v->lock);
	u8 tpr = (u8)vlapic_reg(v, APIC_TPR);

	spin_unlock_irqrestore(&v->lock, flags);
	return tpr;
}

void vlapic_tpr_write(struct vlapic *v, u8 tpr)
{
	unsigned long flags = spin_lock_irqsave(&v->lock);

	vlapic_set_reg(v, APIC_TPR, tpr);
	vlapic_update_ppr_locked(v);
	spin_unlock_irqrestore(&v->lock, flags);
}
