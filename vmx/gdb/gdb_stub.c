// SPDX-License-Identifier: MIT
/*
 * The GDB stub's bare-metal side: gdb='s UART, the VM GDB debugs, and the
 * hold of its vCPUs (vmx/gdb/gdb_stub.h, docs/gdb.md).
 *
 * Who runs what.  The protocol (struct gdb_proto) and everything GDB asks
 * for run on the BSP only, with interrupts off: from the UART's interrupt
 * and from GDB_NOTIFY_VECTOR, an IPI the last vCPU to hold sends.  Both
 * come through the IDT or as a VM exit of the BSP's own vCPU, so no lock
 * guards the BSP's state.  A vCPU is read and changed only while it holds:
 * it published a copy of its state (struct gdb_vcpu) before it counted
 * itself in gdb_nheld, and it takes GDB's changes back into its VMCS when
 * it leaves.  The hand-off is rule R17 of docs/locking.md.
 */
#include "vmx/gdb/gdb_stub.h"

#include "arch/x86/cpu.h"
#include "arch/x86/ioapic.h"
#include "arch/x86/lapic.h"
#include "arch/x86/percpu.h"
#include "arch/x86/traps.h"
#include "arch/x86/uart.h"
#include "lib/atomic.h"
#include "lib/errno.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "lib/x86_regs.h"
#include "vmx/caps.h"
#include "vmx/dev/vlapic.h"
#include "vmx/emul/gpt_walk.h"
#include "vmx/guest_state.h"
#include "vmx/gdb/gdb_proto.h"
#include "vmx/vcpu.h"
#include "vmx/vcpu_run.h"
#include "vmx/vm/guest_mem.h"
#include "vmx/vm/vm.h"
#include "vmx/vmx_ops.h"

#define GDB_SW_BPS		64
#define GDB_HW_BPS		4	/* DR0..DR3 */
#define GDB_IRQ_BUDGET		8192
#define INT3			0xcc

/* What a vCPU publishes when it holds, and what GDB leaves for it (R17). */
struct gdb_vcpu {
	u64 regs[GDB_NREGS];
	u64 dirty;		/* BSP: registers GDB wrote */
	bool run;		/* BSP: leave the hold at the next resume */
	bool step;		/* BSP: ... for one instruction (monitor trap flag) */
	/* The walk context of its paging, as held. */
	u64 cr0, cr4, pdpte[4];
	u8 cpl;
	/* Owner only. */
	u32 seq;		/* gdb_resume_seq when it last looked */
	bool stepping;		/* MTF or TF armed for GDB's step */
	bool step_tf;		/* ... TF: MTF not offered or not (yet) seen to work */
	bool probing;		/* MTF armed on a continue: does its exit come? */
	bool tf_was_set;	/* ... and the guest's own TF when the step began */
	u64 step_rip;		/* RIP when the step began */
	u64 watch_addr;		/* the watchpoint its stop event hit (copy before count, R17) */
	bool owns_dr;		/* DR0-3/DR7 are GDB's; the guest's are below */
	u64 guest_dr[4], guest_dr6, guest_dr7;
} __cacheline_aligned;

struct gdb_sw_bp {
	bool used;
	u64 addr;		/* guest-virtual, as GDB gave it */
	u64 gpa;		/* where the INT3 went */
	u8 orig;
};

/* BSP-only state. */
static u16 gdb_port;
static u32 gdb_apic;
static struct gdb_proto gdb_p;
static bool gdb_waiting;		/* a stop was asked for (or a resume made) */
static bool gdb_told_novm;
static struct gdb_sw_bp gdb_sw[GDB_SW_BPS];

/* Shared with the vCPUs (R17). */
static struct vm *gdb_vm;		/* GDB's VM: set by the BSP, read with READ_ONCE */
static u32 gdb_active;			/* GDB is attached: #BP/#DB trapped, DRs GDB's */
static u32 gdb_halt;			/* every vCPU of gdb_vm must hold */
static u32 gdb_nheld;			/* vCPUs holding (fetch_add / fetch_sub) */
static u32 gdb_resume_seq;		/* bumped by each resume (store_release) */
static u32 gdb_event;			/* first stop event: kind << 8 | thread, 0 = none */
static u64 gdb_hw_addr[GDB_HW_BPS];
static u8 gdb_hw_type[GDB_HW_BPS];	/* DRn's enum gdb_bp_type: HW, WRITE or ACCESS */
static u8 gdb_hw_rwlen[GDB_HW_BPS];	/* DRn's R/W and LEN fields for DR7 (4 bits) */
static u32 gdb_hw_mask;			/* DRn in use by GDB */
static struct gdb_vcpu gdb_vcpus[VM_MAX_VCPUS];
/*
 * Does the monitor trap flag work?  A CPU may offer it and not deliver its
 * exit (Bochs 2.7, docs/gdb.md), so the first continues find out
 * (gdb_mtf_probe_end()); until then, and if not, steps use RFLAGS.TF.  Set
 * once by any vCPU, read at each resume; no ordering: a resume that reads
 * the old value probes again or steps with TF, both correct.
 */
enum { GDB_MTF_UNKNOWN, GDB_MTF_WORKS, GDB_MTF_MISSED };
static u32 gdb_mtf_state;

#define GDB_EVENT(kind, tid)	((u32)(kind) << 8 | (tid))

/* GPRs in GDB's order (rax rbx rcx rdx rsi rdi rbp rsp r8..r15). */
static const u8 gdb_gpr_map[16] = {
	GPR_RAX, GPR_RBX, GPR_RCX, GPR_RDX, GPR_RSI, GPR_RDI, GPR_RBP, GPR_RSP,
	GPR_R8, GPR_R9, GPR_R10, GPR_R11, GPR_R12, GPR_R13, GPR_R14, GPR_R15,
};

/* --------------------------------------------------------------- debug registers */

static u64 dr_read(unsigned int n)
{
	u64 v = 0;

	switch (n) {
	case 0: __asm__ __volatile__("mov %%db0, %0" : "=r"(v)); break;
	case 1: __asm__ __volatile__("mov %%db1, %0" : "=r"(v)); break;
	case 2: __asm__ __volatile__("mov %%db2, %0" : "=r"(v)); break;
	case 3: __asm__ __volatile__("mov %%db3, %0" : "=r"(v)); break;
	case 6: __asm__ __volatile__("mov %%db6, %0" : "=r"(v)); break;
	default: break;
	}
	return v;
}

static void dr_write(unsigned int n, u64 v)
{
	switch (n) {
	case 0: __asm__ __volatile__("mov %0, %%db0" ::"r"(v)); break;
	case 1: __asm__ __volatile__("mov %0, %%db1" ::"r"(v)); break;
	case 2: __asm__ __volatile__("mov %0, %%db2" ::"r"(v)); break;
	case 3: __asm__ __volatile__("mov %0, %%db3" ::"r"(v)); break;
	case 6: __asm__ __volatile__("mov %0, %%db6" ::"r"(v)); break;
	default: break;
	}
}

/* DR7's R/W field: what a debug register watches (SDM "Debug Control Register"). */
#define DR7_RW_EXEC		0
#define DR7_RW_WRITE		1
#define DR7_RW_ACCESS		3	/* reads and writes */
#define DR7_RWLEN_SHIFT(n)	(16 + 4 * (n))

/*
 * The R/W and LEN fields for a breakpoint of @type on @len bytes at @addr,
 * or -HV_EINVAL where a debug register cannot: data of 1, 2, 4 or 8 bytes,
 * aligned to its length; execution with LEN 00.
 */
static int gdb_dr7_rwlen(enum gdb_bp_type type, u64 addr, u64 len)
{
	static const u8 len_field[9] = { [1] = 0, [2] = 1, [4] = 3, [8] = 2 };

	if (type == GDB_BP_HW)
		return DR7_RW_EXEC;
	if ((len != 1 && len != 2 && len != 4 && len != 8) || (addr & (len - 1)))
		return -HV_EINVAL;
	return (type == GDB_BP_WRITE ? DR7_RW_WRITE : DR7_RW_ACCESS) | len_field[len] << 2;
}

/* DR7 for GDB's breakpoints: Ln for each, with its R/W and LEN. */
static u64 gdb_dr7(u32 mask)
{
	u64 dr7 = X86_DR7_FIXED;

	for (unsigned int i = 0; i < GDB_HW_BPS; i++)
		if (mask & BIT(i))
			dr7 |= X86_DR7_L(i) |
			       (u64)READ_ONCE(gdb_hw_rwlen[i]) << DR7_RWLEN_SHIFT(i);
	return dr7;
}

static bool gdb_mine(const struct vcpu *v);
static void gdb_vcpu_event(struct vcpu *v, enum gdb_stop_kind kind);
static size_t gdb_access(unsigned int tid, u64 addr, u8 *rd, const u8 *wr, size_t len);

#define PUSHF			0x9c
#define OPSIZE_PREFIX		0x66

/*
 * A TF step ran PUSHF: the copy it pushed has the TF we set, not the
 * guest's (clear).  Put the guest's into it: TF is bit 8, in the low two
 * bytes of every size PUSHF pushes.  Prefixes other than 66h and one REX
 * are not looked through (a PUSHF behind them keeps TF in its copy).
 */
static void gdb_step_fix_pushf(struct vcpu *v)
{
	struct gdb_vcpu *g = &gdb_vcpus[v->id];
	u64 sp = vmcs_read(VMCS_GUEST_RSP) + vmcs_read(VMCS_GUEST_SS_BASE);
	u8 insn[2], fl[2];

	if (gdb_access(v->id + 1, g->step_rip + vmcs_read(VMCS_GUEST_CS_BASE), insn, NULL, 2) != 2)
		return;
	if (insn[0] != PUSHF &&
	    !((insn[0] == OPSIZE_PREFIX || (insn[0] & 0xf0) == 0x40) && insn[1] == PUSHF))
		return;
	if (gdb_access(v->id + 1, sp, fl, NULL, 2) != 2)
		return;
	fl[1] &= ~(u8)(X86_RFLAGS_TF >> 8);
	gdb_access(v->id + 1, sp, NULL, fl, 2);
}

/* The step is over (MTF exit, or TF's #DB without MTF): MTF off, the guest's TF as it was. */
static bool gdb_step_end(struct vcpu *v)
{
	struct gdb_vcpu *g = &gdb_vcpus[v->id];

	/*
	 * An end with RIP where the step began ran no instruction: Bochs 2.7
	 * reports one (TF's #DB) at the entry after an exit that came in the
	 * middle of the instruction (an EPT violation on its first access).
	 * Keep stepping.  The price: "stepi" on a jump to itself never ends
	 * (Ctrl-C stops it).
	 */
	if (g->stepping && vmcs_read(VMCS_GUEST_RIP) == g->step_rip)
		return true;
	v->proc_ctls &= ~PROC_MTF;
	vmcs_write(VMCS_PROC_CTLS, v->proc_ctls);
	WRITE_ONCE(v->intr_pending, 1);		/* window exits back on the controls */
	if (!g->stepping)
		return false;
	g->stepping = false;
	if (g->step_tf) {
		u64 rf = vmcs_read(VMCS_GUEST_RFLAGS);

		vmcs_write(VMCS_GUEST_RFLAGS,
			   g->tf_was_set ? rf | X86_RFLAGS_TF : rf & ~X86_RFLAGS_TF);
		if (!g->tf_was_set)
			gdb_step_fix_pushf(v);
	}
	if (gdb_mine(v))
		gdb_vcpu_event(v, GDB_STOP_SIGNAL);
	return true;
}

/* --------------------------------------------------------------- the hold (vCPU side) */

static bool gdb_mine(const struct vcpu *v)
{
	return READ_ONCE(gdb_vm) == v->vm && READ_ONCE(gdb_active);
}

bool gdb_vcpu_must_hold(struct vcpu *v)
{
	/* R17: pairs with the store of gdb_halt before the kick in gdb_halt_vm(). */
	return READ_ONCE(gdb_vm) == v->vm && load_acquire(&gdb_halt);
}

/* Count @v held; the last one tells the BSP. */
static void gdb_count_held(void)
{
	struct vm *vm = READ_ONCE(gdb_vm);

	/*
	 * R17: a LOCK'd RMW, a full barrier: the published copy (and the
	 * event) before the count; pairs with the load_acquire of gdb_nheld in
	 * gdb_check_stopped().
	 */
	if (vm && fetch_add(&gdb_nheld, 1) + 1 == vm->nvcpus)
		lapic_send_fixed(gdb_apic, GDB_NOTIFY_VECTOR);
}

void gdb_vcpu_hold_begin(struct vcpu *v)
{
	struct gdb_vcpu *g = &gdb_vcpus[v->id];

	for (unsigned int i = 0; i < 16; i++)
		g->regs[GDB_RAX + i] = gdb_gpr_map[i] == GPR_RSP ? vmcs_read(VMCS_GUEST_RSP) :
				       v->regs.r[gdb_gpr_map[i]];
	g->regs[GDB_RIP] = vmcs_read(VMCS_GUEST_RIP);
	g->regs[GDB_EFLAGS] = vmcs_read(VMCS_GUEST_RFLAGS);
	g->regs[GDB_CS] = vmcs_read(VMCS_GUEST_CS_SEL);
	g->regs[GDB_SS] = vmcs_read(VMCS_GUEST_SS_SEL);
	g->regs[GDB_DS] = vmcs_read(VMCS_GUEST_DS_SEL);
	g->regs[GDB_ES] = vmcs_read(VMCS_GUEST_ES_SEL);
	g->regs[GDB_FS] = vmcs_read(VMCS_GUEST_FS_SEL);
	g->regs[GDB_GS] = vmcs_read(VMCS_GUEST_GS_SEL);
	for (unsigned int r = GDB_ST0; r <= GDB_FOP; r++)
		g->regs[r] = 0;		/* x87 state is not read: reported as after FNINIT */
	g->regs[GDB_FCTRL] = 0x37f;
	g->regs[GDB_FTAG] = 0xffff;
	g->regs[GDB_FS_BASE] = vmcs_read(VMCS_GUEST_FS_BASE);
	g->regs[GDB_GS_BASE] = vmcs_read(VMCS_GUEST_GS_BASE);
	g->regs[GDB_K_GS_BASE] = rdmsr(MSR_KERNEL_GS_BASE);
	g->regs[GDB_CR0] = vmcs_guest_cr0();
	g->regs[GDB_CR2] = read_cr2();
	g->regs[GDB_CR3] = vmcs_read(VMCS_GUEST_CR3);
	g->regs[GDB_CR4] = vmcs_guest_cr4();
	g->regs[GDB_CR8] = vlapic_tpr_read(v->lapic) >> 4;
	g->regs[GDB_EFER] = vmcs_read(VMCS_GUEST_EFER);
	g->cr0 = vmcs_read(VMCS_GUEST_CR0);
	g->cr4 = vmcs_read(VMCS_GUEST_CR4);
	for (unsigned int i = 0; i < 4; i++)
		g->pdpte[i] = vmcs_read(VMCS_GUEST_PDPTE0 + 2 * i);
	g->cpl = (u8)vmcs_guest_cpl();
	g->dirty = 0;
	g->run = false;
	g->step = false;
	/*
	 * R17: the resume number we hold under, read before we count
	 * ourselves: no resume can come before the count is complete, so the
	 * next new number is the one that lets us go.  Pairs with the
	 * store_release in gdb_resume().
	 */
	g->seq = load_acquire(&gdb_resume_seq);
	gdb_count_held();
}

bool gdb_vcpu_hold_done(struct vcpu *v)
{
	struct gdb_vcpu *g = &gdb_vcpus[v->id];
	/* R17: pairs with the store_release of gdb_resume_seq in gdb_resume(): run, step, regs. */
	u32 seq = load_acquire(&gdb_resume_seq);

	if (vm_is_stopped(v->vm))
		return true;
	if (seq == g->seq)
		return false;
	g->seq = seq;
	if (!g->run)
		return false;	/* stays held (another vCPU steps) */
	/*
	 * R17: gdb_resume() took us out of the count already.  A stop that
	 * began since (another vCPU's breakpoint) cannot be complete without
	 * us: we see its gdb_halt and stay, counted again, with the copy we
	 * published still right (we never ran); or we go, and its kick brings
	 * us back.  Pairs with the store_release of gdb_halt in gdb_halt_vm(),
	 * which that vCPU makes before it counts itself (a full barrier).
	 */
	if (READ_ONCE(gdb_halt)) {
		g->run = false;
		gdb_count_held();
		return false;
	}
	return true;
}

void gdb_vcpu_hold_end(struct vcpu *v)
{
	struct gdb_vcpu *g = &gdb_vcpus[v->id];
	bool active = READ_ONCE(gdb_active);
	u64 d = g->dirty;

	if (vm_is_stopped(v->vm))
		active = false;
	for (unsigned int i = 0; i < 16; i++) {
		if (!(d & BIT(GDB_RAX + i)))
			continue;
		if (gdb_gpr_map[i] == GPR_RSP)
			vmcs_write(VMCS_GUEST_RSP, g->regs[GDB_RAX + i]);
		else
			v->regs.r[gdb_gpr_map[i]] = g->regs[GDB_RAX + i];
	}
	if (d & BIT(GDB_RIP))
		vmcs_write(VMCS_GUEST_RIP, g->regs[GDB_RIP]);
	if (d & BIT(GDB_EFLAGS))	/* bit 1 is always 1; the rest as GDB gave them */
		vmcs_write(VMCS_GUEST_RFLAGS, (g->regs[GDB_EFLAGS] & 0xffffffffull) | BIT(1));
	if (d & BIT(GDB_FS_BASE))
		vmcs_write(VMCS_GUEST_FS_BASE, g->regs[GDB_FS_BASE]);
	if (d & BIT(GDB_GS_BASE))
		vmcs_write(VMCS_GUEST_GS_BASE, g->regs[GDB_GS_BASE]);
	if (d & BIT(GDB_K_GS_BASE))
		wrmsr(MSR_KERNEL_GS_BASE, g->regs[GDB_K_GS_BASE]);
	g->dirty = 0;

	if (active) {
		u32 mask = READ_ONCE(gdb_hw_mask);

		if (!g->owns_dr) {
			/* The guest's debug registers go aside; MOV DR works on them from now. */
			for (unsigned int i = 0; i < 4; i++)
				g->guest_dr[i] = dr_read(i);
			g->guest_dr6 = dr_read(6);
			g->guest_dr7 = vmcs_read(VMCS_GUEST_DR7);
			g->owns_dr = true;
			v->proc_ctls |= PROC_MOV_DR_EXIT;
		}
		for (unsigned int i = 0; i < GDB_HW_BPS; i++)
			dr_write(i, (mask & BIT(i)) ? READ_ONCE(gdb_hw_addr[i]) : 0);
		vmcs_write(VMCS_GUEST_DR7, gdb_dr7(mask));
		vmcs_write(VMCS_EXCEPTION_BITMAP, BIT(X86_EXC_DB) | BIT(X86_EXC_BP));
		g->stepping = g->step;
		g->probing = false;
		v->proc_ctls &= ~PROC_MTF;
		if (!g->step && vmx_caps.mtf && READ_ONCE(gdb_mtf_state) == GDB_MTF_UNKNOWN) {
			/* A continue: MTF for one instruction tells whether its exit comes. */
			g->probing = true;
			g->step_rip = vmcs_read(VMCS_GUEST_RIP);
			v->proc_ctls |= PROC_MTF;
		}
		if (g->step) {
			/*
			 * The monitor trap flag ends the step after one
			 * instruction and leaves RFLAGS alone (a PUSHF in the
			 * step pushes the guest's own TF).  Where MTF is not
			 * offered or not seen to work, RFLAGS.TF, whose #DB we
			 * trap; the end puts the guest's TF back.
			 */
			g->step_rip = vmcs_read(VMCS_GUEST_RIP);
			g->step_tf = READ_ONCE(gdb_mtf_state) != GDB_MTF_WORKS;
			if (g->step_tf) {
				u64 rf = vmcs_read(VMCS_GUEST_RFLAGS);

				g->tf_was_set = rf & X86_RFLAGS_TF;
				vmcs_write(VMCS_GUEST_RFLAGS, rf | X86_RFLAGS_TF);
			} else {
				v->proc_ctls |= PROC_MTF;
			}
		}
	} else {
		if (g->owns_dr) {
			for (unsigned int i = 0; i < 4; i++)
				dr_write(i, g->guest_dr[i]);
			dr_write(6, g->guest_dr6);
			vmcs_write(VMCS_GUEST_DR7, g->guest_dr7);
			g->owns_dr = false;
			v->proc_ctls &= ~PROC_MOV_DR_EXIT;
		}
		vmcs_write(VMCS_EXCEPTION_BITMAP, 0);
		g->stepping = false;
		g->probing = false;
		v->proc_ctls &= ~PROC_MTF;
	}
	g->step = false;
	vmcs_write(VMCS_PROC_CTLS, v->proc_ctls);
	/* Look again at what to inject (and rebuild the window exits on the controls). */
	WRITE_ONCE(v->intr_pending, 1);
}

/* --------------------------------------------------------------- stopping the VM */

/* Ask every vCPU of @vm to hold (any CPU). */
static void gdb_halt_vm(struct vm *vm)
{
	/*
	 * R17: gdb_halt before each vCPU's look-again flag and its kick
	 * (vcpu_wake() fences before the IPI); pairs with the load_acquire
	 * in gdb_vcpu_must_hold(), which a kicked vCPU reaches before its
	 * next entry.
	 */
	store_release(&gdb_halt, 1);
	for (unsigned int i = 0; i < vm->nvcpus; i++) {
		struct vcpu *w = vm->vcpus[i];

		WRITE_ONCE(w->intr_pending, 1);
		if (w->pcpu != arch_cpu_id())
			vcpu_wake(w);
	}
}

/* @v met a GDB event (its exit handler): the first one is the stop's reason. */
static void gdb_vcpu_event(struct vcpu *v, enum gdb_stop_kind kind)
{
	/* First event wins; ordered before gdb_halt by the release in gdb_halt_vm() (R17). */
	cmpxchg(&gdb_event, 0, GDB_EVENT(kind, v->id + 1));
	/* R17: the event, then gdb_halt, then (in gdb_vcpu_hold_begin()) the count. */
	gdb_halt_vm(v->vm);
}

/* BSP: report the stop once every vCPU holds (or the VM is gone). */
static void gdb_check_stopped(void)
{
	struct vm *vm = gdb_vm;
	u32 ev;

	if (!gdb_waiting || !vm)
		return;
	if (vm_is_stopped(vm)) {
		gdb_waiting = false;
		WRITE_ONCE(gdb_active, 0);
		gdb_proto_stopped(&gdb_p, GDB_STOP_EXITED, 0, 1);
		return;
	}
	/* R17: pairs with the fetch_add in gdb_count_held(): every copy is published. */
	if (load_acquire(&gdb_nheld) != vm->nvcpus)
		return;
	gdb_waiting = false;
	ev = READ_ONCE(gdb_event);
	if (!ev)
		gdb_proto_stopped(&gdb_p, GDB_STOP_SIGNAL, gdb_p.stopping ? GDB_SIGINT : GDB_SIGTRAP,
				  1);
	else
		gdb_proto_stopped_at(&gdb_p, (enum gdb_stop_kind)(ev >> 8), GDB_SIGTRAP, ev & 0xff,
				     gdb_vcpus[(ev & 0xff) - 1].watch_addr);
}

/* BSP: let the held vCPUs go (@step_tid alone, or all). */
static void gdb_resume(struct vm *vm, unsigned int step_tid, bool others)
{
	u32 going = 0;

	WRITE_ONCE(gdb_event, 0);
	for (unsigned int i = 0; i < vm->nvcpus; i++) {
		gdb_vcpus[i].step = i + 1 == step_tid;
		gdb_vcpus[i].run = others || i + 1 == step_tid;
		going += gdb_vcpus[i].run;
	}
	/*
	 * The vCPUs let go leave the count here, before they can see the
	 * resume: the next stop is complete only once each is back (a count
	 * still at n now would report the old stop again).
	 */
	fetch_add(&gdb_nheld, -going);
	WRITE_ONCE(gdb_halt, 0);
	gdb_waiting = true;
	/* R17: run, step, regs and gdb_halt before the new sequence; pairs with gdb_vcpu_hold_done(). */
	store_release(&gdb_resume_seq, gdb_resume_seq + 1);
	for (unsigned int i = 0; i < vm->nvcpus; i++)
		if (gdb_vcpus[i].run)
			vcpu_wake(vm->vcpus[i]);
}

/* --------------------------------------------------------------- target operations */

static unsigned int gdb_op_nthreads(void *ctx)
{
	return gdb_vm ? gdb_vm->nvcpus : 0;
}

static int gdb_op_read_regs(void *ctx, unsigned int tid, u64 val[GDB_NREGS])
{
	if (!gdb_vm || tid < 1 || tid > gdb_vm->nvcpus)
		return -HV_ENOENT;
	memcpy(val, gdb_vcpus[tid - 1].regs, sizeof(gdb_vcpus[0].regs));
	return 0;
}

/* Registers GDB may change; the others' writes are ignored (docs/gdb.md). */
#define GDB_WRITABLE	((BIT(GDB_EFLAGS + 1) - 1) | BIT(GDB_FS_BASE) | BIT(GDB_GS_BASE) | \
			 BIT(GDB_K_GS_BASE))

static int gdb_op_write_regs(void *ctx, unsigned int tid, const u64 val[GDB_NREGS], u64 mask)
{
	struct gdb_vcpu *g;

	if (!gdb_vm || tid < 1 || tid > gdb_vm->nvcpus)
		return -HV_ENOENT;
	g = &gdb_vcpus[tid - 1];
	mask &= GDB_WRITABLE;
	for (unsigned int r = 0; r < GDB_NREGS; r++)
		if (mask & BIT(r))
			g->regs[r] = val[r];
	g->dirty |= mask;
	return 0;
}

/* Guest-virtual @gva through thread @tid's paging: its gpa and the bytes to the page's end. */
static int gdb_translate(unsigned int tid, u64 gva, u64 *gpa, size_t *room)
{
	const struct gdb_vcpu *g = &gdb_vcpus[tid - 1];
	struct gpt_walk_ctx ctx = {
		.cr0 = g->cr0, .cr3 = g->regs[GDB_CR3], .cr4 = g->cr4, .efer = g->regs[GDB_EFER],
		.rflags = g->regs[GDB_EFLAGS], .cpl = g->cpl,
		.maxphyaddr = (u8)(cpuid_count(0x80000008u, 0).eax & 0xff),
		.gbpages = cpuid_count(0x80000001u, 0).edx & BIT(26),
		.read_gpa = guest_gpt_read, .opaque = gdb_vm,
	};
	struct gpt_walk_result res;

	for (unsigned int i = 0; i < 4; i++)
		ctx.pdpte[i] = g->pdpte[i];
	if (gpt_walk(&ctx, gva, GPT_ACC_NO_SIDE_EFFECTS | GPT_ACC_NO_PERM_CHECK, &res) != GPT_OK)
		return -HV_EFAULT;
	*gpa = res.gpa;
	*room = PAGE_SIZE - (gva & (PAGE_SIZE - 1));
	return 0;
}

static size_t gdb_access(unsigned int tid, u64 addr, u8 *rd, const u8 *wr, size_t len)
{
	size_t done = 0;

	if (!gdb_vm || tid < 1 || tid > gdb_vm->nvcpus)
		return 0;
	while (done < len) {
		u64 gpa;
		size_t room, n;

		if (gdb_translate(tid, addr + done, &gpa, &room))
			break;
		n = MIN(room, len - done);
		if (rd ? copy_from_guest(gdb_vm, rd + done, gpa, n) :
			 copy_to_guest(gdb_vm, gpa, wr + done, n))
			break;
		done += n;
	}
	return done;
}

static size_t gdb_op_read_mem(void *ctx, unsigned int tid, u64 addr, u8 *buf, size_t len)
{
	size_t n = gdb_access(tid, addr, buf, NULL, len);

	/* Our INT3s are not the guest's code: show the bytes they replaced. */
	for (unsigned int i = 0; i < GDB_SW_BPS; i++)
		if (gdb_sw[i].used && gdb_sw[i].addr - addr < n)
			buf[gdb_sw[i].addr - addr] = gdb_sw[i].orig;
	return n;
}

static size_t gdb_op_write_mem(void *ctx, unsigned int tid, u64 addr, const u8 *buf, size_t len)
{
	return gdb_access(tid, addr, NULL, buf, len);
}

static int gdb_sw_find(u64 addr)
{
	for (int i = 0; i < GDB_SW_BPS; i++)
		if (gdb_sw[i].used && gdb_sw[i].addr == addr)
			return i;
	return -1;
}

static void gdb_sw_remove(struct gdb_sw_bp *b)
{
	copy_to_guest(gdb_vm, b->gpa, &b->orig, 1);
	b->used = false;
}

static int gdb_op_breakpoint(void *ctx, enum gdb_bp_type type, u64 addr, u64 len, bool insert)
{
	unsigned int tid = gdb_p.g_tid ? gdb_p.g_tid : 1;
	int rwlen;

	if (!gdb_vm)
		return -HV_ENOENT;
	if (type == GDB_BP_SW) {
		int i = gdb_sw_find(addr);
		u8 int3 = INT3;
		size_t room;
		u64 gpa;

		if (!insert) {
			if (i < 0)
				return -HV_ENOENT;
			gdb_sw_remove(&gdb_sw[i]);
			return 0;
		}
		if (i >= 0)
			return 0;
		for (i = 0; i < GDB_SW_BPS && gdb_sw[i].used; i++)
			;
		if (i == GDB_SW_BPS)
			return -HV_ENOSPC;
		if (gdb_translate(tid, addr, &gpa, &room) ||
		    copy_from_guest(gdb_vm, &gdb_sw[i].orig, gpa, 1) ||
		    copy_to_guest(gdb_vm, gpa, &int3, 1))
			return -HV_EFAULT;
		gdb_sw[i] = (struct gdb_sw_bp){ .used = true, .addr = addr, .gpa = gpa,
						.orig = gdb_sw[i].orig };
		return 0;
	}
	rwlen = gdb_dr7_rwlen(type, addr, len);
	if (rwlen < 0)
		return rwlen;
	/* Written only while every vCPU holds; they read it in gdb_vcpu_hold_end() (R17). */
	for (unsigned int i = 0; i < GDB_HW_BPS; i++) {
		bool used = gdb_hw_mask & BIT(i);

		if (insert && !used) {
			WRITE_ONCE(gdb_hw_addr[i], addr);
			WRITE_ONCE(gdb_hw_type[i], (u8)type);
			WRITE_ONCE(gdb_hw_rwlen[i], (u8)rwlen);
			WRITE_ONCE(gdb_hw_mask, gdb_hw_mask | BIT(i));
			return 0;
		}
		if (!insert && used && gdb_hw_addr[i] == addr && gdb_hw_type[i] == type) {
			WRITE_ONCE(gdb_hw_mask, gdb_hw_mask & ~BIT(i));
			return 0;
		}
	}
	return insert ? -HV_ENOSPC : -HV_ENOENT;
}

static void gdb_op_resume(void *ctx, unsigned int step_tid, bool others)
{
	if (gdb_vm)
		gdb_resume(gdb_vm, step_tid, others);
}

static void gdb_op_interrupt(void *ctx)
{
	if (!gdb_vm)
		return;
	WRITE_ONCE(gdb_active, 1);
	gdb_waiting = true;
	gdb_halt_vm(gdb_vm);
	gdb_check_stopped();	/* already held (vm=...,gdb) */
}

/* Every breakpoint out, the guest's debug registers back: GDB leaves no trace. */
static void gdb_let_go(void)
{
	for (unsigned int i = 0; i < GDB_SW_BPS; i++)
		if (gdb_sw[i].used)
			gdb_sw_remove(&gdb_sw[i]);
	WRITE_ONCE(gdb_hw_mask, 0);
	WRITE_ONCE(gdb_active, 0);
	gdb_resume(gdb_vm, 0, true);
	gdb_waiting = false;
}

static void gdb_op_detach(void *ctx)
{
	if (!gdb_vm)
		return;
	pr_plain("hv: gdb: detached from vm %s\n", gdb_vm->cfg.name);
	gdb_let_go();
}

static void gdb_op_kill(void *ctx)
{
	if (!gdb_vm)
		return;
	pr_plain("hv: gdb: kill: stopping vm %s\n", gdb_vm->cfg.name);
	vm_stop(gdb_vm, "killed from GDB");
	gdb_let_go();
}

static void gdb_op_write(void *ctx, const u8 *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		uart_port_putc(gdb_port, buf[i]);
}

static const struct gdb_target_ops gdb_ops = {
	.nthreads = gdb_op_nthreads, .read_regs = gdb_op_read_regs,
	.write_regs = gdb_op_write_regs, .read_mem = gdb_op_read_mem,
	.write_mem = gdb_op_write_mem, .breakpoint = gdb_op_breakpoint,
	.resume = gdb_op_resume, .interrupt = gdb_op_interrupt, .detach = gdb_op_detach,
	.kill = gdb_op_kill, .write = gdb_op_write,
};

/* --------------------------------------------------------------- interrupts, setup */

static void gdb_uart_irq(void)
{
	unsigned int budget = GDB_IRQ_BUDGET;
	int c;

	while (budget-- && (c = uart_port_getc(gdb_port)) >= 0) {
		if (!gdb_vm) {
			if (!gdb_told_novm)
				pr_plain("hv: gdb: input but no VM chosen (gdb NAME in the shell, or "
					 "vm=...,gdb)\n");
			gdb_told_novm = true;
			continue;
		}
		gdb_proto_rx(&gdb_p, (u8)c);
	}
	gdb_check_stopped();
}

static void gdb_notify_irq(void)
{
	gdb_check_stopped();
}

void gdb_stub_init(u16 port, u32 baud)
{
	/* ISA wiring: COM1/COM3 on IRQ 4, COM2/COM4 on IRQ 3. */
	unsigned int irq = (port == 0x2f8 || port == 0x2e8) ? 3 : 4;

	if (!port)
		return;
	if (port == uart_port()) {
		pr_plain("hv: gdb: port %#x is the console's: no GDB stub\n", port);
		return;
	}
	if (!uart_port_setup(port, baud)) {
		pr_plain("hv: gdb: no UART answers at %#x: no GDB stub\n", port);
		return;
	}
	if (!lapic_ready() || !trap_register_irq(GDB_UART_VECTOR, gdb_uart_irq) ||
	    !trap_register_irq(GDB_NOTIFY_VECTOR, gdb_notify_irq) ||
	    ioapic_route_isa(irq, GDB_UART_VECTOR, this_cpu()->apic_id)) {
		pr_plain("hv: gdb: the UART's interrupt cannot be routed: no GDB stub\n");
		return;
	}
	gdb_apic = this_cpu()->apic_id;
	gdb_port = port;
	gdb_proto_init(&gdb_p, &gdb_ops, NULL);
	uart_port_rx_irq_enable(port);
	pr_plain("hv: gdb: stub on port %#x, %u baud (gdb NAME in the shell chooses the VM)\n",
		 port, baud);
	pr_info("gdb: single step with %s\n",
		vmx_caps.mtf ? "the monitor trap flag" : "RFLAGS.TF (no monitor trap flag here)");
}

/* BSP: @vm is GDB's from the next connection on. */
static bool gdb_take(struct vm *vm)
{
	if (!gdb_port) {
		pr_answer("gdb: no stub (give hv gdb=com2 or gdb=PORT[,BAUD])\n");
		return false;
	}
	if (READ_ONCE(gdb_active) && gdb_vm && !vm_is_stopped(gdb_vm)) {
		pr_answer("gdb: vm %s is being debugged: detach GDB first\n", gdb_vm->cfg.name);
		return false;
	}
	for (unsigned int i = 0; i < GDB_SW_BPS; i++)
		gdb_sw[i].used = false;
	WRITE_ONCE(gdb_hw_mask, 0);
	WRITE_ONCE(gdb_event, 0);
	WRITE_ONCE(gdb_halt, 0);
	WRITE_ONCE(gdb_nheld, 0);
	WRITE_ONCE(gdb_vm, vm);
	gdb_waiting = false;
	gdb_proto_init(&gdb_p, &gdb_ops, NULL);
	return true;
}

void gdb_select_vm(struct vm *vm)
{
	if (gdb_take(vm))
		pr_answer("hv: gdb: vm %s is GDB's (target remote to port %#x)\n", vm->cfg.name,
			  gdb_port);
}

void gdb_vm_created(struct vm *vm)
{
	if (!vm->cfg.gdb_wait)
		return;
	if (!gdb_take(vm))
		return;
	pr_plain("hv: gdb: vm %s waits for GDB at its first instruction (port %#x)\n",
		 vm->cfg.name, gdb_port);
	WRITE_ONCE(gdb_active, 1);
	gdb_waiting = true;
	/*
	 * Not started yet: each vCPU looks before its first entry (vcpu_run()).
	 * R17: pairs with the load_acquire of gdb_halt in gdb_vcpu_must_hold().
	 */
	store_release(&gdb_halt, 1);
}

/* --------------------------------------------------------------- exits */

bool gdb_exit_exception(struct vcpu *v, u32 info)
{
	u8 vec = INTR_INFO_VECTOR(info);

	if (vec == X86_EXC_BP) {
		u64 lin = vmcs_read(VMCS_GUEST_RIP) + vmcs_read(VMCS_GUEST_CS_BASE);

		if (gdb_mine(v) && gdb_sw_find(lin) >= 0) {
			gdb_vcpu_event(v, GDB_STOP_SWBREAK);	/* RIP stays on the INT3 */
			return true;
		}
		/* The guest's own INT3: deliver it as the CPU would have. */
		vmcs_write(VMCS_ENTRY_INSN_LEN, vmcs_read(VMCS_EXIT_INSN_LEN));
		vmcs_write(VMCS_ENTRY_INTR_INFO, INTR_INFO_VALID | (INTR_INFO_TYPE(info) << 8) | vec);
		return true;
	}
	if (vec == X86_EXC_DB) {
		u64 qual = vmcs_read(VMCS_EXIT_QUAL);
		struct gdb_vcpu *g = &gdb_vcpus[v->id];

		/* BS: the single step's trap of TF, GDB's step on a CPU without MTF. */
		if (g->stepping && g->step_tf && (qual & X86_DR6_BS) && gdb_step_end(v))
			return true;
		if (gdb_mine(v) && (qual & READ_ONCE(gdb_hw_mask) & 0xf)) {
			unsigned int n = __builtin_ctz((u32)(qual & READ_ONCE(gdb_hw_mask) & 0xf));
			u8 type = READ_ONCE(gdb_hw_type[n]);

			if (type == GDB_BP_HW) {
				/* A fault at the instruction: RF lets it run when GDB goes on. */
				vmcs_write(VMCS_GUEST_RFLAGS,
					   vmcs_read(VMCS_GUEST_RFLAGS) | X86_RFLAGS_RF);
				gdb_vcpu_event(v, GDB_STOP_HWBREAK);
				return true;
			}
			/* A data breakpoint traps after the access: RIP is past it already. */
			g->watch_addr = READ_ONCE(gdb_hw_addr[n]);
			gdb_vcpu_event(v, type == GDB_BP_WRITE ? GDB_STOP_WATCH : GDB_STOP_AWATCH);
			return true;
		}
		/* The guest's: its DR6 says why, then the #DB it would have taken. */
		if (g->owns_dr)
			g->guest_dr6 = X86_DR6_FIXED | (qual & X86_DR6_HITS);
		else
			dr_write(6, X86_DR6_FIXED | (qual & X86_DR6_HITS));
		if (INTR_INFO_TYPE(info) == INTR_TYPE_PRIV_SW_EXC)
			vmcs_write(VMCS_ENTRY_INSN_LEN, vmcs_read(VMCS_EXIT_INSN_LEN));
		vmcs_write(VMCS_ENTRY_INTR_INFO, INTR_INFO_VALID | (INTR_INFO_TYPE(info) << 8) | vec);
		return true;
	}
	return false;
}

/* The probe of a continue is over: @works or not; MTF off, the vCPU runs on. */
static void gdb_mtf_probe_end(struct vcpu *v, bool works, u64 rip)
{
	struct gdb_vcpu *g = &gdb_vcpus[v->id];

	g->probing = false;
	v->proc_ctls &= ~PROC_MTF;
	vmcs_write(VMCS_PROC_CTLS, v->proc_ctls);
	WRITE_ONCE(v->intr_pending, 1);		/* window exits back on the controls */
	if (READ_ONCE(gdb_mtf_state) != GDB_MTF_UNKNOWN)
		return;
	WRITE_ONCE(gdb_mtf_state, works ? GDB_MTF_WORKS : GDB_MTF_MISSED);
	if (works)
		pr_plain("hv: gdb: the monitor trap flag works: single step with MTF\n");
	else
		pr_plain("hv: gdb: MTF on from %#llx, no MTF exit (exit reason %u at %#llx): "
			 "single step with RFLAGS.TF\n", g->step_rip,
			 EXIT_REASON_BASIC(v->exit_reason), rip);
}

bool gdb_exit_mtf(struct vcpu *v)
{
	struct gdb_vcpu *g = &gdb_vcpus[v->id];

	if (g->probing) {
		if (vmcs_read(VMCS_GUEST_RIP) != g->step_rip)	/* else: no instruction ran */
			gdb_mtf_probe_end(v, true, 0);
		return true;
	}
	return gdb_step_end(v);
}

void gdb_exit_mtf_missed(struct vcpu *v)
{
	struct gdb_vcpu *g = &gdb_vcpus[v->id];
	u64 rip = vmcs_read(VMCS_GUEST_RIP);

	/*
	 * An exit of the instruction itself (an EPT violation, a CPUID to
	 * emulate, an interrupt before it ran) leaves RIP where MTF was armed.
	 * Elsewhere, the guest ran past it and no MTF exit came.
	 */
	if (rip == g->step_rip)
		return;
	if (g->probing)
		gdb_mtf_probe_end(v, false, rip);
	else if (g->stepping && !g->step_tf)
		gdb_step_end(v);	/* cannot happen where MTF was seen to work */
}

bool gdb_exit_dr(struct vcpu *v, u64 qual)
{
	struct gdb_vcpu *g = &gdb_vcpus[v->id];
	unsigned int dr = qual & 7, gpr = (qual >> 8) & 15;
	bool from_dr = qual & BIT(4);
	u64 *slot;

	if (!g->owns_dr)
		return false;
	slot = dr < 4 ? &g->guest_dr[dr] : (dr & 1) ? &g->guest_dr7 : &g->guest_dr6;
	if (from_dr) {
		if (gpr == GPR_RSP)
			vmcs_write(VMCS_GUEST_RSP, *slot);
		else
			v->regs.r[gpr] = *slot;
	} else {
		*slot = gpr == GPR_RSP ? vmcs_read(VMCS_GUEST_RSP) : v->regs.r[gpr];
	}
	vmcs_guest_skip_insn();
	return true;
}
