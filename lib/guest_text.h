/* SPDX-License-Identifier: MIT */
/*
 * The one filter between a guest's bytes and a line the hypervisor prints.
 *
 * A guest controls its console output, its HC_REPORT text and the values
 * of its registers; only the text needs filtering (numbers are printed by
 * the formatter).  Text from a guest may hold a newline that would start a
 * line of its own ("hv: vm other result PASS"), a carriage return, ESC
 * sequences that drive the operator's terminal, BEL, or C1 controls
 * (0x80-0x9f, which some terminals take as CSI).  Every such byte becomes
 * '?'.  Only the raw console of the VM that has the input focus passes
 * bytes unfiltered, and that is no hypervisor line.
 */
#ifndef LIB_GUEST_TEXT_H
#define LIB_GUEST_TEXT_H

#include "lib/compiler.h"

/* What a guest byte may be shown as in a hypervisor line: itself when it is
 * printable ASCII or a tab, else '?'. */
static inline char guest_text_byte(u8 c)
{
	return (c >= 0x20 && c < 0x7f) || c == '\t' ? (char)c : '?';
}

/**
 * guest_text_filter() - copy guest text into a printable C string.
 * @dst:  output buffer, always NUL-terminated when @size > 0
 * @size: size of @dst
 * @src:  the guest's bytes (need not be NUL-terminated)
 * @len:  how many bytes of @src to consider; a NUL byte ends the text early
 *
 * Return: the number of characters written to @dst (without the NUL).
 */
size_t guest_text_filter(char *dst, size_t size, const void *src, size_t len);

#endif /* LIB_GUEST_TEXT_H */
