// SPDX-License-Identifier: MIT
/*
 * The stage-2 environment on x86: which format a VM's nested tables take
 * (NPT under SVM, EPT named for VMX), the guest-physical size, and the
 * mmu_ops that mmu/ walks them with.  The TLB shootdown itself
 * (svm_flush_asid) stays in vcpu.c beside the per-CPU ASID state the
 * entry publishes: the two halves of one handshake (see there).
 */
#include "kvm/arch/stage2.h"
#include "kvm/arch/vcpu.h"

#include "svm.h"
#include "virt.h"
#include "x86.h"

/*
 * Where the stage-2 format is chosen (virt.c): NPT under SVM with nested
 * paging, the one that runs.  On Intel VMX with EPT it is
 * pte_format_x86_ept (host-tested in mmu/), but there is no VMX entry code
 * to use it with, so arch_stage2_ipa_limit() is 0 there as on every CPU
 * without SVM+NPT: no VM ever gets a memslot (kvm/vm.c) and no guest is
 * entered.  Those others get NPT's format only so that nothing finds NULL.
 */
const struct pte_format *arch_stage2_format(void)
{
	return x86_virt_detect() == X86_VIRT_VMX_EPT ? &pte_format_x86_ept : &pte_format_x86_npt;
}

/*
 * Guest-physical addresses: the host's physical address width (CPUID
 * Fn8000_0008 EAX[7:0]), at most 48 bits (4-level tables); 0, no guest
 * memory at all, where virt.c found no SVM with nested paging.
 */
u64 arch_stage2_ipa_limit(void)
{
	unsigned int bits = cpuid(0x80000008, 0).eax & 0xff;

	if (!arch_has_shadow_paging())
		return 0;
	if (bits > 48)
		bits = 48;
	return 1ULL << bits;
}

bool arch_has_nested_paging(void)
{
	return x86_virt_detect() == X86_VIRT_SVM_NPT;
}

/* Any SVM: without nested paging every VM is shadowed (stage2_shadow.c), with it on request. */
bool arch_has_shadow_paging(void)
{
	enum x86_virt virt = x86_virt_detect();

	return virt == X86_VIRT_SVM || virt == X86_VIRT_SVM_NPT;
}

static void *npt_phys_to_virt(hpa_t pa)
{
	return (void *)pa.val; /* all RAM is identity-mapped */
}

static hpa_t npt_virt_to_phys(void *va)
{
	return hpa((u64)va);
}

/*
 * No flush by address: INVLPGA works on the current CPU only and by guest
 * virtual address, which a nested-table change does not have.  The whole
 * ASID goes (15.16.1); on QEMU that is what VMRUN does anyway.
 */
static void npt_tlb_flush_range(struct pgtable *pgt, gpa_t start, u64 size)
{
	const struct arch_stage2 *s2 = pgt->owner;

	(void)start;
	(void)size;
	svm_flush_asid(s2->vmid);
}

static void npt_tlb_flush_all(struct pgtable *pgt)
{
	const struct arch_stage2 *s2 = pgt->owner;

	svm_flush_asid(s2->vmid);
}

void arch_stage2_flush_vmid(const struct arch_stage2 *s2)
{
	svm_flush_asid(s2->vmid);
}

/* x86 stores are seen in order by the table walker: no pte_sync. */
const struct mmu_ops arch_stage2_mmu_ops = {
	.phys_to_virt = npt_phys_to_virt,
	.virt_to_phys = npt_virt_to_phys,
	.tlb_flush_range = npt_tlb_flush_range,
	.tlb_flush_all = npt_tlb_flush_all,
};
