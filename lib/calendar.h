/* SPDX-License-Identifier: MIT */
/*
 * The proleptic Gregorian calendar, for device models that show a date
 * (the RTC): seconds since 1970-01-01 00:00:00 UTC to a civil date and
 * time and back.  Integer arithmetic only, any s64 day count; leap
 * seconds do not exist here, as in POSIX time.
 */
#ifndef LIB_CALENDAR_H
#define LIB_CALENDAR_H

#include "lib/compiler.h"

#define CAL_SECS_PER_DAY	86400

/**
 * struct cal_tm - a civil date and time of day.
 * @year:  the full year (2024, not 124); 0 is 1 BC, as in ISO 8601
 * @month: 1-12
 * @mday:  1-31
 * @wday:  0-6, 0 = Sunday
 * @hour:  0-23
 * @min:   0-59
 * @sec:   0-59
 */
struct cal_tm {
	s64 year;
	u8 month, mday, wday;
	u8 hour, min, sec;
};

/* Days from 1970-01-01 to @year-@month-@day; @month 1-12, @day taken arithmetically. */
s64 cal_days_from_civil(s64 year, unsigned int month, s64 day);

/* The date of day @days after 1970-01-01 (hour, min and sec left 0). */
void cal_civil_from_days(s64 days, struct cal_tm *tm);

/* @secs after the epoch as a date and time. */
void cal_from_epoch(s64 secs, struct cal_tm *tm);

/* Seconds after the epoch of @tm (@wday ignored; @month must be 1-12). */
s64 cal_to_epoch(const struct cal_tm *tm);

/* Floor division and modulo for a positive divisor. */
static inline s64 cal_floor_div(s64 a, s64 b)
{
	s64 q = a / b;

	return (a % b < 0) ? q - 1 : q;
}

static inline s64 cal_floor_mod(s64 a, s64 b)
{
	return a - cal_floor_div(a, b) * b;
}

#endif /* LIB_CALENDAR_H */
