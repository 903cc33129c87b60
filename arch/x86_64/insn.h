/* SPDX-License-Identifier: MIT */
/*
 * A decoder for the few x86 instructions the shadow MMU must emulate or
 * step over (arch/x86_64/svm_shadow.c): moves to and from control
 * registers, CLTS, LMSW, SMSW, INVLPG, and plain stores to memory (which a
 * write-protected guest page table turns into faults).  QEMU's SVM gives
 * no decode assists (AMD APM vol. 2, 15.33) and qemu64 no next-RIP either,
 * so the length and the operands come from the bytes (Intel SDM vol. 2,
 * chapter 2 "Instruction Format").
 *
 * Pure C, no machine access: the host tests build it unchanged.
 */
#ifndef ARCH_X86_64_INSN_H
#define ARCH_X86_64_INSN_H

/* Relative to this file: the host tests build with -Immu but not -I. */
#include "../../mmu/types.h"

#define X86_INSN_MAX 15		/* architectural limit on an instruction's length */

enum x86_insn_op {
	X86_INSN_UNKNOWN,	/* anything else, or bytes that do not decode */
	X86_INSN_MOV_TO_CR,	/* 0F 22 /r: CR(reg) <- GPR(rm) */
	X86_INSN_MOV_FROM_CR,	/* 0F 20 /r: GPR(rm) <- CR(reg) */
	X86_INSN_CLTS,		/* 0F 06 */
	X86_INSN_LMSW,		/* 0F 01 /6: register (rm) or memory (ea) source */
	X86_INSN_SMSW,		/* 0F 01 /4: register (rm) or memory (ea) destination */
	X86_INSN_INVLPG,	/* 0F 01 /7, memory operand: ea */
	X86_INSN_STORE_REG,	/* 88 /r, 89 /r with a memory destination: [ea] <- GPR(reg) */
	X86_INSN_STORE_IMM,	/* C6 /0, C7 /0 with a memory destination: [ea] <- imm */
};

/* What the decoder needs of the vCPU: its registers in ModRM order (rax, rcx, ... r15). */
struct x86_insn_ctx {
	u64 gpr[16];
	u64 rip;		/* of the instruction */
	u64 fs_base, gs_base;	/* added for an FS/GS override (64-bit mode) */
	bool long_mode;		/* 64-bit code segment (CS.L with EFER.LMA) */
	bool default32;		/* outside 64-bit mode: CS.D (32-bit default sizes) */
};

struct x86_insn {
	enum x86_insn_op op;
	u8 len;			/* bytes, prefixes included */
	u8 size;		/* operand size in bytes: 1, 2, 4, 8 */
	u8 reg;			/* ModRM.reg (+ REX.R): the GPR or the control register number */
	u8 rm;			/* ModRM.rm (+ REX.B) when the operand is a register */
	bool mem;		/* the r/m operand is memory (ea valid) */
	u64 ea;			/* linear address of the memory operand (address-size wrapped) */
	u64 imm;		/* STORE_IMM: the immediate, sign-extended to 64 bits */
};

/*
 * Decode the instruction in @bytes[0 .. @avail) (fewer than X86_INSN_MAX
 * bytes when the fetch stopped at an unmapped page).  Returns 0 with @out
 * filled; -EINVAL when the bytes are not one of the instructions above or
 * are malformed (the caller then refuses to emulate); -ENODATA when @avail
 * bytes end before the instruction does.
 */
int x86_insn_decode(const u8 *bytes, unsigned int avail, const struct x86_insn_ctx *ctx,
		    struct x86_insn *out);

#endif
