// SPDX-License-Identifier: MIT
/*
 * A VM's boot image: the module named by vm=...,mod= (a flat image, started
 * as entry= says) or by kernel= (a bzImage or multiboot kernel, loaded by
 * vmx/loader/ with its initrd or modules and its command line).  Runs when
 * the VM is built and again when it is restarted, on fresh memory.
 */
#include "vmx/vm/vm.h"

#include "arch/x86/setup.h"
#include "lib/errno.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "vmx/loader/loader.h"
#include "vmx/vm/guest_mem.h"

/* The GDT every protected/long-mode guest starts with (see VM_GDT_GPA). */
static const u64 vm_boot_gdt[4] = {
	0,
	0x00cf9b000000ffffull,	/* 0x08: 32-bit code, flat */
	0x00cf93000000ffffull,	/* 0x10: data, flat */
	0x00af9b000000ffffull,	/* 0x18: 64-bit code */
};

/* Long mode: identity map of the first 4 GiB with 2 MiB pages at VM_PML4_GPA. */
static int vm_write_long_mode_tables(struct vm *vm)
{
	u64 e;
	unsigned int i, j;

	e = (VM_PML4_GPA + PAGE_SIZE) | 3;
	if (copy_to_guest(vm, VM_PML4_GPA, &e, 8))
		return -HV_EFAULT;
	for (i = 0; i < 4; i++) {
		gpa_t pd = VM_PML4_GPA + (2 + i) * PAGE_SIZE;

		e = pd | 3;
		if (copy_to_guest(vm, VM_PML4_GPA + PAGE_SIZE + i * 8, &e, 8))
			return -HV_EFAULT;
		for (j = 0; j < 512; j++) {
			e = (((u64)i << 30) + ((u64)j << 21)) | 0x83;	/* P, RW, PS */
			if (copy_to_guest(vm, pd + j * 8, &e, 8))
				return -HV_EFAULT;
		}
	}
	return 0;
}

/*
 * The module named @name: the first word of its command line is @name, or
 * @name plus ".bin" / ".elf" (tools/mkiso passes the file name first).
 */
static const struct mb2_module *vm_find_module(const char *name)
{
	size_t n = strlen(name);
	unsigned int i;

	for (i = 0; i < hv_mb2.module_count; i++) {
		const char *c = hv_mb2.modules[i].cmdline;
		size_t w = 0;

		if (!c)
			continue;
		while (c[w] && c[w] != ' ')
			w++;
		if (w == n && !memcmp(c, name, n))
			return &hv_mb2.modules[i];
		if (w == n + 4 && !memcmp(c, name, n) &&
		    (!memcmp(c + n, ".bin", 4) || !memcmp(c + n, ".elf", 4)))
			return &hv_mb2.modules[i];
	}
	return NULL;
}

static int vm_load_flat(struct vm *vm)
{
	const struct mb2_module *m = vm_find_module(vm->cfg.mod);
	gpa_t load = vm->cfg.entry == VM_ENTRY_REAL ? VM_LOAD_REAL : VM_LOAD_HIGH;
	u64 size;

	if (!m) {
		pr_err("vm %s: no boot module named \"%s\" (add \"module2 FILE %s\" to grub.cfg)\n",
		       vm->cfg.name, vm->cfg.mod, vm->cfg.mod);
		return -HV_ENOENT;
	}
	size = m->end - m->start;
	if (vm->cfg.entry == VM_ENTRY_REAL && size > 0x70000) {
		pr_err("vm %s: real-mode image of %llu bytes does not fit below 0x80000\n",
		       vm->cfg.name, size);
		return -HV_ERANGE;
	}
	if (load + size > vm->mem_size) {
		pr_err("vm %s: image of %llu bytes does not fit in %llu MiB at %#llx\n",
		       vm->cfg.name, size,
		       vm->cfg.mem_mib, load);
		return -HV_ERANGE;
	}
	if (copy_to_guest(vm, load, arch_phys_to_virt(m->start), size) ||
	    copy_to_guest(vm, VM_GDT_GPA, vm_boot_gdt, sizeof(vm_boot_gdt)))
		return -HV_EFAULT;
	if (vm->cfg.entry == VM_ENTRY_LONG) {
		int err = vm_write_long_mode_tables(vm);

		if (err)
			return err;
	}
	pr_info("vm %s: module \"%s\" (%llu bytes) loaded at %#llx\n", vm->cfg.name,
		vm->cfg.mod, size, load);
	return 0;
}

/* The module's string after its first word (the name): what its kernel is given. */
static const char *vm_module_args(const struct mb2_module *m)
{
	const char *c = m->cmdline;

	while (*c && *c != ' ')
		c++;
	while (*c == ' ')
		c++;
	return c;
}

/* Fill @b from the boot module named @name; -HV_ENOENT with a message when there is none. */
static int vm_find_blob(struct vm *vm, const char *what, const char *name, bool kernel_args,
			struct loader_blob *b)
{
	const struct mb2_module *m = vm_find_module(name);

	if (!m) {
		pr_err("vm %s: no boot module named \"%s\" for %s (add \"module2 FILE %s\" to "
		       "grub.cfg)\n", vm->cfg.name, name, what, name);
		return -HV_ENOENT;
	}
	b->name = name;
	b->data = arch_phys_to_virt(m->start);
	b->size = m->end - m->start;
	b->args = kernel_args ? vm_module_args(m) : m->cmdline;
	return 0;
}

/* kernel=: the loaders choose by the image's format; vCPU 0 starts as they say. */
static int vm_load_kernel(struct vm *vm)
{
	struct loader_req *req;
	u8 rsdp[36];
	unsigned int i;
	int rc;

	req = kzalloc(sizeof(*req));
	if (!req) {
		pr_err("vm %s: out of memory for its loader\n", vm->cfg.name);
		return -HV_ENOMEM;
	}
	req->vm = vm;
	req->mem_size = vm->mem_size;
	rc = vm_find_blob(vm, "kernel=", vm->cfg.kernel, true, &req->kernel);
	if (!rc && vm->cfg.initrd[0])
		rc = vm_find_blob(vm, "initrd=", vm->cfg.initrd, false, &req->initrd);
	for (i = 0; !rc && i < vm->cfg.nmods; i++)
		rc = vm_find_blob(vm, "mods=", vm->cfg.mods[i], false, &req->mods[i]);
	if (rc)
		goto out;
	req->nmods = vm->cfg.nmods;
	if (vm->acpi_rsdp && !copy_from_guest(vm, rsdp, vm->acpi_rsdp, sizeof(rsdp))) {
		req->rsdp_gpa = vm->acpi_rsdp;
		req->rsdp = rsdp;
	}
	rc = loader_load(req);
	if (rc) {
		pr_err("vm %s: kernel \"%s\" refused: %s\n", vm->cfg.name, vm->cfg.kernel, req->err);
		goto out;
	}
	vm->boot = req->boot;
	pr_info("vm %s: kernel \"%s\" (%llu bytes, %s) at [%#llx, %#llx), entry %#x%s%s\n",
		vm->cfg.name, vm->cfg.kernel, req->kernel.size, req->format,
		req->kernel_start, req->kernel_end,
		req->boot.eip, req->initrd.data ? ", initrd " : "",
		req->initrd.data ? vm->cfg.initrd : "");
out:
	kfree(req);
	return rc;
}

int vm_load_image(struct vm *vm)
{
	return vm->cfg.kernel[0] ? vm_load_kernel(vm) : vm_load_flat(vm);
}
