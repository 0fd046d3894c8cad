/* SPDX-License-Identifier: MIT */
/*
 * Exception vectors (Intel SDM vol. 3, "Exception and Interrupt Reference"):
 * one home, shared by the host's trap handling (arch/x86/traps.c) and the
 * portable instruction emulator, which raises them for guests.
 */
#ifndef LIB_X86_TRAPS_H
#define LIB_X86_TRAPS_H

#define X86_TRAP_DE  0
#define X86_TRAP_DB  1
#define X86_TRAP_NMI 2
#define X86_TRAP_BP  3
#define X86_TRAP_UD  6
#define X86_TRAP_DF  8
#define X86_TRAP_SS  12
#define X86_TRAP_GP  13
#define X86_TRAP_PF  14
#define X86_TRAP_MC  18

#endif /* LIB_X86_TRAPS_H */
