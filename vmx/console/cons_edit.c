// SPDX-License-Identifier: MIT
/* The focus-switch detector and the shell's line editor (vmx/console/cons_edit.h). */
#include "vmx/console/cons_edit.h"

#include "lib/string.h"

#define KEY_BS		0x08
#define KEY_DEL		0x7f
#define KEY_CTRL_C	0x03
#define KEY_CTRL_U	0x15
#define KEY_ESC		0x1b

/* Escape-sequence states (e->esc). */
enum { ESC_NONE, ESC_SEEN, ESC_CSI, ESC_SS3 };

bool cons_switch_feed(struct cons_switch *s, u8 c, u8 pass[CONS_SWITCH_PRESSES],
		      size_t *npass)
{
	unsigned int i;

	*npass = 0;
	if (c == CONS_CTRL_A) {
		if (++s->held == CONS_SWITCH_PRESSES) {
			s->held = 0;
			return true;
		}
		return false;
	}
	/* Fewer than three: the held Ctrl-As were meant for the reader. */
	for (i = 0; i < s->held; i++)
		pass[(*npass)++] = CONS_CTRL_A;
	s->held = 0;
	pass[(*npass)++] = c;
	return false;
}

static void edit_out(struct cons_edit *e, const char *s, size_t len)
{
	if (e->out && len)
		e->out(e->out_ctx, s, len);
}

void cons_edit_init(struct cons_edit *e, cons_out_fn out, void *ctx)
{
	memset(e, 0, sizeof(*e));
	e->out = out;
	e->out_ctx = ctx;
}

const char *cons_edit_history(const struct cons_edit *e, unsigned int n)
{
	if (n >= e->hist_count)
		return NULL;
	return e->hist[(e->hist_next + CONS_HISTORY - 1 - n) % CONS_HISTORY];
}

/* Erase what the terminal shows of the line: one "\b \b" per character. */
static void edit_erase(struct cons_edit *e)
{
	while (e->len) {
		edit_out(e, "\b \b", 3);
		e->len--;
	}
	e->line[0] = '\0';
}

/* Replace the line with @s (shown). */
static void edit_show(struct cons_edit *e, const char *s)
{
	edit_erase(e);
	e->len = (unsigned int)str_copy(e->line, s, sizeof(e->line));
	if (e->len > CONS_LINE_MAX)
		e->len = CONS_LINE_MAX;
	edit_out(e, e->line, e->len);
}

/* Up (older) or down (newer) in the history. */
static void edit_browse(struct cons_edit *e, bool older)
{
	if (older) {
		if (e->browse >= e->hist_count)
			return;
		if (!e->browse)
			memcpy(e->draft, e->line, sizeof(e->draft));
		e->browse++;
		edit_show(e, cons_edit_history(e, e->browse - 1));
	} else {
		if (!e->browse)
			return;
		e->browse--;
		edit_show(e, e->browse ? cons_edit_history(e, e->browse - 1) : e->draft);
	}
}

static void edit_remember(struct cons_edit *e)
{
	const char *last = cons_edit_history(e, 0);

	if (!e->len || (last && !strcmp(last, e->line)))
		return;
	memcpy(e->hist[e->hist_next], e->line, sizeof(e->line));
	e->hist_next = (e->hist_next + 1) % CONS_HISTORY;
	if (e->hist_count < CONS_HISTORY)
		e->hist_count++;
}

/* Start a fresh line after Enter or Ctrl-C (e->line keeps the old one until then). */
static void edit_reset_line(struct cons_edit *e)
{
	e->len = 0;
	e->browse = 0;
}

void cons_edit_drop(struct cons_edit *e)
{
	e->line[0] = '\0';
	e->esc = ESC_NONE;
	e->after_cr = false;
	edit_reset_line(e);
}

enum cons_edit_result cons_edit_feed(struct cons_edit *e, u8 c)
{
	bool after_cr = e->after_cr;

	e->after_cr = false;
	switch (e->esc) {
	case ESC_SEEN:
		e->esc = c == '[' ? ESC_CSI : c == 'O' ? ESC_SS3 : ESC_NONE;
		return CONS_EDIT_MORE;
	case ESC_CSI:
	case ESC_SS3:
		/* Parameters and intermediates (0x20..0x3f) run on; anything else ends it. */
		if (c >= 0x20 && c < 0x40)
			return CONS_EDIT_MORE;
		e->esc = ESC_NONE;
		if (c == 'A' || c == 'B')
			edit_browse(e, c == 'A');
		return CONS_EDIT_MORE;
	default:
		break;
	}
	if (e->len == 0 && e->line[0] && !e->browse)
		e->line[0] = '\0';	/* the previous line was handed out: forget it */
	switch (c) {
	case '\n':
	case '\r':
		if (c == '\n' && after_cr)
			return CONS_EDIT_MORE;	/* the LF of CR LF */
		e->after_cr = c == '\r';
		edit_out(e, "\r\n", 2);
		e->line[e->len] = '\0';
		edit_remember(e);
		edit_reset_line(e);
		return CONS_EDIT_LINE;
	case KEY_CTRL_C:
		edit_out(e, "^C\r\n", 4);
		e->line[0] = '\0';
		edit_reset_line(e);
		return CONS_EDIT_CANCEL;
	case KEY_CTRL_U:
		edit_erase(e);
		return CONS_EDIT_MORE;
	case KEY_BS:
	case KEY_DEL:
		if (e->len) {
			e->line[--e->len] = '\0';
			edit_out(e, "\b \b", 3);
		}
		return CONS_EDIT_MORE;
	case KEY_ESC:
		e->esc = ESC_SEEN;
		return CONS_EDIT_MORE;
	default:
		break;
	}
	if (c < 0x20 || c > 0x7e || e->len >= CONS_LINE_MAX)
		return CONS_EDIT_MORE;
	e->line[e->len++] = (char)c;
	e->line[e->len] = '\0';
	edit_out(e, (const char *)&c, 1);
	return CONS_EDIT_MORE;
}
