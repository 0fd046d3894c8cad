// SPDX-License-Identifier: MIT
/*
 * EPT core unit tests (single CPU): entry encoding and the FROZEN value,
 * mapping levels at every alignment (4K/2M/1G, misaligned slots, MTRR
 * non-uniform, dirty logging, MMIO), the fault path's result codes,
 * lookups at each leaf size, zap counts, split and collapse, dirty
 * logging, 4- and 5-level roots, the 4 GiB identity map in <= 3 table
 * pages, NOMEM with a tiny pool, the yield path (R8) and the audit.
 */
#include "lib/errno.h"
#include "mm/ept_internal.h"
#include "mm/ept_level.h"
#include "tests/host/ept_sim.h"
#include "tests/host/harness.h"

#include <stdlib.h>
#include <string.h>

static struct vm_mmu mmu;

static void mmu_up(bool five, u64 max_pages)
{
	struct ept_mmu_config cfg = {
		.five_level = five, .max_table_pages = max_pages, .gfn_limit = 1ULL << 22,
	};

	CHECK_EQ(ept_mmu_init(&mmu, &cfg), 0);
}

static void mmu_down(void)
{
	CHECK_EQ(ept_mmu_audit(&mmu), 0);
	ept_mmu_destroy(&mmu);
}

static void add_slot(u32 id, u32 kind, u32 flags, gfn_t gfn, u64 n, pfn_t pfn)
{
	struct ept_memslot s = {
		.id = id, .kind = kind, .flags = flags, .base_gfn = gfn, .npages = n, .base_pfn = pfn,
	};

	CHECK_EQ(ept_memslot_set(&mmu, &s), 0);
}

static int fault(gfn_t gfn, u64 access, int *level)
{
	struct ept_fault f = { .gpa = (gfn << PAGE_SHIFT) | 0x123, .access = access };
	int r = ept_handle_fault(&mmu, &f);

	if (level)
		*level = f.level;
	return r;
}

static void test_entry_format(void)
{
	u64 e = ept_make_leaf(0x12345, EPT_LEVEL_4K, EPT_R | EPT_W, EPT_MT_WB, true);

	CHECK(ept_is_present(e));
	CHECK(ept_is_leaf(e, EPT_LEVEL_4K));
	CHECK(!ept_is_table(e, EPT_LEVEL_4K));
	CHECK_EQ(ept_entry_pfn(e), 0x12345);
	CHECK_EQ(ept_entry_memtype(e), EPT_MT_WB);
	CHECK(e & EPT_IPAT);
	CHECK(e & EPT_SW_HOST_WRITABLE);
	CHECK(!(e & EPT_LEAF));
	e = ept_make_leaf(0x200, EPT_LEVEL_2M, EPT_R, EPT_MT_UC, false);
	CHECK(e & EPT_LEAF);
	CHECK(ept_is_leaf(e, EPT_LEVEL_2M));
	CHECK_EQ(ept_entry_memtype(e), EPT_MT_UC);
	/* FROZEN: non-present, no frame, no A/D, not a leaf, not a table. */
	CHECK(!ept_is_present(EPT_FROZEN));
	CHECK_EQ(EPT_FROZEN & EPT_PFN_MASK, 0);
	CHECK_EQ(EPT_FROZEN & (EPT_A | EPT_D), 0);
	CHECK(!ept_is_leaf(EPT_FROZEN, 2) && !ept_is_table(EPT_FROZEN, 2));
	CHECK(__builtin_popcountll(EPT_FROZEN) >= 4);
	CHECK(!ept_is_present(EPT_POISON));
	/* Geometry. */
	CHECK_EQ(ept_level_shift(1), 12);
	CHECK_EQ(ept_level_shift(3), 30);
	CHECK_EQ(ept_pages_per_entry(2), 512);
	CHECK_EQ(ept_pages_per_entry(3), 512 * 512);
	CHECK_EQ(ept_root_gfn_span(4), 1ULL << 36);
	CHECK_EQ(ept_root_gfn_span(5), 1ULL << 45);
	CHECK_EQ(ept_index(0x12345678, 1), 0x12345678 & 511);
	CHECK_EQ(ept_index(0x12345678, 2), (0x12345678 >> 9) & 511);
	CHECK_EQ(ept_gfn_round(0x12345, 2), 0x12200);
	/* Accessed-bit accessor used by aging. */
	{
		u64 x = e | EPT_A;

		CHECK(ept_test_and_clear_accessed((u64 __ept *)&x));
		CHECK(!(x & EPT_A));
		CHECK(!ept_test_and_clear_accessed((u64 __ept *)&x));
		x = EPT_FROZEN;
		CHECK(!ept_test_and_clear_accessed((u64 __ept *)&x));
		CHECK_EQ(x, EPT_FROZEN);
	}
}

static void test_levels(void)
{
	struct ept_memmap map;
	struct ept_memslot s = { .id = 1, .kind = EPT_SLOT_RAM, .base_gfn = 0, .npages = 1ULL << 19,
				 .base_pfn = 1ULL << 20 };
	u8 t;

	memset(&map, 0, sizeof(map));
	map.mtrr_default = EPT_MT_WB;
	/* 1G-congruent 2 GiB slot: 1G everywhere. */
	CHECK_EQ(ept_max_mapping_level(&map, &s, 0, 3), 3);
	CHECK_EQ(ept_max_mapping_level(&map, &s, (1 << 19) - 1, 3), 3);
	CHECK_EQ(ept_max_mapping_level(&map, &s, 5, 2), 2);
	CHECK_EQ(ept_max_mapping_level(&map, &s, 5, 1), 1);
	/* Frames congruent mod 2M only. */
	s.base_pfn = (1ULL << 20) + 512;
	CHECK_EQ(ept_max_mapping_level(&map, &s, 7, 3), 2);
	/* Not even 2M congruent. */
	s.base_pfn = (1ULL << 20) + 1;
	CHECK_EQ(ept_max_mapping_level(&map, &s, 7, 3), 1);
	/* Slot not 2M aligned at the edges: 4K at the edges, 2M inside. */
	s.base_pfn = s.base_gfn = 256;
	s.npages = 2048;
	CHECK_EQ(ept_max_mapping_level(&map, &s, 256, 3), 1);
	CHECK_EQ(ept_max_mapping_level(&map, &s, 511, 3), 1);
	CHECK_EQ(ept_max_mapping_level(&map, &s, 512, 3), 2);
	CHECK_EQ(ept_max_mapping_level(&map, &s, 1535, 3), 2);
	CHECK_EQ(ept_max_mapping_level(&map, &s, 1536, 3), 2);
	CHECK_EQ(ept_max_mapping_level(&map, &s, 2303, 3), 1);
	/* MTRR: one UC page inside [512, 1024) makes that 2M range 4K-only. */
	map.nr_mtrr = 1;
	map.mtrr[0] = (struct ept_mtrr_range){ .start = 700, .end = 701, .type = EPT_MT_UC };
	CHECK_EQ(ept_max_mapping_level(&map, &s, 600, 3), 1);
	CHECK_EQ(ept_max_mapping_level(&map, &s, 1100, 3), 2);
	CHECK_EQ(ept_mtrr_type(&map, 700), EPT_MT_UC);
	CHECK_EQ(ept_mtrr_type(&map, 701), EPT_MT_WB);
	CHECK(!ept_mtrr_uniform(&map, 512, 512, &t));
	/* A range covering the whole 2M region keeps it uniform (WT). */
	map.mtrr[0] = (struct ept_mtrr_range){ .start = 512, .end = 1024, .type = EPT_MT_WT };
	CHECK(ept_mtrr_uniform(&map, 512, 512, &t));
	CHECK_EQ(t, EPT_MT_WT);
	CHECK_EQ(ept_max_mapping_level(&map, &s, 600, 3), 2);
	/* Overlap rules: UC wins, WT over WB. */
	map.nr_mtrr = 2;
	map.mtrr[1] = (struct ept_mtrr_range){ .start = 0, .end = 4096, .type = EPT_MT_WB };
	CHECK_EQ(ept_mtrr_type(&map, 600), EPT_MT_WT);
	map.mtrr[1].type = EPT_MT_UC;
	CHECK_EQ(ept_mtrr_type(&map, 600), EPT_MT_UC);
	map.nr_mtrr = 0;
	/* Dirty logging and MMIO. */
	s.flags = EPT_SLOT_DIRTY_LOG;
	CHECK_EQ(ept_max_mapping_level(&map, &s, 600, 3), 1);
	s.flags = 0;
	s.kind = EPT_SLOT_MMIO;
	CHECK_EQ(ept_max_mapping_level(&map, &s, 600, 3), 0);
}

static void test_faults(bool five)
{
	struct ept_mmu_stats st;
	pfn_t pfn;
	u64 e;
	int level;

	mmu_up(five, 4096);
	add_slot(1, EPT_SLOT_RAM, 0, 0, 1ULL << 19, 1ULL << 20);	/* 2 GiB, 1G-congruent */
	add_slot(2, EPT_SLOT_ROM, 0, 1ULL << 19, 512, 0x300000);
	add_slot(3, EPT_SLOT_MMIO, 0, (1ULL << 19) + 512, 16, 0);
	add_slot(4, EPT_SLOT_RAM, 0, (1ULL << 19) + 1024, 1024, 0x400001);	/* misaligned */

	CHECK_EQ(fault(5, EPT_ACC_READ, &level), EPT_FAULT_FIXED);
	CHECK_EQ(level, 3);
	CHECK(ept_lookup(&mmu, 5, &pfn, &level, &e));
	CHECK_EQ(pfn, (1ULL << 20) + 5);
	CHECK_EQ(level, 3);
	CHECK(e & EPT_W);
	CHECK_EQ(fault(7, EPT_ACC_WRITE, NULL), EPT_FAULT_SPURIOUS);
	CHECK_EQ(fault((1ULL << 19) + 3, EPT_ACC_READ, &level), EPT_FAULT_FIXED);
	CHECK_EQ(level, 2);
	CHECK(ept_lookup(&mmu, (1ULL << 19) + 3, &pfn, &level, &e));
	CHECK(!(e & EPT_W));
	CHECK_EQ(pfn, 0x300003);
	CHECK_EQ(fault((1ULL << 19) + 3, EPT_ACC_WRITE, NULL), EPT_FAULT_WRITE_TO_RO);
	CHECK_EQ(fault((1ULL << 19) + 513, EPT_ACC_READ, NULL), EPT_FAULT_MMIO);
	CHECK_EQ(fault(1ULL << 30, EPT_ACC_READ, NULL), EPT_FAULT_OUTSIDE);
	CHECK_EQ(fault((1ULL << 19) + 1500, EPT_ACC_WRITE, &level), EPT_FAULT_FIXED);
	CHECK_EQ(level, 1);
	CHECK(ept_lookup(&mmu, (1ULL << 19) + 1500, &pfn, &level, &e));
	CHECK_EQ(pfn, 0x400001 + 476);
	ept_mmu_stats_read(&mmu, &st);
	CHECK_EQ(st.mapped[3], 1);
	CHECK_EQ(st.mapped[2], 1);
	CHECK_EQ(st.mapped[1], 1);
	CHECK_EQ(ept_mmu_audit(&mmu), 0);

	/* Zap: the 1G leaf overlapping [6, 8) goes as a whole. */
	CHECK_EQ(ept_zap_range(&mmu, 6, 8), 1);
	CHECK(!ept_lookup(&mmu, 5, &pfn, &level, &e));
	CHECK_EQ(ept_zap_range(&mmu, 0, 1ULL << 30), 2);
	ept_mmu_stats_read(&mmu, &st);
	CHECK_EQ(st.mapped[1] + st.mapped[2] + st.mapped[3], 0);

	/* A slot moved to other frames: the old translation must go. */
	CHECK_EQ(fault((1ULL << 19) + 1100, EPT_ACC_READ, NULL), EPT_FAULT_FIXED);
	add_slot(4, EPT_SLOT_RAM, 0, (1ULL << 19) + 1024, 1024, 0x500000);
	CHECK(!ept_lookup(&mmu, (1ULL << 19) + 1100, &pfn, &level, &e));
	CHECK_EQ(fault((1ULL << 19) + 1100, EPT_ACC_READ, NULL), EPT_FAULT_FIXED);
	CHECK(ept_lookup(&mmu, (1ULL << 19) + 1100, &pfn, &level, &e));
	CHECK_EQ(pfn, 0x500000 + 76);
	/* Bad input gets an error, not a crash. */
	{
		struct ept_memslot bad = { .id = 9, .kind = EPT_SLOT_RAM, .base_gfn = 100,
					   .npages = 10, .base_pfn = 5 };

		CHECK_EQ(ept_memslot_set(&mmu, &bad), -HV_EBUSY);	/* overlaps slot 1 */
		bad.id = 0;
		CHECK_EQ(ept_memslot_set(&mmu, &bad), -HV_EINVAL);
		bad.id = 9;
		bad.base_gfn = 1ULL << 45;
		CHECK_EQ(ept_memslot_set(&mmu, &bad), -HV_ERANGE);
		bad.npages = 0;				/* delete slot 9: not there */
		CHECK_EQ(ept_memslot_set(&mmu, &bad), -HV_ENOENT);
	}
	mmu_down();
}

/* Identity map of 4 GiB with 1G leaves: root + one PDPT. */
static void test_identity_4g(void)
{
	struct ept_pool_stats ps;
	int level;

	mmu_up(false, 64);
	add_slot(1, EPT_SLOT_RAM, 0, 0, 1ULL << 20, 0);
	for (u64 g = 0; g < 4; g++) {
		CHECK_EQ(fault(g << 18, EPT_ACC_WRITE, &level), EPT_FAULT_FIXED);
		CHECK_EQ(level, 3);
	}
	ept_pool_stats_read(&mmu.pool, &ps);
	printf("identity 4 GiB with 1G leaves: %llu table pages\n", ps.live);
	CHECK(ps.live <= 3);
	mmu_down();
}

static void test_split_collapse(void)
{
	struct ept_mmu_stats st;
	struct ept_pool_stats ps;
	pfn_t pfn;
	u64 e;
	int level;

	mmu_up(false, 2048);
	add_slot(1, EPT_SLOT_RAM, 0, 0, 1ULL << 19, 1ULL << 20);
	CHECK_EQ(fault(100, EPT_ACC_WRITE, &level), EPT_FAULT_FIXED);
	CHECK_EQ(level, 3);
	CHECK_EQ(ept_split_range(&mmu, 0, 1, EPT_LEVEL_2M), 1);
	ept_mmu_stats_read(&mmu, &st);
	CHECK_EQ(st.mapped[3], 0);
	CHECK_EQ(st.mapped[2], 512);
	CHECK_EQ(ept_split_range(&mmu, 0, 1024, EPT_LEVEL_4K), 2);
	ept_mmu_stats_read(&mmu, &st);
	CHECK_EQ(st.mapped[2], 510);
	CHECK_EQ(st.mapped[1], 1024);
	CHECK(ept_lookup(&mmu, 777, &pfn, &level, &e));
	CHECK_EQ(pfn, (1ULL << 20) + 777);
	CHECK_EQ(level, 1);
	CHECK(e & EPT_W);
	CHECK_EQ(ept_mmu_audit(&mmu), 0);
	/* Collapse 2M first (range of one 2M table), then the 1G table at once. */
	CHECK_EQ(ept_collapse_range(&mmu, 0, 512), 1);
	ept_mmu_stats_read(&mmu, &st);
	CHECK_EQ(st.mapped[2], 511);
	CHECK_EQ(st.mapped[1], 512);
	CHECK_EQ(ept_collapse_range(&mmu, 0, 1ULL << 18), 1);
	ept_mmu_stats_read(&mmu, &st);
	CHECK_EQ(st.mapped[3], 1);
	CHECK_EQ(st.mapped[2] + st.mapped[1], 0);
	CHECK(ept_lookup(&mmu, 777, &pfn, &level, &e));
	CHECK_EQ(level, 3);
	CHECK_EQ(pfn, (1ULL << 20) + 777);
	CHECK_EQ(ept_mmu_audit(&mmu), 0);
	ept_pool_stats_read(&mmu.pool, &ps);
	CHECK_EQ(ps.live, 2);	/* root + PDPT */
	CHECK_EQ(ps.retired, 0);
	/* An MTRR hole forbids the 2M collapse around it (and the 1G one). */
	{
		struct ept_mtrr_range r = { .start = 1030, .end = 1031, .type = EPT_MT_UC };

		CHECK_EQ(ept_memmap_set_mtrr(&mmu, &r, 1, EPT_MT_WB), 0);
	}
	for (gfn_t g = 1024; g < 1536; g++)
		CHECK_EQ(fault(g, EPT_ACC_READ, NULL), EPT_FAULT_FIXED);
	CHECK_EQ(ept_collapse_range(&mmu, 0, 1ULL << 18), 0);
	CHECK(ept_lookup(&mmu, 1030, &pfn, &level, &e));
	CHECK_EQ(level, 1);
	CHECK_EQ(ept_entry_memtype(e), EPT_MT_UC);
	CHECK(ept_lookup(&mmu, 1031, &pfn, &level, &e));
	CHECK_EQ(ept_entry_memtype(e), EPT_MT_WB);
	mmu_down();
}

static void test_dirty_log(void)
{
	u64 bitmap[8];
	pfn_t pfn;
	u64 e;
	int level;

	mmu_up(false, 1024);
	add_slot(1, EPT_SLOT_RAM, 0, 0, 512, 0x1000);
	CHECK_EQ(fault(3, EPT_ACC_WRITE, &level), EPT_FAULT_FIXED);
	CHECK_EQ(level, 2);
	CHECK_EQ(ept_memslot_dirty_log(&mmu, 1, true), 0);
	CHECK(ept_lookup(&mmu, 3, &pfn, &level, &e));
	CHECK_EQ(level, 1);		/* split */
	CHECK(!(e & EPT_W));		/* write-protected */
	CHECK_EQ(fault(3, EPT_ACC_READ, NULL), EPT_FAULT_SPURIOUS);
	CHECK_EQ(fault(3, EPT_ACC_WRITE, NULL), EPT_FAULT_FIXED);
	CHECK_EQ(fault(200, EPT_ACC_WRITE, NULL), EPT_FAULT_FIXED);
	CHECK_EQ(fault(201, EPT_ACC_READ, NULL), EPT_FAULT_SPURIOUS);
	CHECK_EQ(ept_memslot_get_dirty_log(&mmu, 1, bitmap), 2);
	CHECK_EQ(bitmap[0], BIT(3));
	CHECK_EQ(bitmap[3], BIT(200 - 192));
	CHECK(ept_lookup(&mmu, 200, &pfn, &level, &e));
	CHECK(!(e & EPT_W));
	CHECK_EQ(ept_memslot_get_dirty_log(&mmu, 1, bitmap), 0);
	CHECK_EQ(fault(200, EPT_ACC_WRITE, NULL), EPT_FAULT_FIXED);
	CHECK_EQ(ept_memslot_get_dirty_log(&mmu, 1, bitmap), 1);
	CHECK_EQ(ept_memslot_dirty_log(&mmu, 1, false), 0);
	CHECK_EQ(ept_collapse_range(&mmu, 0, 512), 1);
	CHECK(ept_lookup(&mmu, 200, &pfn, &level, &e));
	CHECK_EQ(level, 2);
	CHECK_EQ(ept_memslot_get_dirty_log(&mmu, 1, bitmap), -HV_ENOENT);
	mmu_down();
}

static void test_five_level(void)
{
	gfn_t high = 1ULL << 37;	/* beyond a 4-level root's 2^36 gfns */
	pfn_t pfn;
	u64 e;
	int level;

	mmu_up(false, 256);
	add_slot(1, EPT_SLOT_RAM, 0, high, 1024, 0x2000);
	CHECK_EQ(fault(high + 1, EPT_ACC_READ, NULL), EPT_FAULT_OUTSIDE);
	CHECK_EQ(ept_mmu_reset_root(&mmu, true), 0);
	CHECK_EQ(mmu.root_level, 5);
	CHECK_EQ(fault(high + 1, EPT_ACC_READ, &level), EPT_FAULT_FIXED);
	CHECK_EQ(level, 2);
	CHECK(ept_lookup(&mmu, high + 300, &pfn, &level, &e));
	CHECK_EQ(pfn, 0x2000 + 300);
	CHECK_EQ(ept_mmu_audit(&mmu), 0);
	CHECK_EQ(ept_mmu_reset_root(&mmu, false), 0);
	CHECK(!ept_lookup(&mmu, high + 300, &pfn, &level, &e));
	mmu_down();
}

static void test_nomem(void)
{
	struct ept_pool_stats ps;

	mmu_up(false, 3);	/* root + 2 tables only */
	add_slot(1, EPT_SLOT_RAM, 0, 0, 1ULL << 18, 0x1001);	/* 4K leaves only */
	CHECK_EQ(fault(0, EPT_ACC_READ, NULL), EPT_FAULT_NOMEM);
	ept_pool_stats_read(&mmu.pool, &ps);
	CHECK(ps.alloc_failures > 0);
	mmu_down();
}

/* R8: a walker that is told to yield at every step still finishes. */
static void test_yield(void)
{
	struct ept_mmu_stats st;

	mmu_up(false, 4096);
	add_slot(1, EPT_SLOT_RAM, 0, 0, 8192, 0x1001);
	for (gfn_t g = 0; g < 8192; g += 7)
		CHECK_EQ(fault(g, EPT_ACC_READ, NULL), EPT_FAULT_FIXED);
	WRITE_ONCE(ept_iter_test_yield_every, 1);
	CHECK_EQ(ept_zap_range(&mmu, 0, 8192), (8192 + 6) / 7);
	WRITE_ONCE(ept_iter_test_yield_every, 0);
	ept_mmu_stats_read(&mmu, &st);
	printf("yield test: %llu yields, %llu flushes\n", st.yields,
	       st.flushes);
	CHECK(st.yields > 10);
	mmu_down();
}

/* R7: root references are taken with inc-not-zero; a dying root is skipped. */
static void test_root_refs(void)
{
	struct ept_root *r, *active;

	mmu_up(false, 64);
	active = READ_ONCE(mmu.active_root);
	CHECK_EQ(active->refcount, 1);		/* the MMU's own reference */
	r = ept_root_next(&mmu, NULL);
	CHECK(r == active);
	CHECK_EQ(active->refcount, 2);
	CHECK(ept_root_next(&mmu, r) == NULL);	/* drops r */
	CHECK_EQ(active->refcount, 1);
	r = ept_root_get_active(&mmu);
	CHECK(r == active);
	ept_root_put(&mmu, r);
	/*
	 * A root whose count already reached zero but is still on the list
	 * (its last put is between the decrement and the unlink) must never
	 * be handed out again.  Simulate that window.
	 */
	WRITE_ONCE(active->refcount, 0);
	r = ept_root_next(&mmu, NULL);
	CHECK(r == NULL);
	if (r)
		WRITE_ONCE(active->refcount, 1);	/* mutant revived it: undo */
	CHECK(ept_root_get_active(&mmu) == NULL);
	WRITE_ONCE(active->refcount, 1);
	/* Replacing the root drops the MMU's reference; the old root goes. */
	r = ept_root_get_active(&mmu);
	CHECK_EQ(ept_mmu_reset_root(&mmu, false), 0);
	CHECK(READ_ONCE(r->invalid));
	CHECK(READ_ONCE(mmu.active_root) != r);
	CHECK_EQ(r->refcount, 1);		/* only ours now */
	ept_root_put(&mmu, r);
	mmu_down();
}

int main(int argc, char **argv)
{
	test_init(argc, argv, 0);
	test_entry_format();
	test_levels();
	test_faults(false);
	test_faults(true);
	test_identity_4g();
	test_split_collapse();
	test_dirty_log();
	test_five_level();
	test_nomem();
	test_yield();
	test_root_refs();
	return test_finish();
}
