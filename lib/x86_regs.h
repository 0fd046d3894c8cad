/* SPDX-License-Identifier: MIT */
/*
 * Architectural bits of CR0, CR3, CR4, EFER, RFLAGS and PKRU (Intel SDM
 * vol. 3A 2.5 "Control Registers", 2.2.1 "EFER", 4.6.2 "Protection Keys"):
 * one home for both builds.  Portable code (vmx/emul/) decodes guest state
 * with them; the instructions that read and write the registers stay in
 * arch/x86/cpu.h, which includes this file.
 */
#ifndef LIB_X86_REGS_H
#define LIB_X86_REGS_H

#include "lib/compiler.h"

#define EFER_SCE BIT(0)
#define EFER_LME BIT(8)
#define EFER_LMA BIT(10)
#define EFER_NXE BIT(11)

#define X86_CR0_PE	   BIT(0)
#define X86_CR0_MP	   BIT(1)
#define X86_CR0_EM	   BIT(2)
#define X86_CR0_TS	   BIT(3)
#define X86_CR0_ET	   BIT(4)
#define X86_CR0_NE	   BIT(5)
#define X86_CR0_WP	   BIT(16)
#define X86_CR0_AM	   BIT(18)
#define X86_CR0_NW	   BIT(29)
#define X86_CR0_CD	   BIT(30)
#define X86_CR0_PG	   BIT(31)

/* CR3: with CR4.PCIDE = 1, bits 11:0 are the PCID instead of PWT/PCD. */
#define X86_CR3_PWT	   BIT(3)
#define X86_CR3_PCD	   BIT(4)
#define X86_CR3_PCID_MASK  GENMASK(11, 0)

#define X86_CR4_VME	   BIT(0)
#define X86_CR4_PVI	   BIT(1)
#define X86_CR4_TSD	   BIT(2)
#define X86_CR4_DE	   BIT(3)
#define X86_CR4_PSE	   BIT(4)
#define X86_CR4_PAE	   BIT(5)
#define X86_CR4_MCE	   BIT(6)
#define X86_CR4_PGE	   BIT(7)
#define X86_CR4_PCE	   BIT(8)
#define X86_CR4_OSFXSR	   BIT(9)
#define X86_CR4_OSXMMEXCPT BIT(10)
#define X86_CR4_UMIP	   BIT(11)
#define X86_CR4_LA57	   BIT(12)
#define X86_CR4_VMXE	   BIT(13)
#define X86_CR4_SMXE	   BIT(14)
#define X86_CR4_FSGSBASE   BIT(16)
#define X86_CR4_PCIDE	   BIT(17)
#define X86_CR4_OSXSAVE	   BIT(18)
#define X86_CR4_SMEP	   BIT(20)
#define X86_CR4_SMAP	   BIT(21)
#define X86_CR4_PKE	   BIT(22)
#define X86_CR4_CET	   BIT(23)
#define X86_CR4_PKS	   BIT(24)

#define X86_RFLAGS_CF	   BIT(0)
#define X86_RFLAGS_PF	   BIT(2)
#define X86_RFLAGS_AF	   BIT(4)
#define X86_RFLAGS_ZF	   BIT(6)
#define X86_RFLAGS_SF	   BIT(7)
#define X86_RFLAGS_TF	   BIT(8)
#define X86_RFLAGS_IF	   BIT(9)
#define X86_RFLAGS_DF	   BIT(10)
#define X86_RFLAGS_OF	   BIT(11)
#define X86_RFLAGS_RF	   BIT(16)
#define X86_RFLAGS_VM	   BIT(17)
#define X86_RFLAGS_AC	   BIT(18)
/* The status flags the arithmetic instructions write. */
#define X86_RFLAGS_ARITH   (X86_RFLAGS_CF | X86_RFLAGS_PF | X86_RFLAGS_AF | X86_RFLAGS_ZF | \
			    X86_RFLAGS_SF | X86_RFLAGS_OF)

/* PKRU: two bits per protection key 0..15, access-disable and write-disable. */
#define PKRU_AD(key)	   (1u << (2 * (key)))
#define PKRU_WD(key)	   (1u << (2 * (key) + 1))

/* Exception vectors the GDB stub traps (vmx/gdb/gdb_stub.c). */
#define X86_EXC_DB	   1
#define X86_EXC_BP	   3

/* Debug registers: DR6 as after reset, its hit bits (B0-B3, BD, BS); DR7's fixed bit 10. */
#define X86_DR6_FIXED	   0xffff0ff0ull
#define X86_DR6_B(n)	   (1ull << (n))
#define X86_DR6_BD	   (1ull << 13)
#define X86_DR6_BS	   (1ull << 14)
#define X86_DR6_HITS	   (0xfull | X86_DR6_BD | X86_DR6_BS)
#define X86_DR7_FIXED	   (1ull << 10)
#define X86_DR7_L(n)	   (1ull << (2 * (n)))	/* local enable of DRn */

#endif /* LIB_X86_REGS_H */
