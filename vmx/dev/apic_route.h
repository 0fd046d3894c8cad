/* SPDX-License-Identifier: MIT */
/*
 * The VM's APIC bus: which local APICs an interrupt message reaches.  The
 * VM's router callbacks (struct vlapic_ops.send for IPIs,
 * struct vdev_host.apic_deliver for the I/O APIC) are meant to be
 * apic_route() over the VM's vlapics, plus whatever the VM wants to count.
 */
#ifndef VMX_DEV_APIC_ROUTE_H
#define VMX_DEV_APIC_ROUTE_H

#include "vmx/dev/apic_msg.h"

struct vlapic;

/**
 * apic_route() - deliver @m to the local APICs it addresses.
 * @lapics: the VM's local APICs (NULL entries are skipped)
 * @n:      number of entries in @lapics
 * @m:      the message
 *
 * Targets: the shorthand's (self = the APIC whose id is @m->src, all, all
 * but self), else every APIC vlapic_match_dest() accepts.  Lowest priority
 * goes to one of them: the software-enabled target with the lowest
 * vlapic_apr(), ties to the lowest APIC id (no focus processor).  Every
 * other mode goes to each target through vlapic_deliver().  An INIT level
 * de-assert goes nowhere.  Takes each target's lock in turn, never two at
 * once; any CPU may call it.
 *
 * Return: how many local APICs took the message (for a level-triggered
 * I/O APIC interrupt: whether remote IRR is set).
 */
unsigned int apic_route(struct vlapic *const *lapics, unsigned int n, const struct apic_msg *m);

#endif /* VMX_DEV_APIC_ROUTE_H */
