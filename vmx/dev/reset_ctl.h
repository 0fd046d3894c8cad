/* SPDX-License-Identifier: MIT */
/*
 * The reset control register of Intel chipsets (one byte at 0xcf9).  It
 * sits inside the dword CONFIG_ADDRESS of PCI configuration mechanism 1
 * (0xcf8-0xcfb), so it has no port range of its own: the device that
 * decodes 0xcf8-0xcff (vmx/dev/pci_host.c) holds one and hands it byte
 * accesses to 0xcf9, under its own lock.
 */
#ifndef VMX_DEV_RESET_CTL_H
#define VMX_DEV_RESET_CTL_H

#include "lib/compiler.h"

/* @val: the register as last written (bit 2 cleared once it has asked for a reset). */
struct reset_ctl {
	u8 val;
};

void reset_ctl_init(struct reset_ctl *rc);
u8 reset_ctl_read(const struct reset_ctl *rc);

/*
 * Store a write.  Return: the reason for the reset it asks for (pass it to
 * the VM's request_reset() once the caller's lock is dropped), or NULL.
 */
const char *reset_ctl_write(struct reset_ctl *rc, u8 val);

#endif /* VMX_DEV_RESET_CTL_H */
