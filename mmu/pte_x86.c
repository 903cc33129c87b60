// SPDX-License-Identifier: MIT
/*
 * x86-64 second-level page tables: AMD nested paging (NPT) and Intel EPT.
 * Both are 4 levels (PML4 = level 0 ... PT = level 3) over a 48-bit
 * guest-physical address, with 2M (level 2) and 1G (level 1) leaves.  Output
 * addresses may use bits [51:12]; the processor's MAXPHYADDR is the real
 * limit and the walker's caller checks it.
 */
#include <errno.h>

#include "pte_format.h"

/* Address field of a table or 4K leaf, bits [51:12], in both formats. */
#define X86_ADDR_MASK GENMASK(51, 12)

/*
 * Locked marker for break-before-make, in both formats: bit 11 alone.  NPT
 * sees P (bit 0) clear and EPT sees bits 2:0 clear, so the hardware treats it
 * as not present and ignores every other bit.  Bit 11 is software-available
 * in both and no entry built here carries it.
 */
#define X86_LOCKED BIT(11)

/*
 * AMD NPT (AMD APM vol. 2, 15.25 "Nested Paging").  Nested tables are
 * ordinary long-mode tables (APM vol. 2, 5.3 "Long-Mode Page Translation"),
 * walked with the host's paging modes: no-execute must be enabled on the host for
 * bit 63 to be NX rather than reserved.
 */
#define NPT_P  BIT(0)
#define NPT_RW BIT(1)
/* Every nested access is a user access (APM 15.25.5), so U/S must be 1 at every level. */
#define NPT_US	BIT(2)
#define NPT_PWT BIT(3)
#define NPT_PCD BIT(4)
/* A and D preset: the walker never ages entries, and the CPU then needs no locked update. */
#define NPT_A BIT(5)
#define NPT_D BIT(6)
/* PS in a PDPE/PDE (1G/2M leaf); in a 4K PTE bit 7 is PAT instead, which we leave 0. */
#define NPT_PS BIT(7)
/* PAT bit of a 2M/1G leaf; bits [20:13] (2M) or [29:13] (1G) are reserved and stay 0. */
#define NPT_LARGE_PAT BIT(12)
#define NPT_NX	      BIT(63)

#define NPT_TABLE_BITS (NPT_P | NPT_RW | NPT_US | NPT_A)

/*
 * Memory type through the host PAT (hPAT, not the guest's gPAT) at its
 * power-on value (APM vol. 2, 7.8 "Page-Attribute Table Mechanism"): index
 * PAT:PCD:PWT = 0 WB, 1 WT, 2 UC-, 3 UC.  PAT stays 0, so PCD:PWT pick one of
 * the first four.  MT_NORMAL_NC is UC- (index 2): real write-combining would
 * need an hPAT entry reprogrammed to WC and the PAT bit set here.  The
 * processor combines this type with the guest's own (gPAT); see the memory
 * type combining rules in APM vol. 2, 15.25.
 */
static const u64 npt_memtype_bits[4] = {
	[MT_NORMAL] = 0,		 /* PAT 0: WB */
	[MT_NORMAL_NC] = NPT_PCD,	 /* PAT 2: UC- */
	[MT_DEVICE] = NPT_PCD | NPT_PWT, /* PAT 3: UC */
	[3] = NPT_PCD | NPT_PWT,	 /* unchecked memtype: UC */
};

/* PCD:PWT back to enum mem_type; WT (1), never built, decodes as MT_NORMAL_NC. */
static const u8 npt_pcd_pwt_to_memtype[4] = {
	MT_NORMAL,
	MT_NORMAL_NC,
	MT_NORMAL_NC,
	MT_DEVICE,
};

/*
 * Allowed prot values (bit n: prot == n accepted).  A present entry is always
 * readable, so prot must include PROT_R: R, RW, RX, RWX.  No executable
 * Device memory (see pte_arm64.c; on x86 it is never what a caller means).
 */
static const u8 npt_allowed_prot[MT_COUNT] = {
	[MT_NORMAL] = 0xaa, /* 1, 3, 5, 7 */
	[MT_NORMAL_NC] = 0xaa,
	[MT_DEVICE] = 0x0a, /* 1, 3 */
};

static int npt_check_attrs(struct pte_attrs attrs)
{
	if (attrs.memtype >= MT_COUNT || attrs.prot > PROT_RWX)
		return -ENOTSUP;
	return (npt_allowed_prot[attrs.memtype] >> attrs.prot) & 1 ? 0 : -ENOTSUP;
}

/* @attrs must have passed npt_check_attrs(); @level is 1 (1G), 2 (2M) or 3 (4K). */
static u64 npt_make_leaf(hpa_t pa, struct pte_attrs attrs, unsigned int level)
{
	u64 pte = NPT_P | NPT_US | NPT_A;

	pte |= level == PT_LAST_LEVEL ? 0 : NPT_PS;
	/* PROT_W is bit 1 like R/W; D is set with it. */
	pte |= attrs.prot & PROT_W ? NPT_RW | NPT_D : 0;
	pte |= attrs.prot & PROT_X ? 0 : NPT_NX;
	pte |= npt_memtype_bits[attrs.memtype & 3];
	return pte | (pa.val & X86_ADDR_MASK);
}

/*
 * Permissions are the most restrictive along the walk, so tables grant
 * everything (RW, US, no NX) and leaves restrict.  Tables are WB.
 */
static u64 npt_make_table(hpa_t table)
{
	return NPT_TABLE_BITS | (table.val & X86_ADDR_MASK);
}

static bool npt_is_valid(u64 pte)
{
	return pte & NPT_P;
}

/*
 * Level 0 (PML4E) has no large pages (PS is reserved there), so any present
 * entry is a table; levels 1 and 2 are tables when PS is clear; level 3
 * entries are always 4K leaves.
 */
static bool npt_is_table(u64 pte, unsigned int level)
{
	bool large = ((pte & NPT_PS) != 0) & (level != 0);

	return (pte & NPT_P) & (level < PT_LAST_LEVEL) & !large;
}

/*
 * Bit 12 is address in tables and 4K leaves but PAT in 2M/1G leaves.  With no
 * level to go by, PS tells them apart: it is set only in large leaves (a 4K
 * PTE's bit 7 is its PAT bit, which make_leaf never sets).
 */
static hpa_t npt_output_addr(u64 pte)
{
	u64 mask = X86_ADDR_MASK & ~((pte & NPT_PS) << (12 - 7));

	return hpa(pte & mask);
}

static struct pte_attrs npt_leaf_attrs(u64 pte)
{
	struct pte_attrs attrs;

	attrs.prot = PROT_R | (pte & NPT_RW ? PROT_W : 0) | (pte & NPT_NX ? 0 : PROT_X);
	attrs.memtype = npt_pcd_pwt_to_memtype[(pte >> 3) & 3];
	return attrs;
}

const struct pte_format pte_format_x86_npt = {
	.name = "x86-npt",
	.levels = 4,
	.ia_bits = 48,
	.oa_bits = 52,
	.block_levels = BIT(1) | BIT(2) | BIT(3),
	.locked = X86_LOCKED,
	.check_attrs = npt_check_attrs,
	.make_leaf = npt_make_leaf,
	.make_table = npt_make_table,
	.valid_mask = BIT(0),
	.is_valid = npt_is_valid,
	.is_table = npt_is_table,
	.output_addr = npt_output_addr,
	.leaf_attrs = npt_leaf_attrs,
};

/*
 * Intel EPT (SDM vol. 3C, 29.3 "The Extended Page Table Mechanism (EPT)";
 * 28.2 in older editions).  Bits 2:0 are read, write and execute, the same
 * layout as enum pte_prot.  Without mode-based execute control bit 2 governs
 * all instruction fetches (with it, bit 2 is supervisor and bit 10 user
 * execute; we do not enable it).  Accessed/dirty flags are disabled in our
 * EPTP, so bits 8 and 9 stay 0.  1G leaves need IA32_VMX_EPT_VPID_CAP bit 17.
 */
#define EPT_R	      BIT(0)
#define EPT_W	      BIT(1)
#define EPT_X	      BIT(2)
#define EPT_PROT_MASK (EPT_R | EPT_W | EPT_X)
/* Leaf memory type, bits [5:3] (SDM 29.3.7 "EPT and Memory Typing"); IPAT (bit 6) stays 0. */
#define EPT_MT_SHIFT 3
#define EPT_MT_UC    0ULL
#define EPT_MT_WC    1ULL
#define EPT_MT_WB    6ULL
/* Bit 7 of a PDPTE/PDE: the entry maps a 1G/2M page; ignored in a PTE, reserved in a PML4E. */
#define EPT_LARGE BIT(7)

/*
 * IPAT = 0, so the guest's PAT type combines with this one: WB lets the guest
 * choose, UC forces uncached MMIO, WC is the non-cacheable normal type.
 */
static const u64 ept_memtype_bits[4] = {
	[MT_NORMAL] = EPT_MT_WB << EPT_MT_SHIFT,
	[MT_NORMAL_NC] = EPT_MT_WC << EPT_MT_SHIFT,
	[MT_DEVICE] = EPT_MT_UC << EPT_MT_SHIFT,
	[3] = EPT_MT_UC << EPT_MT_SHIFT, /* unchecked memtype: UC */
};

/*
 * Bits [5:3] back to enum mem_type.  2, 3 and 7 are reserved (misconfiguration);
 * WT (4) and WP (5) are never built.  Those decode to MT_DEVICE / MT_NORMAL_NC.
 */
static const u8 ept_mt_to_memtype[8] = {
	[0] = MT_DEVICE,    [1] = MT_NORMAL_NC, [2] = MT_DEVICE, [3] = MT_DEVICE,
	[4] = MT_NORMAL_NC, [5] = MT_NORMAL_NC, [6] = MT_NORMAL, [7] = MT_DEVICE,
};

/*
 * Allowed prot values (bit n: prot == n accepted).  Write without read (W,
 * WX) is an EPT misconfiguration (SDM 29.3.3.1).  Execute-only (X) needs the
 * execute-only capability (IA32_VMX_EPT_VPID_CAP bit 0); we accept it and
 * leave the check to whoever sets up EPT.  No executable Device memory.
 */
static const u8 ept_allowed_prot[MT_COUNT] = {
	[MT_NORMAL] = 0xba, /* 1, 3, 4, 5, 7 */
	[MT_NORMAL_NC] = 0xba,
	[MT_DEVICE] = 0x0a, /* 1, 3 */
};

static int ept_check_attrs(struct pte_attrs attrs)
{
	if (attrs.memtype >= MT_COUNT || attrs.prot > PROT_RWX)
		return -ENOTSUP;
	return (ept_allowed_prot[attrs.memtype] >> attrs.prot) & 1 ? 0 : -ENOTSUP;
}

/* @attrs must have passed ept_check_attrs(); @level is 1 (1G), 2 (2M) or 3 (4K). */
static u64 ept_make_leaf(hpa_t pa, struct pte_attrs attrs, unsigned int level)
{
	u64 pte = attrs.prot & EPT_PROT_MASK; /* PROT_R/W/X are bits 0/1/2 */

	pte |= level == PT_LAST_LEVEL ? 0 : EPT_LARGE;
	pte |= ept_memtype_bits[attrs.memtype & 3];
	return pte | (pa.val & X86_ADDR_MASK);
}

/* Non-leaf entries: R|W|X so that leaves alone restrict; bits 7:3 are reserved there. */
static u64 ept_make_table(hpa_t table)
{
	return EPT_PROT_MASK | (table.val & X86_ADDR_MASK);
}

/* Present when any of bits 2:0 is set (SDM 29.3.2). */
static bool ept_is_valid(u64 pte)
{
	return pte & EPT_PROT_MASK;
}

/* As NPT: level 0 has no large pages, levels 1-2 are tables when bit 7 is clear. */
static bool ept_is_table(u64 pte, unsigned int level)
{
	bool large = ((pte & EPT_LARGE) != 0) & (level != 0);

	return ((pte & EPT_PROT_MASK) != 0) & (level < PT_LAST_LEVEL) & !large;
}

/* Bits [20:12] / [29:12] of large leaves are reserved, so one mask serves every entry. */
static hpa_t ept_output_addr(u64 pte)
{
	return hpa(pte & X86_ADDR_MASK);
}

static struct pte_attrs ept_leaf_attrs(u64 pte)
{
	struct pte_attrs attrs;

	attrs.prot = pte & EPT_PROT_MASK;
	attrs.memtype = ept_mt_to_memtype[(pte >> EPT_MT_SHIFT) & 7];
	return attrs;
}

const struct pte_format pte_format_x86_ept = {
	.name = "x86-ept",
	.levels = 4,
	.ia_bits = 48,
	.oa_bits = 52, /* architectural maximum, limited by MAXPHYADDR */
	.block_levels = BIT(1) | BIT(2) | BIT(3),
	.locked = X86_LOCKED,
	.check_attrs = ept_check_attrs,
	.make_leaf = ept_make_leaf,
	.make_table = ept_make_table,
	.valid_mask = GENMASK(2, 0),
	.is_valid = ept_is_valid,
	.is_table = ept_is_table,
	.output_addr = ept_output_addr,
	.leaf_attrs = ept_leaf_attrs,
};
