/* SPDX-License-Identifier: MIT */
/*
 * arm64 register values the guest runtime sets (asm and C).  Field names
 * follow the Arm ARM.
 */
#ifndef GUEST_SYSREG_ARM64_H
#define GUEST_SYSREG_ARM64_H

#ifdef __ASSEMBLER__
#define UL(x) x
#else
#define UL(x) x##UL
#endif

/* CPACR_EL1.FPEN = 0b11: FP/SIMD not trapped at EL1 (newlib uses it). */
#define CPACR_EL1_FPEN (3 << 20)

/* MAIR_EL1: Attr0 = Device-nGnRnE, Attr1 = Normal Write-Back RW-allocate. */
#define MAIR_EL1_VAL 0xff00
#define ATTR_DEVICE  0
#define ATTR_NORMAL  1

/*
 * TCR_EL1: T0SZ = 25 (39-bit VA: the walk starts at level 1 with 1 GiB
 * blocks), inner/outer WB walks, inner shareable, 4K granule; TTBR1 walks
 * off (EPD1) with a valid TG1; IPS is filled in from ID_AA64MMFR0_EL1.
 */
#define TCR_EL1_VAL	  0x80803519
#define TCR_EL1_IPS_SHIFT 32

/* SCTLR_EL1: RES1 bits of v8.0 + M, C, SA, I.  A = 0: unaligned allowed. */
#define SCTLR_EL1_VAL 0x30d0180d

/* Level 1 block descriptors: valid block, AttrIndx, SH, AF, PXN, UXN. */
#define PTE_BLOCK	 0x1
#define PTE_ATTR(i)	 ((i) << 2)
#define PTE_SH_INNER	 (3 << 8)
#define PTE_AF		 (1 << 10)
#define PTE_PXN		 (UL(1) << 53)
#define PTE_UXN		 (UL(1) << 54)
#define PTE_DEVICE_BLOCK (PTE_BLOCK | PTE_ATTR(ATTR_DEVICE) | PTE_AF | PTE_PXN | PTE_UXN)
#define PTE_NORMAL_BLOCK (PTE_BLOCK | PTE_ATTR(ATTR_NORMAL) | PTE_SH_INNER | PTE_AF | PTE_UXN)

/* ESR_EL1 exception classes the runtime distinguishes. */
#define ESR_EC_SHIFT	26
#define ESR_EC_IABT_LOW 0x20
#define ESR_EC_IABT_CUR 0x21
#define ESR_EC_DABT_LOW 0x24
#define ESR_EC_DABT_CUR 0x25
#define ESR_FNV		(UL(1) << 10) /* FAR not valid (aborts) */

/* Exception frame (struct exc_frame in regs_arm64.h), bytes. */
#define EXC_FRAME_SIZE 272
#define EXC_FRAME_ELR  248
#define EXC_FRAME_SPSR 256

#endif
