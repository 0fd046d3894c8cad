/* SPDX-License-Identifier: MIT */
/*
 * Test aids (vm=...,debug=AID): hooks that make a VM misbehave on purpose so
 * that a test can watch the hypervisor cope.
 *
 *   badstate  vCPU 0's first VM entry has an invalid guest state (TR
 *             unusable), to exercise the entry-failure report
 *   zap       about every 2M TSC ticks vCPU 0 alternately splits the VM's
 *             huge EPT leaves and zaps every mapping, so the remote flush
 *             (R11 kicks, INVEPT, R4 table frees after acknowledgement) runs
 *             on real VMX under a running guest
 *   hang      vCPU 0's CPU goes silent with interrupts off until the
 *             watchdog reports it
 *
 * The debug build links vmx/debug/test_aids.c; the release build (make
 * RELEASE=1) links vmx/release/test_aids.c instead, where debug= is refused
 * and every hook is empty.  The Makefile chooses, no source asks.
 */
#ifndef VMX_DEBUG_TEST_AIDS_H
#define VMX_DEBUG_TEST_AIDS_H

#include "lib/types.h"

struct vm_config;
struct vcpu;

/* "debug" or "release": which of the two was linked (the boot banner says it). */
extern const char hv_build_kind[];

/* debug zap: the preemption-timer slice that makes vCPU 0 exit to zap. */
#define VCPU_ZAP_SLICE		(1ull << 20)

/* For the vm= usage line: ", debug=badstate|zap|hang", or "" where there are none. */
extern const char vm_test_aid_usage[];

/**
 * vm_test_aid_parse() - the value of a vm=...,debug=AID field.
 * @cfg: the configuration being parsed
 * @val: the value (not NUL-terminated)
 * @n:   its length
 *
 * Return: true if @val names a test aid of this build (now set in @cfg).
 */
bool vm_test_aid_parse(struct vm_config *cfg, const char *val, size_t n);

/* After vmcs_setup() of @v, with its VMCS current (debug=badstate). */
void vcpu_test_aids_setup(struct vcpu *v);

/* After @v's first watchdog beat, before it goes online (debug=hang). */
void vcpu_test_aids_running(struct vcpu *v);

/* After every exit of @v has been handled (debug=zap). */
void vcpu_test_aids_exit(struct vcpu *v);

/* After @v's VM stopped, before its VMCS is cleared (debug=zap's report). */
void vcpu_test_aids_report(struct vcpu *v);

#endif /* VMX_DEBUG_TEST_AIDS_H */
