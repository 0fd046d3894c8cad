// SPDX-License-Identifier: MIT
/*
 * The per-VM ACPI tables as ACPICA (the code inside Linux) sees them.  For a
 * few configurations, each table of vmx/vm/acpi_build.c is written to a
 * temporary directory and
 *
 *   - disassembled with `iasl -d`: it must succeed without a warning or an
 *     error, and the disassembly must show the expected fields and names;
 *   - compiled back with iasl (the DSDT with -oa, no optimisations): the
 *     result must equal the input byte for byte, but for the checksum and
 *     the creator fields iasl writes itself; so iasl read every field as
 *     meant, and the AML emitter writes what iasl would;
 *   - and loaded into `acpiexec` with the FADT and MADT, which evaluates
 *     \_S5 and \_SB.COM1._CRS and runs the hardware-reduced S5 sequence.
 *
 * The RSDP is not a table iasl 20200925 can disassemble; test_acpi_build
 * checks it.  A self-test first shows that the checker fails on a bad
 * checksum, a missing name and a truncated table.  iasl and acpiexec come
 * from the Debian package acpica-tools (tools/setup installs it).
 */
#include "arch/x86/acpi_tables.h"
#include "tests/host/harness.h"
#include "vmx/dev/platform.h"
#include "vmx/vm/acpi_build.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define BASE		PLAT_ACPI_RSDP_GPA
#define MAX_EXPECT	24
#define LINE		512	/* a path: dir[256] + '/' + a file name (< 64) */
#define NAME_MAX_LEN	64

static char dir[256];

/* Run a shell command line; its exit status, or -1 when it did not exit. */
static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The file @dir/@name, NUL-terminated (NULL if unreadable); its length in *@len. */
static char *slurp(const char *name, size_t *len)
{
	char path[LINE];
	FILE *f;
	char *s;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	s = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
		free(s);
		s = NULL;
	}
	fclose(f);
	if (s) {
		s[n] = 0;
		if (len)
			*len = (size_t)n;
	}
	return s;
}

static bool spit(const char *name, const void *p, size_t n)
{
	char path[LINE];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		return false;
	ok = fwrite(p, 1, n, f) == n;
	return fclose(f) == 0 && ok;
}

struct table_check {
	const char *name;		/* file stem: facp, apic, ... */
	const u8 *t;
	size_t len;
	bool aml;			/* a definition block: recompile without optimisations */
	char expect[MAX_EXPECT][96];	/* the disassembly must contain each */
	unsigned int nexpect;
};

static void expect(struct table_check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void expect(struct table_check *c, const char *fmt, ...)
{
	va_list ap;

	if (c->nexpect == MAX_EXPECT) {
		test_fail(__FILE__, __LINE__, "too many expectations for %s", c->name);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(c->expect[c->nexpect++], sizeof(c->expect[0]), fmt, ap);
	va_end(ap);
}

/* Report a problem unless @quiet; count it. */
static void problem(unsigned int *n, bool quiet, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void problem(unsigned int *n, bool quiet, const char *fmt, ...)
{
	va_list ap;

	(*n)++;
	if (quiet)
		return;
	fprintf(stderr, "iasl check: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Words iasl uses when it does not like something. */
static const char *const complaints[] = { "Warning", "Error", "****", "Invalid", "Unknown" };

static void scan_complaints(const char *file, const char *text, unsigned int *n, bool quiet)
{
	for (size_t i = 0; i < ARRAY_SIZE(complaints); i++) {
		const char *hit = strstr(text, complaints[i]);

		if (hit)
			problem(n, quiet, "%s: \"%s\" in: %.120s", file, complaints[i], hit);
	}
}

/* Disassemble, look, recompile, compare.  Returns the number of problems. */
static unsigned int iasl_check(const struct table_check *c, bool quiet)
{
	char f[NAME_MAX_LEN];
	char *log = NULL, *dsl = NULL, *re = NULL;
	unsigned int n = 0;
	size_t relen = 0;
	int rc;

	snprintf(f, sizeof(f), "%s.dat", c->name);
	if (!spit(f, c->t, c->len)) {
		problem(&n, quiet, "cannot write %s/%s", dir, f);
		return n;
	}
	rc = run("cd '%s' && iasl -d %s.dat >%s.dis.log 2>&1", dir, c->name, c->name);
	snprintf(f, sizeof(f), "%s.dis.log", c->name);
	log = slurp(f, NULL);
	snprintf(f, sizeof(f), "%s.dsl", c->name);
	dsl = slurp(f, NULL);
	if (rc != 0 || !log || !dsl) {
		problem(&n, quiet, "iasl -d %s.dat: exit %d%s", c->name, rc, dsl ? "" : ", no .dsl");
		goto out;
	}
	scan_complaints("iasl -d output", log, &n, quiet);
	scan_complaints(f, dsl, &n, quiet);
	for (unsigned int i = 0; i < c->nexpect; i++)
		if (!strstr(dsl, c->expect[i]))
			problem(&n, quiet, "%s lacks \"%s\"", f, c->expect[i]);

	rc = run("cd '%s' && iasl %s %s.dsl >%s.asm.log 2>&1", dir, c->aml ? "-oa" : "",
		 c->name, c->name);
	free(log);
	snprintf(f, sizeof(f), "%s.asm.log", c->name);
	log = slurp(f, NULL);
	if (rc != 0 || !log || !strstr(log, "0 Errors, 0 Warnings, 0 Remarks")) {
		problem(&n, quiet, "iasl %s.dsl: exit %d: %.300s", c->name, rc, log ? log : "");
		goto out;
	}
	snprintf(f, sizeof(f), "%s.aml", c->name);
	re = slurp(f, &relen);
	if (!re || relen != c->len) {
		problem(&n, quiet, "%s: %zu bytes recompiled, %zu built", f, re ? relen : 0, c->len);
		goto out;
	}
	for (size_t i = 0; i < c->len; i++) {
		bool own = i == offsetof(struct acpi_sdt_header, checksum) ||
			   (i >= offsetof(struct acpi_sdt_header, creator_id) &&
			    i < sizeof(struct acpi_sdt_header));

		if (!own && (u8)re[i] != c->t[i]) {
			problem(&n, quiet, "%s: byte %zu recompiled as %#x, built as %#x", c->name, i,
				(u8)re[i], c->t[i]);
			break;
		}
	}
out:
	free(log);
	free(dsl);
	free(re);
	return n;
}

/* ACPICA's interpreter over the DSDT with the FADT and MADT. */
static unsigned int acpiexec_check(bool quiet)
{
	static const char *const want[] = {
		"Evaluation of \\_S5 returned",
		"[Package] Contains 4 Elements:",
		"[Integer] = 0000000000000005",
		"Evaluation of \\_SB.COM1._CRS returned",
		"[Buffer] Length 0D",
		"47 01 F8 03 F8 03 01 08 22 10 00 79 00",
		"Sleep-A: 05, Sleep-B: 05",
		"HwExtendedSleep",		/* ACPICA took the hardware-reduced path */
	};
	static const char *const bad[] = { "Exception", "Error", "Warning", "AE_" };
	unsigned int n = 0;
	char *log;
	int rc;

	rc = run("cd '%s' && timeout 60 acpiexec -b "
		 "'evaluate \\_S5; evaluate \\_SB.COM1._CRS; sleep 5' "
		 "dsdt.dat facp.dat apic.dat >acpiexec.log 2>&1", dir);
	log = slurp("acpiexec.log", NULL);
	if (rc != 0 || !log) {
		problem(&n, quiet, "acpiexec: exit %d", rc);
		free(log);
		return n;
	}
	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		if (!strstr(log, want[i]))
			problem(&n, quiet, "acpiexec output lacks \"%s\"", want[i]);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		const char *hit = strstr(log, bad[i]);

		if (hit)
			problem(&n, quiet, "acpiexec: \"%s\" in: %.160s", bad[i], hit);
	}
	free(log);
	return n;
}

static const u8 *table(const u8 *buf, u64 gpa, size_t *len)
{
	const u8 *t = buf + (gpa - BASE);
	u32 l;

	memcpy(&l, t + 4, 4);
	*len = l;
	return t;
}

/* Build for @cfg and put every table through iasl, then acpiexec. */
static void check_cfg(const struct acpi_build_cfg *cfg)
{
	static struct table_check c[5];
	struct table_check *facp = &c[0], *apic = &c[1], *dsdt = &c[2], *xsdt = &c[3],
			   *rsdt = &c[4];
	struct acpi_build_info info;
	size_t size = acpi_build_size(cfg);
	unsigned int last = cfg->nr_vcpus - 1;
	u8 *buf = malloc(size);

	CHECK(buf != NULL);
	if (!buf)
		return;
	CHECK_EQ(acpi_build(cfg, buf, size, BASE, &info), 0);
	memset(c, 0, sizeof(c));

	facp->name = "facp";
	facp->t = table(buf, info.fadt_gpa, &facp->len);
	expect(facp, "Hardware Reduced (V5) : 1");
	expect(facp, "Reset Register Supported (V2) : 1");
	expect(facp, "Space ID : 01 [SystemIO]");
	expect(facp, "Address : %016X", PLAT_RESET_PORT);
	expect(facp, "Value to cause reset : %02X", PLAT_RESET_VALUE);
	expect(facp, "Address : %016X", PLAT_ACPI_SLEEP_CTL);
	expect(facp, "Address : %016X", PLAT_ACPI_SLEEP_STS);
	expect(facp, "FADT Minor Revision : 05");
	expect(facp, "DSDT Address : %016llX", info.dsdt_gpa);
	expect(facp, "SCI Interrupt : 0000");
	expect(facp, "8042 Present on ports 60/64 (V2) : 0");
	expect(facp, "VGA Not Present (V4) : 1");
	expect(facp, "CMOS RTC Not Present (V5) : 0");
	expect(facp, "FACS Address : 0000000000000000");

	apic->name = "apic";
	apic->t = table(buf, info.madt_gpa, &apic->len);
	expect(apic, "Local Apic Address : %08llX", PLAT_LAPIC_BASE);
	expect(apic, "PC-AT Compatibility : 0");
	if (cfg->x2apic) {
		expect(apic, "[Processor Local x2APIC]");
		expect(apic, "Processor x2Apic ID : %08X", last);
	} else {
		expect(apic, "[Processor Local APIC]");
		expect(apic, "Local Apic ID : %02X", last);
	}
	expect(apic, "[I/O APIC]");
	expect(apic, "I/O Apic ID : %02X", PLAT_IOAPIC_ID);
	expect(apic, "Address : %08llX", PLAT_IOAPIC_BASE);
	expect(apic, "[Interrupt Source Override]");
	expect(apic, "Source : %02X", PLAT_COM1_ISA_IRQ);
	expect(apic, "Interrupt : %08X", PLAT_COM1_GSI);
	expect(apic, "Source : %02X", PLAT_RTC_ISA_IRQ);
	expect(apic, "Interrupt : %08X", PLAT_RTC_GSI);

	dsdt->name = "dsdt";
	dsdt->aml = true;
	dsdt->t = table(buf, info.dsdt_gpa, &dsdt->len);
	expect(dsdt, "Scope (\\_SB)");
	expect(dsdt, "Device (COM1)");
	expect(dsdt, "Name (_HID, EisaId (\"PNP0501\")");
	expect(dsdt, "Name (_UID, One)");
	expect(dsdt, "IO (Decode16,");
	expect(dsdt, "0x%04X,", PLAT_COM1_BASE);
	expect(dsdt, "0x%02X,", PLAT_COM1_SIZE);
	expect(dsdt, "IRQNoFlags ()");
	expect(dsdt, "{%d}", PLAT_COM1_ISA_IRQ);
	expect(dsdt, "Name (_S5, Package (0x04)");
	expect(dsdt, "0x%02X,", PLAT_ACPI_S5_TYP);

	xsdt->name = "xsdt";
	xsdt->t = table(buf, info.xsdt_gpa, &xsdt->len);
	expect(xsdt, "ACPI Table Address   0 : %016llX", info.fadt_gpa);
	expect(xsdt, "ACPI Table Address   1 : %016llX", info.madt_gpa);

	rsdt->name = "rsdt";
	rsdt->t = table(buf, info.rsdt_gpa, &rsdt->len);
	expect(rsdt, "ACPI Table Address   0 : %08llX", info.fadt_gpa);
	expect(rsdt, "ACPI Table Address   1 : %08llX", info.madt_gpa);

	for (size_t i = 0; i < ARRAY_SIZE(c); i++) {
		unsigned int n = iasl_check(&c[i], false);

		if (n)
			test_fail(__FILE__, __LINE__, "%u vCPUs%s: %s: %u problem(s)",
				  cfg->nr_vcpus, cfg->x2apic ? " x2APIC" : "", c[i].name, n);
	}
	if (acpiexec_check(false))
		test_fail(__FILE__, __LINE__, "%u vCPUs: acpiexec", cfg->nr_vcpus);
	free(buf);
}

/* The checker itself must fail on bad input. */
static void self_test(void)
{
	const struct acpi_build_cfg cfg = { .nr_vcpus = 2 };
	struct acpi_build_info info;
	size_t size = acpi_build_size(&cfg);
	u8 *buf = malloc(size);
	struct table_check c = { .name = "neg" };

	CHECK(buf != NULL);
	if (!buf)
		return;
	CHECK_EQ(acpi_build(&cfg, buf, size, BASE, &info), 0);
	c.t = table(buf, info.madt_gpa, &c.len);

	CHECK_EQ(iasl_check(&c, true), 0);			/* the good table passes */
	buf[info.madt_gpa - BASE + 9] ^= 0x5a;			/* checksum */
	CHECK(iasl_check(&c, true) > 0);
	buf[info.madt_gpa - BASE + 9] ^= 0x5a;
	expect(&c, "[Processor Local x2APIC]");			/* not in an xAPIC MADT */
	CHECK(iasl_check(&c, true) > 0);
	c.nexpect = 0;
	c.len -= 4;						/* truncated */
	CHECK(iasl_check(&c, true) > 0);
	free(buf);
}

int main(int argc, char **argv)
{
	const struct acpi_build_cfg cfgs[] = {
		{ .nr_vcpus = 1 },
		{ .nr_vcpus = 4 },
		{ .nr_vcpus = 8, .x2apic = true },
		{ .nr_vcpus = 64, .x2apic = true },
	};
	const char *tmp = getenv("TMPDIR");

	test_init(argc, argv, 0);
	if (run("command -v iasl >/dev/null && command -v acpiexec >/dev/null") != 0) {
		test_fail(__FILE__, __LINE__,
			  "iasl or acpiexec missing: install acpica-tools (tools/setup)");
		return test_finish();
	}
	snprintf(dir, sizeof(dir), "%s/hv-acpi-iasl.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		test_fail(__FILE__, __LINE__, "mkdtemp %s failed", dir);
		return test_finish();
	}
	self_test();
	for (size_t i = 0; i < ARRAY_SIZE(cfgs); i++)
		check_cfg(&cfgs[i]);
	if (test_failures)
		fprintf(stderr, "iasl check: files kept in %s\n", dir);
	else
		run("rm -rf '%s'", dir);
	return test_finish();
}
