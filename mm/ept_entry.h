/* SPDX-License-Identifier: MIT */
/*
 * EPT entry format (Intel SDM Vol. 3C, "EPT Translation Mechanism") and the
 * only accessors allowed to dereference an EPT entry pointer (u64 __ept *).
 *
 * Levels use EPT numbering: 1 = PTE (4 KiB leaf), 2 = PDE (2 MiB leaf or
 * table), 3 = PDPTE (1 GiB leaf or table), 4 = PML4E, 5 = PML5E.  A root is
 * 4-level or 5-level (chosen from the VMX capability "page-walk length 5").
 *
 *   bit   leaf                         non-leaf
 *   0     R                            R
 *   1     W                            W
 *   2     X (supervisor X with MBEC)   X
 *   5:3   memory type                  reserved (0)
 *   6     ignore PAT                   reserved (0)
 *   7     1 = leaf (levels 2,3)        0
 *   8     accessed (A/D enabled)       accessed
 *   9     dirty (A/D enabled)          ignored
 *   10    user X (MBEC)                user X (MBEC)
 *   51:12 host frame of the page       host frame of the child table
 *   52    software: host-writable (slot allows writes; dirty logging clears
 *         W but leaves this, so a write fault may set W again)
 *   63    suppress #VE (leaf; 0 here: #VE is not enabled)
 *
 * An entry is "present" when any of R/W/X is set; we only make R, RW, RX and
 * RWX, never the W-without-R misconfiguration.  Non-present entries are 0,
 * EPT_FROZEN (owned by one thread, R3) or, in a freed page, EPT_POISON.
 */
#ifndef MM_EPT_ENTRY_H
#define MM_EPT_ENTRY_H

#include "lib/atomic.h"
#include "lib/compiler.h"
#include "lib/mutate.h"
#include "lib/platform.h"

#define EPT_R			BIT(0)
#define EPT_W			BIT(1)
#define EPT_X			BIT(2)
#define EPT_RWX			(EPT_R | EPT_W | EPT_X)
#define EPT_MT_SHIFT		3
#define EPT_MT_MASK		GENMASK(5, 3)
#define EPT_IPAT		BIT(6)
#define EPT_LEAF		BIT(7)	/* "page size" at levels 2 and 3 */
#define EPT_A			BIT(8)
#define EPT_D			BIT(9)
#define EPT_UX			BIT(10)
#define EPT_PFN_MASK		GENMASK(51, 12)
#define EPT_SW_HOST_WRITABLE	BIT(52)
#define EPT_SUPPRESS_VE		BIT(63)

/* Memory types (the MTRR / PAT encodings). */
#define EPT_MT_UC		0
#define EPT_MT_WC		1
#define EPT_MT_WT		4
#define EPT_MT_WP		5
#define EPT_MT_WB		6

#define EPT_LEVEL_4K		1
#define EPT_LEVEL_2M		2
#define EPT_LEVEL_1G		3
#define EPT_MAX_HUGE_LEVEL	EPT_LEVEL_1G
#define EPT_ROOT_LEVEL_4	4
#define EPT_ROOT_LEVEL_5	5
#define EPT_MAX_LEVEL		5

#define EPT_ENTRIES		512
#define EPT_LEVEL_BITS		9

/*
 * The frozen value (R3).  Its owner (the thread whose cmpxchg or xchg
 * installed it) is the only one that may write the entry next.  It is
 * non-present to the CPU (RWX = 0, so never an EPT misconfiguration), holds
 * no frame bits (nothing for a speculative walk to use) and no A/D bits,
 * and has several bits set so that no single flipped bit makes a value look
 * frozen.
 */
#define EPT_FROZEN		(BIT(62) | BIT(59) | BIT(10) | BIT(7) | BIT(4) | BIT(3))

/* Every entry of a freed (quarantined) table page; see mm/ept_pool.c. */
#define EPT_POISON		0x6b6b000000000ba8ULL

BUILD_BUG_ON(EPT_ENTRIES != (1 << EPT_LEVEL_BITS));
BUILD_BUG_ON(EPT_ENTRIES * sizeof(u64) != PAGE_SIZE);
BUILD_BUG_ON(EPT_PFN_MASK != (0x000ffffffffff000ULL));
BUILD_BUG_ON((EPT_PFN_MASK >> PAGE_SHIFT) != ((1ULL << 40) - 1));
BUILD_BUG_ON(EPT_FROZEN & EPT_RWX);
BUILD_BUG_ON(EPT_FROZEN & EPT_PFN_MASK);
BUILD_BUG_ON(EPT_FROZEN & (EPT_A | EPT_D));
BUILD_BUG_ON(EPT_FROZEN & EPT_SW_HOST_WRITABLE);
BUILD_BUG_ON(EPT_POISON & EPT_RWX);
BUILD_BUG_ON(EPT_POISON == EPT_FROZEN);
BUILD_BUG_ON(EPT_SW_HOST_WRITABLE & (EPT_PFN_MASK | EPT_RWX | EPT_MT_MASK));

/* Address bits below level @l's granule: 12, 21, 30, 39, 48. */
static inline unsigned int ept_level_shift(int level)
{
	return PAGE_SHIFT + EPT_LEVEL_BITS * ((unsigned int)(level - 1) & 7);
}

BUILD_BUG_ON(PAGE_SHIFT + EPT_LEVEL_BITS * (EPT_LEVEL_2M - 1) != 21);
BUILD_BUG_ON(PAGE_SHIFT + EPT_LEVEL_BITS * (EPT_LEVEL_1G - 1) != 30);
BUILD_BUG_ON(PAGE_SHIFT + EPT_LEVEL_BITS * (EPT_ROOT_LEVEL_4) != 48);
BUILD_BUG_ON(PAGE_SHIFT + EPT_LEVEL_BITS * (EPT_ROOT_LEVEL_5) != 57);

/* 4 KiB frames covered by one entry at @level: 1, 512, 512^2, ... */
static inline u64 ept_pages_per_entry(int level)
{
	/* Levels are 1..5; the mask keeps the shift defined for any int. */
	return 1ULL << (EPT_LEVEL_BITS * ((unsigned int)(level - 1) & 7));
}

/* Index of @gfn's entry in a table at @level. */
static inline unsigned int ept_index(gfn_t gfn, int level)
{
	return (unsigned int)(gfn >> (EPT_LEVEL_BITS * ((unsigned int)(level - 1) & 7))) &
	       (EPT_ENTRIES - 1);
}

/* First gfn covered by the entry at @level that covers @gfn. */
static inline gfn_t ept_gfn_round(gfn_t gfn, int level)
{
	return gfn & ~(ept_pages_per_entry(level) - 1);
}

/* Number of gfns a root of @root_level translates (2^36 or 2^45). */
static inline u64 ept_root_gfn_span(int root_level)
{
	return ept_pages_per_entry(root_level) * EPT_ENTRIES;
}

static inline bool ept_is_present(u64 e)
{
	return (e & EPT_RWX) != 0;
}

static inline bool ept_is_frozen(u64 e)
{
	return e == EPT_FROZEN;
}

static inline bool ept_is_poison(u64 e)
{
	return e == EPT_POISON;
}

/* A present entry that maps memory (rather than pointing to a table). */
static inline bool ept_is_leaf(u64 e, int level)
{
	return ept_is_present(e) && (level == EPT_LEVEL_4K || (e & EPT_LEAF));
}

static inline bool ept_is_table(u64 e, int level)
{
	return ept_is_present(e) && level > EPT_LEVEL_4K && !(e & EPT_LEAF);
}

static inline pfn_t ept_entry_pfn(u64 e)
{
	return (e & EPT_PFN_MASK) >> PAGE_SHIFT;
}

static inline unsigned int ept_entry_memtype(u64 e)
{
	return (unsigned int)((e & EPT_MT_MASK) >> EPT_MT_SHIFT);
}

/*
 * The child table a non-leaf entry points to.  Only valid for an entry for
 * which ept_is_table() holds; the caller reached @e by ept_read_entry()
 * inside an EBR section (R1 reader side, see ept_read_entry()).
 */
static inline u64 __ept *ept_entry_table(u64 e)
{
	return (u64 __ept *)arch_phys_to_virt(e & EPT_PFN_MASK);
}

/*
 * ept_make_leaf() - a present leaf mapping frame @pfn at @level.
 * @pfn:     first host frame (aligned to the level: checked by callers)
 * @level:   1, 2 or 3
 * @perm:    EPT_R plus optionally EPT_W / EPT_X
 * @memtype: EPT_MT_*
 * @host_writable: the slot allows writes (EPT_SW_HOST_WRITABLE)
 */
static inline u64 ept_make_leaf(pfn_t pfn, int level, u64 perm, unsigned int memtype,
				bool host_writable)
{
	u64 e = (pfn << PAGE_SHIFT) & EPT_PFN_MASK;

	e |= (perm & EPT_RWX) | ((u64)memtype << EPT_MT_SHIFT) | EPT_IPAT;
	if (level > EPT_LEVEL_4K)
		e |= EPT_LEAF;
	if (host_writable)
		e |= EPT_SW_HOST_WRITABLE;
	return e;
}

/* A non-leaf entry pointing to @table (RWX: the leaves decide access). */
static inline u64 ept_make_table_entry(u64 __ept *table)
{
	return (arch_virt_to_phys((__force const void *)table) & EPT_PFN_MASK) | EPT_RWX;
}

/*
 * ept_read_entry() - snapshot one entry (one untorn load, like READ_ONCE).
 *
 * R1 reader side: the caller may follow the entry's frame to a child table
 * only if ept_is_table() holds.  The load is an acquire: on x86 that is the
 * same plain MOV (the address dependency would already order the child's
 * loads), but it also makes the edge visible to ThreadSanitizer.  Pairs
 * with the cmpxchg that published the child (ept_fault_locked(),
 * ept_split_huge()): the locked CMPXCHG orders every initialising store of
 * the child before the entry becomes present.
 */
static inline u64 ept_read_entry(u64 __ept *p)
{
	return load_acquire((__force u64 *)p);
}

/*
 * ept_write_entry() - plain (single, untorn) store.  Allowed only where no
 * one else can write the entry: the caller owns it FROZEN (R3), or the
 * table is not yet published (R1: initialisation before the publishing
 * cmpxchg).
 */
static inline void ept_write_entry(u64 __ept *p, u64 v)
{
	WRITE_ONCE(*(__force u64 *)p, v);
}

/*
 * ept_cmpxchg_entry() - R2: replace *@p by @new only if it still holds
 * *@old; on failure *@old receives the current value.  A full barrier
 * (LOCK CMPXCHG), which is also the R1 publish of a child table.
 */
static inline bool ept_cmpxchg_entry(u64 __ept *p, u64 *old, u64 new)
{
	return try_cmpxchg((__force u64 *)p, old, new);
}

/*
 * ept_cmpxchg_entry_rule() - ept_cmpxchg_entry() as the named R1/R2
 * primitive of @site (lib/mutate.h): its mutant stores @new blindly.
 */
#define ept_cmpxchg_entry_rule(site, p, old, new)			\
	try_cmpxchg_rule(site, (__force u64 *)(p), (old), (new))

/* R2/R3: atomic exchange; returns the previous value. */
static inline u64 ept_xchg_entry(u64 __ept *p, u64 v)
{
	return xchg((__force u64 *)p, v);
}

/*
 * ept_clear_bits_atomic() - R2: clear @mask in a live leaf with one locked
 * AND, so that concurrent A/D setting (hardware), W setting (fault path)
 * and A clearing (aging) are never lost.  Returns the previous value.
 * Harmless on a non-present or FROZEN entry: neither holds A, D or W.
 */
static inline u64 ept_clear_bits_atomic(u64 __ept *p, u64 mask)
{
	return fetch_and((__force u64 *)p, ~mask);
}

/* R2: set @mask with one locked OR ("hardware" setting A/D). Returns old. */
static inline u64 ept_set_bits_atomic(u64 __ept *p, u64 mask)
{
	return fetch_or((__force u64 *)p, mask);
}

/*
 * ept_test_and_clear_accessed() - for aging (mm/rmap.c): clear A in the
 * leaf at @p and return whether it was set and the entry a present leaf.
 * Called without mmu_lock inside an EBR section: the entry may have become
 * non-present or FROZEN meanwhile, which this tolerates (no A bit there).
 */
static inline bool ept_test_and_clear_accessed(u64 __ept *p)
{
	u64 old;

	if (!(ept_read_entry(p) & EPT_A))
		return false;
	/* R2: one locked AND (ept_clear_bits_atomic()); never a plain RMW. */
	old = fetch_and_rule(R2_AGE_PLAIN_RMW, (__force u64 *)p, ~EPT_A);
	return ept_is_present(old) && (old & EPT_A);
}

#endif /* MM_EPT_ENTRY_H */
