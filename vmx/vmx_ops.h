/* SPDX-License-Identifier: MIT */
/*
 * VMX instructions as inline functions.  Each one that can fail returns
 * VMX_OK, VMX_FAIL_INVALID (CF=1: no current VMCS / bad operand) or
 * VMX_FAIL_VALID (ZF=1: the reason is in VMCS_INSN_ERROR).
 */
#ifndef VMX_VMX_OPS_H
#define VMX_VMX_OPS_H

#include "lib/compiler.h"
#include "vmx/vmcs_defs.h"

enum vmx_status {
	VMX_OK = 0,
	VMX_FAIL_INVALID = 1,
	VMX_FAIL_VALID = 2,
};

/* Turn the flags of a VMX instruction into a status (CF first: SDM 30.2). */
#define VMX_STATUS_ASM(insn, ...)					\
	({								\
		u8 __cf, __zf;						\
		__asm__ __volatile__(insn "\n\tsetc %0\n\tsetz %1"	\
				     : "=qm"(__cf), "=qm"(__zf)		\
				     : __VA_ARGS__			\
				     : "cc", "memory");			\
		__cf ? VMX_FAIL_INVALID : __zf ? VMX_FAIL_VALID : VMX_OK; \
	})

static inline enum vmx_status vmx_on(phys_addr_t pa)
{
	return VMX_STATUS_ASM("vmxon %2", "m"(pa));
}

static inline void vmx_off(void)
{
	__asm__ __volatile__("vmxoff" ::: "cc", "memory");
}

static inline enum vmx_status vmx_clear(phys_addr_t pa)
{
	return VMX_STATUS_ASM("vmclear %2", "m"(pa));
}

static inline enum vmx_status vmx_ptrld(phys_addr_t pa)
{
	return VMX_STATUS_ASM("vmptrld %2", "m"(pa));
}

static inline enum vmx_status vmcs_write(unsigned long field, u64 val)
{
	return VMX_STATUS_ASM("vmwrite %3, %2", "r"((u64)field), "rm"(val));
}

/*
 * Write a field whose encoding is a constant known to be valid, on the
 * current VMCS: the hot exits' RIP update.  No status: a VMWRITE that
 * cannot fail needs no SETC/SETZ after it.
 */
static inline void vmcs_write_known(unsigned long field, u64 val)
{
	__asm__ __volatile__("vmwrite %1, %0" : : "r"((u64)field), "rm"(val) : "cc", "memory");
}

/* Read a field; a failed VMREAD (bad encoding) yields 0 and is not silent: see vmcs_read_checked. */
static inline u64 vmcs_read(unsigned long field)
{
	u64 v;

	__asm__ __volatile__("vmread %1, %0" : "=r"(v) : "r"((u64)field) : "cc");
	return v;
}

static inline enum vmx_status vmcs_read_checked(unsigned long field, u64 *out)
{
	u64 v = 0;
	u8 cf, zf;

	__asm__ __volatile__("vmread %3, %0\n\tsetc %1\n\tsetz %2"
			     : "+r"(v), "=qm"(cf), "=qm"(zf)
			     : "r"((u64)field)
			     : "cc");
	*out = v;
	return cf ? VMX_FAIL_INVALID : zf ? VMX_FAIL_VALID : VMX_OK;
}

/* INVEPT / INVVPID types. */
#define INVEPT_SINGLE		1
#define INVEPT_GLOBAL		2
#define INVVPID_ADDR		0
#define INVVPID_SINGLE		1
#define INVVPID_ALL		2

static inline enum vmx_status vmx_invept(unsigned long type, u64 eptp)
{
	struct {
		u64 eptp, rsvd;
	} desc = { eptp, 0 };

	return VMX_STATUS_ASM("invept %2, %3", "m"(desc), "r"((u64)type));
}

static inline enum vmx_status vmx_invvpid(unsigned long type, u16 vpid, u64 gla)
{
	struct {
		u64 vpid, gla;
	} desc = { vpid, gla };

	return VMX_STATUS_ASM("invvpid %2, %3", "m"(desc), "r"((u64)type));
}

#endif /* VMX_VMX_OPS_H */
