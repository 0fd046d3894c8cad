// SPDX-License-Identifier: MIT
/* Guest text made safe for hypervisor lines: see lib/guest_text.h. */
#include "lib/guest_text.h"

size_t guest_text_filter(char *dst, size_t size, const void *src, size_t len)
{
	const u8 *s = src;
	size_t n = 0;

	if (!size)
		return 0;
	for (size_t i = 0; i < len && s[i] && n + 1 < size; i++)
		dst[n++] = guest_text_byte(s[i]);
	dst[n] = '\0';
	return n;
}
