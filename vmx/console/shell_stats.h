/* SPDX-License-Identifier: MIT */
/*
 * The shell's statistics commands (vmx/console/shell_stats.c): "exits
 * NAME", "trace [CPU]" and "ept NAME [GPA]", and what they share with
 * vmx/console/shell.c.
 */
#ifndef VMX_CONSOLE_SHELL_STATS_H
#define VMX_CONSOLE_SHELL_STATS_H

struct shell_parsed;
struct vm;

/* The VM called @name, or NULL after "no vm named NAME". */
struct vm *shell_vm(const char *name);

void cmd_exits(const struct shell_parsed *p);
void cmd_trace(const struct shell_parsed *p);
void cmd_ept(const struct shell_parsed *p);

#endif /* VMX_CONSOLE_SHELL_STATS_H */
