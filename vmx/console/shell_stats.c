// SPDX-License-Identifier: MIT
/*
 * "exits NAME", "trace [CPU]" and "ept NAME [GPA]" (docs/console.md).  Like
 * every command they run on the BSP with interrupts off (vmx/console/
 * shell.c).  Exit histograms are read racily (R18), trace rings by
 * snapshot (R19), the EPT through the iterator inside an EBR section of the
 * VM's domain, holding a reference to its active root (R7), no lock.
 */
#include "vmx/console/shell_stats.h"

#include "arch/x86/percpu.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/ebr.h"
#include "mm/ept_mmu.h"
#include "mm/memslot.h"
#include "vmx/console/shell_parse.h"
#include "vmx/stats/ept_report.h"
#include "vmx/stats/exit_stats.h"
#include "vmx/stats/trace.h"
#include "vmx/vm/vm.h"
#include "vmx/vmx_error.h"


/* "trace" without a CPU: the newest events of each CPU. */
#define SHELL_TRACE_RECENT	16

static const char *shell_reason_name(unsigned int row)
{
	return row < EXIT_REASON_MAX ? vmx_exit_reason_str(row) : "(other)";
}

void cmd_exits(const struct shell_parsed *p)
{
	struct vm *vm = shell_vm(p->str[0]);
	u64 total = 0;

	if (!vm)
		return;
	for (unsigned int r = 0; r < EXIT_STATS_REASONS; r++) {
		u64 hist[EXIT_LAT_BUCKETS] = { 0 }, n = 0;
		char label[32];

		for (unsigned int j = 0; j < vm->nvcpus; j++)
			n += exit_stats_read_row(vm->vcpus[j]->stats, r, hist);
		if (!n)
			continue;
		total += n;
		exit_lat_label(exit_lat_median(hist, n), label, sizeof(label));
		pr_answer("exits %s: %3u %-28s %llu (median %s ticks)\n", vm->cfg.name, r,
			  shell_reason_name(r), n, label);
		for (unsigned int b = 0; b < EXIT_LAT_BUCKETS; b++) {
			if (!hist[b])
				continue;
			exit_lat_label(b, label, sizeof(label));
			pr_answer("exits %s: %3u   %21s ticks %llu\n", vm->cfg.name, r, label,
				  hist[b]);
		}
	}
	pr_answer("exits %s: total %llu\n", vm->cfg.name, total);
}

static const char *shell_trace_vm(u32 who)
{
	for (unsigned int i = 0; i < vm_count; i++)
		if (vm_list[i]->id == TRACE_WHO_VM(who))
			return vm_list[i]->cfg.name;
	return "?";
}

static const char *shell_trace_reason(u32 reason)
{
	return shell_reason_name(exit_stats_row(reason));
}

/* CPU @cpu's ring: its newest @max events, oldest first. */
static void shell_trace_cpu(unsigned int cpu, unsigned int max)
{
	static struct trace_event ev[TRACE_RING_EVENTS];
	struct trace_ring *r = trace_ring_of(cpu);
	unsigned int n, from;
	u64 first;

	if (!r) {
		pr_answer("trace cpu %u: no ring (tracing is off, or the CPU is not online)\n",
			  cpu);
		return;
	}
	n = trace_ring_snapshot(r, ev, &first);
	from = n > max ? n - max : 0;
	pr_answer("trace cpu %u: %llu events so far, the last %u (ticks since the one before):\n",
		  cpu, first + n, n - from);
	for (unsigned int i = from; i < n; i++) {
		char what[96];

		trace_event_describe(&ev[i], shell_trace_reason, what, sizeof(what));
		pr_answer("trace cpu %u: #%llu +%llu vm %s vcpu %u %s\n", cpu, first + i,
			  i > from ? ev[i].tsc - ev[i - 1].tsc : 0, shell_trace_vm(ev[i].who),
			  TRACE_WHO_VCPU(ev[i].who), what);
	}
}

void cmd_trace(const struct shell_parsed *p)
{
	if (p->argc) {
		if (p->num[0] >= HV_MAX_CPUS || !percpu_of((unsigned int)p->num[0])) {
			pr_answer("trace: no cpu %llu (cpus lists them)\n", p->num[0]);
			return;
		}
		shell_trace_cpu((unsigned int)p->num[0], TRACE_RING_EVENTS);
		return;
	}
	for (unsigned int cpu = 0; cpu < HV_MAX_CPUS; cpu++) {
		struct percpu *pc = percpu_of(cpu);

		if (pc && READ_ONCE(pc->online))
			shell_trace_cpu(cpu, SHELL_TRACE_RECENT);
	}
}

static void shell_ept_stats(struct vm *vm, struct ept_root *root)
{
	struct ept_map_stats st;

	ept_report_stats(root->page->spt, root->level, &st);
	pr_answer("ept %s: %d-level root; present entries:", vm->cfg.name, root->level);
	for (int l = root->level; l >= EPT_LEVEL_4K; l--)
		pr_answer(" level %d %llu%s", l, st.present[l], l > EPT_LEVEL_4K ? "," : "\n");
	pr_answer("ept %s: leaves: %llu 4K, %llu 2M, %llu 1G (%llu KiB mapped); %llu tables; "
		  "%llu frozen, %llu poisoned\n", vm->cfg.name, st.leaves[EPT_LEVEL_4K],
		  st.leaves[EPT_LEVEL_2M], st.leaves[EPT_LEVEL_1G],
		  st.mapped_bytes >> 10, st.tables, st.frozen, st.poison);
}

static const char *shell_ept_memtype(unsigned int mt)
{
	static const char *const names[8] = { "UC", "WC", "?2", "?3", "WT", "WP", "WB", "?7" };

	return names[mt & 7];
}

static void shell_ept_walk(struct vm *vm, struct ept_root *root, u64 gpa)
{
	struct ept_walk_step steps[EPT_MAX_LEVEL];
	unsigned int n = ept_report_walk(root->page->spt, root->level, gpa, steps);

	for (unsigned int i = 0; i < n; i++) {
		u64 e = steps[i].entry;
		int l = steps[i].level;
		char rights[4] = { e & EPT_R ? 'r' : '-', e & EPT_W ? 'w' : '-',
				   e & EPT_X ? 'x' : '-', '\0' };

		if (ept_is_leaf(e, l))
			pr_answer("ept %s %#llx: level %d entry %016llx leaf %s, %s%s, hpa %#llx\n",
				  vm->cfg.name, gpa, l, e, rights,
				  shell_ept_memtype(ept_entry_memtype(e)), e & EPT_IPAT ? " ipat" : "",
				  ept_report_leaf_hpa(e, l, gpa));
		else if (ept_is_table(e, l))
			pr_answer("ept %s %#llx: level %d entry %016llx table %s at %#llx\n",
				  vm->cfg.name, gpa, l, e, rights, e & EPT_PFN_MASK);
		else
			pr_answer("ept %s %#llx: level %d entry %016llx %s\n", vm->cfg.name, gpa,
				  l, e, ept_is_frozen(e) ? "frozen (being changed)" :
				  ept_is_poison(e) ? "poisoned (a freed table)" :
				  "not present (the first access maps it)");
	}
}

/* @gpa is in one of the VM's memory slots and the root covers it (inside EBR). */
static bool shell_ept_in_slot(struct vm *vm, const struct ept_root *root, u64 gpa)
{
	const struct ept_memmap *map = ept_memmap_get(vm->mmu);

	return map && gpa >> PAGE_SHIFT < ept_root_gfn_span(root->level) &&
	       ept_memslot_find(map, gpa >> PAGE_SHIFT);
}

void cmd_ept(const struct shell_parsed *p)
{
	struct vm *vm = shell_vm(p->str[0]);
	struct ept_root *root;
	struct ebr_rec *rec;

	if (!vm)
		return;
	if (vm_is_stopped(vm)) {
		pr_answer("ept: vm %s is stopped: it has no EPT\n", vm->cfg.name);
		return;
	}
	root = ept_root_get_active(vm->mmu);
	if (!root) {
		pr_answer("ept: vm %s has no active EPT root\n", vm->cfg.name);
		return;
	}
	rec = ebr_rec_this(&vm->mmu->ebr);
	/* The iterator's rule (mm/ept_iter.h): every table it reaches stays allocated. */
	ebr_enter(rec);
	if (p->argc < 2) {
		shell_ept_stats(vm, root);
	} else if (!shell_ept_in_slot(vm, root, p->num[1])) {
		pr_answer("ept: %#llx is in no memory slot of vm %s (usage: %s)\n", p->num[1],
			  vm->cfg.name, shell_cmds[SHELL_EPT].usage);
	} else {
		shell_ept_walk(vm, root, p->num[1]);
	}
	ebr_exit(rec);
	ept_root_put(vm->mmu, root);
}
