/* SPDX-License-Identifier: MIT */
/*
 * What kvm/ asks of arch/<arch>/ for guest-physical translation: the
 * stage-2 (arm64) / NPT (x86) table format and limits, the walker's
 * environment (mmu_ops), a VM's stage-2 context, whether the CPU has
 * nested paging or needs a shadow MMU.
 *
 * kvm/ never names a register or an instruction; every such detail lives
 * behind the functions of the kvm/arch/ headers, which arch/<arch>/ implements.
 * Unless said otherwise a function acts on the calling physical CPU and may
 * be called with interrupts enabled.
 */
#ifndef KVM_ARCH_STAGE2_H
#define KVM_ARCH_STAGE2_H

#include "mmu/pgtable.h"
#include "mmu/types.h"

/* The format of this architecture's stage-2 tables, and the IPA size it is set up for. */
const struct pte_format *arch_stage2_format(void);
u64 arch_stage2_ipa_limit(void); /* guest-physical addresses must be below this */
/*
 * The CPU translates guest-physical addresses itself (arm64 stage 2, x86
 * NPT).  false (x86 SVM without NPT): every VM needs a shadow MMU.
 */
bool arch_has_nested_paging(void);
/* The arch can run a VM on a shadow MMU (struct arch_stage2's @shadow): x86 SVM. */
bool arch_has_shadow_paging(void);

struct shadow_mmu;

/*
 * A VM's stage-2 context.  The VM points its pgtable's owner at its
 * struct arch_stage2, so arch_stage2_mmu_ops can find the VMID to invalidate.
 *
 * @shadow (x86 only; NULL elsewhere): the VM runs on shadow page tables
 * (mmu/shadow.h) built from its own; the stage-2 table at @root then maps
 * guest-physical memory for the guest while its paging is off.
 */
struct arch_stage2 {
	u16 vmid; /* 1..255; 0 is never a guest's */
	hpa_t root;
	struct shadow_mmu *shadow;
};
/* phys_to_virt, TLBI by IPA, ... */
extern const struct mmu_ops arch_stage2_mmu_ops;
/* Implemented by kvm/sched.c: this CPU's need-resched word; let others run (lock dropped). */
const u32 *kvm_need_resched_word(void);
void kvm_resched(void);
/* Forget every translation cached for @s2 (VM teardown, VMID reuse). */
void arch_stage2_flush_vmid(const struct arch_stage2 *s2);

#endif
