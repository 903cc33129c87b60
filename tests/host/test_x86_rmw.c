// SPDX-License-Identifier: MIT
/*
 * Host tests of the read-modify-write stores the shadow MMU emulates on
 * guest page tables (arch/x86_64/insn.c decodes them, insn_rmw.c computes
 * them): each form runs on the host CPU (x86-64 only) from a stub holding
 * the real instruction, and its bytes are decoded and emulated from the same
 * registers, memory word and RFLAGS; memory, registers and every flag the
 * manuals define must agree (undefined flags are not compared).  Then the
 * decode-only rules: LOCK where it is #UD, CMP and BT (no store), the bit
 * offset of BTS/BTR/BTC reaching other words, CMPXCHG16B.
 */
#include <errno.h>
#include <string.h>

#include "../../arch/x86_64/insn.h"
#include "harness.h"

/* What a stub loads and stores: rax, rcx, rdx, rbx, rsi, RFLAGS; the memory word at 136. */
struct hw_state {
	u64 gpr[16];
	u64 rflags;
	u64 mem;
};

_Static_assert(__builtin_offsetof(struct hw_state, rflags) == 128, "stub layout");
_Static_assert(__builtin_offsetof(struct hw_state, mem) == 136, "stub layout");

#define X86_INPUT_FLAGS (X86_FLAGS_ARITH | 0x2)

#if defined(__x86_64__)
/*
 * One stub per instruction: state pointer in r15 (so the memory operand is
 * off(%r15)), registers and flags in, the instruction between name_insn and
 * name_end, registers and flags out.
 */
#define STUB(name, text)                                                                    \
	__asm__(".text\n.p2align 4\n" #name ":\n"                                           \
		"push %rbx\npush %r15\nmov %rdi, %r15\n"                                    \
		"pushq 128(%r15)\npopfq\n"                                                  \
		"mov 0(%r15), %rax\nmov 8(%r15), %rcx\nmov 16(%r15), %rdx\n"                \
		"mov 24(%r15), %rbx\nmov 48(%r15), %rsi\n" #name "_insn:\n" text "\n" #name \
		"_end:\n"                                                                   \
		"pushfq\npopq 128(%r15)\n"                                                  \
		"mov %rax, 0(%r15)\nmov %rcx, 8(%r15)\nmov %rdx, 16(%r15)\n"                \
		"mov %rbx, 24(%r15)\nmov %rsi, 48(%r15)\n"                                  \
		"pop %r15\npop %rbx\nret\n");                                               \
	void name(struct hw_state *s) __asm__(#name);                                       \
	extern const u8 name##_insn[] __asm__(#name "_insn");                               \
	extern const u8 name##_end[] __asm__(#name "_end")

STUB(s_lock_or_q, "lock orq %rsi, 136(%r15)");
STUB(s_or_l, "orl %esi, 140(%r15)");
STUB(s_lock_and_b, "lock andb %sil, 137(%r15)");
STUB(s_lock_and_imm8, "lock andq $-5, 136(%r15)");
STUB(s_or_imm32, "orq $0x7ffff001, 136(%r15)");
STUB(s_lock_or_imm_b, "lock orb $0x81, 143(%r15)");
STUB(s_add_q, "addq %rsi, 136(%r15)");
STUB(s_lock_add_w, "lock addw %si, 138(%r15)");
STUB(s_adc_l, "adcl %esi, 136(%r15)");
STUB(s_sbb_q, "sbbq %rsi, 136(%r15)");
STUB(s_sub_imm_b, "subb $0x7f, 136(%r15)");
STUB(s_lock_sub_q, "lock subq %rsi, 136(%r15)");
STUB(s_xor_q, "xorq %rsi, 136(%r15)");
STUB(s_lock_xor_imm_l, "lock xorl $0x80000001, 140(%r15)");
STUB(s_xchg_q, "xchgq %rsi, 136(%r15)");
STUB(s_xchg_b, "xchgb %sil, 139(%r15)");
STUB(s_xchg_w, "xchgw %si, 142(%r15)");
STUB(s_xchg_l, "xchgl %esi, 136(%r15)");
STUB(s_lock_cmpxchg_q, "lock cmpxchgq %rsi, 136(%r15)");
STUB(s_cmpxchg_l, "cmpxchgl %esi, 140(%r15)");
STUB(s_lock_cmpxchg_b, "lock cmpxchgb %sil, 138(%r15)");
STUB(s_cmpxchg_w, "cmpxchgw %si, 136(%r15)");
STUB(s_lock_cmpxchg8b, "lock cmpxchg8b 136(%r15)");
STUB(s_lock_xadd_q, "lock xaddq %rsi, 136(%r15)");
STUB(s_xadd_l, "xaddl %esi, 136(%r15)");
STUB(s_lock_bts_q, "lock btsq %rsi, 136(%r15)");
STUB(s_btr_l, "btrl %esi, 136(%r15)");
STUB(s_lock_btc_w, "lock btcw %si, 136(%r15)");
STUB(s_lock_bts_imm, "lock btsq $63, 136(%r15)");
STUB(s_btr_imm_l, "btrl $5, 140(%r15)");
STUB(s_btc_imm_mod, "btcq $0x41, 136(%r15)");

/* A flag the instruction leaves undefined is not compared. */
#define F_ALL	X86_FLAGS_ARITH
#define F_LOGIC (X86_FLAGS_ARITH & ~X86_FLAG_AF)
#define F_BIT	(X86_FLAG_CF | X86_FLAG_ZF)

struct form {
	const char *name;
	void (*run)(struct hw_state *s);
	const u8 *insn, *end;
	u64 flags;	   /* defined flags after it */
	unsigned int bits; /* register bit offsets: keep them below this (BT*), 0 otherwise */
};

#define FORM(n, f, b)                          \
	{                                      \
#n, n, n##_insn, n##_end, f, b \
	}

static const struct form forms[] = {
	FORM(s_lock_or_q, F_LOGIC, 0),
	FORM(s_or_l, F_LOGIC, 0),
	FORM(s_lock_and_b, F_LOGIC, 0),
	FORM(s_lock_and_imm8, F_LOGIC, 0),
	FORM(s_or_imm32, F_LOGIC, 0),
	FORM(s_lock_or_imm_b, F_LOGIC, 0),
	FORM(s_add_q, F_ALL, 0),
	FORM(s_lock_add_w, F_ALL, 0),
	FORM(s_adc_l, F_ALL, 0),
	FORM(s_sbb_q, F_ALL, 0),
	FORM(s_sub_imm_b, F_ALL, 0),
	FORM(s_lock_sub_q, F_ALL, 0),
	FORM(s_xor_q, F_LOGIC, 0),
	FORM(s_lock_xor_imm_l, F_LOGIC, 0),
	FORM(s_xchg_q, F_ALL, 0),
	FORM(s_xchg_b, F_ALL, 0),
	FORM(s_xchg_w, F_ALL, 0),
	FORM(s_xchg_l, F_ALL, 0),
	FORM(s_lock_cmpxchg_q, F_ALL, 0),
	FORM(s_cmpxchg_l, F_ALL, 0),
	FORM(s_lock_cmpxchg_b, F_ALL, 0),
	FORM(s_cmpxchg_w, F_ALL, 0),
	FORM(s_lock_cmpxchg8b, F_ALL, 0),
	FORM(s_lock_xadd_q, F_ALL, 0),
	FORM(s_xadd_l, F_ALL, 0),
	/* BT* register offsets up to 63 stay inside the 8-byte word at 136 (other units of it). */
	FORM(s_lock_bts_q, F_BIT, 64),
	FORM(s_btr_l, F_BIT, 64),
	FORM(s_lock_btc_w, F_BIT, 64),
	FORM(s_lock_bts_imm, F_BIT, 0),
	FORM(s_btr_imm_l, F_BIT, 0),
	FORM(s_btc_imm_mod, F_BIT, 0),
};

static u64 rng = 88172645463325252ULL;

static u64 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Values that reach the carry, overflow and sign boundaries at every size, or anything. */
static u64 operand(void)
{
	static const u64 edge[] = { 0,
				    1,
				    0x7f,
				    0x80,
				    0xff,
				    0x7fff,
				    0x8000,
				    0xffff,
				    0x7fffffff,
				    0x80000000,
				    0xffffffff,
				    0x7fffffffffffffffULL,
				    0x8000000000000000ULL,
				    ~0ULL,
				    0x8000000000000063ULL };

	switch (rnd() % 4) {
	case 0:
		return edge[rnd() % (sizeof(edge) / sizeof(edge[0]))];
	case 1:
		return rnd() & 0xff;
	default:
		return rnd();
	}
}

static void random_state(const struct form *f, struct hw_state *s)
{
	memset(s, 0, sizeof(*s));
	for (unsigned int i = 0; i < 16; i++)
		s->gpr[i] = operand();
	s->mem = operand();
	s->rflags = (rnd() & X86_FLAGS_ARITH) | 0x2;
	/* CMPXCHG: make the comparison succeed half the time, at every width. */
	if (rnd() % 2) {
		u64 m = s->mem;

		if (f->run == s_cmpxchg_l)
			m >>= 32;
		else if (f->run == s_lock_cmpxchg_b)
			m >>= 16;
		s->gpr[0] = m;
		s->gpr[2] = s->mem >> 32; /* CMPXCHG8B's EDX:EAX */
	}
	if (f->bits)
		s->gpr[6] = rnd() % f->bits;
}

/* Emulate the stub's instruction on a copy of @in: decode it, run x86_insn_rmw on the word. */
static int emulate(const struct form *f, const struct hw_state *in, struct hw_state *out)
{
	struct x86_insn_ctx c = { .long_mode = true };
	struct x86_rmw_regs r;
	struct x86_insn insn;
	unsigned int shift;
	u64 mask, base = (u64)(uintptr_t)&out->mem;
	int ret;

	*out = *in;
	memcpy(c.gpr, in->gpr, sizeof(c.gpr));
	c.gpr[15] = (u64)(uintptr_t)out;
	ret = x86_insn_decode(f->insn, (unsigned int)(f->end - f->insn), &c, &insn);
	if (ret)
		return ret;
	if (insn.len != f->end - f->insn || !x86_insn_is_store(&insn) || !insn.mem ||
	    insn.ea < base || insn.ea + insn.size > base + 8)
		return -EINVAL;
	memcpy(r.gpr, in->gpr, sizeof(r.gpr));
	r.rflags = in->rflags;
	shift = (unsigned int)(insn.ea - base) * 8;
	mask = insn.size == 8 ? ~0ULL : ((1ULL << (8 * insn.size)) - 1) << shift;
	out->mem = (in->mem & ~mask) |
		   ((x86_insn_rmw(&insn, (in->mem & mask) >> shift, &r) << shift) & mask);
	memcpy(out->gpr, r.gpr, sizeof(r.gpr));
	out->gpr[15] = in->gpr[15];
	out->rflags = r.rflags;
	return 0;
}

static void test_against_cpu(void)
{
	unsigned int n, k, bad = 0;

	for (n = 0; n < sizeof(forms) / sizeof(forms[0]); n++) {
		const struct form *f = &forms[n];

		for (k = 0; k < 20000 && bad < 10; k++) {
			struct hw_state in, hw, emu;
			int ret;

			random_state(f, &in);
			hw = in;
			f->run(&hw);
			ret = emulate(f, &in, &emu);
			if (ret || hw.mem != emu.mem || memcmp(hw.gpr, emu.gpr, sizeof(hw.gpr)) ||
			    ((hw.rflags ^ emu.rflags) & f->flags)) {
				printf("    %s: decode %d; mem %#llx rax %#llx rsi %#llx flags %#llx: "
				       "cpu mem %#llx rax %#llx rdx %#llx rsi %#llx flags %#llx, "
				       "emulated %#llx %#llx %#llx %#llx %#llx\n",
				       f->name, ret, (unsigned long long)in.mem,
				       (unsigned long long)in.gpr[0], (unsigned long long)in.gpr[6],
				       (unsigned long long)in.rflags, (unsigned long long)hw.mem,
				       (unsigned long long)hw.gpr[0], (unsigned long long)hw.gpr[2],
				       (unsigned long long)hw.gpr[6], (unsigned long long)hw.rflags,
				       (unsigned long long)emu.mem, (unsigned long long)emu.gpr[0],
				       (unsigned long long)emu.gpr[2],
				       (unsigned long long)emu.gpr[6],
				       (unsigned long long)emu.rflags);
				bad++;
			}
		}
	}
	printf("    %u forms, 20000 random operands each, against this CPU\n", n);
	CHECK_EQ(bad, 0);
}
#else
static void test_against_cpu(void)
{
	printf("    not an x86-64 host: nothing to compare with\n");
}
#endif

#define M64                             \
	{                               \
		.long_mode = true,      \
		.gpr = { [0] = 0x1000,  \
			 [3] = 0x2000,  \
			 [6] = 0x3000,  \
			 [7] = 0x4000 } \
	}

#define DECODE(out, ...)                                     \
	({                                                   \
		static const u8 b_[] = { __VA_ARGS__ };      \
		struct x86_insn_ctx c_ = M64;                \
		x86_insn_decode(b_, sizeof(b_), &c_, (out)); \
	})

static void test_decode_forms(void)
{
	struct x86_insn i;

	/* lock cmpxchg %rsi,(%rdi): what Linux's try_cmpxchg on a pte compiles to */
	CHECK_EQ(DECODE(&i, 0xf0, 0x48, 0x0f, 0xb1, 0x37), 0);
	CHECK_EQ(i.op, X86_INSN_CMPXCHG);
	CHECK(i.lock);
	CHECK_EQ(i.size, 8);
	CHECK_EQ(i.reg, 6);
	CHECK_EQ(i.ea, 0x4000);
	CHECK_EQ(i.len, 5);
	/* lock andb $0xfd,1(%rdi): clear_bit() of a constant bit number */
	CHECK_EQ(DECODE(&i, 0xf0, 0x80, 0x67, 0x01, 0xfd), 0);
	CHECK_EQ(i.op, X86_INSN_ALU);
	CHECK_EQ(i.alu, X86_ALU_AND);
	CHECK(i.src_imm);
	CHECK_EQ(i.size, 1);
	CHECK_EQ(i.ea, 0x4001);
	CHECK_EQ((u8)i.imm, 0xfd);
	/* lock btrq $5,(%rdi): test_and_clear_bit(_PAGE_BIT_ACCESSED) */
	CHECK_EQ(DECODE(&i, 0xf0, 0x48, 0x0f, 0xba, 0x37, 0x05), 0);
	CHECK_EQ(i.op, X86_INSN_BIT);
	CHECK_EQ(i.alu, X86_BIT_RESET);
	CHECK_EQ(i.imm, 5);
	CHECK_EQ(i.len, 6);
	/* xchg %rax,(%rbx) */
	CHECK_EQ(DECODE(&i, 0x48, 0x87, 0x03), 0);
	CHECK_EQ(i.op, X86_INSN_XCHG);
	CHECK_EQ(i.ea, 0x2000);
	/* 81 /1 with a 16-bit operand takes an imm16: orw $0x1234,(%rbx) */
	CHECK_EQ(DECODE(&i, 0x66, 0x81, 0x0b, 0x34, 0x12), 0);
	CHECK_EQ(i.size, 2);
	CHECK_EQ(i.imm, 0x1234);
	CHECK_EQ(i.len, 5);
}

/* A register bit offset addresses the operand-sized unit holding the bit, below ea too. */
static void test_bit_offset(void)
{
	struct x86_insn_ctx c = M64;
	static const u8 bts_q[] = { 0x48, 0x0f, 0xab, 0x33 }; /* btsq %rsi,(%rbx) */
	static const u8 btr_w[] = { 0x66, 0x0f, 0xb3, 0x33 }; /* btrw %si,(%rbx) */
	struct x86_insn i;

	c.gpr[6] = 200; /* unit 3 (bytes 24..31), bit 8 */
	CHECK_EQ(x86_insn_decode(bts_q, sizeof(bts_q), &c, &i), 0);
	CHECK_EQ(i.ea, 0x2000 + 24);
	CHECK_EQ(i.imm, 8);
	c.gpr[6] = (u64)-1; /* the top bit of the unit below */
	CHECK_EQ(x86_insn_decode(bts_q, sizeof(bts_q), &c, &i), 0);
	CHECK_EQ(i.ea, 0x2000 - 8);
	CHECK_EQ(i.imm, 63);
	c.gpr[6] = 0xffff0000ffff0011ULL; /* 16 bits: only si = 0x0011 counts */
	CHECK_EQ(x86_insn_decode(btr_w, sizeof(btr_w), &c, &i), 0);
	CHECK_EQ(i.ea, 0x2002);
	CHECK_EQ(i.imm, 1);
	c.gpr[6] = 0xfff0; /* si = -16: the word below */
	CHECK_EQ(x86_insn_decode(btr_w, sizeof(btr_w), &c, &i), 0);
	CHECK_EQ(i.ea, 0x2000 - 2);
	CHECK_EQ(i.imm, 0);
}

static void test_decode_refused(void)
{
	struct x86_insn i;

	CHECK_EQ(DECODE(&i, 0xf0, 0x48, 0x09, 0xc3), -EINVAL);	      /* lock or %rax,%rbx: #UD */
	CHECK_EQ(DECODE(&i, 0x48, 0x09, 0xc3), -EINVAL);	      /* register destination */
	CHECK_EQ(DECODE(&i, 0x48, 0x39, 0x03), -EINVAL);	      /* cmp: no store */
	CHECK_EQ(DECODE(&i, 0x48, 0x83, 0x3b, 0x01), -EINVAL);	      /* cmpq $1,(%rbx) */
	CHECK_EQ(DECODE(&i, 0x48, 0x0f, 0xa3, 0x33), -EINVAL);	      /* bt: no store */
	CHECK_EQ(DECODE(&i, 0x48, 0x0f, 0xba, 0x23, 0x01), -EINVAL);  /* btq $1,(%rbx) */
	CHECK_EQ(DECODE(&i, 0xf0, 0x48, 0x0f, 0xc7, 0x0b), -EINVAL);  /* cmpxchg16b */
	CHECK_EQ(DECODE(&i, 0x0f, 0xc7, 0x13), -EINVAL);	      /* 0F C7 /2: not CMPXCHG8B */
	CHECK_EQ(DECODE(&i, 0x20, 0x23), -EINVAL);		      /* and %ah,(%rbx) */
	CHECK_EQ(DECODE(&i, 0xf0, 0x89, 0x03), -EINVAL);	      /* lock mov: #UD */
	CHECK_EQ(DECODE(&i, 0xf0, 0x0f, 0x01, 0x3b), -EINVAL);	      /* lock invlpg: #UD */
	CHECK_EQ(DECODE(&i, 0xf0, 0x48, 0x0f, 0xb1), -ENODATA);	      /* ModRM missing */
	CHECK_EQ(DECODE(&i, 0x48, 0x81, 0x0b, 0x01, 0x00), -ENODATA); /* imm32 cut short */
}

/* The pure part on its own: CMPXCHG's failure loads the accumulator, success leaves RAX. */
static void test_cmpxchg_regs(void)
{
	struct x86_insn insn = { .op = X86_INSN_CMPXCHG, .size = 4, .reg = 6, .mem = true };
	struct x86_rmw_regs r = { .gpr = { [0] = 0xaaaa000012345678ULL, [6] = 0x99 } };

	CHECK_EQ(x86_insn_rmw(&insn, 0x12345678, &r), 0x99);
	CHECK_EQ(r.gpr[0], 0xaaaa000012345678ULL);
	CHECK(r.rflags & X86_FLAG_ZF);
	CHECK_EQ(x86_insn_rmw(&insn, 0x1, &r), 0x1);
	CHECK_EQ(r.gpr[0], 0x1); /* EAX loaded, upper half zeroed */
	CHECK(!(r.rflags & X86_FLAG_ZF));
}

int main(void)
{
	RUN(test_against_cpu);
	RUN(test_decode_forms);
	RUN(test_bit_offset);
	RUN(test_decode_refused);
	RUN(test_cmpxchg_regs);
	return harness_done();
}
