// SPDX-License-Identifier: MIT
/*
 * Host tests of arch/x86_64/insn.c: each instruction the shadow MMU
 * emulates in the modes it meets them (encodings checked against GNU as),
 * the addressing forms (SIB, REX extensions, RIP-relative, FS/GS, 16-bit,
 * wrap to the address size), prefix rules, truncated and over-long input,
 * and a fuzz run on random bytes (meant for the sanitizer builds): any
 * input decodes or fails cleanly, never reading past what it was given.
 */
#include <errno.h>
#include <string.h>

#include "../../arch/x86_64/insn.h"
#include "harness.h"

#define RIP	0xffffffff81000000ULL
#define FS_BASE 0x7f0000001000ULL
#define GS_BASE 0xffff888000000000ULL

/* Distinct register values with high bits set, so that a wrong register or a missing wrap shows. */
static struct x86_insn_ctx mode(bool long_mode, bool default32)
{
	struct x86_insn_ctx c = {
		.rip = RIP,
		.fs_base = FS_BASE,
		.gs_base = GS_BASE,
		.long_mode = long_mode,
		.default32 = default32,
	};
	unsigned int i;

	for (i = 0; i < 16; i++)
		c.gpr[i] = 0x1111000000000000ULL * (i + 1) + 0x1000 * (i + 1);
	return c;
}

#define M64 mode(true, false)
#define M32 mode(false, true)
#define M16 mode(false, false)

/* Decode the listed bytes (exactly that many available) in context @c. */
#define DECODE(c, out, ...)                                  \
	({                                                   \
		static const u8 b_[] = { __VA_ARGS__ };      \
		struct x86_insn_ctx c_ = (c);                \
		x86_insn_decode(b_, sizeof(b_), &c_, (out)); \
	})

static u64 reg(struct x86_insn_ctx c, unsigned int i)
{
	return c.gpr[i];
}

static void test_mov_to_cr3(void)
{
	struct x86_insn i;

	CHECK_EQ(DECODE(M64, &i, 0x0f, 0x22, 0xd8), 0); /* mov %rax,%cr3 */
	CHECK_EQ(i.op, X86_INSN_MOV_TO_CR);
	CHECK_EQ(i.len, 3);
	CHECK_EQ(i.reg, 3);
	CHECK_EQ(i.rm, 0);
	CHECK_EQ(i.size, 8);
	CHECK(!i.mem);
}

static void test_mov_from_cr0_32(void)
{
	struct x86_insn i;

	CHECK_EQ(DECODE(M32, &i, 0x0f, 0x20, 0xc0), 0); /* mov %cr0,%eax */
	CHECK_EQ(i.op, X86_INSN_MOV_FROM_CR);
	CHECK_EQ(i.len, 3);
	CHECK_EQ(i.reg, 0);
	CHECK_EQ(i.rm, 0);
	CHECK_EQ(i.size, 4);
	/* 66 does not change the size of a control-register move. */
	CHECK_EQ(DECODE(M32, &i, 0x66, 0x0f, 0x20, 0xc0), 0);
	CHECK_EQ(i.size, 4);
	CHECK_EQ(i.len, 4);
}

static void test_mov_cr_rex(void)
{
	struct x86_insn i;

	CHECK_EQ(DECODE(M64, &i, 0x41, 0x0f, 0x22, 0xe1), 0); /* mov %r9,%cr4 */
	CHECK_EQ(i.op, X86_INSN_MOV_TO_CR);
	CHECK_EQ(i.reg, 4);
	CHECK_EQ(i.rm, 9);
	CHECK_EQ(i.len, 4);
	CHECK_EQ(DECODE(M64, &i, 0x44, 0x0f, 0x22, 0xc0), 0); /* mov %rax,%cr8 */
	CHECK_EQ(i.reg, 8);
	CHECK_EQ(i.rm, 0);
	CHECK_EQ(DECODE(M64, &i, 0x45, 0x0f, 0x20, 0xc2), 0); /* mov %cr8,%r10 */
	CHECK_EQ(i.op, X86_INSN_MOV_FROM_CR);
	CHECK_EQ(i.reg, 8);
	CHECK_EQ(i.rm, 10);
	/* The AMD LOCK alias for CR8 is refused. */
	CHECK_EQ(DECODE(M32, &i, 0xf0, 0x0f, 0x22, 0xc0), -EINVAL);
	CHECK_EQ(i.op, X86_INSN_UNKNOWN);
}

/* ModRM.mod is ignored: 0f 22 18 is still mov %rax,%cr3, with no memory operand or displacement. */
static void test_mov_cr_mod_ignored(void)
{
	struct x86_insn i;

	CHECK_EQ(DECODE(M64, &i, 0x0f, 0x22, 0x18), 0);
	CHECK_EQ(i.reg, 3);
	CHECK_EQ(i.rm, 0);
	CHECK_EQ(i.len, 3);
	CHECK(!i.mem);
	CHECK_EQ(DECODE(M64, &i, 0x0f, 0x20, 0x9d), 0); /* mod 10, rm 101: no disp32 */
	CHECK_EQ(i.len, 3);
	CHECK_EQ(i.rm, 5);
}

static void test_clts_lmsw_smsw(void)
{
	struct x86_insn_ctx c = M64;
	struct x86_insn i;

	CHECK_EQ(DECODE(M64, &i, 0x0f, 0x06), 0);
	CHECK_EQ(i.op, X86_INSN_CLTS);
	CHECK_EQ(i.len, 2);
	CHECK_EQ(DECODE(M64, &i, 0x0f, 0x01, 0xf0), 0); /* lmsw %ax */
	CHECK_EQ(i.op, X86_INSN_LMSW);
	CHECK_EQ(i.size, 2);
	CHECK_EQ(i.rm, 0);
	CHECK(!i.mem);
	CHECK_EQ(DECODE(M64, &i, 0x0f, 0x01, 0x33), 0); /* lmsw (%rbx) */
	CHECK_EQ(i.op, X86_INSN_LMSW);
	CHECK(i.mem);
	CHECK_EQ(i.ea, reg(c, 3));
	CHECK_EQ(i.size, 2);
	CHECK_EQ(DECODE(M64, &i, 0x0f, 0x01, 0x20), 0); /* smsw (%rax): 16 bits */
	CHECK_EQ(i.op, X86_INSN_SMSW);
	CHECK(i.mem);
	CHECK_EQ(i.ea, reg(c, 0));
	CHECK_EQ(i.size, 2);
	CHECK_EQ(DECODE(M64, &i, 0x0f, 0x01, 0xe0), 0); /* smsw %eax */
	CHECK_EQ(i.size, 4);
	CHECK(!i.mem);
	CHECK_EQ(DECODE(M64, &i, 0x48, 0x0f, 0x01, 0xe0), 0); /* smsw %rax */
	CHECK_EQ(i.size, 8);
	CHECK_EQ(DECODE(M64, &i, 0x66, 0x0f, 0x01, 0xe0), 0); /* smsw %ax */
	CHECK_EQ(i.size, 2);
	CHECK_EQ(DECODE(M64, &i, 0x41, 0x0f, 0x01, 0xe7), 0); /* smsw %r15d */
	CHECK_EQ(i.rm, 15);
}

static void test_invlpg_base(void)
{
	struct x86_insn_ctx c = M64;
	struct x86_insn i;

	CHECK_EQ(DECODE(M64, &i, 0x0f, 0x01, 0x38), 0); /* invlpg (%rax) */
	CHECK_EQ(i.op, X86_INSN_INVLPG);
	CHECK_EQ(i.len, 3);
	CHECK(i.mem);
	CHECK_EQ(i.ea, reg(c, 0));
	CHECK_EQ(i.reg, 0);
	/* 0f 01 /7 with a register operand is SWAPGS / RDTSCP. */
	CHECK_EQ(DECODE(M64, &i, 0x0f, 0x01, 0xf8), -EINVAL);
	CHECK_EQ(DECODE(M64, &i, 0x0f, 0x01, 0xf9), -EINVAL);
	CHECK_EQ(i.op, X86_INSN_UNKNOWN);
}

static void test_invlpg_sib(void)
{
	struct x86_insn_ctx c = M64;
	struct x86_insn i;

	/* invlpg 0x10(%rbx,%rcx,8) */
	CHECK_EQ(DECODE(M64, &i, 0x0f, 0x01, 0x7c, 0xcb, 0x10), 0);
	CHECK_EQ(i.len, 5);
	CHECK_EQ(i.ea, reg(c, 3) + reg(c, 1) * 8 + 0x10);
	/* invlpg -0x80(%r13,%r12,2): REX.X and REX.B, negative disp8 */
	CHECK_EQ(DECODE(M64, &i, 0x43, 0x0f, 0x01, 0x7c, 0x65, 0x80), 0);
	CHECK_EQ(i.len, 6);
	CHECK_EQ(i.ea, reg(c, 13) + reg(c, 12) * 2 - 0x80);
	/* invlpg 0x7f(%rsp): SIB index 100 means no index */
	CHECK_EQ(DECODE(M64, &i, 0x0f, 0x01, 0x7c, 0x24, 0x7f), 0);
	CHECK_EQ(i.ea, reg(c, 4) + 0x7f);
}

static void test_invlpg_rip_relative(void)
{
	struct x86_insn i;

	/* invlpg 0x12345678(%rip): relative to the next instruction */
	CHECK_EQ(DECODE(M64, &i, 0x0f, 0x01, 0x3d, 0x78, 0x56, 0x34, 0x12), 0);
	CHECK_EQ(i.len, 7);
	CHECK_EQ(i.ea, RIP + 7 + 0x12345678);
	/* invlpg -0x10(%rip), with REX.B (which does not turn it into r13) */
	CHECK_EQ(DECODE(M64, &i, 0x41, 0x0f, 0x01, 0x3d, 0xf0, 0xff, 0xff, 0xff), 0);
	CHECK_EQ(i.len, 8);
	CHECK_EQ(i.ea, RIP + 8 - 0x10);
	/* 67: EIP-relative, wrapped to 32 bits */
	CHECK_EQ(DECODE(M64, &i, 0x67, 0x0f, 0x01, 0x3d, 0x00, 0x01, 0x00, 0x00), 0);
	CHECK_EQ(i.ea, (RIP + 8 + 0x100) & 0xffffffffULL);
}

static void test_invlpg_segment(void)
{
	struct x86_insn_ctx c = M64;
	struct x86_insn i;

	CHECK_EQ(DECODE(M64, &i, 0x64, 0x0f, 0x01, 0x38), 0); /* invlpg %fs:(%rax) */
	CHECK_EQ(i.len, 4);
	CHECK_EQ(i.ea, FS_BASE + reg(c, 0));
	CHECK_EQ(DECODE(M64, &i, 0x65, 0x0f, 0x01, 0x38), 0); /* invlpg %gs:(%rax) */
	CHECK_EQ(i.ea, GS_BASE + reg(c, 0));
	CHECK_EQ(DECODE(M64, &i, 0x3e, 0x0f, 0x01, 0x38), 0); /* %ds: flat */
	CHECK_EQ(i.ea, reg(c, 0));
	/* the last override wins */
	CHECK_EQ(DECODE(M64, &i, 0x65, 0x64, 0x0f, 0x01, 0x38), 0);
	CHECK_EQ(i.ea, FS_BASE + reg(c, 0));
	/* The offset wraps to 32 bits before the base is added. */
	CHECK_EQ(DECODE(M64, &i, 0x64, 0x67, 0x0f, 0x01, 0x38), 0);
	CHECK_EQ(i.ea, FS_BASE + (reg(c, 0) & 0xffffffffULL));
	/* Outside 64-bit mode FS is flat here. */
	CHECK_EQ(DECODE(M32, &i, 0x64, 0x0f, 0x01, 0x38), 0);
	CHECK_EQ(i.ea, reg(c, 0) & 0xffffffffULL);
}

static void test_invlpg_32(void)
{
	struct x86_insn_ctx c = M32;
	struct x86_insn i;

	c.gpr[0] = 0xdead0000fffffff0ULL;
	/* (%eax) */
	CHECK_EQ(x86_insn_decode((const u8[]){ 0x0f, 0x01, 0x38 }, 3, &c, &i), 0);
	CHECK_EQ(i.op, X86_INSN_INVLPG);
	CHECK_EQ(i.len, 3);
	CHECK_EQ(i.ea, 0xfffffff0ULL);
	/* invlpg 0x20(%eax) wraps past 4G */
	CHECK_EQ(x86_insn_decode((const u8[]){ 0x0f, 0x01, 0x78, 0x20 }, 4, &c, &i), 0);
	CHECK_EQ(i.len, 4);
	CHECK_EQ(i.ea, 0x10);
	/* mod 00 rm 101 is a bare disp32 outside 64-bit mode, not RIP-relative */
	CHECK_EQ(DECODE(M32, &i, 0x0f, 0x01, 0x3d, 0x00, 0x10, 0x00, 0x00), 0);
	CHECK_EQ(i.ea, 0x1000);
	/* REX does not exist: 48 is DEC %eax */
	CHECK_EQ(DECODE(M32, &i, 0x48, 0x0f, 0x01, 0x38), -EINVAL);
	CHECK_EQ(i.op, X86_INSN_UNKNOWN);
}

/* 16-bit addressing: real mode, and 67 in 32-bit code. */
static void test_addressing_16(void)
{
	struct x86_insn_ctx c = M16;
	struct x86_insn i;

	CHECK_EQ(DECODE(M16, &i, 0x89, 0x00), 0); /* mov %ax,(%bx,%si) */
	CHECK_EQ(i.op, X86_INSN_STORE_REG);
	CHECK_EQ(i.size, 2);
	CHECK_EQ(i.ea, (reg(c, 3) + reg(c, 6)) & 0xffff);
	CHECK_EQ(DECODE(M16, &i, 0x0f, 0x01, 0x3e, 0x34, 0x12), 0); /* invlpg 0x1234 */
	CHECK_EQ(i.len, 5);
	CHECK_EQ(i.ea, 0x1234);
	CHECK_EQ(DECODE(M16, &i, 0x0f, 0x01, 0x7b, 0x10), 0); /* invlpg 0x10(%bp,%di) */
	CHECK_EQ(i.ea, (reg(c, 5) + reg(c, 7) + 0x10) & 0xffff);
	CHECK_EQ(DECODE(M32, &i, 0x67, 0x0f, 0x01, 0x7f, 0xf0), 0); /* invlpg -0x10(%bx) */
	CHECK_EQ(i.len, 5);
	CHECK_EQ(i.ea, (reg(c, 3) - 0x10) & 0xffff);
	/* movl $0x12345678,(%di): 66 selects 32 bits in 16-bit code */
	CHECK_EQ(DECODE(M16, &i, 0x66, 0xc7, 0x05, 0x78, 0x56, 0x34, 0x12), 0);
	CHECK_EQ(i.op, X86_INSN_STORE_IMM);
	CHECK_EQ(i.size, 4);
	CHECK_EQ(i.len, 7);
	CHECK_EQ(i.imm, 0x12345678);
	CHECK_EQ(i.ea, reg(c, 7) & 0xffff);
	/* 67 in 16-bit code selects 32-bit addressing: mov %ax,(%eax) */
	CHECK_EQ(DECODE(M16, &i, 0x67, 0x89, 0x00), 0);
	CHECK_EQ(i.ea, reg(c, 0) & 0xffffffffULL);
}

static void test_store_reg(void)
{
	struct x86_insn_ctx c = M64;
	struct x86_insn i;

	CHECK_EQ(DECODE(M64, &i, 0x48, 0x89, 0x14, 0xc8), 0); /* movq %rdx,(%rax,%rcx,8) */
	CHECK_EQ(i.op, X86_INSN_STORE_REG);
	CHECK_EQ(i.len, 4);
	CHECK_EQ(i.reg, 2);
	CHECK_EQ(i.size, 8);
	CHECK(i.mem);
	CHECK_EQ(i.ea, reg(c, 0) + reg(c, 1) * 8);
	CHECK_EQ(DECODE(M64, &i, 0x4a, 0x89, 0x04, 0xa0), 0); /* mov %rax,(%rax,%r12,4) */
	CHECK_EQ(i.ea, reg(c, 0) + reg(c, 12) * 4);
	CHECK_EQ(DECODE(M64, &i, 0x45, 0x89, 0x45, 0xf8), 0); /* mov %r8d,-8(%r13) */
	CHECK_EQ(i.reg, 8);
	CHECK_EQ(i.size, 4);
	CHECK_EQ(i.len, 4);
	CHECK_EQ(i.ea, reg(c, 13) - 8);
	/* mov %eax,0x1000 */
	CHECK_EQ(DECODE(M64, &i, 0x89, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00), 0);
	CHECK_EQ(i.len, 7);
	CHECK_EQ(i.ea, 0x1000);
	/* The same with REX.B: SIB base 101 with mod 00 is still "no base", not r13. */
	CHECK_EQ(DECODE(M64, &i, 0x41, 0x89, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00), 0);
	CHECK_EQ(i.ea, 0x1000);
	CHECK_EQ(DECODE(M64, &i, 0x4c, 0x89, 0x7c, 0x24, 0x7f), 0); /* mov %r15,0x7f(%rsp) */
	CHECK_EQ(i.reg, 15);
	CHECK_EQ(i.ea, reg(c, 4) + 0x7f);
	/* Register to register is not a store. */
	CHECK_EQ(DECODE(M64, &i, 0x89, 0xc3), -EINVAL);
}

static void test_store_byte(void)
{
	struct x86_insn_ctx c = M64;
	struct x86_insn i;

	CHECK_EQ(DECODE(M64, &i, 0x88, 0x02), 0); /* movb %al,(%rdx) */
	CHECK_EQ(i.op, X86_INSN_STORE_REG);
	CHECK_EQ(i.size, 1);
	CHECK_EQ(i.reg, 0);
	CHECK_EQ(i.ea, reg(c, 2));
	CHECK_EQ(DECODE(M64, &i, 0x88, 0x22), -EINVAL); /* movb %ah,(%rdx) */
	CHECK_EQ(i.op, X86_INSN_UNKNOWN);
	CHECK_EQ(DECODE(M32, &i, 0x88, 0x3a), -EINVAL); /* movb %bh,(%edx) */
	CHECK_EQ(DECODE(M64, &i, 0x40, 0x88, 0x22), 0); /* movb %spl,(%rdx) */
	CHECK_EQ(i.reg, 4);
	CHECK_EQ(i.size, 1);
	/* REX.W does not widen a byte store. */
	CHECK_EQ(DECODE(M64, &i, 0x48, 0x88, 0x02), 0);
	CHECK_EQ(i.size, 1);
}

static void test_store_imm(void)
{
	struct x86_insn_ctx c = M64;
	struct x86_insn i;

	/* movl $0x12345678,(%rdi) */
	CHECK_EQ(DECODE(M64, &i, 0xc7, 0x07, 0x78, 0x56, 0x34, 0x12), 0);
	CHECK_EQ(i.op, X86_INSN_STORE_IMM);
	CHECK_EQ(i.len, 6);
	CHECK_EQ(i.size, 4);
	CHECK_EQ(i.imm, 0x12345678);
	CHECK_EQ(i.ea, reg(c, 7));
	/* movq $-1,(%rdi) */
	CHECK_EQ(DECODE(M64, &i, 0x48, 0xc7, 0x07, 0xff, 0xff, 0xff, 0xff), 0);
	CHECK_EQ(i.len, 7);
	CHECK_EQ(i.size, 8);
	CHECK_EQ(i.imm, 0xffffffffffffffffULL);
	CHECK_EQ(DECODE(M64, &i, 0xc6, 0x06, 0x80), 0); /* movb $0x80,(%rsi) */
	CHECK_EQ(i.size, 1);
	CHECK_EQ(i.len, 3);
	CHECK_EQ((u8)i.imm, 0x80);
	CHECK_EQ(i.ea, reg(c, 6));
	/* Immediates after a RIP-relative displacement count in the length. */
	CHECK_EQ(DECODE(M64, &i, 0xc7, 0x05, 0x00, 0x01, 0x00, 0x00, 0x44, 0x33, 0x22, 0x11), 0);
	CHECK_EQ(i.len, 10);
	CHECK_EQ(i.imm, 0x11223344);
	CHECK_EQ(i.ea, RIP + 10 + 0x100);
	/* C7 /0 to a register, C7 /7 (XBEGIN), C6 /1: not ours */
	CHECK_EQ(DECODE(M64, &i, 0xc7, 0xc0, 0x01, 0x00, 0x00, 0x00), -EINVAL);
	CHECK_EQ(DECODE(M64, &i, 0xc7, 0xf8, 0x01, 0x00, 0x00, 0x00), -EINVAL);
	CHECK_EQ(DECODE(M64, &i, 0xc6, 0x0f, 0x01), -EINVAL);
}

static void test_operand_size_prefix(void)
{
	struct x86_insn i;

	CHECK_EQ(DECODE(M64, &i, 0x66, 0x89, 0x03), 0); /* mov %ax,(%rbx) */
	CHECK_EQ(i.size, 2);
	CHECK_EQ(i.len, 3);
	CHECK_EQ(DECODE(M64, &i, 0x66, 0xc7, 0x03, 0x34, 0x12), 0); /* movw $0x1234,(%rbx) */
	CHECK_EQ(i.size, 2);
	CHECK_EQ(i.len, 5);
	CHECK_EQ(i.imm, 0x1234);
	CHECK_EQ(DECODE(M64, &i, 0x66, 0x48, 0x89, 0x03), 0); /* REX.W beats 66 */
	CHECK_EQ(i.size, 8);
	CHECK_EQ(DECODE(M32, &i, 0x89, 0x03), 0);
	CHECK_EQ(i.size, 4);
	CHECK_EQ(DECODE(M32, &i, 0x66, 0x89, 0x03), 0);
	CHECK_EQ(i.size, 2);
	CHECK_EQ(DECODE(M16, &i, 0x89, 0x07), 0);
	CHECK_EQ(i.size, 2);
}

/* A REX followed by a legacy prefix is ignored (SDM 2.2.1). */
static void test_rex_before_legacy(void)
{
	struct x86_insn_ctx c = M64;
	struct x86_insn i;

	CHECK_EQ(DECODE(M64, &i, 0x49, 0x66, 0x89, 0x03), 0);
	CHECK_EQ(i.size, 2);	   /* not REX.W */
	CHECK_EQ(i.ea, reg(c, 3)); /* rbx, not r11 */
	CHECK_EQ(i.len, 4);
	CHECK_EQ(DECODE(M64, &i, 0x44, 0x2e, 0x0f, 0x22, 0xc0), 0); /* cr0, not cr8 */
	CHECK_EQ(i.reg, 0);
	/* of two REX, the last counts */
	CHECK_EQ(DECODE(M64, &i, 0x4c, 0x41, 0x89, 0x03), 0);
	CHECK_EQ(i.reg, 0);
	CHECK_EQ(i.size, 4);
	CHECK_EQ(i.ea, reg(c, 11));
	/* %ah again without the REX */
	CHECK_EQ(DECODE(M64, &i, 0x40, 0x66, 0x88, 0x22), -EINVAL);
}

static void test_truncated(void)
{
	static const u8 full[] = { 0xc7, 0x05, 0x00, 0x01, 0x00, 0x00, 0x44, 0x33, 0x22, 0x11 };
	struct x86_insn_ctx c = M64;
	struct x86_insn i;
	unsigned int n;

	for (n = 0; n < sizeof(full); n++) {
		CHECK_EQ(x86_insn_decode(full, n, &c, &i), -ENODATA);
		CHECK_EQ(i.op, X86_INSN_UNKNOWN);
	}
	CHECK_EQ(x86_insn_decode(full, sizeof(full), &c, &i), 0);
	CHECK_EQ(DECODE(M64, &i, 0x48, 0x89, 0x14), -ENODATA); /* SIB missing */
	CHECK_EQ(DECODE(M64, &i, 0x0f, 0x01), -ENODATA);
	CHECK_EQ(DECODE(M64, &i, 0x66, 0x67, 0x48), -ENODATA);	     /* prefixes only */
	CHECK_EQ(DECODE(M16, &i, 0x0f, 0x01, 0x3e, 0x34), -ENODATA); /* disp16 cut */
}

static void test_too_long(void)
{
	u8 b[16];
	struct x86_insn_ctx c = M64;
	struct x86_insn i;

	/* 16 prefixes: past 15 bytes whatever follows. */
	memset(b, 0x66, sizeof(b));
	CHECK_EQ(x86_insn_decode(b, 16, &c, &i), -EINVAL);
	CHECK_EQ(x86_insn_decode(b, 15, &c, &i), -EINVAL);
	CHECK_EQ(i.op, X86_INSN_UNKNOWN);
	/* 13 prefixes + 89 03 is 15 bytes: fine; 14 + 89 03 is 16: too long. */
	b[13] = 0x89;
	b[14] = 0x03;
	CHECK_EQ(x86_insn_decode(b, 15, &c, &i), 0);
	CHECK_EQ(i.len, 15);
	CHECK_EQ(i.size, 2);
	memset(b, 0x66, sizeof(b));
	b[14] = 0x89;
	b[15] = 0x03;
	CHECK_EQ(x86_insn_decode(b, 16, &c, &i), -EINVAL);
	/* The limit also cuts an immediate short. */
	memset(b, 0x3e, sizeof(b));
	memcpy(b + 6, (const u8[]){ 0xc7, 0x80, 1, 2, 3, 4, 5, 6, 7, 8 }, 10);
	CHECK_EQ(x86_insn_decode(b, 16, &c, &i), -EINVAL);
	CHECK_EQ(x86_insn_decode(b + 1, 15, &c, &i), 0);
	CHECK_EQ(i.len, 15);
}

static void test_unknown(void)
{
	struct x86_insn i;

	CHECK_EQ(DECODE(M64, &i, 0x90), -EINVAL); /* nop */
	CHECK_EQ(i.op, X86_INSN_UNKNOWN);
	CHECK_EQ(i.len, 0);
	CHECK_EQ(DECODE(M64, &i, 0x8b, 0x03), -EINVAL);	      /* a load */
	CHECK_EQ(DECODE(M64, &i, 0x0f, 0x21, 0xc0), -EINVAL); /* mov %dr0,%rax */
	CHECK_EQ(DECODE(M64, &i, 0x0f, 0x01, 0x10), -EINVAL); /* lgdt (%rax) */
	CHECK_EQ(DECODE(M64, &i, 0xf0, 0x89, 0x03), -EINVAL); /* lock mov: #UD */
	CHECK_EQ(DECODE(M32, &i, 0x40), -EINVAL);	      /* inc %eax */
}

/* xorshift64: a fixed sequence, so a failure reproduces. */
static u64 rnd_state = 0x9e3779b97f4a7c15ULL;

static u64 rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* Mostly bytes that lead somewhere: prefixes and the opcodes decoded, then anything. */
static u8 fuzz_byte(void)
{
	static const u8 likely_bytes[] = { 0x0f, 0x01, 0x20, 0x22, 0x88, 0x89, 0xc6, 0xc7,
					   0x66, 0x67, 0x64, 0x65, 0x2e, 0xf0, 0xf3, 0x41,
					   0x48, 0x4f, 0x04, 0x05, 0x25, 0x38, 0x3d, 0xe0 };
	u64 r = rnd();

	return (r & 1) ? likely_bytes[(r >> 8) % sizeof(likely_bytes)] : (u8)(r >> 16);
}

static void test_fuzz(void)
{
	unsigned int iter, n, avail, fail, bad = 0;
	struct x86_insn i, j;
	u8 buf[X86_INSN_MAX];
	u8 *exact;
	int ret;

	for (iter = 0; iter < 200000 && bad < 10; iter++) {
		struct x86_insn_ctx c = mode(rnd() & 1, rnd() & 1);

		for (n = 0; n < sizeof(buf); n++)
			buf[n] = fuzz_byte();
		avail = rnd() % (X86_INSN_MAX + 1);
		/* An allocation of exactly @avail bytes: ASan catches a read past it. */
		exact = malloc(avail ? avail : 1);
		if (!exact)
			abort();
		memcpy(exact, buf, avail);
		ret = x86_insn_decode(exact, avail, &c, &i);
		fail = 0;
		if (ret == 0) {
			fail += i.len == 0 || i.len > avail || i.op == X86_INSN_UNKNOWN;
			fail += !(i.size == 1 || i.size == 2 || i.size == 4 || i.size == 8);
			/* The length is what the instruction needs: one byte less is not enough. */
			fail += x86_insn_decode(exact, i.len, &c, &j) != 0;
			fail += memcmp(&i, &j, sizeof(i)) != 0;
			fail += x86_insn_decode(exact, i.len - 1, &c, &j) != -ENODATA;
		} else {
			fail += ret != -EINVAL && ret != -ENODATA;
			fail += i.op != X86_INSN_UNKNOWN;
			/* Out of data with all 15 bytes there would mean a too-long instruction. */
			fail += ret == -ENODATA && avail == X86_INSN_MAX;
		}
		if (fail)
			printf("    iteration %u: avail %u ret %d len %u\n", iter, avail, ret,
			       i.len);
		bad += fail;
		free(exact);
	}
	CHECK_EQ(bad, 0);
}

int main(void)
{
	RUN(test_mov_to_cr3);
	RUN(test_mov_from_cr0_32);
	RUN(test_mov_cr_rex);
	RUN(test_mov_cr_mod_ignored);
	RUN(test_clts_lmsw_smsw);
	RUN(test_invlpg_base);
	RUN(test_invlpg_sib);
	RUN(test_invlpg_rip_relative);
	RUN(test_invlpg_segment);
	RUN(test_invlpg_32);
	RUN(test_addressing_16);
	RUN(test_store_reg);
	RUN(test_store_byte);
	RUN(test_store_imm);
	RUN(test_operand_size_prefix);
	RUN(test_rex_before_legacy);
	RUN(test_truncated);
	RUN(test_too_long);
	RUN(test_unknown);
	RUN(test_fuzz);
	return harness_done();
}
