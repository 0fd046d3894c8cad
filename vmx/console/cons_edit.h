/* SPDX-License-Identifier: MIT */
/*
 * The console's input side, portable (hosted unit tests and a fuzz target):
 *  - cons_switch: spots Ctrl-A typed three times in a row, the key that
 *    moves the input focus (docs/console.md); one or two Ctrl-A followed by
 *    another byte are passed on with it, so a guest still gets its Ctrl-A;
 *  - cons_edit: the shell's line editor: printable bytes, backspace (DEL or
 *    BS), Ctrl-U (erase the line), Ctrl-C (drop the line), Enter (CR, LF or
 *    CR LF), and a history browsed with the up and down arrows (ESC [ A/B,
 *    ESC O A/B).  Other control bytes and escape sequences are ignored.
 * Both are plain state machines fed one byte at a time; what the terminal
 * must show goes out through a callback.
 */
#ifndef VMX_CONSOLE_CONS_EDIT_H
#define VMX_CONSOLE_CONS_EDIT_H

#include "lib/compiler.h"

#define CONS_CTRL_A		0x01
#define CONS_SWITCH_PRESSES	3

struct cons_switch {
	unsigned int held;	/* Ctrl-A bytes seen in a row, not yet passed on */
};

/**
 * cons_switch_feed() - one input byte through the focus-switch detector.
 * @s:     detector state (zeroed at start)
 * @c:     the byte
 * @pass:  receives the bytes to deliver now, in order (at most 3)
 * @npass: receives how many
 *
 * Return: true when @c completed the third Ctrl-A in a row (nothing to pass).
 */
bool cons_switch_feed(struct cons_switch *s, u8 c, u8 pass[CONS_SWITCH_PRESSES],
		      size_t *npass);

#define CONS_LINE_MAX	120	/* longest shell line; more is refused (not echoed) */
#define CONS_HISTORY	16	/* lines kept for the arrows */

typedef void (*cons_out_fn)(void *ctx, const char *s, size_t len);

struct cons_edit {
	char line[CONS_LINE_MAX + 1];
	unsigned int len;
	char hist[CONS_HISTORY][CONS_LINE_MAX + 1];
	unsigned int hist_count;	/* lines stored, at most CONS_HISTORY */
	unsigned int hist_next;		/* slot the next line goes to */
	unsigned int browse;		/* 0: editing; n: showing the n-th newest */
	char draft[CONS_LINE_MAX + 1];	/* the line being typed when browsing began */
	u8 esc;				/* escape-sequence state */
	bool after_cr;			/* the last byte was CR: a LF now ends nothing */
	cons_out_fn out;
	void *out_ctx;
};

enum cons_edit_result {
	CONS_EDIT_MORE,		/* keep feeding */
	CONS_EDIT_LINE,		/* Enter: the line is in e->line (NUL-terminated) */
	CONS_EDIT_CANCEL,	/* Ctrl-C: the line was dropped */
};

void cons_edit_init(struct cons_edit *e, cons_out_fn out, void *ctx);

/* Feed one byte; echoes through e->out.  After LINE/CANCEL the next byte starts a new line. */
enum cons_edit_result cons_edit_feed(struct cons_edit *e, u8 c);

/* Drop the line being typed, without echo (the focus left the shell). */
void cons_edit_drop(struct cons_edit *e);

/* The n-th newest history line (0: the newest), or NULL. */
const char *cons_edit_history(const struct cons_edit *e, unsigned int n);

#endif /* VMX_CONSOLE_CONS_EDIT_H */
