/* SPDX-License-Identifier: MIT */
/*
 * liburcu urcu-mb as a backend of the EBR benchmarks: the flavour header and
 * its names; the backend itself is tests/bench/bench_ebr_urcu.inc.
 * _LGPL_SOURCE inlines the read side, as ours and ck_epoch are inlined.
 */
#define _LGPL_SOURCE
#include <urcu/urcu-mb.h>

#define BU_FN(op)	urcu_mb_##op
#define BU_OPS		ebr_bench_urcu_mb
#define BU_IMPL		"urcu_mb"
#define BU_QSBR		0
#include "tests/bench/bench_ebr_urcu.inc"
