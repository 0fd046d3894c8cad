// SPDX-License-Identifier: MIT
/*
 * Instruction emulation for the exits that need it: an access to an
 * emulated MMIO page (the xAPIC page of the vCPU's local APIC, the I/O APIC,
 * any MMIO range on the VM's bus) and string I/O (INS/OUTS).
 *
 * The VT-x side of vmx/emul/: the guest's registers and segments come from
 * the VMCS, linear addresses go through the guest's own page tables
 * (vmx/emul/gpt_walk.c, with A/D updates by cmpxchg on guest RAM), the
 * instruction bytes are fetched through the same walk, and each access
 * lands in guest RAM, the local APIC, a device on the bus, or nowhere (the
 * VM is stopped with the instruction's bytes).  A fault found on the way is
 * injected into the guest as hardware would raise it: #PF with its error
 * code and CR2 (the guest's CR2 is live in the register: hv never takes a
 * page fault of its own), #GP or #SS from segmentation, #UD for bytes that
 * are no instruction.
 */
#include "vmx/exit.h"
#include "vmx/guest_state.h"
#include "vmx/inject.h"

#include "arch/x86/cpu.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "lib/x86_traps.h"
#include "vmx/dev/vlapic.h"
#include "vmx/emul/emulate.h"
#include "vmx/emul/gpt_walk.h"
#include "vmx/vcpu_lapic.h"
#include "vmx/vm/guest_mem.h"
#include "vmx/vm/vm.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_ops.h"

#define INSN_MAX	15

struct vcpu_emul {
	struct vcpu *v;
	struct gpt_walk_ctx walk;
	struct x86_emul_ctxt c;
};

/* ---------------------------------------------------------------- MMIO */

/* One access to a device page: the vCPU's own LAPIC first, then the VM's bus. */
static enum x86_emul_status emul_mmio(struct vcpu *v, u64 gpa, u64 *val, unsigned int size,
				      bool write)
{
	u64 base = vlapic_mmio_base(v->lapic);

	if (base != VLAPIC_NO_MMIO && gpa >= base && gpa - base < PAGE_SIZE) {
		if (write) {
			vlapic_mmio_write(v->lapic, gpa - base, size, *val);
			vcpu_lapic_touched(v);
		} else {
			*val = vlapic_mmio_read(v->lapic, gpa - base, size);
		}
		return X86_EMUL_DONE;
	}
	if (write ? vdev_mmio_write(&v->vm->bus, gpa, size, *val)
		  : vdev_mmio_read(&v->vm->bus, gpa, size, val))
		return X86_EMUL_DONE;
	pr_err("vm %s vcpu %u: %u-byte %s at guest-physical %#llx: no device there\n",
	       v->vm->cfg.name, v->id, size, write ? "write" : "read", gpa);
	return X86_EMUL_UNHANDLED;
}

/* ---------------------------------------------------------------- linear accesses */

static enum x86_emul_status emul_fault(struct x86_emul_ctxt *c, u8 vector, u32 error)
{
	c->fault = (struct x86_fault){ .vector = vector, .has_error = true, .error = error };
	return X86_EMUL_FAULT;
}

/*
 * Translate [la, la + size) and copy it from or to @val, piece by piece
 * (an access may cross a page: both pages are checked before either is
 * touched).  RAM pieces are copied; a device piece must be the whole access.
 */
static enum x86_emul_status emul_access(struct x86_emul_ctxt *c, u64 la, u64 *val,
					unsigned int size, unsigned int access)
{
	struct vcpu_emul *e = c->opaque;
	struct vm *vm = e->v->vm;
	struct gpt_range_result r;
	unsigned int done = 0;
	u8 *bytes = (u8 *)val;

	switch (gpt_translate_range(&e->walk, la, size, access, &r)) {
	case GPT_OK:
		break;
	case GPT_FAULT:
		c->fault = (struct x86_fault){ .vector = X86_TRAP_PF, .has_error = true,
					       .error = r.error_code, .cr2 = r.cr2 };
		return X86_EMUL_FAULT;
	case GPT_NONCANONICAL:
		return emul_fault(c, X86_TRAP_GP, 0);
	case GPT_AGAIN:
		return X86_EMUL_RETRY;
	default:
		pr_err("vm %s vcpu %u: linear %#llx: its page tables lie outside guest RAM\n",
		       vm->cfg.name, e->v->id, la);
		return X86_EMUL_UNHANDLED;
	}
	for (unsigned int i = 0; i < r.nr; i++) {
		u64 gpa = r.piece[i].gpa;
		u32 len = r.piece[i].len;

		if (guest_range_ok(vm, gpa, len)) {
			int rc = (access & GPT_ACC_WRITE) ? copy_to_guest(vm, gpa, bytes + done, len)
							  : copy_from_guest(vm, bytes + done, gpa, len);

			if (rc)
				return X86_EMUL_UNHANDLED;
		} else if (r.nr == 1) {
			return emul_mmio(e->v, gpa, val, size, access & GPT_ACC_WRITE);
		} else {
			pr_err("vm %s vcpu %u: an access at %#llx crosses into device memory\n",
			       vm->cfg.name, e->v->id, la);
			return X86_EMUL_UNHANDLED;
		}
		done += len;
	}
	return X86_EMUL_DONE;
}

static enum x86_emul_status emul_read_mem(struct x86_emul_ctxt *c, u64 la, u64 *val,
					  unsigned int size)
{
	*val = 0;
	return emul_access(c, la, val, size, 0);
}

static enum x86_emul_status emul_write_mem(struct x86_emul_ctxt *c, u64 la, u64 val,
					   unsigned int size)
{
	return emul_access(c, la, &val, size, GPT_ACC_WRITE);
}

/*
 * LOCKed read-modify-writes: atomic on guest RAM; a device has no other
 * observer to be atomic against, so it gets a plain write.
 */
static enum x86_emul_status emul_cmpxchg_mem(struct x86_emul_ctxt *c, u64 la, u64 *old,
					     u64 new_val, unsigned int size, bool *swapped)
{
	struct vcpu_emul *e = c->opaque;
	struct gpt_range_result r;
	int rc;

	if (gpt_translate_range(&e->walk, la, size, GPT_ACC_WRITE, &r) != GPT_OK || r.nr != 1)
		return emul_write_mem(c, la, new_val, size);	/* faults, splits: the slow way */
	rc = guest_cmpxchg(e->v->vm, r.piece[0].gpa, old, new_val, size);
	if (rc < 0) {
		*swapped = true;
		return emul_mmio(e->v, r.piece[0].gpa, &new_val, size, true);
	}
	*swapped = rc;
	return X86_EMUL_DONE;
}

static enum x86_emul_status emul_pio_in(struct x86_emul_ctxt *c, u16 port, unsigned int size,
					u32 *val)
{
	struct vcpu_emul *e = c->opaque;

	return vcpu_pio(e->v, port, size, true, val) ? X86_EMUL_DONE : X86_EMUL_UNHANDLED;
}

static enum x86_emul_status emul_pio_out(struct x86_emul_ctxt *c, u16 port, unsigned int size,
					 u32 val)
{
	struct vcpu_emul *e = c->opaque;

	return vcpu_pio(e->v, port, size, false, &val) ? X86_EMUL_DONE : X86_EMUL_UNHANDLED;
}

static const struct x86_emul_ops vcpu_emul_ops = {
	.read_mem = emul_read_mem,
	.write_mem = emul_write_mem,
	.cmpxchg_mem = emul_cmpxchg_mem,
	.pio_in = emul_pio_in,
	.pio_out = emul_pio_out,
};

/* ---------------------------------------------------------------- state */

/* The guest's paging and execution state from the VMCS. */
static void emul_load(struct vcpu *v, struct vcpu_emul *e)
{
	u32 cs_ar = (u32)vmcs_read(VMCS_GUEST_CS_AR);
	u64 efer = vmcs_read(VMCS_GUEST_EFER);

	memset(e, 0, sizeof(*e));
	e->v = v;
	e->walk = (struct gpt_walk_ctx){
		.cr0 = vmcs_guest_cr0(),
		.cr3 = vmcs_read(VMCS_GUEST_CR3),
		.cr4 = vmcs_guest_cr4(),
		.efer = efer,
		.rflags = vmcs_read(VMCS_GUEST_RFLAGS),
		.cpl = (u8)vmcs_guest_cpl(),
		.maxphyaddr = (u8)(cpuid_count(0x80000008u, 0).eax & 0xff),
		.gbpages = cpuid_count(0x80000001u, 0).edx & BIT(26),
		.read_gpa = guest_gpt_read,
		.cmpxchg_gpa = guest_gpt_cmpxchg,
		.opaque = v->vm,
	};
	/* With EPT, the VMCS holds the PDPTEs the guest's PAE paging loaded. */
	for (unsigned int i = 0; i < 4; i++)
		e->walk.pdpte[i] = vmcs_read(VMCS_GUEST_PDPTE0 + 2 * i);
	e->c.ops = &vcpu_emul_ops;
	e->c.opaque = e;
	memcpy(e->c.gpr, v->regs.r, sizeof(e->c.gpr));
	e->c.gpr[GPR_RSP] = vmcs_read(VMCS_GUEST_RSP);
	e->c.rip = vmcs_read(VMCS_GUEST_RIP);
	e->c.rflags = e->walk.rflags;
	for (unsigned int s = 0; s < X86_SEG_COUNT; s++) {
		e->c.seg[s].sel = (u16)vmcs_read(VMCS_GUEST_ES_SEL + 2 * s);
		e->c.seg[s].base = vmcs_read(VMCS_GUEST_ES_BASE + 2 * s);
		e->c.seg[s].limit = (u32)vmcs_read(VMCS_GUEST_ES_LIMIT + 2 * s);
		e->c.seg[s].ar = (u32)vmcs_read(VMCS_GUEST_ES_AR + 2 * s);
	}
	e->c.mode = (efer & EFER_LMA) && (cs_ar & BIT(13)) ? X86_MODE_64 :
		    (cs_ar & BIT(14)) ? X86_MODE_32 : X86_MODE_16;
	e->c.real_mode = !(e->walk.cr0 & X86_CR0_PE);
	e->c.cpl = e->walk.cpl;
	e->c.va_bits = (e->walk.cr4 & X86_CR4_LA57) ? 57 : 0;
}

/* Registers back to the vCPU (RIP only when the instruction completed). */
static void emul_store(struct vcpu *v, const struct vcpu_emul *e, bool done)
{
	u64 rsp = e->c.gpr[GPR_RSP];

	memcpy(v->regs.r, e->c.gpr, sizeof(v->regs.r));
	vmcs_write(VMCS_GUEST_RSP, rsp);
	vmcs_write(VMCS_GUEST_RFLAGS, e->c.rflags);
	if (done) {
		u64 intr = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);

		vmcs_write(VMCS_GUEST_RIP, e->c.rip);
		/* A completed instruction ends any STI / MOV SS shadow. */
		if (intr & (INTERRUPT_STI | INTERRUPT_MOV_SS))
			vmcs_write(VMCS_GUEST_INTERRUPTIBILITY,
				   intr & ~(u64)(INTERRUPT_STI | INTERRUPT_MOV_SS));
	}
}

/* Up to 15 bytes at CS:RIP, through the guest's page tables; how many were read. */
static size_t emul_fetch(struct vcpu_emul *e, u8 *bytes)
{
	u64 la = e->c.seg[X86_SEG_CS].base + e->c.rip;
	size_t n = INSN_MAX;
	struct gpt_range_result r;

	if (e->c.mode != X86_MODE_64)
		la = (u32)la;
	/* All 15 bytes if both pages are there; else what the first page holds. */
	if (gpt_translate_range(&e->walk, la, INSN_MAX, GPT_ACC_FETCH | GPT_ACC_NO_SIDE_EFFECTS,
				&r) != GPT_OK) {
		n = PAGE_SIZE - (la & (PAGE_SIZE - 1));
		if (n > INSN_MAX ||
		    gpt_translate_range(&e->walk, la, (u32)n, GPT_ACC_FETCH | GPT_ACC_NO_SIDE_EFFECTS,
					&r) != GPT_OK)
			return 0;
	}
	for (unsigned int i = 0, done = 0; i < r.nr; done += r.piece[i].len, i++)
		if (copy_from_guest(e->v->vm, bytes + done, r.piece[i].gpa, r.piece[i].len))
			return 0;
	return n;
}

enum exit_action vcpu_emulate(struct vcpu *v, const char *why)
{
	struct vcpu_emul e;
	struct x86_insn insn;
	u8 bytes[INSN_MAX] = { 0 };
	size_t n;
	enum x86_emul_status st;

	emul_load(v, &e);
	n = emul_fetch(&e, bytes);
	st = n ? x86_emulate_bytes(&e.c, bytes, n, &insn) : X86_EMUL_UNHANDLED;
	switch (st) {
	case X86_EMUL_DONE:
		emul_store(v, &e, true);
		v->emulated++;
		return EXIT_RESUME;
	case X86_EMUL_RETRY:
		emul_store(v, &e, false);
		return EXIT_RESUME;
	case X86_EMUL_FAULT:
		emul_store(v, &e, false);
		if (e.c.fault.vector == X86_TRAP_PF)
			write_cr2(e.c.fault.cr2);
		vcpu_inject_exception(v, e.c.fault.vector, e.c.fault.has_error, e.c.fault.error);
		return EXIT_RESUME;
	default:
		break;
	}
	pr_err("vm %s vcpu %u: %s: cannot emulate the instruction at rip %llx: %02x %02x %02x %02x "
	       "%02x %02x %02x %02x %02x %02x %02x %02x %02x %02x %02x (%zu bytes readable)\n",
	       v->vm->cfg.name, v->id, why, e.c.rip, bytes[0], bytes[1],
	       bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9],
	       bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], n);
	vm_stop(v->vm, "%s: instruction at rip %llx could not be emulated", why,
		e.c.rip);
	return EXIT_STOP;
}
