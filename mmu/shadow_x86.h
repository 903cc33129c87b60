/* SPDX-License-Identifier: MIT */
/*
 * x86 guest paging formats for the shadow MMU (mmu/shadow.h): the entry bits
 * and the page-fault error code of long mode, and the descriptor built from
 * them (mmu/shadow_x86.c).  For the x86 glue (arch/x86_64/stage2_shadow.c) and
 * the host tests, which speak the same encoding; the generic shadow MMU reads
 * only the descriptor.
 */
#ifndef MMU_SHADOW_X86_H
#define MMU_SHADOW_X86_H

#include "shadow.h"

/* Long-mode paging-structure entry bits, guest and shadow alike (APM vol. 2 5.4, SDM vol. 3A 4.5). */
#define PTE64_P	   BIT(0)
#define PTE64_RW   BIT(1)
#define PTE64_US   BIT(2)
#define PTE64_A	   BIT(5)
#define PTE64_D	   BIT(6)
#define PTE64_PS   BIT(7)  /* PDPE/PDE: 1G/2M page; reserved in a PML4E; PAT in a PTE */
#define PTE64_NX   BIT(63) /* reserved unless no-execute is enabled */
#define PTE64_ADDR GENMASK(51, 12)

/* #PF error code (APM vol. 2 8.4.2 "Page-Fault Error Code", SDM vol. 3A 4.7). */
#define PFERR_P	   BIT(0)
#define PFERR_W	   BIT(1)
#define PFERR_U	   BIT(2)
#define PFERR_RSVD BIT(3)
#define PFERR_I	   BIT(4)

/* 4-level long mode: PML4 = level 0 ... PT = level 3, 1G (level 1) and 2M (level 2) pages. */
extern const struct shadow_format shadow_format_x86_64;

#endif
