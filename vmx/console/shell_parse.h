/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor shell's commands and their parser, portable (hosted unit
 * tests and the libFuzzer target tests/fuzz/fuzz_shell.c).  A line is split
 * at blanks into words; the first word (two for "vm stop") names a command
 * of shell_cmds[], the rest are its arguments, checked against the
 * command's kinds: a VM name, a number (C rules: 0x hex, 0 octal, decimal)
 * or a log level.  The handlers live in vmx/console/shell.c.
 */
#ifndef VMX_CONSOLE_SHELL_PARSE_H
#define VMX_CONSOLE_SHELL_PARSE_H

#include "lib/compiler.h"

enum shell_cmd_id {
	SHELL_HELP,
	SHELL_VERSION,
	SHELL_CPUS,
	SHELL_VMS,
	SHELL_VCPUS,
	SHELL_REGS,
	SHELL_VMCS,
	SHELL_MEM,
	SHELL_HMEM,
	SHELL_GVA,
	SHELL_EPT,
	SHELL_EXITS,
	SHELL_LOCKS,
	SHELL_EBR,
	SHELL_TRACE,
	SHELL_LOGLEVEL,
	SHELL_CPUID,
	SHELL_RDMSR,
	SHELL_VM_STOP,
	SHELL_VM_START,
	SHELL_VM_RESTART,
	SHELL_REBOOT,
	SHELL_GDB,
	SHELL_NCMDS,
};

enum shell_arg_kind {
	SHELL_ARG_NAME = 1,	/* 1..15 characters, [A-Za-z0-9_.-] */
	SHELL_ARG_NUM,		/* a 64-bit number */
	SHELL_ARG_LEVEL,	/* err|warn|info|debug|0..3, as a number */
};

#define SHELL_MAX_ARGS	3
#define SHELL_NAME_MAX	15

struct shell_cmd_desc {
	const char *name;	/* one word, or two ("vm stop") */
	const char *usage;	/* the whole usage line */
	const char *help;	/* what it does, one line */
	u8 nreq, nopt;		/* required and optional arguments, in that order */
	u8 kind[SHELL_MAX_ARGS];
};

extern const struct shell_cmd_desc shell_cmds[SHELL_NCMDS];

struct shell_parsed {
	enum shell_cmd_id cmd;
	unsigned int argc;			/* arguments given */
	const char *str[SHELL_MAX_ARGS];	/* each argument's word (in the line) */
	u64 num[SHELL_MAX_ARGS];		/* NUM and LEVEL arguments' values */
};

enum shell_parse_status {
	SHELL_PARSE_OK,
	SHELL_PARSE_EMPTY,	/* nothing but blanks */
	SHELL_PARSE_UNKNOWN,	/* no such command */
	SHELL_PARSE_BADARGS,	/* out->cmd is the command: print its usage */
};

#define SHELL_LINE_MAX	120

/**
 * shell_parse() - split @line and match it against shell_cmds[].
 * @line: the line, NUL-terminated, at most SHELL_LINE_MAX characters count;
 *        changed in place (words are NUL-terminated)
 * @out:  the command and its arguments (pointers into @line)
 *
 * Return: SHELL_PARSE_*; on BADARGS, out->cmd names the command whose
 * usage to show.
 */
enum shell_parse_status shell_parse(char *line, struct shell_parsed *out);

#endif /* VMX_CONSOLE_SHELL_PARSE_H */
