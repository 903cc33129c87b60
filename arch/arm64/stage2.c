// SPDX-License-Identifier: MIT
/*
 * The stage-2 environment of the generic walker (mmu/pgtable.h): which
 * format, VTCR_EL2 to match, and TLB maintenance by VMID.
 *
 * Translation regime: EL1&0 stage 2, 4K granule (Arm ARM D8 "The AArch64
 * Virtual Memory System Architecture"; D5 before edition J.a).
 */
#include "kvm/arch/stage2.h"
#include "kvm/arch/cpu.h"

#include "arch_priv.h"
#include "platform.h"
#include "sysreg.h"

/* Above this many pages one VMALLS12E1IS is cheaper than a TLBI per page. */
#define TLBI_MAX_PAGES 64

static const struct pte_format *s2_fmt;
static u64 s2_vtcr;
static u64 s2_ipa_limit;

/* ID_AA64MMFR0_EL1.PARange -> physical address bits (Arm ARM ID_AA64MMFR0_EL1). */
static const u8 parange_bits[] = { 32, 36, 40, 42, 44, 48, 52 };

/*
 * Boot CPU, once.  PS and the output addresses stay at most 48 bits: 52
 * needs FEAT_LPA2 descriptors, which mmu/pte_arm64.c does not build.  With
 * 48 physical bits a 4-level table from level 0 covers a 48-bit IPA space;
 * with fewer, a 3-level table from level 1 (39-bit IPA, one 4K root, no
 * concatenated tables) is enough and saves a level on every walk.
 */
void stage2_init(void)
{
	u64 parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;
	unsigned int pa_bits, t0sz, sl0;

	if (parange > PARANGE_48)
		parange = PARANGE_48;
	pa_bits = parange_bits[parange];
	if (pa_bits >= 48) {
		s2_fmt = &pte_format_arm64_s2_4lvl;
		sl0 = 2; /* start at level 0 */
	} else {
		s2_fmt = &pte_format_arm64_s2_3lvl;
		sl0 = 1; /* start at level 1 */
	}
	t0sz = 64 - s2_fmt->ia_bits;
	/*
	 * An IPA wider than the PA range is not allowed by VTCR_EL2.PS (Arm
	 * ARM VTCR_EL2, T0SZ: "a stage 2 translation fault"); cap the limit.
	 */
	s2_ipa_limit = 1ULL << (pa_bits < s2_fmt->ia_bits ? pa_bits : s2_fmt->ia_bits);
	s2_vtcr = VTCR_EL2_COMMON | t0sz | (u64)sl0 << VTCR_EL2_SL0_SHIFT |
		  parange << VTCR_EL2_PS_SHIFT;
}

/* Every CPU: VTCR_EL2 is per PE; it changes nothing until a guest runs. */
void stage2_cpu_init(void)
{
	write_sysreg(vtcr_el2, s2_vtcr);
	isb();
}

const struct pte_format *arch_stage2_format(void)
{
	return s2_fmt;
}

u64 arch_stage2_ipa_limit(void)
{
	return s2_ipa_limit;
}

/* Stage 2 is part of the architecture at EL2: never a shadow MMU here. */
bool arch_has_nested_paging(void)
{
	return true;
}

/* mmu/shadow.c builds x86 long-mode tables only. */
bool arch_has_shadow_paging(void)
{
	return false;
}

static void *s2_phys_to_virt(hpa_t pa)
{
	return (void *)pa.val; /* all RAM is identity-mapped at EL2 */
}

static hpa_t s2_virt_to_phys(void *va)
{
	return hpa((u64)va);
}

static u64 vttbr_of(const struct arch_stage2 *s2)
{
	return (u64)s2->vmid << VTTBR_VMID_SHIFT | s2->root.val;
}

/*
 * TLBI by IPA and by VMID act on the VMID in VTTBR_EL2 (Arm ARM D8.13
 * "TLB maintenance", "TLB maintenance instructions"): load the VM's, with
 * interrupts masked so that nothing else runs on this CPU meanwhile (a guest
 * entry from the tick path would find the wrong VTTBR restored otherwise),
 * and put the previous one back.
 */
static u64 s2_tlbi_enter(const struct arch_stage2 *s2, unsigned long *flags)
{
	u64 old;

	*flags = arch_irq_save();
	old = read_sysreg(vttbr_el2);
	write_sysreg(vttbr_el2, vttbr_of(s2));
	isb();
	return old;
}

static void s2_tlbi_exit(u64 old_vttbr, unsigned long flags)
{
	write_sysreg(vttbr_el2, old_vttbr);
	isb();
	arch_irq_restore(flags);
}

/*
 * Break-before-make needs the invalid entry visible to every walker before
 * the invalidation (DSB ISHST), the stage-2 invalidation complete before the
 * stage-1 one (DSB ISH): a combined stage 1+2 entry built from the old
 * stage-2 entry may survive TLBI IPAS2E1IS, so VMALLE1IS follows (Arm ARM
 * D8.13.5 / D8.14 "TLB maintenance requirements", "Invalidation of TLB
 * entries from stage 2 translations").  The last DSB ISH completes it on
 * every CPU of the Inner Shareable domain.
 */
static void s2_flush_range(const struct arch_stage2 *s2, u64 start, u64 size)
{
	u64 first = start >> PAGE_SHIFT;
	u64 last = (start + size - 1) >> PAGE_SHIFT;
	unsigned long flags;
	u64 old;

	dsb(ishst);
	old = s2_tlbi_enter(s2, &flags);
	if (!size || last - first >= TLBI_MAX_PAGES) {
		__asm__ volatile("tlbi vmalls12e1is" : : : "memory");
	} else {
		/* Xt[35:0] = IPA[47:12] (Arm ARM "TLBI IPAS2E1IS"). */
		for (u64 page = first; page <= last; page++)
			__asm__ volatile("tlbi ipas2e1is, %0" : : "r"(page) : "memory");
		dsb(ish);
		__asm__ volatile("tlbi vmalle1is" : : : "memory");
	}
	dsb(ish);
	isb();
	s2_tlbi_exit(old, flags);
}

static void s2_tlb_flush_range(struct pgtable *pgt, gpa_t start, u64 size)
{
	s2_flush_range(pgt->owner, start.val, size);
}

static void s2_tlb_flush_all(struct pgtable *pgt)
{
	s2_flush_range(pgt->owner, 0, 0);
}

static void s2_pte_sync(void)
{
	dsb(ishst);
}

void arch_stage2_flush_vmid(const struct arch_stage2 *s2)
{
	s2_flush_range(s2, 0, 0);
}

const struct mmu_ops arch_stage2_mmu_ops = {
	.phys_to_virt = s2_phys_to_virt,
	.virt_to_phys = s2_virt_to_phys,
	.tlb_flush_range = s2_tlb_flush_range,
	.tlb_flush_all = s2_tlb_flush_all,
	.pte_sync = s2_pte_sync,
};
