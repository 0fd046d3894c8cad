/* SPDX-License-Identifier: MIT */
/*
 * The APIC family's architectural facts, in one place: local APIC register
 * offsets and bits (Intel SDM vol. 3A, "Advanced Programmable Interrupt
 * Controller"), the x2APIC MSR mapping, IA32_APIC_BASE, interrupt-message
 * fields, and the I/O APIC's registers (82093AA datasheet; version 0x20
 * as in the ICH/PCH I/O APICs).  The device models (vlapic, vioapic), the
 * router and the VT-x glue all take their numbers from here.
 */
#ifndef LIB_X86_APIC_H
#define LIB_X86_APIC_H

#include "lib/compiler.h"

/* ------------------------------------- IA32_APIC_BASE (MSR_IA32_APIC_BASE) */

#define APIC_BASE_BSP		BIT(8)		/* read-only */
#define APIC_BASE_EXTD		BIT(10)		/* x2APIC mode */
#define APIC_BASE_EN		BIT(11)		/* globally enabled */
#define APIC_BASE_ADDR_SHIFT	12

/* A bit of a 32-bit APIC register (BIT() is 64 bits wide). */
#define APIC_BIT(n)		(1u << (n))

/* ------------------------------------------------- local APIC, xAPIC offsets */

/* Every register is 32 bits at a 16-byte aligned offset of the 4 KiB page. */
#define APIC_ID			0x020
#define APIC_VERSION		0x030
#define APIC_TPR		0x080
#define APIC_APR		0x090
#define APIC_PPR		0x0a0
#define APIC_EOI		0x0b0
#define APIC_RRD		0x0c0
#define APIC_LDR		0x0d0
#define APIC_DFR		0x0e0
#define APIC_SVR		0x0f0
#define APIC_ISR		0x100		/* 8 registers, 0x100..0x170 */
#define APIC_TMR		0x180		/* 8 registers, 0x180..0x1f0 */
#define APIC_IRR		0x200		/* 8 registers, 0x200..0x270 */
#define APIC_ESR		0x280
#define APIC_LVT_CMCI		0x2f0
#define APIC_ICR_LO		0x300
#define APIC_ICR_HI		0x310
#define APIC_LVT_TIMER		0x320
#define APIC_LVT_THERMAL	0x330
#define APIC_LVT_PERF		0x340
#define APIC_LVT_LINT0		0x350
#define APIC_LVT_LINT1		0x360
#define APIC_LVT_ERROR		0x370
#define APIC_TIMER_ICR		0x380		/* initial count */
#define APIC_TIMER_CCR		0x390		/* current count */
#define APIC_TIMER_DCR		0x3e0		/* divide configuration */
#define APIC_SELF_IPI		0x3f0		/* x2APIC only */
#define APIC_REG_PAGE_SIZE	0x1000

/* ISR/TMR/IRR: register n holds vectors 32n..32n+31. */
#define APIC_VEC_REG(base, vec)	((base) + (((vec) >> 5) << 4))
#define APIC_VEC_BIT(vec)	(1u << ((vec) & 31))

/* ----------------------------------------------------- x2APIC MSR mapping */

/* Register at xAPIC offset OFF is MSR 0x800 + OFF / 16 (SDM 10.12.1.2). */
#define X2APIC_MSR_FIRST	0x800u
#define X2APIC_MSR_LAST		0x8ffu
#define X2APIC_MSR(off)		(X2APIC_MSR_FIRST + ((off) >> 4))
#define X2APIC_MSR_OFFSET(msr)	(((msr) - X2APIC_MSR_FIRST) << 4)
#define X2APIC_MSR_ICR		X2APIC_MSR(APIC_ICR_LO)		/* 0x830, 64 bits */
#define X2APIC_MSR_SELF_IPI	X2APIC_MSR(APIC_SELF_IPI)	/* 0x83f */

/* ------------------------------------------------------------- fields */

#define APIC_VERSION_INTEGRATED	0x14		/* >= 0x14: Linux's "modern APIC" */
#define APIC_VERSION_MAXLVT_SHIFT 16
#define APIC_VERSION_EOI_SUPPRESS APIC_BIT(24)	/* SVR bit 12 is implemented */

#define APIC_TPR_MASK		0xffu
#define APIC_PRIO_CLASS(v)	((v) & 0xf0u)

#define APIC_DFR_FLAT		0xffffffffu	/* model 1111b; bits 27:0 read as ones */
#define APIC_DFR_CLUSTER	0x0fffffffu	/* model 0000b */
#define APIC_DFR_MODEL_MASK	0xf0000000u

#define APIC_SVR_VECTOR		0xffu
#define APIC_SVR_ENABLE		APIC_BIT(8)
#define APIC_SVR_EOI_SUPPRESS	APIC_BIT(12)

/* ESR bits (SDM 10.5.3). */
#define APIC_ESR_SEND_ILLEGAL	APIC_BIT(5)
#define APIC_ESR_RECV_ILLEGAL	APIC_BIT(6)
#define APIC_ESR_ILLEGAL_REG	APIC_BIT(7)

/* LVT entries. */
#define APIC_LVT_VECTOR		0xffu
#define APIC_LVT_DM_SHIFT	8
#define APIC_LVT_DM_MASK	(7u << 8)
#define APIC_LVT_PENDING	APIC_BIT(12)		/* delivery status, read-only */
#define APIC_LVT_POLARITY_LOW	APIC_BIT(13)		/* LINT0/1 */
#define APIC_LVT_REMOTE_IRR	APIC_BIT(14)		/* LINT0/1, read-only */
#define APIC_LVT_LEVEL		APIC_BIT(15)		/* LINT0/1 trigger mode */
#define APIC_LVT_MASKED		APIC_BIT(16)
#define APIC_LVT_TIMER_SHIFT	17
#define APIC_LVT_TIMER_MASK	(3u << 17)
#define APIC_TIMER_ONESHOT	0u
#define APIC_TIMER_PERIODIC	1u
#define APIC_TIMER_TSC_DEADLINE	2u
#define APIC_LVT_COUNT		7		/* CMCI, timer, thermal, perf, LINT0, LINT1, error */

/* Divide configuration: bits 3, 1:0. */
#define APIC_DCR_MASK		0xbu

/* ICR (low word; in x2APIC mode bits 63:32 are the destination). */
#define APIC_ICR_VECTOR		0xffu
#define APIC_ICR_DM_SHIFT	8
#define APIC_ICR_DM_MASK	(7u << 8)
#define APIC_ICR_LOGICAL	APIC_BIT(11)
#define APIC_ICR_BUSY		APIC_BIT(12)		/* xAPIC delivery status, read-only */
#define APIC_ICR_ASSERT		APIC_BIT(14)
#define APIC_ICR_LEVEL		APIC_BIT(15)
#define APIC_ICR_SH_SHIFT	18
#define APIC_ICR_SH_MASK	(3u << 18)
#define APIC_ICR_XAPIC_DEST_SHIFT 24		/* in ICR_HI */

/* Delivery modes (ICR, LVT, I/O APIC redirection entries). */
#define APIC_DM_FIXED		0u
#define APIC_DM_LOWEST		1u
#define APIC_DM_SMI		2u
#define APIC_DM_RESERVED	3u
#define APIC_DM_NMI		4u
#define APIC_DM_INIT		5u
#define APIC_DM_SIPI		6u
#define APIC_DM_EXTINT		7u

/* Destination shorthands. */
#define APIC_SH_NONE		0u
#define APIC_SH_SELF		1u
#define APIC_SH_ALL		2u
#define APIC_SH_ALL_BUT_SELF	3u

/* Broadcast destinations. */
#define APIC_XAPIC_BROADCAST	0xffu
#define APIC_X2APIC_BROADCAST	0xffffffffu

/* ------------------------------------------------------------ I/O APIC */

/* MMIO offsets in its page. */
#define IOAPIC_REGSEL		0x00
#define IOAPIC_WINDOW		0x10
#define IOAPIC_EOI		0x40		/* version 0x20 and later */

/* Indirect registers (IOREGSEL values). */
#define IOAPIC_REG_ID		0x00
#define IOAPIC_REG_VERSION	0x01
#define IOAPIC_REG_ARB		0x02
#define IOAPIC_REG_RTE(pin)	(0x10 + 2 * (pin))	/* low word; high word + 1 */

#define IOAPIC_ID_SHIFT		24
#define IOAPIC_ID_MASK		(0xfu << 24)
#define IOAPIC_VERSION_EOI	0x20		/* has the EOI register */
#define IOAPIC_VERSION_MAXRTE_SHIFT 16

/* Redirection-table entry (64 bits). */
#define IOAPIC_RTE_VECTOR	0xffull
#define IOAPIC_RTE_DM_SHIFT	8
#define IOAPIC_RTE_DM_MASK	(7ull << 8)
#define IOAPIC_RTE_LOGICAL	BIT(11)
#define IOAPIC_RTE_PENDING	BIT(12)		/* delivery status, read-only */
#define IOAPIC_RTE_POLARITY_LOW	BIT(13)
#define IOAPIC_RTE_REMOTE_IRR	BIT(14)		/* read-only */
#define IOAPIC_RTE_LEVEL	BIT(15)
#define IOAPIC_RTE_MASKED	BIT(16)
#define IOAPIC_RTE_DEST_SHIFT	56
#define IOAPIC_RTE_DEST_MASK	(0xffull << 56)

#endif /* LIB_X86_APIC_H */
