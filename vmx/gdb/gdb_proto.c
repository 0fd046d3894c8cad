// SPDX-License-Identifier: MIT
/*
 * The GDB remote serial protocol: framing, acknowledgements and the packet
 * dispatcher (vmx/gdb/gdb_proto.h).  Written from the protocol's
 * description in GDB's manual ("Remote Protocol"): a packet is
 * $DATA#CC with CC the modulo-256 sum of DATA in two hex digits; the
 * receiver answers + (good) or - (send it again); '}' escapes the next byte
 * (XOR 0x20); a lone 0x03 between packets is an interrupt request.  An
 * empty reply means "not supported"; E NN an error.
 *
 * Nothing here trusts the input: every length is checked against the
 * buffer it goes into, a packet too long for GDB_PKT_MAX is read to its end
 * (its checksum still checked) and answered with an error.
 */
#include "vmx/gdb/gdb_proto.h"

#include "lib/errno.h"
#include "lib/format.h"
#include "lib/string.h"

#define GDB_CTRL_C	0x03

static const char hexdig[] = "0123456789abcdef";

int gdb_parse_hex(const char **s, u64 *out)
{
	const char *q = *s;
	u64 v = 0;
	unsigned int n = 0;
	int d;

	while ((d = hex_digit_value(*q)) >= 0) {
		if (++n > 16)
			return -HV_EINVAL;
		v = (v << 4) | (u64)d;
		q++;
	}
	if (!n)
		return -HV_EINVAL;
	*s = q;
	*out = v;
	return 0;
}

/* @n bytes of hex at @s into @dst; 0, or -1 on a non-hex digit. */
static int gdb_unhex(const char *s, u8 *dst, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int hi = hex_digit_value(s[2 * i]), lo = hi < 0 ? -1 : hex_digit_value(s[2 * i + 1]);

		if (lo < 0)
			return -HV_EINVAL;
		dst[i] = (u8)(hi << 4 | lo);
	}
	return 0;
}

/* ------------------------------------------------------------------ output */

static void gdb_tx(struct gdb_proto *p, const u8 *b, size_t n)
{
	p->ops->write(p->ctx, b, n);
}

/* Frame @len bytes of @data (escaping $ # } *) and send it; kept for a NAK. */
static void gdb_send_bin(struct gdb_proto *p, const char *data, size_t len)
{
	size_t o = 0;
	u8 sum = 0;

	p->last[o++] = '$';
	for (size_t i = 0; i < len && o + 5 < sizeof(p->last); i++) {
		u8 c = (u8)data[i];

		if (c == '$' || c == '#' || c == '}' || c == '*') {
			p->last[o++] = '}';
			sum += '}';
			c ^= 0x20;
		}
		p->last[o++] = c;
		sum += c;
	}
	p->last[o++] = '#';
	p->last[o++] = (u8)hexdig[sum >> 4];
	p->last[o++] = (u8)hexdig[sum & 15];
	p->last_len = o;
	gdb_tx(p, p->last, o);
}

static void gdb_send(struct gdb_proto *p, const char *s)
{
	gdb_send_bin(p, s, strlen(s));
}

static void gdb_send_err(struct gdb_proto *p, unsigned int code)
{
	char e[4] = { 'E', hexdig[(code >> 4) & 15], hexdig[code & 15], 0 };

	gdb_send(p, e);
}

/* Errors we answer with (the numbers mean nothing to GDB; they help a person reading a log). */
#define GDB_E_SYNTAX	0x01	/* the packet's arguments do not parse */
#define GDB_E_THREAD	0x02	/* no such thread */
#define GDB_E_REGS	0x03	/* the registers could not be read or written */
#define GDB_E_LEN	0x10	/* too long */
#define GDB_E_MEM	0x14	/* memory not mapped */
#define GDB_E_BP	0x16	/* breakpoint refused */

static void gdb_send_stop(struct gdb_proto *p)
{
	char r[64];
	size_t n;

	if (p->stop_kind == GDB_STOP_EXITED) {
		gdb_send(p, "W00");
		return;
	}
	n = (size_t)fmt_snprintf(r, sizeof(r), "T%02xthread:%x;%s", p->stop_sig & 0xff,
				 p->stop_tid,
				 p->stop_kind == GDB_STOP_SWBREAK ? "swbreak:;" :
				 p->stop_kind == GDB_STOP_HWBREAK ? "hwbreak:;" : "");
	if (p->stop_kind == GDB_STOP_WATCH || p->stop_kind == GDB_STOP_AWATCH)
		fmt_snprintf(r + n, sizeof(r) - n, "%s:%llx;",
			     p->stop_kind == GDB_STOP_WATCH ? "watch" : "awatch",
			     (unsigned long long)p->stop_addr);
	gdb_send(p, r);
}

/* ------------------------------------------------------------------ commands */

static bool gdb_tid_ok(struct gdb_proto *p, u64 tid)
{
	return tid >= 1 && tid <= p->ops->nthreads(p->ctx) && tid <= GDB_MAX_THREADS;
}

/* The thread g/m/Z act on: Hg's, or 1. */
static unsigned int gdb_gtid(struct gdb_proto *p)
{
	return gdb_tid_ok(p, p->g_tid) ? p->g_tid : 1;
}

/* Registers -> hex in out. */
static void gdb_cmd_g(struct gdb_proto *p)
{
	u64 val[GDB_NREGS];
	size_t o = 0;

	if (p->ops->read_regs(p->ctx, gdb_gtid(p), val)) {
		gdb_send_err(p, GDB_E_REGS);
		return;
	}
	for (unsigned int r = 0; r < GDB_NREGS; r++) {
		for (unsigned int b = 0; b < gdb_reg_size[r]; b++) {
			u8 byte = b < 8 ? (u8)(val[r] >> (8 * b)) : 0;

			p->out[o++] = hexdig[byte >> 4];
			p->out[o++] = hexdig[byte & 15];
		}
	}
	gdb_send_bin(p, p->out, o);
}

/* One register's bytes (little-endian, size @sz) into *@v; the bytes past 8 must be hex too. */
static int gdb_reg_from_hex(const char *s, unsigned int sz, u64 *v)
{
	u8 b[10];

	if (gdb_unhex(s, b, sz))
		return -HV_EINVAL;
	*v = 0;
	for (unsigned int i = 0; i < sz && i < 8; i++)
		*v |= (u64)b[i] << (8 * i);
	return 0;
}

static void gdb_cmd_G(struct gdb_proto *p, const char *a, size_t alen)
{
	u64 val[GDB_NREGS];
	size_t o = 0;

	if (alen != 2 * GDB_REGS_BYTES) {
		gdb_send_err(p, GDB_E_SYNTAX);
		return;
	}
	for (unsigned int r = 0; r < GDB_NREGS; r++) {
		if (gdb_reg_from_hex(a + o, gdb_reg_size[r], &val[r])) {
			gdb_send_err(p, GDB_E_SYNTAX);
			return;
		}
		o += 2u * gdb_reg_size[r];
	}
	if (p->ops->write_regs(p->ctx, gdb_gtid(p), val, ~0ull))
		gdb_send_err(p, GDB_E_REGS);
	else
		gdb_send(p, "OK");
}

static void gdb_cmd_p(struct gdb_proto *p, const char *a)
{
	u64 n, val[GDB_NREGS];
	size_t o = 0;

	if (gdb_parse_hex(&a, &n) || *a || n >= GDB_NREGS) {
		gdb_send_err(p, GDB_E_SYNTAX);
		return;
	}
	if (p->ops->read_regs(p->ctx, gdb_gtid(p), val)) {
		gdb_send_err(p, GDB_E_REGS);
		return;
	}
	for (unsigned int b = 0; b < gdb_reg_size[n]; b++) {
		u8 byte = b < 8 ? (u8)(val[n] >> (8 * b)) : 0;

		p->out[o++] = hexdig[byte >> 4];
		p->out[o++] = hexdig[byte & 15];
	}
	gdb_send_bin(p, p->out, o);
}

static void gdb_cmd_P(struct gdb_proto *p, const char *a, size_t alen)
{
	const char *s = a;
	u64 n, val[GDB_NREGS];

	if (gdb_parse_hex(&s, &n) || *s++ != '=' || n >= GDB_NREGS ||
	    (size_t)(a + alen - s) != 2u * gdb_reg_size[n] ||
	    gdb_reg_from_hex(s, gdb_reg_size[n], &val[n])) {
		gdb_send_err(p, GDB_E_SYNTAX);
		return;
	}
	if (p->ops->write_regs(p->ctx, gdb_gtid(p), val, 1ull << n))
		gdb_send_err(p, GDB_E_REGS);
	else
		gdb_send(p, "OK");
}

/* "ADDR,LEN" then @sep; 0, or -HV_EINVAL. */
static int gdb_addr_len(const char **s, u64 *addr, u64 *len, char sep)
{
	if (gdb_parse_hex(s, addr) || *(*s)++ != ',' || gdb_parse_hex(s, len))
		return -HV_EINVAL;
	if (sep && *(*s)++ != sep)
		return -HV_EINVAL;
	if (!sep && **s)
		return -HV_EINVAL;
	return 0;
}

static void gdb_cmd_m(struct gdb_proto *p, const char *a)
{
	static u8 mem[GDB_MEM_MAX];
	u64 addr, len;
	size_t got, o = 0;

	if (gdb_addr_len(&a, &addr, &len, 0)) {
		gdb_send_err(p, GDB_E_SYNTAX);
		return;
	}
	if (len > GDB_MEM_MAX)
		len = GDB_MEM_MAX;	/* GDB asks again for the rest */
	got = len ? p->ops->read_mem(p->ctx, gdb_gtid(p), addr, mem, (size_t)len) : 0;
	if (len && !got) {
		gdb_send_err(p, GDB_E_MEM);
		return;
	}
	for (size_t i = 0; i < got; i++) {
		p->out[o++] = hexdig[mem[i] >> 4];
		p->out[o++] = hexdig[mem[i] & 15];
	}
	gdb_send_bin(p, p->out, o);
}

/* M (hex data) and X (binary data, already unescaped). */
static void gdb_cmd_write_mem(struct gdb_proto *p, const char *a, size_t alen, bool binary)
{
	static u8 mem[GDB_MEM_MAX];
	const char *s = a;
	u64 addr = 0, len = 0;
	size_t dlen;

	if (gdb_addr_len(&s, &addr, &len, ':')) {
		gdb_send_err(p, GDB_E_SYNTAX);
		return;
	}
	if (len > GDB_MEM_MAX) {
		gdb_send_err(p, GDB_E_LEN);
		return;
	}
	dlen = (size_t)(a + alen - s);
	if (binary ? dlen != len : (dlen != 2 * len || gdb_unhex(s, mem, (size_t)len))) {
		gdb_send_err(p, GDB_E_SYNTAX);
		return;
	}
	if (binary)
		memcpy(mem, s, (size_t)len);
	if (len && p->ops->write_mem(p->ctx, gdb_gtid(p), addr, mem, (size_t)len) != len)
		gdb_send_err(p, GDB_E_MEM);
	else
		gdb_send(p, "OK");
}

static void gdb_cmd_Z(struct gdb_proto *p, const char *a, bool insert)
{
	u64 type, addr, kind;

	if (gdb_parse_hex(&a, &type) || *a++ != ',' || gdb_parse_hex(&a, &addr) ||
	    *a++ != ',' || gdb_parse_hex(&a, &kind)) {
		gdb_send_err(p, GDB_E_SYNTAX);
		return;
	}
	/* Conditions and commands (";X...") we do not evaluate: not supported; nor Z3. */
	if (*a || type > GDB_BP_ACCESS || type == GDB_BP_READ) {
		gdb_send(p, "");
		return;
	}
	if (p->ops->breakpoint(p->ctx, (enum gdb_bp_type)type, addr, kind, insert))
		gdb_send_err(p, GDB_E_BP);
	else
		gdb_send(p, "OK");
}

static void gdb_resume(struct gdb_proto *p, unsigned int step_tid, bool others)
{
	p->running = true;
	p->ops->resume(p->ctx, step_tid, others);
}

/* c [ADDR], s [ADDR], C SIG[;ADDR], S SIG[;ADDR]: the address form sets RIP first. */
static void gdb_cmd_cont(struct gdb_proto *p, const char *a, bool step, bool sig)
{
	unsigned int tid = gdb_tid_ok(p, p->c_tid) ? p->c_tid : gdb_gtid(p);
	u64 addr, val[GDB_NREGS];

	if (sig) {
		u64 signo;

		if (gdb_parse_hex(&a, &signo) || (*a && *a++ != ';')) {
			gdb_send_err(p, GDB_E_SYNTAX);
			return;
		}
	}
	if (*a) {
		if (gdb_parse_hex(&a, &addr) || *a) {
			gdb_send_err(p, GDB_E_SYNTAX);
			return;
		}
		val[GDB_RIP] = addr;
		if (p->ops->write_regs(p->ctx, tid, val, 1ull << GDB_RIP)) {
			gdb_send_err(p, GDB_E_REGS);
			return;
		}
	}
	gdb_resume(p, step ? tid : 0, !step);
}

/* vCont;ACTION[:TID][;ACTION[:TID]]...: one step at most, c for the rest. */
static void gdb_cmd_vcont(struct gdb_proto *p, const char *a)
{
	unsigned int step_tid = 0;
	bool others = false;

	while (*a == ';') {
		char act = *++a;
		u64 tid = 0;

		if (act != 'c' && act != 's' && act != 'C' && act != 'S') {
			gdb_send_err(p, GDB_E_SYNTAX);
			return;
		}
		a++;
		if (act == 'C' || act == 'S') {
			u64 signo;

			if (gdb_parse_hex(&a, &signo)) {
				gdb_send_err(p, GDB_E_SYNTAX);
				return;
			}
		}
		if (*a == ':') {
			a++;
			if (*a == '-' && a[1] == '1') {
				a += 2;
			} else if (gdb_parse_hex(&a, &tid) || !gdb_tid_ok(p, tid)) {
				gdb_send_err(p, GDB_E_THREAD);
				return;
			}
		}
		if (act == 's' || act == 'S') {
			if (!step_tid)
				step_tid = tid ? (unsigned int)tid : gdb_gtid(p);
		} else {
			others = true;
		}
	}
	if (*a) {
		gdb_send_err(p, GDB_E_SYNTAX);
		return;
	}
	gdb_resume(p, step_tid, others || !step_tid);
}

/* qXfer:features:read:ANNEX:OFFSET,LENGTH */
static void gdb_cmd_xfer_features(struct gdb_proto *p, const char *a)
{
	static const char annex[] = "target.xml:";
	size_t total = strlen(gdb_target_xml);
	u64 off, len;

	if (strncmp(a, annex, sizeof(annex) - 1)) {
		gdb_send_err(p, 0);	/* E00: no such annex */
		return;
	}
	a += sizeof(annex) - 1;
	if (gdb_addr_len(&a, &off, &len, 0)) {
		gdb_send_err(p, GDB_E_SYNTAX);
		return;
	}
	if (off >= total) {
		gdb_send(p, "l");
		return;
	}
	/* Room for escapes: at most half the packet of data per reply. */
	len = MIN(len, (u64)(GDB_PKT_MAX / 2 - 1));
	len = MIN(len, total - off);
	p->out[0] = off + len < total ? 'm' : 'l';
	memcpy(p->out + 1, gdb_target_xml + off, (size_t)len);
	gdb_send_bin(p, p->out, (size_t)len + 1);
}

static void gdb_cmd_q(struct gdb_proto *p, const char *a)
{
	if (!strncmp(a, "qSupported", 10)) {
		gdb_send(p, "PacketSize=" GDB_PKT_MAX_STR ";qXfer:features:read+;swbreak+;hwbreak+;"
			 "vContSupported+");
	} else if (!strncmp(a, "qXfer:features:read:", 20)) {
		gdb_cmd_xfer_features(p, a + 20);
	} else if (!strcmp(a, "qfThreadInfo")) {
		unsigned int n = MIN(p->ops->nthreads(p->ctx), (unsigned int)GDB_MAX_THREADS);
		size_t o = 0;

		p->out[o++] = 'm';
		for (unsigned int t = 1; t <= n; t++)
			o += (size_t)fmt_snprintf(p->out + o, sizeof(p->out) - o, "%s%x",
						  t > 1 ? "," : "", t);
		gdb_send_bin(p, p->out, o);
	} else if (!strcmp(a, "qsThreadInfo")) {
		gdb_send(p, "l");
	} else if (!strcmp(a, "qC")) {
		char r[16];

		fmt_snprintf(r, sizeof(r), "QC%x", gdb_gtid(p));
		gdb_send(p, r);
	} else if (!strncmp(a, "qAttached", 9)) {
		gdb_send(p, "1");
	} else {
		gdb_send(p, "");
	}
}

/* H g|c TID: TID hex, 0 (any) or -1 (all). */
static void gdb_cmd_H(struct gdb_proto *p, const char *a)
{
	char op = *a++;
	u64 tid;

	if (op != 'g' && op != 'c') {
		gdb_send_err(p, GDB_E_SYNTAX);
		return;
	}
	if (!strcmp(a, "-1") || !strcmp(a, "0")) {
		tid = 0;
	} else if (gdb_parse_hex(&a, &tid) || *a || !gdb_tid_ok(p, tid)) {
		gdb_send_err(p, GDB_E_THREAD);
		return;
	}
	if (op == 'g')
		p->g_tid = (unsigned int)tid;
	else
		p->c_tid = (unsigned int)tid;
	gdb_send(p, "OK");
}

static void gdb_cmd_T(struct gdb_proto *p, const char *a)
{
	u64 tid;

	if (gdb_parse_hex(&a, &tid) || *a || !gdb_tid_ok(p, tid))
		gdb_send_err(p, GDB_E_THREAD);
	else
		gdb_send(p, "OK");
}

/* One whole packet (the VM is stopped), NUL-terminated at @len. */
static void gdb_dispatch(struct gdb_proto *p, const char *pkt, size_t len)
{
	const char *a = pkt + 1;

	if (!len) {
		gdb_send(p, "");
		return;
	}
	switch (pkt[0]) {
	case '?':
		gdb_send_stop(p);
		break;
	case 'g':
		gdb_cmd_g(p);
		break;
	case 'G':
		gdb_cmd_G(p, a, len - 1);
		break;
	case 'p':
		gdb_cmd_p(p, a);
		break;
	case 'P':
		gdb_cmd_P(p, a, len - 1);
		break;
	case 'm':
		gdb_cmd_m(p, a);
		break;
	case 'M':
		gdb_cmd_write_mem(p, a, len - 1, false);
		break;
	case 'X':
		gdb_cmd_write_mem(p, a, len - 1, true);
		break;
	case 'c':
	case 's':
		gdb_cmd_cont(p, a, pkt[0] == 's', false);
		break;
	case 'C':
	case 'S':
		gdb_cmd_cont(p, a, pkt[0] == 'S', true);
		break;
	case 'Z':
	case 'z':
		gdb_cmd_Z(p, a, pkt[0] == 'Z');
		break;
	case 'H':
		gdb_cmd_H(p, a);
		break;
	case 'T':
		gdb_cmd_T(p, a);
		break;
	case 'q':
		gdb_cmd_q(p, pkt);
		break;
	case 'v':
		if (!strcmp(pkt, "vCont?"))
			gdb_send(p, "vCont;c;C;s;S");
		else if (!strncmp(pkt, "vCont;", 6))
			gdb_cmd_vcont(p, pkt + 5);
		else
			gdb_send(p, "");
		break;
	case 'D':
		gdb_send(p, "OK");
		p->ops->detach(p->ctx);
		p->attached = false;
		p->running = true;
		break;
	case 'k':
		/* No reply: GDB closes the connection. */
		p->ops->kill(p->ctx);
		p->attached = false;
		p->running = true;
		break;
	default:
		gdb_send(p, "");
		break;
	}
}

/* ------------------------------------------------------------------ input */

void gdb_proto_init(struct gdb_proto *p, const struct gdb_target_ops *ops, void *ctx)
{
	memset(p, 0, sizeof(*p));
	p->ops = ops;
	p->ctx = ctx;
	p->running = true;
	p->stop_sig = GDB_SIGTRAP;
	p->stop_tid = 1;
}

/* A checked packet in p->buf: run it, or hold it until the VM stops. */
static void gdb_packet(struct gdb_proto *p)
{
	p->attached = true;
	if (p->running) {
		/* GDB speaks only to a stopped target (all-stop): stop it, then answer. */
		memcpy(p->held_buf, p->buf, p->len + 1);
		p->held_len = p->len;
		p->held = true;
		if (!p->stopping) {
			p->stopping = true;
			p->ops->interrupt(p->ctx);
		}
		return;
	}
	gdb_dispatch(p, p->buf, p->len);
}

void gdb_proto_stopped(struct gdb_proto *p, enum gdb_stop_kind kind, int sig, unsigned int tid)
{
	gdb_proto_stopped_at(p, kind, sig, tid, 0);
}

void gdb_proto_stopped_at(struct gdb_proto *p, enum gdb_stop_kind kind, int sig, unsigned int tid,
			  u64 addr)
{
	p->stop_addr = addr;
	p->running = false;
	p->stopping = false;
	p->stop_kind = kind;
	p->stop_sig = sig;
	p->stop_tid = tid ? tid : 1;
	/* GDB takes the stop's thread for the current one and need not say Hg again. */
	p->g_tid = p->c_tid = p->stop_tid;
	if (p->held) {
		/* It was a request, not a resume: its answer, not a stop reply. */
		p->held = false;
		gdb_dispatch(p, p->held_buf, p->held_len);
		return;
	}
	if (p->attached)
		gdb_send_stop(p);
}

static void gdb_end_packet(struct gdb_proto *p, u8 given)
{
	static const u8 ack = '+', nak = '-';

	p->rx = GDB_RX_IDLE;
	if (given != p->sum) {
		p->stats_bad_csum++;
		gdb_tx(p, &nak, 1);
		return;
	}
	gdb_tx(p, &ack, 1);
	if (p->overlong) {
		p->stats_overlong++;
		gdb_send_err(p, GDB_E_LEN);
		return;
	}
	p->buf[p->len] = '\0';
	/* A NUL inside (binary X data aside) would cut the string commands short: fine. */
	gdb_packet(p);
}

void gdb_proto_rx(struct gdb_proto *p, u8 c)
{
	int d;

	switch (p->rx) {
	case GDB_RX_IDLE:
		if (c == '$') {
			p->rx = GDB_RX_DATA;
			p->len = 0;
			p->sum = 0;
			p->overlong = false;
			p->esc = false;
		} else if (c == '-') {
			p->stats_nak++;
			if (p->last_len)
				gdb_tx(p, p->last, p->last_len);
		} else if (c == GDB_CTRL_C) {
			p->attached = true;
			if (p->running && !p->stopping) {
				p->stopping = true;
				p->ops->interrupt(p->ctx);
			}
		}
		/* '+' and anything else between packets: nothing to do. */
		break;
	case GDB_RX_DATA:
		if (c == '#') {
			p->rx = GDB_RX_CSUM1;
			break;
		}
		p->sum += c;
		if (c == '}' && !p->esc) {
			p->esc = true;	/* the next byte is XOR 0x20 */
			break;
		}
		if (p->esc) {
			p->esc = false;
			c ^= 0x20;
		}
		if (p->len >= GDB_PKT_MAX) {
			p->overlong = true;
			break;
		}
		p->buf[p->len++] = (char)c;
		break;
	case GDB_RX_CSUM1:
		d = hex_digit_value((char)c);
		if (d < 0) {
			p->stats_bad_csum++;
			p->rx = GDB_RX_IDLE;
			gdb_tx(p, (const u8 *)"-", 1);
			break;
		}
		p->csum_hi = (u8)d;
		p->rx = GDB_RX_CSUM2;
		break;
	case GDB_RX_CSUM2:
		d = hex_digit_value((char)c);
		if (d < 0) {
			p->stats_bad_csum++;
			p->rx = GDB_RX_IDLE;
			gdb_tx(p, (const u8 *)"-", 1);
			break;
		}
		gdb_end_packet(p, (u8)(p->csum_hi << 4 | d));
		break;
	}
}
