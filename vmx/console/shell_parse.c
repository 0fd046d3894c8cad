// SPDX-License-Identifier: MIT
/* The shell's command table and parser (vmx/console/shell_parse.h). */
#include "vmx/console/shell_parse.h"

#include "lib/string.h"

#define N	SHELL_ARG_NAME
#define U	SHELL_ARG_NUM
#define L	SHELL_ARG_LEVEL

const struct shell_cmd_desc shell_cmds[SHELL_NCMDS] = {
	[SHELL_HELP]	 = { "help", "help", "list the commands and their usage", 0, 0, { 0 } },
	[SHELL_VERSION]	 = { "version", "version", "hv's version and build", 0, 0, { 0 } },
	[SHELL_CPUS]	 = { "cpus", "cpus", "per CPU: online, APIC id, what runs, exits per second",
			     0, 0, { 0 } },
	[SHELL_VMS]	 = { "vms", "vms", "the VMs: state, memory, vCPUs, exits", 0, 0, { 0 } },
	[SHELL_VCPUS]	 = { "vcpus", "vcpus NAME", "a VM's vCPUs: CPU, state, exits", 1, 0, { N } },
	[SHELL_REGS]	 = { "regs", "regs NAME VCPU",
			     "GPRs, RIP, RFLAGS, segment and control registers", 2, 0, { N, U } },
	[SHELL_VMCS]	 = { "vmcs", "vmcs NAME VCPU", "the vCPU's VMCS fields", 2, 0, { N, U } },
	[SHELL_MEM]	 = { "mem", "mem NAME GPA [LEN]", "hex dump of guest memory (LEN <= 256)",
			     2, 1, { N, U, U } },
	[SHELL_HMEM]	 = { "hmem", "hmem HPA [LEN]", "hex dump of host memory (LEN <= 256)", 1, 1,
			     { U, U } },
	[SHELL_GVA]	 = { "gva", "gva NAME VCPU GVA", "walk the guest's page tables for GVA", 3, 0,
			     { N, U, U } },
	[SHELL_EPT]	 = { "ept", "ept NAME [GPA]",
			     "EPT mapping statistics, or the walk of one guest-physical address", 1,
			     1, { N, U } },
	[SHELL_EXITS]	 = { "exits", "exits NAME",
			     "a VM's exits per reason, with exit-to-entry latency histograms", 1, 0,
			     { N } },
	[SHELL_LOCKS]	 = { "locks", "locks", "contention statistics of the VMs' locks", 0, 0, { 0 } },
	[SHELL_EBR]	 = { "ebr", "ebr", "epochs, backlog and grace periods per VM", 0, 0, { 0 } },
	[SHELL_TRACE]	 = { "trace", "trace [CPU]",
			     "recent exits, injections, kicks and flushes (of every CPU, or all of one)",
			     0, 1, { U } },
	[SHELL_LOGLEVEL] = { "loglevel", "loglevel err|warn|info|debug|0..3", "set the log level",
			     1, 0, { L } },
	[SHELL_CPUID]	 = { "cpuid", "cpuid LEAF [SUB]", "CPUID on this CPU", 1, 1, { U, U } },
	[SHELL_RDMSR]	 = { "rdmsr", "rdmsr MSR", "read an MSR on this CPU (a #GP is reported)", 1,
			     0, { U } },
	[SHELL_VM_STOP]	 = { "vm stop", "vm stop NAME", "stop a VM (the others keep running)", 1, 0,
			     { N } },
	[SHELL_VM_START] = { "vm start", "vm start NAME",
			     "build a stopped VM again from its boot modules and run it", 1, 0, { N } },
	[SHELL_VM_RESTART] = { "vm restart", "vm restart NAME",
			       "stop a VM and build it again from its boot modules", 1, 0, { N } },
	[SHELL_REBOOT]	 = { "reboot", "reboot", "reset the machine", 0, 0, { 0 } },
	[SHELL_GDB]	 = { "gdb", "gdb NAME", "let GDB debug vm NAME on the gdb= port (docs/gdb.md)",
			     1, 0, { N } },
};

#undef N
#undef U
#undef L

#define SHELL_MAX_WORDS	(2 + SHELL_MAX_ARGS + 1)	/* one more: "too many" */

static bool shell_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Split @line in place; returns the word count (at most SHELL_MAX_WORDS). */
static unsigned int shell_split(char *line, char *words[SHELL_MAX_WORDS])
{
	unsigned int n = 0, i = 0;

	while (i < SHELL_LINE_MAX && line[i]) {
		while (i < SHELL_LINE_MAX && line[i] && shell_blank(line[i]))
			i++;
		if (i >= SHELL_LINE_MAX || !line[i])
			break;
		if (n == SHELL_MAX_WORDS)
			return n;
		words[n++] = &line[i];
		while (i < SHELL_LINE_MAX && line[i] && !shell_blank(line[i]))
			i++;
		if (i < SHELL_LINE_MAX && line[i])
			line[i++] = '\0';
		else
			line[i] = '\0';	/* a word cut at SHELL_LINE_MAX ends there */
	}
	return n;
}

static bool shell_name_ok(const char *s)
{
	size_t n = strnlen(s, SHELL_NAME_MAX + 1);

	if (!n || n > SHELL_NAME_MAX)
		return false;
	for (; *s; s++) {
		char c = *s;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.'))
			return false;
	}
	return true;
}

static bool shell_num(const char *s, u64 *out)
{
	const char *end;

	return str_to_u64(s, &end, 0, out) == 0 && end != s && !*end;
}

static bool shell_level(const char *s, u64 *out)
{
	static const char *const names[] = { "err", "warn", "info", "debug" };

	for (unsigned int i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(s, names[i])) {
			*out = i;
			return true;
		}
	}
	return shell_num(s, out) && *out < ARRAY_SIZE(names);
}

/* The command named by the first words; *used = how many words its name took. */
static int shell_lookup(char *const *words, unsigned int n, unsigned int *used)
{
	size_t len0 = strlen(words[0]);
	int family = -1;

	for (unsigned int c = 0; c < SHELL_NCMDS; c++) {
		const char *name = shell_cmds[c].name;
		const char *sp = strchr(name, ' ');

		if (!sp) {
			if (!strcmp(name, words[0])) {
				*used = 1;
				return (int)c;
			}
			continue;
		}
		if ((size_t)(sp - name) != len0 || strncmp(name, words[0], len0))
			continue;
		if (family < 0)		/* "vm" alone or "vm frob": the family's first usage */
			family = (int)c;
		if (n > 1 && !strcmp(sp + 1, words[1])) {
			*used = 2;
			return (int)c;
		}
	}
	if (family >= 0) {
		*used = 0;
		return -2 - family;
	}
	return -1;
}

enum shell_parse_status shell_parse(char *line, struct shell_parsed *out)
{
	char *words[SHELL_MAX_WORDS];
	unsigned int n, used = 0, i;
	const struct shell_cmd_desc *d;
	int c;

	memset(out, 0, sizeof(*out));
	n = shell_split(line, words);
	if (!n)
		return SHELL_PARSE_EMPTY;
	c = shell_lookup(words, n, &used);
	if (c == -1)
		return SHELL_PARSE_UNKNOWN;
	if (c < -1) {
		out->cmd = (enum shell_cmd_id)(-2 - c);
		return SHELL_PARSE_BADARGS;
	}
	out->cmd = (enum shell_cmd_id)c;
	d = &shell_cmds[c];
	out->argc = n - used;
	if (out->argc < d->nreq || out->argc > (unsigned int)(d->nreq + d->nopt))
		return SHELL_PARSE_BADARGS;
	for (i = 0; i < out->argc; i++) {
		const char *w = words[used + i];
		bool ok;

		out->str[i] = w;
		switch (d->kind[i]) {
		case SHELL_ARG_NAME:
			ok = shell_name_ok(w);
			break;
		case SHELL_ARG_NUM:
			ok = shell_num(w, &out->num[i]);
			break;
		case SHELL_ARG_LEVEL:
			ok = shell_level(w, &out->num[i]);
			break;
		default:
			ok = false;
			break;
		}
		if (!ok)
			return SHELL_PARSE_BADARGS;
	}
	return SHELL_PARSE_OK;
}
