// SPDX-License-Identifier: MIT
/* The words for hv's error values (lib/errno.h). */
#include "lib/errno.h"

const char *hv_strerror(int err)
{
	switch (err < 0 ? -err : err) {
	case 0:
		return "no error";
	case HV_EINVAL:
		return "invalid argument";
	case HV_ENOMEM:
		return "out of memory";
	case HV_ENOSPC:
		return "table full";
	case HV_EBUSY:
		return "already claimed";
	case HV_ENODEV:
		return "no such device";
	case HV_ENOEXEC:
		return "bad image format";
	case HV_ENOTSUP:
		return "not supported";
	case HV_ERANGE:
		return "out of range";
	case HV_EFAULT:
		return "outside guest memory";
	case HV_EEXIST:
		return "already exists";
	case HV_ENOENT:
		return "not found";
	case HV_EBADMSG:
		return "malformed structure";
	case HV_ETIMEDOUT:
		return "timed out";
	default:
		return "unknown error";
	}
}
