// SPDX-License-Identifier: MIT
/*
 * The vm= command-line option:
 *
 *   vm=NAME,mod=MODULE,mem=MIB,cpus=LIST[,entry=real|prot|long][,io=ignore|stop]
 *   vm=NAME,kernel=MODULE[,initrd=MODULE][,mods=MODULE+MODULE...],mem=MIB,cpus=LIST
 *
 * NAME      1..15 characters [A-Za-z0-9_-], unique
 * MODULE    the first word of a multiboot2 module's command line (grub.cfg:
 *           "module2 /boot/guest.bin MODULE ARGS..."); with kernel=, the
 *           rest of the kernel module's line (ARGS) is the guest's command
 *           line, and each of mods= is given to the kernel with its line
 * mod       a flat image, started as entry= says
 * kernel    a bzImage or a multiboot1/multiboot2 kernel, by its own format
 *           (vmx/loader/); initrd= goes with a bzImage, mods= with multiboot
 * MIB       guest RAM in MiB, 2..65536
 * LIST      physical CPUs, one vCPU each: N, N-M, joined with '+' (cpus=1+3-4);
 *           vCPU 0 (the guest's BSP) runs on the lowest; VMs may not share CPUs
 * entry     start mode (default prot), see docs/vmx.md
 * on_reset  what a guest reset (ACPI reset register, 0xcf9, i8042, triple
 *           fault) does: stop the VM (default) or restart it from its boot
 *           modules on fresh memory
 * io        ports without a device: ignore (default) or stop the VM
 * debug     a test aid (badstate, zap, hang: vmx/debug/test_aids.h); the
 *           release build has none and refuses the field
 *
 * Parsing runs while the command line is parsed, before any allocator
 * exists, so configurations are kept in a static table.
 */
#include "lib/errno.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "vmx/debug/test_aids.h"
#include "vmx/vm/vm.h"

static struct vm_config vm_configs[HV_MAX_VMS];
static unsigned int vm_nconfigs;

unsigned int vm_config_count(void)
{
	return vm_nconfigs;
}

const struct vm_config *vm_config_get(unsigned int i)
{
	return i < vm_nconfigs ? &vm_configs[i] : NULL;
}

static bool vm_name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n >= VM_NAME_MAX)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* Parse a CPU list "N", "N-M", joined with '+'.  0 or -HV_EINVAL. */
static int vm_parse_cpus(const char *s, size_t n, u64 *mask)
{
	char buf[64];
	const char *p = buf;

	if (n == 0 || n >= sizeof(buf))
		return -HV_EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	*mask = 0;
	for (;;) {
		u64 a, b;
		const char *end;

		if (str_to_u64(p, &end, 10, &a) || end == p)
			return -HV_EINVAL;
		b = a;
		p = end;
		if (*p == '-') {
			p++;
			if (str_to_u64(p, &end, 10, &b) || end == p)
				return -HV_EINVAL;
			p = end;
		}
		if (a > b || b >= HV_MAX_CPUS)
			return -HV_EINVAL;
		for (; a <= b; a++)
			*mask |= BIT(a);
		if (*p == '\0')
			return 0;
		if (*p++ != '+')
			return -HV_EINVAL;
	}
}

static bool vm_key(const char *f, size_t n, const char *key, const char **val, size_t *vlen)
{
	size_t k = strlen(key);

	if (n <= k || memcmp(f, key, k) || f[k] != '=')
		return false;
	*val = f + k + 1;
	*vlen = n - k - 1;
	return true;
}

static bool vm_word(const char *v, size_t n, const char *w)
{
	return strlen(w) == n && !memcmp(v, w, n);
}

/*
 * input=TEXT: percent-encoded (%20 a space, %0a a newline, %25 a percent),
 * since the command line splits at spaces and the option at commas.
 * Return: the decoded length, or -HV_EINVAL for a bad escape or too long a text.
 */
static int vm_parse_input(const char *v, size_t n, char *out, size_t size)
{
	size_t i, len = 0;

	for (i = 0; i < n; i++) {
		char c = v[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= n)
				return -HV_EINVAL;
			hi = hex_digit_value(v[i + 1]);
			lo = hex_digit_value(v[i + 2]);
			if (hi < 0 || lo < 0)
				return -HV_EINVAL;
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (len + 1 >= size)
			return -HV_EINVAL;
		out[len++] = c;
	}
	out[len] = '\0';
	return (int)len;
}

/* mods=A+B+C: module names joined with '+'.  0 or -HV_EINVAL. */
static int vm_parse_mods(const char *v, size_t n, struct vm_config *out)
{
	while (n) {
		size_t w = 0;

		while (w < n && v[w] != '+')
			w++;
		if (w == 0 || w >= VM_MOD_MAX || out->nmods == LOADER_MAX_MODS)
			return -HV_EINVAL;
		memcpy(out->mods[out->nmods++], v, w);
		if (w == n)
			return 0;
		v += w + 1;
		n -= w + 1;
		if (!n)
			return -HV_EINVAL;	/* a trailing '+' */
	}
	return -HV_EINVAL;
}

int vm_config_parse(const char *val, struct vm_config *out)
{
	const char *p = val, *f, *v;
	size_t n, vn;
	bool have_mod = false, have_kernel = false, have_mem = false, have_cpus = false;
	bool have_entry = false;

	memset(out, 0, sizeof(*out));
	out->entry = VM_ENTRY_PROT;
	out->io = VM_IO_IGNORE;
	f = strchr(p, ',');
	n = f ? (size_t)(f - p) : strlen(p);
	if (!vm_name_ok(p, n)) {
		pr_warn("vm=%s: the name must be 1..%d characters of [A-Za-z0-9_-]\n", val,
			VM_NAME_MAX - 1);
		return -HV_EINVAL;
	}
	memcpy(out->name, p, n);
	p += n;
	while (*p == ',') {
		p++;
		f = p;
		n = strchr(p, ',') ? (size_t)(strchr(p, ',') - p) : strlen(p);
		p += n;
		if (vm_word(f, n, "gdb")) {
			out->gdb_wait = true;	/* held at its first instruction for GDB */
		} else if (vm_key(f, n, "mod", &v, &vn)) {
			if (vn == 0 || vn >= VM_MOD_MAX)
				goto bad;
			memcpy(out->mod, v, vn);
			have_mod = true;
		} else if (vm_key(f, n, "kernel", &v, &vn)) {
			if (vn == 0 || vn >= VM_MOD_MAX)
				goto bad;
			memcpy(out->kernel, v, vn);
			have_kernel = true;
		} else if (vm_key(f, n, "initrd", &v, &vn)) {
			if (vn == 0 || vn >= VM_MOD_MAX)
				goto bad;
			memcpy(out->initrd, v, vn);
		} else if (vm_key(f, n, "mods", &v, &vn)) {
			if (vm_parse_mods(v, vn, out))
				goto bad;
		} else if (vm_key(f, n, "mem", &v, &vn)) {
			char num[24];
			const char *end;

			if (vn == 0 || vn >= sizeof(num))
				goto bad;
			memcpy(num, v, vn);
			num[vn] = '\0';
			if (str_to_u64(num, &end, 10, &out->mem_mib) || *end ||
			    out->mem_mib < 2 || out->mem_mib > 65536)
				goto bad;
			have_mem = true;
		} else if (vm_key(f, n, "cpus", &v, &vn)) {
			if (vm_parse_cpus(v, vn, &out->cpu_mask))
				goto bad;
			have_cpus = true;
		} else if (vm_key(f, n, "entry", &v, &vn)) {
			have_entry = true;
			if (vm_word(v, vn, "real"))
				out->entry = VM_ENTRY_REAL;
			else if (vm_word(v, vn, "prot"))
				out->entry = VM_ENTRY_PROT;
			else if (vm_word(v, vn, "long"))
				out->entry = VM_ENTRY_LONG;
			else
				goto bad;
		} else if (vm_key(f, n, "debug", &v, &vn)) {
			if (!vm_test_aid_parse(out, v, vn))
				goto bad;
		} else if (vm_key(f, n, "console", &v, &vn)) {
			if (vm_word(v, vn, "line"))
				out->console_raw = false;
			else if (vm_word(v, vn, "raw"))
				out->console_raw = true;
			else
				goto bad;
		} else if (vm_key(f, n, "input", &v, &vn)) {
			int len = vm_parse_input(v, vn, out->input, sizeof(out->input));

			if (len < 0)
				goto bad;
			out->input_len = (unsigned int)len;
		} else if (vm_key(f, n, "on_reset", &v, &vn)) {
			if (vm_word(v, vn, "stop"))
				out->reset_restart = false;
			else if (vm_word(v, vn, "restart"))
				out->reset_restart = true;
			else
				goto bad;
		} else if (vm_key(f, n, "apicv", &v, &vn)) {
			if (vm_word(v, vn, "on"))
				out->apicv_off = false;
			else if (vm_word(v, vn, "off"))
				out->apicv_off = true;
			else
				goto bad;
		} else if (vm_key(f, n, "io", &v, &vn)) {
			if (vm_word(v, vn, "ignore"))
				out->io = VM_IO_IGNORE;
			else if (vm_word(v, vn, "stop"))
				out->io = VM_IO_STOP;
			else
				goto bad;
		} else {
			goto bad;
		}
	}
	if (*p) {
		n = strlen(p);
		f = p;
		goto bad;
	}
	if (have_mod == have_kernel || !have_mem || !have_cpus) {
		pr_warn("vm=%s: mod= or kernel= (one of them), mem= and cpus= are required\n", val);
		return -HV_EINVAL;
	}
	if (have_mod && (out->initrd[0] || out->nmods)) {
		pr_warn("vm=%s: initrd= and mods= go with kernel=, not mod=\n", val);
		return -HV_EINVAL;
	}
	if (have_kernel && have_entry) {
		pr_warn("vm=%s: entry= is for mod=; a kernel's format decides its entry\n", val);
		return -HV_EINVAL;
	}
	return 0;
bad:
	pr_warn("vm=%s: bad field \"%.*s\" (expected mod=NAME or kernel=NAME[,initrd=NAME]"
		"[,mods=NAME+NAME...], mem=2..65536, "
		"cpus=N[-M][+...], entry=real|prot|long, io=ignore|stop, console=line|raw, "
		"on_reset=stop|restart, apicv=on|off, input=TEXT, gdb%s)\n", val, (int)n, f,
		vm_test_aid_usage);
	return -HV_EINVAL;
}

int vm_config_add(const struct vm_config *cfg)
{
	unsigned int i;

	if (vm_nconfigs == HV_MAX_VMS) {
		pr_warn("vm=%s: at most %d VMs\n", cfg->name, HV_MAX_VMS);
		return -HV_ENOSPC;
	}
	for (i = 0; i < vm_nconfigs; i++) {
		if (!strcmp(vm_configs[i].name, cfg->name)) {
			pr_warn("vm=%s: a VM with this name exists already\n", cfg->name);
			return -HV_EEXIST;
		}
		if (vm_configs[i].cpu_mask & cfg->cpu_mask) {
			pr_warn("vm=%s: shares CPUs %#llx with vm %s; VMs need disjoint CPUs\n",
				cfg->name,
				(vm_configs[i].cpu_mask & cfg->cpu_mask),
				vm_configs[i].name);
			return -HV_EBUSY;
		}
	}
	vm_configs[vm_nconfigs++] = *cfg;
	return 0;
}

int vm_cmdline_option(const char *val)
{
	struct vm_config cfg;

	int err;

	if (!val)
		return -HV_EINVAL;
	err = vm_config_parse(val, &cfg);
	return err ? err : vm_config_add(&cfg);
}
