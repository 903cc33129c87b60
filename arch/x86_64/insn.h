/* SPDX-License-Identifier: MIT */
/*
 * A decoder for the few x86 instructions the shadow MMU must emulate or
 * step over (arch/x86_64/stage2_shadow.c): moves to and from control
 * registers, CLTS, LMSW, SMSW, INVLPG, and the stores to memory a guest
 * kernel makes to its page tables (which a write-protected guest page table
 * turns into faults): MOV, and the read-modify-writes, LOCK-prefixed or not,
 * that update entries atomically (ALU ops, XCHG, CMPXCHG, CMPXCHG8B, XADD,
 * BTS/BTR/BTC); x86_insn_rmw() computes what they do.  QEMU's SVM gives
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

#define X86_INSN_MAX 15 /* architectural limit on an instruction's length */

enum x86_insn_op {
	X86_INSN_UNKNOWN,     /* anything else, or bytes that do not decode */
	X86_INSN_MOV_TO_CR,   /* 0F 22 /r: CR(reg) <- GPR(rm) */
	X86_INSN_MOV_FROM_CR, /* 0F 20 /r: GPR(rm) <- CR(reg) */
	X86_INSN_CLTS,	      /* 0F 06 */
	X86_INSN_LMSW,	      /* 0F 01 /6: register (rm) or memory (ea) source */
	X86_INSN_SMSW,	      /* 0F 01 /4: register (rm) or memory (ea) destination */
	X86_INSN_INVLPG,      /* 0F 01 /7, memory operand: ea */
	X86_INSN_STORE_REG,   /* 88 /r, 89 /r with a memory destination: [ea] <- GPR(reg) */
	X86_INSN_STORE_IMM,   /* C6 /0, C7 /0 with a memory destination: [ea] <- imm */
	/*
	 * Read-modify-writes of a memory destination (the register form
	 * cannot fault on a page table): the source is GPR(reg), or imm when
	 * src_imm.
	 */
	X86_INSN_ALU,	    /* 00-31 /r, 80/81/83 /0-6: [ea] <- [ea] alu src (not CMP) */
	X86_INSN_XCHG,	    /* 86/87 /r: swap [ea] and GPR(reg) (locked even without LOCK) */
	X86_INSN_CMPXCHG,   /* 0F B0/B1 /r: accumulator against [ea] */
	X86_INSN_CMPXCHG8B, /* 0F C7 /1: EDX:EAX against [ea] (8 bytes), ECX:EBX stored */
	X86_INSN_XADD,	    /* 0F C0/C1 /r: [ea] <- [ea] + GPR(reg), GPR(reg) <- old [ea] */
	X86_INSN_BIT,	    /* 0F AB/B3/BB /r, 0F BA /5-7 ib: bit imm of [ea] set/reset/flipped */
};

/* X86_INSN_ALU's operation: ModRM.reg of 80-83, opcode bits 5:3 of 00-3F. */
enum x86_alu {
	X86_ALU_ADD,
	X86_ALU_OR,
	X86_ALU_ADC,
	X86_ALU_SBB,
	X86_ALU_AND,
	X86_ALU_SUB,
	X86_ALU_XOR,
};

/* X86_INSN_BIT's operation. */
enum x86_bit_op {
	X86_BIT_SET,	    /* BTS */
	X86_BIT_RESET,	    /* BTR */
	X86_BIT_COMPLEMENT, /* BTC */
};

/* What the decoder needs of the vCPU: its registers in ModRM order (rax, rcx, ... r15). */
struct x86_insn_ctx {
	u64 gpr[16];
	u64 rip;	      /* of the instruction */
	u64 fs_base, gs_base; /* added for an FS/GS override (64-bit mode) */
	bool long_mode;	      /* 64-bit code segment (CS.L with EFER.LMA) */
	bool default32;	      /* outside 64-bit mode: CS.D (32-bit default sizes) */
};

struct x86_insn {
	enum x86_insn_op op;
	u8 len;	  /* bytes, prefixes included */
	u8 size;  /* operand size in bytes: 1, 2, 4, 8 */
	u8 reg;	  /* ModRM.reg (+ REX.R): the GPR or the control register number */
	u8 rm;	  /* ModRM.rm (+ REX.B) when the operand is a register */
	bool mem; /* the r/m operand is memory (ea valid) */
	u64 ea;	  /* linear address of the memory operand (address-size wrapped) */
	/*
	 * STORE_IMM and ALU with src_imm: the immediate, sign-extended to 64
	 * bits; BIT: the bit number inside the operand at ea (a register bit
	 * offset beyond the operand has moved ea to the operand holding it).
	 */
	u64 imm;
	bool src_imm; /* ALU: the source is imm, not GPR(reg) */
	bool lock;    /* LOCK prefix (the emulation is atomic either way) */
	u8 alu;	      /* ALU: enum x86_alu; BIT: enum x86_bit_op */
};

/* RFLAGS bits the emulated instructions write (SDM vol. 1, 3.4.3). */
#define X86_FLAG_CF (1ULL << 0)
#define X86_FLAG_PF (1ULL << 2)
#define X86_FLAG_AF (1ULL << 4)
#define X86_FLAG_ZF (1ULL << 6)
#define X86_FLAG_SF (1ULL << 7)
#define X86_FLAG_OF (1ULL << 11)
#define X86_FLAGS_ARITH \
	(X86_FLAG_CF | X86_FLAG_PF | X86_FLAG_AF | X86_FLAG_ZF | X86_FLAG_SF | X86_FLAG_OF)

/* The registers a read-modify-write reads and writes besides memory. */
struct x86_rmw_regs {
	u64 gpr[16]; /* ModRM order */
	u64 rflags;
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

/* True for the ops that store to [ea]: STORE_REG, STORE_IMM and the read-modify-writes. */
bool x86_insn_is_store(const struct x86_insn *insn);

/*
 * What @insn (x86_insn_is_store) does, given @mem, the @insn->size bytes at
 * ea as they were read (zero-extended): returns the value to store there,
 * and updates @regs as the instruction would (the source register of XCHG
 * and XADD, the accumulator of a failed CMPXCHG, EDX:EAX of a failed
 * CMPXCHG8B; RFLAGS as the SDM and the APM define them for each, undefined
 * flags left as they were).  Pure: a caller that stores with compare-and-
 * swap and loses the race calls it again on the same @regs it started from.
 */
u64 x86_insn_rmw(const struct x86_insn *insn, u64 mem, struct x86_rmw_regs *regs);

#endif
