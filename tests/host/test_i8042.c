// SPDX-License-Identifier: MIT
/*
 * vmx/dev/i8042.c through its ports on a fake VM: the status bits, the
 * command byte and controller RAM, the tests Linux's probe runs (self
 * test, the AUX loop and the active-multiplexing sequence, interface
 * tests), port enables, sends to the absent keyboard and mouse, the
 * interrupt lines, the reset pulse and the output port, and NULL host
 * callbacks.
 */
#include "tests/host/fake_vm.h"
#include "tests/host/harness.h"
#include "vmx/dev/platform.h"

#include <string.h>

#define DATA	PLAT_I8042_DATA
#define CMD	PLAT_I8042_STATUS

#define STR_OBF		0x01
#define STR_IBF		0x02
#define STR_SYS		0x04
#define STR_CMD		0x08
#define STR_KEYLOCK	0x10
#define STR_AUX		0x20
#define STR_TIMEOUT	0x40

static u8 status(struct fake_vm *vm)
{
	return (u8)fake_in(vm, CMD, 1);
}

static void cmd(struct fake_vm *vm, u8 c)
{
	fake_out(vm, CMD, 1, c);
}

static void data(struct fake_vm *vm, u8 d)
{
	fake_out(vm, DATA, 1, d);
}

/* Read the output buffer, which must be full, and check its channel. */
static u8 answer(struct fake_vm *vm, bool aux)
{
	u8 st = status(vm);

	CHECK(st & STR_OBF);
	CHECK_EQ(!!(st & STR_AUX), aux);
	return (u8)fake_in(vm, DATA, 1);
}

static void test_probe(void)
{
	static struct fake_vm vm;
	u8 ctr;

	fake_vm_init(&vm, MiB(64), true);
	CHECK_EQ(status(&vm), STR_KEYLOCK | STR_SYS);

	/* Self test, then the command byte, stable across reads. */
	cmd(&vm, 0xaa);
	CHECK_EQ(status(&vm) & (STR_OBF | STR_CMD | STR_IBF), STR_OBF | STR_CMD);
	CHECK_EQ(answer(&vm, false), 0x55);
	CHECK_EQ(status(&vm) & STR_OBF, 0);
	cmd(&vm, 0x20);
	ctr = answer(&vm, false);
	CHECK_EQ(ctr, 0x65);
	cmd(&vm, 0x20);
	CHECK_EQ(answer(&vm, false), ctr);

	/* Write the command byte; the system flag follows it. */
	cmd(&vm, 0x60);
	data(&vm, 0x30);			/* no SYS, both ports disabled, no IRQs */
	CHECK_EQ(status(&vm) & (STR_SYS | STR_CMD), 0);
	cmd(&vm, 0x20);
	CHECK_EQ(answer(&vm, false), 0x30);
	cmd(&vm, 0x60);
	data(&vm, 0x34);
	CHECK(status(&vm) & STR_SYS);

	/* Port enables are command-byte bits. */
	cmd(&vm, 0xa8);
	cmd(&vm, 0xae);
	cmd(&vm, 0x20);
	CHECK_EQ(answer(&vm, false), 0x04);
	cmd(&vm, 0xa7);
	cmd(&vm, 0xad);
	cmd(&vm, 0x20);
	CHECK_EQ(answer(&vm, false), 0x34);

	/* The rest of the controller's RAM. */
	cmd(&vm, 0x61);
	data(&vm, 0x99);
	cmd(&vm, 0x21);
	CHECK_EQ(answer(&vm, false), 0x99);
	cmd(&vm, 0x3f);
	CHECK_EQ(answer(&vm, false), 0x00);

	/* Interface tests pass; the AUX loop echoes on the mouse channel. */
	cmd(&vm, 0xab);
	CHECK_EQ(answer(&vm, false), 0x00);
	cmd(&vm, 0xa9);
	CHECK_EQ(answer(&vm, false), 0x00);
	cmd(&vm, 0xd3);
	data(&vm, 0x5a);
	CHECK_EQ(answer(&vm, true), 0x5a);
	/* Linux's active-multiplexing probe: a plain echo of 0xa4 means "no MUX". */
	cmd(&vm, 0xd3);
	data(&vm, 0xf0);
	CHECK_EQ(answer(&vm, true), 0xf0);
	cmd(&vm, 0xd3);
	data(&vm, 0x56);
	CHECK_EQ(answer(&vm, true), 0x56);
	cmd(&vm, 0xd3);
	data(&vm, 0xa4);
	CHECK_EQ(answer(&vm, true), 0xa4);
	cmd(&vm, 0xd2);
	data(&vm, 0x42);
	CHECK_EQ(answer(&vm, false), 0x42);

	/* Nothing is plugged in: sends get 0xfe with the time-out bit. */
	data(&vm, 0xf2);			/* keyboard: get ID */
	CHECK_EQ(status(&vm) & (STR_TIMEOUT | STR_CMD), STR_TIMEOUT);
	CHECK_EQ(answer(&vm, false), 0xfe);
	cmd(&vm, 0xd4);
	data(&vm, 0xf2);			/* mouse: get ID */
	CHECK(status(&vm) & STR_TIMEOUT);
	CHECK_EQ(answer(&vm, true), 0xfe);
	cmd(&vm, 0x20);				/* the next transfer clears the time-out */
	CHECK_EQ(status(&vm) & STR_TIMEOUT, 0);
	CHECK_EQ(answer(&vm, false), 0x34);

	/* An unknown command gets no answer; an empty buffer reads its last byte. */
	cmd(&vm, 0xc0);
	CHECK_EQ(status(&vm) & STR_OBF, 0);
	CHECK_EQ(fake_in(&vm, DATA, 1), 0x34);
	/* Only bytes: a word at 0x60 or 0x64 is nobody's. */
	CHECK(!fake_claimed(&vm, DATA, 2));
	CHECK(!fake_claimed(&vm, CMD, 2));
	CHECK_EQ(vm.resets, 0);
	fake_vm_destroy(&vm);
}

static void test_irqs(void)
{
	static struct fake_vm vm;

	fake_vm_init(&vm, MiB(64), true);
	/* The default command byte enables the keyboard interrupt. */
	cmd(&vm, 0xaa);
	CHECK(vm.irq[PLAT_I8042_KBD_GSI]);
	CHECK_EQ(vm.irq_edges[PLAT_I8042_KBD_GSI], 1);
	(void)fake_in(&vm, DATA, 1);
	CHECK(!vm.irq[PLAT_I8042_KBD_GSI]);

	/* The mouse channel: IRQ 12 only with AUXINT. */
	cmd(&vm, 0xd3);
	data(&vm, 0x11);
	CHECK(!vm.irq[PLAT_I8042_AUX_GSI]);
	CHECK(!vm.irq[PLAT_I8042_KBD_GSI]);
	(void)fake_in(&vm, DATA, 1);
	cmd(&vm, 0x60);
	data(&vm, 0x47);			/* KBDINT | AUXINT | SYS | XLATE */
	cmd(&vm, 0xd3);
	data(&vm, 0x22);
	CHECK(vm.irq[PLAT_I8042_AUX_GSI]);
	CHECK(!vm.irq[PLAT_I8042_KBD_GSI]);
	/* A new byte on the other channel moves the line. */
	cmd(&vm, 0xd2);
	data(&vm, 0x33);
	CHECK(!vm.irq[PLAT_I8042_AUX_GSI]);
	CHECK(vm.irq[PLAT_I8042_KBD_GSI]);
	/* Disabling the interrupt in the command byte drops the line. */
	cmd(&vm, 0x60);
	data(&vm, 0x44);
	CHECK(!vm.irq[PLAT_I8042_KBD_GSI]);
	/*
	 * The 0x60 command overwrote nothing: the byte 0x33 is still there;
	 * enabling the interrupt again raises the line at once.
	 */
	CHECK(status(&vm) & STR_OBF);
	cmd(&vm, 0x60);
	data(&vm, 0x45);
	CHECK(vm.irq[PLAT_I8042_KBD_GSI]);
	CHECK_EQ(fake_in(&vm, DATA, 1), 0x33);
	CHECK(!vm.irq[PLAT_I8042_KBD_GSI]);
	fake_vm_destroy(&vm);
}

static void test_reset(void)
{
	static struct fake_vm vm;

	fake_vm_init(&vm, MiB(64), true);
	/* Linux's kb_wait polls IBF, which never shows. */
	CHECK_EQ(status(&vm) & STR_IBF, 0);
	cmd(&vm, 0xfe);
	CHECK_EQ(vm.resets, 1);
	CHECK(!strcmp(vm.reset_why, "i8042 reset pulse"));
	cmd(&vm, 0xff);				/* pulses nothing */
	cmd(&vm, 0xfd);				/* pulses bit 1 only */
	CHECK_EQ(vm.resets, 1);
	cmd(&vm, 0xf0);				/* every bit, reset among them */
	CHECK_EQ(vm.resets, 2);

	/* The output port: Linux enables A20 with 0xdf (reset bit high). */
	cmd(&vm, 0xd0);
	CHECK_EQ(answer(&vm, false), 0x03);
	cmd(&vm, 0xd1);
	data(&vm, 0xdf);
	CHECK_EQ(vm.resets, 2);
	cmd(&vm, 0xd0);
	CHECK_EQ(answer(&vm, false), 0xdf);
	cmd(&vm, 0xd1);
	data(&vm, 0xde);
	CHECK_EQ(vm.resets, 3);
	CHECK(!strcmp(vm.reset_why, "i8042 output port reset"));
	fake_vm_destroy(&vm);

	/* Without callbacks nothing breaks. */
	fake_vm_init(&vm, 0, false);
	cmd(&vm, 0xfe);
	cmd(&vm, 0xd1);
	data(&vm, 0x00);
	cmd(&vm, 0xaa);
	CHECK_EQ(fake_in(&vm, DATA, 1), 0x55);
	fake_vm_destroy(&vm);
}

int main(int argc, char **argv)
{
	test_init(argc, argv, 0);
	test_probe();
	test_irqs();
	test_reset();
	return test_finish();
}
