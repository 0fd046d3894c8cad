// SPDX-License-Identifier: MIT
/*
 * The x86-64 target description hv's GDB stub declares (vmx/gdb/gdb_proto.h):
 * GDB's standard features org.gnu.gdb.i386.core (GPRs, RIP, EFLAGS,
 * selectors, and the x87 registers the feature requires) and
 * org.gnu.gdb.i386.segments (fs_base, gs_base), then our own
 * org.hv.gdb.x86.sys with the system registers of a whole machine.  The
 * order here is GDB's register numbering (p/P) and the layout of g/G; it
 * must match enum gdb_reg and gdb_reg_size[].
 */
#include "vmx/gdb/gdb_proto.h"

const u8 gdb_reg_size[GDB_NREGS] = {
	[GDB_RAX ... GDB_RIP] = 8,
	[GDB_EFLAGS ... GDB_GS] = 4,
	[GDB_ST0 ... GDB_ST7] = 10,
	[GDB_FCTRL ... GDB_FOP] = 4,
	[GDB_FS_BASE ... GDB_EFER] = 8,
};

#define REG(name, bits, type, group) \
	"<reg name=\"" name "\" bitsize=\"" #bits "\" type=\"" type "\"" group "/>"
#define G64(name)	REG(name, 64, "int64", "")
#define G32(name)	REG(name, 32, "int32", "")
#define X87(name)	REG(name, 32, "int", " group=\"float\"")
#define ST(n)		REG("st" #n, 80, "i387_ext", "")
#define SYS(name)	REG(name, 64, "int64", " group=\"system\"")

const char gdb_target_xml[] =
	"<?xml version=\"1.0\"?>"
	"<!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
	"<target version=\"1.0\">"
	"<architecture>i386:x86-64</architecture>"
	"<feature name=\"org.gnu.gdb.i386.core\">"
	G64("rax") G64("rbx") G64("rcx") G64("rdx") G64("rsi") G64("rdi")
	REG("rbp", 64, "data_ptr", "") REG("rsp", 64, "data_ptr", "")
	G64("r8") G64("r9") G64("r10") G64("r11") G64("r12") G64("r13") G64("r14") G64("r15")
	REG("rip", 64, "code_ptr", "")
	G32("eflags") G32("cs") G32("ss") G32("ds") G32("es") G32("fs") G32("gs")
	ST(0) ST(1) ST(2) ST(3) ST(4) ST(5) ST(6) ST(7)
	X87("fctrl") X87("fstat") X87("ftag") X87("fiseg") X87("fioff") X87("foseg")
	X87("fooff") X87("fop")
	"</feature>"
	"<feature name=\"org.gnu.gdb.i386.segments\">"
	G64("fs_base") G64("gs_base")
	"</feature>"
	"<feature name=\"org.hv.gdb.x86.sys\">"
	SYS("k_gs_base") SYS("cr0") SYS("cr2") SYS("cr3") SYS("cr4") SYS("cr8") SYS("efer")
	"</feature>"
	"</target>";
