/* SPDX-License-Identifier: MIT */
/*
 * Hypervisor command line.  Words are separated by blanks; a double quote
 * starts/ends a quoted stretch in which blanks are kept (the quotes are
 * removed): vm="a b".  Each word is NAME or NAME=VALUE and is looked up in
 * the option table in boot/cmdline.c; adding an option means adding a table
 * entry (and a field here), never touching the parser.
 *
 * Unknown options and bad values are reported with pr_warn, quoting the
 * word, and otherwise ignored: the previous (default) value stays.
 *
 * Options:
 *   console=com1|com2|com3|com4|0xPORT|PORT[,BAUD]   serial console (default com1,115200)
 *   loglevel=err|warn|info|debug|0..3                   log level (default info)
 *   maxcpus=N                                           use at most N CPUs (N >= 1)
 *   nosmp                                               boot the BSP only (maxcpus=1)
 *   vm=NAME,mod=MODULE,mem=MIB,cpus=LIST[,entry=..]     a VM (repeatable; kept as text here,
 *                                                       parsed by vmx/vm/vm_config.c, docs/vmx.md)
 *   debug.fault=ud|pf|gp|stack|nmi                      debugging aid: raise that exception
 *                                                       (stack: overflow the stack into its
 *                                                       guard page; nmi: a self-NMI, which
 *                                                       is reported and survived) after the
 *                                                       boot report
 *   debug.nosipi=APICID                                 debugging aid: send that CPU no
 *                                                       start-up IPI, so it never comes up
 *                                                       (tests the "did not come up" path)
 *   debug.rsdpscan                                      debugging aid: ignore the loader's
 *                                                       RSDP and scan the BIOS areas for it
 *
 * A first word that contains '/' and no '=' is the image path some loaders
 * prepend; it is skipped.
 */
#ifndef BOOT_CMDLINE_H
#define BOOT_CMDLINE_H

#include "lib/compiler.h"
#include "lib/platform.h"
#include "lib/printk.h"

#define CMDLINE_DEFAULT_PORT	0x3f8
#define CMDLINE_DEFAULT_BAUD	115200
#define CMDLINE_WORD_MAX	256	/* longer words are reported and skipped */

/* debug.fault=: the exception hv_main raises on purpose after the boot report. */
enum cmdline_fault {
	CMDLINE_FAULT_NONE,
	CMDLINE_FAULT_UD,
	CMDLINE_FAULT_PF,
	CMDLINE_FAULT_GP,
	CMDLINE_FAULT_STACK,
	CMDLINE_FAULT_NMI,
};

struct hv_config {
	u16 console_port;
	u32 console_baud;
	u16 gdb_port;			/* gdb=: the GDB stub's UART, 0 = none */
	u32 gdb_baud;
	enum log_level loglevel;
	unsigned int maxcpus;		/* 0: no limit */
	bool nosmp;
	bool trace_off;			/* trace=off: no event rings */
	unsigned int errors;		/* words reported as bad or unknown */
	char vm_opts[HV_MAX_VMS][CMDLINE_WORD_MAX];	/* vm= values, in order */
	unsigned int vm_count;
	enum cmdline_fault debug_fault;
	bool debug_nosipi;		/* debug.nosipi= given */
	u32 debug_nosipi_apic;		/* its APIC id */
	bool debug_rsdp_scan;		/* debug.rsdpscan given */
};

/* Fill @cfg with the defaults. */
void cmdline_defaults(struct hv_config *cfg);

/**
 * cmdline_parse() - apply a command line to @cfg.
 * @s:   the command line (NULL or "" leave @cfg unchanged)
 * @cfg: configuration; the caller sets defaults first (cmdline_defaults)
 *
 * Return: number of words rejected (unknown option, bad value, too long,
 * unterminated quote); each was reported with pr_warn.
 */
int cmdline_parse(const char *s, struct hv_config *cfg);

#endif /* BOOT_CMDLINE_H */
