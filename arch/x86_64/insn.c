// SPDX-License-Identifier: MIT
/*
 * The x86 instruction decoder of insn.h: prefixes, opcode, ModRM, SIB,
 * displacement and immediate (Intel SDM vol. 2, chapter 2; AMD APM vol. 3,
 * chapter 1), for the few instructions the shadow MMU emulates.
 *
 * Every byte is fetched through fetch(), which enforces both the caller's
 * @avail and the 15-byte limit, so no input makes the decoder read past
 * either.  16-bit addressing (SDM table 2-1: [bx+si], [bp+di], ...) is
 * decoded too: real-mode and 16-bit protected-mode guests use it.
 */
#include <errno.h>
#include <string.h>

#include "insn.h"

/* REX bits (SDM 2.2.1.2). */
#define REX_B 0x1
#define REX_X 0x2
#define REX_R 0x4
#define REX_W 0x8

#define SEG_FS 0x64
#define SEG_GS 0x65

#define NO_REG 0xff

struct decoder {
	const u8 *bytes;
	unsigned int avail;
	unsigned int pos; /* the next byte to fetch */
	const struct x86_insn_ctx *ctx;
	u8 rex;			   /* 0 when none right before the opcode */
	bool opsize, adsize, lock; /* 66, 67, F0 */
	u8 seg;			   /* the last segment override, 0 when none */
	u8 osz, asz;		   /* operand and address size in bytes */
	u8 modrm, mod;
	/*
	 * The memory operand's base + index * scale + disp, not yet wrapped:
	 * a RIP-relative one also needs the instruction's length, known only
	 * once the immediate is fetched.
	 */
	u64 off;
	bool rip_rel;
};

static int fetch(struct decoder *d, u8 *b)
{
	/* The length limit first: no number of further bytes makes such an instruction valid. */
	if (d->pos >= X86_INSN_MAX)
		return -EINVAL;
	if (d->pos >= d->avail)
		return -ENODATA;
	*b = d->bytes[d->pos++];
	return 0;
}

/* A little-endian displacement or immediate of @n bytes (1, 2 or 4), sign-extended. */
static int fetch_signed(struct decoder *d, unsigned int n, u64 *val)
{
	u64 v = 0;
	unsigned int i;
	int ret;
	u8 b;

	for (i = 0; i < n; i++) {
		ret = fetch(d, &b);
		if (ret)
			return ret;
		v |= (u64)b << (8 * i);
	}
	if (v & (1ULL << (8 * n - 1)))
		v |= ~0ULL << (8 * n);
	*val = v;
	return 0;
}

static bool legacy_prefix(struct decoder *d, u8 b)
{
	if (b == 0x66)
		d->opsize = true;
	else if (b == 0x67)
		d->adsize = true;
	else if (b == 0xf0)
		d->lock = true;
	else if (b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == SEG_FS || b == SEG_GS)
		d->seg = b;		 /* the last override wins */
	else if (b != 0xf2 && b != 0xf3) /* REP, XACQUIRE/XRELEASE: no bearing here */
		return false;
	return true;
}

/* The prefixes, then the opcode's first byte in @op. */
static int decode_prefixes(struct decoder *d, u8 *op)
{
	const struct x86_insn_ctx *c = d->ctx;
	int ret;

	for (;;) {
		ret = fetch(d, op);
		if (ret)
			return ret;
		/* Outside 64-bit mode 40-4F are INC and DEC, which fall to the opcode switch. */
		if (c->long_mode && (*op & 0xf0) == 0x40) {
			d->rex = *op; /* of several, the last counts */
			continue;
		}
		if (!legacy_prefix(d, *op))
			break;
		d->rex = 0; /* a REX followed by a legacy prefix is ignored (SDM 2.2.1) */
	}
	if (c->long_mode) {
		d->osz = (d->rex & REX_W) ? 8 : d->opsize ? 2 : 4;
		d->asz = d->adsize ? 4 : 8;
	} else {
		/* 66 and 67 each switch to the size CS.D does not pick. */
		d->osz = c->default32 != d->opsize ? 4 : 2;
		d->asz = c->default32 != d->adsize ? 4 : 2;
	}
	return 0;
}

/* The ModRM byte's register fields; the memory operand, if any, comes with decode_mem(). */
static int decode_modrm(struct decoder *d, struct x86_insn *out)
{
	int ret = fetch(d, &d->modrm);

	if (ret)
		return ret;
	d->mod = d->modrm >> 6;
	out->reg = ((d->modrm >> 3) & 7) | ((d->rex & REX_R) ? 8 : 0);
	out->rm = (d->modrm & 7) | ((d->rex & REX_B) ? 8 : 0);
	return 0;
}

/* 16-bit addressing, SDM table 2-1: rm 0-7 are bx+si, bx+di, bp+si, bp+di, si, di, bp, bx. */
static int decode_mem16(struct decoder *d, u8 mod, u8 rm)
{
	static const u8 base[8] = { 3, 3, 5, 5, 6, 7, 5, 3 };
	static const u8 index[8] = { 6, 7, 6, 7, NO_REG, NO_REG, NO_REG, NO_REG };
	u64 disp = 0;
	int ret = 0;

	if (mod == 0 && rm == 6) /* no base: a bare disp16 */
		return fetch_signed(d, 2, &d->off);
	d->off = d->ctx->gpr[base[rm]];
	if (index[rm] != NO_REG)
		d->off += d->ctx->gpr[index[rm]];
	if (mod)
		ret = fetch_signed(d, mod == 1 ? 1 : 2, &disp);
	d->off += disp;
	return ret;
}

/*
 * 32- and 64-bit addressing, SDM tables 2-2 and 2-3.  The special cases
 * (SIB escape, no base, RIP-relative) look at the 3-bit fields: REX.B
 * does not change them (SDM table 2-5).
 */
static int decode_mem32(struct decoder *d, u8 mod, u8 rm)
{
	const u64 *gpr = d->ctx->gpr;
	u8 rex_b = (d->rex & REX_B) ? 8 : 0;
	unsigned int disp_len = mod == 1 ? 1 : mod == 2 ? 4 : 0;
	u64 disp = 0;
	u8 sib, index;
	int ret;

	if (rm == 4) {
		ret = fetch(d, &sib);
		if (ret)
			return ret;
		index = ((sib >> 3) & 7) | ((d->rex & REX_X) ? 8 : 0);
		if (index != 4) /* 100 without REX.X: no index (rsp cannot be one) */
			d->off = gpr[index] << (sib >> 6);
		if ((sib & 7) == 5 && mod == 0)
			disp_len = 4; /* no base: [index * scale + disp32] */
		else
			d->off += gpr[(sib & 7) | rex_b];
	} else if (rm == 5 && mod == 0) {
		disp_len = 4;
		/* 64-bit mode makes it RIP-relative; elsewhere a bare disp32. */
		d->rip_rel = d->ctx->long_mode;
	} else {
		d->off = gpr[rm | rex_b];
	}
	if (disp_len) {
		ret = fetch_signed(d, disp_len, &disp);
		if (ret)
			return ret;
	}
	d->off += disp;
	return 0;
}

/* The r/m operand when it is memory: SIB and displacement; ea follows in x86_insn_decode(). */
static int decode_mem(struct decoder *d, struct x86_insn *out)
{
	if (d->mod == 3)
		return 0;
	out->mem = true;
	out->rm = 0;
	if (d->asz == 2)
		return decode_mem16(d, d->mod, d->modrm & 7);
	return decode_mem32(d, d->mod, d->modrm & 7);
}

/* 0F 01: group 7, the operation in ModRM.reg. */
static int decode_grp7(struct decoder *d, struct x86_insn *out)
{
	int ret = decode_modrm(d, out);

	if (ret)
		return ret;
	switch (out->reg & 7) {
	case 4:
		out->op = X86_INSN_SMSW;
		/* A memory destination takes 16 bits whatever the operand size. */
		out->size = d->mod == 3 ? d->osz : 2;
		break;
	case 6:
		out->op = X86_INSN_LMSW;
		out->size = 2;
		break;
	case 7:
		if (d->mod == 3)
			return -EINVAL; /* SWAPGS, RDTSCP, MONITORX, ... */
		out->op = X86_INSN_INVLPG;
		out->size = d->osz; /* meaningless, but in range */
		break;
	default:
		return -EINVAL;
	}
	out->reg = 0; /* an opcode extension, not a register */
	return decode_mem(d, out);
}

/*
 * A read-modify-write with a memory destination and a register source (ALU
 * 00-31, XCHG 86/87, CMPXCHG 0F B0/B1, XADD 0F C0/C1): @byte for the 8-bit
 * forms.  The register form touches no memory, so cannot be ours.
 */
static int decode_rmw_reg(struct decoder *d, enum x86_insn_op op, bool byte, struct x86_insn *out)
{
	int ret = decode_modrm(d, out);

	if (ret)
		return ret;
	if (d->mod == 3)
		return -EINVAL;
	/* Without a REX, byte registers 4-7 are AH, CH, DH, BH: not gpr[4..7] (not emulated). */
	if (byte && !d->rex && out->reg >= 4)
		return -EINVAL;
	out->op = op;
	out->size = byte ? 1 : d->osz;
	return decode_mem(d, out);
}

/* 80 /n ib, 81 /n iw/id, 83 /n ib (sign-extended): ALU op n with an immediate source. */
static int decode_grp1(struct decoder *d, u8 op, struct x86_insn *out)
{
	int ret = decode_modrm(d, out);

	if (ret)
		return ret;
	/* CMP (/7) stores nothing; 82 is 80's alias outside 64-bit mode only. */
	if (d->mod == 3 || ((d->modrm >> 3) & 7) == 7)
		return -EINVAL;
	out->op = X86_INSN_ALU;
	out->alu = (d->modrm >> 3) & 7;
	out->reg = 0;
	out->src_imm = true;
	out->size = op == 0x80 ? 1 : d->osz;
	ret = decode_mem(d, out);
	if (ret)
		return ret;
	/* An imm32 for a 64-bit operand is sign-extended (SDM "ADD": REX.W + 81 /0 id). */
	return fetch_signed(d, op != 0x81 ? 1 : out->size == 2 ? 2 : 4, &out->imm);
}

/*
 * BTS/BTR/BTC with a memory operand (SDM "BT", "Bit(BitBase, BitOffset)"):
 * an immediate offset is taken modulo the operand size; a register one is
 * signed and may address any bit from the operand on, so ea moves to the
 * operand-sized unit holding the bit.  @reg_src: 0F AB/B3/BB, else 0F BA.
 */
static int decode_bit(struct decoder *d, enum x86_bit_op bop, bool reg_src, struct x86_insn *out)
{
	unsigned int bits;
	int ret = decode_modrm(d, out);
	u64 imm = 0;
	s64 off;

	if (ret)
		return ret;
	if (d->mod == 3)
		return -EINVAL;
	if (!reg_src) {
		/* 0F BA /4 is BT (no store), /0-/3 undefined. */
		if (((d->modrm >> 3) & 7) < 5)
			return -EINVAL;
		bop = ((d->modrm >> 3) & 7) - 5;
		out->reg = 0;
	}
	out->op = X86_INSN_BIT;
	out->alu = bop;
	out->size = d->osz;
	bits = 8 * out->size;
	ret = decode_mem(d, out);
	if (ret)
		return ret;
	if (!reg_src) {
		ret = fetch_signed(d, 1, &imm);
		out->imm = imm & (bits - 1);
		return ret;
	}
	off = (s64)(d->ctx->gpr[out->reg] << (64 - bits)) >> (64 - bits);
	/* Arithmetic shift: a negative offset addresses the units below ea. */
	d->off += (u64)((off >> (bits == 16 ? 4 : bits == 32 ? 5 : 6)) * (s64)out->size);
	out->imm = (u64)off & (bits - 1);
	return 0;
}

/* 0F C7 /1: CMPXCHG8B m64 (with REX.W it is CMPXCHG16B: not emulated). */
static int decode_cmpxchg8b(struct decoder *d, struct x86_insn *out)
{
	int ret = decode_modrm(d, out);

	if (ret)
		return ret;
	if (d->mod == 3 || ((d->modrm >> 3) & 7) != 1 || (d->rex & REX_W))
		return -EINVAL;
	out->op = X86_INSN_CMPXCHG8B;
	out->size = 8;
	out->reg = 0;
	return decode_mem(d, out);
}

static int decode_0f(struct decoder *d, struct x86_insn *out)
{
	u8 op;
	int ret = fetch(d, &op);

	if (ret)
		return ret;
	switch (op) {
	case 0xb0:
	case 0xb1:
		return decode_rmw_reg(d, X86_INSN_CMPXCHG, op == 0xb0, out);
	case 0xc0:
	case 0xc1:
		return decode_rmw_reg(d, X86_INSN_XADD, op == 0xc0, out);
	case 0xc7:
		return decode_cmpxchg8b(d, out);
	case 0xab:
		return decode_bit(d, X86_BIT_SET, true, out);
	case 0xb3:
		return decode_bit(d, X86_BIT_RESET, true, out);
	case 0xbb:
		return decode_bit(d, X86_BIT_COMPLEMENT, true, out);
	case 0xba:
		return decode_bit(d, X86_BIT_SET, false, out);
	case 0x01:
		return decode_grp7(d, out);
	case 0x06:
		out->op = X86_INSN_CLTS;
		out->size = d->osz;
		return 0;
	case 0x20:
	case 0x22:
		/* ModRM.mod is ignored: the operand is always a register; 66 is ignored too. */
		out->op = op == 0x20 ? X86_INSN_MOV_FROM_CR : X86_INSN_MOV_TO_CR;
		out->size = d->ctx->long_mode ? 8 : 4;
		return decode_modrm(d, out);
	}
	return -EINVAL;
}

/* 88 /r, 89 /r (STORE_REG); C6 /0 ib, C7 /0 iw/id (STORE_IMM): to memory only. */
static int decode_store(struct decoder *d, u8 op, struct x86_insn *out)
{
	bool byte = !(op & 1), imm = op >= 0xc6;
	int ret = decode_modrm(d, out);

	if (ret)
		return ret;
	/* A register destination cannot fault; C6/C7 /1-/7 are XABORT, XBEGIN or undefined. */
	if (d->mod == 3 || (imm && (d->modrm & 0x38)))
		return -EINVAL;
	/* Without a REX, byte registers 4-7 are AH, CH, DH, BH: not gpr[4..7]. */
	if (byte && !imm && !d->rex && out->reg >= 4)
		return -EINVAL;
	out->op = imm ? X86_INSN_STORE_IMM : X86_INSN_STORE_REG;
	out->size = byte ? 1 : d->osz;
	if (imm)
		out->reg = 0;
	ret = decode_mem(d, out);
	if (ret || !imm)
		return ret;
	/* A 64-bit store takes an imm32, sign-extended (SDM "MOV": REX.W + C7 /0 id). */
	return fetch_signed(d, out->size == 8 ? 4 : out->size, &out->imm);
}

static int decode_opcode(struct decoder *d, u8 op, struct x86_insn *out)
{
	if (op == 0x0f)
		return decode_0f(d, out);
	if (op == 0x88 || op == 0x89 || op == 0xc6 || op == 0xc7)
		return decode_store(d, op, out);
	/* ADD, OR, ADC, SBB, AND, SUB, XOR r/m, r: the op in bits 5:3, 38/39 (CMP) excluded. */
	if (op < 0x38 && (op & 7) < 2) {
		out->alu = op >> 3;
		return decode_rmw_reg(d, X86_INSN_ALU, !(op & 1), out);
	}
	if (op == 0x80 || op == 0x81 || op == 0x83)
		return decode_grp1(d, op, out);
	if (op == 0x86 || op == 0x87)
		return decode_rmw_reg(d, X86_INSN_XCHG, op == 0x86, out);
	return -EINVAL;
}

bool x86_insn_is_store(const struct x86_insn *insn)
{
	return insn->op >= X86_INSN_STORE_REG && insn->op <= X86_INSN_BIT;
}

/* LOCK is allowed only on a read-modify-write of memory; anywhere else it is #UD (SDM "LOCK"). */
static bool lock_allowed(const struct x86_insn *insn)
{
	return insn->mem && insn->op >= X86_INSN_ALU && insn->op <= X86_INSN_BIT;
}

/* The linear address: the offset wrapped to the address size, plus FS or GS base in 64-bit mode. */
static u64 linear_address(const struct decoder *d)
{
	const struct x86_insn_ctx *c = d->ctx;
	u64 ea = d->off;

	if (d->rip_rel)
		ea += c->rip + d->pos; /* relative to the next instruction */
	if (d->asz < 8)
		ea &= (1ULL << (8 * d->asz)) - 1;
	/* Other segments are flat: their bases are 0 in 64-bit mode, and assumed 0 elsewhere. */
	if (c->long_mode && d->seg == SEG_FS)
		ea += c->fs_base;
	else if (c->long_mode && d->seg == SEG_GS)
		ea += c->gs_base;
	return ea;
}

int x86_insn_decode(const u8 *bytes, unsigned int avail, const struct x86_insn_ctx *ctx,
		    struct x86_insn *out)
{
	struct decoder d = { .bytes = bytes, .avail = avail, .ctx = ctx };
	u8 op;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = decode_prefixes(&d, &op);
	if (!ret)
		ret = decode_opcode(&d, op, out);
	/* The AMD CR8 alias, F0 0F 22, is not supported either. */
	if (!ret && d.lock && !lock_allowed(out))
		ret = -EINVAL;
	if (ret) {
		memset(out, 0, sizeof(*out)); /* op = X86_INSN_UNKNOWN */
		return ret;
	}
	out->len = d.pos;
	out->lock = d.lock;
	if (out->mem)
		out->ea = linear_address(&d);
	return 0;
}
