# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# fault_dump_check LOG KIND ELF: what the boot/fault-*.case exception dumps
# must show beyond their lines: frame #0 is RIP and resolves (addr2line on
# ELF, the image that ran) into hv_main's code, the trace has frames; for KIND stack,
# CR2 lies in the boot stack's guard page.  Sourced by those cases.
fault_dump_check() {
	local log=$1 kind=$2 image=$3 rip f0 fn n last guard cr2

	if [ "$kind" = stack ]; then
		guard=$(nm "$image" | awk '$3 == "boot_stack_guard" { print $1 }')
		cr2=$(grep -aoE 'CR2 0x[0-9a-f]{16}' "$log" | head -1 | cut -c7-)
		{ [ -n "$guard" ] && [ -n "$cr2" ]; } || { echo "no guard symbol or no CR2"; return 1; }
		[ $((16#$cr2 >= 16#$guard && 16#$cr2 < 16#$guard + 4096)) -eq 1 ] ||
			{ echo "CR2 0x$cr2 is not in the guard page at 0x$guard"; return 1; }
		echo "CR2 0x$cr2 is in the boot stack guard page 0x$guard"
	fi
	rip=$(grep -aoE 'RIP 0x[0-9a-f]{16}' "$log" | head -1 | cut -d' ' -f2)
	f0=$(grep -aoE '#0 +0x[0-9a-f]{16}' "$log" | head -1 | awk '{print $2}')
	if [ -z "$rip" ] || [ "$rip" != "$f0" ]; then
		echo "frame #0 (${f0:-?}) is not RIP (${rip:-?})"
		return 1
	fi
	fn=$(addr2line -f -e "$image" "$rip" | head -1)
	case $fn in
	hv_main|setup_debug_fault|setup_overflow_stack) echo "RIP $rip is in $fn" ;;
	*) echo "RIP $rip resolves to '$fn', not hv_main/setup_debug_fault"; return 1 ;;
	esac
	n=$(grep -acE '#[0-9]+ +0x[0-9a-f]{16}' "$log")
	[ "$n" -ge 2 ] || { echo "stack trace has only $n frame(s)"; return 1; }
	last=$(grep -aoE '#[0-9]+ +0x[0-9a-f]{16}' "$log" | tail -1 | awk '{print $2}')
	echo "$n frames, outermost $last = $(addr2line -f -e "$image" "$last" | head -1)"
}
