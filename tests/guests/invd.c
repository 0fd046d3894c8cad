// SPDX-License-Identifier: MIT
/*
 * INVD always exits and the hypervisor does not emulate it: the default
 * handler must log the exit with its full information and stop only this VM.
 */
#include "guest.h"

int guest_main(void)
{
	gputs("executing INVD (not emulated)\n");
	__asm__ __volatile__("invd" ::: "memory");
	greport(1, "INVD returned");
	return 1;
}
