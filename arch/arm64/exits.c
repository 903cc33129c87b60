// SPDX-License-Identifier: MIT
/*
 * Why the guest came back (kvm/arch/vcpu.h): a synchronous exception's
 * ESR_EL2 turned into a struct vcpu_exit -- hypercall, firmware call,
 * WFI/WFE, stage-2 abort with the access decoded where the syndrome has
 * it -- and exit names for reports.  What is answered without leaving the
 * entry loop is id_regs.c's and sysreg_trap.c's; vcpu.c enters the guest
 * and calls exit_decode_sync() after a synchronous exit.
 */
#include "kvm/arch/vcpu.h"

#include "arch_priv.h"
#include "debug.h"
#include "exception.h"
#include "sysreg.h"

/*
 * HPFAR_EL2 is not reliable for a stage-2 Permission fault outside a
 * stage-1 walk (Arm ARM HPFAR_EL2: written for Translation, Access flag and
 * Address size faults; Linux's arm64 KVM says the same for Permission).  Ask
 * the MMU instead: AT S1E1R translates the guest VA with the guest's stage 1,
 * still loaded, into the IPA (HCR_EL2.VM, always set, makes the walk of the
 * guest's tables go through stage 2, VTTBR_EL2 is still the guest's).
 * Clobbers PAR_EL1, which el1_regs_save() has already saved.  False if the
 * guest's tables changed under us; the caller then has no exact address.
 */
static bool far_to_ipa(u64 far, u64 *ipa)
{
	u64 par;

	__asm__ volatile("at s1e1r, %0" : : "r"(far));
	isb();
	par = read_sysreg(par_el1);
	if (par & PAR_F)
		return false;
	*ipa = (par & GENMASK(47, 12)) | (far & 0xfff);
	return true;
}

static void decode_abort(struct arch_vcpu *v, u64 esr, struct vcpu_exit *exit)
{
	unsigned int ec = (esr >> ESR_EC_SHIFT) & ESR_EC_MASK;
	u64 far = read_sysreg(far_el2);
	u64 hpfar = read_sysreg(hpfar_el2);
	u64 ipa = (hpfar & HPFAR_FIPA_MASK) << 8;

	exit->reason = EXIT_MEM_FAULT;
	exit->gva_valid = !(esr & ISS_ABT_FNV);
	exit->gva = exit->gva_valid ? far : 0;
	exit->gpa = ipa | (far & 0xfff);
	if (esr & ISS_ABT_S1PTW) {
		/*
		 * The guest's own table walk hit a hole in stage 2: FAR is the VA
		 * being translated, not the descriptor, so only the page is known.
		 * The hardware may have wanted to set AF/DBM bits: call it a write.
		 */
		exit->gpa = ipa;
		exit->write = true;
		exit->exec = false;
		return;
	}
	if ((esr & ISS_FSC_TYPE_MASK) == FSC_PERM && exit->gva_valid) {
		u64 exact;

		if (far_to_ipa(far, &exact))
			exit->gpa = exact;
		v->el1_dirty = true; /* PAR_EL1 */
	}
	if (ec == EC_IABT_LOW) {
		exit->exec = true;
		return;
	}
	exit->write = esr & ISS_DABT_WNR;
	if (esr & ISS_DABT_ISV) {
		exit->decoded = true;
		exit->access_size = 1 << ((esr >> ISS_DABT_SAS_SHIFT) & 3);
		exit->reg = (esr >> ISS_DABT_SRT_SHIFT) & 31;
		exit->sign_extend = esr & ISS_DABT_SSE;
		if (!exit->write && !(esr & ISS_DABT_SF) && exit->reg != 31)
			v->w_load_reg = exit->reg;
	}
}

void exit_decode_sync(struct arch_vcpu *v, struct vcpu_exit *exit)
{
	u64 esr = read_sysreg(esr_el2);
	unsigned int ec = (esr >> ESR_EC_SHIFT) & ESR_EC_MASK;

	exit->syndrome = esr;
	exit->pc = v->pc;
	switch (ec) {
	case EC_HVC64:
		/* ELR_EL2 is the instruction after the HVC (Arm ARM "HVC"). */
		exit->reason = EXIT_HYPERCALL;
		exit->pc = v->pc - AARCH64_INSN_SIZE;
		break;
	case EC_SMC64:
		/* A trapped SMC leaves ELR_EL2 at the SMC itself (Arm ARM HCR_EL2.TSC). */
		exit->reason = EXIT_FIRMWARE_CALL;
		vcpu_skip(v);
		break;
	case EC_WFX:
		/*
		 * ISS.TI (bit 0; WFIT/WFET, bit 1, are hidden): 0 WFI, 1 WFE.  A
		 * WFE may complete at any time (Arm ARM "Wait for Event"), and
		 * its wake-up, an SEV or a cleared exclusive monitor, does not
		 * trap: it only gives up the CPU, never waits for an interrupt.
		 */
		exit->reason = (esr & ISS_WFX_TI_WFE) ? EXIT_YIELD : EXIT_WFI;
		vcpu_skip(v);
		break;
	case EC_DABT_LOW:
	case EC_IABT_LOW:
		decode_abort(v, esr, exit);
		break;
	case EC_SYS64:
		if (vgic_hw_trap_sysreg(v, esr, exit))
			break;
		if (sysreg_trap_undef(esr)) {
			/* A register of a feature the guest is told it lacks (sysreg_trap.c). */
			arch_vcpu_inject_undef(v);
			exit->reason = EXIT_NONE;
			break;
		}
		exit->reason = EXIT_UNHANDLED;
		break;
	default:
		if (debug_decode(v, ec, exit)) /* only while debugged: MDCR_EL2.TDE */
			break;
		exit->reason = EXIT_UNHANDLED;
		break;
	}
}

const char *arch_exit_name(const struct vcpu_exit *exit)
{
	static const char *const names[64] = {
		[EC_UNKNOWN] = "UNKNOWN", [EC_WFX] = "WFx",
		[0x07] = "FP_ASIMD",	  [0x0e] = "ILL",
		[0x15] = "SVC64",	  [EC_HVC64] = "HVC64",
		[EC_SMC64] = "SMC64",	  [EC_SYS64] = "SYS64",
		[0x19] = "SVE",		  [0x1a] = "ERET",
		[0x1c] = "FPAC",	  [EC_IABT_LOW] = "IABT_LOW",
		[0x22] = "PC_ALIGN",	  [EC_DABT_LOW] = "DABT_LOW",
		[0x26] = "SP_ALIGN",	  [EC_SERROR] = "SERROR",
		[0x30] = "BREAKPT_LOW",	  [0x32] = "SOFTSTP_LOW",
		[0x34] = "WATCHPT_LOW",	  [0x3c] = "BRK64",
	};
	unsigned int ec = (exit->syndrome >> ESR_EC_SHIFT) & ESR_EC_MASK;

	if (exit->reason == EXIT_IRQ)
		return "IRQ";
	if (exit->reason == EXIT_NONE)
		return "NONE";
	return names[ec] ? names[ec] : "UNKNOWN_EC";
}
