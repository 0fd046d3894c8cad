/* SPDX-License-Identifier: MIT */
/*
 * The GDB remote serial protocol, portable: packet framing ($data#cs),
 * checksums, acknowledgements (+/-), escapes, hex, the packet parser and
 * the dispatcher, and the x86-64 target description.  It knows nothing of
 * VMX: the bare-metal side (vmx/gdb/gdb_stub.c) feeds it received bytes and
 * gives it a table of operations on the debugged VM (struct gdb_target_ops);
 * hosted tests (tests/host/test_gdb.c) and a libFuzzer target
 * (tests/fuzz/fuzz_gdb.c) give it fakes.  docs/gdb.md.
 *
 * All-stop only: every vCPU of the VM stops when one stops.  Threads are
 * vCPUs, thread id = vCPU id + 1.
 */
#ifndef VMX_GDB_GDB_PROTO_H
#define VMX_GDB_GDB_PROTO_H

#include "lib/compiler.h"

/* The largest packet payload we take or send (qSupported's PacketSize, hex). */
#define GDB_PKT_MAX		4096
#define GDB_PKT_MAX_STR		"1000"
/* The most bytes one m/M/X packet moves (two hex digits each fit in GDB_PKT_MAX). */
#define GDB_MEM_MAX		2000
#define GDB_MAX_THREADS		8

/* The registers of the target description, in GDB's numbering (the XML's order). */
enum gdb_reg {
	GDB_RAX, GDB_RBX, GDB_RCX, GDB_RDX, GDB_RSI, GDB_RDI, GDB_RBP, GDB_RSP,
	GDB_R8, GDB_R9, GDB_R10, GDB_R11, GDB_R12, GDB_R13, GDB_R14, GDB_R15,
	GDB_RIP, GDB_EFLAGS,
	GDB_CS, GDB_SS, GDB_DS, GDB_ES, GDB_FS, GDB_GS,
	GDB_ST0, GDB_ST7 = GDB_ST0 + 7,
	GDB_FCTRL, GDB_FSTAT, GDB_FTAG, GDB_FISEG, GDB_FIOFF, GDB_FOSEG, GDB_FOOFF, GDB_FOP,
	GDB_FS_BASE, GDB_GS_BASE,
	GDB_K_GS_BASE, GDB_CR0, GDB_CR2, GDB_CR3, GDB_CR4, GDB_CR8, GDB_EFER,
	GDB_NREGS,
};

/* Each register's size in bytes in g/G/p/P (x87 data registers: 10). */
extern const u8 gdb_reg_size[GDB_NREGS];
/* Bytes of a whole g packet (before hex). */
#define GDB_REGS_BYTES		(16 * 8 + 8 + 4 + 6 * 4 + 8 * 10 + 8 * 4 + 2 * 8 + 7 * 8)

/* The target description (qXfer:features:read:target.xml), NUL-terminated. */
extern const char gdb_target_xml[];

/* Why the VM stopped (gdb_proto_stopped()). */
enum gdb_stop_kind {
	GDB_STOP_SIGNAL,	/* Ctrl-C, attach, a finished step: just the signal */
	GDB_STOP_SWBREAK,	/* one of our INT3s; RIP is the breakpoint's address */
	GDB_STOP_HWBREAK,	/* one of our debug-register breakpoints */
	GDB_STOP_WATCH,		/* a write watchpoint hit (Z2): the stop has its address */
	GDB_STOP_AWATCH,	/* an access watchpoint hit (Z4): the same */
	GDB_STOP_EXITED,	/* the VM stopped for good: W00 */
};

#define GDB_SIGINT		2
#define GDB_SIGTRAP		5

enum gdb_bp_type {
	GDB_BP_SW = 0,		/* Z0: INT3 in guest memory */
	GDB_BP_HW = 1,		/* Z1: a debug register, execution */
	GDB_BP_WRITE = 2,	/* Z2: a debug register, data writes */
	GDB_BP_READ = 3,	/* Z3: reads only: x86 has none (not supported) */
	GDB_BP_ACCESS = 4,	/* Z4: a debug register, data reads and writes */
};

/**
 * struct gdb_target_ops - what the protocol asks of the debugged VM.
 * Called only while the VM is stopped (except @interrupt and @write).
 * @nthreads:  vCPUs of the VM (threads 1..n)
 * @read_regs: all registers of thread @tid into @val (GDB numbering); 0, or
 *             -HV_ENOENT (no such thread)
 * @write_regs: the registers of thread @tid whose @mask bit is set; as @read_regs
 * @read_mem:  guest-virtual memory, through thread @tid's paging: bytes
 *             read from the start (fewer than @len where a page is unmapped)
 * @write_mem: likewise, bytes written
 * @breakpoint: insert (@insert) or remove a breakpoint of @type at @addr,
 *             @len bytes (GDB's kind: a watchpoint's length); 0, or a negated
 *             lib/errno.h value: -HV_EFAULT (unmapped), -HV_ENOSPC (no
 *             breakpoint slot or debug register free), -HV_EINVAL (a length
 *             or alignment the debug registers cannot watch), -HV_ENOENT
 *             (not there, or no VM)
 * @resume:    let the VM run: thread @step_tid (0: none) executes one
 *             instruction; with @others, every other vCPU runs too
 * @interrupt: stop the VM (Ctrl-C, or a packet while it runs); the stub
 *             calls gdb_proto_stopped() once every vCPU is held
 * @detach:    remove every breakpoint, let the VM run untouched
 * @kill:      stop the VM for good
 * @write:     send bytes to GDB
 */
struct gdb_target_ops {
	unsigned int (*nthreads)(void *ctx);
	int (*read_regs)(void *ctx, unsigned int tid, u64 val[GDB_NREGS]);
	int (*write_regs)(void *ctx, unsigned int tid, const u64 val[GDB_NREGS], u64 mask);
	size_t (*read_mem)(void *ctx, unsigned int tid, u64 addr, u8 *buf, size_t len);
	size_t (*write_mem)(void *ctx, unsigned int tid, u64 addr, const u8 *buf, size_t len);
	int (*breakpoint)(void *ctx, enum gdb_bp_type type, u64 addr, u64 len, bool insert);
	void (*resume)(void *ctx, unsigned int step_tid, bool others);
	void (*interrupt)(void *ctx);
	void (*detach)(void *ctx);
	void (*kill)(void *ctx);
	void (*write)(void *ctx, const u8 *buf, size_t len);
};

enum gdb_rx_state {
	GDB_RX_IDLE,		/* between packets: $, +, -, Ctrl-C */
	GDB_RX_DATA,		/* inside $...# */
	GDB_RX_CSUM1,
	GDB_RX_CSUM2,
};

/**
 * struct gdb_proto - one connection's state (owned by one CPU: no lock).
 * @running:   the VM runs (a resume was sent, no stop reported since)
 * @stopping:  @interrupt was called, gdb_proto_stopped() not yet
 * @held:      a packet that came while the VM ran, run once it stops
 */
struct gdb_proto {
	const struct gdb_target_ops *ops;
	void *ctx;
	enum gdb_rx_state rx;
	u8 sum;			/* running checksum of the packet's data */
	u8 csum_hi;		/* first checksum digit's value */
	bool overlong;		/* the packet outgrew buf: answered with an error */
	bool esc;		/* the last byte was '}' */
	size_t len;
	char buf[GDB_PKT_MAX + 1];
	bool running, stopping;
	bool held;
	size_t held_len;
	char held_buf[GDB_PKT_MAX + 1];
	unsigned int g_tid, c_tid;	/* Hg / Hc threads (1..n) */
	unsigned int stop_tid;		/* thread of the last stop */
	int stop_sig;
	enum gdb_stop_kind stop_kind;
	u64 stop_addr;			/* the watchpoint's address (GDB_STOP_WATCH/AWATCH) */
	bool attached;			/* a packet came since gdb_proto_init() / D */
	/* What we sent last, for a '-' (NAK): the whole framed packet. */
	size_t last_len;
	u8 last[GDB_PKT_MAX * 2 + 8];
	char out[GDB_PKT_MAX + 1];	/* the reply being built */
	u64 stats_bad_csum, stats_overlong, stats_nak;
};

/* Start a connection; the VM is running. */
void gdb_proto_init(struct gdb_proto *p, const struct gdb_target_ops *ops, void *ctx);

/* One byte from GDB. */
void gdb_proto_rx(struct gdb_proto *p, u8 c);

/*
 * Every vCPU is held now (after @interrupt, a breakpoint, a step): report
 * the stop to GDB (or run the packet that was held while the VM ran).
 * @tid: the thread that stopped (1..n)
 */
void gdb_proto_stopped(struct gdb_proto *p, enum gdb_stop_kind kind, int sig, unsigned int tid);
/* The same for a watchpoint's stop: @addr is the watched address GDB gave. */
void gdb_proto_stopped_at(struct gdb_proto *p, enum gdb_stop_kind kind, int sig, unsigned int tid,
			  u64 addr);

/* Parse hex at *@s up to a non-hex character; 0, or -HV_EINVAL when none or more than 16 digits. */
int gdb_parse_hex(const char **s, u64 *out);

#endif /* VMX_GDB_GDB_PROTO_H */
