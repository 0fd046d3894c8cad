// SPDX-License-Identifier: MIT
/*
 * Host RTC (MC146818 at ports 0x70/0x71): read once at boot, then the
 * wallclock runs on the TSC.  The read waits for the update-in-progress
 * flag to clear and reads twice until both reads agree, so it never sees
 * a half-updated time.
 */
#include "arch/x86/rtc.h"

#include "arch/x86/cpu.h"
#include "lib/calendar.h"
#include "lib/platform.h"
#include "lib/printk.h"

#define CMOS_INDEX	0x70
#define CMOS_DATA	0x71
#define CMOS_NMI_OFF	0x80	/* keep NMIs masked while we index */
#define RTC_SEC		0x00
#define RTC_MIN		0x02
#define RTC_HOUR	0x04
#define RTC_MDAY	0x07
#define RTC_MONTH	0x08
#define RTC_YEAR	0x09
#define RTC_STATUS_A	0x0a
#define RTC_STATUS_B	0x0b
#define RTC_CENTURY	0x32
#define RTC_A_UIP	0x80
#define RTC_B_24H	0x02
#define RTC_B_BINARY	0x04

static s64 rtc_boot_epoch;
static u64 rtc_boot_ns;

static u8 cmos_read(u8 reg)
{
	outb(CMOS_INDEX, CMOS_NMI_OFF | reg);
	return inb(CMOS_DATA);
}

static unsigned int rtc_value(u8 v, u8 status_b)
{
	return (status_b & RTC_B_BINARY) ? v : (v >> 4) * 10u + (v & 0x0f);
}

struct rtc_raw {
	u8 sec, min, hour, mday, month, year, century;
};

/* One snapshot after the update flag cleared; false if it never did. */
static bool rtc_snapshot(struct rtc_raw *r)
{
	u64 give_up = arch_time_ns() + 1000000000ull;

	while (cmos_read(RTC_STATUS_A) & RTC_A_UIP)
		if (arch_time_ns() > give_up)
			return false;
	r->sec = cmos_read(RTC_SEC);
	r->min = cmos_read(RTC_MIN);
	r->hour = cmos_read(RTC_HOUR);
	r->mday = cmos_read(RTC_MDAY);
	r->month = cmos_read(RTC_MONTH);
	r->year = cmos_read(RTC_YEAR);
	r->century = cmos_read(RTC_CENTURY);
	return true;
}

void rtc_init(void)
{
	struct rtc_raw a, b;
	struct cal_tm tm = { 0 };
	unsigned int tries = 0, hour, century;
	u8 st_b;

	do {
		if (!rtc_snapshot(&a) || !rtc_snapshot(&b) || ++tries > 5) {
			pr_warn("rtc: the host RTC does not update: VM clocks start at 1970\n");
			goto out;
		}
	} while (a.sec != b.sec || a.min != b.min || a.hour != b.hour || a.mday != b.mday ||
		 a.month != b.month || a.year != b.year);
	st_b = cmos_read(RTC_STATUS_B);
	hour = rtc_value(b.hour & 0x7f, st_b);
	if (!(st_b & RTC_B_24H))	/* 12-hour mode: bit 7 is PM, 12 is 0 */
		hour = hour % 12 + ((b.hour & 0x80) ? 12 : 0);
	century = rtc_value(b.century, st_b);
	if (century < 19 || century > 99)
		century = 20;		/* no century register: assume 20xx */
	tm.year = (s64)century * 100 + rtc_value(b.year, st_b);
	tm.month = (u8)rtc_value(b.month, st_b);
	tm.mday = (u8)rtc_value(b.mday, st_b);
	tm.hour = (u8)hour;
	tm.min = (u8)rtc_value(b.min, st_b);
	tm.sec = (u8)rtc_value(b.sec, st_b);
	if (tm.month < 1 || tm.month > 12 || tm.mday < 1 || tm.mday > 31 || tm.hour > 23 ||
	    tm.min > 59 || tm.sec > 59) {
		pr_warn("rtc: the host RTC reads an impossible time: VM clocks start at 1970\n");
		goto out;
	}
	rtc_boot_epoch = cal_to_epoch(&tm);
	pr_info("rtc: host time %04lld-%02u-%02u %02u:%02u:%02u\n", (long long)tm.year, tm.month,
		tm.mday, tm.hour, tm.min, tm.sec);
out:
	rtc_boot_ns = arch_time_ns();
}

s64 arch_wallclock_sec(void)
{
	return rtc_boot_epoch + (s64)((arch_time_ns() - rtc_boot_ns) / 1000000000ull);
}
