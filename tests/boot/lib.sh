# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Shared helpers for the boot integration tests (sourced by tests/boot/*).
# Each test builds its own ISO under build/boot-tests/ (grub-mkrescue, ~1 s)
# from build/hv.elf, boots it, and checks the serial log.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2

BT_DIR=build/boot-tests
ELF=${HV_ELF:-build/hv.elf}
mkdir -p "$BT_DIR"

bt_fail() {
	echo "FAIL: $*"
	exit 1
}

bt_need_elf() {
	[ -f "$ELF" ] || bt_fail "$ELF missing: run make first"
}

# bt_iso NAME CMDLINE [MKISO-ARGS...]: build $BT_DIR/NAME.iso unless it was
# built from this very ELF (path and mtime) with the same arguments; prints
# its path.
bt_iso() {
	local iso=$BT_DIR/$1.iso cmd=$2 key
	shift 2
	key="$(readlink -f "$ELF") $(stat -c %Y "$ELF") | $cmd | $*"
	if [ ! -f "$iso" ] || [ "$(cat "$iso.args" 2>/dev/null)" != "$key" ]; then
		tools/mkiso "$ELF" "$iso" -c "$cmd" "$@" >&2 || bt_fail "cannot build $iso"
		printf '%s' "$key" >"$iso.args"
	fi
	echo "$iso"
}

# bt_expect LOG EXTENDED-REGEX WHAT: the log must contain a line matching.
bt_expect() {
	grep -aqE -- "$2" "$1" || bt_fail "no line matching /$2/ ($3) in $1"
	echo "ok: $3"
}

# bt_absent LOG EXTENDED-REGEX WHAT
bt_absent() {
	! grep -aqE -- "$2" "$1" || bt_fail "unexpected line matching /$2/ ($3) in $1"
	echo "ok: $3"
}

# bt_before LOG REGEX1 REGEX2 WHAT: first match of 1 comes before the first of 2.
bt_before() {
	local a b
	a=$(grep -anE -- "$2" "$1" | head -1 | cut -d: -f1)
	b=$(grep -anE -- "$3" "$1" | head -1 | cut -d: -f1)
	{ [ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]; } || bt_fail "$4: /$2/ (line ${a:-none}) not before /$3/ (line ${b:-none})"
	echo "ok: $4"
}

# bt_ready_field LOG FIELD: value of FIELD= in the ready line.
bt_ready_field() {
	grep -aE '^hv: ready ' "$1" | tr -d '\r' | head -1 | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# Checks every boot report must pass.
bt_check_report() {
	local log=$1
	bt_expect "$log" '^hv: early 12345' "32-bit entry progress reached 64-bit C"
	bt_expect "$log" 'hv [0-9]+\.[0-9]+\.[0-9]+ \(git [0-9a-f]+[^)]*\)' "banner with version and git revision"
	bt_expect "$log" 'command line: "' "command line reported"
	bt_expect "$log" 'memory map: [0-9]+ entries' "memory map summary"
	bt_expect "$log" 'memory: [0-9]+ MiB usable' "usable memory reported"
	bt_expect "$log" 'paging: direct map .* image W\^X \(0 writable\+executable mappings\)' "final page tables, no W+X mapping"
	bt_expect "$log" 'modules: [0-9]+' "modules reported"
	bt_expect "$log" 'cpus: [0-9]+ online' "CPU count reported"
	bt_expect "$log" 'vmx: ' "VMX summary"
	bt_expect "$log" '^hv: ready cpus=[0-9]+ mem=[0-9]+ vmx=(yes|no) ept=(yes|no) ug=(yes|no)' "ready line"
	bt_absent "$log" 'PANIC|EXCEPTION|WARNING at' "no panic, exception or warning"
}

# bt_check_mem LOG MIB: usable memory in the ready line is within 16 MiB below MIB.
bt_check_mem() {
	local mem
	mem=$(bt_ready_field "$1" mem)
	{ [ -n "$mem" ] && [ "$mem" -le "$2" ] && [ "$mem" -ge $(($2 - 16)) ]; } ||
		bt_fail "ready line says mem=${mem:-?} MiB for a ${2} MiB machine"
	echo "ok: mem=$mem MiB for -m ${2}M"
}

# bt_clean LOG: LOG.raw (serial output) -> LOG without carriage returns.
bt_clean() {
	tr -d '\r' <"$1.raw" >"$1" 2>/dev/null || : >"$1"
}
