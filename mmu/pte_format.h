/* SPDX-License-Identifier: MIT */
/*
 * Page-table entry formats: the data the generic walker needs to drive one
 * architecture's stage-2 (arm64), nested (AMD NPT) or extended (Intel EPT)
 * page tables.
 *
 * Levels are numbered as on arm64 whatever the format: level 3 is the last
 * (4K pages), level 2 maps 2M, level 1 maps 1G, level 0 is the root of a
 * 4-level table.  A 3-level format starts at level 1.
 */
#ifndef MMU_PTE_FORMAT_H
#define MMU_PTE_FORMAT_H

#include "types.h"

#define PT_LAST_LEVEL 3
#define PT_ENTRIES    512

enum pte_prot {
	PROT_R = BIT(0),
	PROT_W = BIT(1),
	PROT_X = BIT(2),
	PROT_RWX = PROT_R | PROT_W | PROT_X,
};

enum mem_type {
	MT_NORMAL,    /* write-back cacheable RAM */
	MT_NORMAL_NC, /* normal, non-cacheable (frame buffers) */
	MT_DEVICE,    /* device memory, no gathering/reordering/speculation */
	MT_COUNT,
};

struct pte_attrs {
	u8 prot;    /* enum pte_prot bits */
	u8 memtype; /* enum mem_type */
};

/*
 * One page-table format.  The encoders are called once per walk: a leaf
 * template is built with make_leaf(0, ...) and the output address OR-ed in,
 * so make_leaf(pa) must equal make_leaf(0) | pa.  The predicates run on
 * entries the walker reads, so they are small and side-effect free.  In every
 * format the empty entry is 0.
 */
struct pte_format {
	const char *name;
	u8 levels;	 /* levels walked: 3 or 4 */
	u8 ia_bits;	 /* input-address (guest-physical) bits */
	u8 oa_bits;	 /* output-address (host-physical) bits */
	u8 block_levels; /* BIT(level) for each level that may hold a leaf */
	u64 locked;	 /* "locked" marker: invalid to the hardware, never 0 */
	u64 valid_mask;	 /* valid iff some bit of it is set (is_valid, inlined) */

	/* 0, or -ENOTSUP when the format cannot express @attrs. */
	int (*check_attrs)(struct pte_attrs attrs);
	/* A leaf at @level mapping @pa (aligned to the level's size). */
	u64 (*make_leaf)(hpa_t pa, struct pte_attrs attrs, unsigned int level);
	/* A table entry pointing at the next-level table at @table. */
	u64 (*make_table)(hpa_t table);
	bool (*is_valid)(u64 pte);
	/* Valid entry at @level that points to a next-level table. */
	bool (*is_table)(u64 pte, unsigned int level);
	/* Output address of a valid leaf or table entry. */
	hpa_t (*output_addr)(u64 pte);
	/* Attributes of a valid leaf, as make_leaf would take them. */
	struct pte_attrs (*leaf_attrs)(u64 pte);
};

/* Arm ARM D8 (VMSAv8-64 stage 2), 4K granule, 48-bit IPA from level 0 or 39-bit from level 1. */
extern const struct pte_format pte_format_arm64_s2_4lvl;
extern const struct pte_format pte_format_arm64_s2_3lvl;
/* AMD APM vol. 2, 15.25 (nested paging): long-mode 4-level tables. */
extern const struct pte_format pte_format_x86_npt;
/* Intel SDM vol. 3C, 29.3 (EPT): 4-level EPT. */
extern const struct pte_format pte_format_x86_ept;

static inline bool pte_valid(const struct pte_format *fmt, u64 pte)
{
	return pte & fmt->valid_mask;
}

static inline unsigned int pt_level_shift(unsigned int level)
{
	return PAGE_SHIFT + 9 * (PT_LAST_LEVEL - level);
}

static inline u64 pt_level_size(unsigned int level)
{
	return 1ULL << pt_level_shift(level);
}

static inline unsigned int pt_start_level(const struct pte_format *fmt)
{
	return PT_LAST_LEVEL + 1 - fmt->levels;
}

static inline unsigned int pt_index(u64 addr, unsigned int level)
{
	return (addr >> pt_level_shift(level)) & (PT_ENTRIES - 1);
}

#endif
