// SPDX-License-Identifier: MIT
/*
 * lib/calendar.c: every day of years 0-9999 against a naive
 * day-by-day count (date, weekday, both directions), seconds around the
 * epoch, the 2038 rollover, the century rules (1900, 2000, 2100, 2400)
 * and out-of-range days.
 */
#include "tests/host/harness.h"
#include "lib/calendar.h"

static bool is_leap(s64 y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned int month_days(s64 y, unsigned int m)
{
	static const u8 d[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return d[m - 1] + (m == 2 && is_leap(y));
}

static void test_calendar(void)
{
	struct cal_tm tm;
	s64 y = 0, days;
	unsigned int m = 1, d = 1, wday;
	unsigned long n = 0;

	CHECK_EQ(cal_days_from_civil(1970, 1, 1), 0);
	CHECK_EQ(cal_days_from_civil(1969, 12, 31), (u64)-1);
	CHECK_EQ(cal_days_from_civil(2000, 3, 1), 11017);

	/* Walk every day of years 0-9999 with the naive rules, both ways. */
	days = cal_days_from_civil(0, 1, 1);
	wday = (unsigned int)cal_floor_mod(days + 4, 7);
	CHECK_EQ(wday, 6);		/* 1 January 1 BC (proleptic) was a Saturday */
	for (; y < 10000; days++, n++) {
		cal_civil_from_days(days, &tm);
		if (tm.year != y || tm.month != m || tm.mday != d || tm.wday != wday ||
		    cal_days_from_civil(y, m, d) != days) {
			test_fail(__FILE__, __LINE__, "day %lld: %lld-%u-%u (%u), want %lld-%u-%u (%u)",
				  (long long)days, (long long)tm.year, tm.month, tm.mday, tm.wday,
				  (long long)y, m, d, wday);
			break;
		}
		wday = (wday + 1) % 7;
		if (++d > month_days(y, m)) {
			d = 1;
			if (++m > 12) {
				m = 1;
				y++;
			}
		}
	}
	printf("calendar: %lu days checked\n", n);

	cal_from_epoch(2147483648ll, &tm);	/* 2^31: the 32-bit time_t rollover */
	CHECK(tm.year == 2038 && tm.month == 1 && tm.mday == 19 && tm.hour == 3 && tm.min == 14 &&
	      tm.sec == 8 && tm.wday == 2);
	cal_from_epoch(-1, &tm);
	CHECK(tm.year == 1969 && tm.month == 12 && tm.mday == 31 && tm.hour == 23 &&
	      tm.min == 59 && tm.sec == 59);
	CHECK_EQ(cal_to_epoch(&tm), (u64)-1);
	cal_from_epoch(4107542399ll + 1, &tm);	/* 2100 is not a leap year */
	CHECK(tm.year == 2100 && tm.month == 3 && tm.mday == 1);
	cal_from_epoch(951782399ll + 1, &tm);	/* 2000 is */
	CHECK(tm.year == 2000 && tm.month == 2 && tm.mday == 29);
	cal_from_epoch(-2203891201ll + 1, &tm);	/* 1900 is not */
	CHECK(tm.year == 1900 && tm.month == 3 && tm.mday == 1);
	tm = (struct cal_tm){ .year = 2400, .month = 2, .mday = 29, .hour = 12 };
	cal_from_epoch(cal_to_epoch(&tm), &tm);
	CHECK(tm.year == 2400 && tm.month == 2 && tm.mday == 29 && tm.hour == 12);
	/* Days past the month's end are taken arithmetically. */
	CHECK_EQ(cal_days_from_civil(2023, 2, 31), cal_days_from_civil(2023, 3, 3));
}

int main(int argc, char **argv)
{
	test_init(argc, argv, 0);
	test_calendar();
	return test_finish();
}
