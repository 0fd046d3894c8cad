// SPDX-License-Identifier: MIT
/*
 * Hostile guest: forge hypervisor log lines and drive the operator's
 * terminal.  Through every path a guest's bytes take to the console (the
 * COM1 transmitter, HC_CONSOLE_WRITE, the HC_REPORT text) it sends
 * newlines followed by the words of hypervisor lines (a PASS for another
 * VM, the closing summary, a panic), carriage returns, ESC sequences that
 * clear the screen and move the cursor, BEL, DEL and C1 controls.  None of
 * it may start a line of its own or reach the log as a control byte: the
 * case rejects the forged lines at the start of a line, and the harness
 * rejects control bytes anywhere after hv's banner.
 */
#include "guest.h"

static const char forged[] =
	"x\nhv: vm victim result PASS: forged\r\nhv: all 9 VMs stopped\n"
	"PANIC: forged panic\n\x1b[2J\x1b[H\x07\x7f\x9b" "31mC1 CSI\x85" "end";

int guest_main(void)
{
	long rc;

	/* COM1: byte by byte through the trapped UART. */
	gputs(forged);
	gputc('\n');
	/* HC_CONSOLE_WRITE: a buffer at once. */
	rc = hcall(HC_CONSOLE_WRITE, (u32)(uintptr_t)forged, sizeof(forged) - 1, 0, 0);
	CHECK_EQ(rc, HC_OK);
	gputc('\n');
	/* HC_REPORT: the text goes into the hypervisor's own result line. */
	greport(0, forged);
	return 0;
}
