// SPDX-License-Identifier: MIT
/*
 * vmx/loader/ on synthetic images in memory, loaded into buffer-backed guest
 * memory (tests/host/guest_mem_buf.h): a bzImage (relocatable and not, with an initrd), a
 * multiboot1 ELF32 kernel and an a.out-kludge one, multiboot2 ELF32,
 * ELF64 and address-tag kernels, checked byte by byte (segments, bss,
 * boot_params, the multiboot information structures, the boot state),
 * then every refusal with the words of its message.
 */
#include "boot/multiboot2.h"
#include "tests/host/guest_mem_buf.h"
#include "tests/host/harness.h"
#include "vmx/loader/linux_boot.h"
#include "vmx/loader/loader.h"

#include <stdlib.h>
#include <string.h>

/* Allocation that never returns NULL: a test without memory cannot go on. */
static void *xmalloc(size_t n)
{
	void *p = malloc(n);

	if (!p)
		abort();
	return p;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p)
		abort();
	return p;
}

static void *xrealloc(void *old, size_t n)
{
	void *p = realloc(old, n);

	if (!p)
		abort();
	return p;
}

#define FILL		0xcc		/* guest RAM before a load: bss must not keep it */
#define GIB4		(1ull << 32)

/* ---------------------------------------------------------------- guest memory */

/*
 * RAM [0, size): backed by a buffer over [0, low_size) and, for the tests
 * above 4 GiB, a second one over [high_base, high_base + high_size); writes
 * elsewhere inside RAM are counted, writes outside RAM fail and are counted.
 */
struct tmem {
	struct vm vm;			/* first: the loaders' guest memory */
	u8 *low, *high;
	u64 low_size, high_base, high_size;
};

static u8 *tmem_at(struct tmem *t, u64 gpa, u64 len)
{
	if (gpa + len <= t->low_size)
		return t->low + gpa;
	if (t->high && gpa >= t->high_base && gpa + len <= t->high_base + t->high_size)
		return t->high + (gpa - t->high_base);
	return NULL;
}

/* The guest memory callback (tests/host/guest_mem_buf.h): t->vm is the first member. */
static u8 *tmem_vm_at(struct vm *vm, u64 gpa, u64 len)
{
	return tmem_at((struct tmem *)vm, gpa, len);
}

static void tmem_init(struct tmem *t, u64 size)
{
	memset(t, 0, sizeof(*t));
	t->low_size = size;
	t->low = xmalloc(size);
	memset(t->low, FILL, size);
	t->vm = (struct vm){ .size = size, .at = tmem_vm_at };
}

/* RAM of @size (above 4 GiB) with buffers over the first 2 MiB and 1 MiB at 4 GiB. */
static void tmem_init_big(struct tmem *t, u64 size)
{
	tmem_init(t, MiB(2));
	t->vm.size = size;
	t->high_base = GIB4;
	t->high_size = MiB(1);
	t->high = xmalloc(t->high_size);
	memset(t->high, FILL, t->high_size);
}

static void tmem_free(struct tmem *t)
{
	free(t->low);
	free(t->high);
}

static u8 *G(struct tmem *t, u64 gpa)
{
	u8 *p = tmem_at(t, gpa, 1);

	CHECK(p != NULL);
	return p ? p : t->low;
}

static u32 g32(struct tmem *t, u64 gpa)
{
	u32 v;

	memcpy(&v, G(t, gpa), 4);
	return v;
}

static u64 g64(struct tmem *t, u64 gpa)
{
	u64 v;

	memcpy(&v, G(t, gpa), 8);
	return v;
}

static bool all_bytes(const u8 *p, u8 v, u64 len)
{
	for (u64 i = 0; i < len; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* ---------------------------------------------------------------- image helpers */

static void put16(u8 *p, u16 v) { memcpy(p, &v, 2); }
static void put32(u8 *p, u32 v) { memcpy(p, &v, 4); }
static void put64(u8 *p, u64 v) { memcpy(p, &v, 8); }

/* Recognisable contents: byte i of a blob with @seed. */
static void pattern(u8 *p, u64 len, u8 seed)
{
	for (u64 i = 0; i < len; i++)
		p[i] = (u8)(i * 7 + seed + (i >> 8));
}

static void req_init(struct loader_req *r, struct tmem *t, const u8 *img, u64 size,
		     const char *args)
{
	memset(r, 0, sizeof(*r));
	r->vm = &t->vm;
	r->mem_size = t->vm.size;
	r->kernel = (struct loader_blob){ .name = "kern", .data = img, .size = size,
					  .args = args };
}

/*
 * A refusal whose message contains @what, reported as a named lib/errno.h
 * value (the one req->error holds); no write went outside RAM.
 */
static void expect_refusal(struct loader_req *r, struct tmem *t, const char *what, int line)
{
	int rc = loader_load(r);

	if (rc >= 0 || rc != r->error || !strcmp(hv_strerror(rc), "unknown error") ||
	    !strstr(r->err, what))
		test_fail(__FILE__, line, "expected refusal \"%s\", got rc %d, err \"%s\"", what, rc,
			  r->err);
	if (strlen(r->err) >= sizeof(r->err) || !r->err[0])
		test_fail(__FILE__, line, "bad err string");
	CHECK_EQ(t->vm.outside, 0);
}
#define REFUSED(r, t, what) expect_refusal(r, t, what, __LINE__)

static void expect_load(struct loader_req *r, struct tmem *t, int line)
{
	int rc = loader_load(r);

	if (rc)
		test_fail(__FILE__, line, "load failed: %s", r->err);
	CHECK_EQ(t->vm.outside, 0);
}
#define LOADED(r, t) expect_load(r, t, __LINE__)

/* The GDT the loader wrote: null entries but @cs (flat 32-bit code) and @ds (flat data). */
static void check_gdt(struct tmem *t, const struct loader_req *r, u16 cs, u16 ds)
{
	CHECK_EQ(r->boot.cs, cs);
	CHECK_EQ(r->boot.ds, ds);
	CHECK_EQ(r->boot.gdt_base, LOADER_LOW_START);
	CHECK_EQ(r->boot.gdt_limit, 31);
	for (unsigned int i = 0; i < 4; i++) {
		u64 e = g64(t, LOADER_LOW_START + i * 8);

		if (i * 8 == cs)
			CHECK_EQ(e, 0x00cf9b000000ffffull);
		else if (i * 8 == ds)
			CHECK_EQ(e, 0x00cf93000000ffffull);
		else
			CHECK_EQ(e, 0);
	}
}

/* The memory map every loader reports for @mem bytes of RAM. */
struct xrange {
	u64 base, len;
	u32 type;
};

static const struct xrange *expected_map(u64 mem, unsigned int *n)
{
	static struct xrange m[3];

	m[0] = (struct xrange){ 0, 0xa0000, 1 };
	m[1] = (struct xrange){ 0xe0000, 0x20000, 2 };
	m[2] = (struct xrange){ 0x100000, mem - 0x100000, 1 };
	*n = 3;
	return m;
}

static void test_memory_map(void)
{
	struct loader_range map[LOADER_MAP_MAX];
	unsigned int n, en;
	u32 lo, up;
	const struct xrange *e = expected_map(MiB(16), &en);

	n = loader_memory_map(MiB(16), map);
	CHECK_EQ(n, en);
	for (unsigned int i = 0; i < n && i < en; i++) {
		CHECK_EQ(map[i].base, e[i].base);
		CHECK_EQ(map[i].len, e[i].len);
		CHECK_EQ(map[i].type, e[i].type);
	}
	loader_mem_kib(MiB(16), &lo, &up);
	CHECK_EQ(lo, 640);
	CHECK_EQ(up, 15 * 1024);
}

/* ---------------------------------------------------------------- bzImage */

struct bzopt {
	u16 version;
	u8 setup_sects, relocatable, loadflags;
	u32 syssize_extra;	/* added to the real syssize (truncation tests) */
	u64 pref;
	u32 init_size, cmdline_size, initrd_max;
	u16 boot_flag;
	u32 payload;		/* bytes of protected-mode code */
};

static const struct bzopt BZ_DEFAULT = {
	.version = 0x020f, .setup_sects = 3, .relocatable = 1, .loadflags = LOADFLAG_LOADED_HIGH,
	.pref = 0x1000000, .init_size = 0x200000, .cmdline_size = 2047,
	.initrd_max = 0x7fffffff, .boot_flag = 0xaa55, .payload = 0x3000,
};

#define BZ_HDR_END	0x268	/* the header's end as the jump byte says */

static u8 *make_bz(const struct bzopt *o, u64 *size)
{
	u64 setup = (u64)((o->setup_sects ? o->setup_sects : 4) + 1) * 512;
	u8 *img = xmalloc(setup + o->payload);

	pattern(img, setup + o->payload, 0x11);
	img[0x1ef] = 0x5a;			/* the sentinel: never copied */
	img[SH_SETUP_SECTS] = o->setup_sects;
	put32(img + SH_SYSSIZE, (o->payload + 15) / 16 + o->syssize_extra);
	put16(img + SH_BOOT_FLAG, o->boot_flag);
	img[SH_JUMP] = 0xeb;
	img[SH_JUMP + 1] = BZ_HDR_END - 0x202;
	put32(img + SH_HEADER, SH_HDRS_MAGIC);
	put16(img + SH_VERSION, o->version);
	img[SH_TYPE_OF_LOADER] = 0;
	img[SH_LOADFLAGS] = o->loadflags;
	put32(img + SH_CODE32_START, 0x100000);
	put32(img + SH_RAMDISK_IMAGE, 0);
	put32(img + SH_RAMDISK_SIZE, 0);
	put32(img + SH_CMD_LINE_PTR, 0);
	put32(img + SH_INITRD_ADDR_MAX, o->initrd_max);
	put32(img + SH_KERNEL_ALIGNMENT, 0x200000);
	img[SH_RELOCATABLE] = o->relocatable;
	put32(img + SH_CMDLINE_SIZE, o->cmdline_size);
	put64(img + SH_PREF_ADDRESS, o->pref);
	put32(img + SH_INIT_SIZE, o->init_size);
	*size = setup + o->payload;
	return img;
}

static const u8 test_rsdp[36] = "RSD PTR \x42HVTEST\x02\x00\x00\x0e\x00\x24\x00\x00\x00"
				 "\x40\x00\x0e\x00\x00\x00\x00\x00\x77\x00\x00\x00";

static void check_e820(const u8 *bp, u64 mem)
{
	unsigned int n;
	const struct xrange *e = expected_map(mem, &n);

	CHECK_EQ(bp[BP_E820_ENTRIES], n);
	for (unsigned int i = 0; i < n; i++) {
		const u8 *x = bp + BP_E820_TABLE + i * BP_E820_ENTRY_SIZE;
		u64 base, len;
		u32 type;

		memcpy(&base, x, 8);
		memcpy(&len, x + 8, 8);
		memcpy(&type, x + 16, 4);
		CHECK_EQ(base, e[i].base);
		CHECK_EQ(len, e[i].len);
		CHECK_EQ(type, e[i].type);
	}
	/* the rest of the table is zero */
	CHECK(all_bytes(bp + BP_E820_TABLE + n * BP_E820_ENTRY_SIZE, 0,
			LINUX_BOOT_PARAMS_SIZE - BP_E820_TABLE - n * BP_E820_ENTRY_SIZE));
}

static void check_bz(struct tmem *t, struct loader_req *r, const u8 *img, u64 size,
		     const struct bzopt *o, const char *cmdline, u64 mem)
{
	u64 setup = (u64)((o->setup_sects ? o->setup_sects : 4) + 1) * 512;
	u64 load = o->relocatable ? o->pref : 0x100000;
	const u8 *bp = G(t, LOADER_INFO_GPA);

	/* the kernel's bytes at its load address */
	CHECK(!memcmp(G(t, load), img + setup, size - setup));
	/* boot_params: the header from the image, the sentinel and the rest zero */
	for (unsigned int i = 0; i < SH_START; i++)
		if (bp[i] && !(i >= BP_ACPI_RSDP_ADDR && i < BP_ACPI_RSDP_ADDR + 8) &&
		    i != BP_E820_ENTRIES)
			test_fail(__FILE__, __LINE__, "boot_params[%#x] = %#x", i, bp[i]);
	CHECK_EQ(bp[0x1ef], 0);
	for (unsigned int i = SH_START; i < BZ_HDR_END; i++) {
		if ((i >= SH_TYPE_OF_LOADER && i < SH_TYPE_OF_LOADER + 1) ||
		    (i >= SH_CODE32_START && i < SH_RAMDISK_SIZE + 4) ||
		    (i >= SH_CMD_LINE_PTR && i < SH_CMD_LINE_PTR + 4))
			continue;
		if (bp[i] != img[i])
			test_fail(__FILE__, __LINE__, "boot_params[%#x] = %#x, image has %#x", i,
				  bp[i], img[i]);
	}
	CHECK(all_bytes(bp + BZ_HDR_END, 0, BP_E820_TABLE - BZ_HDR_END));
	CHECK_EQ(bp[SH_TYPE_OF_LOADER], TYPE_OF_LOADER_OTHER);
	CHECK_EQ(g32(t, LOADER_INFO_GPA + SH_CODE32_START), load);
	CHECK_EQ(g32(t, LOADER_INFO_GPA + SH_CMD_LINE_PTR), LOADER_INFO_GPA + 0x1000);
	CHECK_EQ(g32(t, LOADER_INFO_GPA + BP_EXT_CMD_LINE_PTR), 0);
	CHECK(!strcmp((const char *)G(t, LOADER_INFO_GPA + 0x1000), cmdline));
	check_e820(bp, mem);
	/* boot state */
	CHECK_EQ(r->boot.eip, load);
	CHECK_EQ(r->boot.esi, LOADER_INFO_GPA);
	CHECK_EQ(r->boot.eax, 0);
	CHECK_EQ(r->boot.ebx, 0);
	check_gdt(t, r, LINUX_BOOT_CS, LINUX_BOOT_DS);
	CHECK_EQ(r->kernel_start, MIN(load, o->pref));
	CHECK_EQ(r->kernel_end, o->pref + o->init_size);
	CHECK(strstr(r->format, "bzImage, boot protocol 2.") != NULL);
}

static void test_bzimage(void)
{
	static const char cmdline[] = "console=ttyS0 root=/dev/ram0 quiet";
	struct bzopt o = BZ_DEFAULT;
	struct loader_req r;
	struct tmem t;
	u64 size, rd_at, mem = MiB(32);
	u8 *img = make_bz(&o, &size), rd[5000];

	/* relocatable, initrd, RSDP (protocol 2.15) */
	pattern(rd, sizeof(rd), 0x99);
	tmem_init(&t, mem);
	req_init(&r, &t, img, size, cmdline);
	r.initrd = (struct loader_blob){ .name = "rd", .data = rd, .size = sizeof(rd), .args = "" };
	r.rsdp_gpa = 0xe0000;
	r.rsdp = test_rsdp;
	LOADED(&r, &t);
	check_bz(&t, &r, img, size, &o, cmdline, mem);
	CHECK(strstr(r.format, "2.15, relocatable") != NULL);
	rd_at = g32(&t, LOADER_INFO_GPA + SH_RAMDISK_IMAGE);
	CHECK_EQ(rd_at, (mem - sizeof(rd)) & PAGE_MASK);
	CHECK_EQ(g32(&t, LOADER_INFO_GPA + SH_RAMDISK_SIZE), sizeof(rd));
	CHECK_EQ(g32(&t, LOADER_INFO_GPA + BP_EXT_RAMDISK_IMAGE), 0);
	CHECK_EQ(g32(&t, LOADER_INFO_GPA + BP_EXT_RAMDISK_SIZE), 0);
	CHECK(!memcmp(G(&t, rd_at), rd, sizeof(rd)));
	CHECK_EQ(g64(&t, LOADER_INFO_GPA + BP_ACPI_RSDP_ADDR), 0xe0000);
	tmem_free(&t);

	/* the initrd below initrd_addr_max + 1, above the run area */
	o.initrd_max = 0x17fffff;
	free(img);
	img = make_bz(&o, &size);
	tmem_init(&t, mem);
	req_init(&r, &t, img, size, "");
	r.initrd = (struct loader_blob){ .name = "rd", .data = rd, .size = sizeof(rd), .args = "" };
	LOADED(&r, &t);
	rd_at = g32(&t, LOADER_INFO_GPA + SH_RAMDISK_IMAGE);
	CHECK_EQ(rd_at, (0x1800000 - sizeof(rd)) & PAGE_MASK);
	CHECK(rd_at >= o.pref + o.init_size);
	CHECK(rd_at + sizeof(rd) <= 0x1800000);
	CHECK(!memcmp(G(&t, rd_at), rd, sizeof(rd)));
	/* no RSDP given: 0 */
	CHECK_EQ(g64(&t, LOADER_INFO_GPA + BP_ACPI_RSDP_ADDR), 0);
	check_bz(&t, &r, img, size, &o, "", mem);
	tmem_free(&t);

	/* not relocatable: loaded at 1 MiB; protocol 2.10 has no acpi_rsdp_addr */
	o = BZ_DEFAULT;
	o.relocatable = 0;
	o.version = 0x020a;
	o.setup_sects = 0;		/* means 4 */
	free(img);
	img = make_bz(&o, &size);
	tmem_init(&t, mem);
	req_init(&r, &t, img, size, "x");
	r.rsdp_gpa = 0xe0000;
	r.rsdp = test_rsdp;
	LOADED(&r, &t);
	check_bz(&t, &r, img, size, &o, "x", mem);
	CHECK_EQ(g64(&t, LOADER_INFO_GPA + BP_ACPI_RSDP_ADDR), 0);
	CHECK_EQ(g32(&t, LOADER_INFO_GPA + SH_RAMDISK_IMAGE), 0);
	CHECK(strstr(r.format, "2.10") && !strstr(r.format, "relocatable"));
	tmem_free(&t);

	/* a command line of exactly cmdline_size bytes fits */
	o = BZ_DEFAULT;
	o.cmdline_size = 10;
	free(img);
	img = make_bz(&o, &size);
	tmem_init(&t, mem);
	req_init(&r, &t, img, size, "0123456789");
	LOADED(&r, &t);
	check_bz(&t, &r, img, size, &o, "0123456789", mem);
	tmem_free(&t);
	free(img);
}

static void bz_refused(const struct bzopt *o, u64 cut, u64 mem, const char *cmdline,
		       u64 rd_size, const char *what, int line)
{
	struct loader_req r;
	struct tmem t;
	u64 size;
	u8 *img = make_bz(o, &size), *rd = NULL;

	if (cut)
		size = cut;
	tmem_init(&t, mem);
	req_init(&r, &t, img, size, cmdline);
	if (rd_size) {
		rd = xcalloc(1, rd_size);
		r.initrd = (struct loader_blob){ .name = "rd", .data = rd, .size = rd_size,
						 .args = "" };
	}
	expect_refusal(&r, &t, what, line);
	tmem_free(&t);
	free(rd);
	free(img);
}

/* A bzImage takes one initrd=, never multiboot modules. */
static void bz_refuses_mods(void)
{
	static const u8 mod[16];
	struct loader_req r;
	struct tmem t;
	u64 size;
	u8 *img = make_bz(&BZ_DEFAULT, &size);

	tmem_init(&t, MiB(32));
	req_init(&r, &t, img, size, "");
	r.mods[0] = (struct loader_blob){ .name = "m", .data = mod, .size = sizeof(mod),
					  .args = "m" };
	r.nmods = 1;
	expect_refusal(&r, &t, "mods= is for multiboot kernels", __LINE__);
	tmem_free(&t);
	free(img);
}

static void test_bzimage_refusals(void)
{
	struct bzopt o = BZ_DEFAULT;
	char longline[64];

	bz_refuses_mods();

	bz_refused(&o, 0x280, MiB(32), "", 0, "bzImage truncated: 640 bytes, less than", __LINE__);
	bz_refused(&o, 4096, MiB(32), "", 0, "bzImage truncated: 4096 bytes, but its header says "
		   "2048 (setup) + 12288 (kernel)", __LINE__);
	o.syssize_extra = 1;
	bz_refused(&o, 0, MiB(32), "", 0, "bzImage truncated", __LINE__);
	o = BZ_DEFAULT;
	o.boot_flag = 0x55aa;
	bz_refused(&o, 0, MiB(32), "", 0, "bad bzImage: boot flag 0x55aa, not 0xaa55", __LINE__);
	o = BZ_DEFAULT;
	o.version = 0x0209;
	bz_refused(&o, 0, MiB(32), "", 0, "boot protocol 2.09 is older than 2.10", __LINE__);
	o = BZ_DEFAULT;
	o.loadflags = 0;
	bz_refused(&o, 0, MiB(32), "", 0, "a zImage (loaded low), not a bzImage", __LINE__);
	o = BZ_DEFAULT;
	o.pref = 0x1000800;
	bz_refused(&o, 0, MiB(32), "", 0, "bad bzImage header: pref_address", __LINE__);
	o = BZ_DEFAULT;
	o.init_size = 0x1000;
	bz_refused(&o, 0, MiB(32), "", 0, "bad bzImage header", __LINE__);
	/* too big for mem: the run area ends past RAM */
	o = BZ_DEFAULT;
	o.init_size = 0x1000000;
	bz_refused(&o, 0, MiB(24), "", 0, "the kernel needs memory up to 0x2000000, more than the "
		   "VM's 24 MiB: give it more mem=", __LINE__);
	/* the initrd does not fit: its limit below the run area's end, or RAM too small */
	o = BZ_DEFAULT;
	o.initrd_max = 0x11fffff;
	bz_refused(&o, 0, MiB(32), "", 5000, "initrd \"rd\" of 5000 bytes does not fit between",
		   __LINE__);
	o = BZ_DEFAULT;
	bz_refused(&o, 0, MiB(20), "", MiB(3), "does not fit between the kernel's run area "
		   "(ends at 0x1200000) and 0x1400000", __LINE__);
	bz_refused(&o, 0, MiB(20), "", GIB4, "does not fit", __LINE__);
	/* command line longer than cmdline_size */
	o.cmdline_size = 9;
	bz_refused(&o, 0, MiB(32), "0123456789", 0, "command line of 10 bytes is longer than the "
		   "kernel's limit of 9", __LINE__);
	memset(longline, 'a', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	o.cmdline_size = 62;
	bz_refused(&o, 0, MiB(32), longline, 0, "command line of 63 bytes", __LINE__);

	/* an empty initrd, and an initrd with a multiboot kernel: see test_refusals() */
	o = BZ_DEFAULT;
	{
		struct loader_req r;
		struct tmem t;
		u64 size;
		u8 *img = make_bz(&o, &size), b = 0;

		tmem_init(&t, MiB(32));
		req_init(&r, &t, img, size, "");
		r.initrd = (struct loader_blob){ .name = "rd", .data = &b, .size = 0, .args = "" };
		REFUSED(&r, &t, "initrd \"rd\" is empty");
		tmem_free(&t);
		free(img);
	}
}

/* ---------------------------------------------------------------- ELF images */

struct seg {
	u32 type;
	u64 offset, vaddr, paddr, filesz, memsz;
};

/* ELF header and program headers (at 64) into @img; the caller lays out the rest. */
static void make_elf(u8 *img, bool is64, u16 machine, u64 entry, const struct seg *s,
		     unsigned int n)
{
	img[0] = 0x7f;
	img[1] = 'E';
	img[2] = 'L';
	img[3] = 'F';
	img[4] = is64 ? 2 : 1;
	img[5] = 1;
	img[6] = 1;
	memset(img + 7, 0, 9);
	put16(img + 16, 2);
	put16(img + 18, machine);
	put32(img + 20, 1);
	if (is64) {
		put64(img + 24, entry);
		put64(img + 32, 64);
		put64(img + 40, 0);
		put32(img + 48, 0);
		put16(img + 52, 64);
		put16(img + 54, 56);
		put16(img + 56, (u16)n);
	} else {
		put32(img + 24, (u32)entry);
		put32(img + 28, 64);
		put32(img + 32, 0);
		put32(img + 36, 0);
		put16(img + 40, 52);
		put16(img + 42, 32);
		put16(img + 44, (u16)n);
	}
	for (unsigned int i = 0; i < n; i++) {
		u8 *p = img + 64 + i * (is64 ? 56 : 32);

		put32(p, s[i].type);
		if (is64) {
			put32(p + 4, 7);
			put64(p + 8, s[i].offset);
			put64(p + 16, s[i].vaddr);
			put64(p + 24, s[i].paddr);
			put64(p + 32, s[i].filesz);
			put64(p + 40, s[i].memsz);
			put64(p + 48, 0x1000);
		} else {
			put32(p + 4, (u32)s[i].offset);
			put32(p + 8, (u32)s[i].vaddr);
			put32(p + 12, (u32)s[i].paddr);
			put32(p + 16, (u32)s[i].filesz);
			put32(p + 20, (u32)s[i].memsz);
			put32(p + 24, 7);
			put32(p + 28, 0x1000);
		}
	}
}

#define IMG_SIZE	0x3000
#define MB_HDR_OFF	0x400	/* the multiboot header's file offset in the test images */

/*
 * The test kernel: text at file 0x1000 -> 0x100000 (virtual 0xc0100000),
 * data at file 0x2000 -> 0x104000 with 0x3000 bytes of bss, a
 * non-loadable note, and the header page at file 0 (not loaded; the
 * multiboot header lies in it).
 */
static const struct seg KSEGS[] = {
	{ 1, 0x1000, 0xc0100000, 0x100000, 0x1000, 0x1000 },
	{ 4, 0x400, 0, 0, 0x40, 0x40 },		/* PT_NOTE */
	{ 1, 0x2000, 0xc0104000, 0x104000, 0x800, 0x3800 },
};
#define KENTRY_V	0xc0100010
#define KENTRY_P	0x100010
#define KEND		0x107800

static u8 *make_kernel(bool is64, struct seg *segs, unsigned int n, u64 entry)
{
	u8 *img = xmalloc(IMG_SIZE);

	pattern(img, IMG_SIZE, 0x37);
	make_elf(img, is64, is64 ? 62 : 3, entry, segs, n);
	return img;
}

static void mb1_header(u8 *h, u32 flags)
{
	put32(h, 0x1badb002);
	put32(h + 4, flags);
	put32(h + 8, (u32)-(0x1badb002u + flags));
}

/* The ELF kernel's segments in memory: file bytes, then zeros, nothing else touched. */
static void check_kernel(struct tmem *t, const u8 *img)
{
	CHECK(!memcmp(G(t, 0x100000), img + 0x1000, 0x1000));
	CHECK(all_bytes(G(t, 0x101000), FILL, 0x3000));		/* the gap */
	CHECK(!memcmp(G(t, 0x104000), img + 0x2000, 0x800));
	CHECK(all_bytes(G(t, 0x104800), 0, 0x3000));		/* bss */
	CHECK(all_bytes(G(t, KEND), FILL, 0x800));		/* up to the first module */
}

/* ---------------------------------------------------------------- multiboot1 */

static const char *const mod_strings[] = { "mod-a.txt first module", "mod-b.bin", "" };

static void set_mods(struct loader_req *r, u8 (*data)[3000], unsigned int n)
{
	static const u64 sizes[] = { 3000, 1, 2999 };

	for (unsigned int i = 0; i < n; i++) {
		pattern(data[i], 3000, (u8)(0x50 + i));
		r->mods[i] = (struct loader_blob){ .name = i ? "mod-b.bin" : "mod-a.txt",
						   .data = data[i], .size = sizes[i],
						   .args = mod_strings[i] };
	}
	r->nmods = n;
}

/* Modules page-aligned upward from the kernel's end, with their bytes. */
static void check_mod_ranges(struct tmem *t, const struct loader_req *r, const u32 *start,
			     const u32 *end, u64 kend)
{
	u64 at = ALIGN_UP(kend, PAGE_SIZE);

	for (unsigned int i = 0; i < r->nmods; i++) {
		CHECK_EQ(start[i], at);
		CHECK_EQ(end[i], at + r->mods[i].size);
		CHECK(!memcmp(G(t, start[i]), r->mods[i].data, r->mods[i].size));
		at = ALIGN_UP(at + r->mods[i].size, PAGE_SIZE);
	}
}

static void check_mb1_info(struct tmem *t, const struct loader_req *r, u64 mem,
			   const char *cmdline, u64 kend)
{
	u32 info = r->boot.ebx, mmap, mods, n;
	const struct xrange *e = expected_map(mem, &n);
	u32 start[LOADER_MAX_MODS], end[LOADER_MAX_MODS];

	CHECK_EQ(r->boot.eax, 0x2badb002);
	CHECK_EQ(info, LOADER_INFO_GPA);
	CHECK_EQ(g32(t, info), 0x1 | 0x4 | 0x8 | 0x40 | 0x200);
	CHECK_EQ(g32(t, info + 4), 640);
	CHECK_EQ(g32(t, info + 8), (mem - MiB(1)) >> 10);
	CHECK_EQ(g32(t, info + 12), 0);			/* boot_device: not given */
	CHECK(!strcmp((const char *)G(t, g32(t, info + 16)), cmdline));
	CHECK(all_bytes(G(t, info + 28), 0, 16));		/* syms */
	mmap = g32(t, info + 48);
	CHECK_EQ(g32(t, info + 44), n * 24);
	for (unsigned int i = 0; i < n; i++) {
		CHECK_EQ(g32(t, mmap + i * 24), 20);
		CHECK_EQ(g64(t, mmap + i * 24 + 4), e[i].base);
		CHECK_EQ(g64(t, mmap + i * 24 + 12), e[i].len);
		CHECK_EQ(g32(t, mmap + i * 24 + 20), e[i].type);
	}
	CHECK(all_bytes(G(t, info + 52), 0, 12));		/* drives, config, */
	CHECK(!strcmp((const char *)G(t, g32(t, info + 64)), "hv"));
	CHECK(all_bytes(G(t, info + 68), 0, 0x78 - 68));	/* APM, VBE */
	CHECK_EQ(g32(t, info + 20), r->nmods);
	mods = g32(t, info + 24);
	CHECK(mods >= LOADER_INFO_GPA && mods < LOADER_INFO_END);
	CHECK_EQ(mods % 16, 0);		/* where the loader reserved the list */
	for (unsigned int i = 0; i < r->nmods; i++) {
		start[i] = g32(t, mods + i * 16);
		end[i] = g32(t, mods + i * 16 + 4);
		CHECK(!strcmp((const char *)G(t, g32(t, mods + i * 16 + 8)), r->mods[i].args));
		CHECK_EQ(g32(t, mods + i * 16 + 12), 0);
	}
	check_mod_ranges(t, r, start, end, kend);
	/* everything the structure points to lies in the boot information area */
	CHECK(mmap >= LOADER_INFO_GPA && mmap + n * 24 <= LOADER_INFO_END);
	check_gdt(t, r, 0x08, 0x10);
}

static void test_multiboot1(void)
{
	struct seg segs[3];
	static u8 mods[3][3000];
	struct loader_req r;
	struct tmem t;
	u8 *img;

	/* ELF32 with modules */
	memcpy(segs, KSEGS, sizeof(segs));
	img = make_kernel(false, segs, 3, KENTRY_V);
	mb1_header(img + MB_HDR_OFF, 0x3);
	tmem_init(&t, MiB(8));
	req_init(&r, &t, img, IMG_SIZE, "root=/dev/null hello");
	set_mods(&r, mods, 3);
	LOADED(&r, &t);
	CHECK_EQ(r.boot.eip, KENTRY_P);
	CHECK_EQ(r.kernel_start, 0x100000);
	CHECK_EQ(r.kernel_end, KEND);
	CHECK(!strcmp(r.format, "multiboot1 ELF32"));
	check_kernel(&t, img);
	check_mb1_info(&t, &r, MiB(8), "root=/dev/null hello", KEND);
	tmem_free(&t);

	/* no modules, no command line, 2 MiB */
	tmem_init(&t, MiB(2));
	req_init(&r, &t, img, IMG_SIZE, NULL);
	LOADED(&r, &t);
	check_mb1_info(&t, &r, MiB(2), "", KEND);
	tmem_free(&t);
	free(img);

	/*
	 * The a.out kludge: header at file 0x400 says it is at 0x200400, the
	 * image from file 0 to 0x2800 at 0x200000, bss to 0x204000.
	 */
	img = xmalloc(IMG_SIZE);
	pattern(img, IMG_SIZE, 0x21);
	mb1_header(img + MB_HDR_OFF, 0x10002);
	put32(img + MB_HDR_OFF + 12, 0x200400);
	put32(img + MB_HDR_OFF + 16, 0x200000);
	put32(img + MB_HDR_OFF + 20, 0x202800);
	put32(img + MB_HDR_OFF + 24, 0x204000);
	put32(img + MB_HDR_OFF + 28, 0x200420);
	tmem_init(&t, MiB(4));
	req_init(&r, &t, img, IMG_SIZE, "aout");
	set_mods(&r, mods, 1);
	LOADED(&r, &t);
	CHECK_EQ(r.boot.eip, 0x200420);
	CHECK(!strcmp(r.format, "multiboot1 flat"));
	CHECK(!memcmp(G(&t, 0x200000), img, 0x2800));
	CHECK(all_bytes(G(&t, 0x202800), 0, 0x1800));
	CHECK_EQ(r.kernel_start, 0x200000);
	CHECK_EQ(r.kernel_end, 0x204000);
	check_mb1_info(&t, &r, MiB(4), "aout", 0x204000);
	tmem_free(&t);

	/* load_end_addr 0: to the end of the file; bss_end_addr 0: no bss */
	put32(img + MB_HDR_OFF + 20, 0);
	put32(img + MB_HDR_OFF + 24, 0);
	tmem_init(&t, MiB(4));
	req_init(&r, &t, img, IMG_SIZE, "");
	LOADED(&r, &t);
	CHECK(!memcmp(G(&t, 0x200000), img, IMG_SIZE));
	CHECK_EQ(r.kernel_end, 0x200000 + IMG_SIZE);
	tmem_free(&t);

	/* the header not at the file's start: header_addr - load_addr is its offset */
	put32(img + MB_HDR_OFF + 12, 0x200100);
	put32(img + MB_HDR_OFF + 28, 0x200000);
	tmem_init(&t, MiB(4));
	req_init(&r, &t, img, IMG_SIZE, "");
	LOADED(&r, &t);
	CHECK(!memcmp(G(&t, 0x200000), img + 0x300, IMG_SIZE - 0x300));
	tmem_free(&t);
	free(img);
}

/* ---------------------------------------------------------------- multiboot2 */

/* A multiboot2 header at @h: the tags (each padded to 8), then the end tag. */
static u32 mb2_header(u8 *h, const u8 *tags, u32 tags_len, u32 arch)
{
	u32 len = 16 + tags_len + 8;

	put32(h, MB2_HEADER_MAGIC);
	put32(h + 4, arch);
	put32(h + 8, len);
	put32(h + 12, (u32)-(MB2_HEADER_MAGIC + arch + len));
	if (tags_len)
		memcpy(h + 16, tags, tags_len);
	put16(h + 16 + tags_len, 0);
	put16(h + 18 + tags_len, 0);
	put32(h + 20 + tags_len, 8);
	return len;
}

static u32 tag_hdr(u8 *p, u16 type, u16 flags, u32 size)
{
	put16(p, type);
	put16(p + 2, flags);
	put32(p + 4, size);
	return ALIGN_UP(size, 8);
}

/* An information request for @types. */
static u32 tag_info_req(u8 *p, u16 flags, const u32 *types, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		put32(p + 8 + i * 4, types[i]);
	memset(p + 8 + n * 4, 0, 4);
	return tag_hdr(p, 1, flags, 8 + n * 4);
}

struct mb2_seen {
	const char *cmdline, *loader;
	u32 mod_start[LOADER_MAX_MODS], mod_end[LOADER_MAX_MODS];
	unsigned int nmods;
	bool meminfo, mmap, acpi_old, acpi_new, end;
};

static void check_mb2_info(struct tmem *t, const struct loader_req *r, u64 mem,
			   const char *cmdline, u64 kend, bool rsdp)
{
	u32 info = r->boot.ebx, total, at, n;
	const struct xrange *e = expected_map(mem, &n);
	struct mb2_seen s = { 0 };

	CHECK_EQ(r->boot.eax, MB2_BOOTLOADER_MAGIC);
	CHECK_EQ(info, LOADER_INFO_GPA);
	CHECK_EQ(info % 8, 0);
	total = g32(t, info);
	CHECK_EQ(g32(t, info + 4), 0);
	CHECK(total >= 16 && info + total <= LOADER_INFO_END);
	for (at = info + 8; at < info + total && !s.end;) {
		u32 type = g32(t, at), size = g32(t, at + 4);

		CHECK_EQ(at % 8, 0);
		CHECK(size >= 8 && at + size <= info + total);
		switch (type) {
		case MB2_TAG_END:
			CHECK_EQ(size, 8);
			CHECK_EQ(at + 8, info + total);
			s.end = true;
			break;
		case MB2_TAG_CMDLINE:
			s.cmdline = (const char *)G(t, at + 8);
			CHECK_EQ(size, 8 + strlen(s.cmdline) + 1);
			break;
		case MB2_TAG_LOADER_NAME:
			s.loader = (const char *)G(t, at + 8);
			CHECK_EQ(size, 8 + strlen(s.loader) + 1);
			break;
		case MB2_TAG_MODULE: {
			unsigned int i = s.nmods++;

			CHECK(i < r->nmods);
			if (i >= r->nmods)
				break;
			s.mod_start[i] = g32(t, at + 8);
			s.mod_end[i] = g32(t, at + 12);
			CHECK(!strcmp((const char *)G(t, at + 16), r->mods[i].args));
			CHECK_EQ(size, 16 + strlen(r->mods[i].args) + 1);
			break;
		}
		case MB2_TAG_BASIC_MEMINFO:
			s.meminfo = true;
			CHECK_EQ(size, 16);
			CHECK_EQ(g32(t, at + 8), 640);
			CHECK_EQ(g32(t, at + 12), (mem - MiB(1)) >> 10);
			break;
		case MB2_TAG_MMAP:
			s.mmap = true;
			CHECK_EQ(size, 16 + n * 24);
			CHECK_EQ(g32(t, at + 8), 24);
			CHECK_EQ(g32(t, at + 12), 0);
			for (unsigned int i = 0; i < n; i++) {
				u32 x = at + 16 + i * 24;

				CHECK_EQ(g64(t, x), e[i].base);
				CHECK_EQ(g64(t, x + 8), e[i].len);
				CHECK_EQ(g32(t, x + 16), e[i].type);
				CHECK_EQ(g32(t, x + 20), 0);
			}
			break;
		case MB2_TAG_ACPI_OLD:
			s.acpi_old = true;
			CHECK_EQ(size, 8 + 20);
			CHECK(!memcmp(G(t, at + 8), test_rsdp, 20));
			break;
		case MB2_TAG_ACPI_NEW:
			s.acpi_new = true;
			CHECK_EQ(size, 8 + 36);
			CHECK(!memcmp(G(t, at + 8), test_rsdp, 36));
			break;
		default:
			test_fail(__FILE__, __LINE__, "unexpected tag %u", type);
			break;
		}
		at += ALIGN_UP(size, 8);
	}
	CHECK(s.end);
	CHECK(s.cmdline && !strcmp(s.cmdline, cmdline));
	CHECK(s.loader && !strcmp(s.loader, "hv"));
	CHECK(s.meminfo && s.mmap);
	CHECK_EQ(s.acpi_old, rsdp);
	CHECK_EQ(s.acpi_new, rsdp);
	CHECK_EQ(s.nmods, r->nmods);
	check_mod_ranges(t, r, s.mod_start, s.mod_end, kend);
	check_gdt(t, r, 0x08, 0x10);
}

static void test_multiboot2(void)
{
	static const u32 wanted[] = { MB2_TAG_CMDLINE, MB2_TAG_MODULE, MB2_TAG_BASIC_MEMINFO,
				      MB2_TAG_MMAP, MB2_TAG_ACPI_NEW };
	static const u32 optional[] = { MB2_TAG_FRAMEBUFFER, MB2_TAG_ELF_SECTIONS };
	static u8 mods[3][3000];
	struct seg segs[3];
	struct loader_req r;
	struct tmem t;
	u8 tags[256] = { 0 }, *img;
	u32 tl;

	/* ELF32: an information request, an optional one hv cannot meet, known tags */
	memcpy(segs, KSEGS, sizeof(segs));
	img = make_kernel(false, segs, 3, KENTRY_V);
	tl = tag_info_req(tags, 0, wanted, 5);
	tl += tag_info_req(tags + tl, 1, optional, 2);
	tl += tag_hdr(tags + tl, 4, 0, 12);		/* console flags 0 */
	tl += tag_hdr(tags + tl, 6, 0, 8);		/* module alignment */
	tl += tag_hdr(tags + tl, 99, 1, 12);		/* unknown but optional */
	mb2_header(img + MB_HDR_OFF, tags, tl, 0);
	tmem_init(&t, MiB(16));
	req_init(&r, &t, img, IMG_SIZE, "mb2 kernel args");
	set_mods(&r, mods, 3);
	r.rsdp_gpa = 0xe0000;
	r.rsdp = test_rsdp;
	LOADED(&r, &t);
	CHECK_EQ(r.boot.eip, KENTRY_P);
	CHECK(!strcmp(r.format, "multiboot2 ELF32"));
	check_kernel(&t, img);
	check_mb2_info(&t, &r, MiB(16), "mb2 kernel args", KEND, true);
	tmem_free(&t);

	/* an entry tag overrides the ELF entry */
	tl = tag_hdr(tags, 3, 0, 12);
	put32(tags + 8, 0x104100);
	mb2_header(img + MB_HDR_OFF, tags, tl, 0);
	tmem_init(&t, MiB(16));
	req_init(&r, &t, img, IMG_SIZE, "");
	LOADED(&r, &t);
	CHECK_EQ(r.boot.eip, 0x104100);
	check_mb2_info(&t, &r, MiB(16), "", KEND, false);
	tmem_free(&t);
	free(img);

	/* ELF64, segments below 4 GiB */
	memcpy(segs, KSEGS, sizeof(segs));
	img = make_kernel(true, segs, 3, 0xffffffffc0100010ull);
	segs[0].vaddr = 0xffffffffc0100000ull;
	segs[2].vaddr = 0xffffffffc0104000ull;
	make_elf(img, true, 62, 0xffffffffc0100010ull, segs, 3);
	mb2_header(img + MB_HDR_OFF, tags, 0, 0);
	tmem_init(&t, MiB(16));
	req_init(&r, &t, img, IMG_SIZE, "elf64");
	set_mods(&r, mods, 2);
	r.rsdp_gpa = 0xe0000;
	r.rsdp = test_rsdp;
	LOADED(&r, &t);
	CHECK_EQ(r.boot.eip, KENTRY_P);
	CHECK(!strcmp(r.format, "multiboot2 ELF64"));
	check_kernel(&t, img);
	check_mb2_info(&t, &r, MiB(16), "elf64", KEND, true);
	tmem_free(&t);
	free(img);

	/* the address tag: header at file 0x400 = 0x300400, image from file 0, bss to 0x305000 */
	img = xmalloc(IMG_SIZE);
	pattern(img, IMG_SIZE, 0x44);
	tl = tag_hdr(tags, 2, 0, 24);
	put32(tags + 8, 0x300400);
	put32(tags + 12, 0x300000);
	put32(tags + 16, 0x302000);
	put32(tags + 20, 0x305000);
	tl += tag_hdr(tags + tl, 3, 0, 12);
	put32(tags + 32, 0x301234);
	put32(tags + 36, 0);				/* padding */
	mb2_header(img + MB_HDR_OFF, tags, tl, 0);
	tmem_init(&t, MiB(8));
	req_init(&r, &t, img, IMG_SIZE, "flat");
	set_mods(&r, mods, 1);
	LOADED(&r, &t);
	CHECK_EQ(r.boot.eip, 0x301234);
	CHECK(!strcmp(r.format, "multiboot2 flat"));
	CHECK(!memcmp(G(&t, 0x300000), img, 0x2000));
	CHECK(all_bytes(G(&t, 0x302000), 0, 0x3000));
	check_mb2_info(&t, &r, MiB(8), "flat", 0x305000, false);
	tmem_free(&t);
	free(img);
}

/* ---------------------------------------------------------------- refusals */

/* Refused with @what, on 16 MiB of RAM. */
static void refused_img(const u8 *img, u64 size, unsigned int nmods, const char *what,
			int line)
{
	static u8 mods[3][3000];
	struct loader_req r;
	struct tmem t;

	tmem_init(&t, MiB(16));
	req_init(&r, &t, img, size, "");
	if (nmods)
		set_mods(&r, mods, nmods);
	expect_refusal(&r, &t, what, line);
	tmem_free(&t);
}

/* A multiboot1 ELF kernel from @segs with @entry, refused with @what. */
static void elf_refused(bool is64, const struct seg *segs, unsigned int n, u64 entry,
			const char *what, int line)
{
	u8 *img = xmalloc(IMG_SIZE);

	pattern(img, IMG_SIZE, 0x37);
	make_elf(img, is64, is64 ? 62 : 3, entry, segs, n);
	mb1_header(img + MB_HDR_OFF, 0x3);
	refused_img(img, IMG_SIZE, 0, what, line);
	free(img);
}

static void test_elf_refusals(void)
{
	struct seg s[3];
	u8 *img;

	memcpy(s, KSEGS, sizeof(s));
	img = make_kernel(false, s, 3, KENTRY_V);
	mb1_header(img + MB_HDR_OFF, 0x3);
	img[0] = 0x7e;
	refused_img(img, IMG_SIZE, 0, "not an ELF image (bad magic)", __LINE__);
	img[0] = 0x7f;
	img[4] = 3;
	refused_img(img, IMG_SIZE, 0, "bad ELF identification (class 3, data 1, version 1)",
		    __LINE__);
	img[4] = 1;
	img[5] = 2;
	refused_img(img, IMG_SIZE, 0, "bad ELF identification (class 1, data 2", __LINE__);
	img[5] = 1;
	put16(img + 18, 62);
	refused_img(img, IMG_SIZE, 0, "not an x86 ELF executable (type 2, machine 62)", __LINE__);
	put16(img + 18, 3);
	put16(img + 16, 3);
	refused_img(img, IMG_SIZE, 0, "not an x86 ELF executable (type 3", __LINE__);
	put16(img + 16, 2);
	/* program headers past the end, too small, none */
	put32(img + 28, IMG_SIZE - 64);
	refused_img(img, IMG_SIZE, 0, "ELF program headers truncated or malformed", __LINE__);
	put32(img + 28, 64);
	put16(img + 42, 16);
	refused_img(img, IMG_SIZE, 0, "program headers truncated", __LINE__);
	put16(img + 42, 32);
	put16(img + 44, 0);
	refused_img(img, IMG_SIZE, 0, "program headers truncated", __LINE__);
	put16(img + 44, 3);
	/* files cut inside the ELF header (the multiboot1 header in its last bytes) */
	mb1_header(img + 36, 0x3);
	refused_img(img, 48, 0, "not an ELF image (bad magic)", __LINE__);
	free(img);
	img = make_kernel(true, s, 3, KENTRY_V);
	mb1_header(img + 48, 0x3);
	refused_img(img, 60, 0, "ELF64 image truncated inside its header", __LINE__);
	free(img);

	/* segment beyond the file; filesz > memsz */
	memcpy(s, KSEGS, sizeof(s));
	s[2].filesz = 0x1001;
	elf_refused(false, s, 3, KENTRY_V, "ELF segment 2 truncated: 0x1001 bytes at file offset "
		    "0x2000 of a 0x3000-byte image", __LINE__);
	memcpy(s, KSEGS, sizeof(s));
	s[0].offset = 0x4000;
	elf_refused(false, s, 3, KENTRY_V, "ELF segment 0 truncated", __LINE__);
	memcpy(s, KSEGS, sizeof(s));
	s[2].memsz = 0x100;
	elf_refused(false, s, 3, KENTRY_V, "ELF segment 2 truncated", __LINE__);
	/* overlapping segments */
	memcpy(s, KSEGS, sizeof(s));
	s[2].paddr = 0x100800;
	elf_refused(false, s, 3, KENTRY_V, "ELF segments overlap at [0x100800, 0x101000)",
		    __LINE__);
	/* the boot information area, the firmware area, beyond RAM, wrapping */
	memcpy(s, KSEGS, sizeof(s));
	s[0].paddr = 0x1f000;
	elf_refused(false, s, 3, 0xc0100010, "ELF segment 0 [0x1f000, 0x20000) overlaps the boot "
		    "information at [0x7000, 0x20000)", __LINE__);
	s[0].paddr = 0x6800;
	elf_refused(false, s, 3, 0xc0100010, "overlaps the boot information", __LINE__);
	s[0].paddr = 0x9f800;
	elf_refused(false, s, 3, 0xc0100010, "ELF segment 0 [0x9f800, 0xa0800) overlaps the "
		    "firmware area at [0xa0000, 0x100000)", __LINE__);
	s[0].paddr = 0xff800;
	elf_refused(false, s, 3, 0xc0100010, "overlaps the firmware area", __LINE__);
	s[0].paddr = 0xfff800;
	elf_refused(false, s, 3, 0xc0100010, "ELF segment 0 [0xfff800, 0x1000800) does not fit "
		    "in the VM's 16 MiB", __LINE__);
	memcpy(s, KSEGS, sizeof(s));
	s[0].paddr = 0xfffffffffffff000ull;
	elf_refused(true, s, 3, 0xc0100010, "does not fit in the VM's 16 MiB", __LINE__);
	/* no loadable segment; entry outside */
	memcpy(s, KSEGS, sizeof(s));
	s[0].type = 6;
	s[2].type = 6;
	elf_refused(false, s, 3, KENTRY_V, "ELF image without a loadable segment", __LINE__);
	memcpy(s, KSEGS, sizeof(s));
	elf_refused(false, s, 3, 0xc0107800, "entry 0xc0107800 outside the image's segments",
		    __LINE__);
	elf_refused(false, s, 3, 0x100010, "outside the image's segments", __LINE__);

	/* entry above 4 GiB (ELF64, RAM above 4 GiB) */
	{
		struct loader_req r;
		struct tmem t;

		memcpy(s, KSEGS, sizeof(s));
		s[0].paddr = GIB4;
		s[0].vaddr = GIB4;
		img = xmalloc(IMG_SIZE);
		pattern(img, IMG_SIZE, 0x37);
		make_elf(img, true, 62, GIB4 + 0x10, s, 3);
		mb2_header(img + MB_HDR_OFF, NULL, 0, 0);
		tmem_init_big(&t, GIB4 + MiB(1));
		req_init(&r, &t, img, IMG_SIZE, "");
		REFUSED(&r, &t, "entry 0x100000010 above 4 GiB: multiboot enters in 32-bit mode");
		CHECK_EQ(r.error, -HV_ENOTSUP);
		/* the segment went where it says, nothing untracked */
		CHECK(!memcmp(G(&t, GIB4), img + 0x1000, 0x1000));
		CHECK_EQ(t.vm.untracked, 0);
		/* and a module above 4 GiB is refused before that */
		{
			static u8 mods[3][3000];

			set_mods(&r, mods, 1);
			REFUSED(&r, &t, "module \"mod-a.txt\" does not fit below 4 GiB");
			CHECK_EQ(r.error, -HV_ERANGE);
		}
		tmem_free(&t);
		free(img);
	}
}

static void test_mb1_refusals(void)
{
	struct seg s[3];
	u8 *img;

	memcpy(s, KSEGS, sizeof(s));
	img = make_kernel(false, s, 3, KENTRY_V);
	mb1_header(img + MB_HDR_OFF, 0x8 | 0x3);
	refused_img(img, IMG_SIZE, 0, "multiboot1 header requires flags 0x8 that hv does not know",
		    __LINE__);
	mb1_header(img + MB_HDR_OFF, 0x8000 | 0x10 | 0x4);
	refused_img(img, IMG_SIZE, 0, "requires flags 0x8010", __LINE__);
	/* optional flags (16-31) other than 16 are ignored */
	mb1_header(img + MB_HDR_OFF, 0x40000 | 0x7);
	{
		struct loader_req r;
		struct tmem t;

		tmem_init(&t, MiB(4));
		req_init(&r, &t, img, IMG_SIZE, "");
		LOADED(&r, &t);
		tmem_free(&t);
	}
	/* the header beyond the first 8 KiB is not found */
	memset(img + MB_HDR_OFF, 0, 12);
	img = xrealloc(img, 0x4000);
	pattern(img + IMG_SIZE, 0x1000, 0);
	mb1_header(img + 0x2000, 0x3);
	refused_img(img, 0x4000, 0, "no multiboot1 or multiboot2 header", __LINE__);
	/* a bad checksum is no header */
	mb1_header(img + 0x1ff0, 0x3);
	put32(img + 0x1ff8, 0);
	refused_img(img, 0x4000, 0, "not a bzImage (no \"HdrS\" at 0x202)", __LINE__);
	memset(img + 0x1ff0, 0, 12);
	/* the a.out kludge: a header cut off, bad address fields, entry outside */
	mb1_header(img + 0x1ff4, 0x10000);
	refused_img(img, 0x2000, 0, "multiboot1 header truncated", __LINE__);
	memset(img + 0x1ff4, 0, 12);
	mb1_header(img + MB_HDR_OFF, 0x10000);
	put32(img + MB_HDR_OFF + 12, 0x200400);
	put32(img + MB_HDR_OFF + 16, 0x200000);
	put32(img + MB_HDR_OFF + 20, 0x202000);
	put32(img + MB_HDR_OFF + 24, 0x203000);
	put32(img + MB_HDR_OFF + 28, 0x203000);
	refused_img(img, IMG_SIZE, 0, "entry 0x203000 outside the image [0x200000, 0x203000)",
		    __LINE__);
	put32(img + MB_HDR_OFF + 28, 0x1fffff);
	refused_img(img, IMG_SIZE, 0, "entry 0x1fffff outside the image", __LINE__);
	put32(img + MB_HDR_OFF + 28, 0x200000);
	put32(img + MB_HDR_OFF + 12, 0x1fffff);
	refused_img(img, IMG_SIZE, 0, "bad multiboot address fields: header_addr 0x1fffff",
		    __LINE__);
	put32(img + MB_HDR_OFF + 12, 0x200800);
	refused_img(img, IMG_SIZE, 0, "bad multiboot address fields: header_addr 0x200800",
		    __LINE__);
	put32(img + MB_HDR_OFF + 12, 0x200400);
	put32(img + MB_HDR_OFF + 20, 0x200000);
	refused_img(img, IMG_SIZE, 0, "load_end_addr 0x200000 is not above load_addr", __LINE__);
	put32(img + MB_HDR_OFF + 20, 0x205000);
	refused_img(img, IMG_SIZE, 0, "image truncated: its header asks for 0x5000 bytes",
		    __LINE__);
	put32(img + MB_HDR_OFF + 20, 0x202000);
	put32(img + MB_HDR_OFF + 24, 0x201000);
	refused_img(img, IMG_SIZE, 0, "bss_end_addr 0x201000 below the end of the image",
		    __LINE__);
	/* too big for mem: bss to 17 MiB */
	put32(img + MB_HDR_OFF + 24, 0x1100000);
	refused_img(img, IMG_SIZE, 0, "the kernel [0x200000, 0x1100000) does not fit in the VM's "
		    "16 MiB", __LINE__);
	put32(img + MB_HDR_OFF + 16, 0x9f000);
	put32(img + MB_HDR_OFF + 12, 0x9f400);
	put32(img + MB_HDR_OFF + 20, 0xa1000);
	put32(img + MB_HDR_OFF + 24, 0);
	refused_img(img, IMG_SIZE, 0, "the kernel [0x9f000, 0xa1000) overlaps the firmware area",
		    __LINE__);
	free(img);
}

static void test_mb2_refusals(void)
{
	static const u32 fb[] = { MB2_TAG_CMDLINE, MB2_TAG_FRAMEBUFFER };
	struct seg s[3];
	u8 tags[128] = { 0 }, *img;
	u32 tl;

	memcpy(s, KSEGS, sizeof(s));
	img = make_kernel(false, s, 3, KENTRY_V);
	mb2_header(img + MB_HDR_OFF, NULL, 0, 4);
	refused_img(img, IMG_SIZE, 0, "multiboot2 header for architecture 4, not i386", __LINE__);
	/* header length: too short, past the image */
	{
		u8 *h = img + MB_HDR_OFF;

		mb2_header(h, NULL, 0, 0);
		put32(h + 8, 16);
		put32(h + 12, (u32)-(MB2_HEADER_MAGIC + 16));
		refused_img(img, IMG_SIZE, 0, "multiboot2 header length 16 runs past the image",
			    __LINE__);
		put32(h + 8, 0x10000);
		put32(h + 12, (u32)-(MB2_HEADER_MAGIC + 0x10000));
		refused_img(img, IMG_SIZE, 0, "multiboot2 header length 65536", __LINE__);
		/* no end tag inside the length; a tag of bad size */
		tl = tag_hdr(tags, 6, 0, 8);
		mb2_header(h, tags, tl, 0);
		put32(h + 16 + 8 + 4, 0);		/* the end tag's size: 0 */
		refused_img(img, IMG_SIZE, 0, "multiboot2 header tag 0 at offset 0x18 has bad size 0",
			    __LINE__);
		put32(h + 16 + 4, 4096);
		refused_img(img, IMG_SIZE, 0, "tag 6 at offset 0x10 has bad size 4096", __LINE__);
		mb2_header(h, tags, tl, 0);
		put32(h + 8, 24);
		put32(h + 12, (u32)-(MB2_HEADER_MAGIC + 24));
		refused_img(img, IMG_SIZE, 0, "multiboot2 header has no end tag", __LINE__);
	}
	/* an unknown required tag; a required information request hv does not give */
	tl = tag_hdr(tags, 42, 0, 8);
	mb2_header(img + MB_HDR_OFF, tags, tl, 0);
	refused_img(img, IMG_SIZE, 0, "multiboot2 header requires tag type 42, which hv does not "
		    "know", __LINE__);
	tl = tag_info_req(tags, 0, fb, 2);
	mb2_header(img + MB_HDR_OFF, tags, tl, 0);
	refused_img(img, IMG_SIZE, 0, "the kernel requires boot information tag 8, which hv does "
		    "not give", __LINE__);
	/* short address and entry tags; an address tag without an entry tag */
	tl = tag_hdr(tags, 2, 0, 16);
	mb2_header(img + MB_HDR_OFF, tags, tl, 0);
	refused_img(img, IMG_SIZE, 0, "multiboot2 address tag too short", __LINE__);
	tl = tag_hdr(tags, 3, 0, 8);
	mb2_header(img + MB_HDR_OFF, tags, tl, 0);
	refused_img(img, IMG_SIZE, 0, "multiboot2 entry tag too short", __LINE__);
	tl = tag_hdr(tags, 2, 0, 24);
	put32(tags + 8, 0x200400);
	put32(tags + 12, 0x200000);
	put32(tags + 16, 0);
	put32(tags + 20, 0);
	mb2_header(img + MB_HDR_OFF, tags, tl, 0);
	refused_img(img, IMG_SIZE, 0, "multiboot2 address tag without an entry tag", __LINE__);
	/* an entry tag outside the ELF image */
	tl = tag_hdr(tags, 3, 0, 12);
	put32(tags + 8, KEND);
	mb2_header(img + MB_HDR_OFF, tags, tl, 0);
	refused_img(img, IMG_SIZE, 0, "entry tag 0x107800 outside the image [0x100000, 0x107800)",
		    __LINE__);
	/* the header must be 8-aligned: at 0x404 it is not found */
	memset(img + MB_HDR_OFF, 0, 64);
	mb2_header(img + MB_HDR_OFF + 4, NULL, 0, 0);
	refused_img(img, IMG_SIZE, 0, "no multiboot1 or multiboot2 header", __LINE__);
	free(img);
}

static void test_refusals(void)
{
	struct seg s[3];
	struct loader_req r;
	struct tmem t;
	static const u8 bigmods[LOADER_MAX_MODS][3000];
	static char longarg[0x4000];
	u8 *img, junk[512], rd[16] = { 0 };

	/* empty, absent, unknown */
	tmem_init(&t, MiB(4));
	req_init(&r, &t, junk, 0, "");
	REFUSED(&r, &t, "the image is empty");
	req_init(&r, &t, NULL, 100, "");
	REFUSED(&r, &t, "the image is empty");
	CHECK_EQ(r.error, -HV_EINVAL);
	memset(junk, 0x90, sizeof(junk));
	req_init(&r, &t, junk, sizeof(junk), "");
	REFUSED(&r, &t, "not a bzImage (no \"HdrS\" at 0x202) and no multiboot1 or multiboot2 "
		"header in its first 32 KiB (use mod= for a flat image)");
	req_init(&r, &t, junk, 1, "");
	REFUSED(&r, &t, "not a bzImage");
	CHECK_EQ(r.error, -HV_ENOEXEC);

	/* an initrd with a multiboot kernel */
	memcpy(s, KSEGS, sizeof(s));
	img = make_kernel(false, s, 3, KENTRY_V);
	mb1_header(img + MB_HDR_OFF, 0x3);
	req_init(&r, &t, img, IMG_SIZE, "");
	r.initrd = (struct loader_blob){ .name = "rd", .data = rd, .size = sizeof(rd), .args = "" };
	REFUSED(&r, &t, "initrd= is for Linux bzImages; this is not one");

	/* too many modules */
	req_init(&r, &t, img, IMG_SIZE, "");
	r.nmods = LOADER_MAX_MODS + 1;
	REFUSED(&r, &t, "more than 8 modules");

	/* all 8 modules fit */
	req_init(&r, &t, img, IMG_SIZE, "");
	for (unsigned int i = 0; i < LOADER_MAX_MODS; i++)
		r.mods[i] = (struct loader_blob){ .name = "m", .data = bigmods[i], .size = 3000,
						  .args = "m arg" };
	r.nmods = LOADER_MAX_MODS;
	LOADED(&r, &t);
	CHECK_EQ(g32(&t, r.boot.ebx + 20), LOADER_MAX_MODS);

	/* modules that do not fit in RAM */
	r.mods[7].size = MiB(4);
	r.mods[7].data = xcalloc(1, MiB(4));
	REFUSED(&r, &t, "module \"m\" [0x");
	CHECK_EQ(r.error, -HV_ERANGE);
	CHECK(strstr(r.err, "does not fit in the VM's 4 MiB") != NULL);
	free((void *)r.mods[7].data);
	r.mods[7].data = bigmods[7];
	r.mods[7].size = 3000;

	/* boot information overflow: module strings too long for the area, both formats */
	memset(longarg, 'x', sizeof(longarg) - 1);
	for (unsigned int i = 0; i < LOADER_MAX_MODS; i++)
		r.mods[i].args = longarg;
	REFUSED(&r, &t, "boot information larger than the 98304 bytes at 0x8000 (too many "
		"modules or too long command lines)");
	for (unsigned int i = 0; i < LOADER_MAX_MODS; i++)
		r.mods[i].args = "";
	r.kernel.args = longarg;
	longarg[0x4000 - 1] = '\0';
	LOADED(&r, &t);		/* one 16 KiB command line fits */
	free(img);
	memcpy(s, KSEGS, sizeof(s));
	img = make_kernel(false, s, 3, KENTRY_V);
	mb2_header(img + MB_HDR_OFF, NULL, 0, 0);
	req_init(&r, &t, img, IMG_SIZE, "");
	for (unsigned int i = 0; i < LOADER_MAX_MODS; i++)
		r.mods[i] = (struct loader_blob){ .name = "m", .data = bigmods[i], .size = 3000,
						  .args = longarg };
	r.nmods = LOADER_MAX_MODS;
	REFUSED(&r, &t, "boot information larger than");
	r.nmods = 1;
	LOADED(&r, &t);
	tmem_free(&t);
	free(img);
}

int main(int argc, char **argv)
{
	test_init(argc, argv, 0);
	test_memory_map();
	test_bzimage();
	test_bzimage_refusals();
	test_multiboot1();
	test_multiboot2();
	test_elf_refusals();
	test_mb1_refusals();
	test_mb2_refusals();
	test_refusals();
	return test_finish();
}
