# SPDX-License-Identifier: MIT
#
# hv: a bare-metal x86-64 VMX microhypervisor.
#
#   make            build/hv.elf and the hosted test programs
#   make iso        build/hv.iso (GRUB, legacy BIOS + UEFI)
#   make RELEASE=1  build/release/hv.elf and hv.iso: no lock debugging, no test aids
#   make run        boot it in Bochs with the serial console on this terminal
#   make test       install what is missing, build, run every test
#   make check      sparse, cppcheck, clang-tidy
#   make mutation-test / bench-host / bench   see README
#   make fuzz       every libFuzzer target for FUZZ_SECONDS (docs/fuzzing.md)
#
# One source tree, two builds chosen at link time:
#   bare metal  boot/ arch/x86/ vmx/ + the portable core, linked by linker.ld
#   hosted      the portable core (lib/, mm/, vmx/dev/, vmx/emul/ and PORTABLE_EXTRA)
#               + tests/host/shim.c
# No source file asks which build it is in.

VERSION		:= $(shell cat VERSION 2>/dev/null || echo 0.1.0)
GIT_REV		:= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

CROSS_COMPILE	?=
CC		:= $(CROSS_COMPILE)gcc
LD		:= $(CROSS_COMPILE)ld
OBJCOPY		:= $(CROSS_COMPILE)objcopy
NASM		?= nasm
HOSTCC		?= gcc

B		:= build
Q		:= $(if $(V),,@)

WARN		:= -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
		   -Wmissing-declarations -Wredundant-decls -Wundef -Wtype-limits \
		   -Wno-unused-parameter
COMMON_CFLAGS	:= -std=gnu11 -g -I. $(WARN) -DHV_VERSION='"$(VERSION)"' -DHV_GIT_REV='"$(GIT_REV)"'

# ---------------------------------------------------------------- sources

# Portable files outside lib/ and mm/: pure parsers and builders that hosted
# tests cover (vmx/vm/'s other files are bare metal only).
PORTABLE_EXTRA	:= $(wildcard boot/multiboot2.c boot/cmdline.c arch/x86/acpi_tables.c \
		   arch/x86/smp_lowmem.c vmx/vm/aml.c vmx/vm/acpi_build.c vmx/vm/hypercall_abi.c \
		   vmx/console/cons_edit.c vmx/console/shell_parse.c \
		   vmx/gdb/gdb_proto.c vmx/gdb/gdb_tdesc.c \
		   vmx/stats/exit_stats.c vmx/stats/trace_ring.c vmx/stats/ept_report.c)
# Device models, the instruction emulator and the guest loaders are portable by rule: their glue
# to VT-x lives in vmx/ itself.
PORTABLE_SRCS	:= $(wildcard lib/*.c mm/*.c vmx/dev/*.c vmx/emul/*.c vmx/loader/*.c) $(PORTABLE_EXTRA)

# vmx/debug/ (test aids) and vmx/release/ (their empty stand-ins) are the
# two sides of the debug/release choice below.
BARE_C_SRCS	:= $(filter-out $(PORTABLE_SRCS) vmx/release/%, \
		   $(wildcard boot/*.c arch/x86/*.c vmx/*.c vmx/*/*.c)) $(PORTABLE_SRCS)
BARE_ASM_SRCS	:= $(wildcard boot/*.asm arch/x86/*.asm vmx/*.asm)

# ---------------------------------------------------------------- bare metal

BARE_CFLAGS	:= $(COMMON_CFLAGS) -O2 -ffreestanding -fno-builtin -nostdlib -nostdinc \
		   -isystem $(shell $(CC) -print-file-name=include) \
		   -mno-red-zone -mcmodel=kernel -mgeneral-regs-only -mpopcnt -fno-pic -fno-pie \
		   -fno-stack-protector -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
		   -fcf-protection=none -fno-common -MMD -MP
BARE_LDFLAGS	:= -nostdlib -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments \
		   -T linker.ld
NASMFLAGS	:= -f elf64 -g -I boot/ -I arch/x86/

BO		:= $(B)/bare
BARE_OBJS	:= $(patsubst %.c,$(BO)/%.o,$(BARE_C_SRCS)) \
		   $(patsubst %.asm,$(BO)/%.asm.o,$(BARE_ASM_SRCS))

$(BO)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(BARE_CFLAGS) -c $< -o $@

$(BO)/%.asm.o: %.asm
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	$(Q)$(NASM) $(NASMFLAGS) -MD $(@:.o=.d) $< -o $@

$(B)/hv.elf: $(BARE_OBJS) linker.ld
	@echo "  LD      $@"
	$(Q)$(LD) $(BARE_LDFLAGS) -o $@ $(BARE_OBJS)

# Test image for tests/boot/cases/relocated.case: the same objects, but a multiboot2
# header whose relocatable tag makes GRUB load the image at 16 MiB or above.
$(BO)/boot/header-reloc.asm.o: boot/header.asm
	@mkdir -p $(dir $@)
	@echo "  NASM    $< (relocation test)"
	$(Q)$(NASM) $(NASMFLAGS) -DRELOC_MIN=0x1000000 $< -o $@

$(B)/hv-reloc.elf: $(filter-out $(BO)/boot/header.asm.o,$(BARE_OBJS)) \
		   $(BO)/boot/header-reloc.asm.o linker.ld
	@echo "  LD      $@"
	$(Q)$(LD) $(BARE_LDFLAGS) -o $@ $(filter %.o,$^)

# ---------------------------------------------------------------- release
#
# make RELEASE=1: build/release/hv.elf and build/release/hv.iso, the image for
# a physical machine.  The same sources as build/hv.elf, but
#   - lock debugging off: -DHV_RELEASE=1 makes LOCKDEP_ON 0 (lib/lockdep.h), so
#     the owner tracking and assert_held*() compile away, and lib/lockdep.c is
#     not linked, so a check that did not compile away fails the link (the
#     lock statistics, lib/lock_stats.c, stay)
#   - no test aids (vm=...,debug=): vmx/release/*.c replaces vmx/debug/*.c
#   - no mutation hooks: those exist only in mutant builds anyway (lib/mutate.h)
# Chosen here, by the objects linked; no source asks which build it is in.

RO		:= $(B)/release
RELEASE_CFLAGS	:= $(BARE_CFLAGS) -DHV_RELEASE=1
RELEASE_C_SRCS	:= $(filter-out vmx/debug/% lib/lockdep.c,$(BARE_C_SRCS)) \
		   $(wildcard vmx/release/*.c)
RELEASE_OBJS	:= $(patsubst %.c,$(RO)/%.o,$(RELEASE_C_SRCS)) \
		   $(patsubst %.asm,$(BO)/%.asm.o,$(BARE_ASM_SRCS))

$(RO)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< [release]"
	$(Q)$(CC) $(RELEASE_CFLAGS) -c $< -o $@

$(RO)/lib/string.o: RELEASE_CFLAGS += -fno-tree-loop-distribute-patterns

$(RO)/hv.elf: $(RELEASE_OBJS) linker.ld
	@echo "  LD      $@"
	$(Q)$(LD) $(BARE_LDFLAGS) -o $@ $(RELEASE_OBJS)

$(RO)/hv.iso: $(RO)/hv.elf tools/grub.cfg.in tools/mkiso FORCE
	@echo "  ISO     $@"
	$(Q)tools/mkiso $(RO)/hv.elf $@ -c "$(HV_CMDLINE)"

release: $(RO)/hv.elf $(RO)/hv.iso

# The image that make bench (and make RELEASE=1 in general) works on.
HV_IMAGE	:= $(if $(filter 1,$(RELEASE)),$(RO)/hv.elf,$(B)/hv.elf)
# Plain make: all (as the header and the README say); make RELEASE=1: release.
ifeq ($(RELEASE),1)
.DEFAULT_GOAL	:= release
else
.DEFAULT_GOAL	:= all
endif

# Hybrid BIOS+UEFI GRUB ISO.  HV_CMDLINE is the hypervisor command line.
HV_CMDLINE	?=
$(B)/hv.iso: $(B)/hv.elf tools/grub.cfg.in tools/mkiso FORCE
	@echo "  ISO     $@"
	$(Q)tools/mkiso $(B)/hv.elf $@ -c "$(HV_CMDLINE)"

iso: $(B)/hv.iso

# make run: hv in Bochs with the test Linux (make linux) as a VM on two vCPUs,
# its console raw on this terminal: type into its shell; Ctrl-A three times
# switches the input to hv's shell and back; Ctrl-] quits Bochs.  apicv=off:
# Bochs 2.7's virtual-interrupt delivery ignores the guest's IF at times
# (docs/platform.md, "RVI waits for the guest to take interrupts").
RUN_CMDLINE	?= vm=linux,kernel=bzImage,initrd=initramfs.cpio.gz,mem=128,cpus=0-1,console=raw,on_reset=restart,apicv=off
RUN_GUEST_ARGS	?= console=ttyS0 quiet
$(B)/run.iso: $(B)/hv.elf tools/grub.cfg.in tools/mkiso FORCE
	@echo "  ISO     $@"
	$(Q)tools/mkiso $(B)/hv.elf $@ -c "$(RUN_CMDLINE)" \
		-m "$(LINUX_OUT)/bzImage:$(RUN_GUEST_ARGS)" -m $(LINUX_OUT)/initramfs.cpio.gz

# The small demo guest instead (tests/guests/hello.c): it prints through its
# trapped COM1 and reports PASS.  The echo guest (tests/guests/echo.c) is on
# the image too: DEMO_CMDLINE="vm=echo,mod=echo,mem=4,cpus=0" keeps a VM that
# answers what is typed to it (docs/console.md).
DEMO_CMDLINE	?= vm=demo,mod=hello,mem=16,cpus=0
$(B)/demo.iso: $(B)/hv.elf $(B)/guests/hello.bin $(B)/guests/echo.bin tools/grub.cfg.in \
	       tools/mkiso FORCE
	@echo "  ISO     $@"
	$(Q)tools/mkiso $(B)/hv.elf $@ -c "$(DEMO_CMDLINE)" -m $(B)/guests/hello.bin \
		-m $(B)/guests/echo.bin

# Bochs (VMX emulation) with the serial console on this terminal; BOCHS_ARGS
# e.g. "--cpus 4 --model corei7_skylake_x" (hv gives the VM the CPUs RUN_CMDLINE names).
run: setup linux
	$(Q)$(MAKE) --no-print-directory $(B)/run.iso
	$(Q)tools/run-bochs --iso $(B)/run.iso --console --cpus 2 --megs 768 \
		--model corei7_haswell_4770 $(BOCHS_ARGS)

run-demo: setup
	$(Q)$(MAKE) --no-print-directory $(B)/demo.iso
	$(Q)tools/run-bochs --iso $(B)/demo.iso --console $(BOCHS_ARGS)

# QEMU TCG (no VMX), serial on this terminal; QEMU_ARGS e.g. "--uefi --smp 2".
run-qemu: $(B)/hv.iso
	$(Q)tools/run-qemu --iso $(B)/hv.iso $(QEMU_ARGS)

# QEMU with KVM and the host CPU (VMX only if the host has nested VMX).
run-kvm: linux
	$(Q)$(MAKE) --no-print-directory $(B)/run.iso
	$(Q)tools/run-kvm-check && tools/run-qemu --iso $(B)/run.iso --kvm $(QEMU_ARGS)

# QEMU stopped at the first instruction with a gdbstub on :1234 (COM1 to
# build/gdb-serial.log), and gdb on the symbols; QEMU stops with gdb.  Use
# hardware breakpoints (hbreak hv_main): GRUB loads the image after gdb attaches.
gdb: $(B)/hv.iso
	$(Q)tools/run-qemu --iso $(B)/hv.iso --serial $(B)/gdb-serial.log $(QEMU_ARGS) -- -s -S & \
	  qpid=$$!; gdb -q -ex "target remote :1234" $(B)/hv.elf; kill $$qpid 2>/dev/null || true

.PHONY: run-qemu FORCE
FORCE:

# ---------------------------------------------------------------- hosted
#
# HVARIANT picks one hosted build: host (plain -O2), host-tsan, host-asan,
# host-release (-O2 in the release configuration: -DHV_RELEASE=1 and no
# lib/lockdep.c, the same link-time choice as make RELEASE=1; make bench-host
# measures it), or mut-<SITE> (a mutant, -DMUTATE_<SITE>=1; see
# tools/mutation-test).

HVARIANT	?= host
HB		:= $(B)/$(HVARIANT)
HOST_CFLAGS_host	:= -O2
HOST_CFLAGS_host-release	:= -O2 -DHV_RELEASE=1
HOST_CFLAGS_host-tsan	:= -O1 -fsanitize=thread
HOST_CFLAGS_host-asan	:= -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
			   -fno-omit-frame-pointer
HOST_VARIANT_FLAGS	:= $(if $(filter mut-%,$(HVARIANT)), \
			   -O2 -DMUTATE_$(patsubst mut-%,%,$(HVARIANT))=1, \
			   $(HOST_CFLAGS_$(HVARIANT)))
HOST_CFLAGS	:= $(COMMON_CFLAGS) $(HOST_VARIANT_FLAGS) -pthread -D_GNU_SOURCE \
		   -march=x86-64-v2 -MMD -MP
HOST_LDLIBS	:= -pthread -lm

HOST_SUPPORT	:= $(filter-out tests/host/test_%.c tests/host/zydis_diff.c,$(wildcard tests/host/*.c))
HOST_TESTS	:= $(patsubst tests/host/%.c,$(HB)/%,$(wildcard tests/host/test_*.c))
HOST_PORTABLE	:= $(if $(filter host-release,$(HVARIANT)),$(filter-out lib/lockdep.c,$(PORTABLE_SRCS)), \
		   $(PORTABLE_SRCS))
HOST_LIB_OBJS	:= $(patsubst %.c,$(HB)/obj/%.o,$(HOST_PORTABLE) $(HOST_SUPPORT))

$(HB)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $< [$(HVARIANT)]"
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -c $< -o $@

# lib/string.c defines memcpy/memset/strlen/... under their standard names
# because the bare-metal build has no libc and gcc emits calls to them.  In a
# hosted program those definitions would replace libc's and the sanitizers'
# interceptors in every test binary, so the hosted object gets them renamed
# to hv_<name> (tests/host/test_string.c tests them under those names).  Both
# builds compile it with -fno-tree-loop-distribute-patterns so that gcc does
# not turn its copy loops into calls to memcpy/memset, i.e. to themselves.
STRING_SYMS	:= memcpy memset memmove memcmp strlen strnlen strcmp strncmp strchr \
		   strrchr strstr
$(BO)/lib/string.o: BARE_CFLAGS += -fno-tree-loop-distribute-patterns
$(HB)/obj/lib/string.o: lib/string.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $< [$(HVARIANT)]"
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -fno-builtin -fno-tree-loop-distribute-patterns \
		-MF $(@:.o=.d) -MT $@ -c $< -o $@.tmp
	$(Q)objcopy $(foreach s,$(STRING_SYMS),--redefine-sym $(s)=hv_$(s)) $@.tmp $@
	$(Q)rm -f $@.tmp

$(HB)/test_%: $(HB)/obj/tests/host/test_%.o $(HOST_LIB_OBJS)
	@echo "  HOSTLD  $@"
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -o $@ $^ $(HOST_LDLIBS)

# The decoder's differential test against Zydis (libzydis-dev): not a test_*
# program because it links -lZydis; plain and ASan builds only.
$(HB)/zydis_diff: $(HB)/obj/tests/host/zydis_diff.o $(HOST_LIB_OBJS)
	@echo "  HOSTLD  $@"
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -o $@ $^ -lZydis $(HOST_LDLIBS)

host-bins: $(HOST_TESTS) $(if $(filter host host-asan,$(HVARIANT)),$(HB)/zydis_diff)

HOST_VARIANTS	:= host host-tsan host-asan
host-tests:
	$(Q)for v in $(HOST_VARIANTS); do $(MAKE) --no-print-directory HVARIANT=$$v host-bins || exit 1; done

# Benchmarks: every tests/bench/*.c in one binary, with the comparison libraries.
BENCH_SRCS	:= $(wildcard tests/bench/*.c)
BENCH_OBJS	:= $(patsubst %.c,$(HB)/obj/%.o,$(BENCH_SRCS))
BENCH_LDLIBS	:= -lck -lurcu-qsbr -lurcu-memb -lurcu-mb -lurcu-common
$(HB)/bench-host: $(BENCH_OBJS) $(HOST_LIB_OBJS)
	@echo "  HOSTLD  $@"
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -o $@ $^ $(BENCH_LDLIBS) $(HOST_LDLIBS)

# ---------------------------------------------------------------- fuzzing
#
# libFuzzer targets for the parsers of untrusted input (docs/fuzzing.md):
# every tests/fuzz/fuzz_<name>.c is one program build/fuzz/fuzz_<name>, linked
# with the portable core and tests/host/shim.c compiled by clang with
# coverage, ASan and UBSan, and with the other tests/fuzz/*.c (support).
# A new target is a new fuzz_<name>.c plus tests/fuzz/corpus/<name>/ (seeds).
#
# The core's guest memory accesses (vmx/vm/guest_mem.h) reach a buffer:
# tests/host/guest_mem_buf.c, as in the hosted tests.
# --wrap routes the core's console writes and phys->virt lookups through
# tests/fuzz/support.c (a target may replace the latter, see fuzz_acpi.c):
# still a link-time choice, the sources are the same as in every build.

FUZZ_CC		?= clang
FB		:= $(B)/fuzz
FUZZ_SAN	:= -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS	:= $(COMMON_CFLAGS) -O1 -fno-omit-frame-pointer $(FUZZ_SAN) -pthread \
		   -D_GNU_SOURCE -march=x86-64-v2 -MMD -MP
FUZZ_LDFLAGS	:= $(FUZZ_SAN) -Wl,--wrap=arch_console_write -Wl,--wrap=arch_phys_to_virt
FUZZ_SRCS	:= $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS	:= $(patsubst tests/fuzz/%.c,$(FB)/%,$(FUZZ_SRCS))
FUZZ_SUPPORT	:= $(patsubst %.c,$(FB)/obj/%.o, \
		   $(filter-out $(FUZZ_SRCS),$(wildcard tests/fuzz/*.c)))
# An archive, so that each program takes only the core objects it needs.
FUZZ_CORE_OBJS	:= $(patsubst %.c,$(FB)/obj/%.o,$(PORTABLE_SRCS) tests/host/shim.c \
		   tests/host/guest_mem_buf.c)
FUZZ_SECONDS	?= 60

$(FB)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $<"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

# Same renaming as the hosted lib/string.o (see above); clang has no
# -ftree-loop-distribute-patterns, and -fno-builtin keeps it from emitting
# calls to the functions being defined.
$(FB)/obj/lib/string.o: lib/string.c
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $<"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fno-builtin -MF $(@:.o=.d) -MT $@ -c $< -o $@.tmp
	$(Q)objcopy $(foreach s,$(STRING_SYMS),--redefine-sym $(s)=hv_$(s)) $@.tmp $@
	$(Q)rm -f $@.tmp

$(FB)/libhvcore.a: $(FUZZ_CORE_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(FB)/fuzz_%: $(FB)/obj/tests/fuzz/fuzz_%.o $(FUZZ_SUPPORT) $(FB)/libhvcore.a
	@echo "  FUZZLD  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_LDFLAGS) -o $@ $^ -pthread -lm

fuzz-bins: $(FUZZ_BINS)

# Every target for FUZZ_SECONDS each, growing build/fuzz/corpus/; crashes
# land in build/fuzz/crashes/ (tools/fuzz-run says how to keep them).
fuzz: fuzz-bins
	$(Q)tools/fuzz-run --seconds $(FUZZ_SECONDS)

# A few seconds each from the seed corpus only, then every checked-in input once.
fuzz-smoke: fuzz-bins
	$(Q)tools/fuzz-run --seconds 3 --fresh && tools/fuzz-run --replay

# ---------------------------------------------------------------- test guests
# build/guests/*.bin, make test-guests, make bench (tests/guests/guests.mk)
include tests/guests/guests.mk

# ---------------------------------------------------------------- Linux guest
#
# The test Linux (tools/linux/): build/linux/bzImage from Debian's
# linux-source-6.1 with tools/linux/guest.config, cached outside the checkout
# (~/.cache/hv/linux, keyed by the package version and the config), and
# build/linux/initramfs.cpio.gz from busybox-static.  Other tools read these
# exact names.
LINUX_OUT	:= build/linux
linux: setup
	$(Q)tools/linux/build-kernel $(LINUX_OUT)

# ---------------------------------------------------------------- top level

.PHONY: linux run-demo all iso release test check mutation-test bench-host bench run run-kvm gdb \
	host-bins host-tests clean setup compile_commands.json fuzz fuzz-bins fuzz-smoke

all: $(B)/hv.elf host-tests guests fuzz-bins

setup:
	$(Q)tools/setup

test: setup
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory RELEASE=1 release
	$(Q)tools/run-tests

check:
	$(Q)tools/check

# make mutation-test MUTATION_ARGS="-r 5 --load": each kill five times, the
# other cores busy (tools/mutation-test).
mutation-test:
	$(Q)tools/mutation-test $(MUTATION_ARGS)

# make bench-host: the release configuration (host-release) timed against the
# comparison libraries, then the debug build's own rows (impl ours_debug), then
# instructions per operation of both under callgrind (unit "instructions"):
# all rows in build/bench-host.json.  BENCH_ARGS, e.g. --filter ebr --runs 11.
BENCH_ARGS	?=
BENCH_JSON	:= $(B)/bench-host.json
BENCH_CG	:= $(B)/bench-icount/cg.out
BENCH_VALGRIND	:= valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file=$(BENCH_CG) -q
bench-host: setup
	$(Q)$(MAKE) --no-print-directory HVARIANT=host-release $(B)/host-release/bench-host
	$(Q)$(MAKE) --no-print-directory HVARIANT=host $(B)/host/bench-host
	$(Q)$(B)/host-release/bench-host --json $(BENCH_JSON) $(BENCH_ARGS)
	$(Q)$(B)/host/bench-host --debug-build --append --json $(BENCH_JSON) $(BENCH_ARGS)
	$(Q)rm -rf $(dir $(BENCH_CG)) && mkdir -p $(dir $(BENCH_CG))
	$(Q)$(BENCH_VALGRIND) $(B)/host-release/bench-host --icount $(BENCH_CG) \
		--append --json $(BENCH_JSON) $(BENCH_ARGS)
	$(Q)rm -rf $(dir $(BENCH_CG)) && mkdir -p $(dir $(BENCH_CG))
	$(Q)$(BENCH_VALGRIND) $(B)/host/bench-host --icount $(BENCH_CG) --debug-build \
		--append --json $(BENCH_JSON) $(BENCH_ARGS)

compile_commands.json:
	$(Q)tools/compile-commands > $@

clean:
	rm -rf $(B)

.SECONDARY:

-include $(BARE_OBJS:.o=.d) $(RELEASE_OBJS:.o=.d) $(HOST_LIB_OBJS:.o=.d) \
	 $(patsubst %.c,$(HB)/obj/%.d,$(wildcard tests/host/test_*.c) tests/host/zydis_diff.c \
		    $(BENCH_SRCS)) \
	 $(FUZZ_CORE_OBJS:.o=.d) $(FUZZ_SUPPORT:.o=.d) $(patsubst %.c,$(FB)/obj/%.d,$(FUZZ_SRCS))
