// SPDX-License-Identifier: MIT
/*
 * The hypervisor shell's commands (docs/console.md).  shell_run() runs on
 * the BSP with interrupts off, from the console's interrupt (vmx/console/
 * console.c), so it never races vm_start_all(), which creates and frees the
 * VMs on the same CPU with interrupts off.  It reads other CPUs' state in
 * four ways only: statistics counters read racily (torn-free u64 loads, no
 * ordering: a count may be one exit old, R18), trace rings by snapshot
 * (R19), locks' and EBR's own statistics readers, and vCPU registers
 * through vcpu_peek() (an IPI and a bounded wait, vmx/console/vcpu_peek.c).
 * The statistics commands are in vmx/console/shell_stats.c.  Whatever a guest controls that it prints
 * (guest memory) goes through lib/guest_text.h.
 */
#include "vmx/console/console.h"

#include "arch/x86/cpu.h"
#include "arch/x86/memmap.h"
#include "arch/x86/paging.h"
#include "arch/x86/percpu.h"
#include "arch/x86/traps.h"
#include "arch/x86/tsc.h"
#include "lib/format.h"
#include "lib/guest_text.h"
#include "lib/lockdep.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/ebr.h"
#include "mm/ept_mmu.h"
#include "vmx/console/shell_parse.h"
#include "vmx/console/shell_stats.h"
#include "vmx/console/vcpu_peek.h"
#include "vmx/gdb/gdb_stub.h"
#include "vmx/stats/exit_stats.h"
#include "vmx/emul/gpt_walk.h"
#include "vmx/vm/guest_mem.h"
#include "vmx/vm/vm.h"
#include "vmx/vm/vm_console.h"
#include "vmx/vmx_cpu.h"
#include "vmx/vmx_error.h"

#define SHELL_DUMP_DEFAULT	64
#define SHELL_DUMP_MAX		256

static void shell_usage(enum shell_cmd_id c)
{
	pr_answer("usage: %s\n", shell_cmds[c].usage);
}

struct vm *shell_vm(const char *name)
{
	for (unsigned int i = 0; i < vm_count; i++)
		if (!strcmp(vm_list[i]->cfg.name, name))
			return vm_list[i];
	pr_answer("no vm named %s (vms lists them)\n", name);
	return NULL;
}

static struct vcpu *shell_vcpu(struct vm *vm, u64 id)
{
	if (id < vm->nvcpus)
		return vm->vcpus[id];
	pr_answer("vm %s has no vcpu %llu (it has %u)\n", vm->cfg.name, id, vm->nvcpus);
	return NULL;
}

static const char *shell_run_state(u32 s)
{
	switch (s) {
	case VCPU_WAIT_SIPI: return "waiting for SIPI";
	case VCPU_RUNNABLE: return "running";
	case VCPU_HALTED: return "halted";
	case VCPU_STOPPED: return "stopped";
	default: return "?";
	}
}

/* Exits of @v so far: the owner's histograms, read racily (R18). */
static u64 shell_vcpu_exits(const struct vcpu *v)
{
	return exit_stats_total(v->stats);
}

/* ---------------------------------------------------------------- commands */

static void cmd_help(const struct shell_parsed *p)
{
	pr_answer("commands (Ctrl-A three times moves the input to the next VM):\n");
	for (unsigned int c = 0; c < SHELL_NCMDS; c++)
		pr_answer("  %-34s %s\n", shell_cmds[c].usage, shell_cmds[c].help);
}

static void cmd_version(const struct shell_parsed *p)
{
	pr_answer("hv %s (git %s)\n", HV_VERSION, HV_GIT_REV);
}

static void cmd_cpus(const struct shell_parsed *p)
{
	/* Rates over the time since the last "cpus" (the first: since the shell began). */
	static u64 last_exits[HV_MAX_CPUS], last_ns;
	u64 now = arch_time_ns(), ms = (now - last_ns) / 1000000ull;

	for (unsigned int cpu = 0; cpu < HV_MAX_CPUS; cpu++) {
		struct percpu *pc = percpu_of(cpu);
		/* Cleared only by its own CPU as it leaves vcpu_run(); freed only by this one. */
		struct vcpu *v = READ_ONCE(vmx_cpus[cpu].vcpu);
		u64 exits = 0, rate = 0;
		char what[64];

		if (!pc || (!READ_ONCE(pc->online) && cpu >= arch_cpus_online()))
			continue;
		if (v) {
			exits = shell_vcpu_exits(v);
			if (exits >= last_exits[cpu] && ms)
				rate = (exits - last_exits[cpu]) * 1000ull / ms;
			fmt_snprintf(what, sizeof(what), "vm %s vcpu %u (%s)", v->vm->cfg.name, v->id,
				     shell_run_state(READ_ONCE(v->run_state)));
		} else {
			str_copy(what, cpu == arch_cpu_id() ? "hypervisor (console, shell)" : "idle",
				 sizeof(what));
		}
		pr_answer("cpu %u: %s, apic id %u, %s, %llu exits/s\n", cpu,
			  READ_ONCE(pc->online) ? "online" : "offline", pc->apic_id, what, rate);
		last_exits[cpu] = exits;
	}
	last_ns = now;
}

static void cmd_vms(const struct shell_parsed *p)
{
	if (!vm_count)
		pr_answer("no vms\n");
	for (unsigned int i = 0; i < vm_count; i++) {
		struct vm *vm = vm_list[i];
		u64 exits = 0;

		for (unsigned int j = 0; j < vm->nvcpus; j++)
			exits += shell_vcpu_exits(vm->vcpus[j]);
		pr_answer("vm %s: %s, %llu MiB, %u vcpus (cpu mask %#llx), %llu exits, console %s%s\n",
			  vm->cfg.name, vm_is_stopped(vm) ? "stopped" : "running",
			  (vm->mem_size >> 20), vm->nvcpus, vm->cfg.cpu_mask, exits,
			  vm->cfg.console_raw ? "raw" : "line",
			  vm_console_focus() == vm ? ", has the input" : "");
	}
}

static void cmd_vcpus(const struct shell_parsed *p)
{
	struct vm *vm = shell_vm(p->str[0]);

	if (!vm)
		return;
	for (unsigned int j = 0; j < vm->nvcpus; j++) {
		struct vcpu *v = vm->vcpus[j];

		/*
		 * The pending flags and the timer are owner state read without
		 * a hand-off: a moment's picture for a person, tear-free only.
		 */
		u64 deadline = READ_ONCE(v->timer_deadline), now = rdtsc();

		pr_answer("vm %s vcpu %u: cpu %u, %s, vpid %u, %llu exits, pending intr %u nmi %u "
			  "init %u, timer %s%llu us\n", vm->cfg.name, j, v->pcpu,
			  shell_run_state(READ_ONCE(v->run_state)), v->vpid,
			  shell_vcpu_exits(v), READ_ONCE(v->intr_pending),
			  READ_ONCE(v->nmi_pending), READ_ONCE(v->init_pending),
			  !deadline ? "off " : deadline < now ? "due -" : "in ",
			  deadline ? tsc_ticks_to_ns(deadline < now ? now - deadline :
						    deadline - now) / 1000 : 0);
	}
}

/* @v's state through vcpu_peek(), or a message and false. */
static bool shell_peek(struct vm *vm, struct vcpu *v, struct vcpu_snapshot *s)
{
	int rc = vcpu_peek(v, s);

	if (!rc)
		return true;
	if (rc == -2)
		pr_answer("vm %s vcpu %u: cpu %u did not answer within %llu ms\n", vm->cfg.name,
			  v->id, v->pcpu, VCPU_PEEK_TIMEOUT_NS / 1000000ull);
	else
		pr_answer("vm %s vcpu %u: not running (not started yet, or stopped)\n",
			  vm->cfg.name, v->id);
	return false;
}

/* A control register as the guest reads it: the shadow where the mask owns the bit. */
static u64 shell_guest_cr(const struct vcpu_snapshot *s, u32 cr, u32 mask, u32 shadow)
{
	u64 m = vcpu_snap_get(s, mask);

	return (vcpu_snap_get(s, cr) & ~m) | (vcpu_snap_get(s, shadow) & m);
}

static void cmd_regs(const struct shell_parsed *p)
{
	static struct vcpu_snapshot s;
	struct vm *vm = shell_vm(p->str[0]);
	struct vcpu *v = vm ? shell_vcpu(vm, p->num[1]) : NULL;
	const u64 *r = s.gpr;

	if (!v || !shell_peek(vm, v, &s))
		return;
	pr_answer("regs %s %u: rip %016llx rflags %016llx (%s)\n", vm->cfg.name, v->id,
		  vcpu_snap_get(&s, VMCS_GUEST_RIP), vcpu_snap_get(&s, VMCS_GUEST_RFLAGS),
		  shell_run_state(s.run_state));
	pr_answer("regs %s %u: rax %016llx rbx %016llx rcx %016llx rdx %016llx\n", vm->cfg.name,
		  v->id, r[GPR_RAX], r[GPR_RBX], r[GPR_RCX], r[GPR_RDX]);
	pr_answer("regs %s %u: rsi %016llx rdi %016llx rbp %016llx rsp %016llx\n", vm->cfg.name,
		  v->id, r[GPR_RSI], r[GPR_RDI], r[GPR_RBP], r[GPR_RSP]);
	pr_answer("regs %s %u: r8  %016llx r9  %016llx r10 %016llx r11 %016llx\n", vm->cfg.name,
		  v->id, r[GPR_R8], r[GPR_R9], r[GPR_R10], r[GPR_R11]);
	pr_answer("regs %s %u: r12 %016llx r13 %016llx r14 %016llx r15 %016llx\n", vm->cfg.name,
		  v->id, r[GPR_R12], r[GPR_R13], r[GPR_R14], r[GPR_R15]);
	for (unsigned int i = 0; i < VMCS_GUEST_NSEGS; i++)
		pr_answer("regs %s %u: %-4s sel %04llx base %016llx limit %08llx ar %05llx\n",
			  vm->cfg.name, v->id, vmcs_guest_segs[i].name,
			  vcpu_snap_get(&s, vmcs_guest_segs[i].sel),
			  vcpu_snap_get(&s, vmcs_guest_segs[i].base),
			  vcpu_snap_get(&s, vmcs_guest_segs[i].limit),
			  vcpu_snap_get(&s, vmcs_guest_segs[i].ar));
	pr_answer("regs %s %u: gdtr %016llx/%04llx idtr %016llx/%04llx\n", vm->cfg.name, v->id,
		  vcpu_snap_get(&s, VMCS_GUEST_GDTR_BASE),
		  vcpu_snap_get(&s, VMCS_GUEST_GDTR_LIMIT),
		  vcpu_snap_get(&s, VMCS_GUEST_IDTR_BASE),
		  vcpu_snap_get(&s, VMCS_GUEST_IDTR_LIMIT));
	pr_answer("regs %s %u: cr0 %016llx cr3 %016llx cr4 %016llx efer %016llx\n", vm->cfg.name,
		  v->id, shell_guest_cr(&s, VMCS_GUEST_CR0, VMCS_CR0_MASK, VMCS_CR0_SHADOW),
		  vcpu_snap_get(&s, VMCS_GUEST_CR3),
		  shell_guest_cr(&s, VMCS_GUEST_CR4, VMCS_CR4_MASK, VMCS_CR4_SHADOW),
		  vcpu_snap_get(&s, VMCS_GUEST_EFER));
}

static void cmd_vmcs(const struct shell_parsed *p)
{
	static struct vcpu_snapshot s;
	struct vm *vm = shell_vm(p->str[0]);
	struct vcpu *v = vm ? shell_vcpu(vm, p->num[1]) : NULL;

	if (!v || !shell_peek(vm, v, &s))
		return;
	for (unsigned int i = 0; i < vcpu_peek_nfields; i++)
		pr_answer("vmcs %s %u: %-18s (%04x) %016llx\n", vm->cfg.name, v->id,
			  vcpu_peek_fields[i].name, vcpu_peek_fields[i].enc, s.field[i]);
}

/* One dump line: @n (1..16) bytes at @p, shown as at @addr. */
static void shell_dump_line(const char *tag, u64 addr, const u8 *p, unsigned int n)
{
	char hex[16 * 3 + 1], text[17];

	memset(hex, ' ', sizeof(hex) - 1);
	hex[sizeof(hex) - 1] = '\0';
	for (unsigned int b = 0; b < n && b < 16; b++) {
		static const char digits[] = "0123456789abcdef";

		hex[3 * b] = digits[p[b] >> 4];
		hex[3 * b + 1] = digits[p[b] & 15];
		text[b] = guest_text_byte(p[b]);
	}
	text[MIN(n, 16u)] = '\0';
	pr_answer("%s %016llx: %s|%s|\n", tag, addr, hex, text);
}

/* Hex and (filtered) text, 16 bytes a line, addresses from @addr. */
static void shell_dump(const char *tag, u64 addr, const u8 *buf, unsigned int len)
{
	for (unsigned int off = 0; off < len; off += 16)
		shell_dump_line(tag, addr + off, buf + off, MIN(16u, len - off));
}

static bool shell_dump_len(const struct shell_parsed *p, unsigned int idx, unsigned int *len)
{
	u64 l = p->argc > idx ? p->num[idx] : SHELL_DUMP_DEFAULT;

	if (!l || l > SHELL_DUMP_MAX) {
		pr_answer("LEN must be 1..%u\n", SHELL_DUMP_MAX);
		return false;
	}
	*len = (unsigned int)l;
	return true;
}

static void cmd_mem(const struct shell_parsed *p)
{
	static u8 buf[SHELL_DUMP_MAX];
	struct vm *vm = shell_vm(p->str[0]);
	u64 gpa = p->num[1];
	unsigned int len;

	if (!vm || !shell_dump_len(p, 2, &len))
		return;
	if (!guest_range_ok(vm, gpa, len) || copy_from_guest(vm, buf, gpa, len)) {
		pr_answer("mem: %#llx+%u is not in vm %s's RAM (%llu MiB from 0)\n", gpa, len,
			  vm->cfg.name, vm->mem_size >> 20);
		return;
	}
	shell_dump("mem", gpa, buf, len);
}

/* [hpa, hpa + len) in one RAM or reserved range of the memory map, and mapped. */
static bool shell_hpa_ok(u64 hpa, u64 len)
{
	const struct memmap *mm = memmap_get();
	bool in = false;

	if (hpa + len < hpa)
		return false;
	for (unsigned int i = 0; i < mm->n_usable && !in; i++)
		in = hpa >= mm->usable[i].base && hpa + len <= mm->usable[i].base + mm->usable[i].len;
	for (unsigned int i = 0; i < mm->n_reserved && !in; i++)
		in = hpa >= mm->reserved[i].base &&
		     hpa + len <= mm->reserved[i].base + mm->reserved[i].len;
	if (!in)
		return false;
	for (u64 pa = ALIGN_DOWN(hpa, PAGE_SIZE); pa < hpa + len; pa += PAGE_SIZE)
		if (!paging_va_mapped((u64)arch_phys_to_virt(pa)))
			return false;
	return true;
}

static void cmd_hmem(const struct shell_parsed *p)
{
	u64 hpa = p->num[0];
	unsigned int len;

	if (!shell_dump_len(p, 1, &len))
		return;
	if (!shell_hpa_ok(hpa, len)) {
		pr_answer("hmem: %#llx+%u is not RAM the hypervisor maps\n", hpa, len);
		return;
	}
	shell_dump("hmem", hpa, arch_phys_to_virt(hpa), len);
}

static void cmd_gva(const struct shell_parsed *p)
{
	static const char *const modes[] = { "paging off", "32-bit", "PAE", "4-level", "5-level" };
	static struct vcpu_snapshot s;
	struct vm *vm = shell_vm(p->str[0]);
	struct vcpu *v = vm ? shell_vcpu(vm, p->num[1]) : NULL;
	struct gpt_walk_ctx ctx;
	struct gpt_walk_result res;
	enum gpt_mode mode;
	u64 gva = p->num[2];

	if (!v || !shell_peek(vm, v, &s))
		return;
	ctx = (struct gpt_walk_ctx){
		.cr0 = shell_guest_cr(&s, VMCS_GUEST_CR0, VMCS_CR0_MASK, VMCS_CR0_SHADOW),
		.cr3 = vcpu_snap_get(&s, VMCS_GUEST_CR3),
		.cr4 = shell_guest_cr(&s, VMCS_GUEST_CR4, VMCS_CR4_MASK, VMCS_CR4_SHADOW),
		.efer = vcpu_snap_get(&s, VMCS_GUEST_EFER),
		.rflags = vcpu_snap_get(&s, VMCS_GUEST_RFLAGS),
		.cpl = (u8)((vcpu_snap_get(&s, VMCS_GUEST_SS_AR) >> 5) & 3),
		.maxphyaddr = (u8)(cpuid_count(0x80000008u, 0).eax & 0xff),
		.gbpages = cpuid_count(0x80000001u, 0).edx & BIT(26),
		.read_gpa = guest_gpt_read,
		.opaque = vm,
	};
	for (unsigned int i = 0; i < 4; i++)
		ctx.pdpte[i] = vcpu_snap_get(&s, VMCS_GUEST_PDPTE0 + 2 * i);
	mode = gpt_paging_mode(&ctx);
	gpt_walk(&ctx, gva, GPT_ACC_NO_SIDE_EFFECTS | GPT_ACC_NO_PERM_CHECK, &res);
	if (mode == GPT_MODE_NONE && res.status == GPT_OK) {
		pr_answer("gva %s %u %#llx: gpa %#llx (paging off: the same address)\n",
			  vm->cfg.name, v->id, gva, res.gpa);
		return;
	}
	switch (res.status) {
	case GPT_OK:
		pr_answer("gva %s %u %#llx: gpa %#llx (%s, %llu KiB page, level %u,%s%s%s)\n",
			  vm->cfg.name, v->id, gva, res.gpa,
			  mode < ARRAY_SIZE(modes) ? modes[mode] : "?", (res.page_size >> 10),
			  res.level, res.perm & GPT_PERM_W ? " writable" : " read-only",
			  res.perm & GPT_PERM_U ? " user" : " supervisor",
			  res.perm & GPT_PERM_X ? " executable" : " no-execute");
		break;
	case GPT_FAULT:
		pr_answer("gva %s %u %#llx: not mapped (%s; the guest would take #PF, error code "
			  "%#x)\n", vm->cfg.name, v->id, gva,
			  mode < ARRAY_SIZE(modes) ? modes[mode] : "?", res.error_code);
		break;
	case GPT_NONCANONICAL:
		pr_answer("gva %s %u %#llx: not canonical\n", vm->cfg.name, v->id, gva);
		break;
	case GPT_BAD_GPA:
		pr_answer("gva %s %u %#llx: a page table at gpa %#llx is not in the VM's RAM\n",
			  vm->cfg.name, v->id, gva, res.bad_gpa);
		break;
	default:
		pr_answer("gva %s %u %#llx: the walk failed (status %d)\n", vm->cfg.name, v->id,
			  gva, res.status);
		break;
	}
}

static void shell_lock_line(const char *vm, const char *name, const struct lock_stats *st)
{
	pr_answer("lock %s %s: %llu acquisitions, %llu contended, longest wait %llu ns\n", vm, name,
		  st->acquisitions, st->contended, st->max_wait_ns);
}

static void cmd_locks(const struct shell_parsed *p)
{
	if (!vm_count)
		pr_answer("no vms: no locks to show\n");
	for (unsigned int i = 0; i < vm_count; i++) {
		struct vm *vm = vm_list[i];
		struct lock_stats st;

		lock_stats_read(&vm->mmu->mmu_lock, &st);
		shell_lock_line(vm->cfg.name, "mmu_lock", &st);
		lock_stats_read(&vm->mmu->roots_lock, &st);
		shell_lock_line(vm->cfg.name, "roots_lock", &st);
		lock_stats_read(&vm->mmu->memmap_lock, &st);
		shell_lock_line(vm->cfg.name, "memmap_lock", &st);
		lock_stats_read(&vm->lock, &st);
		shell_lock_line(vm->cfg.name, "vm lock", &st);
		lock_stats_read(&vm->console.lock, &st);
		shell_lock_line(vm->cfg.name, "console lock", &st);
	}
}

static void cmd_ebr(const struct shell_parsed *p)
{
	if (!vm_count)
		pr_answer("no vms: no EBR domains\n");
	for (unsigned int i = 0; i < vm_count; i++) {
		struct ebr_stats st;

		ebr_stats_read(&vm_list[i]->mmu->ebr, &st);
		pr_answer("ebr %s: epoch %llu, %llu advances, %llu retired, %llu freed, %llu pending "
			  "(peak %llu), %llu waits at the backlog limit\n", vm_list[i]->cfg.name,
			  st.epoch, st.advances, st.retired, st.freed,
			  st.pending, st.peak_pending, st.waits_for_backlog);
	}
}

static void cmd_loglevel(const struct shell_parsed *p)
{
	static const char *const names[] = { "err", "warn", "info", "debug" };

	printk_set_level((enum log_level)p->num[0]);
	pr_answer("log level %s\n", names[p->num[0]]);
}

static void cmd_cpuid(const struct shell_parsed *p)
{
	u64 sub = p->argc > 1 ? p->num[1] : 0;
	struct cpuid_regs r;

	if (p->num[0] > 0xffffffffull || sub > 0xffffffffull) {
		shell_usage(SHELL_CPUID);
		return;
	}
	r = cpuid_count((u32)p->num[0], (u32)sub);
	pr_answer("cpuid %#llx %#llx: eax %08x ebx %08x ecx %08x edx %08x\n", p->num[0],
		  sub, r.eax, r.ebx, r.ecx, r.edx);
}

static void cmd_rdmsr(const struct shell_parsed *p)
{
	u64 val;

	if (p->num[0] > 0xffffffffull) {
		shell_usage(SHELL_RDMSR);
		return;
	}
	if (rdmsr_safe((u32)p->num[0], &val))
		pr_answer("msr %#llx: #GP (this CPU has no such MSR)\n", p->num[0]);
	else
		pr_answer("msr %#llx: %#llx\n", p->num[0], val);
}

static void cmd_vm_stop(const struct shell_parsed *p)
{
	struct vm *vm = shell_vm(p->str[0]);

	if (!vm)
		return;
	if (vm_is_stopped(vm)) {
		pr_answer("vm %s is stopped already\n", vm->cfg.name);
		return;
	}
	pr_answer("hv: vm %s: stop requested from the shell\n", vm->cfg.name);
	vm_stop(vm, "stopped from the shell");
}

static void cmd_vm_start(const struct shell_parsed *p)
{
	struct vm *vm = shell_vm(p->str[0]);

	if (!vm)
		return;
	switch (vm_start_again(vm)) {
	case 0:
		break;
	case -1:
		pr_answer("vm %s: every VM has stopped and hv gave their memory back\n", vm->cfg.name);
		break;
	default:
		pr_answer("vm %s is running (vm restart rebuilds a running VM)\n", vm->cfg.name);
		break;
	}
}

static void cmd_vm_restart(const struct shell_parsed *p)
{
	struct vm *vm = shell_vm(p->str[0]);

	if (!vm)
		return;
	if (vm_is_stopped(vm)) {
		pr_answer("vm %s is stopped (vm start runs it again)\n", vm->cfg.name);
		return;
	}
	pr_answer("hv: vm %s: restart requested from the shell\n", vm->cfg.name);
	vm_restart_request(vm);
}

static void cmd_reboot(const struct shell_parsed *p)
{
	pr_answer("hv: rebooting\n");
	/* The reset control register (0xCF9: full reset), then the keyboard controller. */
	outb(0xcf9, 0x02);
	outb(0xcf9, 0x06);
	tsc_delay_us(10000);
	outb(0x64, 0xfe);
	tsc_delay_us(10000);
	pr_answer("hv: reboot did not happen (neither 0xCF9 nor the i8042 reset this machine)\n");
}

static void cmd_gdb(const struct shell_parsed *p)
{
	struct vm *vm = shell_vm(p->str[0]);

	if (vm)
		gdb_select_vm(vm);
}

typedef void (*shell_fn)(const struct shell_parsed *p);

static const shell_fn shell_fns[SHELL_NCMDS] = {
	[SHELL_HELP] = cmd_help,	 [SHELL_VERSION] = cmd_version,
	[SHELL_CPUS] = cmd_cpus,	 [SHELL_VMS] = cmd_vms,
	[SHELL_VCPUS] = cmd_vcpus,	 [SHELL_REGS] = cmd_regs,
	[SHELL_VMCS] = cmd_vmcs,	 [SHELL_MEM] = cmd_mem,
	[SHELL_HMEM] = cmd_hmem,	 [SHELL_GVA] = cmd_gva,
	[SHELL_EPT] = cmd_ept,		 [SHELL_EXITS] = cmd_exits,
	[SHELL_LOCKS] = cmd_locks,	 [SHELL_EBR] = cmd_ebr,
	[SHELL_TRACE] = cmd_trace,	 [SHELL_LOGLEVEL] = cmd_loglevel,
	[SHELL_CPUID] = cmd_cpuid,	 [SHELL_RDMSR] = cmd_rdmsr,
	[SHELL_VM_STOP] = cmd_vm_stop,	 [SHELL_VM_START] = cmd_vm_start,
	[SHELL_VM_RESTART] = cmd_vm_restart, [SHELL_REBOOT] = cmd_reboot,
	[SHELL_GDB] = cmd_gdb,
};

void shell_run(char *line)
{
	struct shell_parsed p;
	char first[SHELL_NAME_MAX + 1];
	unsigned int i;

	/* The first word, for the "unknown" answer (the parser splits the line in place). */
	while (*line == ' ' || *line == '\t')
		line++;
	for (i = 0; i < SHELL_NAME_MAX && line[i] && line[i] != ' ' && line[i] != '\t'; i++)
		first[i] = guest_text_byte((u8)line[i]);
	first[i] = '\0';
	switch (shell_parse(line, &p)) {
	case SHELL_PARSE_EMPTY:
		return;
	case SHELL_PARSE_UNKNOWN:
		pr_answer("unknown command %s (help lists the commands)\n", first);
		return;
	case SHELL_PARSE_BADARGS:
		shell_usage(p.cmd);
		return;
	case SHELL_PARSE_OK:
		shell_fns[p.cmd](&p);
		return;
	}
}
