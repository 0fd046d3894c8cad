// SPDX-License-Identifier: MIT
/*
 * The release build's test aids (vmx/debug/test_aids.h): none.  A vm=
 * option with debug= is refused as a bad field, so the configuration flags
 * stay false and every hook has nothing to do.
 */
#include "vmx/debug/test_aids.h"

const char hv_build_kind[] = "release";
const char vm_test_aid_usage[] = "";

bool vm_test_aid_parse(struct vm_config *cfg, const char *val, size_t n)
{
	return false;
}

void vcpu_test_aids_setup(struct vcpu *v)
{
}

void vcpu_test_aids_running(struct vcpu *v)
{
}

void vcpu_test_aids_exit(struct vcpu *v)
{
}

void vcpu_test_aids_report(struct vcpu *v)
{
}
