// SPDX-License-Identifier: MIT
/*
 * vmx/dev/rtc_cmos.c through its ports on a fake VM: every time register
 * in BCD and binary, 12- and 24-hour mode, leap days and centuries, dates
 * past 2038, SET (frozen reads, the guest's own time, raw bytes, the
 * format change), writes while the clock runs, the day of week as its own
 * register, registers A-D, the periodic, update and alarm flags from time,
 * the NMI-mask bit, CMOS RAM and the memory bytes, NULL host callbacks,
 * and two threads on the ports at once.
 */
#include "tests/host/fake_vm.h"
#include "tests/host/harness.h"
#include "vmx/dev/platform.h"

#define IDX	PLAT_RTC_BASE
#define DATA	(PLAT_RTC_BASE + 1)

enum { SEC, SEC_AL, MIN, MIN_AL, HOUR, HOUR_AL, WDAY, MDAY, MON, YEAR, REG_A, REG_B, REG_C,
       REG_D };
#define CENT	PLAT_RTC_CENTURY

#define B_SET	0x80
#define B_PIE	0x40
#define B_AIE	0x20
#define B_UIE	0x10
#define B_DM	0x04
#define B_24H	0x02

static u8 rd(struct fake_vm *vm, u8 reg)
{
	fake_out(vm, IDX, 1, reg);
	return (u8)fake_in(vm, DATA, 1);
}

static void wr(struct fake_vm *vm, u8 reg, u8 v)
{
	fake_out(vm, IDX, 1, reg);
	fake_out(vm, DATA, 1, v);
}

/* 2024-02-29 13:45:07 UTC, a Thursday. */
#define T_LEAP	1709214307ll

static void test_formats(void)
{
	static struct fake_vm vm;

	fake_vm_init(&vm, MiB(256), true);
	vm.wall = T_LEAP;

	/* BCD, 24-hour: what firmware leaves. */
	CHECK_EQ(rd(&vm, REG_B), B_24H);
	CHECK_EQ(rd(&vm, SEC), 0x07);
	CHECK_EQ(rd(&vm, MIN), 0x45);
	CHECK_EQ(rd(&vm, HOUR), 0x13);
	CHECK_EQ(rd(&vm, WDAY), 5);
	CHECK_EQ(rd(&vm, MDAY), 0x29);
	CHECK_EQ(rd(&vm, MON), 0x02);
	CHECK_EQ(rd(&vm, YEAR), 0x24);
	CHECK_EQ(rd(&vm, CENT), 0x20);

	/* Binary, 24-hour. */
	wr(&vm, REG_B, B_DM | B_24H);
	CHECK_EQ(rd(&vm, SEC), 7);
	CHECK_EQ(rd(&vm, MIN), 45);
	CHECK_EQ(rd(&vm, HOUR), 13);
	CHECK_EQ(rd(&vm, MDAY), 29);
	CHECK_EQ(rd(&vm, YEAR), 24);
	CHECK_EQ(rd(&vm, CENT), 20);

	/* 12-hour: PM in bit 7; 12 for noon and midnight. */
	wr(&vm, REG_B, B_DM);
	CHECK_EQ(rd(&vm, HOUR), 0x81);
	wr(&vm, REG_B, 0);
	CHECK_EQ(rd(&vm, HOUR), 0x81);
	vm.wall = 1720094400ll;			/* 2024-07-04 12:00:00 */
	CHECK_EQ(rd(&vm, HOUR), 0x92);
	wr(&vm, REG_B, B_DM);
	CHECK_EQ(rd(&vm, HOUR), 0x8c);
	vm.wall = 1720051230ll;			/* 2024-07-04 00:00:30 */
	CHECK_EQ(rd(&vm, HOUR), 0x0c);
	wr(&vm, REG_B, 0);
	CHECK_EQ(rd(&vm, HOUR), 0x12);
	CHECK_EQ(rd(&vm, SEC), 0x30);

	/* Past 2038, and into 2100 (not a leap year). */
	wr(&vm, REG_B, B_24H);
	vm.wall = 2147483648ll + 5;
	CHECK_EQ(rd(&vm, YEAR), 0x38);
	CHECK_EQ(rd(&vm, MON), 0x01);
	CHECK_EQ(rd(&vm, MDAY), 0x19);
	CHECK_EQ(rd(&vm, HOUR), 0x03);
	CHECK_EQ(rd(&vm, MIN), 0x14);
	CHECK_EQ(rd(&vm, SEC), 0x13);
	CHECK_EQ(rd(&vm, WDAY), 3);		/* Tuesday */
	vm.wall = 4107542399ll + 1;
	CHECK_EQ(rd(&vm, CENT), 0x21);
	CHECK_EQ(rd(&vm, YEAR), 0x00);
	CHECK_EQ(rd(&vm, MON), 0x03);
	CHECK_EQ(rd(&vm, MDAY), 0x01);

	/* Registers A and D; C and D are read-only; UIP never shows. */
	CHECK_EQ(rd(&vm, REG_A), 0x26);
	CHECK_EQ(rd(&vm, REG_D), 0x80);
	wr(&vm, REG_D, 0x00);
	CHECK_EQ(rd(&vm, REG_D), 0x80);
	wr(&vm, REG_A, 0xa6);			/* UIP is read-only */
	for (int i = 0; i < 3000; i++) {
		vm.ns += 333333;
		vm.wall += i % 3 == 0;
		if (rd(&vm, REG_A) & 0x80)
			break;
	}
	CHECK_EQ(rd(&vm, REG_A), 0x26);
	fake_vm_destroy(&vm);
}

static void test_set(void)
{
	static struct fake_vm vm;

	fake_vm_init(&vm, MiB(256), true);
	vm.wall = T_LEAP;

	/* SET freezes the clock; the bytes are the guest's until SET clears. */
	wr(&vm, REG_B, B_SET | B_24H);
	vm.wall += 100;
	CHECK_EQ(rd(&vm, SEC), 0x07);
	CHECK_EQ(rd(&vm, MIN), 0x45);
	wr(&vm, SEC, 0x5a);			/* not BCD: stored as written */
	CHECK_EQ(rd(&vm, SEC), 0x5a);
	wr(&vm, SEC, 0x58);
	wr(&vm, MIN, 0x59);
	wr(&vm, HOUR, 0x23);
	wr(&vm, WDAY, 6);			/* Friday */
	wr(&vm, MDAY, 0x31);
	wr(&vm, MON, 0x12);
	wr(&vm, YEAR, 0x99);
	wr(&vm, CENT, 0x19);
	vm.wall += 1000;
	CHECK_EQ(rd(&vm, YEAR), 0x99);
	wr(&vm, REG_B, B_24H);			/* runs from 1999-12-31 23:59:58 */
	CHECK_EQ(rd(&vm, SEC), 0x58);
	CHECK_EQ(rd(&vm, CENT), 0x19);
	vm.wall += 3;
	CHECK_EQ(rd(&vm, SEC), 0x01);
	CHECK_EQ(rd(&vm, MIN), 0x00);
	CHECK_EQ(rd(&vm, HOUR), 0x00);
	CHECK_EQ(rd(&vm, MDAY), 0x01);
	CHECK_EQ(rd(&vm, MON), 0x01);
	CHECK_EQ(rd(&vm, YEAR), 0x00);
	CHECK_EQ(rd(&vm, CENT), 0x20);
	CHECK_EQ(rd(&vm, WDAY), 7);		/* Saturday */

	/* The day of week is its own register: set wrong, it still advances. */
	wr(&vm, WDAY, 3);
	CHECK_EQ(rd(&vm, WDAY), 3);
	vm.wall += 86400;
	CHECK_EQ(rd(&vm, WDAY), 4);
	CHECK_EQ(rd(&vm, MDAY), 0x02);

	/* A write while the clock runs sets just that field. */
	wr(&vm, MIN, 0x30);
	CHECK_EQ(rd(&vm, MIN), 0x30);
	CHECK_EQ(rd(&vm, HOUR), 0x00);
	CHECK_EQ(rd(&vm, MDAY), 0x02);
	vm.wall += 60;
	CHECK_EQ(rd(&vm, MIN), 0x31);

	/* Leap days through the guest's own time. */
	wr(&vm, REG_B, B_SET | B_24H);
	wr(&vm, CENT, 0x21);
	wr(&vm, YEAR, 0x00);
	wr(&vm, MON, 0x02);
	wr(&vm, MDAY, 0x28);
	wr(&vm, HOUR, 0x23);
	wr(&vm, MIN, 0x59);
	wr(&vm, SEC, 0x59);
	wr(&vm, REG_B, B_24H);
	vm.wall++;
	CHECK_EQ(rd(&vm, MON), 0x03);
	CHECK_EQ(rd(&vm, MDAY), 0x01);
	wr(&vm, REG_B, B_SET | B_24H);
	wr(&vm, CENT, 0x20);			/* 2000-02-28 23:59:59 */
	wr(&vm, MON, 0x02);
	wr(&vm, MDAY, 0x28);
	wr(&vm, HOUR, 0x23);
	wr(&vm, MIN, 0x59);
	wr(&vm, SEC, 0x59);
	wr(&vm, REG_B, B_24H);
	vm.wall++;
	CHECK_EQ(rd(&vm, MON), 0x02);
	CHECK_EQ(rd(&vm, MDAY), 0x29);

	/* 12-hour mode bytes (decoded when SET clears): 12 PM is noon, 12 AM midnight. */
	wr(&vm, REG_B, B_SET);
	wr(&vm, HOUR, 0x92);
	wr(&vm, REG_B, 0);
	wr(&vm, REG_B, B_24H);
	CHECK_EQ(rd(&vm, HOUR), 0x12);
	wr(&vm, REG_B, B_SET);
	wr(&vm, HOUR, 0x12);
	wr(&vm, REG_B, 0);
	wr(&vm, REG_B, B_24H);
	CHECK_EQ(rd(&vm, HOUR), 0x00);
	wr(&vm, REG_B, B_SET);
	wr(&vm, HOUR, 0x87);			/* 7 PM */
	wr(&vm, REG_B, 0);
	CHECK_EQ(rd(&vm, HOUR), 0x87);
	wr(&vm, REG_B, B_24H);
	CHECK_EQ(rd(&vm, HOUR), 0x19);

	/* The bytes keep their format: BCD 0x30, then read as binary 48. */
	wr(&vm, REG_B, B_SET | B_24H);
	wr(&vm, MIN, 0x30);
	wr(&vm, REG_B, B_SET | B_DM | B_24H);
	CHECK_EQ(rd(&vm, MIN), 0x30);
	wr(&vm, REG_B, B_DM | B_24H);
	CHECK_EQ(rd(&vm, MIN), 48);

	/* SET going high clears UIE; other B bits are stored. */
	wr(&vm, REG_B, B_UIE | B_PIE | B_24H | 0x08 | 0x01);
	CHECK_EQ(rd(&vm, REG_B), B_UIE | B_PIE | B_24H | 0x08 | 0x01);
	wr(&vm, REG_B, B_SET | B_UIE | B_24H);
	CHECK_EQ(rd(&vm, REG_B), B_SET | B_24H);
	wr(&vm, REG_B, B_SET | B_UIE | B_24H);	/* already high: no edge */
	CHECK_EQ(rd(&vm, REG_B), B_SET | B_UIE | B_24H);
	fake_vm_destroy(&vm);
}

static void test_flags(void)
{
	static struct fake_vm vm;

	fake_vm_init(&vm, MiB(256), true);
	vm.wall = T_LEAP;			/* from the epoch: every flag is due */
	CHECK_EQ(rd(&vm, REG_C), 0x30);
	CHECK_EQ(rd(&vm, REG_C), 0);

	/* Periodic: an edge of the selected rate (register A: 1024 Hz). */
	vm.ns += 1000000;
	CHECK_EQ(rd(&vm, REG_C), 0x40);
	CHECK_EQ(rd(&vm, REG_C), 0);		/* read to clear */
	wr(&vm, REG_B, B_PIE | B_24H);
	vm.ns += 1000000;
	CHECK_EQ(rd(&vm, REG_C), 0xc0);
	wr(&vm, REG_A, 0x20);			/* rate 0: none */
	vm.ns += 1000000000;
	CHECK_EQ(rd(&vm, REG_C), 0);
	/* Rate 15 (2 Hz): the edge exactly at 500 ms of the time base. */
	vm.ns = 0;
	wr(&vm, REG_A, 0x2f);
	rd(&vm, REG_C);
	vm.ns = 499999999;
	CHECK_EQ(rd(&vm, REG_C), 0);
	vm.ns = 500000000;
	CHECK_EQ(rd(&vm, REG_C), 0xc0);
	/* Rate 1 is 256 Hz here (3.90625 ms), not 32768 Hz. */
	wr(&vm, REG_A, 0x21);
	rd(&vm, REG_C);
	vm.ns = 500000000 + 3906250 - 1;
	CHECK_EQ(rd(&vm, REG_C), 0);
	vm.ns = 500000000 + 3906250;
	CHECK_EQ(rd(&vm, REG_C), 0xc0);
	wr(&vm, REG_A, 0x20);
	wr(&vm, REG_B, B_24H);

	/* Update-ended: a second boundary of the guest clock. */
	CHECK_EQ(rd(&vm, REG_C), 0);
	vm.wall++;
	CHECK_EQ(rd(&vm, REG_C), 0x10);
	CHECK_EQ(rd(&vm, REG_C), 0);
	wr(&vm, REG_B, B_UIE | B_24H);
	vm.wall++;
	CHECK_EQ(rd(&vm, REG_C), 0x90);

	/* Alarm at 13:45:12 (now 13:45:09). */
	wr(&vm, REG_B, B_AIE | B_24H);
	wr(&vm, SEC_AL, 0x12);
	wr(&vm, MIN_AL, 0x45);
	wr(&vm, HOUR_AL, 0x13);
	vm.wall += 2;				/* :11 */
	CHECK_EQ(rd(&vm, REG_C), 0x10);
	vm.wall += 1;				/* :12 */
	CHECK_EQ(rd(&vm, REG_C), 0xb0);
	vm.wall += 30;
	CHECK_EQ(rd(&vm, REG_C), 0x10);
	vm.wall += 3 * 86400;			/* every alarm passes in a day */
	CHECK_EQ(rd(&vm, REG_C), 0xb0);
	/* Don't-care bytes: every second. */
	wr(&vm, SEC_AL, 0xc0);
	wr(&vm, MIN_AL, 0xff);
	wr(&vm, HOUR_AL, 0xc5);
	vm.wall++;
	CHECK_EQ(rd(&vm, REG_C), 0xb0);
	/* Any second of minute 46 of hour 13: not before 13:46:00. */
	wr(&vm, MIN_AL, 0x46);
	wr(&vm, HOUR_AL, 0x13);
	vm.wall = T_LEAP + 52;			/* 13:45:59 */
	rd(&vm, REG_C);
	CHECK_EQ(rd(&vm, REG_C), 0);
	vm.wall++;
	CHECK_EQ(rd(&vm, REG_C), 0xb0);
	/* A 12-hour alarm byte: 1 PM. */
	wr(&vm, REG_B, B_AIE);
	wr(&vm, SEC_AL, 0xc0);
	wr(&vm, MIN_AL, 0xc0);
	wr(&vm, HOUR_AL, 0x81);
	vm.wall++;
	CHECK_EQ(rd(&vm, REG_C), 0xb0);
	wr(&vm, HOUR_AL, 0x01);			/* 1 AM */
	vm.wall++;
	CHECK_EQ(rd(&vm, REG_C), 0x10);
	/* An alarm byte out of range never matches. */
	wr(&vm, REG_B, B_AIE | B_24H);
	wr(&vm, HOUR_AL, 0x24);
	vm.wall += 2 * 86400;
	CHECK_EQ(rd(&vm, REG_C), 0x10);

	/* SET: no updates, no alarm; clearing it is no update either. */
	wr(&vm, HOUR_AL, 0xc0);
	wr(&vm, REG_B, B_SET | B_AIE | B_24H);
	vm.wall += 10;
	CHECK_EQ(rd(&vm, REG_C), 0);
	wr(&vm, YEAR, 0x30);			/* a jump of six years */
	wr(&vm, REG_B, B_AIE | B_24H);
	CHECK_EQ(rd(&vm, REG_C), 0);
	vm.wall++;
	CHECK_EQ(rd(&vm, REG_C), 0xb0);
	/* Setting a field while running is no update. */
	wr(&vm, SEC, 0x00);
	CHECK_EQ(rd(&vm, REG_C), 0);
	fake_vm_destroy(&vm);
}

static void test_ports_and_ram(void)
{
	static struct fake_vm vm;
	u16 sum = 0;

	fake_vm_init(&vm, MiB(256), true);

	/* The index port reads back, NMI-mask bit included; the mask is not an index bit. */
	fake_out(&vm, IDX, 1, 0x80 | REG_D);
	CHECK_EQ(fake_in(&vm, IDX, 1), 0x80 | REG_D);
	CHECK_EQ(fake_in(&vm, DATA, 1), 0x80);
	fake_out(&vm, IDX, 1, 0x80 | 0x40);
	fake_out(&vm, DATA, 1, 0x5a);
	fake_out(&vm, IDX, 1, 0x40);
	CHECK_EQ(fake_in(&vm, DATA, 1), 0x5a);
	CHECK_EQ(fake_in(&vm, IDX, 1), 0x40);

	/* A word access is the index byte, then the data byte. */
	fake_out(&vm, IDX, 2, 0xa541);
	CHECK_EQ(rd(&vm, 0x41), 0xa5);
	fake_out(&vm, IDX, 1, 0x41);
	CHECK_EQ(fake_in(&vm, IDX, 2), 0xa541);
	CHECK(!fake_claimed(&vm, IDX, 4));	/* 0x72-0x73 are nobody's */
	CHECK(!fake_claimed(&vm, DATA, 2));

	/* The memory bytes for 256 MiB, and their checksum. */
	CHECK_EQ(rd(&vm, 0x15) | rd(&vm, 0x16) << 8, 640);
	CHECK_EQ(rd(&vm, 0x17) | rd(&vm, 0x18) << 8, 0xffff);
	CHECK_EQ(rd(&vm, 0x30) | rd(&vm, 0x31) << 8, 0xffff);
	CHECK_EQ(rd(&vm, 0x34) | rd(&vm, 0x35) << 8, (256 - 16) * 16);
	CHECK_EQ(rd(&vm, 0x5b) | rd(&vm, 0x5c) << 8 | rd(&vm, 0x5d) << 16, 0);
	for (u8 i = 0x10; i < 0x2e; i++)
		sum = (u16)(sum + rd(&vm, i));
	CHECK_EQ(rd(&vm, 0x2e) << 8 | rd(&vm, 0x2f), sum);
	fake_vm_destroy(&vm);

	fake_vm_init(&vm, MiB(6144) + MiB(1), true);
	CHECK_EQ(rd(&vm, 0x34) | rd(&vm, 0x35) << 8, (4096 - 16) * 16);
	CHECK_EQ(rd(&vm, 0x5b) | rd(&vm, 0x5c) << 8 | rd(&vm, 0x5d) << 16, 2048 * 16 + 16);

	/* Plain storage: every byte that is no register. */
	for (u8 i = 0x0e; i < 0x80; i++)
		if (i != CENT)
			wr(&vm, i, (u8)(i ^ 0xa5));
	for (u8 i = 0x0e; i < 0x80; i++)
		if (i != CENT)
			CHECK_EQ(rd(&vm, i), (u8)(i ^ 0xa5));
	/* Alarm bytes are storage too. */
	wr(&vm, SEC_AL, 0x33);
	CHECK_EQ(rd(&vm, SEC_AL), 0x33);
	fake_vm_destroy(&vm);

	/* No clocks at all: the epoch, and nothing ever fires. */
	fake_vm_init(&vm, 0, false);
	CHECK_EQ(rd(&vm, YEAR), 0x70);
	CHECK_EQ(rd(&vm, CENT), 0x19);
	CHECK_EQ(rd(&vm, MDAY), 0x01);
	CHECK_EQ(rd(&vm, WDAY), 5);		/* Thursday */
	CHECK_EQ(rd(&vm, REG_C), 0);
	CHECK_EQ(rd(&vm, 0x15) | rd(&vm, 0x16) << 8, 0);
	fake_vm_destroy(&vm);
}

/* Two vCPUs on the ports: whole word accesses (index + data) stay intact. */
struct racer {
	struct fake_vm *vm;
	u8 reg;
	unsigned long bad;
};

static void *rtc_racer(void *arg)
{
	struct racer *r = arg;
	unsigned int n = test_opts.quick ? 20000 : 200000;

	for (unsigned int i = 0; i < n; i++) {
		u8 v = (u8)(i * 7 + r->reg);
		u32 got;

		fake_out(r->vm, IDX, 2, (u32)v << 8 | r->reg);
		fake_out(r->vm, IDX, 1, r->reg);	/* may be overtaken: only the word counts */
		got = fake_in(r->vm, IDX, 2);
		if ((got & 0xff) == r->reg && got >> 8 != v)
			r->bad++;
		(void)fake_in(r->vm, DATA, 1);
	}
	return NULL;
}

static void test_threads(void)
{
	static struct fake_vm vm;
	struct racer r[2];

	fake_vm_init(&vm, MiB(64), true);
	vm.wall = T_LEAP;
	for (int i = 0; i < 2; i++)
		r[i] = (struct racer){ .vm = &vm, .reg = (u8)(0x40 + i) };
	test_run_threads(2, rtc_racer, r, sizeof(r[0]));
	CHECK_EQ(r[0].bad + r[1].bad, 0);
	CHECK_EQ(rd(&vm, 0x40), (u8)((test_opts.quick ? 20000u : 200000u) * 7 - 7 + 0x40));
	fake_vm_destroy(&vm);
}

int main(int argc, char **argv)
{
	test_init(argc, argv, 0);
	test_formats();
	test_set();
	test_flags();
	test_ports_and_ram();
	test_threads();
	return test_finish();
}
