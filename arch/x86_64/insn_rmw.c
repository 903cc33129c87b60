// SPDX-License-Identifier: MIT
/*
 * What the stores insn.c decodes do (x86_insn_rmw() in insn.h): the value
 * memory gets, the registers and the RFLAGS bits they write, as the Intel
 * SDM vol. 2 and the AMD APM vol. 3 define them per instruction ("ADD",
 * "CMPXCHG", "BTS", ...; the flags in SDM vol. 1, appendix A "EFLAGS
 * Cross-Reference").  Flags an instruction leaves undefined keep their
 * value.  Pure C, no machine access: the host tests compare it with the
 * host CPU running the same instructions.
 *
 * Only the value is computed here; the caller makes the store atomic (a
 * compare-and-swap on the guest word, retried from the same registers).
 */
#include "insn.h"

static u64 size_mask(unsigned int size)
{
	return size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

static u64 sign_bit(unsigned int size)
{
	return 1ULL << (8 * size - 1);
}

/* A register as an operand of @size bytes (AH-BH are refused by the decoder). */
static u64 reg_read(const struct x86_rmw_regs *r, unsigned int n, unsigned int size)
{
	return r->gpr[n & 15] & size_mask(size);
}

/*
 * A register write of @size bytes: 8 and 16 bits keep the rest, 32 bits
 * zero the upper half in 64-bit mode (SDM vol. 1, 3.4.1.1), 64 bits replace.
 */
static void reg_write(struct x86_rmw_regs *r, unsigned int n, unsigned int size, u64 val)
{
	u64 *g = &r->gpr[n & 15];

	if (size >= 4)
		*g = val & size_mask(size);
	else
		*g = (*g & ~size_mask(size)) | (val & size_mask(size));
}

/* PF: the low byte of the result has an even number of ones. */
static u64 parity_flag(u64 res)
{
	return __builtin_parity((unsigned int)(res & 0xff)) ? 0 : X86_FLAG_PF;
}

/* SF, ZF, PF of a result of @size bytes. */
static u64 szp_flags(u64 res, unsigned int size)
{
	res &= size_mask(size);
	return (res & sign_bit(size) ? X86_FLAG_SF : 0) | (res ? 0 : X86_FLAG_ZF) |
	       parity_flag(res);
}

static void set_flags(struct x86_rmw_regs *r, u64 which, u64 val)
{
	r->rflags = (r->rflags & ~which) | (val & which);
}

/* a + b + carry, with every arithmetic flag (SDM "ADD", "ADC"). */
static u64 add(struct x86_rmw_regs *r, u64 a, u64 b, unsigned int carry, unsigned int size)
{
	u64 m = size_mask(size), res = (a + b + carry) & m;
	bool cf = res < a || (carry && res == a);
	bool of = (a ^ res) & (b ^ res) & sign_bit(size);

	set_flags(r, X86_FLAGS_ARITH,
		  szp_flags(res, size) | (cf ? X86_FLAG_CF : 0) | (of ? X86_FLAG_OF : 0) |
			  ((a ^ b ^ res) & X86_FLAG_AF));
	return res;
}

/* a - b - borrow, with every arithmetic flag (SDM "SUB", "SBB", "CMP"). */
static u64 sub(struct x86_rmw_regs *r, u64 a, u64 b, unsigned int borrow, unsigned int size)
{
	u64 m = size_mask(size), res = (a - b - borrow) & m;
	bool cf = a < b || (borrow && a == b);
	bool of = (a ^ b) & (a ^ res) & sign_bit(size);

	set_flags(r, X86_FLAGS_ARITH,
		  szp_flags(res, size) | (cf ? X86_FLAG_CF : 0) | (of ? X86_FLAG_OF : 0) |
			  ((a ^ b ^ res) & X86_FLAG_AF));
	return res;
}

/* AND, OR, XOR: CF = OF = 0, SF/ZF/PF from the result, AF undefined (kept). */
static u64 logic(struct x86_rmw_regs *r, u64 res, unsigned int size)
{
	set_flags(r, X86_FLAGS_ARITH & ~X86_FLAG_AF, szp_flags(res, size));
	return res;
}

static u64 alu(const struct x86_insn *insn, u64 a, u64 b, struct x86_rmw_regs *r)
{
	unsigned int size = insn->size, cf = r->rflags & X86_FLAG_CF ? 1 : 0;

	switch (insn->alu) {
	case X86_ALU_ADD:
		return add(r, a, b, 0, size);
	case X86_ALU_ADC:
		return add(r, a, b, cf, size);
	case X86_ALU_SUB:
		return sub(r, a, b, 0, size);
	case X86_ALU_SBB:
		return sub(r, a, b, cf, size);
	case X86_ALU_OR:
		return logic(r, a | b, size);
	case X86_ALU_AND:
		return logic(r, a & b, size);
	default:
		return logic(r, a ^ b, size);
	}
}

/*
 * CMPXCHG (SDM "CMPXCHG"): flags as CMP accumulator, [ea]; equal: [ea] <-
 * source; else the accumulator <- [ea] (and the CPU writes [ea] back
 * unchanged, which a compare-and-swap that stores the same value is).
 */
static u64 cmpxchg(const struct x86_insn *insn, u64 mem, struct x86_rmw_regs *r)
{
	unsigned int size = insn->size;
	u64 acc = reg_read(r, 0, size);

	sub(r, acc, mem, 0, size);
	if (acc == mem)
		return reg_read(r, insn->reg, size);
	reg_write(r, 0, size, mem);
	return mem;
}

/* CMPXCHG8B (SDM "CMPXCHG8B/CMPXCHG16B"): only ZF is written. */
static u64 cmpxchg8b(u64 mem, struct x86_rmw_regs *r)
{
	u64 expect = (r->gpr[2] << 32) | (u32)r->gpr[0];

	if (mem == expect) {
		r->rflags |= X86_FLAG_ZF;
		return (r->gpr[1] << 32) | (u32)r->gpr[3];
	}
	r->rflags &= ~X86_FLAG_ZF;
	reg_write(r, 0, 4, mem);
	reg_write(r, 2, 4, mem >> 32);
	return mem;
}

/* BTS/BTR/BTC (SDM "BTS"): CF <- the bit; OF, SF, AF, PF undefined (kept), ZF unchanged. */
static u64 bit_op(const struct x86_insn *insn, u64 mem, struct x86_rmw_regs *r)
{
	u64 bit = 1ULL << insn->imm;

	set_flags(r, X86_FLAG_CF, mem & bit ? X86_FLAG_CF : 0);
	switch (insn->alu) {
	case X86_BIT_SET:
		return mem | bit;
	case X86_BIT_RESET:
		return mem & ~bit;
	default:
		return mem ^ bit;
	}
}

u64 x86_insn_rmw(const struct x86_insn *insn, u64 mem, struct x86_rmw_regs *regs)
{
	unsigned int size = insn->size;
	u64 src = insn->src_imm ? insn->imm & size_mask(size) : reg_read(regs, insn->reg, size);
	u64 res;

	mem &= size_mask(size);
	switch (insn->op) {
	case X86_INSN_STORE_REG:
		res = src;
		break;
	case X86_INSN_STORE_IMM:
		res = insn->imm;
		break;
	case X86_INSN_ALU:
		res = alu(insn, mem, src, regs);
		break;
	case X86_INSN_XCHG:
		reg_write(regs, insn->reg, size, mem);
		res = src;
		break;
	case X86_INSN_XADD:
		res = add(regs, mem, src, 0, size);
		reg_write(regs, insn->reg, size, mem);
		break;
	case X86_INSN_CMPXCHG:
		res = cmpxchg(insn, mem, regs);
		break;
	case X86_INSN_CMPXCHG8B:
		res = cmpxchg8b(mem, regs);
		break;
	case X86_INSN_BIT:
		res = bit_op(insn, mem, regs);
		break;
	default:
		res = mem; /* not a store: memory unchanged */
		break;
	}
	return res & size_mask(size);
}
