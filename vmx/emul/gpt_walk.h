/* SPDX-License-Identifier: MIT */
/*
 * The guest page walker: translates a guest-linear address to a
 * guest-physical address through the guest's own paging structures, exactly
 * as the CPU would (Intel SDM vol. 3A chapter 4): every paging mode, the
 * reserved-bit and permission checks, the #PF error code and CR2, and the
 * accessed/dirty updates.  Used where hv performs an access on the guest's
 * behalf (MMIO and string-I/O emulation, descriptor-table reads) and by a
 * debugger reading guest-virtual memory.  docs/guest-paging.md.
 *
 * Portable: guest memory is reached only through the two callbacks of the
 * context, which the caller backs with its EPT view (or, in tests, an array).
 * The walker keeps no state between calls and takes no lock; concurrent
 * walks and guest stores meet only in the cmpxchg of an A/D update.
 */
#ifndef VMX_EMUL_GPT_WALK_H
#define VMX_EMUL_GPT_WALK_H

#include "lib/compiler.h"

/* Paging mode, from CR0.PG, CR4.PAE, EFER.LMA and CR4.LA57 (SDM 4.1.1). */
enum gpt_mode {
	GPT_MODE_NONE,		/* CR0.PG = 0: linear = physical (32 bits) */
	GPT_MODE_32,		/* 32-bit paging, 4 KiB and (CR4.PSE) 4 MiB pages */
	GPT_MODE_PAE,		/* PAE paging: PDPTE registers, 4 KiB and 2 MiB pages */
	GPT_MODE_4LEVEL,	/* IA-32e, 48-bit linear addresses */
	GPT_MODE_5LEVEL,	/* IA-32e with CR4.LA57, 57-bit linear addresses */
};

/*
 * The kind of access (@access of gpt_walk()).  Without GPT_ACC_WRITE or
 * GPT_ACC_FETCH it is a data read.  The access is a user-mode access when
 * GPT_ACC_USER is given or ctx->cpl is 3, unless GPT_ACC_IMPLICIT makes it an
 * implicit supervisor-mode access (GDT/LDT/IDT/TSS: supervisor at any CPL,
 * and SMAP applies whatever RFLAGS.AC says).  WRITE with FETCH, and USER with
 * IMPLICIT, are GPT_INVALID.
 */
#define GPT_ACC_WRITE		(1u << 0)
#define GPT_ACC_USER		(1u << 1)	/* an explicit user-mode (CPL 3) access */
#define GPT_ACC_FETCH		(1u << 2)
#define GPT_ACC_IMPLICIT	(1u << 3)
#define GPT_ACC_NO_SIDE_EFFECTS (1u << 4)	/* never set A/D (a debugger's peek) */
#define GPT_ACC_NO_PERM_CHECK	(1u << 5)	/* translate only: P and reserved bits */

/* Combined access rights of a translation (gpt_walk_result.perm). */
#define GPT_PERM_W		(1u << 0)	/* R/W = 1 in every entry */
#define GPT_PERM_U		(1u << 1)	/* U/S = 1 in every entry: a user-mode address */
#define GPT_PERM_X		(1u << 2)	/* no XD in any entry, or XD not enabled */

enum gpt_status {
	GPT_OK = 0,
	GPT_FAULT,		/* inject #PF with error_code; CR2 = cr2 */
	GPT_NONCANONICAL,	/* IA-32e: not canonical; #GP(0), or #SS(0) for SS */
	GPT_BAD_GPA,		/* a paging structure (bad_gpa) is not RAM: stop the VM */
	GPT_AGAIN,		/* A/D updates lost GPT_MAX_RETRIES races: re-run the instruction */
	GPT_INVALID,		/* bad flags, length or MAXPHYADDR: a bug in the caller */
};

/* How often a walk is retried after its A/D cmpxchg found the entry changed. */
#define GPT_MAX_RETRIES		16

/**
 * struct gpt_walk_ctx - the guest state a walk depends on
 * @cr0:	PG and WP are used.
 * @cr3:	the root; PWT/PCD, and the PCID when CR4.PCIDE = 1, are ignored.
 * @cr4:	PSE, PAE, LA57, SMEP, SMAP, PKE are used.
 * @efer:	LMA and NXE are used.
 * @rflags:	AC is used (SMAP).
 * @pdpte:	PAE paging: the four PDPTE registers, as the CPU loaded them from
 *		CR3 (VMCS GUEST_PDPTE0..3 when EPT is on); the CPU does not
 *		re-read the PDPT from memory until CR3 or a paging bit is loaded.
 * @pdptes_from_memory: PAE paging: read the PDPTEs from the PDPT at CR3
 *		instead (what the next MOV to CR3 would load), for a caller
 *		that has no PDPTE registers, e.g. a debugger.
 * @pkru:	PKRU (used when CR4.PKE = 1 with IA-32e paging).
 * @cpl:	current privilege level, 0..3.
 * @maxphyaddr: the guest's MAXPHYADDR (CPUID 80000008H:EAX[7:0]), 32..52:
 *		physical-address bits at and above it are reserved in entries.
 * @gbpages:	1 GiB pages exist (CPUID 80000001H:EDX[26]); without them PS
 *		in a PDPTE is a reserved bit.
 * @read_gpa:	load @size (4 or 8) bytes, little-endian, from guest-physical
 *		@gpa into *@val; 0, or negative (-HV_EFAULT) when @gpa is not RAM.
 * @cmpxchg_gpa: if the @size bytes at @gpa equal @old, replace them with @new
 *		atomically (a locked cmpxchg on the guest's memory) and return 1;
 *		return 0 when they differ (nothing written), negative
 *		(-HV_EFAULT) when @gpa is not RAM.  Used only for A/D updates.
 * @opaque:	passed to both callbacks.
 */
struct gpt_walk_ctx {
	u64 cr0, cr3, cr4, efer, rflags;
	u64 pdpte[4];
	bool pdptes_from_memory;
	u32 pkru;
	u8 cpl;
	u8 maxphyaddr;
	bool gbpages;
	int (*read_gpa)(void *opaque, u64 gpa, u64 *val, unsigned int size);
	int (*cmpxchg_gpa)(void *opaque, u64 gpa, u64 old, u64 new_val, unsigned int size);
	void *opaque;
};

/**
 * struct gpt_walk_result - what a walk found
 * @status:	GPT_OK or why not.
 * @gpa:	GPT_OK: the guest-physical address of the linear address.
 * @page_size:	GPT_OK: size of the page that maps it, 4 KiB, 2 MiB, 4 MiB or
 *		1 GiB; 4 GiB without paging (the linear space wraps there).
 * @level:	GPT_OK: level of the leaf entry, 1 = PTE, 2 = PDE, 3 = PDPTE;
 *		0 without paging.
 * @perm:	GPT_PERM_* of the translation, also on a GPT_FAULT that came
 *		from the permission checks (0 when the walk did not complete).
 * @pkey:	protection key of the leaf (IA-32e paging with CR4.PKE, else 0).
 * @error_code: GPT_FAULT: the #PF error code (PFERR_* of lib/x86_paging.h).
 * @cr2:	GPT_FAULT: the value hardware would load into CR2.
 * @bad_gpa:	GPT_BAD_GPA: the guest-physical address that is not RAM.
 */
struct gpt_walk_result {
	enum gpt_status status;
	u64 gpa;
	u64 page_size;
	unsigned int level;
	unsigned int perm;
	u8 pkey;
	u32 error_code;
	u64 cr2;
	u64 bad_gpa;
};

/**
 * struct gpt_range_result - what gpt_translate_range() found
 * @status:	GPT_OK or why not; the fault fields are those of the page
 *		that failed (CR2 = its first byte when it is the second page).
 * @nr:		GPT_OK: pieces in @piece, 1 or 2, in the order of the access.
 * @piece:	GPT_OK: guest-physical address and length of each piece.
 * @error_code, @cr2, @bad_gpa: as in struct gpt_walk_result.
 */
struct gpt_range_result {
	enum gpt_status status;
	unsigned int nr;
	struct gpt_piece {
		u64 gpa;
		u32 len;
	} piece[2];
	u32 error_code;
	u64 cr2;
	u64 bad_gpa;
};

/* The paging mode @ctx selects. */
enum gpt_mode gpt_paging_mode(const struct gpt_walk_ctx *ctx);

/**
 * gpt_walk() - translate one guest-linear address as the CPU would
 * @ctx:	guest state and memory accessors.
 * @gla:	the linear address; outside IA-32e paging only bits 31:0 count
 *		(linear addresses wrap at 4 GiB there).
 * @access:	GPT_ACC_* flags.
 * @res:	the result, also returned as its status.
 *
 * Reads the paging structures, checks present and reserved bits at every
 * level and then the access rights, and on success sets the accessed flag of
 * every entry used and the dirty flag of the leaf for a write, with
 * @ctx->cmpxchg_gpa (never with GPT_ACC_NO_SIDE_EFFECTS).  A failed cmpxchg
 * means the guest changed the entry: the walk starts again, at most
 * GPT_MAX_RETRIES times.  A faulting walk sets no flag.
 */
enum gpt_status gpt_walk(const struct gpt_walk_ctx *ctx, u64 gla, unsigned int access,
			 struct gpt_walk_result *res);

/**
 * gpt_translate_range() - translate an access of @len bytes, all or nothing
 * @ctx:	as for gpt_walk().
 * @gla:	linear address of the first byte.
 * @len:	1..4096 bytes, so that the access spans at most two pages.
 * @access:	as for gpt_walk().
 * @res:	the pieces, or the fault.
 *
 * Both pages are translated and checked before any A/D flag is set, so an
 * access that crosses into a page it may not touch faults (CR2 = the first
 * byte of that page, as hardware reports it) and leaves the first page's
 * flags alone.
 */
enum gpt_status gpt_translate_range(const struct gpt_walk_ctx *ctx, u64 gla, u32 len,
				    unsigned int access, struct gpt_range_result *res);

#endif /* VMX_EMUL_GPT_WALK_H */
