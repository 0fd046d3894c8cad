// SPDX-License-Identifier: MIT
/*
 * Fuzz target: arch/x86/acpi_tables.c.  Input layout:
 *
 *   byte 0   flags: bit 0 fixes the RSDP copy's checksums, bit 1 fixes the
 *            checksum of every table as it is mapped (so that mutations get
 *            past the checksums; without them the checksum paths run)
 *   byte 1   length of the loader's RSDP copy, taken from the image start
 *   byte 2.. a physical memory image at FUZZ_ACPI_BASE: the RSDP first,
 *            then RSDT/XSDT, MADT, ... at the addresses the tables give
 *
 * The parser reaches tables through arch_phys_to_virt(), which this target
 * replaces (the fuzz binaries are linked with --wrap=arch_phys_to_virt): a
 * physical address becomes a heap copy of exactly the table there, as long
 * as its header says, so ASan reports any read past a table's own length.
 * Memory outside the image reads as zeros; a table ends at most
 * FUZZ_ACPI_SLACK past the image.
 *
 * Checked: acpi_validate_rsdp() accepts only what it documents and
 * returns the root it names; acpi_find_table() returns the first valid table
 * with the signature in the root's entries, or NULL when there is none (a
 * reference walk over the same mappings); acpi_parse_madt(), on the table
 * found and on the image itself, returns counts that fit its arrays and the
 * table, and CPUs that are usable, distinct and well-formed.
 */
#include "tests/fuzz/fuzz.h"
#include "arch/x86/acpi_tables.h"

#include <stdlib.h>
#include <string.h>

#define FUZZ_ACPI_BASE	0xe0000ULL	/* the BIOS area: RSDT entries (32 bits) reach it */
#define HDR_LEN		((u32)sizeof(struct acpi_sdt_header))
#define FLAG_FIX_RSDP	BIT(0)
#define FLAG_FIX_TABLES	BIT(1)
/*
 * Tables end at most this far past the image: a longer length field (that
 * the parser would still accept, up to ACPI_MAX_TABLE_LEN) is clamped in
 * the copy.  Otherwise one input that makes the root claim 16 MiB of zero
 * entries costs the fuzzer a second per run, and tests nothing new.
 */
#define FUZZ_ACPI_SLACK	0x10000u

/* One table mapped by the wrapper during the current input. */
struct mapping {
	u64 pa;
	u8 *va;
	size_t size;
};

static const u8 *image;
static size_t image_len;
static bool fix_tables;
static struct mapping *maps;
static unsigned int nmaps, maps_cap;
/* Open-addressing index of maps[] by address: a root may list thousands. */
static unsigned int *slots;	/* 0: empty, else index + 1 */
static unsigned int nslots;	/* 2 * maps_cap, a power of two */
static struct madt_info madt;

/*
 * Free everything mapped for this input.  The array goes too: an input that
 * ends with more blocks allocated than freed makes libFuzzer run it again
 * under the leak checker.
 */
static void unmap_all(void)
{
	for (unsigned int i = 0; i < nmaps; i++)
		free(maps[i].va);
	free(maps);
	free(slots);
	maps = NULL;
	slots = NULL;
	nmaps = maps_cap = nslots = 0;
}

/* The slot of @pa in the index: the one holding it, or the empty one where it goes. */
static unsigned int slot_of(u64 pa)
{
	unsigned int i = (unsigned int)((pa * 0x9e3779b97f4a7c15ULL) >> 32) & (nslots - 1);

	while (slots[i] && maps[slots[i] - 1].pa != pa)
		i = (i + 1) & (nslots - 1);
	return i;
}

/* Room for one more mapping: double maps[] and rebuild the index when full. */
static void maps_reserve(void)
{
	void *grown;

	if (nmaps < maps_cap)
		return;
	maps_cap = maps_cap ? 2 * maps_cap : 64;
	nslots = 2 * maps_cap;
	grown = realloc(maps, maps_cap * sizeof(*maps));
	if (!grown)
		abort();
	maps = grown;
	free(slots);
	slots = calloc(nslots, sizeof(*slots));
	if (!slots)
		abort();
	for (unsigned int i = 0; i < nmaps; i++)
		slots[slot_of(maps[i].pa)] = i + 1;
}

static const struct mapping *mapping_of(const void *va)
{
	for (unsigned int i = 0; i < nmaps; i++) {
		if (maps[i].va == va)
			return &maps[i];
	}
	return NULL;
}

/* Set byte @at so that the first @len bytes of @t sum to 0. */
static void fix_checksum(u8 *t, size_t len, size_t at)
{
	t[at] = 0;
	t[at] = (u8)(0x100 - acpi_checksum(t, len));
}

/**
 * __wrap_arch_phys_to_virt() - map a table of the image.
 * @pa: physical address from an RSDP, RSDT or XSDT
 *
 * The parser reads a table's header before it knows the length, then the
 * length it found there: the mapping is a copy of the table as long as its
 * length field says (at least a header; only a header when the length is
 * beyond ACPI_MAX_TABLE_LEN, which the parser must refuse unread), with
 * zeros for whatever lies past the image, and no more than FUZZ_ACPI_SLACK
 * of them.  One copy per address per input, so that the pointers the
 * parser returns can be recognised.
 *
 * Return: the copy, freed when the next input starts.
 */
void *__wrap_arch_phys_to_virt(phys_addr_t pa)
{
	size_t off = 0, avail = 0, size;
	u8 hdr[8] = { 0 };
	struct mapping *m;
	unsigned int slot;
	u32 len;

	maps_reserve();
	slot = slot_of(pa);
	if (slots[slot])
		return maps[slots[slot] - 1].va;
	if (pa >= FUZZ_ACPI_BASE && pa - FUZZ_ACPI_BASE < image_len) {
		off = (size_t)(pa - FUZZ_ACPI_BASE);
		avail = image_len - off;
	}
	memcpy(hdr, image + off, avail < sizeof(hdr) ? avail : sizeof(hdr));
	len = fuzz_u32(hdr + 4);
	if (len >= HDR_LEN && len <= ACPI_MAX_TABLE_LEN && len > avail &&
	    len - avail > FUZZ_ACPI_SLACK)
		len = (u32)avail + FUZZ_ACPI_SLACK;
	size = len >= HDR_LEN && len <= ACPI_MAX_TABLE_LEN ? len : HDR_LEN;

	slots[slot] = nmaps + 1;
	m = &maps[nmaps++];
	m->pa = pa;
	m->size = size;
	m->va = calloc(1, size);
	if (!m->va)
		abort();
	memcpy(m->va, image + off, avail < size ? avail : size);
	if (size == len)
		memcpy(m->va + 4, &len, 4);	/* clamped or not */
	if (fix_tables && size == len)
		fix_checksum(m->va, len, 9);
	return m->va;
}

/* What acpi_find_table() must accept: a mapped table with @sig, a sane length, checksum 0. */
static bool table_valid(u64 pa, const char *sig)
{
	const u8 *t;
	u32 len;

	if (!pa)
		return false;
	t = __wrap_arch_phys_to_virt(pa);
	len = fuzz_u32(t + 4);
	return !memcmp(t, sig, 4) && len >= HDR_LEN && len <= ACPI_MAX_TABLE_LEN &&
	       !acpi_checksum(t, len);
}

/* Reference walk: the first valid @sig table listed by a valid root, or NULL. */
static const void *reference_find(u64 root_pa, bool is_xsdt, const char *sig)
{
	unsigned int esize = is_xsdt ? 8 : 4;
	const u8 *root;
	u32 n;

	if (!table_valid(root_pa, is_xsdt ? "XSDT" : "RSDT"))
		return NULL;
	root = __wrap_arch_phys_to_virt(root_pa);
	n = (fuzz_u32(root + 4) - HDR_LEN) / esize;
	for (u32 i = 0; i < n; i++) {
		const u8 *e = root + HDR_LEN + (size_t)i * esize;
		u64 pa = is_xsdt ? fuzz_u64(e) : fuzz_u32(e);

		if (table_valid(pa, sig))
			return __wrap_arch_phys_to_virt(pa);
	}
	return NULL;
}

static int cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

/* The MADT summary fits its arrays and @t (the @len bytes the parser got). */
static void check_madt(int rc, const u8 *t, u32 len)
{
	static u32 ids[MADT_MAX_CPUS];
	unsigned int enabled = 0;
	u32 tlen, body;

	FUZZ_CHECK(rc == 0 || rc == -HV_EINVAL || rc == -HV_EBADMSG);
	if (rc) {
		FUZZ_CHECK(!madt.ncpus && !madt.ncpus_total && !madt.nioapics && !madt.noverrides);
		return;
	}
	tlen = fuzz_u32(t + 4);
	FUZZ_CHECK(!memcmp(t, "APIC", 4) && tlen >= HDR_LEN + 8 && tlen <= len);
	FUZZ_CHECK(!acpi_checksum(t, tlen));
	body = tlen - HDR_LEN - 8;

	FUZZ_CHECK(madt.ncpus == (madt.ncpus_total < MADT_MAX_CPUS ? madt.ncpus_total :
				  MADT_MAX_CPUS));
	FUZZ_CHECK(madt.ncpus_enabled <= madt.ncpus_total);
	FUZZ_CHECK(madt.nioapics <= MADT_MAX_IOAPICS && madt.noverrides <= MADT_MAX_OVERRIDES);
	/* each counted entry is its own, of at least its type's size */
	FUZZ_CHECK((u64)madt.ncpus_total * 8 + madt.nioapics * 12 + madt.noverrides * 10 +
		   madt.nunknown * 2 <= body);
	for (unsigned int i = 0; i < madt.ncpus; i++) {
		const struct madt_cpu *c = &madt.cpus[i];

		FUZZ_CHECK(c->enabled || c->online_capable);
		FUZZ_CHECK(!c->online_capable || t[8] >= 5);	/* the flag is reserved before 5 */
		if (c->x2apic)
			FUZZ_CHECK(c->apic_id != 0xffffffffu);
		else
			FUZZ_CHECK(c->apic_id <= 0xff && c->acpi_uid <= 0xff);
		ids[i] = c->apic_id;
		enabled += c->enabled;
	}
	/* distinct APIC IDs; sorted, not pairwise: the comparisons are traced, hence slow */
	qsort(ids, madt.ncpus, sizeof(ids[0]), cmp_u32);
	for (unsigned int i = 1; i < madt.ncpus; i++)
		FUZZ_CHECK(ids[i - 1] != ids[i]);
	FUZZ_CHECK(madt.ncpus_total > MADT_MAX_CPUS ? enabled <= madt.ncpus_enabled :
						      enabled == madt.ncpus_enabled);
}

/* acpi_find_table() for @sig against the reference walk; a MADT found is parsed. */
static void find_and_check(u64 root, bool is_xsdt, const char *sig)
{
	const struct acpi_sdt_header *t = acpi_find_table(root, is_xsdt, sig);
	const struct mapping *m;

	FUZZ_CHECK((const void *)t == reference_find(root, is_xsdt, sig));
	if (!t)
		return;
	m = mapping_of(t);
	FUZZ_CHECK(m && t->length <= m->size);
	if (!memcmp(sig, "APIC", 4))
		check_madt(acpi_parse_madt(t, t->length, &madt), (const u8 *)t, t->length);
}

/* The loader's RSDP copy: @len bytes from the image start, in a buffer of exactly that size. */
static void check_rsdp(size_t len, bool fix)
{
	u8 *r = fuzz_dup(image, len);
	u64 root = 1;
	bool is_xsdt = false;
	int rc;

	if (fix && len >= ACPI_RSDP_V1_LEN) {
		fix_checksum(r, ACPI_RSDP_V1_LEN, 8);
		if (len >= ACPI_RSDP_V2_LEN && fuzz_u32(r + 20) >= ACPI_RSDP_V2_LEN &&
		    fuzz_u32(r + 20) <= len)
			fix_checksum(r, fuzz_u32(r + 20), 32);
	}
	rc = acpi_validate_rsdp(r, (unsigned int)len, &root, &is_xsdt);
	FUZZ_CHECK(rc == 0 || rc == -HV_EINVAL || rc == -HV_EBADMSG);
	if (rc) {
		FUZZ_CHECK(root == 1 && !is_xsdt);	/* outputs untouched */
		free(r);
		return;
	}
	FUZZ_CHECK(len >= ACPI_RSDP_V1_LEN && !memcmp(r, "RSD PTR ", 8));
	FUZZ_CHECK(!acpi_checksum(r, ACPI_RSDP_V1_LEN));
	if (r[15] >= 2 && len >= ACPI_RSDP_V2_LEN) {
		/* a 2.0+ RSDP is used only with its length and extended checksum right */
		u32 tlen = fuzz_u32(r + 20);

		FUZZ_CHECK(tlen >= ACPI_RSDP_V2_LEN && tlen <= len && !acpi_checksum(r, tlen));
		FUZZ_CHECK(is_xsdt == (fuzz_u64(r + 24) != 0));
	} else {
		FUZZ_CHECK(!is_xsdt);
	}
	FUZZ_CHECK(root && root == (is_xsdt ? fuzz_u64(r + 24) : fuzz_u32(r + 16)));
	free(r);

	find_and_check(root, is_xsdt, "APIC");
	find_and_check(root, is_xsdt, "FACP");
	find_and_check(root, is_xsdt, "HPET");
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	u8 flags, *copy;
	size_t rsdp_len;

	if (size < 2)
		return 0;
	flags = data[0];
	rsdp_len = data[1];
	image = data + 2;
	image_len = size - 2;
	fix_tables = flags & FLAG_FIX_TABLES;
	if (rsdp_len > image_len)
		rsdp_len = image_len;

	check_rsdp(rsdp_len, flags & FLAG_FIX_RSDP);

	/* The image as a MADT on its own: the entry walk without an RSDP chain to build. */
	copy = fuzz_dup(image, image_len);
	if (fix_tables && image_len >= 10 && fuzz_u32(copy + 4) <= image_len)
		fix_checksum(copy, fuzz_u32(copy + 4), 9);
	check_madt(acpi_parse_madt(copy, (u32)image_len, &madt), copy, (u32)image_len);
	free(copy);

	unmap_all();
	return 0;
}
