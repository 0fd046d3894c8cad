/* SPDX-License-Identifier: MIT */
/*
 * x86 instruction emulator: executes one instruction decoded by
 * x86_decode() against a guest state the caller loads into struct
 * x86_emul_ctxt and callbacks for memory and ports.
 *
 * The emulator computes effective and linear addresses (address-size
 * wraparound, segment base, limit and type checks outside 64-bit code,
 * canonical checks in it) and calls read_mem/write_mem with *linear*
 * addresses: the caller's page walker turns them into guest-physical ones
 * and decides whether they are RAM or a device.  It never touches guest
 * memory or ports itself.
 *
 * Contract with the caller (the VT-x glue in vmx/):
 *  - before: gpr[] (RSP included), rip, rflags, seg[], mode, cpl,
 *    real_mode, ops, opaque; rep_budget if the default does not suit;
 *  - after DONE: write back gpr[], rip (advanced by the length, wrapped to
 *    the code size) and rflags (RF cleared).  A TF single-step trap and
 *    the end of an STI/MOV SS interrupt shadow are the caller's;
 *  - after RETRY: write back gpr[] and rflags; rip is unchanged, so the
 *    guest re-executes the instruction (a REP string instruction resumes
 *    where it stopped, as after an interrupt);
 *  - after FAULT: write back gpr[] and rflags (a REP instruction may have
 *    completed iterations) and inject fault.vector (with fault.error when
 *    fault.has_error, and CR2 = fault.cr2 for #PF); rip is unchanged;
 *  - after UNHANDLED: stop the VM and show the bytes.  An instruction the
 *    emulator does not know changes nothing; a callback's UNHANDLED in the
 *    middle of a REP instruction leaves its completed iterations in gpr[].
 */
#ifndef VMX_EMUL_EMULATE_H
#define VMX_EMUL_EMULATE_H

#include "vmx/emul/decode.h"

enum x86_emul_status {
	X86_EMUL_DONE,		/* executed; rip advanced */
	X86_EMUL_FAULT,		/* inject c->fault; rip not advanced */
	X86_EMUL_UNHANDLED,	/* not emulated: stop the VM */
	X86_EMUL_RETRY,		/* not finished (REP budget, or a callback asked): re-execute */
};

/* Iterations of a REP string instruction per x86_emulate() call, by default. */
#define X86_EMUL_REP_BUDGET	1024

/* VMX segment access rights (SDM vol. 3, table 24-2), as struct x86_seg holds them. */
#define X86_AR_TYPE_ACCESSED	BIT(0)
#define X86_AR_TYPE_WRITABLE	BIT(1)	/* data; for code: readable */
#define X86_AR_TYPE_DOWN	BIT(2)	/* data: expand-down */
#define X86_AR_TYPE_CODE	BIT(3)
#define X86_AR_S		BIT(4)	/* code or data (not system) */
#define X86_AR_P		BIT(7)
#define X86_AR_L		BIT(13)
#define X86_AR_DB		BIT(14)
#define X86_AR_G		BIT(15)
#define X86_AR_UNUSABLE		BIT(16)

/**
 * struct x86_seg - a segment register's hidden part, as the VMCS holds it.
 * @base:  base address
 * @limit: byte-granular limit (already scaled by G)
 * @ar:    access rights (X86_AR_*)
 * @sel:   selector (not used by the emulator; for messages)
 */
struct x86_seg {
	u64 base;
	u32 limit;
	u32 ar;
	u16 sel;
};

/**
 * struct x86_fault - the exception to inject after X86_EMUL_FAULT.
 * @vector:    X86_TRAP_GP, X86_TRAP_SS, X86_TRAP_PF, X86_TRAP_UD...
 * @has_error: deliver @error (false in real mode)
 * @error:     error code (0 for the #GP and #SS the emulator raises)
 * @cr2:       #PF: the faulting linear address
 */
struct x86_fault {
	u8 vector;
	bool has_error;
	u32 error;
	u64 cr2;
};

struct x86_emul_ctxt;

/**
 * struct x86_emul_ops - what the caller provides.  Every callback returns
 * X86_EMUL_DONE on success; X86_EMUL_FAULT after setting c->fault (a page
 * fault: use x86_emul_page_fault()); X86_EMUL_RETRY to have the guest
 * re-execute the instruction; X86_EMUL_UNHANDLED to stop the VM.
 *
 * @read_mem:    read @size (1, 2, 4 or 8) bytes at linear address @la into
 *               *@val (little-endian, zero-extended).  CPL 3 accesses are
 *               user accesses (c->cpl).
 * @write_mem:   write the low @size bytes of @val at @la.  An access may
 *               cross a page boundary: check both pages before writing
 *               either, so that a #PF leaves memory unchanged.
 * @cmpxchg_mem: for LOCK and XCHG: atomically, if the @size bytes at @la
 *               equal *@old, store @new and set *@swapped; else load them
 *               into *@old and clear *@swapped.  For RAM this must be atomic
 *               against other vCPUs (a host LOCK CMPXCHG on the mapping).
 *               For MMIO, where LOCK means nothing, store @new and report
 *               success.  NULL: locked instructions are UNHANDLED.
 * @pio_in:      read port @port, @size 1, 2 or 4, into *@val.
 * @pio_out:     write the low @size bytes of @val to port @port.
 */
struct x86_emul_ops {
	enum x86_emul_status (*read_mem)(struct x86_emul_ctxt *c, u64 la, u64 *val,
					 unsigned int size);
	enum x86_emul_status (*write_mem)(struct x86_emul_ctxt *c, u64 la, u64 val,
					  unsigned int size);
	enum x86_emul_status (*cmpxchg_mem)(struct x86_emul_ctxt *c, u64 la, u64 *old, u64 new,
					    unsigned int size, bool *swapped);
	enum x86_emul_status (*pio_in)(struct x86_emul_ctxt *c, u16 port, unsigned int size,
				       u32 *val);
	enum x86_emul_status (*pio_out)(struct x86_emul_ctxt *c, u16 port, unsigned int size,
					u32 val);
};

/**
 * struct x86_emul_ctxt - one vCPU's state for one emulation.
 * @ops:        callbacks
 * @opaque:     the caller's (the vCPU)
 * @gpr:        RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8..R15 (enum x86_gpr)
 * @rip:        address of the instruction (CS-relative)
 * @rflags:     RFLAGS
 * @seg:        ES, CS, SS, DS, FS, GS (enum x86_seg_reg)
 * @mode:       the code's default size (CS.L/CS.D), as given to x86_decode()
 * @cpl:        current privilege level (SS.DPL)
 * @real_mode:  CR0.PE = 0: no segment type checks, exceptions without error codes
 * @va_bits:    linear-address width in 64-bit mode: 48, or 57 with CR4.LA57 (0: 48)
 * @rep_budget: REP iterations per call (0: X86_EMUL_REP_BUDGET)
 * @fault:      out: the exception, after X86_EMUL_FAULT
 */
struct x86_emul_ctxt {
	const struct x86_emul_ops *ops;
	void *opaque;
	u64 gpr[16];
	u64 rip;
	u64 rflags;
	struct x86_seg seg[X86_SEG_COUNT];
	enum x86_cpu_mode mode;
	u8 cpl;
	bool real_mode;
	u8 va_bits;
	unsigned int rep_budget;
	struct x86_fault fault;
};

/**
 * x86_emulate() - execute @insn (decoded in @c->mode) on @c.
 *
 * Return: see enum x86_emul_status and the contract at the top of this file.
 * UNHANDLED for X86_OP_NONE, for a mode different from the decode's, and
 * for a callback the instruction needs that is NULL.
 */
enum x86_emul_status x86_emulate(struct x86_emul_ctxt *c, const struct x86_insn *insn);

/**
 * x86_emulate_bytes() - decode @bytes in @c->mode, then emulate.
 * @insn: out: the decoded instruction (for messages)
 *
 * A decoder INVALID becomes FAULT with #UD (#GP(0) for an instruction over
 * 15 bytes); TRUNCATED and UNSUPPORTED become UNHANDLED.
 */
enum x86_emul_status x86_emulate_bytes(struct x86_emul_ctxt *c, const u8 *bytes, size_t avail,
				       struct x86_insn *insn);

/* For read_mem/write_mem/cmpxchg_mem: report a #PF at @la with @error; returns FAULT. */
enum x86_emul_status x86_emul_page_fault(struct x86_emul_ctxt *c, u64 la, u32 error);

#endif /* VMX_EMUL_EMULATE_H */
