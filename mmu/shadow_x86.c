// SPDX-License-Identifier: MIT
/*
 * x86 guest paging formats for the shadow MMU.  Only 4-level long mode today;
 * PAE (3 levels, a 4-entry top table) and 32-bit paging (4-byte entries) would
 * be descriptors of their own, see mmu/README.md.
 */
#include "shadow_x86.h"

/*
 * AMD APM vol. 2, 5.3 "Long-Mode Page Translation" and 5.4 "Page-Translation-
 * Table Entry Fields"; Intel SDM vol. 3A, 4.5 "4-Level Paging".  Bit 12 of a
 * 2M/1G leaf is PAT, so its reserved address bits start at 13.
 */
const struct shadow_format shadow_format_x86_64 = {
	.name = "x86-64 4-level",
	.levels = 4,
	.level_bits = 9,
	.large_levels = BIT(1) | BIT(2),
	.large_rsvd_lsb = 13,
	.addr = PTE64_ADDR,
	.present = PTE64_P,
	.write = PTE64_RW,
	.user = PTE64_US,
	.accessed = PTE64_A,
	.dirty = PTE64_D,
	.large = PTE64_PS,
	.nx = PTE64_NX,
	.ec_present = PFERR_P,
	.ec_write = PFERR_W,
	.ec_user = PFERR_U,
	.ec_rsvd = PFERR_RSVD,
	.ec_fetch = PFERR_I,
};
