// SPDX-License-Identifier: MIT
/*
 * The PC's CMOS real-time clock: an MC146818-compatible RTC and its 128
 * bytes of CMOS RAM behind an index port (0x70) and a data port (0x71).
 *
 * The clock does not tick on its own.  Every read of a time register
 * computes the date from the VM's wallclock (bus->host->wallclock_sec)
 * plus an offset that the guest sets by writing the time, so the guest's
 * clock runs from what it set; the format follows register B (BCD or
 * binary, 12- or 24-hour) at the moment of the read.  Register C's flags
 * are worked out from time on demand: the update-ended flag when a second
 * boundary of the guest clock has passed since register C was last read,
 * the alarm flag when a second matching the alarm registers has passed,
 * the periodic flag when an edge of the rate selected in register A has
 * passed (32.768 kHz time base, from bus->host->time_ns).
 *
 * Not emulated (docs/platform.md, "Legacy devices"): the update-in-progress
 * bit reads 0 always, so no reader ever waits for an update; interrupts are
 * never raised on GSI 8 (PLAT_RTC_GSI): that needs a timer callback into
 * the device, which hv does not have yet, and register C reports what
 * would have fired; the divider bits of register A are stored but never
 * stop the clock; daylight saving (register B bit 0) and the square-wave
 * output are stored, unused.
 */
#include "lib/spinlock.h"
#include "mm/heap.h"
#include "lib/calendar.h"
#include "vmx/dev/platform.h"
#include "vmx/dev/vdev.h"

/* MC146818 register indices. */
#define RTC_SEC			0x00
#define RTC_SEC_ALARM		0x01
#define RTC_MIN			0x02
#define RTC_MIN_ALARM		0x03
#define RTC_HOUR		0x04
#define RTC_HOUR_ALARM		0x05
#define RTC_WDAY		0x06		/* 1-7, 1 = Sunday */
#define RTC_MDAY		0x07
#define RTC_MONTH		0x08
#define RTC_YEAR		0x09		/* 0-99 */
#define RTC_REG_A		0x0a
#define RTC_REG_B		0x0b
#define RTC_REG_C		0x0c
#define RTC_REG_D		0x0d
#define RTC_CENTURY		PLAT_RTC_CENTURY

#define RTC_A_UIP		0x80		/* update in progress: always 0 here */
#define RTC_A_RS		0x0f		/* rate select */
#define RTC_A_DEFAULT		0x26		/* 32.768 kHz time base, 1024 Hz: what BIOSes leave */

#define RTC_B_SET		0x80		/* updates inhibited, the guest sets the time */
#define RTC_B_PIE		0x40
#define RTC_B_AIE		0x20
#define RTC_B_UIE		0x10
#define RTC_B_DM		0x04		/* binary (1) or BCD (0) */
#define RTC_B_24H		0x02
#define RTC_B_DEFAULT		RTC_B_24H	/* BCD, 24-hour */

#define RTC_C_IRQF		0x80
#define RTC_C_PF		0x40		/* the same bits as their enables in B */
#define RTC_C_AF		0x20
#define RTC_C_UF		0x10

#define RTC_D_VRT		0x80		/* valid RAM and time: the battery is fine */

#define RTC_HOUR_PM		0x80		/* 12-hour mode */
#define RTC_ALARM_ANY		0xc0		/* alarm bytes 0xc0-0xff match every value */

#define RTC_NMI_MASK		0x80		/* bit 7 of the index port */
#define RTC_INDEX_MASK		0x7f

/* Conventional CMOS bytes (IBM AT, and the >16 MiB / >4 GiB extensions). */
#define CMOS_BASE_KIB		0x15		/* 16 bits, KiB below 640 KiB */
#define CMOS_EXT_KIB		0x17		/* 16 bits, KiB above 1 MiB (capped) */
#define CMOS_EXT_KIB_POST	0x30		/* the same, as POST found it */
#define CMOS_CHECKSUM		0x2e		/* 16 bits big-endian: sum of 0x10-0x2d */
#define CMOS_ABOVE_16M		0x34		/* 16 bits, 64 KiB units between 16 MiB and 4 GiB */
#define CMOS_ABOVE_4G		0x5b		/* 24 bits, 64 KiB units above 4 GiB */

#define RTC_TICK_HZ		32768u		/* the time base the divider bits select */
#define NS_PER_SEC		1000000000ull

/**
 * struct rtc_cmos - the CMOS RTC of one VM.
 * @lock:      serialises every access (several vCPUs may use the ports);
 *             the host's time callbacks are called under it
 * @bus:       the VM's bus, for the time sources in bus->host
 * @index:     the last byte written to the index port, NMI-mask bit included
 * @ram:       the 128 bytes; the time bytes (seconds..year, century) are
 *             live only while SET is 1, otherwise computed at each read
 * @offset:    the guest's clock minus the wallclock, in seconds
 * @wday_off:  what the guest's day-of-week register adds to the real weekday
 * @flags:     PF/AF/UF latched since register C was last read
 * @flag_sec:  the guest second up to which UF and AF are accounted
 * @flag_tick: the 32.768 kHz tick up to which PF is accounted
 */
struct rtc_cmos {
	spinlock_t lock;
	struct vdev_bus *bus;
	u8 index;
	u8 ram[128];
	s64 offset;
	u8 wday_off;
	u8 flags;
	s64 flag_sec;
	u64 flag_tick;
};

static bool rtc_is_time_reg(unsigned int i)
{
	return i == RTC_SEC || i == RTC_MIN || i == RTC_HOUR || (i >= RTC_WDAY && i <= RTC_YEAR) ||
	       i == RTC_CENTURY;
}

static s64 rtc_wallclock(const struct rtc_cmos *r)
{
	const struct vdev_host *h = &r->bus->host;

	return h->wallclock_sec ? h->wallclock_sec(h->owner) : 0;
}

/* The 32.768 kHz time base, counted from the host's monotonic clock. */
static u64 rtc_ticks(const struct rtc_cmos *r)
{
	const struct vdev_host *h = &r->bus->host;
	u64 ns = h->time_ns ? h->time_ns(h->owner) : 0;

	/* Split so that the product never overflows 64 bits. */
	return ns / NS_PER_SEC * RTC_TICK_HZ + ns % NS_PER_SEC * RTC_TICK_HZ / NS_PER_SEC;
}

/* The guest's clock now, in seconds since the epoch (meaningless while SET is 1). */
static s64 rtc_guest_now(const struct rtc_cmos *r)
{
	return rtc_wallclock(r) + r->offset;
}

static u8 rtc_encode(const struct rtc_cmos *r, unsigned int v)
{
	if (r->ram[RTC_REG_B] & RTC_B_DM)
		return (u8)v;
	return (u8)((v / 10) << 4 | v % 10);
}

/* Invalid BCD digits are taken at face value (0x1f = 25), as a counter would. */
static unsigned int rtc_decode(const struct rtc_cmos *r, u8 raw)
{
	if (r->ram[RTC_REG_B] & RTC_B_DM)
		return raw;
	return (raw >> 4) * 10u + (raw & 0xf);
}

static u8 rtc_encode_hour(const struct rtc_cmos *r, unsigned int hour)
{
	unsigned int h12 = hour % 12;

	if (r->ram[RTC_REG_B] & RTC_B_24H)
		return rtc_encode(r, hour);
	/* 12-hour mode: 12, 1, ..., 11 with bit 7 for PM. */
	return (u8)(rtc_encode(r, h12 ? h12 : 12) | (hour >= 12 ? RTC_HOUR_PM : 0));
}

static unsigned int rtc_decode_hour(const struct rtc_cmos *r, u8 raw)
{
	if (r->ram[RTC_REG_B] & RTC_B_24H)
		return rtc_decode(r, raw);
	return rtc_decode(r, raw & ~RTC_HOUR_PM) % 12 + (raw & RTC_HOUR_PM ? 12 : 0);
}

/* Register @i of the guest's clock at @secs, in the current format. */
static u8 rtc_time_byte(const struct rtc_cmos *r, unsigned int i, s64 secs)
{
	struct cal_tm tm;
	s64 year;

	cal_from_epoch(secs, &tm);
	/* Two BCD digits of century: the clock shows years 0000-9999. */
	year = cal_floor_mod(tm.year, 10000);
	switch (i) {
	case RTC_SEC:
		return rtc_encode(r, tm.sec);
	case RTC_MIN:
		return rtc_encode(r, tm.min);
	case RTC_HOUR:
		return rtc_encode_hour(r, tm.hour);
	case RTC_WDAY:
		return rtc_encode(r, (tm.wday + r->wday_off) % 7 + 1u);
	case RTC_MDAY:
		return rtc_encode(r, tm.mday);
	case RTC_MONTH:
		return rtc_encode(r, tm.month);
	case RTC_YEAR:
		return rtc_encode(r, (unsigned int)(year % 100));
	default:
		return rtc_encode(r, (unsigned int)(year / 100));
	}
}

/* Freeze the clock: the time bytes become plain storage holding now. */
static void rtc_snapshot(struct rtc_cmos *r)
{
	s64 now = rtc_guest_now(r);

	for (unsigned int i = 0; i < ARRAY_SIZE(r->ram); i++)
		if (rtc_is_time_reg(i))
			r->ram[i] = rtc_time_byte(r, i, now);
}

/**
 * rtc_commit() - let the clock run from the time bytes in RAM.
 * @r: the RTC, locked
 *
 * Decodes the time bytes in the current format and keeps their distance
 * from the wallclock.  Out-of-range fields are taken arithmetically
 * (31 February is 3 March; a month outside 1-12 is clamped); a real chip
 * would count on from them erratically.  The day of week is kept apart,
 * as its own register: the guest may set it to anything and it still
 * advances at midnight.
 */
static void rtc_commit(struct rtc_cmos *r)
{
	unsigned int month = rtc_decode(r, r->ram[RTC_MONTH]);
	struct cal_tm tm = {
		.year = rtc_decode(r, r->ram[RTC_CENTURY]) * 100 + rtc_decode(r, r->ram[RTC_YEAR]),
		.month = (u8)(month < 1 ? 1 : month > 12 ? 12 : month),
		.mday = (u8)rtc_decode(r, r->ram[RTC_MDAY]),
		.hour = (u8)rtc_decode_hour(r, r->ram[RTC_HOUR]),
		.min = (u8)rtc_decode(r, r->ram[RTC_MIN]),
		.sec = (u8)rtc_decode(r, r->ram[RTC_SEC]),
	};
	s64 secs = cal_to_epoch(&tm);
	s64 wday = cal_floor_mod(cal_floor_div(secs, CAL_SECS_PER_DAY) + 4, 7);

	r->offset = secs - rtc_wallclock(r);
	r->wday_off = (u8)cal_floor_mod((s64)rtc_decode(r, r->ram[RTC_WDAY]) - 1 - wday, 7);
	/* A new time is no update and no alarm: account from here. */
	r->flag_sec = secs;
}

/* One alarm byte: the value to match, or -1 for "any". */
static int rtc_alarm_field(const struct rtc_cmos *r, unsigned int i)
{
	u8 raw = r->ram[i];

	if ((raw & RTC_ALARM_ANY) == RTC_ALARM_ANY)
		return -1;
	return (int)(i == RTC_HOUR_ALARM ? rtc_decode_hour(r, raw) : rtc_decode(r, raw));
}

/**
 * rtc_alarm_between() - did a second in (@from, @to] match the alarm?
 * @r:    the RTC, locked
 * @from: guest seconds, exclusive
 * @to:   guest seconds, inclusive
 *
 * Walks the minutes of the interval (at most a day's worth: a day holds
 * every hour, minute and second once), so a read of register C costs at
 * most 1441 steps however long the guest waited.
 */
static bool rtc_alarm_between(const struct rtc_cmos *r, s64 from, s64 to)
{
	int as = rtc_alarm_field(r, RTC_SEC_ALARM);
	int am = rtc_alarm_field(r, RTC_MIN_ALARM);
	int ah = rtc_alarm_field(r, RTC_HOUR_ALARM);

	if (to - from > CAL_SECS_PER_DAY)
		from = to - CAL_SECS_PER_DAY;
	for (s64 m = cal_floor_div(from + 1, 60) * 60; m <= to; m += 60) {
		s64 sod = cal_floor_mod(m, CAL_SECS_PER_DAY);

		if ((ah >= 0 && ah != sod / 3600) || (am >= 0 && am != sod / 60 % 60))
			continue;
		/* Every minute walked overlaps (from, to]. */
		if (as < 0 || (m + as > from && m + as <= to))
			return true;
	}
	return false;
}

/* The periodic rate as a shift of the 32.768 kHz time base; 0 = none. */
static unsigned int rtc_periodic_shift(u8 reg_a)
{
	unsigned int rs = reg_a & RTC_A_RS;

	if (!rs)
		return 0;
	/* Rates 1 and 2 repeat rates 8 and 9 (256 and 128 Hz) on this time base. */
	return rs <= 2 ? rs + 6 : rs - 1;
}

/**
 * rtc_update_flags() - latch into @r->flags what happened since the last call.
 * @r: the RTC, locked
 *
 * Called before every change that alters what the flags depend on (the
 * rate, SET, the time), and when register C is read.
 */
static void rtc_update_flags(struct rtc_cmos *r)
{
	unsigned int shift = rtc_periodic_shift(r->ram[RTC_REG_A]);
	u64 tick = rtc_ticks(r);

	if (shift && (tick >> shift) != (r->flag_tick >> shift))
		r->flags |= RTC_C_PF;
	r->flag_tick = tick;
	/* While SET is 1 the clock does not update: no UF, no alarm. */
	if (!(r->ram[RTC_REG_B] & RTC_B_SET)) {
		s64 now = rtc_guest_now(r);

		if (now > r->flag_sec) {
			r->flags |= RTC_C_UF;
			if (rtc_alarm_between(r, r->flag_sec, now))
				r->flags |= RTC_C_AF;
		}
		r->flag_sec = now;
	}
}

static u8 rtc_read_reg(struct rtc_cmos *r, unsigned int i)
{
	u8 v;

	if (rtc_is_time_reg(i) && !(r->ram[RTC_REG_B] & RTC_B_SET))
		return rtc_time_byte(r, i, rtc_guest_now(r));
	switch (i) {
	case RTC_REG_A:
		return r->ram[RTC_REG_A] & ~RTC_A_UIP;
	case RTC_REG_C:
		rtc_update_flags(r);
		v = r->flags;
		if (v & r->ram[RTC_REG_B] & (RTC_B_PIE | RTC_B_AIE | RTC_B_UIE))
			v |= RTC_C_IRQF;
		r->flags = 0;			/* read to clear */
		return v;
	case RTC_REG_D:
		return RTC_D_VRT;
	default:
		return r->ram[i];
	}
}

static void rtc_write_reg(struct rtc_cmos *r, unsigned int i, u8 v)
{
	u8 old_b = r->ram[RTC_REG_B];

	if (rtc_is_time_reg(i)) {
		if (old_b & RTC_B_SET) {
			r->ram[i] = v;
			return;
		}
		/* A write while the clock runs: set just that field, now. */
		rtc_update_flags(r);
		rtc_snapshot(r);
		r->ram[i] = v;
		rtc_commit(r);
		return;
	}
	switch (i) {
	case RTC_REG_A:
		rtc_update_flags(r);		/* the old rate up to now */
		r->ram[RTC_REG_A] = v & ~RTC_A_UIP;
		break;
	case RTC_REG_B:
		rtc_update_flags(r);
		if (!(old_b & RTC_B_SET) && (v & RTC_B_SET)) {
			/* The bytes keep the format they were counted in. */
			rtc_snapshot(r);
			v &= ~RTC_B_UIE;	/* SET going high clears UIE (data sheet) */
		}
		r->ram[RTC_REG_B] = v;
		if ((old_b & RTC_B_SET) && !(v & RTC_B_SET))
			rtc_commit(r);		/* read in the format now selected */
		break;
	case RTC_REG_C:
	case RTC_REG_D:
		break;				/* read-only */
	default:
		r->ram[i] = v;
		break;
	}
}

static u8 rtc_port_read(struct rtc_cmos *r, unsigned int port)
{
	/* Reads of the index port return it, NMI-mask bit included. */
	if (port == 0)
		return r->index;
	return rtc_read_reg(r, r->index & RTC_INDEX_MASK);
}

static void rtc_port_write(struct rtc_cmos *r, unsigned int port, u8 v)
{
	if (port == 0)
		r->index = v;		/* bit 7 masks NMIs: remembered, no NMI source exists */
	else
		rtc_write_reg(r, r->index & RTC_INDEX_MASK, v);
}

/* A word access is two byte accesses, index port first, as on the ISA bus. */
static u32 rtc_pio_read(void *dev, u16 offset, unsigned int size)
{
	struct rtc_cmos *r = dev;
	u32 val = 0;

	spin_lock(&r->lock);
	for (unsigned int i = 0; i < size; i++)
		val |= (u32)rtc_port_read(r, offset + i) << (8 * i);
	spin_unlock(&r->lock);
	return val;
}

static void rtc_pio_write(void *dev, u16 offset, unsigned int size, u32 val)
{
	struct rtc_cmos *r = dev;

	spin_lock(&r->lock);
	for (unsigned int i = 0; i < size; i++)
		rtc_port_write(r, offset + i, (u8)(val >> (8 * i)));
	spin_unlock(&r->lock);
}

static const struct vdev_pio_ops rtc_pio_ops = {
	.read = rtc_pio_read,
	.write = rtc_pio_write,
};

static void rtc_put16(struct rtc_cmos *r, unsigned int i, u64 v)
{
	v = MIN(v, 0xffffull);
	r->ram[i] = (u8)v;
	r->ram[i + 1] = (u8)(v >> 8);
}

/* The memory-size bytes a BIOS leaves, from the VM's RAM (one block from 0). */
static void rtc_cmos_memory(struct rtc_cmos *r, u64 mem)
{
	u64 low = MIN(mem, GiB(4));
	u64 high = mem > GiB(4) ? (mem - GiB(4)) >> 16 : 0;
	u16 sum = 0;

	rtc_put16(r, CMOS_BASE_KIB, MIN(low, KiB(640)) >> 10);
	rtc_put16(r, CMOS_EXT_KIB, low > MiB(1) ? (low - MiB(1)) >> 10 : 0);
	rtc_put16(r, CMOS_EXT_KIB_POST, low > MiB(1) ? (low - MiB(1)) >> 10 : 0);
	rtc_put16(r, CMOS_ABOVE_16M, low > MiB(16) ? (low - MiB(16)) >> 16 : 0);
	high = MIN(high, 0xffffffull);
	r->ram[CMOS_ABOVE_4G] = (u8)high;
	r->ram[CMOS_ABOVE_4G + 1] = (u8)(high >> 8);
	r->ram[CMOS_ABOVE_4G + 2] = (u8)(high >> 16);
	for (unsigned int i = 0x10; i < CMOS_CHECKSUM; i++)
		sum = (u16)(sum + r->ram[i]);
	r->ram[CMOS_CHECKSUM] = (u8)(sum >> 8);
	r->ram[CMOS_CHECKSUM + 1] = (u8)sum;
}

static int rtc_cmos_create(struct vdev_bus *bus)
{
	int err;
	struct rtc_cmos *r = vdev_alloc(bus, "rtc", sizeof(*r), &err);

	if (!r)
		return err;
	spin_lock_init(&r->lock);
	r->bus = bus;
	r->ram[RTC_REG_A] = RTC_A_DEFAULT;
	r->ram[RTC_REG_B] = RTC_B_DEFAULT;
	r->ram[RTC_REG_D] = RTC_D_VRT;
	rtc_cmos_memory(r, bus->host.mem_size);
	r->flag_sec = rtc_guest_now(r);
	r->flag_tick = rtc_ticks(r);
	return vdev_pio_register(bus, PLAT_RTC_BASE, 2, &rtc_pio_ops, r);
}
VDEV_TYPE(rtc_cmos, rtc_cmos_create);
