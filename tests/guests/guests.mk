# SPDX-License-Identifier: MIT
#
# Test guests (included by the top Makefile): freestanding 32-bit images
# built with gcc -m32 and nasm, plus flat real-mode and 64-bit images.
# Each becomes build/guests/NAME.bin, a multiboot2 module for a vm= option;
# the multiboot test kernels stay ELF (build/guests/mb1kern.elf, mb2kern.elf).

GB		:= $(B)/guests
GUEST_CFLAGS	:= -m32 -std=gnu11 -Os -ffreestanding -fno-builtin -nostdlib -fno-pic -fno-pie \
		   -fno-stack-protector -mgeneral-regs-only -fno-asynchronous-unwind-tables \
		   -fcf-protection=none -Wall -Wextra -Werror -Wno-unused-parameter \
		   -Wmissing-declarations -Wredundant-decls -Wundef -Wtype-limits \
		   -I tests/guests/lib -I . -MMD -MP
GUEST_C		:= cpuid msr io ept iso_a iso_b hypercall vmxinsn triple hlt hello bench benchvid smp invd zap forge stop flood state uart apic strio plat msrsweep iosweep ipistorm gfuzz edges echo gdbt gdbsmp
GUEST_FLAT	:= realmode long cr8 realinj
GUEST_BINS	:= $(patsubst %,$(GB)/%.bin,$(GUEST_C) $(GUEST_FLAT))
GUEST_LIB	:= $(GB)/lib/start.o $(GB)/lib/lib.o $(GB)/lib/string.o

# The hypervisor's lib/string.c serves the guests too.  -m32 has no libgcc
# here, so its str_to_u64() (a 64-bit division, __udivdi3) must not be
# linked: one section per function, and the guest link drops the unused ones.
# -fno-tree-loop-distribute-patterns: see the top Makefile.
$(GB)/lib/string.o: lib/string.c
	@mkdir -p $(dir $@)
	@echo "  GUESTCC $<"
	$(Q)$(CC) $(GUEST_CFLAGS) -ffunction-sections -fno-tree-loop-distribute-patterns \
		-c $< -o $@

$(GB)/lib/%.o: tests/guests/lib/%.c
	@mkdir -p $(dir $@)
	@echo "  GUESTCC $<"
	$(Q)$(CC) $(GUEST_CFLAGS) -c $< -o $@

# Both share the IDT entry stubs of tests/guests/lib/idt_stubs.inc.
GUEST_NASMFLAGS	:= -f elf32 -I tests/guests/lib/
$(GB)/lib/start.o: tests/guests/lib/start.asm tests/guests/lib/idt_stubs.inc
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	$(Q)$(NASM) $(GUEST_NASMFLAGS) $< -o $@

$(GB)/%.o: tests/guests/%.c
	@mkdir -p $(dir $@)
	@echo "  GUESTCC $<"
	$(Q)$(CC) $(GUEST_CFLAGS) -c $< -o $@

$(GB)/ap_tramp.bin: tests/guests/ap_tramp.asm
	@mkdir -p $(dir $@)
	$(Q)$(NASM) -f bin $< -o $@

$(GB)/ap_blob.o: tests/guests/ap_blob.asm $(GB)/ap_tramp.bin
	$(Q)$(NASM) -f elf32 -DAP_TRAMP_BIN='"$(GB)/ap_tramp.bin"' $< -o $@

# Guests that start APs: the trampoline and lib/aps.c.
GUEST_SMP	:= smp zap stop apic ipistorm gfuzz edges gdbsmp
$(patsubst %,$(GB)/%.elf,$(GUEST_SMP)): $(GB)/ap_blob.o $(GB)/lib/aps.o

# The guest fuzzer's entry stubs (docs/testing-hostile.md "Guest fuzzer").
$(GB)/gfuzz_asm.o: tests/guests/gfuzz_asm.asm tests/guests/lib/idt_stubs.inc
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	$(Q)$(NASM) $(GUEST_NASMFLAGS) $< -o $@
$(GB)/gfuzz.elf: $(GB)/gfuzz_asm.o

$(GB)/%.elf: $(GB)/%.o $(GUEST_LIB) tests/guests/guest.ld
	@echo "  GUESTLD $@"
	$(Q)$(LD) -m elf_i386 -nostdlib -z noexecstack --no-warn-rwx-segments --gc-sections \
		-T tests/guests/guest.ld -o $@ $(filter %.o,$^)

$(GB)/%.bin: $(GB)/%.elf
	$(Q)$(OBJCOPY) -O binary $< $@

$(GB)/realmode.bin: tests/guests/realmode.asm tests/guests/flat.inc
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	$(Q)$(NASM) -f bin -I tests/guests/ $< -o $@

$(GB)/long.bin $(GB)/cr8.bin $(GB)/realinj.bin: $(GB)/%.bin: tests/guests/%.asm tests/guests/flat.inc
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	$(Q)$(NASM) -f bin -I tests/guests/ $< -o $@

# Multiboot test kernels: ELF images (not flattened) with the multiboot header
# first (mbkern.ld), loaded by vm=...,kernel= (vmx/loader/).
GUEST_MBKERN	:= mb1kern mb2kern
$(patsubst %,$(GB)/%.elf,$(GUEST_MBKERN)): $(GB)/%.elf: $(GB)/%.o $(GUEST_LIB) \
		tests/guests/mbkern.ld
	@echo "  GUESTLD $@"
	$(Q)$(LD) -m elf_i386 -nostdlib -z noexecstack --no-warn-rwx-segments --gc-sections \
		-T tests/guests/mbkern.ld -o $@ $(filter %.o,$^)

# Damaged kernels for the loader's refusal cases (cases/loadrefuse.case).
GUEST_BADKERN	:= $(GB)/bz-trunc.bin $(GB)/bz-big.bin $(GB)/mb2-badtag.bin
$(GB)/bz-trunc.bin: BADKERN_DEF := BZ_TRUNC
$(GB)/bz-big.bin: BADKERN_DEF := BZ_BIG
$(GB)/mb2-badtag.bin: BADKERN_DEF := MB2_BADTAG
$(GUEST_BADKERN): tests/guests/badkern.asm
	@mkdir -p $(dir $@)
	@echo "  NASM    $@"
	$(Q)$(NASM) -f bin -D$(BADKERN_DEF) $< -o $@

# The fuzzer's second case (gfuzz-haswell) runs another seed: a patched copy.
$(GB)/gfuzz-s2.bin: $(GB)/gfuzz.bin tools/fuzz-guest
	$(Q)tools/fuzz-guest --patch $< $@ --seed 2 --blocks 10000 2>/dev/null

guests: $(GUEST_BINS) $(GB)/gfuzz-s2.bin $(patsubst %,$(GB)/%.elf,$(GUEST_MBKERN)) $(GUEST_BADKERN)

.PHONY: guests test-guests bench fuzz-guest

# Every guest test case under Bochs; ends with "N passed, N failed".
test-guests: $(B)/hv.elf guests
	$(Q)tests/run-case --all

# Exit round-trip benchmark in a guest under Bochs; make bench RELEASE=1
# measures build/release/hv.elf instead (the Makefile's HV_IMAGE).
bench: $(HV_IMAGE) guests linux
	$(Q)HV_ELF=$(HV_IMAGE) tools/exit-bench
	$(Q)HV_ELF=$(HV_IMAGE) tools/boot-bench

# The guest fuzzer for longer, with a seed of your choice (tools/fuzz-guest,
# docs/testing-hostile.md "Guest fuzzer"): make fuzz-guest SEED=7 MINUTES=10;
# GFUZZ_VCPUS, GFUZZ_MODEL and GFUZZ_OPTIONS (e.g. string-io,past-ram) too.
SEED		?= 1
MINUTES		?= 5
fuzz-guest: $(B)/hv.elf guests
	$(Q)tools/fuzz-guest --seed $(SEED) --minutes $(MINUTES) \
		$(if $(GFUZZ_VCPUS),--vcpus $(GFUZZ_VCPUS)) $(if $(GFUZZ_MODEL),--model $(GFUZZ_MODEL)) \
		$(if $(GFUZZ_OPTIONS),--options $(GFUZZ_OPTIONS))

-include $(GUEST_LIB:.o=.d) $(patsubst %,$(GB)/%.d,$(GUEST_C) $(GUEST_MBKERN))
