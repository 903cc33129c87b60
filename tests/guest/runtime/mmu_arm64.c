// SPDX-License-Identifier: MIT
/*
 * The probe window: one spare level 1 slot of the stage 1 identity map
 * (start_arm64.S) that a payload can point at any 1 GiB aligned
 * guest-physical address its stage 1 can output.  The identity map stops at
 * the 39-bit VA space, so an IPA past 40 bits (past the stage 2 of a
 * hypervisor with a 40-bit IPA space) is only reachable through an alias.
 */
#include "guest.h"
#include "sysreg_arm64.h"

#define L1_SHIFT 30
/* Level 1 slot 8: VA 0x200000000, far from the identity-mapped GiBs 0, 1 and 4. */
#define WINDOW_VA   0x200000000UL
#define WINDOW_SLOT (WINDOW_VA >> L1_SHIFT)
/* Level 1 slot 9: the EL0 alias of the RAM GiB (guest_el0_alias()). */
#define EL0_VA	 0x240000000UL
#define EL0_SLOT (EL0_VA >> L1_SHIFT)
#define RAM_GIB	 0x40000000UL
/*
 * AP[1] (bit 6) = 1: read/write at EL0 and EL1 (AP[2] = 0); UXN clear, PXN
 * set.  A region EL0 may write is never executable at EL1 anyway (Arm ARM
 * D8 "Instruction access permissions", implicit PXN).
 */
#define PTE_AP_EL0_RW (1UL << 6)
#define PTE_EL0_BLOCK \
	(PTE_BLOCK | PTE_ATTR(ATTR_NORMAL) | PTE_SH_INNER | PTE_AF | PTE_AP_EL0_RW | PTE_PXN)

extern uint64_t guest_l1_table[512];

/* TCR_EL1.IPS as start_arm64.S set it (PARange, capped at 48 bits). */
unsigned int guest_pa_bits(void)
{
	static const unsigned char bits[8] = { 32, 36, 40, 42, 44, 48, 52, 52 };
	uint64_t tcr;

	__asm__ volatile("mrs %0, tcr_el1" : "=r"(tcr));
	return bits[(tcr >> TCR_EL1_IPS_SHIFT) & 7];
}

/*
 * Break-before-make when the slot held another block: every vCPU shares
 * this table, so the invalidation is broadcast (IS).  An invalid entry is
 * never cached, so a first mapping needs only the barriers.
 */
uintptr_t guest_map_window(uint64_t gpa)
{
	volatile uint64_t *slot = &guest_l1_table[WINDOW_SLOT];
	uint64_t base = gpa & ~((1ULL << L1_SHIFT) - 1);

	if (gpa >> guest_pa_bits())
		return 0;
	if (*slot) {
		*slot = 0;
		__asm__ volatile("dsb ishst; tlbi vmalle1is; dsb ish; isb" ::: "memory");
	}
	*slot = PTE_NORMAL_BLOCK | base;
	__asm__ volatile("dsb ishst; isb" ::: "memory");
	return WINDOW_VA + (gpa - base);
}

/* Set once, before any vCPU runs at EL0; every vCPU shares the table. */
uintptr_t guest_el0_alias(uintptr_t addr)
{
	volatile uint64_t *slot = &guest_l1_table[EL0_SLOT];

	if (addr - RAM_GIB >= (1UL << L1_SHIFT))
		return 0;
	if (!*slot) {
		*slot = PTE_EL0_BLOCK | RAM_GIB;
		__asm__ volatile("dsb ishst; isb" ::: "memory");
	}
	return EL0_VA + (addr - RAM_GIB);
}
