// SPDX-License-Identifier: MIT
/*
 * R11 store-buffering stress on the flush request / vCPU mode protocol
 * (mm/ept_flush.c): vCPU threads enter and leave the "guest" in a tight
 * loop while requester threads post flush requests.  In the guest a vCPU
 * checks that no requester decided "outside, no kick" for a request newer
 * than its last flush (ept_flush_vcpu_check()).  Dropping either fence lets
 * both sides read the old value (x86 store buffer) and trips the check.
 * Requesters also wait for their generation now and then (ept_flush_wait()
 * must return: every vCPU acknowledges or will flush before entering).
 */
#include "mm/ept_flush.h"
#include "tests/host/harness.h"

#include <stdio.h>

struct fvcpu {
	struct ept_flush *fl;
	int id;
	u32 kick;
	u64 flushes, entries, misses, kicks;
};

static struct ept_flush fl;
static bool stop;

static void f_invept(void *ctx)
{
	struct fvcpu *v = ctx;

	v->flushes++;
}

static void f_kick(void *ctx)
{
	struct fvcpu *v = ctx;

	store_release(&v->kick, 1);
}

static const struct ept_flush_ops f_ops = { .invept = f_invept, .kick = f_kick };

static void *vcpu_thread(void *arg)
{
	struct fvcpu *v = arg;

	while (!READ_ONCE(stop)) {
		if (!ept_flush_vcpu_enter(&fl, v->id)) {
			ept_flush_vcpu_service(&fl, v->id);
			continue;
		}
		v->entries++;
		/* Short guest slices: many entries, each one an SB window. */
		for (int i = 0; i < 8; i++) {
			if (load_acquire(&v->kick))
				break;
			if (!ept_flush_vcpu_check(&fl, v->id)) {
				if (v->misses++ < 3)
					fprintf(stderr, "vCPU %d: in guest with request %llu unkicked (acked %llu)\n",
						v->id, fl.vcpu[v->id].nokick_gen,
						fl.vcpu[v->id].acked_gen);
				break;
			}
			cpu_relax();
		}
		ept_flush_vcpu_exit(&fl, v->id);
		if (xchg(&v->kick, 0))
			v->kicks++;
		ept_flush_vcpu_service(&fl, v->id);
	}
	return NULL;
}

struct req {
	u64 requests, waits;
};

static void *requester_thread(void *arg)
{
	struct req *r = arg;
	u64 n = 0;

	while (!READ_ONCE(stop)) {
		u64 gen = ept_flush_request_gen(&fl);

		r->requests++;
		if ((n & 1023) == 0 && test_elapsed() >= test_opts.seconds)
			WRITE_ONCE(stop, true);
		if ((++n & 255) == 0) {
			ept_flush_wait(&fl, gen);
			r->waits++;
		}
	}
	return NULL;
}

struct both {
	bool is_vcpu;
	struct fvcpu *v;
	struct req *r;
};

static void *run(void *arg)
{
	struct both *b = arg;

	return b->is_vcpu ? vcpu_thread(b->v) : requester_thread(b->r);
}

int main(int argc, char **argv)
{
	struct fvcpu v[2] = { 0 };
	struct req r[2] = { 0 };
	struct both b[4];
	u64 misses = 0, entries = 0, kicks = 0, requests = 0;

	test_init(argc, argv, 3.0);
	if (test_opts.quick && test_opts.seconds > 1.0)
		test_opts.seconds = 1.0;
	ept_flush_init(&fl, &f_ops);
	for (int i = 0; i < 2; i++) {
		v[i].fl = &fl;
		v[i].id = ept_flush_vcpu_add(&fl, &v[i]);
		CHECK(v[i].id >= 0);
	}
	/* vCPU, requester, vCPU, requester: pinned alternately over the cores. */
	b[0] = (struct both){ .is_vcpu = true, .v = &v[0] };
	b[1] = (struct both){ .is_vcpu = false, .r = &r[0] };
	b[2] = (struct both){ .is_vcpu = true, .v = &v[1] };
	b[3] = (struct both){ .is_vcpu = false, .r = &r[1] };
	test_run_threads(4, run, b, sizeof(b[0]));
	for (int i = 0; i < 2; i++) {
		misses += v[i].misses;
		entries += v[i].entries;
		kicks += v[i].kicks;
		requests += r[i].requests;
	}
	printf("ept_flush R11: %.1fs, %llu entries, %llu requests, %llu kicks, %llu misses\n",
	       test_elapsed(), entries, requests,
	       kicks, misses);
	CHECK_EQ(misses, 0);
	CHECK(entries > 0 && requests > 0);
	return test_finish();
}
