// SPDX-License-Identifier: MIT
/*
 * arm64 stage-2 translation table entries, 4K granule (Arm ARM, DDI 0487,
 * chapter D8 "The AArch64 Virtual Memory System Architecture"; D5 in editions
 * before J.a).  Two shapes share one encoding:
 *  - 4 levels from level 0, 48-bit IPA (arch/arm64 sets the stage-2
 *    translation control to T0SZ = 16, SL0 = 2);
 *  - 3 levels from level 1, 39-bit IPA (T0SZ = 25, SL0 = 1), one 4K root, no
 *    concatenated tables.
 *
 * FEAT_S2FWB is not used (arch/arm64 leaves HCR.FWB clear), so MemAttr[3:0]
 * is the stage-2 memory type, combined with the guest's stage-1 type.  FEAT_LPA/LPA2 are not
 * used: output addresses are 48 bits and bits [51:48] stay zero.
 */
#include <errno.h>

#include "pte_format.h"

/* Descriptor type, bits[1:0] (Arm ARM D8.3.1, D8.3.2 "Block descriptor and Page descriptor"). */
#define S2_VALID BIT(0)
/*
 * bit 1: 1 = table at levels 0-2, page at level 3; 0 = block (levels 1-2).
 * A level-3 descriptor with bits[1:0] = 0b01 is reserved and faults, so blocks
 * are only ever built at levels 1 and 2.
 */
#define S2_TYPE_TABLE_PAGE BIT(1)

/*
 * Stage-2 MemAttr[3:0] at bits [5:2], FEAT_S2FWB disabled (Arm ARM "Stage 2
 * memory type and Cacheability attributes when FEAT_S2FWB is disabled"):
 * MemAttr[3:2] is the outer attribute (0b00 = Device), MemAttr[1:0] the inner
 * one, or the Device kind when MemAttr[3:2] == 0b00.
 */
#define S2_MEMATTR_SHIFT	2
#define S2_MEMATTR_MASK		GENMASK(5, 2)
#define S2_MEMATTR_NORMAL_WB	0xfULL /* outer WB, inner WB */
#define S2_MEMATTR_NORMAL_NC	0x5ULL /* outer NC, inner NC */
#define S2_MEMATTR_DEVICE_nGnRE 0x1ULL

/* S2AP[1:0] at bits [7:6] (Arm ARM "Stage 2 data access permissions"): bit 6 read, bit 7 write. */
#define S2AP_SHIFT 6

/*
 * SH[1:0] at bits [9:8]: 0b11 Inner Shareable.  Normal Non-cacheable and all
 * Device memory are treated as Outer Shareable whatever SH says, so SH only
 * matters for write-back memory; we still set it for NC (harmless) and leave
 * it 0 for Device.
 */
#define S2_SH_INNER (3ULL << 8)

/* AF, bit 10: always set, we do not take Access flag faults (no FEAT_HAFDBS aging). */
#define S2_AF BIT(10)

/*
 * XN[1:0] at bits [54:53] (Arm ARM "Instruction execution permissions",
 * FEAT_XNX): 0b00 executable at EL1 and EL0, 0b10 execute-never at both.
 * Without FEAT_XNX bit 53 is RES0 and bit 54 is XN, so 0b10 means the same.
 */
#define S2_XN BIT(54)

/* Output address bits [47:12] of a table, page or block (blocks keep [29:12]/[20:12] zero). */
#define S2_OA_MASK GENMASK(47, 12)

/*
 * Locked marker for break-before-make: bit 0 clear, so the hardware walker
 * treats it as a fault (Arm ARM D8.3: "invalid descriptor", bits[63:1]
 * ignored).  Bit 55 is in the software-use field [58:55] and no entry this
 * file builds carries it (AF, bit 10, is in every leaf), so the marker can
 * never be mistaken for, or masked out of, a real entry.
 */
#define S2_LOCKED BIT(55)

/*
 * Memory type and shareability per enum mem_type, indexed with memtype & 3 so
 * that an unchecked value cannot read out of bounds (slot 3 is Device-nGnRnE,
 * the most restrictive type).
 */
static const u64 s2_memtype_bits[4] = {
	[MT_NORMAL] = S2_MEMATTR_NORMAL_WB << S2_MEMATTR_SHIFT | S2_SH_INNER,
	[MT_NORMAL_NC] = S2_MEMATTR_NORMAL_NC << S2_MEMATTR_SHIFT | S2_SH_INNER,
	[MT_DEVICE] = S2_MEMATTR_DEVICE_nGnRE << S2_MEMATTR_SHIFT,
	[3] = 0,
};

/*
 * MemAttr[3:0] back to enum mem_type.  Only the three encodings above are
 * ever built; the others decode to the nearest type (any Device kind to
 * MT_DEVICE, any other Normal type to MT_NORMAL_NC).
 */
static const u8 s2_memattr_to_memtype[16] = {
	[0x0] = MT_DEVICE,    [0x1] = MT_DEVICE,    [0x2] = MT_DEVICE,	  [0x3] = MT_DEVICE,
	[0x4] = MT_NORMAL_NC, [0x5] = MT_NORMAL_NC, [0x6] = MT_NORMAL_NC, [0x7] = MT_NORMAL_NC,
	[0x8] = MT_NORMAL_NC, [0x9] = MT_NORMAL_NC, [0xa] = MT_NORMAL_NC, [0xb] = MT_NORMAL_NC,
	[0xc] = MT_NORMAL_NC, [0xd] = MT_NORMAL_NC, [0xe] = MT_NORMAL_NC, [0xf] = MT_NORMAL,
};

/*
 * Allowed prot values (bit n set: prot == n accepted) per memory type.  Every
 * S2AP/XN combination exists at stage 2, write-only and execute-only
 * included; prot == 0 is an unmap, not a mapping.  Device memory is never
 * executable: instruction fetches from it are speculative and behave as
 * Normal Non-cacheable, and Arm requires Device regions to be execute-never.
 */
static const u8 s2_allowed_prot[MT_COUNT] = {
	[MT_NORMAL] = 0xfe, /* 1..7 */
	[MT_NORMAL_NC] = 0xfe,
	[MT_DEVICE] = 0x0e, /* R, W, RW */
};

static int s2_check_attrs(struct pte_attrs attrs)
{
	if (attrs.memtype >= MT_COUNT || attrs.prot > PROT_RWX)
		return -ENOTSUP;
	return (s2_allowed_prot[attrs.memtype] >> attrs.prot) & 1 ? 0 : -ENOTSUP;
}

/* @attrs must have passed s2_check_attrs(); @level is 1, 2 (block) or 3 (page). */
static u64 s2_make_leaf(hpa_t pa, struct pte_attrs attrs, unsigned int level)
{
	u64 pte = S2_VALID | S2_AF;

	pte |= level == PT_LAST_LEVEL ? S2_TYPE_TABLE_PAGE : 0; /* page 0b11, block 0b01 */
	pte |= s2_memtype_bits[attrs.memtype & 3];
	/* PROT_R -> S2AP[0] (bit 6), PROT_W -> S2AP[1] (bit 7). */
	pte |= (u64)(attrs.prot & (PROT_R | PROT_W)) << S2AP_SHIFT;
	pte |= attrs.prot & PROT_X ? 0 : S2_XN;
	return pte | (pa.val & S2_OA_MASK);
}

/* Stage-2 table descriptors carry no hierarchical attributes: only type and address. */
static u64 s2_make_table(hpa_t table)
{
	return S2_VALID | S2_TYPE_TABLE_PAGE | (table.val & S2_OA_MASK);
}

static bool s2_is_valid(u64 pte)
{
	return pte & S2_VALID;
}

/* bits[1:0] == 0b11 is a table at levels 0-2 and a page at level 3. */
static bool s2_is_table(u64 pte, unsigned int level)
{
	return ((pte & (S2_VALID | S2_TYPE_TABLE_PAGE)) == (S2_VALID | S2_TYPE_TABLE_PAGE)) &
	       (level < PT_LAST_LEVEL);
}

static hpa_t s2_output_addr(u64 pte)
{
	return hpa(pte & S2_OA_MASK);
}

static struct pte_attrs s2_leaf_attrs(u64 pte)
{
	struct pte_attrs attrs;

	attrs.prot = (pte >> S2AP_SHIFT & (PROT_R | PROT_W)) | (pte & S2_XN ? 0 : PROT_X);
	attrs.memtype = s2_memattr_to_memtype[(pte & S2_MEMATTR_MASK) >> S2_MEMATTR_SHIFT];
	return attrs;
}

#define S2_FORMAT_OPS                                                                          \
	.oa_bits = 48, .block_levels = BIT(1) | BIT(2) | BIT(3), .locked = S2_LOCKED,          \
	.check_attrs = s2_check_attrs, .make_leaf = s2_make_leaf, .make_table = s2_make_table, \
	.valid_mask = BIT(0), .is_valid = s2_is_valid, .is_table = s2_is_table,                \
	.output_addr = s2_output_addr, .leaf_attrs = s2_leaf_attrs

const struct pte_format pte_format_arm64_s2_4lvl = {
	.name = "arm64-s2-4lvl",
	.levels = 4,
	.ia_bits = 48,
	S2_FORMAT_OPS,
};

const struct pte_format pte_format_arm64_s2_3lvl = {
	.name = "arm64-s2-3lvl",
	.levels = 3,
	.ia_bits = 39,
	S2_FORMAT_OPS,
};
