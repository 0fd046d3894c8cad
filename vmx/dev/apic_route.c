// SPDX-License-Identifier: MIT
/* Target selection and lowest-priority arbitration (vmx/dev/apic_route.h). */
#include "vmx/dev/apic_route.h"

#include "vmx/dev/vlapic.h"

static bool is_target(struct vlapic *v, const struct apic_msg *m)
{
	switch (m->shorthand) {
	case APIC_SH_SELF:
		return vlapic_id(v) == m->src;
	case APIC_SH_ALL:
		return vlapic_mode(v) != VLAPIC_DISABLED;
	case APIC_SH_ALL_BUT_SELF:
		return vlapic_id(v) != m->src && vlapic_mode(v) != VLAPIC_DISABLED;
	default:
		return vlapic_match_dest(v, m->dest, m->logical, m->x2apic);
	}
}

unsigned int apic_route(struct vlapic *const *lapics, unsigned int n, const struct apic_msg *m)
{
	struct vlapic *best = NULL;
	unsigned int taken = 0;
	u8 best_apr = 0;

	if (m->delivery == APIC_DM_INIT && m->level && !m->assert)
		return 0;	/* INIT de-assert: nothing on modern APICs */
	for (unsigned int i = 0; i < n; i++) {
		struct vlapic *v = lapics[i];

		if (!v || !is_target(v, m))
			continue;
		if (m->delivery != APIC_DM_LOWEST) {
			taken += vlapic_deliver(v, m);
			continue;
		}
		if (vlapic_sw_enabled(v)) {
			u8 apr = vlapic_apr(v);

			if (!best || apr < best_apr ||
			    (apr == best_apr && vlapic_id(v) < vlapic_id(best))) {
				best = v;
				best_apr = apr;
			}
		}
	}
	if (best)
		taken = vlapic_deliver(best, m);
	return taken;
}
