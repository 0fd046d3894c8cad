// SPDX-License-Identifier: MIT
/*
 * Test-guest runtime: COM1 console, formatted output, hypercalls, checks,
 * exception and interrupt dispatch, the final report.
 */
#include "guest.h"

#define COM1		0x3f8

unsigned int guest_failures;
static girq_fn irq_handlers[256];

static void com1_init(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	outb(COM1 + 1, 0);	/* no interrupts */
	outb(COM1 + 3, 0x80);	/* DLAB */
	outb(COM1 + 0, 1);	/* 115200 */
	outb(COM1 + 1, 0);
	outb(COM1 + 3, 0x03);	/* 8N1 */
}

void gputc(char c)
{
	com1_init();
	while (!(inb(COM1 + 5) & 0x20))
		cpu_relax();
	outb(COM1, (u8)c);
}

void gputs(const char *s)
{
	while (*s)
		gputc(*s++);
}

struct fmt_out {
	char *buf;
	size_t size, len;
};

static void fmt_put(struct fmt_out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

/* *v /= d, returns the remainder: two 32-bit DIVs, no libgcc helper needed. */
static u32 div64_small(unsigned long long *v, u32 d)
{
	u32 hi = (u32)(*v >> 32), lo = (u32)*v, qhi = hi / d, r = hi % d, qlo;

	__asm__("divl %4" : "=a"(qlo), "=d"(r) : "a"(lo), "d"(r), "rm"(d));
	*v = ((unsigned long long)qhi << 32) | qlo;
	return r;
}

static void fmt_num(struct fmt_out *o, unsigned long long v, unsigned int base, int width,
		    char pad, bool neg)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[div64_small(&v, base)];
	} while (v);
	if (neg)
		tmp[n++] = '-';
	while (width-- > n)
		fmt_put(o, pad);
	while (n)
		fmt_put(o, tmp[--n]);
}

/* %s %c %d %u %x %p with l/ll, width, '0' and '#'. */
void gvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		int width = 0, lng = 0;
		char pad = ' ';
		bool alt = false, left = false;
		size_t start;
		unsigned long long u;
		long long s;

		if (*fmt != '%') {
			fmt_put(&o, *fmt);
			continue;
		}
		fmt++;
		if (*fmt == '-')
			left = true, fmt++;
		if (*fmt == '#')
			alt = true, fmt++;
		if (*fmt == '0')
			pad = '0', fmt++;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l')
			lng++, fmt++;
		switch (*fmt) {
		case 's': {
			const char *str = va_arg(ap, const char *);

			if (!str)
				str = "(null)";
			start = o.len;
			if (!left)
				for (size_t l = strlen(str); (int)l < width; l++)
					fmt_put(&o, ' ');
			while (*str)
				fmt_put(&o, *str++);
			while (left && (int)(o.len - start) < width)
				fmt_put(&o, ' ');
			break;
		}
		case 'c':
			fmt_put(&o, (char)va_arg(ap, int));
			break;
		case 'd':
			s = lng >= 2 ? va_arg(ap, long long) : lng ? va_arg(ap, long) : va_arg(ap, int);
			fmt_num(&o, s < 0 ? -(unsigned long long)s : (unsigned long long)s, 10, width,
				pad, s < 0);
			break;
		case 'u':
		case 'x':
		case 'p':
			if (*fmt == 'p')
				u = (unsigned long)va_arg(ap, void *), alt = true;
			else
				u = lng >= 2 ? va_arg(ap, unsigned long long)
				    : lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
			if (*fmt != 'u' && alt)
				fmt_put(&o, '0'), fmt_put(&o, 'x');
			fmt_num(&o, u, *fmt == 'u' ? 10 : 16, width, pad, false);
			break;
		case '%':
			fmt_put(&o, '%');
			break;
		default:
			fmt_put(&o, '%');
			fmt_put(&o, *fmt);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
}

/*
 * COM1 is one UART for the whole VM, as on a real PC: a line printed by one
 * vCPU must not be interleaved with another's, so lines go out whole under
 * a lock (a test-and-set spin; the guests run with interrupts off).
 */
static volatile u32 gprintf_lock;

void gprintf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	gvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	while (__atomic_exchange_n(&gprintf_lock, 1, __ATOMIC_ACQUIRE))
		cpu_relax();
	gputs(buf);
	__atomic_store_n(&gprintf_lock, 0, __ATOMIC_RELEASE);
}

long hcall_out(u32 nr, u32 a, u32 b, u32 c, u32 d, u32 *rbx, u32 *rcx, u32 *rdx, u32 *rsi)
{
	u32 ret;

	__asm__ __volatile__("vmcall"
			     : "=a"(ret), "+b"(a), "+c"(b), "+d"(c), "+S"(d)
			     : "a"(nr)
			     : "memory");
	if (rbx)
		*rbx = a;
	if (rcx)
		*rcx = b;
	if (rdx)
		*rdx = c;
	if (rsi)
		*rsi = d;
	return (long)(int)ret;
}

long hcall(u32 nr, u32 a, u32 b, u32 c, u32 d)
{
	return hcall_out(nr, a, b, c, d, NULL, NULL, NULL, NULL);
}

void greport(int code, const char *text)
{
	hcall(HC_REPORT, (u32)code, (u32)(uintptr_t)text, 0, 0);
}

void gexit(int code)
{
	for (;;)
		hcall(HC_EXIT, (u32)code, 0, 0, 0);
}

void guest_check_failed(const char *file, int line, const char *what)
{
	guest_failures++;
	gprintf("CHECK FAILED %s:%d: %s\n", file, line, what);
}

struct msr_op {
	u32 msr;
	u64 val;
};

static void do_rdmsr(void *arg)
{
	struct msr_op *op = arg;

	op->val = rdmsr(op->msr);
}

static void do_wrmsr(void *arg)
{
	struct msr_op *op = arg;

	wrmsr(op->msr, op->val);
}

int gtry_rdmsr(u32 msr, u64 *val)
{
	struct msr_op op = { msr, 0 };
	int vec = gtry(do_rdmsr, &op);

	*val = op.val;
	return vec;
}

int gtry_wrmsr(u32 msr, u64 val)
{
	struct msr_op op = { msr, val };

	return gtry(do_wrmsr, &op);
}

void gset_irq(u8 vector, girq_fn fn)
{
	irq_handlers[vector] = fn;
}

/* Called from lib/start.asm for vectors 32..255. */
void guest_irq(u32 vector);
void guest_irq(u32 vector)
{
	if (irq_handlers[vector & 255])
		irq_handlers[vector & 255](vector);
	else
		gprintf("unexpected interrupt %u\n", vector);
}

/* An exception outside gtry(): report it as a failure and stop. */
__attribute__((noreturn)) void guest_exception(u32 vector, u32 err, u32 eip);
void guest_exception(u32 vector, u32 err, u32 eip)
{
	gprintf("unexpected exception %u (error %#x) at eip %#x\n", vector, err, eip);
	greport(100 + (int)vector, "unexpected exception");
	gexit(1);
}

void gstats(u64 *v, unsigned int n, u64 *min, u64 *median)
{
	unsigned int i, j;

	for (i = 1; i < n; i++) {
		u64 x = v[i];

		for (j = i; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
	*min = v[0];
	*median = v[n / 2];
}

/* Called by lib/start.asm on vCPU 0. */
__attribute__((noreturn)) void guest_start(void);
void guest_start(void)
{
	int ret = guest_main();

	if (ret || guest_failures) {
		gprintf("%u check(s) failed, guest_main returned %d\n", guest_failures, ret);
		greport(ret ? ret : (int)guest_failures, "checks failed");
		gexit(1);
	}
	greport(0, "all checks passed");
	gexit(0);
}
