/* SPDX-License-Identifier: MIT */
/*
 * What kvm/ asks of arch/<arch>/ to debug guests (kvm/gdbstub/): the
 * debugger's byte channel, registers in GDB's numbering, breakpoints and
 * single step, guest-virtual translation, instruction cache sync.
 *
 * kvm/ never names a register or an instruction; every such detail lives
 * behind the functions of the kvm/arch/ headers, which arch/<arch>/ implements.
 * Unless said otherwise a function acts on the calling physical CPU and may
 * be called with interrupts enabled.
 */
#ifndef KVM_ARCH_DEBUG_H
#define KVM_ARCH_DEBUG_H

#include "mmu/types.h"

#include "arch_vcpu.h"

/*
 * The debugger's byte channel, a serial port of its own (arm64: a 16550 on
 * PCI).  open: find and set it up, once; 0 or -ENODEV.  getc never blocks
 * (-1: nothing waiting).  write never waits either: it hands the
 * transmitter what it takes now and returns how many bytes that was (0
 * while it is full: a debugger that stops reading must not hold a CPU; all
 * of them when there is no channel).  Callers serialise them.
 */
int arch_debug_chan_open(void);
int arch_debug_chan_getc(void);
u32 arch_debug_chan_write(const u8 *buf, u32 len);

/*
 * Registers as GDB numbers them in arch_gdb_target_xml() (the "regnum"
 * order of the target description, GDB manual "Target Descriptions").
 * get: writes the register's bytes in the guest's memory order to @buf
 * (ARCH_GDB_REG_MAX bytes room), returns its size; set reads as many.  0
 * for a number beyond the last.
 */
#define ARCH_GDB_REG_MAX  16
#define ARCH_GDB_MAX_REGS 128 /* arch_gdb_nr_regs() is at most this */
unsigned int arch_gdb_nr_regs(void);
unsigned int arch_gdb_get_reg(const struct arch_vcpu *v, unsigned int n, u8 *buf);
unsigned int arch_gdb_set_reg(struct arch_vcpu *v, unsigned int n, const u8 *buf);
/*
 * Validate a value for register @n (as arch_gdb_set_reg() would read it
 * from @buf) before setting it: 0, or -EINVAL for a value the hardware
 * would refuse to load (x86: MXCSR reserved bits, RFLAGS reserved bits or
 * VM, a selector other than the current one, a non-canonical FS/GS base)
 * or that would put the guest where it cannot be (arm64: a PSTATE mode
 * other than EL0t, EL1t, EL1h).  gdbstub checks every value of a G packet
 * before it sets any.
 */
int arch_gdb_check_reg(const struct arch_vcpu *v, unsigned int n, const u8 *buf);
const char *arch_gdb_target_xml(void);
/* The software breakpoint instruction (arm64: BRK #0) and its size. */
u32 arch_sw_breakpoint_insn(unsigned int *size);

/*
 * Debug exceptions of @v's guest come to the hypervisor as EXIT_DEBUG
 * (arm64: the EL2 debug-trap control while it runs).  Off again for a VM nobody debugs.
 */
void arch_vcpu_set_debug(struct arch_vcpu *v, bool on);
/* Exit with DEBUG_STEP after one guest instruction, at every entry until turned off. */
void arch_vcpu_set_single_step(struct arch_vcpu *v, bool on);
/* How many hardware breakpoints a vCPU can have (0: none). */
unsigned int arch_hw_breakpoint_slots(void);
/* Breakpoint registers of @v for its next entries: @n addresses (n <= slots). */
void arch_vcpu_set_hw_breakpoints(struct arch_vcpu *v, const u64 *addrs, unsigned int n);

/*
 * Translate guest-virtual @gva through @v's own stage 1 (its translation
 * registers as of its last exit; MMU off: the same address) into
 * guest-physical *@gpa; *@len = bytes from @gva to the end of its page.
 * Table entries are read through @read64(@ctx, gpa, &val) (0 or error).
 * 0, or -EFAULT when it does not translate.  Needs @v not running.
 */
int arch_vcpu_translate(const struct arch_vcpu *v, u64 gva, u64 *gpa, u64 *len,
			int (*read64)(void *ctx, u64 gpa, u64 *val), void *ctx);
/* Instructions written by the hypervisor become visible to every CPU's fetches. */
void arch_sync_icache(void);

#endif
