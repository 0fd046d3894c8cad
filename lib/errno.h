/* SPDX-License-Identifier: MIT */
/*
 * hv's error convention: a function that can fail returns 0
 * (or a count, an index: something >= 0) on success and a negated HV_E*
 * value on failure (-HV_ENOMEM), never a bare -1; the caller passes the
 * value up unchanged, and hv_strerror() names it in a message.
 */
#ifndef LIB_ERRNO_H
#define LIB_ERRNO_H

enum hv_errno {
	HV_EINVAL = 1,	/* an argument is unusable: an empty or wrapping range, a missing callback */
	HV_ENOMEM,	/* the allocator ran out */
	HV_ENOSPC,	/* a fixed-size table is full */
	HV_EBUSY,	/* already claimed: a range overlaps one registered before */
	HV_ENODEV,	/* no device answers */
	HV_ENOEXEC,	/* an image (kernel, module) is malformed */
	HV_ENOTSUP,	/* well-formed, but asks for something hv does not do */
	HV_ERANGE,	/* an address or a size does not fit where it must go */
	HV_EFAULT,	/* a guest-physical address outside the VM's memory */
	HV_EEXIST,	/* the name or the mapping is there already */
	HV_ENOENT,	/* no such thing: a name, a slot, a mapping */
	HV_EBADMSG,	/* a structure fails its own checks: a header, a tag chain, a checksum */
	HV_ETIMEDOUT,	/* the hardware did not answer in time (an APIC's ICR stayed busy) */
	HV_ERRNO_END	/* one past the last value: not an error */
};

/* What @err (negated or not) means, in words, for a message. */
const char *hv_strerror(int err);

#endif /* LIB_ERRNO_H */
