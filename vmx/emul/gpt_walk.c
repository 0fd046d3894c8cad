// SPDX-License-Identifier: MIT
/*
 * The guest page walker (Intel SDM vol. 3A 4.3-4.8): paging modes, reserved
 * bits, access rights, #PF error code, accessed and dirty flags.
 *
 * A walk has two phases.  gpt_resolve() reads the entries, checks them and
 * the access rights, and records every entry it used with the value it saw;
 * it writes nothing.  gpt_commit() then sets A (and D on the leaf of a
 * write) with a cmpxchg against the recorded value, root first, as the CPU
 * sets them while it walks.  A cmpxchg that finds another value means the
 * guest (or another vCPU) changed the entry after we read it: the walk is
 * redone from CR3, so a flag is never set in an entry whose current value
 * was not checked.  gpt_translate_range() resolves both pages before it
 * commits either, which makes a page-crossing access all or nothing.
 */
#include "vmx/emul/gpt_walk.h"

#include "lib/x86_paging.h"
#include "lib/x86_regs.h"

#define GPT_MAX_LEVELS	5
#define GPT_LINEAR32	0xffffffffULL	/* linear addresses outside IA-32e paging */

/* One paging-structure entry a walk used: where, what it held, how wide. */
struct gpt_step {
	u64 gpa;
	u64 val;
	unsigned int size;
};

/* What gpt_resolve() found: the entries to commit A/D to, and the translation. */
struct gpt_path {
	unsigned int nr;			/* steps, root first; the last is the leaf */
	struct gpt_step step[GPT_MAX_LEVELS];
	u64 gpa;
	u64 page_size;
	unsigned int level;
	unsigned int perm;
	u8 pkey;
};

/* The context decoded once per call. */
struct gpt_env {
	enum gpt_mode mode;
	bool nxe;		/* XD is a flag (PAE or IA-32e with EFER.NXE), not reserved */
	bool user;		/* a user-mode access */
	bool explicit_sup;	/* an explicit supervisor-mode access (SMAP honours AC) */
	bool id_bit;		/* a fetch fault reports I/D (SMEP, or PAE/IA-32e with NXE) */
	u64 rsvd;		/* reserved in every 64-bit entry: address bits >= M, XD */
};

enum gpt_mode gpt_paging_mode(const struct gpt_walk_ctx *ctx)
{
	if (!(ctx->cr0 & X86_CR0_PG))
		return GPT_MODE_NONE;
	if (!(ctx->cr4 & X86_CR4_PAE))
		return GPT_MODE_32;
	if (!(ctx->efer & EFER_LMA))
		return GPT_MODE_PAE;
	return (ctx->cr4 & X86_CR4_LA57) ? GPT_MODE_5LEVEL : GPT_MODE_4LEVEL;
}

static bool gpt_ia32e(enum gpt_mode mode)
{
	return mode == GPT_MODE_4LEVEL || mode == GPT_MODE_5LEVEL;
}

/* Physical-address bits at and above MAXPHYADDR, up to bit @top of the format. */
static u64 gpt_above_maxphy(unsigned int maxphy, unsigned int top)
{
	return maxphy > top ? 0 : GENMASK(top, maxphy);
}

/* Decode @ctx and @access; false if they make no sense. */
static bool gpt_env_init(const struct gpt_walk_ctx *ctx, unsigned int access,
			 struct gpt_env *env)
{
	bool implicit = access & GPT_ACC_IMPLICIT;

	if ((access & GPT_ACC_WRITE) && (access & GPT_ACC_FETCH))
		return false;
	if ((access & GPT_ACC_USER) && implicit)
		return false;
	if (ctx->maxphyaddr < 32 || ctx->maxphyaddr > 52 || ctx->cpl > 3)
		return false;

	env->mode = gpt_paging_mode(ctx);
	env->nxe = env->mode != GPT_MODE_32 && (ctx->efer & EFER_NXE);
	env->user = (access & GPT_ACC_USER) || (ctx->cpl == 3 && !implicit);
	env->explicit_sup = !env->user && !implicit;
	/* SDM 4.7, I/D flag: "CR4.PAE = 1" covers PAE and IA-32e paging. */
	env->id_bit = (ctx->cr4 & X86_CR4_SMEP) || ((ctx->cr4 & X86_CR4_PAE) && env->nxe);

	/* PAE entries reserve 62:M; IA-32e entries reserve 51:M and ignore 62:52. */
	env->rsvd = gpt_above_maxphy(ctx->maxphyaddr, env->mode == GPT_MODE_PAE ? 62 : 51);
	if (!env->nxe)
		env->rsvd |= PTE_NX;
	return true;
}

/**
 * gpt_rsvd_bits() - the bits of @val that must be 0 in an entry at @level
 * @ctx: the guest state (CR4.PSE, MAXPHYADDR, 1 GiB pages).
 * @env: the decoded mode.
 * @level: 1 = PTE ... 5 = PML5E.
 * @val: the entry, present.
 *
 * PS is itself reserved where no page can be mapped (PML4E, PML5E, and a
 * PDPTE without 1 GiB pages), so it is part of the mask there; a large-page
 * leaf adds the zero field between its PAT bit and its frame.
 */
static u64 gpt_rsvd_bits(const struct gpt_walk_ctx *ctx, const struct gpt_env *env,
			 unsigned int level, u64 val)
{
	bool ps = val & PTE_PS;

	if (env->mode == GPT_MODE_32) {
		unsigned int m = MIN(ctx->maxphyaddr, (u8)PSE36_MAXPHYADDR);

		if (level != 2 || !ps || !(ctx->cr4 & X86_CR4_PSE))
			return 0;	/* 32-bit PTEs and PDEs that point to tables */
		/* Table 4-4: bits 21:(M-19) reserved; (M-20):13 hold address bits (M-1):32. */
		return PTE32_RSVD_4M | (m < PSE36_MAXPHYADDR ?
					GENMASK(20, PTE32_4M_HI_SHIFT + m - 32) : 0);
	}

	switch (level) {
	case 5:
	case 4:
		return env->rsvd | PTE_PS;
	case 3:
		if (!ps)
			return env->rsvd;
		return env->rsvd | (ctx->gbpages ? PTE_RSVD_1G : PTE_PS);
	case 2:
		return env->rsvd | (ps ? PTE_RSVD_2M : 0);
	default:
		return env->rsvd;
	}
}

/* Whether a present entry at @level (reserved bits already checked) maps a page. */
static bool gpt_is_leaf(const struct gpt_walk_ctx *ctx, enum gpt_mode mode, unsigned int level,
			u64 val)
{
	if (level == 1)
		return true;
	if (!(val & PTE_PS))
		return false;
	if (mode == GPT_MODE_32)
		return level == 2 && (ctx->cr4 & X86_CR4_PSE);	/* PS ignored without PSE */
	return level <= 3;	/* a PS PDPTE got here only with 1 GiB pages */
}

/* Frame of the page a leaf at @level maps. */
static u64 gpt_leaf_frame(enum gpt_mode mode, unsigned int level, u64 val)
{
	if (mode == GPT_MODE_32) {
		if (level == 1)
			return val & PTE32_ADDR_MASK;
		/* PSE-36: entry bits 20:13 are address bits 39:32. */
		return (val & PTE32_ADDR_4M_MASK) |
		       (((val & PTE32_4M_HI_MASK) >> PTE32_4M_HI_SHIFT) << 32);
	}
	if (level == 3)
		return val & PTE_ADDR_1G_MASK;
	if (level == 2)
		return val & PTE_ADDR_2M_MASK;
	return val & PTE_ADDR_MASK;
}

/* Fill @res for a #PF; @why is PFERR_P, PFERR_P | PFERR_RSVD, PFERR_P | PFERR_PK or 0. */
static enum gpt_status gpt_fault(const struct gpt_env *env, unsigned int access, u64 gla, u32 why,
				 struct gpt_walk_result *res)
{
	u32 ec = why;

	/* W/R, U/S and I/D describe the access, not the rights that refused it. */
	if (access & GPT_ACC_WRITE)
		ec |= PFERR_W;
	if (env->user)
		ec |= PFERR_U;
	if ((access & GPT_ACC_FETCH) && env->id_bit)
		ec |= PFERR_ID;
	res->status = GPT_FAULT;
	res->error_code = ec;
	res->cr2 = gla;
	return GPT_FAULT;
}

/**
 * gpt_access_fault() - the access-rights checks of SDM 4.6 on a translation
 * @ctx: the guest state.
 * @env: the decoded mode and kind of access.
 * @access: GPT_ACC_* flags.
 * @perm: GPT_PERM_* of the translation.
 * @pkey: its protection key.
 *
 * Return: 0 if the access is allowed, else the error-code bits of the fault:
 * PFERR_P, plus PFERR_PK when the PKRU refuses it (SDM 4.7 defines PK by the
 * PKRU condition alone, so it is set even when another rule refuses too).
 */
static u32 gpt_access_fault(const struct gpt_walk_ctx *ctx, const struct gpt_env *env,
			    unsigned int access, unsigned int perm, u8 pkey)
{
	bool write = access & GPT_ACC_WRITE;
	bool wp = ctx->cr0 & X86_CR0_WP;
	bool user_page = perm & GPT_PERM_U;
	bool denied = false;

	if (access & GPT_ACC_FETCH) {
		if (!(perm & GPT_PERM_X))
			denied = true;
		if (env->user ? !user_page : (user_page && (ctx->cr4 & X86_CR4_SMEP)))
			denied = true;
		/* Protection keys do not apply to instruction fetches. */
		return denied ? PFERR_P : 0;
	}

	if (env->user) {
		if (!user_page || (write && !(perm & GPT_PERM_W)))
			denied = true;
	} else {
		/* Supervisor writes need R/W only with CR0.WP, to any page. */
		if (write && wp && !(perm & GPT_PERM_W))
			denied = true;
		/* SMAP: only an explicit access with RFLAGS.AC = 1 may touch user pages. */
		if (user_page && (ctx->cr4 & X86_CR4_SMAP) &&
		    !(env->explicit_sup && (ctx->rflags & X86_RFLAGS_AC)))
			denied = true;
	}

	/* Protection keys: data accesses to user-mode addresses, IA-32e only. */
	if (user_page && gpt_ia32e(env->mode) && (ctx->cr4 & X86_CR4_PKE)) {
		bool ad = ctx->pkru & PKRU_AD(pkey);
		bool wd = ctx->pkru & PKRU_WD(pkey);

		if (ad || (write && wd && (env->user || wp)))
			return PFERR_P | PFERR_PK;
	}
	return denied ? PFERR_P : 0;
}

/* Read the PAE PDPTE register for @gla, or its memory copy. */
static int gpt_pae_pdpte(const struct gpt_walk_ctx *ctx, u64 gla, u64 *val, u64 *bad_gpa)
{
	unsigned int i = (unsigned int)(gla >> 30) & 3;
	u64 gpa;

	if (!ctx->pdptes_from_memory) {
		*val = ctx->pdpte[i];
		return 0;
	}
	gpa = (ctx->cr3 & PAE_CR3_PDPT_MASK) + 8 * i;
	if (ctx->read_gpa(ctx->opaque, gpa, val, 8)) {
		*bad_gpa = gpa;
		return -1;
	}
	return 0;
}

/**
 * gpt_resolve() - translate @gla and check the access, without side effects
 * @ctx: the guest state.
 * @env: from gpt_env_init().
 * @gla: the linear address, already truncated to 32 bits outside IA-32e.
 * @access: GPT_ACC_* flags.
 * @path: filled with the entries used and the translation.
 * @res: filled on failure.
 *
 * Return: GPT_OK, GPT_FAULT, GPT_NONCANONICAL or GPT_BAD_GPA.
 */
static enum gpt_status gpt_resolve(const struct gpt_walk_ctx *ctx, const struct gpt_env *env,
				   u64 gla, unsigned int access, struct gpt_path *path,
				   struct gpt_walk_result *res)
{
	enum gpt_mode mode = env->mode;
	unsigned int esize = mode == GPT_MODE_32 ? 4 : 8;
	unsigned int ibits = mode == GPT_MODE_32 ? 10 : 9;
	unsigned int level, perm = GPT_PERM_W | GPT_PERM_U;
	bool xd = false;
	u64 table, val = 0;
	u32 why;

	path->nr = 0;
	path->perm = 0;
	path->pkey = 0;

	switch (mode) {
	case GPT_MODE_NONE:
		path->gpa = gla;
		path->page_size = GiB(4);
		path->level = 0;
		path->perm = GPT_PERM_W | GPT_PERM_U | GPT_PERM_X;
		return GPT_OK;
	case GPT_MODE_32:
		level = 2;
		table = ctx->cr3 & PTE32_ADDR_MASK;
		break;
	case GPT_MODE_PAE:
		/*
		 * The PDPTE registers: no A flag, no rights.  A present one with
		 * a reserved bit cannot be loaded (MOV to CR3 gives #GP, VM
		 * entry fails), so one only arrives from memory or a corrupt
		 * VMCS; it is reported as the #PF (RSVD) a walk would give.
		 */
		if (gpt_pae_pdpte(ctx, gla, &val, &res->bad_gpa)) {
			res->status = GPT_BAD_GPA;
			return GPT_BAD_GPA;
		}
		if (!(val & PTE_P))
			return gpt_fault(env, access, gla, 0, res);
		if (val & (PAE_PDPTE_RSVD | PTE_NX | gpt_above_maxphy(ctx->maxphyaddr, 62)))
			return gpt_fault(env, access, gla, PFERR_P | PFERR_RSVD, res);
		level = 2;
		table = val & PTE_ADDR_MASK;
		break;
	default: {
		unsigned int top = mode == GPT_MODE_5LEVEL ? 56 : 47;
		u64 canon = (u64)((s64)(gla << (63 - top)) >> (63 - top));

		if (canon != gla) {
			res->status = GPT_NONCANONICAL;
			return GPT_NONCANONICAL;
		}
		level = mode == GPT_MODE_5LEVEL ? 5 : 4;
		table = ctx->cr3 & PTE_ADDR_MASK & ~gpt_above_maxphy(ctx->maxphyaddr, 51);
		break;
	}
	}

	for (;; level--) {
		unsigned int shift = PAGE_SHIFT + ibits * (level - 1);
		u64 idx = (gla >> shift) & ((1u << ibits) - 1);
		u64 gpa = table + idx * esize;
		struct gpt_step *st;

		if (ctx->read_gpa(ctx->opaque, gpa, &val, esize)) {
			res->bad_gpa = gpa;
			res->status = GPT_BAD_GPA;
			return GPT_BAD_GPA;
		}
		if (esize == 4)
			val &= 0xffffffffULL;	/* whatever the callback left above */
		if (!(val & PTE_P))
			return gpt_fault(env, access, gla, 0, res);
		if (val & gpt_rsvd_bits(ctx, env, level, val))
			return gpt_fault(env, access, gla, PFERR_P | PFERR_RSVD, res);

		st = &path->step[path->nr++];
		st->gpa = gpa;
		st->val = val;
		st->size = esize;
		if (!(val & PTE_W))
			perm &= ~GPT_PERM_W;
		if (!(val & PTE_U))
			perm &= ~GPT_PERM_U;
		if (val & PTE_NX)
			xd = true;	/* a flag here: without NXE it was reserved */

		if (gpt_is_leaf(ctx, mode, level, val))
			break;
		table = val & (mode == GPT_MODE_32 ? PTE32_ADDR_MASK : PTE_ADDR_MASK);
	}

	if (!xd)
		perm |= GPT_PERM_X;
	path->perm = perm;
	path->level = level;
	path->page_size = 1ULL << (PAGE_SHIFT + ibits * (level - 1));
	path->gpa = gpt_leaf_frame(mode, level, val) | (gla & (path->page_size - 1));
	if (gpt_ia32e(mode) && (ctx->cr4 & X86_CR4_PKE))
		path->pkey = (u8)((val & PTE_PKEY_MASK) >> PTE_PKEY_SHIFT);

	if (access & GPT_ACC_NO_PERM_CHECK)
		return GPT_OK;
	why = gpt_access_fault(ctx, env, access, perm, path->pkey);
	if (why) {
		res->perm = perm;
		res->pkey = path->pkey;
		return gpt_fault(env, access, gla, why, res);
	}
	return GPT_OK;
}

/**
 * gpt_commit() - set the accessed flags of @path, and the dirty flag of its leaf
 * @ctx: the guest state.
 * @path: a successful gpt_resolve().
 * @write: the access is a write.
 * @bad_gpa: set when an entry turned out not to be RAM.
 *
 * Root first, like the CPU.  Each update is a cmpxchg from the value the walk
 * saw, so a guest store that lands between our read and our update (another
 * vCPU clearing A to age a page, unmapping it, changing its rights) wins and
 * we walk again.
 *
 * Return: 1 when every flag is set, 0 when an entry changed under us (the
 * flags of the entries before it stay set: they were used), -1 on non-RAM.
 */
static int gpt_commit(const struct gpt_walk_ctx *ctx, const struct gpt_path *path, bool write,
		      u64 *bad_gpa)
{
	for (unsigned int i = 0; i < path->nr; i++) {
		const struct gpt_step *st = &path->step[i];
		u64 want = st->val | PTE_A;
		int r;

		if (write && i == path->nr - 1)
			want |= PTE_D;
		if (want == st->val)
			continue;
		r = ctx->cmpxchg_gpa(ctx->opaque, st->gpa, st->val, want, st->size);
		if (r < 0) {
			*bad_gpa = st->gpa;
			return -1;
		}
		if (!r)
			return 0;
	}
	return 1;
}

static void gpt_result_ok(const struct gpt_path *path, struct gpt_walk_result *res)
{
	res->status = GPT_OK;
	res->gpa = path->gpa;
	res->page_size = path->page_size;
	res->level = path->level;
	res->perm = path->perm;
	res->pkey = path->pkey;
}

static void gpt_result_clear(struct gpt_walk_result *res)
{
	*res = (struct gpt_walk_result){ .status = GPT_INVALID };
}

/* Linear addresses are 32 bits wide outside IA-32e paging. */
static u64 gpt_linear(const struct gpt_env *env, u64 gla)
{
	return gpt_ia32e(env->mode) ? gla : gla & GPT_LINEAR32;
}

enum gpt_status gpt_walk(const struct gpt_walk_ctx *ctx, u64 gla, unsigned int access,
			 struct gpt_walk_result *res)
{
	struct gpt_path path;
	struct gpt_env env;

	gpt_result_clear(res);
	if (!gpt_env_init(ctx, access, &env))
		return GPT_INVALID;
	gla = gpt_linear(&env, gla);

	for (unsigned int attempt = 0; attempt < GPT_MAX_RETRIES; attempt++) {
		enum gpt_status st = gpt_resolve(ctx, &env, gla, access, &path, res);
		int r;

		if (st != GPT_OK)
			return st;
		r = (access & GPT_ACC_NO_SIDE_EFFECTS) ? 1 :
			gpt_commit(ctx, &path, access & GPT_ACC_WRITE, &res->bad_gpa);
		if (r > 0) {
			gpt_result_ok(&path, res);
			return GPT_OK;
		}
		if (r < 0) {
			res->status = GPT_BAD_GPA;
			return GPT_BAD_GPA;
		}
	}
	res->status = GPT_AGAIN;
	return GPT_AGAIN;
}

/* Copy the failure of one page's walk into the range result. */
static enum gpt_status gpt_range_fail(const struct gpt_walk_result *w, struct gpt_range_result *res)
{
	res->status = w->status;
	res->nr = 0;
	res->error_code = w->error_code;
	res->cr2 = w->cr2;
	res->bad_gpa = w->bad_gpa;
	return w->status;
}

enum gpt_status gpt_translate_range(const struct gpt_walk_ctx *ctx, u64 gla, u32 len,
				    unsigned int access, struct gpt_range_result *res)
{
	bool write = access & GPT_ACC_WRITE;
	struct gpt_walk_result w;
	struct gpt_path path[2];
	struct gpt_env env;

	*res = (struct gpt_range_result){ .status = GPT_INVALID };
	gpt_result_clear(&w);
	if (!len || len > PAGE_SIZE || !gpt_env_init(ctx, access, &env))
		return GPT_INVALID;
	gla = gpt_linear(&env, gla);

	for (unsigned int attempt = 0; attempt < GPT_MAX_RETRIES; attempt++) {
		enum gpt_status st = gpt_resolve(ctx, &env, gla, access, &path[0], &w);
		u64 room;
		int r = 1;

		if (st != GPT_OK)
			return gpt_range_fail(&w, res);
		room = path[0].page_size - (gla & (path[0].page_size - 1));
		res->nr = 1;
		res->piece[0].gpa = path[0].gpa;
		res->piece[0].len = (u32)MIN((u64)len, room);

		if (res->piece[0].len < len) {
			/* The second page starts at its first byte: CR2 if it faults. */
			u64 gla2 = gpt_linear(&env, gla + room);

			st = gpt_resolve(ctx, &env, gla2, access, &path[1], &w);
			if (st != GPT_OK)
				return gpt_range_fail(&w, res);
			res->nr = 2;
			res->piece[1].gpa = path[1].gpa;
			res->piece[1].len = len - res->piece[0].len;
		}

		if (access & GPT_ACC_NO_SIDE_EFFECTS) {
			res->status = GPT_OK;
			return GPT_OK;
		}
		for (unsigned int i = 0; i < res->nr && r > 0; i++)
			r = gpt_commit(ctx, &path[i], write, &res->bad_gpa);
		if (r > 0) {
			res->status = GPT_OK;
			return GPT_OK;
		}
		if (r < 0) {
			res->status = GPT_BAD_GPA;
			return GPT_BAD_GPA;
		}
	}
	res->nr = 0;
	res->status = GPT_AGAIN;
	return GPT_AGAIN;
}
