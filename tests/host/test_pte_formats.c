// SPDX-License-Identifier: MIT
/*
 * Bit-exact tests of the page-table entry formats (mmu/pte_arm64.c,
 * mmu/pte_x86.c).
 *
 * Every expected entry below is a literal worked out by hand from the
 * manuals, with its bit breakdown next to it; nothing expected is computed by
 * the code under test.  A second, independent encoder per format (the
 * "model", written field by field from the same manual tables) then checks
 * every accepted (prot, memtype, level) combination, and the round trip
 * make_leaf -> is_valid / is_table / output_addr / leaf_attrs is checked over
 * all of them at several output addresses.
 */
#include <errno.h>
#include <string.h>

#include "harness.h"
#include "pte_format.h"

#define R PROT_R
#define W PROT_W
#define X PROT_X

static struct pte_attrs attrs(u8 prot, u8 memtype)
{
	return (struct pte_attrs){ .prot = prot, .memtype = memtype };
}

static u64 leaf(const struct pte_format *fmt, u64 pa, u8 prot, u8 memtype, unsigned int level)
{
	return fmt->make_leaf(hpa(pa), attrs(prot, memtype), level);
}

/* ------------------------------------------------------------------------ */
/* What each format must declare, typed from the brief and the manuals. */

struct fmt_expect {
	const struct pte_format *fmt;
	unsigned int levels, ia_bits, oa_bits, start_level;
	/* allowed[memtype]: bit n set when prot == n is accepted. */
	u8 allowed[MT_COUNT];
	u64 locked;
};

static const struct fmt_expect expect_arm64_4lvl = {
	.fmt = &pte_format_arm64_s2_4lvl,
	.levels = 4,
	.ia_bits = 48,
	.oa_bits = 48,
	.start_level = 0,
	/* Normal/NC: every prot but 0 (W-only and X-only exist at stage 2); Device: no X. */
	.allowed = { 0xfe, 0xfe, 0x0e },
	.locked = 0x0080000000000000ULL, /* bit 55, bit 0 clear */
};

static const struct fmt_expect expect_arm64_3lvl = {
	.fmt = &pte_format_arm64_s2_3lvl,
	.levels = 3,
	.ia_bits = 39,
	.oa_bits = 48,
	.start_level = 1,
	.allowed = { 0xfe, 0xfe, 0x0e },
	.locked = 0x0080000000000000ULL,
};

static const struct fmt_expect expect_npt = {
	.fmt = &pte_format_x86_npt,
	.levels = 4,
	.ia_bits = 48,
	.oa_bits = 52,
	.start_level = 0,
	/* R, RW, RX, RWX = 1, 3, 5, 7 -> 0xaa; Device: R, RW = 1, 3 -> 0x0a. */
	.allowed = { 0xaa, 0xaa, 0x0a },
	.locked = 0x800, /* bit 11, P clear */
};

static const struct fmt_expect expect_ept = {
	.fmt = &pte_format_x86_ept,
	.levels = 4,
	.ia_bits = 48,
	.oa_bits = 52,
	.start_level = 0,
	/* R, RW, X, RX, RWX = 1, 3, 4, 5, 7 -> 0xba; Device: R, RW -> 0x0a. */
	.allowed = { 0xba, 0xba, 0x0a },
	.locked = 0x800, /* bit 11, bits 2:0 clear */
};

static const struct fmt_expect *const all_expect[] = {
	&expect_arm64_4lvl,
	&expect_arm64_3lvl,
	&expect_npt,
	&expect_ept,
};

static void test_fields(const struct fmt_expect *e)
{
	const struct pte_format *fmt = e->fmt;

	CHECK(fmt->name != NULL);
	CHECK_EQ(fmt->levels, e->levels);
	CHECK_EQ(fmt->ia_bits, e->ia_bits);
	CHECK_EQ(fmt->oa_bits, e->oa_bits);
	CHECK_EQ(fmt->block_levels, 0x0e); /* BIT(1) | BIT(2) | BIT(3) */
	CHECK_EQ(pt_start_level(fmt), e->start_level);
	CHECK_EQ(fmt->locked, e->locked);
	/* The walk from the start level covers exactly ia_bits. */
	CHECK_EQ(pt_level_shift(pt_start_level(fmt)) + 9, e->ia_bits);
	CHECK(fmt->check_attrs && fmt->make_leaf && fmt->make_table && fmt->is_valid &&
	      fmt->is_table && fmt->output_addr && fmt->leaf_attrs);
}

/* ------------------------------------------------------------------------ */
/* arm64 stage 2 (Arm ARM D8.3 descriptor formats, stage-2 attributes, FWB off). */

struct leaf_case {
	u64 pa;
	u8 prot, memtype;
	unsigned int level;
	u64 expected;
};

static const struct leaf_case arm64_leaves[] = {
	/*
	 * 2M block RW- Normal at 0x40200000:
	 *   [1:0] 0b01 block 0x1 | MemAttr 0b1111<<2 0x3c | S2AP 0b11<<6 0xc0 |
	 *   SH 0b11<<8 0x300 | AF 0x400 = 0x7fd; XN 0b10<<53 = bit 54.
	 */
	{ 0x40200000, R | W, MT_NORMAL, 2, 0x00400000402007fdULL },
	/* 4K page RWX Normal: [1:0] 0b11 0x3 + 0x3c + 0xc0 + 0x300 + 0x400 = 0x7ff, XN 0b00. */
	{ 0x812345000ULL, R | W | X, MT_NORMAL, 3, 0x00000008123457ffULL },
	/* 1G block R-X Normal: 0x1 + 0x3c + S2AP 0b01 0x40 + 0x300 + 0x400 = 0x77d, XN 0b00. */
	{ 0x80000000, R | X, MT_NORMAL, 1, 0x000000008000077dULL },
	/*
	 * 4K page RW- Device-nGnRE (the QEMU virt PL011): 0x3 + MemAttr 0b0001<<2 0x4 +
	 * 0xc0 + SH 0b00 + AF 0x400 = 0x4c7; XN bit 54.
	 */
	{ 0x09000000, R | W, MT_DEVICE, 3, 0x00400000090004c7ULL },
	/* 2M block RW- NC: 0x1 + MemAttr 0b0101<<2 0x14 + 0xc0 + 0x300 + 0x400 = 0x7d5; XN */
	{ 0x100000000ULL, R | W, MT_NORMAL_NC, 2, 0x00400001000007d5ULL },
	/* 1G block R-- Device: 0x1 + 0x4 + 0x40 + 0x400 = 0x445; XN. */
	{ 0x3fc0000000ULL, R, MT_DEVICE, 1, 0x0040003fc0000445ULL },
	/* 4K page R-- Normal, top of 48-bit OA: 0x3 + 0x3c + 0x40 + 0x300 + 0x400 = 0x77f; XN */
	{ 0xfffffffff000ULL, R, MT_NORMAL, 3, 0x0040fffffffff77fULL },
	/* 4K page -W- (S2AP 0b10) Normal: 0x3 + 0x3c + 0x80 + 0x300 + 0x400 = 0x7bf; XN */
	{ 0x1000, W, MT_NORMAL, 3, 0x00400000000017bfULL },
	/* 4K page --X (S2AP 0b00, execute-only) NC: 0x3 + 0x14 + 0x300 + 0x400 = 0x717; XN 0b00. */
	{ 0x2000, X, MT_NORMAL_NC, 3, 0x0000000000002717ULL },
	/* 2M block RWX Normal, top 2M of the OA: 0x1 + 0x3c + 0xc0 + 0x300 + 0x400 = 0x7fd */
	{ 0xffffffe00000ULL, R | W | X, MT_NORMAL, 2, 0x0000ffffffe007fdULL },
};

static void check_leaf_cases(const struct pte_format *fmt, const struct leaf_case *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct pte_attrs a;

		CHECK_EQ(fmt->check_attrs(attrs(c[i].prot, c[i].memtype)), 0);
		CHECK_EQ(leaf(fmt, c[i].pa, c[i].prot, c[i].memtype, c[i].level), c[i].expected);
		/* Decoding the literal gives the attributes and the address back. */
		a = fmt->leaf_attrs(c[i].expected);
		CHECK_EQ(a.prot, c[i].prot);
		CHECK_EQ(a.memtype, c[i].memtype);
		CHECK_EQ(fmt->output_addr(c[i].expected).val, c[i].pa);
		CHECK(fmt->is_valid(c[i].expected));
		CHECK(!fmt->is_table(c[i].expected, c[i].level));
	}
}

static void test_arm64_leaves(const struct pte_format *fmt)
{
	check_leaf_cases(fmt, arm64_leaves, ARRAY_SIZE(arm64_leaves));
}

static void test_arm64_tables(const struct pte_format *fmt)
{
	/*
	 * Table descriptor: [1:0] 0b11, next-level address [47:12], nothing else
	 * (stage 2 has no hierarchical APTable/XNTable attributes).
	 */
	CHECK_EQ(fmt->make_table(hpa(0x40001000)), 0x0000000040001003ULL);
	CHECK_EQ(fmt->make_table(hpa(0xfffffffff000ULL)), 0x0000fffffffff003ULL);
	CHECK_EQ(fmt->make_table(hpa(0)), 0x3);
	CHECK_EQ(fmt->output_addr(0x0000000040001003ULL).val, 0x40001000);
	CHECK_EQ(fmt->output_addr(0x0000fffffffff003ULL).val, 0xfffffffff000ULL);
}

struct truth_case {
	u64 pte;
	bool valid;
	u8 table_levels; /* BIT(level) for each level where is_table() holds */
};

static void check_truth(const struct pte_format *fmt, const struct truth_case *c, size_t n)
{
	size_t i;
	unsigned int level;

	for (i = 0; i < n; i++) {
		if (fmt->is_valid(c[i].pte) != c[i].valid)
			printf("    is_valid(0x%016llx) != %d\n", (unsigned long long)c[i].pte,
			       c[i].valid);
		CHECK_EQ(fmt->is_valid(c[i].pte), c[i].valid);
		for (level = pt_start_level(fmt); level <= PT_LAST_LEVEL; level++) {
			bool want = c[i].table_levels >> level & 1;

			if (fmt->is_table(c[i].pte, level) != want)
				printf("    is_table(0x%016llx, %u) != %d\n",
				       (unsigned long long)c[i].pte, level, want);
			CHECK_EQ(fmt->is_table(c[i].pte, level), want);
		}
	}
}

static const struct truth_case arm64_truth[] = {
	{ 0, false, 0 },
	{ 0x0080000000000000ULL, false, 0 },   /* locked marker */
	{ 0x2, false, 0 },		       /* bit 0 clear: invalid, whatever bit 1 */
	{ 0xfffffffffffffffeULL, false, 0 },   /* every bit but bit 0 */
	{ 0x0000000040001003ULL, true, 0x07 }, /* table at 0-2, a page at 3 */
	{ 0x00000008123457ffULL, true, 0x07 }, /* 4K page: 0b11 like a table */
	{ 0x00400000402007fdULL, true, 0 },    /* 2M block: 0b01, never a table */
	{ 0x000000008000077dULL, true, 0 },    /* 1G block */
	{ 0x1, true, 0 },
	{ 0x3, true, 0x07 },
	{ 0xffffffffffffffffULL, true, 0x07 },
};

static void test_arm64_truth(const struct pte_format *fmt)
{
	check_truth(fmt, arm64_truth, ARRAY_SIZE(arm64_truth));
}

static void test_arm64_output_addr(const struct pte_format *fmt)
{
	/* OA is [47:12]: XN (54:53), software bits (58:55), contiguous (52), attrs (11:2) go. */
	CHECK_EQ(fmt->output_addr(0xffffffffffffffffULL).val, 0x0000fffffffff000ULL);
	CHECK_EQ(fmt->output_addr(0x07f0000040200fffULL).val, 0x40200000);
	CHECK_EQ(fmt->output_addr(0x0040fffffffff77fULL).val, 0xfffffffff000ULL);
	CHECK_EQ(fmt->output_addr(0x0060000000001001ULL).val, 0x1000);
}

/* Independent encoder: Arm ARM field by field. */
static u64 model_arm64(u64 pa, u8 prot, u8 memtype, unsigned int level)
{
	static const u64 memattr[MT_COUNT] = { 0xf, 0x5, 0x1 };
	u64 v = pa;

	v |= level == 3 ? 0x3 : 0x1; /* page / block */
	v |= memattr[memtype] << 2;  /* MemAttr[3:0] */
	if (prot & PROT_R)
		v |= 1ULL << 6; /* S2AP[0] */
	if (prot & PROT_W)
		v |= 1ULL << 7; /* S2AP[1] */
	if (memtype != MT_DEVICE)
		v |= 0x3ULL << 8; /* SH inner shareable */
	v |= 1ULL << 10;	  /* AF */
	if (!(prot & PROT_X))
		v |= 0x2ULL << 53; /* XN[1:0] = 0b10 */
	return v;
}

/* ------------------------------------------------------------------------ */
/* AMD NPT (APM vol. 2, 5.3 long-mode entries, 15.25 nested paging). */

static const struct leaf_case npt_leaves[] = {
	/* 4K RW- WB: P 0x1 | RW 0x2 | US 0x4 | A 0x20 | D 0x40 = 0x67; NX bit 63. */
	{ 0x12345000, R | W, MT_NORMAL, 3, 0x8000000012345067ULL },
	/* 2M RWX WB: P|RW|US|A|D 0x67 + PS 0x80 = 0xe7; PCD=PWT=0 (PAT index 0, WB); no NX. */
	{ 0x40200000, R | W | X, MT_NORMAL, 2, 0x00000000402000e7ULL },
	/* 1G R-X WB: P 0x1 | US 0x4 | A 0x20 | PS 0x80 = 0xa5; no RW, no D, no NX. */
	{ 0xc0000000, R | X, MT_NORMAL, 1, 0x00000000c00000a5ULL },
	/* 4K RW- UC (local APIC page): 0x67 + PWT 0x8 + PCD 0x10 = 0x7f; NX. */
	{ 0xfee00000, R | W, MT_DEVICE, 3, 0x80000000fee0007fULL },
	/* 2M RW- UC- (frame buffer): 0x67 + PCD 0x10 + PS 0x80 = 0xf7; NX. */
	{ 0xe0000000, R | W, MT_NORMAL_NC, 2, 0x80000000e00000f7ULL },
	/* 1G R-- UC: P|US|A 0x25 + PWT|PCD 0x18 + PS 0x80 = 0xbd; NX. */
	{ 0x3fc0000000ULL, R, MT_DEVICE, 1, 0x8000003fc00000bdULL },
	/* 4K R-- WB at the top of the 52-bit address: P|US|A = 0x25; NX. */
	{ 0xffffffffff000ULL, R, MT_NORMAL, 3, 0x800ffffffffff025ULL },
	/* 4K R-X UC-: P|US|A 0x25 + PCD 0x10 = 0x35. */
	{ 0x7000, R | X, MT_NORMAL_NC, 3, 0x0000000000007035ULL },
	/* 1G RWX WB at the top 1G: 0xe7. */
	{ 0xfffffc0000000ULL, R | W | X, MT_NORMAL, 1, 0x000fffffc00000e7ULL },
};

static void test_npt_leaves(const struct pte_format *fmt)
{
	check_leaf_cases(fmt, npt_leaves, ARRAY_SIZE(npt_leaves));
}

static void test_npt_tables(const struct pte_format *fmt)
{
	/* P|RW|US|A = 0x27, address [51:12], no NX, no PCD/PWT. */
	CHECK_EQ(fmt->make_table(hpa(0x1000)), 0x0000000000001027ULL);
	CHECK_EQ(fmt->make_table(hpa(0xffffffffff000ULL)), 0x000ffffffffff027ULL);
	CHECK_EQ(fmt->make_table(hpa(0)), 0x27);
	CHECK_EQ(fmt->output_addr(0x000ffffffffff027ULL).val, 0xffffffffff000ULL);
	/* A table at an odd 4K frame keeps bit 12: PS is clear. */
	CHECK_EQ(fmt->output_addr(0x0000000000003027ULL).val, 0x3000);
}

static const struct truth_case npt_truth[] = {
	{ 0, false, 0 },
	{ 0x800, false, 0 },		       /* locked marker */
	{ 0xfffffffffffffffeULL, false, 0 },   /* P clear */
	{ 0x0000000000001027ULL, true, 0x07 }, /* table at 0-2, 4K leaf at 3 */
	{ 0x8000000012345067ULL, true, 0x07 }, /* 4K leaf: PS clear, a table above */
	{ 0x00000000402000e7ULL, true, 0x01 }, /* PS: leaf at 1-2, no PS at 0 */
	{ 0x1, true, 0x07 },
	{ 0x81, true, 0x01 },
	{ 0xffffffffffffffffULL, true, 0x01 },
};

static void test_npt_truth(const struct pte_format *fmt)
{
	check_truth(fmt, npt_truth, ARRAY_SIZE(npt_truth));
}

static void test_npt_output_addr(const struct pte_format *fmt)
{
	/* Large leaf (PS): bit 12 is PAT, not address. */
	CHECK_EQ(fmt->output_addr(0x00000000402010e7ULL).val, 0x40200000);
	CHECK_EQ(fmt->output_addr(0x00000000c00010a5ULL).val, 0xc0000000);
	/* 4K leaf (no PS): bit 12 is address. */
	CHECK_EQ(fmt->output_addr(0x8000000040201067ULL).val, 0x40201000);
	/* NX, bits 62:52 and the low flags go; PS set, so bit 12 goes too. */
	CHECK_EQ(fmt->output_addr(0xffffffffffffffffULL).val, 0x000fffffffffe000ULL);
	CHECK_EQ(fmt->output_addr(0xffffffffffffff7fULL).val, 0x000ffffffffff000ULL);
	/* A leaf with the (never set) PAT bit still decodes to its memory type by PCD:PWT. */
	CHECK_EQ(fmt->leaf_attrs(0x80000000402010f7ULL).memtype, MT_NORMAL_NC);
}

static u64 model_npt(u64 pa, u8 prot, u8 memtype, unsigned int level)
{
	u64 v = pa | 0x1 | 0x4 | 0x20; /* P, U/S, A */

	if (prot & PROT_W)
		v |= 0x2 | 0x40; /* R/W, D */
	if (memtype == MT_NORMAL_NC)
		v |= 0x10; /* PCD: PAT index 2, UC- */
	if (memtype == MT_DEVICE)
		v |= 0x10 | 0x8; /* PCD, PWT: PAT index 3, UC */
	if (level != 3)
		v |= 0x80; /* PS */
	if (!(prot & PROT_X))
		v |= 1ULL << 63; /* NX */
	return v;
}

/* ------------------------------------------------------------------------ */
/* Intel EPT (SDM vol. 3C 29.3). */

static const struct leaf_case ept_leaves[] = {
	/* 4K RWX WB: RWX 0x7 | memtype 6<<3 0x30 = 0x37. */
	{ 0x12345000, R | W | X, MT_NORMAL, 3, 0x0000000012345037ULL },
	/* 2M RW- WB: 0x3 + 0x30 + bit 7 0x80 = 0xb3. */
	{ 0x40200000, R | W, MT_NORMAL, 2, 0x00000000402000b3ULL },
	/* 1G R-X WB: 0x5 + 0x30 + 0x80 = 0xb5. */
	{ 0x40000000, R | X, MT_NORMAL, 1, 0x00000000400000b5ULL },
	/* 4K RW- UC (IOAPIC page): 0x3 + memtype 0 = 0x3. */
	{ 0xfec00000, R | W, MT_DEVICE, 3, 0x00000000fec00003ULL },
	/* 2M RW- WC: 0x3 + 1<<3 0x8 + 0x80 = 0x8b. */
	{ 0xe0000000, R | W, MT_NORMAL_NC, 2, 0x00000000e000008bULL },
	/* 4K --X execute-only WB: 0x4 + 0x30 = 0x34. */
	{ 0x5000, X, MT_NORMAL, 3, 0x0000000000005034ULL },
	/* 4K R-- WB at the top of the 52-bit address: 0x1 + 0x30 = 0x31. */
	{ 0xffffffffff000ULL, R, MT_NORMAL, 3, 0x000ffffffffff031ULL },
	/* 1G R-- UC: 0x1 + 0 + 0x80 = 0x81. */
	{ 0x3fc0000000ULL, R, MT_DEVICE, 1, 0x0000003fc0000081ULL },
	/* 2M --X WC: 0x4 + 0x8 + 0x80 = 0x8c. */
	{ 0xffffffe00000ULL, X, MT_NORMAL_NC, 2, 0x0000ffffffe0008cULL },
};

static void test_ept_leaves(const struct pte_format *fmt)
{
	check_leaf_cases(fmt, ept_leaves, ARRAY_SIZE(ept_leaves));
}

static void test_ept_tables(const struct pte_format *fmt)
{
	/* R|W|X = 0x7, address [51:12], bits 7:3 (reserved in non-leaf entries) zero. */
	CHECK_EQ(fmt->make_table(hpa(0x2000)), 0x0000000000002007ULL);
	CHECK_EQ(fmt->make_table(hpa(0xffffffffff000ULL)), 0x000ffffffffff007ULL);
	CHECK_EQ(fmt->make_table(hpa(0)), 0x7);
	CHECK_EQ(fmt->output_addr(0x000ffffffffff007ULL).val, 0xffffffffff000ULL);
	CHECK_EQ(fmt->output_addr(0x0000000000003007ULL).val, 0x3000);
}

static const struct truth_case ept_truth[] = {
	{ 0, false, 0 },
	{ 0x800, false, 0 },		     /* locked marker */
	{ 0xfffffffffffffff8ULL, false, 0 }, /* bits 2:0 clear: not present */
	{ 0x38, false, 0 },		     /* a memory type alone */
	{ 0x1, true, 0x07 },		     /* each of R, W, X alone is present */
	{ 0x2, true, 0x07 },
	{ 0x4, true, 0x07 },
	{ 0x0000000000002007ULL, true, 0x07 }, /* table */
	{ 0x0000000012345037ULL, true, 0x07 }, /* 4K leaf: bit 7 clear */
	{ 0x00000000402000b3ULL, true, 0x01 }, /* large leaf at 1-2 */
	{ 0xffffffffffffffffULL, true, 0x01 },
};

static void test_ept_truth(const struct pte_format *fmt)
{
	check_truth(fmt, ept_truth, ARRAY_SIZE(ept_truth));
}

static void test_ept_output_addr(const struct pte_format *fmt)
{
	/* Bits 63:52 (suppress-#VE, ignored bits) and 11:0 go. */
	CHECK_EQ(fmt->output_addr(0xffffffffffffffffULL).val, 0x000ffffffffff000ULL);
	CHECK_EQ(fmt->output_addr(0x80000000402000b3ULL).val, 0x40200000);
	CHECK_EQ(fmt->output_addr(0x0000000040201037ULL).val, 0x40201000);
}

static u64 model_ept(u64 pa, u8 prot, u8 memtype, unsigned int level)
{
	static const u64 ept_mt[MT_COUNT] = { 6, 1, 0 }; /* WB, WC, UC */
	u64 v = pa;

	if (prot & PROT_R)
		v |= 0x1;
	if (prot & PROT_W)
		v |= 0x2;
	if (prot & PROT_X)
		v |= 0x4;
	v |= ept_mt[memtype] << 3;
	if (level != 3)
		v |= 0x80;
	return v;
}

/* ------------------------------------------------------------------------ */
/* Every format: rejection, model, round trip, template, locked marker. */

static void test_rejects(const struct fmt_expect *e)
{
	const struct pte_format *fmt = e->fmt;
	unsigned int prot, mt;

	/* Explicit cases, the same for every format. */
	/* No access at all is an unmap, not a mapping. */
	CHECK_EQ(fmt->check_attrs(attrs(0, MT_NORMAL)), -ENOTSUP);
	CHECK_EQ(fmt->check_attrs(attrs(0, MT_DEVICE)), -ENOTSUP);
	CHECK_EQ(fmt->check_attrs(attrs(8, MT_NORMAL)), -ENOTSUP); /* beyond RWX */
	CHECK_EQ(fmt->check_attrs(attrs(R | 8, MT_NORMAL)), -ENOTSUP);
	CHECK_EQ(fmt->check_attrs(attrs(R | 0x80, MT_NORMAL)), -ENOTSUP);
	CHECK_EQ(fmt->check_attrs(attrs(0xff, MT_NORMAL)), -ENOTSUP);
	CHECK_EQ(fmt->check_attrs(attrs(R, MT_COUNT)), -ENOTSUP);
	CHECK_EQ(fmt->check_attrs(attrs(R, 0xff)), -ENOTSUP);
	/* Executable Device memory. */
	CHECK_EQ(fmt->check_attrs(attrs(R | X, MT_DEVICE)), -ENOTSUP);
	CHECK_EQ(fmt->check_attrs(attrs(R | W | X, MT_DEVICE)), -ENOTSUP);
	CHECK_EQ(fmt->check_attrs(attrs(X, MT_DEVICE)), -ENOTSUP);
	CHECK_EQ(fmt->check_attrs(attrs(R, MT_NORMAL)), 0);
	CHECK_EQ(fmt->check_attrs(attrs(R | W, MT_DEVICE)), 0);
	CHECK_EQ(fmt->check_attrs(attrs(R | W | X, MT_NORMAL_NC)), 0);

	/* The whole table, against the hand-typed masks. */
	for (mt = 0; mt < 256; mt++) {
		for (prot = 0; prot < 256; prot++) {
			bool ok = mt < MT_COUNT && prot < 8 && (e->allowed[mt] >> prot & 1);
			int rc = fmt->check_attrs(attrs(prot, mt));

			if (rc != (ok ? 0 : -ENOTSUP)) {
				printf("    check_attrs(prot %u, memtype %u) = %d\n", prot, mt, rc);
				harness_case_failed = 1;
			}
		}
	}
}

static void test_npt_rejects(const struct pte_format *fmt)
{
	/* A present NPT entry is always readable. */
	CHECK_EQ(fmt->check_attrs(attrs(W, MT_NORMAL)), -ENOTSUP);
	CHECK_EQ(fmt->check_attrs(attrs(X, MT_NORMAL)), -ENOTSUP);
	CHECK_EQ(fmt->check_attrs(attrs(W | X, MT_NORMAL_NC)), -ENOTSUP);
	CHECK_EQ(fmt->check_attrs(attrs(R | X, MT_NORMAL)), 0);
}

static void test_ept_rejects(const struct pte_format *fmt)
{
	/* 010b and 110b are EPT misconfigurations; 100b (execute-only) is accepted. */
	CHECK_EQ(fmt->check_attrs(attrs(W, MT_NORMAL)), -ENOTSUP);
	CHECK_EQ(fmt->check_attrs(attrs(W | X, MT_NORMAL)), -ENOTSUP);
	CHECK_EQ(fmt->check_attrs(attrs(X, MT_NORMAL)), 0);
	CHECK_EQ(fmt->check_attrs(attrs(X, MT_NORMAL_NC)), 0);
}

static void test_arm64_accepts(const struct pte_format *fmt)
{
	/* Write-only (S2AP 0b10) and execute-only (S2AP 0b00, XN 0b00) exist at stage 2. */
	CHECK_EQ(fmt->check_attrs(attrs(W, MT_NORMAL)), 0);
	CHECK_EQ(fmt->check_attrs(attrs(W | X, MT_NORMAL)), 0);
	CHECK_EQ(fmt->check_attrs(attrs(X, MT_NORMAL)), 0);
	CHECK_EQ(fmt->check_attrs(attrs(W, MT_DEVICE)), 0);
}

static void report_model_diff(unsigned int level, unsigned int prot, unsigned int mt, u64 pa,
			      u64 pte, u64 want)
{
	printf("    L%u prot %u mt %u pa 0x%llx: 0x%016llx != model 0x%016llx\n", level, prot, mt,
	       (unsigned long long)pa, (unsigned long long)pte, (unsigned long long)want);
}

typedef u64 (*model_fn)(u64 pa, u8 prot, u8 memtype, unsigned int level);

static model_fn model_of(const struct pte_format *fmt)
{
	if (fmt == &pte_format_x86_npt)
		return model_npt;
	if (fmt == &pte_format_x86_ept)
		return model_ept;
	return model_arm64;
}

/* Output addresses to try at @level: low, patterned and the highest aligned one. */
static unsigned int test_addrs(const struct fmt_expect *e, unsigned int level, u64 *out)
{
	u64 size = pt_level_size(level);
	u64 oa_mask = (1ULL << e->oa_bits) - 1;
	u64 align = ~(size - 1);

	out[0] = 0;
	out[1] = size;
	out[2] = 0x5555555555555555ULL & oa_mask & align;
	out[3] = 0xaaaaaaaaaaaaaaaaULL & oa_mask & align;
	out[4] = (oa_mask + 1) - size;
	return 5;
}

static void test_model_and_round_trip(const struct fmt_expect *e)
{
	const struct pte_format *fmt = e->fmt;
	model_fn model = model_of(fmt);
	unsigned int level, mt, prot, i, n, combos = 0;
	u64 pas[5];

	for (level = 1; level <= PT_LAST_LEVEL; level++) {
		if (!(fmt->block_levels & BIT(level)) || level < pt_start_level(fmt))
			continue;
		n = test_addrs(e, level, pas);
		for (mt = 0; mt < MT_COUNT; mt++) {
			for (prot = 1; prot < 8; prot++) {
				if (!(e->allowed[mt] >> prot & 1))
					continue;
				for (i = 0; i < n; i++) {
					u64 pte = leaf(fmt, pas[i], prot, mt, level);
					u64 want = model(pas[i], prot, mt, level);
					struct pte_attrs a = fmt->leaf_attrs(pte);

					if (pte != want)
						report_model_diff(level, prot, mt, pas[i], pte,
								  want);
					CHECK_EQ(pte, want);
					CHECK(fmt->is_valid(pte));
					CHECK(!fmt->is_table(pte, level));
					CHECK_EQ(fmt->output_addr(pte).val, pas[i]);
					CHECK_EQ(a.prot, prot);
					CHECK_EQ(a.memtype, mt);
					/* The walker ORs the address into a template built at 0. */
					CHECK_EQ(leaf(fmt, 0, prot, mt, level) | pas[i], pte);
					/* The locked marker shares no bit with a real entry. */
					CHECK_EQ(pte & fmt->locked, 0);
					combos++;
				}
			}
		}
	}
	/* Every accepted combination was visited: allowed prots x 3 leaf levels x 5 addresses. */
	n = 0;
	for (mt = 0; mt < MT_COUNT; mt++)
		n += __builtin_popcount(e->allowed[mt]);
	CHECK_EQ(combos, n * 3 * 5);
}

static void test_tables_all(const struct fmt_expect *e)
{
	const struct pte_format *fmt = e->fmt;
	u64 oa_top = (1ULL << e->oa_bits) - PAGE_SIZE;
	u64 addrs[] = { 0, 0x1000, 0x40001000, 0x5555555555555000ULL & oa_top, oa_top };
	unsigned int i, level;

	for (i = 0; i < ARRAY_SIZE(addrs); i++) {
		u64 t = fmt->make_table(hpa(addrs[i]));

		CHECK(fmt->is_valid(t));
		for (level = pt_start_level(fmt); level < PT_LAST_LEVEL; level++)
			CHECK(fmt->is_table(t, level));
		CHECK_EQ(fmt->output_addr(t).val, addrs[i]);
		CHECK_EQ(t & fmt->locked, 0);
	}
}

static void test_locked(const struct fmt_expect *e)
{
	const struct pte_format *fmt = e->fmt;
	unsigned int level;

	CHECK(fmt->locked != 0);
	CHECK(!fmt->is_valid(fmt->locked));
	for (level = 0; level <= PT_LAST_LEVEL; level++)
		CHECK(!fmt->is_table(fmt->locked, level));
}

/* ------------------------------------------------------------------------ */

static void run_per_format(const char *what, void (*fn)(const struct fmt_expect *))
{
	char label[96];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(all_expect); i++) {
		snprintf(label, sizeof(label), "%s/%s", what, all_expect[i]->fmt->name);
		RUN_ARG(label, fn, all_expect[i]);
	}
}

static void run_fmt(const char *what, void (*fn)(const struct pte_format *),
		    const struct pte_format *fmt)
{
	char label[96];

	snprintf(label, sizeof(label), "%s/%s", what, fmt->name);
	RUN_ARG(label, fn, fmt);
}

int main(void)
{
	static const struct pte_format *const arm64[] = {
		&pte_format_arm64_s2_4lvl,
		&pte_format_arm64_s2_3lvl,
	};
	size_t i;

	run_per_format("fields", test_fields);

	for (i = 0; i < ARRAY_SIZE(arm64); i++) {
		run_fmt("arm64_leaves", test_arm64_leaves, arm64[i]);
		run_fmt("arm64_tables", test_arm64_tables, arm64[i]);
		run_fmt("arm64_truth", test_arm64_truth, arm64[i]);
		run_fmt("arm64_output_addr", test_arm64_output_addr, arm64[i]);
		run_fmt("arm64_accepts", test_arm64_accepts, arm64[i]);
	}

	run_fmt("npt_leaves", test_npt_leaves, &pte_format_x86_npt);
	run_fmt("npt_tables", test_npt_tables, &pte_format_x86_npt);
	run_fmt("npt_truth", test_npt_truth, &pte_format_x86_npt);
	run_fmt("npt_output_addr", test_npt_output_addr, &pte_format_x86_npt);
	run_fmt("npt_rejects", test_npt_rejects, &pte_format_x86_npt);

	run_fmt("ept_leaves", test_ept_leaves, &pte_format_x86_ept);
	run_fmt("ept_tables", test_ept_tables, &pte_format_x86_ept);
	run_fmt("ept_truth", test_ept_truth, &pte_format_x86_ept);
	run_fmt("ept_output_addr", test_ept_output_addr, &pte_format_x86_ept);
	run_fmt("ept_rejects", test_ept_rejects, &pte_format_x86_ept);

	run_per_format("rejects", test_rejects);
	run_per_format("tables", test_tables_all);
	run_per_format("locked", test_locked);
	run_per_format("model_round_trip", test_model_and_round_trip);

	return harness_done();
}
