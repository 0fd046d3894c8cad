// SPDX-License-Identifier: MIT
/*
 * arch/x86/acpi_tables.c over tables built in memory (the hosted
 * arch_phys_to_virt() is the identity, so pointers serve as physical
 * addresses): RSDP v1/v2 and their checksums, RSDT/XSDT lookup with bad and
 * truncated tables, and the MADT with every malformation the parser must
 * survive.  Tables live in heap buffers of their exact size so ASan catches
 * any read past a table's end.
 */
#include "arch/x86/acpi_tables.h"
#include "tests/host/harness.h"
#include "tests/host/test_capture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static unsigned long expected_msgs;

static void put32(u8 *p, u32 v)
{
	memcpy(p, &v, 4);
}

static void put64(u8 *p, u64 v)
{
	memcpy(p, &v, 8);
}

static u64 pa(const void *p)
{
	return (u64)(uintptr_t)p;
}

static void fix_checksum(u8 *t, size_t len, size_t at)
{
	t[at] = 0;
	t[at] = (u8)(0x100 - acpi_checksum(t, len));
}

/* A table with a header, @len bytes in all, checksummed. */
static u8 *make_table(const char *sig, u32 len, u8 rev)
{
	u8 *t = calloc(1, len);

	if (!t)
		abort();
	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = rev;
	memcpy(t + 10, "HVTEST", 6);	// NOLINT(bugprone-not-null-terminated-result): a fixed-width field, no NUL
	fix_checksum(t, len, 9);
	return t;
}

static void rsdp_build(u8 *r, u8 rev, u32 rsdt, u64 xsdt)
{
	memset(r, 0, ACPI_RSDP_V2_LEN);
	memcpy(r, "RSD PTR ", 8);	// NOLINT(bugprone-not-null-terminated-result): a fixed-width field, no NUL
	memcpy(r + 9, "HVTEST", 6);	// NOLINT(bugprone-not-null-terminated-result): a fixed-width field, no NUL
	r[15] = rev;
	put32(r + 16, rsdt);
	put32(r + 20, ACPI_RSDP_V2_LEN);
	put64(r + 24, xsdt);
	fix_checksum(r, ACPI_RSDP_V1_LEN, 8);
	fix_checksum(r, ACPI_RSDP_V2_LEN, 32);
}

/* Run @expr with console captured; @msg must appear in the output. */
#define WITH_MSG(msg, expr)						\
	do {								\
		struct capture c_;					\
		capture_begin(&c_);					\
		expr;							\
		capture_end(&c_);					\
		if (!strstr(c_.text, (msg)))				\
			test_fail(__FILE__, __LINE__, "no message \"%s\"; got:\n%s", (msg), c_.text); \
		else							\
			expected_msgs++;				\
		capture_free(&c_);					\
	} while (0)

static void test_rsdp(void)
{
	u8 r[ACPI_RSDP_V2_LEN];
	u64 root = 0;
	bool x = true;

	/* v1: RSDT */
	rsdp_build(r, 0, 0x7fe1000, 0);
	CHECK_EQ(acpi_validate_rsdp(r, ACPI_RSDP_V1_LEN, &root, &x), 0);
	CHECK(root == 0x7fe1000 && !x);
	/* v2: XSDT preferred */
	rsdp_build(r, 2, 0x7fe1000, 0x17fe2000ULL);
	CHECK_EQ(acpi_validate_rsdp(r, ACPI_RSDP_V2_LEN, &root, &x), 0);
	CHECK(root == 0x17fe2000ULL && x);
	/* v2 without an XSDT address: RSDT */
	rsdp_build(r, 2, 0x7fe1000, 0);
	CHECK_EQ(acpi_validate_rsdp(r, ACPI_RSDP_V2_LEN, &root, &x), 0);
	CHECK(root == 0x7fe1000 && !x);
	/* v2 but only a 20-byte copy: falls back to the RSDT with a warning */
	rsdp_build(r, 2, 0x7fe1000, 0x17fe2000ULL);
	WITH_MSG("using the RSDT", CHECK_EQ(acpi_validate_rsdp(r, 20, &root, &x), 0));
	CHECK(root == 0x7fe1000 && !x);

	/* errors */
	WITH_MSG("shorter than 20", CHECK_EQ(acpi_validate_rsdp(r, 19, &root, &x), -HV_EINVAL));
	WITH_MSG("RSDP missing", CHECK_EQ(acpi_validate_rsdp(NULL, 36, &root, &x), -HV_EINVAL));
	rsdp_build(r, 0, 0x1000, 0);
	r[0] = 'X';
	WITH_MSG("signature", CHECK_EQ(acpi_validate_rsdp(r, 36, &root, &x), -HV_EINVAL));
	rsdp_build(r, 0, 0x1000, 0);
	r[16] ^= 1;		/* bad checksum */
	WITH_MSG("RSDP checksum", CHECK_EQ(acpi_validate_rsdp(r, 36, &root, &x), -HV_EBADMSG));
	rsdp_build(r, 2, 0x1000, 0x2000);
	r[24] ^= 1;		/* bad extended checksum; first 20 bytes still fine */
	WITH_MSG("extended checksum",
		 CHECK_EQ(acpi_validate_rsdp(r, 36, &root, &x), -HV_EBADMSG));
	rsdp_build(r, 2, 0x1000, 0x2000);
	put32(r + 20, 1000);	/* length beyond the copy */
	fix_checksum(r, ACPI_RSDP_V1_LEN, 8);
	WITH_MSG("RSDP length 1000", CHECK_EQ(acpi_validate_rsdp(r, 36, &root, &x), -HV_EINVAL));
	rsdp_build(r, 0, 0, 0);
	WITH_MSG("neither", CHECK_EQ(acpi_validate_rsdp(r, 20, &root, &x), -HV_EINVAL));
	/* a failed validation leaves the outputs alone */
	CHECK(root == 0x7fe1000 && !x);
}

static void test_find(void)
{
	u8 *madt = make_table("APIC", 44, 3);
	u8 *fadt = make_table("FACP", 116, 6);
	u8 *bad = make_table("HPET", 56, 1);
	u8 *hpet = make_table("HPET", 56, 1);
	u8 *xsdt = make_table("XSDT", 36 + 5 * 8, 1);
	u8 *rsdt = make_table("RSDT", 36 + 3 * 4, 1);
	u8 *huge = make_table("SSDT", 36, 1);
	u8 r[ACPI_RSDP_V2_LEN];
	u64 root;
	bool x;

	bad[20] ^= 0xff;	/* bad checksum: skipped, the next HPET is found */
	put32(huge + 4, 0x7fffffff);	/* insane length: skipped without reading it */
	put64(xsdt + 36, 0);		/* null entry: skipped */
	put64(xsdt + 44, pa(fadt));
	put64(xsdt + 52, pa(bad));
	put64(xsdt + 60, pa(hpet));
	put64(xsdt + 68, pa(madt));
	fix_checksum(xsdt, 36 + 5 * 8, 9);

	rsdp_build(r, 2, 0, pa(xsdt));
	CHECK_EQ(acpi_validate_rsdp(r, sizeof(r), &root, &x), 0);
	CHECK(x && root == pa(xsdt));
	CHECK(acpi_find_table(root, x, "APIC") == (void *)madt);
	CHECK(acpi_find_table(root, x, "FACP") == (void *)fadt);
	WITH_MSG("bad checksum, skipped", CHECK(acpi_find_table(root, x, "HPET") == (void *)hpet));
	CHECK(acpi_find_table(root, x, "DMAR") == NULL);

	/* the wrong root signature, a corrupt root, a truncated root */
	WITH_MSG("expected \"RSDT\"", CHECK(acpi_find_table(root, false, "APIC") == NULL));
	xsdt[40] ^= 1;
	WITH_MSG("XSDT at", CHECK(acpi_find_table(root, true, "APIC") == NULL));
	xsdt[40] ^= 1;
	put32(xsdt + 4, 36 + 5 * 8 - 3);	/* length cuts the last entry */
	fix_checksum(xsdt, 36 + 5 * 8 - 3, 9);
	WITH_MSG("partial entry", CHECK(acpi_find_table(root, true, "APIC") == NULL));
	CHECK(acpi_find_table(root, true, "HPET") == (void *)hpet);
	put32(xsdt + 4, 20);			/* shorter than a header */
	WITH_MSG("is not sane", CHECK(acpi_find_table(root, true, "APIC") == NULL));

	/*
	 * RSDT: 32-bit entries, so its tables must sit below 4 GiB: copy them
	 * into a MAP_32BIT mapping (the last bytes of a page for the MADT, so
	 * that a read past its end faults).
	 */
	{
		u8 *low = mmap(NULL, 3 * PAGE_SIZE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
		u8 *lmadt, *lhuge, *lrsdt;

		if (low == MAP_FAILED) {
			perror("mmap MAP_32BIT");
			exit(2);
		}
		mprotect(low + 2 * PAGE_SIZE, PAGE_SIZE, PROT_NONE);
		lmadt = low + 2 * PAGE_SIZE - 44;
		lhuge = low;
		lrsdt = low + 512;
		memcpy(lmadt, madt, 44);
		memcpy(lhuge, huge, 36);
		memcpy(lrsdt, rsdt, 48);
		put32(lrsdt + 36, (u32)pa(lhuge));
		put32(lrsdt + 40, 0);
		put32(lrsdt + 44, (u32)pa(lmadt));
		fix_checksum(lrsdt, 48, 9);
		rsdp_build(r, 0, (u32)pa(lrsdt), 0);
		CHECK_EQ(acpi_validate_rsdp(r, 20, &root, &x), 0);
		CHECK(!x && root == pa(lrsdt));
		WITH_MSG("is not sane", CHECK(acpi_find_table(root, x, "SSDT") == NULL));
		CHECK(acpi_find_table(root, x, "APIC") == (void *)lmadt);
		CHECK(acpi_find_table(root, x, "FACP") == NULL);
		munmap(low, 3 * PAGE_SIZE);
	}
	free(madt);
	free(fadt);
	free(bad);
	free(hpet);
	free(xsdt);
	free(rsdt);
	free(huge);
}

/* MADT builder: entries appended to a growing buffer, then finished into an exact-size table. */
struct madt_b {
	u8 buf[8192];
	u32 len;
};

static void mb_init(struct madt_b *m, u8 rev, u32 flags)
{
	memset(m->buf, 0, sizeof(m->buf));
	memcpy(m->buf, "APIC", 4);
	m->buf[8] = rev;
	put32(m->buf + 36, 0xfee00000);
	put32(m->buf + 40, flags);
	m->len = 44;
}

static u8 *mb_entry(struct madt_b *m, u8 type, u8 len)
{
	u8 *e = m->buf + m->len;

	e[0] = type;
	e[1] = len;
	m->len += len;
	return e;
}

static void mb_lapic(struct madt_b *m, u8 uid, u8 id, u32 flags)
{
	u8 *e = mb_entry(m, 0, 8);

	e[2] = uid;
	e[3] = id;
	put32(e + 4, flags);
}

static void mb_x2apic(struct madt_b *m, u32 id, u32 uid, u32 flags)
{
	u8 *e = mb_entry(m, 9, 16);

	put32(e + 4, id);
	put32(e + 8, flags);
	put32(e + 12, uid);
}

/* Copy into an exact-size buffer with the length and checksum set. */
static u8 *mb_finish(struct madt_b *m)
{
	u8 *t = malloc(m->len);

	if (!t)
		abort();
	put32(m->buf + 4, m->len);
	fix_checksum(m->buf, m->len, 9);
	memcpy(t, m->buf, m->len);
	return t;
}

static struct madt_info info;

static void test_madt(void)
{
	struct madt_b m;
	u8 *t, *e;

	/* a typical table */
	mb_init(&m, 5, 1);
	mb_lapic(&m, 0, 0, 1);
	mb_lapic(&m, 1, 2, 1);
	mb_lapic(&m, 2, 4, 2);		/* online-capable, not enabled */
	mb_lapic(&m, 3, 6, 0);		/* unusable: skipped */
	e = mb_entry(&m, 1, 12);	/* I/O APIC */
	e[2] = 8;
	put32(e + 4, 0xfec00000);
	put32(e + 8, 0);
	e = mb_entry(&m, 2, 10);	/* ISO: IRQ0 -> GSI2 */
	e[3] = 0;
	put32(e + 4, 2);
	mb_entry(&m, 4, 6);		/* LAPIC NMI: known, ignored */
	mb_entry(&m, 0x7f, 7);		/* unknown type: skipped by length */
	mb_x2apic(&m, 300, 9, 1);
	t = mb_finish(&m);
	CHECK_EQ(acpi_parse_madt(t, m.len, &info), 0);
	CHECK_EQ(info.lapic_pa, 0xfee00000);
	CHECK(info.pcat_compat);
	CHECK_EQ(info.ncpus, 4);
	CHECK_EQ(info.ncpus_total, 4);
	CHECK_EQ(info.ncpus_enabled, 3);
	CHECK(info.cpus[0].apic_id == 0 && info.cpus[0].enabled && !info.cpus[0].x2apic);
	CHECK(info.cpus[1].apic_id == 2 && info.cpus[1].acpi_uid == 1);
	CHECK(info.cpus[2].apic_id == 4 && !info.cpus[2].enabled && info.cpus[2].online_capable);
	CHECK(info.cpus[3].apic_id == 300 && info.cpus[3].x2apic && info.cpus[3].acpi_uid == 9);
	CHECK(info.nioapics == 1 && info.ioapics[0].id == 8 && info.ioapics[0].addr == 0xfec00000);
	CHECK(info.noverrides == 1 && info.overrides[0].gsi == 2);
	CHECK_EQ(info.nunknown, 1);
	/* a truncated mapping is refused without reading past it */
	WITH_MSG("MADT length", CHECK_EQ(acpi_parse_madt(t, m.len - 1, &info), -HV_EINVAL));
	t[50] ^= 1;
	WITH_MSG("MADT checksum", CHECK_EQ(acpi_parse_madt(t, m.len, &info), -HV_EBADMSG));
	t[0] = 'X';
	WITH_MSG("not \"APIC\"", CHECK_EQ(acpi_parse_madt(t, m.len, &info), -HV_EINVAL));
	free(t);
	WITH_MSG("shorter than 44", CHECK_EQ(acpi_parse_madt("APIC", 4, &info), -HV_EINVAL));

	/* online-capable bit is reserved before MADT revision 5 */
	mb_init(&m, 3, 0);
	mb_lapic(&m, 0, 0, 1);
	mb_lapic(&m, 1, 1, 2);
	t = mb_finish(&m);
	CHECK_EQ(acpi_parse_madt(t, m.len, &info), 0);
	CHECK_EQ(info.ncpus, 1);
	CHECK(!info.pcat_compat);
	free(t);

	/* zero-length entry: walk stops, earlier entries kept */
	mb_init(&m, 5, 0);
	mb_lapic(&m, 0, 0, 1);
	mb_entry(&m, 0, 0);
	m.len += 8;
	t = mb_finish(&m);
	WITH_MSG("has length 0: walk stopped", CHECK_EQ(acpi_parse_madt(t, m.len, &info), 0));
	CHECK_EQ(info.ncpus, 1);
	free(t);

	/* entry running past the end */
	mb_init(&m, 5, 0);
	mb_lapic(&m, 0, 0, 1);
	mb_entry(&m, 0, 8);
	m.len -= 4;			/* the table ends in the middle of it */
	t = mb_finish(&m);
	WITH_MSG("runs past the table end", CHECK_EQ(acpi_parse_madt(t, m.len, &info), 0));
	CHECK_EQ(info.ncpus, 1);
	free(t);

	/* one stray byte at the end */
	mb_init(&m, 5, 0);
	mb_lapic(&m, 0, 0, 1);
	m.buf[m.len++] = 0;
	t = mb_finish(&m);
	WITH_MSG("stray byte", CHECK_EQ(acpi_parse_madt(t, m.len, &info), 0));
	CHECK_EQ(info.ncpus, 1);
	free(t);

	/* known type too short for its fields: skipped, walk continues */
	mb_init(&m, 5, 0);
	mb_entry(&m, 9, 12);		/* x2APIC needs 16 */
	mb_lapic(&m, 0, 1, 1);
	t = mb_finish(&m);
	WITH_MSG("length 12 < 16, skipped", CHECK_EQ(acpi_parse_madt(t, m.len, &info), 0));
	CHECK(info.ncpus == 1 && info.cpus[0].apic_id == 1);
	free(t);

	/* duplicates (xAPIC and x2APIC entries for one CPU) and an invalid x2APIC ID */
	mb_init(&m, 5, 0);
	mb_lapic(&m, 0, 0, 1);
	mb_x2apic(&m, 0, 0, 1);
	mb_x2apic(&m, 0xffffffff, 1, 1);
	e = mb_entry(&m, 5, 12);	/* 64-bit LAPIC address override */
	put64(e + 4, 0xfee00000ULL + 0x100000000ULL);
	t = mb_finish(&m);
	WITH_MSG("APIC ID 0 twice", CHECK_EQ(acpi_parse_madt(t, m.len, &info), 0));
	CHECK_EQ(info.ncpus, 1);
	CHECK_EQ(info.lapic_pa, 0x1fee00000ULL);
	WITH_MSG("invalid ID 0xffffffff", acpi_parse_madt(t, m.len, &info));
	free(t);

	/* more CPUs than the array: counted, not stored */
	mb_init(&m, 5, 0);
	for (u32 i = 0; i < MADT_MAX_CPUS + 20; i++)
		mb_x2apic(&m, i, i, 1);
	t = mb_finish(&m);
	WITH_MSG("more than 256 CPUs", CHECK_EQ(acpi_parse_madt(t, m.len, &info), 0));
	CHECK_EQ(info.ncpus, MADT_MAX_CPUS);
	CHECK_EQ(info.ncpus_total, MADT_MAX_CPUS + 20);
	CHECK_EQ(info.ncpus_enabled, MADT_MAX_CPUS + 20);
	CHECK_EQ(info.cpus[MADT_MAX_CPUS - 1].apic_id, MADT_MAX_CPUS - 1);
	free(t);
}

/* Random corruption of a valid MADT: never crashes or reads past the table (ASan). */
static void test_madt_fuzz(unsigned long iters)
{
	struct madt_b m;
	u64 rng = test_opts.seed;
	unsigned long ok = 0;
	struct capture c;

	mb_init(&m, 5, 1);
	for (u8 i = 0; i < 8; i++)
		mb_lapic(&m, i, i, 1);
	mb_x2apic(&m, 500, 9, 1);
	mb_entry(&m, 1, 12);
	mb_entry(&m, 2, 10);
	put32(m.buf + 4, m.len);
	capture_begin(&c);
	for (unsigned long it = 0; it < iters; it++) {
		u32 len = m.len;
		u8 *t = malloc(len);
		int n = 1 + (int)(test_rand(&rng) % 4);

		if (!t)
			abort();
		memcpy(t, m.buf, len);
		for (int k = 0; k < n; k++) {
			u64 x = test_rand(&rng);
			u32 at = 44 + (u32)(x % (len - 44));

			t[at] = (u8)(x >> 16) % 4 ? (u8)(x >> 24) : 0;
		}
		if (test_rand(&rng) & 1)
			fix_checksum(t, len, 9);
		if (acpi_parse_madt(t, len, &info) == 0) {
			ok++;
			CHECK(info.ncpus <= MADT_MAX_CPUS && info.ncpus <= info.ncpus_total);
			CHECK(info.nioapics <= MADT_MAX_IOAPICS);
		}
		free(t);
	}
	capture_end(&c);
	capture_free(&c);
	printf("madt fuzz: %lu tables, %lu accepted\n", iters, ok);
	CHECK(ok > 0 && ok < iters);
}

int main(int argc, char **argv)
{
	test_init(argc, argv, 0);
	test_rsdp();
	test_find();
	test_madt();
	test_madt_fuzz(test_opts.quick ? 20000 : 100000);
	printf("acpi: %lu expected messages seen\n", expected_msgs);
	return test_finish();
}
