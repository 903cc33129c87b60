// SPDX-License-Identifier: MIT
/*
 * Which hardware virtualization this CPU offers, and which stage-2 format
 * and guest-entry code go with it.  CPUID and MSRs only: the boot banner
 * prints the verdict; stage2.c picks the stage-2 format from it
 * (arch_stage2_format()).
 *
 *   AMD SVM with nested paging   vcpu.c, NPT (pte_format_x86_npt): what runs
 *   AMD SVM without it           guests on shadow page tables (stage2_shadow.c)
 *   Intel VMX with EPT           the stage-2 format would be EPT
 *                                (pte_format_x86_ept, tested on the host by
 *                                tests/host/), but there is no VMX entry
 *                                code (VMXON, VMCS, VM-exit decoding): QEMU's
 *                                software CPU offers no VMX, so none of it
 *                                could run here
 *   Intel VMX without EPT, none  nothing
 *
 * With no usable backend arch_stage2_ipa_limit() is 0, so every VM's
 * memslot is refused (kvm/vm.c) and nothing ever enters a guest.  Part of
 * the boot foundation (no mmu/, no kvm/).
 */
#include <stdio.h>
#include <string.h>

#include "virt.h"
#include "x86.h"

/* AMD APM vol. 2, 15.4 "Enabling SVM": VM_CR.SVMDIS, firmware's lock-out. */
#define MSR_VM_CR    0xc0010114
#define VM_CR_SVMDIS (1ULL << 4)
/*
 * Intel SDM vol. 3C: IA32_FEATURE_CONTROL (23.7 "Enabling and Entering VMX
 * Operation": lock, VMXON outside SMX), and the VMX capability MSRs of
 * appendix A.3: the primary processor-based controls (bit 63 = "activate
 * secondary controls" may be 1), the secondary ones (bit 33 = "enable EPT"
 * may be 1), and EPT's capabilities (A.10: bit 6 a 4-level walk, bit 14
 * write-back tables).
 */
#define MSR_IA32_FEATURE_CONTROL     0x3a
#define FEATURE_CONTROL_LOCK	     (1ULL << 0)
#define FEATURE_CONTROL_VMXON	     (1ULL << 2)
#define MSR_IA32_VMX_PROCBASED_CTLS  0x482
#define MSR_IA32_VMX_PROCBASED_CTLS2 0x48b
#define MSR_IA32_VMX_EPT_VPID_CAP    0x48c
#define PROCBASED_SECONDARY	     (1ULL << 63)
#define PROCBASED2_EPT		     (1ULL << 33)
#define EPT_CAP_WALK4		     (1ULL << 6)
#define EPT_CAP_WB		     (1ULL << 14)

static bool vendor_is(const char *want)
{
	struct cpuid_regs r = cpuid(0, 0);
	char v[12];

	memcpy(v, &r.ebx, 4);
	memcpy(v + 4, &r.edx, 4);
	memcpy(v + 8, &r.ecx, 4);
	return !memcmp(v, want, 12);
}

static enum x86_virt detect_amd(void)
{
	if (cpuid_max(0x80000001) < 0x8000000a || !(cpuid(0x80000001, 0).ecx & (1u << 2)))
		return X86_VIRT_NONE;
	if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS)
		return X86_VIRT_OFF;
	/* CPUID Fn8000_000A EDX[0]: nested paging (APM vol. 3, E.4.10). */
	return cpuid(0x8000000a, 0).edx & 1 ? X86_VIRT_SVM_NPT : X86_VIRT_SVM;
}

static enum x86_virt detect_intel(void)
{
	u64 fc, cap;

	/* CPUID.1:ECX[5] VMX; the VMX MSRs #GP without it. */
	if (!(cpuid(1, 0).ecx & (1u << 5)))
		return X86_VIRT_NONE;
	fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	if ((fc & FEATURE_CONTROL_LOCK) && !(fc & FEATURE_CONTROL_VMXON))
		return X86_VIRT_OFF;
	if (!(rdmsr(MSR_IA32_VMX_PROCBASED_CTLS) & PROCBASED_SECONDARY) ||
	    !(rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2) & PROCBASED2_EPT))
		return X86_VIRT_VMX;
	cap = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
	return (cap & EPT_CAP_WALK4) && (cap & EPT_CAP_WB) ? X86_VIRT_VMX_EPT : X86_VIRT_VMX;
}

enum x86_virt x86_virt_detect(void)
{
	static enum x86_virt found = X86_VIRT_UNKNOWN;

	if (found == X86_VIRT_UNKNOWN) {
		if (vendor_is("AuthenticAMD"))
			found = detect_amd();
		else if (vendor_is("GenuineIntel"))
			found = detect_intel();
		else
			found = X86_VIRT_NONE;
	}
	return found;
}

const char *x86_virt_describe(enum x86_virt v)
{
	switch (v) {
	case X86_VIRT_SVM_NPT:
		return "AMD SVM with nested paging: guests run under SVM, stage 2 = NPT";
	case X86_VIRT_SVM:
		return "AMD SVM without nested paging: guests run under SVM on shadow page "
		       "tables (mmu/shadow.c)";
	case X86_VIRT_VMX_EPT:
		return "Intel VMX with EPT: would select EPT, but VMX is not implemented here "
		       "(QEMU TCG offers no VMX): no guests";
	case X86_VIRT_VMX:
		return "Intel VMX without EPT: not implemented: no guests";
	case X86_VIRT_OFF:
		return "virtualization turned off by the firmware: no guests";
	default:
		return "no SVM or VMX: no guests";
	}
}
