// SPDX-License-Identifier: MIT
/* The trace ring's reader and event text (vmx/stats/trace_ring.h). */
#include "vmx/stats/trace_ring.h"

#include "lib/format.h"

unsigned int trace_ring_snapshot(const struct trace_ring *r, struct trace_event *out, u64 *first)
{
	/* R19: events before h1 are complete; pairs with trace_ring_put()'s store_release. */
	u64 h1 = load_acquire(&r->head), h2, lo, keep;
	unsigned int n = 0;

	lo = h1 > TRACE_RING_EVENTS ? h1 - TRACE_RING_EVENTS : 0;
	for (u64 i = lo; i < h1; i++) {
		unsigned int k = (unsigned int)i & (TRACE_RING_EVENTS - 1);
		u64 who_data = READ_ONCE(r->word[TRACE_W_WHO_DATA + k]);

		out[i - lo].tsc = READ_ONCE(r->word[TRACE_W_TSC + k]);
		out[i - lo].who = (u32)who_data;
		out[i - lo].data = (u32)(who_data >> 32);
		out[i - lo].arg = READ_ONCE(r->word[TRACE_W_ARG + k]);
	}
	/* R19: the copy before the second look at head; pairs with trace_ring_put()'s smp_wmb(). */
	smp_rmb();
	h2 = READ_ONCE(r->head);
	/* Event i was left alone by the writer iff i + N > h2 (trace_ring.h). */
	/* The R19_TRACE_SNAPSHOT mutant trusts every slot it copied. */
	keep = rule_value(R19_TRACE_SNAPSHOT,
			  h2 >= TRACE_RING_EVENTS ? h2 - TRACE_RING_EVENTS + 1 : 0, lo);
	if (keep < lo)
		keep = lo;
	if (keep < h1) {
		n = (unsigned int)(h1 - keep);
		for (unsigned int i = 0; i < n; i++)
			out[i] = out[keep - lo + i];
	}
	*first = keep;
	return n;
}

static const char *trace_intr_type(u32 info)
{
	static const char *const types[8] = { "external", "reserved", "NMI", "exception",
					      "software int", "privileged exception",
					      "software exception", "other" };

	return types[(info >> 8) & 7];
}

void trace_event_describe(const struct trace_event *e, const char *(*reason_name)(u32 reason),
			  char *buf, size_t len)
{
	switch (TRACE_WHO_KIND(e->who)) {
	case TRACE_EXIT:
		fmt_snprintf(buf, len, "exit %u (%s) rip %#llx", e->data & 0xffff,
			     reason_name ? reason_name(e->data & 0xffff) : "?",
			     e->arg);
		break;
	case TRACE_INJECT:
		if (e->data & BIT(11))
			fmt_snprintf(buf, len, "inject vector %#x (%s) error code %#llx",
				     e->data & 0xff, trace_intr_type(e->data),
				     e->arg);
		else
			fmt_snprintf(buf, len, "inject vector %#x (%s)", e->data & 0xff,
				     trace_intr_type(e->data));
		break;
	case TRACE_KICK:
		fmt_snprintf(buf, len, "kick to cpu %u", e->data);
		break;
	case TRACE_FLUSH:
		if (e->arg)
			fmt_snprintf(buf, len, "invept type %u eptp %#llx", e->data,
				     e->arg);
		else
			fmt_snprintf(buf, len, "invept type %u (global)", e->data);
		break;
	default:
		fmt_snprintf(buf, len, "event kind %u", TRACE_WHO_KIND(e->who));
		break;
	}
}
