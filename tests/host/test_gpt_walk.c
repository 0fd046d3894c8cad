// SPDX-License-Identifier: MIT
/*
 * vmx/emul/gpt_walk.c: the guest page walker against the SDM (vol. 3A ch. 4).
 *
 * A fake guest memory (an array; everything beyond it is "not RAM") holds
 * page tables the tests build for every paging mode.  Tables of cases cover
 * translation in each mode and page size, each access-rights rule, each
 * reserved bit at each level, the #PF error code and CR2, A/D updates and
 * their absence, cmpxchg races injected by the fake memory, page-crossing
 * accesses and non-RAM paging structures.  A randomized check then compares
 * the walker with a separate, deliberately plain reference model of 4-level
 * paging on random page-table graphs and random accesses, memory included.
 */
#include "vmx/emul/gpt_walk.h"
#include "lib/x86_paging.h"
#include "lib/x86_regs.h"
#include "tests/host/harness.h"

#include <stdlib.h>
#include <string.h>

#define MEM_SIZE	MiB(8)
#define TABLE_BASE	MiB(1)		/* tables the tests build start here */
#define NOT_RAM		GiB(3)		/* a guest-physical address that is not RAM */

static u8 guest_mem[MEM_SIZE] __aligned(4096);
static u64 next_table;

/* ------------------------------------------------------------ fake memory */

/*
 * The memory callbacks.  A race rule makes the next race_left cmpxchgs on
 * race_gpa first store ((cur & ~race_clear) | race_set) ^ race_flip, as a
 * guest store landing between the walker's read and its update would.
 */
struct fake {
	u8 *mem;
	unsigned long reads, cmpxchgs, swaps;
	u64 race_gpa, race_clear, race_set, race_flip;
	unsigned int race_left;
	bool cmpxchg_not_ram;
	u64 swapped_gpa[8];	/* what the last walk wrote, for the random test */
	unsigned int nr_swapped;
	unsigned int last_size;
};

static struct fake fk = { .mem = guest_mem };

static bool in_ram(u64 gpa, unsigned int size)
{
	return gpa < MEM_SIZE && size <= MEM_SIZE - gpa;
}

static u64 mem_load(const u8 *mem, u64 gpa, unsigned int size)
{
	u64 v = 0;

	memcpy(&v, mem + gpa, size);
	return v;
}

static void mem_store(u8 *mem, u64 gpa, u64 v, unsigned int size)
{
	memcpy(mem + gpa, &v, size);
}

static int fake_read(void *opaque, u64 gpa, u64 *val, unsigned int size)
{
	struct fake *f = opaque;

	f->reads++;
	if ((size != 4 && size != 8) || !in_ram(gpa, size))
		return -1;
	*val = mem_load(f->mem, gpa, size);
	return 0;
}

static int fake_cmpxchg(void *opaque, u64 gpa, u64 old, u64 new_val, unsigned int size)
{
	struct fake *f = opaque;
	u64 cur;

	f->cmpxchgs++;
	f->last_size = size;
	if (f->cmpxchg_not_ram || (size != 4 && size != 8) || !in_ram(gpa, size))
		return -1;
	if (f->race_left && gpa == f->race_gpa) {
		f->race_left--;
		cur = mem_load(f->mem, gpa, size);
		mem_store(f->mem, gpa, ((cur & ~f->race_clear) | f->race_set) ^ f->race_flip, size);
	}
	cur = mem_load(f->mem, gpa, size);
	if (cur != old)
		return 0;
	mem_store(f->mem, gpa, new_val, size);
	f->swaps++;
	if (f->nr_swapped < ARRAY_SIZE(f->swapped_gpa))
		f->swapped_gpa[f->nr_swapped++] = gpa;
	return 1;
}

static u64 r64(u64 gpa)
{
	return mem_load(guest_mem, gpa, 8);
}

static void w64(u64 gpa, u64 v)
{
	mem_store(guest_mem, gpa, v, 8);
}

static u64 r32(u64 gpa)
{
	return mem_load(guest_mem, gpa, 4);
}

static void w32(u64 gpa, u64 v)
{
	mem_store(guest_mem, gpa, v, 4);
}

static void mem_reset(void)
{
	memset(guest_mem, 0, MEM_SIZE);
	next_table = TABLE_BASE;
	fk = (struct fake){ .mem = guest_mem };
}

static u64 table_alloc(void)
{
	u64 t = next_table;

	next_table += PAGE_SIZE;
	if (next_table > MEM_SIZE) {
		fprintf(stderr, "test_gpt_walk: out of table pages\n");
		exit(2);
	}
	memset(guest_mem + t, 0, PAGE_SIZE);
	return t;
}

/* ------------------------------------------------------------ table builders */

/* The entry for @gla at @level of a 64-bit-format table (PAE or IA-32e). */
static u64 ent64(u64 table, u64 gla, unsigned int level)
{
	return table + ((gla >> (12 + 9 * (level - 1))) & 511) * 8;
}

/* The entry for @gla at @level (2 = PDE, 1 = PTE) of a 32-bit table. */
static u64 ent32(u64 table, u64 gla, unsigned int level)
{
	return table + ((gla >> (12 + 10 * (level - 1))) & 1023) * 4;
}

/*
 * Map @gla to @frame in a PAE or IA-32e tree whose top table (level @top) is
 * @root.  Non-leaf entries get P | @upper (a PAE PDPTE only P), the leaf at
 * @leaf_level gets P | @leaf (| PS above level 1).  Tables missing on the way
 * are allocated.  where[level] receives the gpa of each entry used.
 */
static void map64(u64 root, unsigned int top, u64 gla, unsigned int leaf_level, u64 frame,
		  u64 upper, u64 leaf, bool pae, u64 *where)
{
	u64 table = root;

	for (unsigned int l = top; l > leaf_level; l--) {
		u64 e = ent64(table, gla, l);
		u64 v = r64(e);

		if (!(v & PTE_P))
			v = table_alloc();
		v = (v & PTE_ADDR_MASK) | PTE_P | ((pae && l == 3) ? 0 : upper);
		w64(e, v);
		if (where)
			where[l] = e;
		table = v & PTE_ADDR_MASK;
	}
	w64(ent64(table, gla, leaf_level),
	    frame | PTE_P | leaf | (leaf_level > 1 ? PTE_PS : 0));
	if (where)
		where[leaf_level] = ent64(table, gla, leaf_level);
}

/* The same for 32-bit paging; @large maps a 4 MiB page with its PDE. */
static void map32(u64 root, u64 gla, bool large, u64 frame_entry_bits, u64 upper, u64 leaf,
		  u64 *where)
{
	u64 pde = ent32(root, gla, 2);
	u64 v;

	where[2] = pde;
	if (large) {
		w32(pde, frame_entry_bits | PTE_P | PTE_PS | leaf);
		return;
	}
	v = r32(pde);
	if (!(v & PTE_P))
		v = table_alloc();
	v = (v & PTE32_ADDR_MASK) | PTE_P | upper;
	w32(pde, v);
	where[1] = ent32(v & PTE32_ADDR_MASK, gla, 1);
	w32(where[1], frame_entry_bits | PTE_P | leaf);
}

/* A context for @mode with CR3 = @root: WP, NXE, 46-bit MAXPHYADDR, 1 GiB pages. */
static struct gpt_walk_ctx mkctx(enum gpt_mode mode, u64 root)
{
	struct gpt_walk_ctx c = {
		.cr0 = X86_CR0_PE | X86_CR0_WP,
		.cr3 = root,
		.maxphyaddr = 46,
		.gbpages = true,
		.read_gpa = fake_read,
		.cmpxchg_gpa = fake_cmpxchg,
		.opaque = &fk,
	};

	if (mode == GPT_MODE_NONE)
		return c;
	c.cr0 |= X86_CR0_PG;
	switch (mode) {
	case GPT_MODE_32:
		c.cr4 = X86_CR4_PSE;
		break;
	case GPT_MODE_PAE:
		c.cr4 = X86_CR4_PAE;
		c.efer = EFER_NXE;
		c.pdptes_from_memory = true;
		break;
	case GPT_MODE_5LEVEL:
		c.cr4 = X86_CR4_PAE | X86_CR4_LA57;
		c.efer = EFER_LME | EFER_LMA | EFER_NXE;
		break;
	default:
		c.cr4 = X86_CR4_PAE;
		c.efer = EFER_LME | EFER_LMA | EFER_NXE;
		break;
	}
	return c;
}

static unsigned int mode_top(enum gpt_mode mode)
{
	return mode == GPT_MODE_5LEVEL ? 5 : mode == GPT_MODE_4LEVEL ? 4 : 3;
}

/* ------------------------------------------------------------ translation per mode */

static void test_no_paging(void)
{
	struct gpt_walk_ctx c;
	struct gpt_walk_result r;

	mem_reset();
	c = mkctx(GPT_MODE_NONE, 0);
	CHECK_EQ(gpt_paging_mode(&c), GPT_MODE_NONE);
	CHECK_EQ(gpt_walk(&c, 0x12345678, GPT_ACC_WRITE | GPT_ACC_USER, &r), GPT_OK);
	CHECK_EQ(r.gpa, 0x12345678);
	CHECK_EQ(r.page_size, GiB(4));
	CHECK_EQ(r.level, 0);
	CHECK_EQ(r.perm, GPT_PERM_W | GPT_PERM_U | GPT_PERM_X);
	/* Linear addresses are 32 bits wide: the upper half is dropped. */
	CHECK_EQ(gpt_walk(&c, 0xabcd00001000ULL, 0, &r), GPT_OK);
	CHECK_EQ(r.gpa, 0x1000);
	CHECK_EQ(fk.reads + fk.cmpxchgs, 0);
}

struct map_case {
	const char *name;
	enum gpt_mode mode;
	unsigned int leaf_level;	/* 1 = 4 KiB; 2 = 2/4 MiB; 3 = 1 GiB */
	u64 gla;
	u64 frame;			/* page frame, or a 32-bit PDE's frame bits */
	u64 expect_frame;		/* what that frame means, when different */
	u8 maxphyaddr;			/* 0: mkctx's 46 */
	u64 page_size;
};

static const struct map_case map_cases[] = {
	{ "32-bit 4K", GPT_MODE_32, 1, 0x08048123, 0x00300000, 0, 0, KiB(4) },
	{ "32-bit 4M", GPT_MODE_32, 2, 0xc0789abc, 0x00800000, 0, 0, MiB(4) },
	/* PSE-36: entry bits 20:13 = 0x12 give address bits 39:32. */
	{ "32-bit 4M PSE-36", GPT_MODE_32, 2, 0xc0789abc, 0x00c00000 | (0x12ULL << 13),
	  0x1200c00000ULL, 40, MiB(4) },
	{ "32-bit 4M PSE-36, M=36", GPT_MODE_32, 2, 0x00400007, 0x7fc00000 | (0xfULL << 13),
	  0xf7fc00000ULL, 36, MiB(4) },
	{ "PAE 4K", GPT_MODE_PAE, 1, 0xb7f01234, 0x123456000ULL, 0, 0, KiB(4) },
	{ "PAE 2M", GPT_MODE_PAE, 2, 0xc0345678, 0x2345600000ULL, 0, 0, MiB(2) },
	{ "4-level 4K", GPT_MODE_4LEVEL, 1, 0x00007f1234567abcULL, 0x3456789000ULL, 0, 0, KiB(4) },
	{ "4-level 4K high", GPT_MODE_4LEVEL, 1, 0xffff800000001234ULL, 0x5000, 0, 0, KiB(4) },
	{ "4-level 2M", GPT_MODE_4LEVEL, 2, 0xffffffff81234567ULL, 0x1000000, 0, 0, MiB(2) },
	{ "4-level 1G", GPT_MODE_4LEVEL, 3, 0x0000004087654321ULL, 0x3fc0000000ULL, 0, 0, GiB(1) },
	{ "5-level 4K", GPT_MODE_5LEVEL, 1, 0xff12345678901abcULL, 0x777000, 0, 0, KiB(4) },
	{ "5-level 2M", GPT_MODE_5LEVEL, 2, 0x00f0000000312345ULL, 0x400000, 0, 0, MiB(2) },
	{ "5-level 1G", GPT_MODE_5LEVEL, 3, 0x0001234567890123ULL, 0x40000000, 0, 0, GiB(1) },
	{ "4-level M=52 top frame", GPT_MODE_4LEVEL, 1, 0x1000, 0x000ffffffffff000ULL, 0, 52,
	  KiB(4) },
};

static void test_map_cases(void)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(map_cases); i++) {
		const struct map_case *mc = &map_cases[i];
		u64 root, where[6] = { 0 }, frame = mc->expect_frame ? mc->expect_frame : mc->frame;
		struct gpt_walk_ctx c;
		struct gpt_walk_result r;
		unsigned int top, esize;

		mem_reset();
		root = table_alloc();
		c = mkctx(mc->mode, root);
		if (mc->maxphyaddr)
			c.maxphyaddr = mc->maxphyaddr;
		CHECK_EQ(gpt_paging_mode(&c), mc->mode);
		if (mc->mode == GPT_MODE_32) {
			map32(root, mc->gla, mc->leaf_level == 2, mc->frame, PTE_W | PTE_U,
			      PTE_W | PTE_U, where);
			top = 2;
			esize = 4;
		} else {
			top = mode_top(mc->mode);
			map64(root, top, mc->gla, mc->leaf_level, mc->frame, PTE_W | PTE_U,
			      PTE_W | PTE_U, mc->mode == GPT_MODE_PAE, where);
			esize = 8;
		}

		if (gpt_walk(&c, mc->gla, 0, &r) != GPT_OK) {
			test_fail(__FILE__, __LINE__, "%s: status %d ec %#x", mc->name, r.status,
				  r.error_code);
			continue;
		}
		CHECK_EQ(r.gpa, frame | (mc->gla & (mc->page_size - 1)));
		CHECK_EQ(r.page_size, mc->page_size);
		CHECK_EQ(r.level, mc->leaf_level);
		CHECK_EQ(r.perm, GPT_PERM_W | GPT_PERM_U | GPT_PERM_X);
		/* A read sets A in every entry used, D nowhere; PAE PDPTEs have no A. */
		for (unsigned int l = mc->leaf_level; l <= top; l++) {
			u64 v = mem_load(guest_mem, where[l], esize);

			if (mc->mode == GPT_MODE_PAE && l == 3) {
				CHECK_EQ(v & ~PTE_ADDR_MASK, PTE_P);
				continue;
			}
			CHECK(v & PTE_A);
			CHECK(!(v & PTE_D));
		}
		/* A write sets D in the leaf only. */
		CHECK_EQ(gpt_walk(&c, mc->gla, GPT_ACC_WRITE, &r), GPT_OK);
		for (unsigned int l = mc->leaf_level; l <= top; l++) {
			u64 v = mem_load(guest_mem, where[l], esize);

			if (!(mc->mode == GPT_MODE_PAE && l == 3))
				CHECK_EQ(!!(v & PTE_D), l == mc->leaf_level);
		}
	}
}

/* ------------------------------------------------------------ access rights (SDM 4.6, 4.7) */

#define RW		PTE_W
#define US		PTE_U
#define XD		PTE_NX
#define PKEY(k)		((u64)(k) << PTE_PKEY_SHIFT)
#define L4		GPT_MODE_4LEVEL
#define ACC_W		GPT_ACC_WRITE
#define ACC_F		GPT_ACC_FETCH
#define ACC_U		GPT_ACC_USER
#define ACC_I		GPT_ACC_IMPLICIT
#define SMEP		X86_CR4_SMEP
#define SMAP		X86_CR4_SMAP
#define PKE		X86_CR4_PKE
#define EC_P		PFERR_P
#define EC_W		PFERR_W
#define EC_U		PFERR_U
#define EC_R		PFERR_RSVD
#define EC_I		PFERR_ID
#define EC_K		PFERR_PK

/*
 * One access to a 4 KiB page whose non-leaf entries carry @upper and whose
 * PTE carries @leaf; @pde_clear is then taken out of the PDE alone.  The
 * context is mkctx()'s (CR0.WP = 1, EFER.NXE = 1) changed by the flags.
 */
struct perm_case {
	const char *name;
	enum gpt_mode mode;
	u64 upper, leaf, pde_clear;
	bool no_wp, no_nxe, ac, leaf_not_present;
	u64 cr4;
	u8 cpl;
	unsigned int access;
	u32 pkru;
	bool fault;
	u32 ec;
};

static const struct perm_case perm_cases[] = {
	/* U/S and R/W for user-mode accesses, at every level. */
	{ "user read user page", L4, US | RW, US | RW, .cpl = 3 },
	{ "user read supervisor PTE", L4, US | RW, RW, .cpl = 3, .fault = true, .ec = EC_P | EC_U },
	{ "user read supervisor PDE", L4, US | RW, US | RW, US, .cpl = 3, .fault = true,
	  .ec = EC_P | EC_U },
	{ "user write read-only PTE", L4, US | RW, US, .cpl = 3, .access = ACC_W, .fault = true,
	  .ec = EC_P | EC_W | EC_U },
	{ "user write read-only PDE", L4, US | RW, US | RW, RW, .cpl = 3, .access = ACC_W,
	  .fault = true, .ec = EC_P | EC_W | EC_U },
	{ "user write read-write", L4, US | RW, US | RW, .cpl = 3, .access = ACC_W },
	{ "user write read-only, WP=0", L4, US | RW, US, .no_wp = true, .cpl = 3, .access = ACC_W,
	  .fault = true, .ec = EC_P | EC_W | EC_U },
	{ "user fetch user page", L4, US, US, .cpl = 3, .access = ACC_F },
	{ "user fetch supervisor page", L4, US, 0, .cpl = 3, .access = ACC_F, .fault = true,
	  .ec = EC_P | EC_U | EC_I },
	{ "user fetch XD PTE", L4, US, US | XD, .cpl = 3, .access = ACC_F, .fault = true,
	  .ec = EC_P | EC_U | EC_I },
	{ "user fetch XD upper", L4, US | XD, US, .cpl = 3, .access = ACC_F, .fault = true,
	  .ec = EC_P | EC_U | EC_I },
	{ "user read XD page", L4, US | XD, US | XD, .cpl = 3 },
	{ "GPT_ACC_USER at CPL 0", L4, RW, RW, .access = ACC_U, .fault = true, .ec = EC_P | EC_U },

	/* Supervisor-mode accesses: CR0.WP, XD, SMEP. */
	{ "sup read supervisor page", L4, 0, 0, .fault = false },
	{ "sup read user page, no SMAP", L4, US, US, .fault = false },
	{ "CPL 2 is supervisor", L4, RW, RW, .cpl = 2, .access = ACC_W },
	{ "sup write read-only, WP=0", L4, 0, 0, .no_wp = true, .access = ACC_W },
	{ "sup write read-only PTE, WP=1", L4, RW, 0, .access = ACC_W, .fault = true,
	  .ec = EC_P | EC_W },
	{ "sup write read-only PDE, WP=1", L4, RW, RW, RW, .access = ACC_W, .fault = true,
	  .ec = EC_P | EC_W },
	{ "sup write read-only user page, WP=0", L4, US, US, .no_wp = true, .access = ACC_W },
	{ "sup write read-only user page, WP=1", L4, US, US, .access = ACC_W, .fault = true,
	  .ec = EC_P | EC_W },
	{ "sup fetch XD", L4, 0, XD, .access = ACC_F, .fault = true, .ec = EC_P | EC_I },
	{ "sup fetch user page, no SMEP", L4, US, US, .access = ACC_F },
	{ "sup fetch user page, SMEP", L4, US, US, .cr4 = SMEP, .access = ACC_F, .fault = true,
	  .ec = EC_P | EC_I },
	{ "sup fetch SMEP, PDE supervisor", L4, US, US, US, .cr4 = SMEP, .access = ACC_F },
	{ "sup fetch SMEP, NXE=0: I/D from SMEP", L4, US, US, .no_nxe = true, .cr4 = SMEP,
	  .access = ACC_F, .fault = true, .ec = EC_P | EC_I },
	{ "XD with NXE=0 is reserved, no I/D", L4, 0, XD, .no_nxe = true, .access = ACC_F,
	  .fault = true, .ec = EC_P | EC_R },

	/* SMAP, RFLAGS.AC and implicit accesses. */
	{ "SMAP read user page, AC=0", L4, US, US, .cr4 = SMAP, .fault = true, .ec = EC_P },
	{ "SMAP read user page, AC=1", L4, US, US, .cr4 = SMAP, .ac = true },
	{ "SMAP write user page, AC=1", L4, US | RW, US | RW, .cr4 = SMAP, .ac = true,
	  .access = ACC_W },
	{ "SMAP write RO user page, AC=1, WP=1", L4, US, US, .cr4 = SMAP, .ac = true,
	  .access = ACC_W, .fault = true, .ec = EC_P | EC_W },
	{ "SMAP write RO user page, AC=1, WP=0", L4, US, US, .no_wp = true, .cr4 = SMAP, .ac = true,
	  .access = ACC_W },
	{ "SMAP write user page, AC=0", L4, US | RW, US | RW, .cr4 = SMAP, .access = ACC_W,
	  .fault = true, .ec = EC_P | EC_W },
	{ "SMAP implicit read, AC=1, CPL 0", L4, US, US, .cr4 = SMAP, .ac = true, .access = ACC_I,
	  .fault = true, .ec = EC_P },
	{ "SMAP implicit read, AC=1, CPL 3", L4, US, US, .cr4 = SMAP, .ac = true, .cpl = 3,
	  .access = ACC_I, .fault = true, .ec = EC_P },
	{ "SMAP implicit write, CPL 3", L4, US | RW, US | RW, .cr4 = SMAP, .cpl = 3,
	  .access = ACC_I | ACC_W, .fault = true, .ec = EC_P | EC_W },
	{ "SMAP read, PDE supervisor", L4, US, US, US, .cr4 = SMAP },
	{ "SMAP does not cover fetches", L4, US, US, .cr4 = SMAP, .access = ACC_F },
	{ "SMAP user read", L4, US, US, .cr4 = SMAP, .cpl = 3 },
	{ "implicit at CPL 3 reads supervisor page", L4, 0, 0, .cpl = 3, .access = ACC_I },
	{ "implicit at CPL 3 writes RO, WP=0", L4, 0, 0, .no_wp = true, .cpl = 3,
	  .access = ACC_I | ACC_W },

	/* Protection keys (key 5 in the PTE). */
	{ "PK AD user read", L4, US, US | PKEY(5), .cr4 = PKE, .cpl = 3, .pkru = PKRU_AD(5),
	  .fault = true, .ec = EC_P | EC_U | EC_K },
	{ "PK AD sup read", L4, US, US | PKEY(5), .cr4 = PKE, .pkru = PKRU_AD(5), .fault = true,
	  .ec = EC_P | EC_K },
	{ "PK AD sup write, WP=0", L4, US, US | PKEY(5), .no_wp = true, .cr4 = PKE,
	  .access = ACC_W, .pkru = PKRU_AD(5), .fault = true, .ec = EC_P | EC_W | EC_K },
	{ "PK AD user fetch", L4, US, US | PKEY(5), .cr4 = PKE, .cpl = 3, .access = ACC_F,
	  .pkru = PKRU_AD(5) },
	{ "PK WD user read", L4, US | RW, US | RW | PKEY(5), .cr4 = PKE, .cpl = 3,
	  .pkru = PKRU_WD(5) },
	{ "PK WD user write", L4, US | RW, US | RW | PKEY(5), .cr4 = PKE, .cpl = 3,
	  .access = ACC_W, .pkru = PKRU_WD(5), .fault = true, .ec = EC_P | EC_W | EC_U | EC_K },
	{ "PK WD sup write, WP=1", L4, US | RW, US | RW | PKEY(5), .cr4 = PKE, .access = ACC_W,
	  .pkru = PKRU_WD(5), .fault = true, .ec = EC_P | EC_W | EC_K },
	{ "PK WD sup write, WP=0", L4, US | RW, US | RW | PKEY(5), .no_wp = true, .cr4 = PKE,
	  .access = ACC_W, .pkru = PKRU_WD(5) },
	{ "PK other key", L4, US, US | PKEY(5), .cr4 = PKE, .cpl = 3,
	  .pkru = PKRU_AD(4) | PKRU_WD(4) | PKRU_AD(6) },
	{ "PK key of the PTE, not the PDE", L4, US | PKEY(5), US | PKEY(6), .cr4 = PKE, .cpl = 3,
	  .pkru = PKRU_AD(5) },
	{ "PK supervisor page", L4, RW, RW | PKEY(5), .cr4 = PKE, .pkru = PKRU_AD(5) },
	{ "PK with CR4.PKE=0", L4, US, US | PKEY(5), .cpl = 3, .pkru = PKRU_AD(5) },
	{ "PK WD and R/W=0: both", L4, US | RW, US | PKEY(5), .cr4 = PKE, .cpl = 3, .access = ACC_W,
	  .pkru = PKRU_WD(5), .fault = true, .ec = EC_P | EC_W | EC_U | EC_K },
	{ "PK and SMAP: both", L4, US, US | PKEY(5), .cr4 = PKE | SMAP, .pkru = PKRU_AD(5),
	  .fault = true, .ec = EC_P | EC_K },
	{ "PK user read of supervisor page: no PK", L4, US, PKEY(5), .cr4 = PKE, .cpl = 3,
	  .pkru = PKRU_AD(5), .fault = true, .ec = EC_P | EC_U },
	{ "PK ignored in PAE paging", GPT_MODE_PAE, US, US, .cr4 = PKE, .cpl = 3,
	  .pkru = PKRU_AD(0) },

	/* 32-bit and PAE paging: no XD, I/D only with SMEP or NXE. */
	{ "32-bit user fetch supervisor, no SMEP", GPT_MODE_32, US, 0, .cpl = 3, .access = ACC_F,
	  .fault = true, .ec = EC_P | EC_U },
	{ "32-bit user fetch supervisor, SMEP", GPT_MODE_32, US, 0, .cr4 = SMEP, .cpl = 3,
	  .access = ACC_F, .fault = true, .ec = EC_P | EC_U | EC_I },
	{ "32-bit sup write RO, WP=1", GPT_MODE_32, RW, 0, .access = ACC_W, .fault = true,
	  .ec = EC_P | EC_W },
	{ "32-bit SMAP", GPT_MODE_32, US, US, .cr4 = SMAP, .fault = true, .ec = EC_P },
	{ "32-bit user write RO PDE", GPT_MODE_32, US, US | RW, .cpl = 3, .access = ACC_W,
	  .fault = true, .ec = EC_P | EC_W | EC_U },
	{ "PAE NXE=0 user fetch supervisor", GPT_MODE_PAE, US, 0, .no_nxe = true, .cpl = 3,
	  .access = ACC_F, .fault = true, .ec = EC_P | EC_U },
	{ "PAE NXE=1 user fetch supervisor", GPT_MODE_PAE, US, 0, .cpl = 3, .access = ACC_F,
	  .fault = true, .ec = EC_P | EC_U | EC_I },
	{ "PAE fetch XD PDE", GPT_MODE_PAE, XD, 0, .access = ACC_F, .fault = true,
	  .ec = EC_P | EC_I },
	{ "5-level user write RO PTE", GPT_MODE_5LEVEL, US | RW, US, .cpl = 3, .access = ACC_W,
	  .fault = true, .ec = EC_P | EC_W | EC_U },

	/* Not present: P = 0, the other bits still describe the access. */
	{ "not present, user write", L4, US | RW, US | RW, .leaf_not_present = true, .cpl = 3,
	  .access = ACC_W, .fault = true, .ec = EC_W | EC_U },
	{ "not present, fetch", L4, 0, 0, .leaf_not_present = true, .access = ACC_F, .fault = true,
	  .ec = EC_I },
	{ "not present, 32-bit fetch", GPT_MODE_32, 0, 0, .leaf_not_present = true,
	  .access = ACC_F, .fault = true, .ec = 0 },

	/* Translation only. */
	{ "no permission check", L4, RW, RW, .cr4 = SMAP, .cpl = 3,
	  .access = GPT_ACC_NO_PERM_CHECK | ACC_W },
};

/* Take @mask out of the entry at @gpa. */
static void entry_clear(u64 gpa, unsigned int esize, u64 mask)
{
	mem_store(guest_mem, gpa, mem_load(guest_mem, gpa, esize) & ~mask, esize);
}

/* A linear address that each mode can reach with a 4 KiB page. */
static u64 mode_gla(enum gpt_mode mode)
{
	switch (mode) {
	case GPT_MODE_32:
	case GPT_MODE_PAE:
		return 0x7654b321;
	case GPT_MODE_5LEVEL:
		return 0x00ab7f123456b321ULL;
	default:
		return 0x00007f123456b321ULL;
	}
}

/* Build a 4 KiB mapping of @gla in @mode; entry gpas in where[], size in *esize. */
static u64 build_4k(enum gpt_mode mode, u64 gla, u64 upper, u64 leaf, u64 *where,
		    unsigned int *esize)
{
	u64 root = table_alloc();

	if (mode == GPT_MODE_32) {
		map32(root, gla, false, 0x00234000, upper, leaf, where);
		*esize = 4;
	} else {
		map64(root, mode_top(mode), gla, 1, 0x234000, upper, leaf, mode == GPT_MODE_PAE,
		      where);
		*esize = 8;
	}
	return root;
}

static void test_perm_cases(void)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(perm_cases); i++) {
		const struct perm_case *pc = &perm_cases[i];
		u64 gla = mode_gla(pc->mode), where[6] = { 0 }, before[6] = { 0 };
		unsigned int esize, top = pc->mode == GPT_MODE_32 ? 2 : mode_top(pc->mode);
		unsigned int perm = GPT_PERM_W | GPT_PERM_U | GPT_PERM_X;
		struct gpt_walk_ctx c;
		struct gpt_walk_result r;
		enum gpt_status st;

		mem_reset();
		c = mkctx(pc->mode, build_4k(pc->mode, gla, pc->upper, pc->leaf, where, &esize));
		entry_clear(where[2], esize, pc->pde_clear);
		if (pc->leaf_not_present)
			entry_clear(where[1], esize, PTE_P);
		if (pc->no_wp)
			c.cr0 &= ~X86_CR0_WP;
		if (pc->no_nxe)
			c.efer &= ~EFER_NXE;
		if (pc->ac)
			c.rflags |= X86_RFLAGS_AC;
		c.cr4 |= pc->cr4;
		c.cpl = pc->cpl;
		c.pkru = pc->pkru;
		for (unsigned int l = 1; l <= top; l++)
			before[l] = mem_load(guest_mem, where[l], esize);

		st = gpt_walk(&c, gla, pc->access, &r);
		if (st != (pc->fault ? GPT_FAULT : GPT_OK) ||
		    (pc->fault && r.error_code != pc->ec)) {
			test_fail(__FILE__, __LINE__, "%s: status %d ec %#x, want %s ec %#x",
				  pc->name, st, r.error_code, pc->fault ? "fault" : "ok", pc->ec);
			continue;
		}
		if (pc->fault) {
			CHECK_EQ(r.cr2, gla);
			/* A faulting walk sets no flag. */
			for (unsigned int l = 1; l <= top; l++)
				CHECK_EQ(mem_load(guest_mem, where[l], esize), before[l]);
			continue;
		}
		if (!((pc->upper & pc->leaf) & RW) || (pc->pde_clear & RW))
			perm &= ~GPT_PERM_W;
		if (!((pc->upper & pc->leaf) & US) || (pc->pde_clear & US))
			perm &= ~GPT_PERM_U;
		if (!pc->no_nxe && ((pc->upper | pc->leaf) & XD))
			perm &= ~GPT_PERM_X;
		CHECK_EQ(r.perm, perm);
		CHECK_EQ(r.gpa, 0x234000 | (gla & 0xfff));
		CHECK_EQ(r.pkey, (pc->cr4 & PKE) && pc->mode != GPT_MODE_PAE ?
				 (pc->leaf & PTE_PKEY_MASK) >> PTE_PKEY_SHIFT : 0);
		CHECK(mem_load(guest_mem, where[1], esize) & PTE_A);
		CHECK_EQ(!!(mem_load(guest_mem, where[1], esize) & PTE_D),
			 !!(pc->access & ACC_W));
	}
}

/* ------------------------------------------------------------ reserved bits */

/*
 * A mapping with its leaf at @leaf_level, and @bits ORed into the entry at
 * level @at.  @rsvd: the walk must fault with P | RSVD; otherwise it must
 * succeed, or (@moves) at least not report RSVD.
 */
struct rsvd_case {
	const char *name;
	enum gpt_mode mode;
	unsigned int leaf_level, at;
	u64 bits;
	u8 maxphyaddr;			/* 0: 40 */
	bool no_nxe, no_1g, no_pse, pdpte_regs;
	bool rsvd;
	bool moves;			/* not reserved, but moves the next table */
};

#define B(n)	BIT(n)

static const struct rsvd_case rsvd_cases[] = {
	/* IA-32e, M = 40: 51:M reserved, 62:52 ignored, XD reserved without NXE. */
	{ "PML4E bit M", L4, 1, 4, B(40), .rsvd = true },
	{ "PML4E bit 51", L4, 1, 4, B(51), .rsvd = true },
	{ "PML4E PS", L4, 1, 4, PTE_PS, .rsvd = true },
	{ "PML4E XD, NXE=0", L4, 1, 4, XD, .no_nxe = true, .rsvd = true },
	{ "PML4E XD, NXE=1", L4, 1, 4, XD, .rsvd = false },
	{ "PML4E ignored 52..62", L4, 1, 4, GENMASK(62, 52), .rsvd = false },
	{ "PML4E ignored 6, 8..11", L4, 1, 4, B(6) | GENMASK(11, 8), .rsvd = false },
	{ "PDPTE bit M", L4, 1, 3, B(40), .rsvd = true },
	{ "PDPTE bit 45", L4, 1, 3, B(45), .rsvd = true },
	{ "PDPTE XD, NXE=0", L4, 1, 3, XD, .no_nxe = true, .rsvd = true },
	{ "PDPTE ignored 52..62", L4, 1, 3, GENMASK(62, 52), .rsvd = false },
	{ "PDE bit M", L4, 1, 2, B(40), .rsvd = true },
	{ "PDE XD, NXE=0", L4, 1, 2, XD, .no_nxe = true, .rsvd = true },
	{ "PDE ignored 52..62", L4, 1, 2, GENMASK(62, 52), .rsvd = false },
	{ "PTE bit M", L4, 1, 1, B(40), .rsvd = true },
	{ "PTE bit 51", L4, 1, 1, B(51), .rsvd = true },
	{ "PTE XD, NXE=0", L4, 1, 1, XD, .no_nxe = true, .rsvd = true },
	{ "PTE PAT, G, ignored", L4, 1, 1, PTE_PAT | PTE_G | GENMASK(11, 9) | GENMASK(62, 52),
	  .rsvd = false },
	{ "PTE bit M-1 is address", L4, 1, 1, B(39), .rsvd = false },
	{ "2M bit 13", L4, 2, 2, B(13), .rsvd = true },
	{ "2M bit 20", L4, 2, 2, B(20), .rsvd = true },
	{ "2M bit M", L4, 2, 2, B(40), .rsvd = true },
	{ "2M PAT", L4, 2, 2, PTE_PAT_LARGE, .rsvd = false },
	{ "2M XD, NXE=0", L4, 2, 2, XD, .no_nxe = true, .rsvd = true },
	{ "1G bit 13", L4, 3, 3, B(13), .rsvd = true },
	{ "1G bit 29", L4, 3, 3, B(29), .rsvd = true },
	{ "1G bit M", L4, 3, 3, B(40), .rsvd = true },
	{ "1G PAT", L4, 3, 3, PTE_PAT_LARGE, .rsvd = false },
	{ "1G without 1 GiB pages: PS", L4, 3, 3, 0, .no_1g = true, .rsvd = true },
	{ "M=52: bit 51 is address", L4, 1, 1, B(51), .maxphyaddr = 52 },
	{ "M=36: PDE bit 36", L4, 1, 2, B(36), .maxphyaddr = 36, .rsvd = true },
	{ "M=36: PTE bit 35 is address", L4, 1, 1, B(35), .maxphyaddr = 36 },
	{ "PML5E PS", GPT_MODE_5LEVEL, 1, 5, PTE_PS, .rsvd = true },
	{ "PML5E bit M", GPT_MODE_5LEVEL, 1, 5, B(40), .rsvd = true },
	{ "PML5E ignored 52..62", GPT_MODE_5LEVEL, 1, 5, GENMASK(62, 52), .rsvd = false },
	{ "5-level PML4E PS", GPT_MODE_5LEVEL, 1, 4, PTE_PS, .rsvd = true },

	/* PAE, M = 40: 62:M reserved in PDEs/PTEs; PDPTEs reserve 2:1, 8:5, 63:M. */
	{ "PAE PDPTE R/W", GPT_MODE_PAE, 1, 3, B(1), .rsvd = true },
	{ "PAE PDPTE U/S", GPT_MODE_PAE, 1, 3, B(2), .rsvd = true },
	{ "PAE PDPTE A", GPT_MODE_PAE, 1, 3, B(5), .rsvd = true },
	{ "PAE PDPTE D", GPT_MODE_PAE, 1, 3, B(6), .rsvd = true },
	{ "PAE PDPTE PS", GPT_MODE_PAE, 1, 3, B(7), .rsvd = true },
	{ "PAE PDPTE bit 8", GPT_MODE_PAE, 1, 3, B(8), .rsvd = true },
	{ "PAE PDPTE XD even with NXE", GPT_MODE_PAE, 1, 3, XD, .rsvd = true },
	{ "PAE PDPTE bit M", GPT_MODE_PAE, 1, 3, B(40), .rsvd = true },
	{ "PAE PDPTE bit 52", GPT_MODE_PAE, 1, 3, B(52), .rsvd = true },
	{ "PAE PDPTE PWT, PCD, ignored", GPT_MODE_PAE, 1, 3, B(3) | B(4) | GENMASK(11, 9),
	  .rsvd = false },
	{ "PAE PDPTE register R/W", GPT_MODE_PAE, 1, 3, B(1), .pdpte_regs = true, .rsvd = true },
	{ "PAE PDE bit 52", GPT_MODE_PAE, 1, 2, B(52), .rsvd = true },
	{ "PAE PDE bit 62", GPT_MODE_PAE, 1, 2, B(62), .rsvd = true },
	{ "PAE PDE bit M", GPT_MODE_PAE, 1, 2, B(40), .rsvd = true },
	{ "PAE PDE XD, NXE=0", GPT_MODE_PAE, 1, 2, XD, .no_nxe = true, .rsvd = true },
	{ "PAE PDE XD, NXE=1", GPT_MODE_PAE, 1, 2, XD, .rsvd = false },
	{ "PAE PTE bit 59", GPT_MODE_PAE, 1, 1, B(59), .rsvd = true },
	{ "PAE PTE PAT, G", GPT_MODE_PAE, 1, 1, PTE_PAT | PTE_G, .rsvd = false },
	{ "PAE 2M bit 13", GPT_MODE_PAE, 2, 2, B(13), .rsvd = true },
	{ "PAE 2M bit 20", GPT_MODE_PAE, 2, 2, B(20), .rsvd = true },
	{ "PAE 2M PAT", GPT_MODE_PAE, 2, 2, PTE_PAT_LARGE, .rsvd = false },

	/* 32-bit: only 4 MiB PDEs have reserved bits: 21, and 20:(M-19) below M = 40. */
	{ "32-bit 4M bit 21", GPT_MODE_32, 2, 2, B(21), .rsvd = true },
	{ "32-bit 4M bits 20:13, M=40", GPT_MODE_32, 2, 2, GENMASK(20, 13), .rsvd = false },
	{ "32-bit 4M bits 20:13, M=52", GPT_MODE_32, 2, 2, GENMASK(20, 13), .maxphyaddr = 52 },
	{ "32-bit 4M bit 21, M=52", GPT_MODE_32, 2, 2, B(21), .maxphyaddr = 52, .rsvd = true },
	{ "32-bit 4M bit 17, M=36", GPT_MODE_32, 2, 2, B(17), .maxphyaddr = 36, .rsvd = true },
	{ "32-bit 4M bit 16, M=36", GPT_MODE_32, 2, 2, B(16), .maxphyaddr = 36 },
	{ "32-bit 4M bit 13, M=32", GPT_MODE_32, 2, 2, B(13), .maxphyaddr = 32, .rsvd = true },
	{ "32-bit 4M PAT", GPT_MODE_32, 2, 2, PTE_PAT_LARGE, .rsvd = false },
	{ "32-bit PS without PSE is ignored", GPT_MODE_32, 1, 2, PTE_PS | B(21), .no_pse = true,
	  .moves = true },
	{ "32-bit PTE bits 7..11", GPT_MODE_32, 1, 1, GENMASK(11, 7), .rsvd = false },
	{ "32-bit PDE bits 6..11", GPT_MODE_32, 1, 2, B(6) | GENMASK(11, 8), .rsvd = false },
};

static void test_rsvd_cases(void)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(rsvd_cases); i++) {
		const struct rsvd_case *rc = &rsvd_cases[i];
		u64 gla = mode_gla(rc->mode), where[6] = { 0 }, root, e;
		unsigned int esize = rc->mode == GPT_MODE_32 ? 4 : 8;
		struct gpt_walk_ctx c;
		struct gpt_walk_result r;
		enum gpt_status st;

		mem_reset();
		root = table_alloc();
		if (rc->mode == GPT_MODE_32)
			map32(root, gla, rc->leaf_level == 2,
			      rc->leaf_level == 2 ? 0x00800000 : 0x1000, RW, RW, where);
		else
			map64(root, mode_top(rc->mode), gla, rc->leaf_level, GiB(1), RW, RW,
			      rc->mode == GPT_MODE_PAE, where);
		c = mkctx(rc->mode, root);
		c.maxphyaddr = rc->maxphyaddr ? rc->maxphyaddr : 40;
		if (rc->no_nxe)
			c.efer &= ~EFER_NXE;
		if (rc->no_1g)
			c.gbpages = false;
		if (rc->no_pse)
			c.cr4 &= ~X86_CR4_PSE;
		e = mem_load(guest_mem, where[rc->at], esize) | rc->bits;
		mem_store(guest_mem, where[rc->at], e, esize);
		if (rc->pdpte_regs) {
			c.pdptes_from_memory = false;
			for (unsigned int k = 0; k < 4; k++)
				c.pdpte[k] = r64(root + 8 * k);
			mem_store(guest_mem, where[rc->at], e & ~rc->bits, esize);
		}

		st = gpt_walk(&c, gla, 0, &r);
		if (rc->rsvd && (st != GPT_FAULT || r.error_code != (PFERR_P | PFERR_RSVD)))
			test_fail(__FILE__, __LINE__, "%s: status %d ec %#x, want RSVD", rc->name,
				  st, r.error_code);
		if (!rc->rsvd && st == GPT_FAULT && (r.error_code & PFERR_RSVD))
			test_fail(__FILE__, __LINE__, "%s: RSVD fault, want none", rc->name);
		if (!rc->rsvd && !rc->moves && st != GPT_OK)
			test_fail(__FILE__, __LINE__, "%s: status %d ec %#x", rc->name, st,
				  r.error_code);
		/* No flag is set by a walk that hit a reserved bit. */
		if (rc->rsvd)
			for (unsigned int l = 1; l <= 5; l++)
				if (where[l] && !(rc->mode == GPT_MODE_PAE && l == 3))
					CHECK(!(mem_load(guest_mem, where[l], esize) & PTE_A));
	}
}

/* The RSVD error code still describes the access; the walk stops at the first bad entry. */
static void test_rsvd_error_code(void)
{
	u64 gla = mode_gla(L4), where[6] = { 0 };
	unsigned int esize;
	struct gpt_walk_ctx c;
	struct gpt_walk_result r;

	mem_reset();
	c = mkctx(L4, build_4k(L4, gla, US | RW, US | RW, where, &esize));
	c.cpl = 3;
	c.cr4 |= SMEP;
	w64(where[3], r64(where[3]) | B(51));
	w64(where[1], 0);	/* a not-present PTE below the bad PDPTE */
	CHECK_EQ(gpt_walk(&c, gla, ACC_W, &r), GPT_FAULT);
	CHECK_EQ(r.error_code, PFERR_P | PFERR_RSVD | PFERR_W | PFERR_U);
	CHECK_EQ(r.cr2, gla);
	CHECK_EQ(gpt_walk(&c, gla, ACC_F, &r), GPT_FAULT);
	CHECK_EQ(r.error_code, PFERR_P | PFERR_RSVD | PFERR_U | PFERR_ID);
	/* Reserved bits of a not-present entry are not looked at. */
	w64(where[3], B(51) | PTE_PS | XD);
	CHECK_EQ(gpt_walk(&c, gla, 0, &r), GPT_FAULT);
	CHECK_EQ(r.error_code, PFERR_U);
}

/* ------------------------------------------------------------ accessed and dirty flags */

static void test_ad_flags(void)
{
	u64 gla = mode_gla(L4), where[6] = { 0 };
	unsigned int esize;
	struct gpt_walk_ctx c;
	struct gpt_walk_result r;

	/* 4 KiB page: A everywhere on a read, then D on the PTE alone on a write. */
	mem_reset();
	c = mkctx(L4, build_4k(L4, gla, RW, RW, where, &esize));
	CHECK_EQ(gpt_walk(&c, gla, 0, &r), GPT_OK);
	CHECK_EQ(fk.swaps, 4);
	for (unsigned int l = 1; l <= 4; l++)
		CHECK_EQ(r64(where[l]) & (PTE_A | PTE_D), PTE_A);
	fk.cmpxchgs = 0;
	CHECK_EQ(gpt_walk(&c, gla, 0, &r), GPT_OK);
	CHECK_EQ(fk.cmpxchgs, 0);	/* nothing to set: no locked access at all */
	CHECK_EQ(gpt_walk(&c, gla, ACC_W, &r), GPT_OK);
	CHECK_EQ(fk.cmpxchgs, 1);
	CHECK_EQ(r64(where[1]) & (PTE_A | PTE_D), PTE_A | PTE_D);
	for (unsigned int l = 2; l <= 4; l++)
		CHECK_EQ(r64(where[l]) & PTE_D, 0);

	/* D without A (software set it): a write adds A and keeps D. */
	w64(where[1], (r64(where[1]) & ~PTE_A) | PTE_D);
	CHECK_EQ(gpt_walk(&c, gla, ACC_W, &r), GPT_OK);
	CHECK_EQ(r64(where[1]) & (PTE_A | PTE_D), PTE_A | PTE_D);

	/* No side effects: the translation, and not one store. */
	mem_reset();
	c = mkctx(L4, build_4k(L4, gla, RW, RW, where, &esize));
	CHECK_EQ(gpt_walk(&c, gla, ACC_W | GPT_ACC_NO_SIDE_EFFECTS, &r), GPT_OK);
	CHECK_EQ(r.gpa, 0x234000 | (gla & 0xfff));
	CHECK_EQ(gpt_walk(&c, gla, ACC_F | GPT_ACC_NO_SIDE_EFFECTS | GPT_ACC_NO_PERM_CHECK, &r),
		 GPT_OK);
	CHECK_EQ(fk.cmpxchgs, 0);
	for (unsigned int l = 1; l <= 4; l++)
		CHECK_EQ(r64(where[l]) & (PTE_A | PTE_D), 0);

	/* A not-present PTE: the entries above it were used, but the walk faulted: no A. */
	w64(where[1], 0);
	CHECK_EQ(gpt_walk(&c, gla, 0, &r), GPT_FAULT);
	for (unsigned int l = 2; l <= 4; l++)
		CHECK_EQ(r64(where[l]) & PTE_A, 0);

	/* 2 MiB page: D goes to the PDE. */
	mem_reset();
	c = mkctx(L4, table_alloc());
	map64(c.cr3, 4, gla, 2, MiB(6), RW, RW, false, where);
	CHECK_EQ(gpt_walk(&c, gla, ACC_W, &r), GPT_OK);
	CHECK_EQ(r64(where[2]) & (PTE_A | PTE_D), PTE_A | PTE_D);
	CHECK_EQ(r64(where[3]) & (PTE_A | PTE_D), PTE_A);

	/* 32-bit paging: 4-byte updates that leave the neighbouring entry alone. */
	gla = mode_gla(GPT_MODE_32);
	mem_reset();
	c = mkctx(GPT_MODE_32, build_4k(GPT_MODE_32, gla, RW, RW, where, &esize));
	w32(where[1] + 4, 0xdeadbeef);
	w32(where[1] - 4, 0xfeedface);
	CHECK_EQ(gpt_walk(&c, gla, ACC_W, &r), GPT_OK);
	CHECK_EQ(fk.last_size, 4);
	CHECK_EQ(r32(where[1]) & (PTE_A | PTE_D), PTE_A | PTE_D);
	CHECK_EQ(r32(where[2]) & (PTE_A | PTE_D), PTE_A);
	CHECK_EQ(r32(where[1] + 4), 0xdeadbeef);
	CHECK_EQ(r32(where[1] - 4), 0xfeedface);
	/* A 4 MiB page gets D in its PDE. */
	mem_reset();
	c = mkctx(GPT_MODE_32, table_alloc());
	map32(c.cr3, gla, true, 0x00c00000, 0, RW, where);
	CHECK_EQ(gpt_walk(&c, gla, ACC_W, &r), GPT_OK);
	CHECK_EQ(r32(where[2]) & (PTE_A | PTE_D), PTE_A | PTE_D);

	/* PAE: the PDPT in memory is never written (PDPTEs have no A flag). */
	gla = mode_gla(GPT_MODE_PAE);
	mem_reset();
	c = mkctx(GPT_MODE_PAE, build_4k(GPT_MODE_PAE, gla, RW, RW, where, &esize));
	CHECK_EQ(gpt_walk(&c, gla, ACC_W, &r), GPT_OK);
	CHECK_EQ(r64(where[3]), (r64(where[3]) & PTE_ADDR_MASK) | PTE_P);
	CHECK_EQ(r64(where[2]) & (PTE_A | PTE_D), PTE_A);
	CHECK_EQ(r64(where[1]) & (PTE_A | PTE_D), PTE_A | PTE_D);
	CHECK_EQ(fk.swaps, 2);
}

/* ------------------------------------------------------------ cmpxchg races */

static void race(u64 gpa, u64 clear, u64 set, u64 flip, unsigned int times)
{
	fk.race_gpa = gpa;
	fk.race_clear = clear;
	fk.race_set = set;
	fk.race_flip = flip;
	fk.race_left = times;
}

static void test_races(void)
{
	u64 gla = mode_gla(L4), where[6] = { 0 }, pte;
	unsigned int esize;
	struct gpt_walk_ctx c;
	struct gpt_walk_result r;

	/* The guest sets a software bit in the PTE between our read and our swap. */
	mem_reset();
	c = mkctx(L4, build_4k(L4, gla, RW, RW, where, &esize));
	pte = r64(where[1]);
	race(where[1], 0, B(9), 0, 1);
	CHECK_EQ(gpt_walk(&c, gla, ACC_W, &r), GPT_OK);
	CHECK_EQ(r64(where[1]), pte | B(9) | PTE_A | PTE_D);
	CHECK_EQ(fk.race_left, 0);

	/* The guest unmaps the page: the retry sees it and faults; the PTE keeps no A. */
	mem_reset();
	c = mkctx(L4, build_4k(L4, gla, RW, RW, where, &esize));
	pte = r64(where[1]);
	race(where[1], PTE_P, 0, 0, 1);
	CHECK_EQ(gpt_walk(&c, gla, ACC_W, &r), GPT_FAULT);
	CHECK_EQ(r.error_code, PFERR_W);
	CHECK_EQ(r64(where[1]), pte & ~PTE_P);
	/* The first attempt had used and flagged the entries above (documented). */
	CHECK(r64(where[2]) & PTE_A);

	/* The guest write-protects the page: the write now faults, no D. */
	mem_reset();
	c = mkctx(L4, build_4k(L4, gla, RW, RW, where, &esize));
	race(where[1], PTE_W, 0, 0, 1);
	CHECK_EQ(gpt_walk(&c, gla, ACC_W, &r), GPT_FAULT);
	CHECK_EQ(r.error_code, PFERR_P | PFERR_W);
	CHECK_EQ(r64(where[1]) & (PTE_A | PTE_D), 0);

	/* The guest redirects a PDE: the retry follows the new table. */
	mem_reset();
	c = mkctx(L4, build_4k(L4, gla, RW, RW, where, &esize));
	{
		u64 pt2 = table_alloc();

		w64(ent64(pt2, gla, 1), 0x777000 | PTE_P | RW);
		race(where[2], PTE_ADDR_MASK, pt2, 0, 1);
		CHECK_EQ(gpt_walk(&c, gla, 0, &r), GPT_OK);
		CHECK_EQ(r.gpa, 0x777000 | (gla & 0xfff));
		CHECK(r64(ent64(pt2, gla, 1)) & PTE_A);
		CHECK_EQ(r64(where[1]) & PTE_A, 0);
	}

	/* A guest that never stops changing the entry: GPT_AGAIN, the PTE untouched. */
	mem_reset();
	c = mkctx(L4, build_4k(L4, gla, RW, RW, where, &esize));
	race(where[1], 0, 0, B(10), 1000);
	CHECK_EQ(gpt_walk(&c, gla, 0, &r), GPT_AGAIN);
	CHECK_EQ(1000 - fk.race_left, GPT_MAX_RETRIES);
	CHECK_EQ(r64(where[1]) & PTE_A, 0);

	/* An A/D update that finds no RAM: GPT_BAD_GPA. */
	mem_reset();
	c = mkctx(L4, build_4k(L4, gla, RW, RW, where, &esize));
	fk.cmpxchg_not_ram = true;
	CHECK_EQ(gpt_walk(&c, gla, 0, &r), GPT_BAD_GPA);
	CHECK_EQ(r.bad_gpa, where[4]);
	CHECK_EQ(gpt_walk(&c, gla, GPT_ACC_NO_SIDE_EFFECTS, &r), GPT_OK);
}

/* ------------------------------------------------------------ page-crossing accesses */

static void test_ranges(void)
{
	u64 base = 0x00007f0000010000ULL, w1[6] = { 0 }, w2[6] = { 0 }, root;
	struct gpt_walk_ctx c;
	struct gpt_range_result rr;

	/* Two present pages: two pieces, A and D in both PTEs. */
	mem_reset();
	root = table_alloc();
	map64(root, 4, base, 1, 0x300000, RW, RW, false, w1);
	map64(root, 4, base + PAGE_SIZE, 1, 0x500000, RW, RW, false, w2);
	c = mkctx(L4, root);
	CHECK_EQ(gpt_translate_range(&c, base + 0xffc, 8, ACC_W, &rr), GPT_OK);
	CHECK_EQ(rr.nr, 2);
	CHECK_EQ(rr.piece[0].gpa, 0x300ffc);
	CHECK_EQ(rr.piece[0].len, 4);
	CHECK_EQ(rr.piece[1].gpa, 0x500000);
	CHECK_EQ(rr.piece[1].len, 4);
	CHECK_EQ(r64(w1[1]) & (PTE_A | PTE_D), PTE_A | PTE_D);
	CHECK_EQ(r64(w2[1]) & (PTE_A | PTE_D), PTE_A | PTE_D);

	/* Ending exactly at the page end, and a whole aligned page: one piece. */
	CHECK_EQ(gpt_translate_range(&c, base + 0xff8, 8, 0, &rr), GPT_OK);
	CHECK_EQ(rr.nr, 1);
	CHECK_EQ(gpt_translate_range(&c, base, 4096, 0, &rr), GPT_OK);
	CHECK_EQ(rr.nr, 1);
	CHECK_EQ(rr.piece[0].len, 4096);
	CHECK_EQ(gpt_translate_range(&c, base + 1, 4096, 0, &rr), GPT_OK);
	CHECK_EQ(rr.nr, 2);
	CHECK_EQ(rr.piece[1].len, 1);
	CHECK_EQ(gpt_translate_range(&c, base, 0, 0, &rr), GPT_INVALID);
	CHECK_EQ(gpt_translate_range(&c, base, 4097, 0, &rr), GPT_INVALID);

	/* Crossing into a non-present page: #PF at its first byte, page 1 untouched. */
	mem_reset();
	root = table_alloc();
	map64(root, 4, base, 1, 0x300000, RW, RW, false, w1);
	c = mkctx(L4, root);
	CHECK_EQ(gpt_translate_range(&c, base + 0xffe, 4, ACC_W, &rr), GPT_FAULT);
	CHECK_EQ(rr.error_code, PFERR_W);
	CHECK_EQ(rr.cr2, base + PAGE_SIZE);
	CHECK_EQ(rr.nr, 0);
	for (unsigned int l = 1; l <= 4; l++)
		CHECK_EQ(r64(w1[l]) & PTE_A, 0);

	/* Crossing into a supervisor page from user mode. */
	map64(root, 4, base + PAGE_SIZE, 1, 0x500000, US | RW, RW, false, w2);
	w64(w1[1], r64(w1[1]) | US);
	for (unsigned int l = 2; l <= 4; l++)
		w64(w1[l], r64(w1[l]) | US);
	c.cpl = 3;
	CHECK_EQ(gpt_translate_range(&c, base + 0xfff, 2, 0, &rr), GPT_FAULT);
	CHECK_EQ(rr.error_code, PFERR_P | PFERR_U);
	CHECK_EQ(rr.cr2, base + PAGE_SIZE);
	CHECK_EQ(r64(w1[1]) & PTE_A, 0);
	/* A fault on the first page reports the first byte. */
	CHECK_EQ(gpt_translate_range(&c, base - 2, 4, 0, &rr), GPT_FAULT);
	CHECK_EQ(rr.cr2, base - 2);
	CHECK_EQ(rr.error_code, PFERR_U);

	/* Inside a 2 MiB page a 4 KiB boundary is no boundary. */
	mem_reset();
	root = table_alloc();
	map64(root, 4, base, 2, MiB(4), RW, RW, false, w1);
	c = mkctx(L4, root);
	CHECK_EQ(gpt_translate_range(&c, base + 0xffc, 8, 0, &rr), GPT_OK);
	CHECK_EQ(rr.nr, 1);
	CHECK_EQ(rr.piece[0].gpa, MiB(4) + 0x10ffc);
	CHECK_EQ(rr.piece[0].len, 8);

	/* No side effects across pages either; and a race on page 2 is retried. */
	mem_reset();
	root = table_alloc();
	map64(root, 4, base, 1, 0x300000, RW, RW, false, w1);
	map64(root, 4, base + PAGE_SIZE, 1, 0x500000, RW, RW, false, w2);
	c = mkctx(L4, root);
	CHECK_EQ(gpt_translate_range(&c, base + 0xffc, 8, GPT_ACC_NO_SIDE_EFFECTS, &rr), GPT_OK);
	CHECK_EQ(rr.nr, 2);
	CHECK_EQ(r64(w1[1]) & PTE_A, 0);
	CHECK_EQ(fk.cmpxchgs, 0);
	race(w2[1], 0, B(9), 0, 1);
	CHECK_EQ(gpt_translate_range(&c, base + 0xffc, 8, 0, &rr), GPT_OK);
	CHECK_EQ(fk.race_left, 0);
	CHECK_EQ(r64(w2[1]) & (PTE_A | B(9)), PTE_A | B(9));
	CHECK(r64(w1[1]) & PTE_A);

	/* Crossing out of the lower canonical half. */
	mem_reset();
	root = table_alloc();
	map64(root, 4, 0x00007ffffffff000ULL, 1, 0x300000, RW, RW, false, w1);
	c = mkctx(L4, root);
	CHECK_EQ(gpt_translate_range(&c, 0x00007ffffffffffeULL, 4, 0, &rr), GPT_NONCANONICAL);
	CHECK_EQ(gpt_translate_range(&c, 0x00007ffffffffffcULL, 4, 0, &rr), GPT_OK);

	/* 32-bit paging wraps at 4 GiB. */
	mem_reset();
	root = table_alloc();
	map32(root, 0xfffff000, false, 0x300000, RW, RW, w1);
	map32(root, 0, false, 0x500000, RW, RW, w2);
	c = mkctx(GPT_MODE_32, root);
	CHECK_EQ(gpt_translate_range(&c, 0xfffffffe, 4, 0, &rr), GPT_OK);
	CHECK_EQ(rr.nr, 2);
	CHECK_EQ(rr.piece[0].gpa, 0x300ffe);
	CHECK_EQ(rr.piece[1].gpa, 0x500000);
	CHECK_EQ(rr.piece[1].len, 2);

	/* So does the linear address space without paging. */
	c = mkctx(GPT_MODE_NONE, 0);
	CHECK_EQ(gpt_translate_range(&c, 0xfffffffe, 4, ACC_W, &rr), GPT_OK);
	CHECK_EQ(rr.nr, 2);
	CHECK_EQ(rr.piece[0].gpa, 0xfffffffe);
	CHECK_EQ(rr.piece[0].len, 2);
	CHECK_EQ(rr.piece[1].gpa, 0);
	CHECK_EQ(rr.piece[1].len, 2);
	CHECK_EQ(gpt_translate_range(&c, 0x1000, 4096, 0, &rr), GPT_OK);
	CHECK_EQ(rr.nr, 1);
}

/* ------------------------------------------------------------ paging structures outside RAM */

static void test_bad_gpa(void)
{
	u64 gla = mode_gla(L4), where[6] = { 0 }, root;
	unsigned int esize;
	struct gpt_walk_ctx c;
	struct gpt_walk_result r;
	struct gpt_range_result rr;

	/* CR3 outside RAM. */
	mem_reset();
	c = mkctx(L4, NOT_RAM);
	CHECK_EQ(gpt_walk(&c, gla, 0, &r), GPT_BAD_GPA);
	CHECK_EQ(r.bad_gpa, ent64(NOT_RAM, gla, 4));

	/* A PDPTE that points outside RAM. */
	c = mkctx(L4, build_4k(L4, gla, RW, RW, where, &esize));
	w64(where[3], NOT_RAM | PTE_P | RW);
	CHECK_EQ(gpt_walk(&c, gla, 0, &r), GPT_BAD_GPA);
	CHECK_EQ(r.bad_gpa, ent64(NOT_RAM, gla, 2));
	CHECK_EQ(r64(where[4]) & PTE_A, 0);
	/* Even a debugger's peek cannot read it. */
	CHECK_EQ(gpt_walk(&c, gla, GPT_ACC_NO_SIDE_EFFECTS | GPT_ACC_NO_PERM_CHECK, &r),
		 GPT_BAD_GPA);

	/* A page outside RAM is fine: that is what MMIO is. */
	w64(where[3], 0);
	map64(c.cr3, 4, gla, 1, NOT_RAM, RW, RW, false, where);
	CHECK_EQ(gpt_walk(&c, gla, ACC_W, &r), GPT_OK);
	CHECK_EQ(r.gpa, NOT_RAM | (gla & 0xfff));

	/* The second page of a range, under another PDE. */
	mem_reset();
	root = table_alloc();
	gla = 0x00007f12345ff000ULL;
	map64(root, 4, gla, 1, 0x300000, RW, RW, false, where);
	map64(root, 4, gla + PAGE_SIZE, 1, 0x300000, RW, RW, false, where);
	w64(where[2], NOT_RAM | PTE_P | RW);
	c = mkctx(L4, root);
	CHECK_EQ(gpt_translate_range(&c, gla | 0xfff, 2, 0, &rr), GPT_BAD_GPA);
	CHECK_EQ(rr.bad_gpa, ent64(NOT_RAM, gla + PAGE_SIZE, 1));
	CHECK_EQ(gpt_translate_range(&c, gla, 2, 0, &rr), GPT_OK);

	/* PAE: a PDPT read from memory outside RAM; 32-bit: a page table outside RAM. */
	mem_reset();
	c = mkctx(GPT_MODE_PAE, NOT_RAM);
	CHECK_EQ(gpt_walk(&c, 0xc0000000, 0, &r), GPT_BAD_GPA);
	CHECK_EQ(r.bad_gpa, NOT_RAM + 24);
	root = table_alloc();
	c = mkctx(GPT_MODE_32, root);
	w32(ent32(root, 0x00403000, 2), NOT_RAM | PTE_P);
	CHECK_EQ(gpt_walk(&c, 0x00403000, 0, &r), GPT_BAD_GPA);
	CHECK_EQ(r.bad_gpa, NOT_RAM + 3 * 4);
}

/* ------------------------------------------------------------ CR3, canonical, arguments */

/* fake_read() for 4-byte loads that leaves the upper half of *val dirty. */
static int sloppy_read(void *opaque, u64 gpa, u64 *val, unsigned int size)
{
	*val = 0xdead00000000beefULL;
	if (size == 4 && in_ram(gpa, 4)) {
		memcpy(val, guest_mem + gpa, 4);
		return 0;
	}
	return fake_read(opaque, gpa, val, size);
}

static void test_misc(void)
{
	u64 gla = mode_gla(L4), where[6] = { 0 }, root;
	unsigned int esize;
	struct gpt_walk_ctx c;
	struct gpt_walk_result r;

	mem_reset();
	root = build_4k(L4, gla, RW, RW, where, &esize);
	c = mkctx(L4, root | X86_CR3_PWT | X86_CR3_PCD);
	CHECK_EQ(gpt_walk(&c, gla, 0, &r), GPT_OK);
	c.cr4 |= X86_CR4_PCIDE;
	c.cr3 = root | 0xabc;			/* a PCID */
	CHECK_EQ(gpt_walk(&c, gla, 0, &r), GPT_OK);
	c.cr3 = root | B(62) | B(61);		/* LAM controls, not address bits */
	CHECK_EQ(gpt_walk(&c, gla, 0, &r), GPT_OK);
	CHECK_EQ(r.gpa, 0x234000 | (gla & 0xfff));
	c.maxphyaddr = 40;
	c.cr3 = root | B(45);			/* above MAXPHYADDR: cannot be loaded; ignored */
	CHECK_EQ(gpt_walk(&c, gla, 0, &r), GPT_OK);

	/* Canonical addresses: 48 bits, or 57 with LA57. */
	CHECK_EQ(gpt_walk(&c, 0x0000800000000000ULL, 0, &r), GPT_NONCANONICAL);
	CHECK_EQ(gpt_walk(&c, 0xffff7fffffffffffULL, 0, &r), GPT_NONCANONICAL);
	CHECK_EQ(gpt_walk(&c, 0x8000000000000000ULL, GPT_ACC_NO_PERM_CHECK, &r), GPT_NONCANONICAL);
	c = mkctx(GPT_MODE_5LEVEL, table_alloc());
	CHECK_EQ(gpt_walk(&c, 0x0100000000000000ULL, 0, &r), GPT_NONCANONICAL);
	CHECK_EQ(gpt_walk(&c, 0x0000800000000000ULL, 0, &r), GPT_FAULT);
	CHECK_EQ(r.cr2, 0x0000800000000000ULL);
	CHECK_EQ(gpt_walk(&c, 0xff00000000000000ULL, 0, &r), GPT_FAULT);

	/* Outside IA-32e paging, linear addresses (and CR2) are 32 bits. */
	gla = mode_gla(GPT_MODE_32);
	mem_reset();
	c = mkctx(GPT_MODE_32, build_4k(GPT_MODE_32, gla, RW, RW, where, &esize));
	CHECK_EQ(gpt_walk(&c, gla | 0xab00000000ULL, 0, &r), GPT_OK);
	CHECK_EQ(r.gpa, 0x234000 | (gla & 0xfff));
	CHECK_EQ(gpt_walk(&c, 0x1200000123ULL, 0, &r), GPT_FAULT);
	CHECK_EQ(r.cr2, 0x123);

	/* Without CR4.PSE the PS bit of a PDE is ignored: it points to a page table. */
	w32(where[2], r32(where[2]) | PTE_PS);
	c.cr4 &= ~X86_CR4_PSE;
	CHECK_EQ(gpt_walk(&c, gla, 0, &r), GPT_OK);
	CHECK_EQ(r.gpa, 0x234000 | (gla & 0xfff));
	CHECK_EQ(r.level, 1);
	CHECK_EQ(r.page_size, KiB(4));
	/* A reader that leaves junk above a 4-byte entry does not confuse the walk. */
	c.read_gpa = sloppy_read;
	CHECK_EQ(gpt_walk(&c, gla, ACC_F, &r), GPT_OK);
	CHECK_EQ(r.gpa, 0x234000 | (gla & 0xfff));
	CHECK_EQ(r.perm, GPT_PERM_W | GPT_PERM_X);

	/* PAE uses the PDPTE registers, not what memory holds now. */
	gla = mode_gla(GPT_MODE_PAE);
	mem_reset();
	root = build_4k(GPT_MODE_PAE, gla, RW, RW, where, &esize);
	c = mkctx(GPT_MODE_PAE, root);
	c.pdptes_from_memory = false;
	c.pdpte[1] = r64(where[3]);
	w64(where[3], 0);
	CHECK_EQ(gpt_walk(&c, gla, 0, &r), GPT_OK);
	CHECK_EQ(r.gpa, 0x234000 | (gla & 0xfff));
	w64(where[3], c.pdpte[1]);
	c.pdpte[1] = 0;
	CHECK_EQ(gpt_walk(&c, gla, 0, &r), GPT_FAULT);
	CHECK_EQ(r.error_code, 0);
	c.pdpte[1] = r64(where[3]) | B(9);	/* ignored bits */
	CHECK_EQ(gpt_walk(&c, gla, 0, &r), GPT_OK);

	/* Nonsense arguments. */
	c = mkctx(L4, root);
	CHECK_EQ(gpt_walk(&c, 0, ACC_W | ACC_F, &r), GPT_INVALID);
	CHECK_EQ(gpt_walk(&c, 0, ACC_U | ACC_I, &r), GPT_INVALID);
	c.maxphyaddr = 31;
	CHECK_EQ(gpt_walk(&c, 0, 0, &r), GPT_INVALID);
	c.maxphyaddr = 53;
	CHECK_EQ(gpt_walk(&c, 0, 0, &r), GPT_INVALID);
	c.maxphyaddr = 40;
	c.cpl = 4;
	CHECK_EQ(gpt_walk(&c, 0, 0, &r), GPT_INVALID);

	/* The mode follows CR0.PG, CR4.PAE, EFER.LMA, CR4.LA57. */
	c = mkctx(GPT_MODE_NONE, 0);
	c.cr4 = X86_CR4_PAE | X86_CR4_LA57;
	CHECK_EQ(gpt_paging_mode(&c), GPT_MODE_NONE);
	c.cr0 |= X86_CR0_PG;
	CHECK_EQ(gpt_paging_mode(&c), GPT_MODE_PAE);
	c.efer = EFER_LMA;
	CHECK_EQ(gpt_paging_mode(&c), GPT_MODE_5LEVEL);
	c.cr4 = X86_CR4_PAE;
	CHECK_EQ(gpt_paging_mode(&c), GPT_MODE_4LEVEL);
	c.cr4 = 0;
	c.efer = 0;
	CHECK_EQ(gpt_paging_mode(&c), GPT_MODE_32);
}

/* ------------------------------------------------------------ random tables vs a model */

/*
 * An independent model of 4-level paging, written from the SDM's prose
 * rather than from the walker: four explicit steps, the reserved-bit rules
 * of Tables 4-14 to 4-19, and the access-rights lists of 4.6.1 and 4.6.2
 * taken case by case.  It reads and updates its own copy of guest memory.
 */
static u8 ref_mem[MEM_SIZE] __aligned(4096);

#define POOL_PAGES	48
#define POOL_BYTES	(POOL_PAGES * PAGE_SIZE)

struct ref_result {
	enum gpt_status status;
	u64 gpa, page_size, bad_gpa;
	u32 ec;
	unsigned int perm;
	u8 pkey;
	unsigned int nused;
	u64 used[4];		/* gpas of the entries used, root first */
};

static bool ref_load(u64 gpa, u64 *v)
{
	if (gpa >= MEM_SIZE || MEM_SIZE - gpa < 8)
		return false;
	memcpy(v, ref_mem + gpa, 8);
	return true;
}

static void ref_model(const struct gpt_walk_ctx *c, u64 gla, unsigned int acc,
		      struct ref_result *o)
{
	static const unsigned int shift[4] = { 39, 30, 21, 12 };
	const unsigned int m = c->maxphyaddr;
	const u64 addr_field = ((1ULL << m) - 1) & ~0xfffULL;		/* bits M-1:12 */
	const u64 above_m = ((1ULL << 52) - 1) & ~((1ULL << m) - 1);	/* bits 51:M */
	const bool nxe = c->efer & EFER_NXE;
	const bool wp = c->cr0 & X86_CR0_WP;
	const bool smep = c->cr4 & X86_CR4_SMEP, smap = c->cr4 & X86_CR4_SMAP;
	const bool pke = c->cr4 & X86_CR4_PKE, ac = c->rflags & X86_RFLAGS_AC;
	const bool write = acc & GPT_ACC_WRITE, fetch = acc & GPT_ACC_FETCH;
	const bool implicit = acc & GPT_ACC_IMPLICIT;
	const bool user_mode = (acc & GPT_ACC_USER) || (c->cpl == 3 && !implicit);
	bool rw_all = true, us_all = true, xd_any = false, ok;
	u64 table = c->cr3 & addr_field, leaf = 0, e[4];
	u32 fault_bits;

	*o = (struct ref_result){ .status = GPT_OK };
	if ((gla >> 47) != 0 && (gla >> 47) != 0x1ffff) {
		o->status = GPT_NONCANONICAL;
		return;
	}

	for (unsigned int i = 0; i < 4; i++) {
		u64 at = table + ((gla >> shift[i]) & 0x1ff) * 8, v;
		bool ps, is_leaf = i == 3, bad = false;

		if (!ref_load(at, &v)) {
			o->status = GPT_BAD_GPA;
			o->bad_gpa = at;
			return;
		}
		if (!(v & 1)) {
			fault_bits = 0;
			goto fault;
		}
		ps = (v >> 7) & 1;
		if ((v & above_m) || (!nxe && (v >> 63)))
			bad = true;
		if (i == 0 && ps)
			bad = true;			/* PML4E: PS must be 0 */
		if (i == 1 && ps) {
			/* No 1 GiB pages, or reserved bits 29:13 of one set. */
			if (!c->gbpages || (v & 0x3fffe000))
				bad = true;
			is_leaf = true;
		}
		if (i == 2 && ps) {
			if (v & 0x1fe000)		/* 2 MiB page: bits 20:13 */
				bad = true;
			is_leaf = true;
		}
		if (bad) {
			fault_bits = PFERR_P | PFERR_RSVD;
			goto fault;
		}
		e[o->nused] = v;
		o->used[o->nused++] = at;
		if (is_leaf) {
			o->page_size = 1ULL << shift[i];
			o->gpa = (v & addr_field & ~(o->page_size - 1)) |
				 (gla & (o->page_size - 1));
			leaf = v;
			break;
		}
		table = v & addr_field;
	}

	for (unsigned int i = 0; i < o->nused; i++) {
		rw_all = rw_all && (e[i] & 2);
		us_all = us_all && (e[i] & 4);
		xd_any = xd_any || (e[i] >> 63);
	}
	o->perm = (rw_all ? GPT_PERM_W : 0) | (us_all ? GPT_PERM_U : 0) |
		  (nxe && xd_any ? 0 : GPT_PERM_X);
	o->pkey = pke ? (u8)((leaf >> 59) & 15) : 0;

	{
		bool ad = pke && ((c->pkru >> (2 * o->pkey)) & 1);
		bool wd = pke && ((c->pkru >> (2 * o->pkey + 1)) & 1);
		bool may_fetch_xd = !nxe || !xd_any;

		if (acc & GPT_ACC_NO_PERM_CHECK) {
			ok = true;
		} else if (fetch) {
			/* Instruction fetches (protection keys do not apply). */
			if (user_mode)
				ok = us_all && may_fetch_xd;
			else
				ok = may_fetch_xd && !(smep && us_all);
		} else if (!write) {
			/* Data reads. */
			if (user_mode)
				ok = us_all && !ad;
			else if (!us_all)
				ok = true;
			else if (!smap)
				ok = !ad;
			else
				ok = ac && !implicit && !ad;
		} else {
			/* Data writes. */
			if (user_mode)
				ok = us_all && rw_all && !ad && !wd;
			else if (!us_all)
				ok = !wp || rw_all;
			else if (smap && !(ac && !implicit))
				ok = false;
			else if (!wp)
				ok = !ad;
			else
				ok = rw_all && !ad && !wd;
		}
		if (!ok) {
			fault_bits = PFERR_P;
			/* SDM 4.7 PK: a data access to a user-mode address that PKRU refuses. */
			if (!fetch && us_all && (ad || (wd && write && (wp || user_mode))))
				fault_bits |= PFERR_PK;
			goto fault;
		}
	}

	if (!(acc & GPT_ACC_NO_SIDE_EFFECTS)) {
		for (unsigned int i = 0; i < o->nused; i++) {
			u64 v = e[i] | PTE_A;

			if (write && i == o->nused - 1)
				v |= PTE_D;
			memcpy(ref_mem + o->used[i], &v, 8);
		}
	}
	return;

fault:
	o->status = GPT_FAULT;
	o->ec = fault_bits | (write ? PFERR_W : 0) | (user_mode ? PFERR_U : 0) |
		(fetch && (smep || nxe) ? PFERR_ID : 0);
	o->nused = 0;
}

static u64 pool_page(u64 *s)
{
	return TABLE_BASE + (test_rand(s) % POOL_PAGES) * PAGE_SIZE;
}

static bool chance(u64 *s, unsigned int percent)
{
	return test_rand(s) % 100 < percent;
}

/*
 * A random entry: mostly present and pointing into the pool; PS entries
 * mostly get a frame aligned for a 2 MiB or 1 GiB page; some of everything
 * else (frames outside RAM, random frames, a random bit that may be reserved).
 */
static u64 random_entry(u64 *s)
{
	u64 v = PTE_P;
	unsigned int kind = (unsigned int)(test_rand(s) % 100);

	if (chance(s, 12))
		return test_rand(s) & ~PTE_P;
	v |= chance(s, 80) ? PTE_W : 0;
	v |= chance(s, 80) ? PTE_U : 0;
	v |= chance(s, 30) ? PTE_A : 0;
	v |= chance(s, 30) ? PTE_D : 0;
	v |= chance(s, 10) ? PTE_NX : 0;
	v |= chance(s, 25) ? (test_rand(s) & 15) << PTE_PKEY_SHIFT : 0;
	v |= chance(s, 20) ? test_rand(s) & (GENMASK(11, 8) | GENMASK(58, 52)) : 0;
	if (chance(s, 12)) {
		v |= PTE_PS | (chance(s, 30) ? PTE_PAT_LARGE : 0);
		v |= test_rand(s) & (chance(s, 50) ? GENMASK(35, 30) : GENMASK(35, 21));
	} else if (kind < 88) {
		v |= pool_page(s);
	} else if (kind < 95) {
		v |= MEM_SIZE + (test_rand(s) % 64) * PAGE_SIZE;	/* not RAM */
	} else {
		v |= test_rand(s) & GENMASK(51, 12);
	}
	if (chance(s, 3))
		v |= BIT(12 + test_rand(s) % 52);			/* maybe reserved */
	return v;
}

static void random_tables(u64 *s)
{
	for (u64 gpa = TABLE_BASE; gpa < TABLE_BASE + POOL_BYTES; gpa += 8)
		w64(gpa, random_entry(s));
	memcpy(ref_mem + TABLE_BASE, guest_mem + TABLE_BASE, POOL_BYTES);
}

static struct gpt_walk_ctx random_ctx(u64 *s)
{
	static const u8 maxphy[] = { 36, 39, 40, 46, 52 };
	static const u8 cpls[] = { 0, 0, 0, 3, 3, 3, 1, 2 };
	struct gpt_walk_ctx c = mkctx(L4, TABLE_BASE);

	c.cr0 = X86_CR0_PE | X86_CR0_PG | (chance(s, 50) ? X86_CR0_WP : 0);
	c.cr4 = X86_CR4_PAE | (chance(s, 50) ? X86_CR4_SMEP : 0) |
		(chance(s, 50) ? X86_CR4_SMAP : 0) | (chance(s, 50) ? X86_CR4_PKE : 0);
	if (chance(s, 20)) {
		c.cr4 |= X86_CR4_PCIDE;
		c.cr3 |= test_rand(s) & X86_CR3_PCID_MASK;
	} else if (chance(s, 20)) {
		c.cr3 |= X86_CR3_PWT | X86_CR3_PCD;
	}
	c.efer = EFER_LME | EFER_LMA | (chance(s, 70) ? EFER_NXE : 0);
	c.rflags = 2 | (chance(s, 50) ? X86_RFLAGS_AC : 0);
	c.cpl = cpls[test_rand(s) % ARRAY_SIZE(cpls)];
	c.pkru = chance(s, 50) ? (u32)test_rand(s) : 0;
	c.maxphyaddr = maxphy[test_rand(s) % ARRAY_SIZE(maxphy)];
	c.gbpages = chance(s, 75);
	return c;
}

static unsigned int random_access(u64 *s)
{
	unsigned int acc = 0, kind = (unsigned int)(test_rand(s) % 3);

	if (kind == 1)
		acc |= GPT_ACC_WRITE;
	if (kind == 2)
		acc |= GPT_ACC_FETCH;
	if (chance(s, 10))
		acc |= GPT_ACC_USER;
	else if (chance(s, 10))
		acc |= GPT_ACC_IMPLICIT;
	if (chance(s, 10))
		acc |= GPT_ACC_NO_SIDE_EFFECTS;
	if (chance(s, 5))
		acc |= GPT_ACC_NO_PERM_CHECK;
	return acc;
}

static u64 random_gla(u64 *s)
{
	u64 g = test_rand(s) & GENMASK(47, 0);

	if (g & BIT(47))
		g |= GENMASK(63, 48);
	if (chance(s, 2))
		g ^= BIT(48 + test_rand(s) % 16);			/* non-canonical */
	return g;
}

struct random_stats {
	unsigned long ok, not_present, rsvd, prot, pk, bad_gpa, noncanon, pages[4], mismatches;
};

/* Compare one access; false (after reporting) on any difference. */
static bool compare_one(const struct gpt_walk_ctx *c, u64 gla, unsigned int acc,
			struct random_stats *rs)
{
	struct gpt_walk_result r;
	struct ref_result o;
	bool same;

	fk.nr_swapped = 0;
	gpt_walk(c, gla, acc, &r);
	ref_model(c, gla, acc, &o);

	same = r.status == o.status;
	if (same && o.status == GPT_OK)
		same = r.gpa == o.gpa && r.page_size == o.page_size && r.perm == o.perm &&
		       r.pkey == o.pkey;
	if (same && o.status == GPT_FAULT)
		same = r.error_code == o.ec && r.cr2 == gla;
	if (same && o.status == GPT_BAD_GPA)
		same = r.bad_gpa == o.bad_gpa;
	/* Memory: the walker wrote only entries the model used, and the same values. */
	for (unsigned int i = 0; same && i < fk.nr_swapped; i++) {
		bool used = false;

		for (unsigned int k = 0; k < o.nused; k++)
			used = used || fk.swapped_gpa[i] == o.used[k];
		same = used;
	}
	for (unsigned int k = 0; same && k < o.nused; k++)
		same = !memcmp(guest_mem + o.used[k], ref_mem + o.used[k], 8);

	if (!same) {
		test_fail(__FILE__, __LINE__,
			  "gla %#llx acc %#x cr0 %#llx cr3 %#llx cr4 %#llx efer %#llx rflags %#llx "
			  "cpl %u pkru %#x M %u 1G %d: walker %d gpa %#llx size %#llx perm %x "
			  "ec %#x bad %#llx, model %d gpa %#llx size %#llx perm %x ec %#x "
			  "bad %#llx",
			  gla, acc, c->cr0,
			  c->cr3, c->cr4,
			  c->efer, c->rflags, c->cpl,
			  c->pkru, c->maxphyaddr, c->gbpages, r.status, r.gpa,
			  r.page_size, r.perm, r.error_code,
			  r.bad_gpa, o.status, o.gpa,
			  o.page_size, o.perm, o.ec,
			  o.bad_gpa);
		rs->mismatches++;
		memcpy(ref_mem + TABLE_BASE, guest_mem + TABLE_BASE, POOL_BYTES);
		return false;
	}

	switch (o.status) {
	case GPT_OK:
		rs->ok++;
		rs->pages[o.page_size == KiB(4) ? 1 : o.page_size == MiB(2) ? 2 : 3]++;
		break;
	case GPT_FAULT:
		if (!(o.ec & PFERR_P))
			rs->not_present++;
		else if (o.ec & PFERR_RSVD)
			rs->rsvd++;
		else if (o.ec & PFERR_PK)
			rs->pk++;
		else
			rs->prot++;
		break;
	case GPT_BAD_GPA:
		rs->bad_gpa++;
		break;
	default:
		rs->noncanon++;
		break;
	}
	return true;
}

static void test_random_vs_model(void)
{
	unsigned long iters = test_opts.quick ? 60000 : 600000;
	u64 seed = test_opts.seed;
	struct random_stats rs = { 0 };

	mem_reset();
	for (unsigned long i = 0; i < iters; i++) {
		struct gpt_walk_ctx c;

		if (i % 500 == 0)
			random_tables(&seed);
		c = random_ctx(&seed);
		if (!compare_one(&c, random_gla(&seed), random_access(&seed), &rs) &&
		    rs.mismatches > 20)
			break;
	}
	printf("random vs model: %lu accesses (seed %#llx): ok %lu (4K %lu, 2M %lu, 1G %lu), "
	       "not present %lu, reserved %lu, protection %lu, pkey %lu, bad gpa %lu, "
	       "non-canonical %lu, mismatches %lu\n",
	       iters, test_opts.seed, rs.ok, rs.pages[1], rs.pages[2],
	       rs.pages[3], rs.not_present, rs.rsvd, rs.prot, rs.pk, rs.bad_gpa, rs.noncanon,
	       rs.mismatches);
	/* Every outcome must have been reached, or the comparison proved little. */
	CHECK(rs.ok > iters / 50 && rs.pages[2] && rs.pages[3]);
	CHECK(rs.not_present && rs.rsvd && rs.prot && rs.pk && rs.bad_gpa && rs.noncanon);
}

int main(int argc, char **argv)
{
	test_init(argc, argv, 0);
	test_no_paging();
	test_map_cases();
	test_perm_cases();
	test_rsvd_cases();
	test_rsvd_error_code();
	test_ad_flags();
	test_races();
	test_ranges();
	test_bad_gpa();
	test_misc();
	printf("cases: %zu mappings, %zu access-rights rules, %zu reserved-bit rules\n",
	       ARRAY_SIZE(map_cases), ARRAY_SIZE(perm_cases), ARRAY_SIZE(rsvd_cases));
	test_random_vs_model();
	return test_finish();
}
