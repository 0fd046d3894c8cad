// SPDX-License-Identifier: MIT
/*
 * Civil dates from day counts and back (lib/calendar.h).
 *
 * Both directions count years from March: a year then ends with the one
 * day that leap years add (29 February), so every month but February has
 * a fixed offset into its year and the leap rules only decide how long
 * the year's last month is.  Day 0 of that count is 0000-03-01, right
 * after the leap day of a year divisible by 400, so the 400-year cycles
 * (146097 days) it splits into all start alike.
 */
#include "lib/calendar.h"

#define DAYS_400Y	146097		/* 400 * 365 + 100 - 4 + 1 */
#define DAYS_100Y	36524		/* 100 * 365 + 25 - 1: a century's last year is common */
#define DAYS_4Y		1461		/* 4 * 365 + 1 */
#define DAYS_1Y		365

/* cal_days_from_civil(1970, 1, 1) counted from 0000-03-01. */
#define EPOCH_FROM_MARCH_0	719468

/* Days from 1 March to the first of each month, March first. */
static const u16 days_before_month[12] = {
	0, 31, 61, 92, 122, 153, 184, 214, 245, 275, 306, 337,
};

s64 cal_days_from_civil(s64 year, unsigned int month, s64 day)
{
	/* January and February belong to the March-based year before. */
	s64 y = year - (month <= 2);
	unsigned int m = (month + 9) % 12;	/* March = 0 ... February = 11 */
	s64 days;

	days = y * DAYS_1Y + cal_floor_div(y, 4) - cal_floor_div(y, 100) + cal_floor_div(y, 400);
	return days + days_before_month[m] + day - 1 - EPOCH_FROM_MARCH_0;
}

void cal_civil_from_days(s64 days, struct cal_tm *tm)
{
	s64 d = days + EPOCH_FROM_MARCH_0;
	s64 cycles = cal_floor_div(d, DAYS_400Y);
	s64 r = d - cycles * DAYS_400Y;		/* 0 .. DAYS_400Y - 1 */
	s64 centuries, quads, years;
	unsigned int m;

	/*
	 * Split the cycle into centuries, 4-year groups and years.  Only the
	 * cycle's last day (a 29 February) makes a fourth century or a fourth
	 * year of a group look complete: it belongs to the one before.
	 */
	centuries = r / DAYS_100Y;
	if (centuries == 4)
		centuries = 3;
	r -= centuries * DAYS_100Y;
	quads = r / DAYS_4Y;
	r -= quads * DAYS_4Y;
	years = r / DAYS_1Y;
	if (years == 4)
		years = 3;
	r -= years * DAYS_1Y;			/* day of the March-based year, 0..365 */

	for (m = 11; days_before_month[m] > r; m--)
		;
	tm->month = (u8)(m < 10 ? m + 3 : m - 9);
	tm->mday = (u8)(r - days_before_month[m] + 1);
	tm->year = cycles * 400 + centuries * 100 + quads * 4 + years + (tm->month <= 2);
	tm->wday = (u8)cal_floor_mod(days + 4, 7);	/* 1970-01-01 was a Thursday */
	tm->hour = tm->min = tm->sec = 0;
}

void cal_from_epoch(s64 secs, struct cal_tm *tm)
{
	s64 days = cal_floor_div(secs, CAL_SECS_PER_DAY);
	s64 sod = secs - days * CAL_SECS_PER_DAY;

	cal_civil_from_days(days, tm);
	tm->hour = (u8)(sod / 3600);
	tm->min = (u8)(sod / 60 % 60);
	tm->sec = (u8)(sod % 60);
}

s64 cal_to_epoch(const struct cal_tm *tm)
{
	return cal_days_from_civil(tm->year, tm->month, tm->mday) * CAL_SECS_PER_DAY +
	       (s64)tm->hour * 3600 + (s64)tm->min * 60 + tm->sec;
}
