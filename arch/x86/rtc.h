/* SPDX-License-Identifier: MIT */
/*
 * The host's CMOS real-time clock, read once at boot: the date and time
 * the VMs' virtual RTCs start from (arch_wallclock_sec(), lib/platform.h).
 */
#ifndef ARCH_X86_RTC_H
#define ARCH_X86_RTC_H

/*
 * rtc_init() - read the host RTC (boot CPU, after the TSC is calibrated).
 * Without a readable RTC (no update within a second, an impossible date)
 * the wallclock starts at 1970-01-01 and a warning says so.
 */
void rtc_init(void);

#endif /* ARCH_X86_RTC_H */
