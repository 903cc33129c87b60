// SPDX-License-Identifier: MIT
/*
 * Saying exactly what a guest did when its exit is one nobody handles: for
 * a trapped MSR/MRS/SYS (ESR_EL2.EC 0x18) the register by name, its
 * encoding and the direction; for anything else the exception class and the
 * syndrome.  (kvm/arch/vcpu.h, arch_exit_describe().)
 *
 * ISS of EC 0x18 (Arm ARM ESR_EL2, "ISS encoding for an exception from MSR,
 * MRS, or System instruction execution in AArch64 state"): Op0 [21:20],
 * Op2 [19:17], Op1 [16:14], CRn [13:10], Rt [9:5], CRm [4:1], Direction [0]
 * (1: read, MRS).  The names and encodings below are from the Arm ARM's
 * register descriptions (their "Accessing" sections) and DDI 0601.
 */
#include <stdio.h>

#include "kvm/arch/vcpu.h"

#include "sysreg.h"

#define SYS_ENC(op0, op1, crn, crm, op2) \
	((op0) << 14 | (op1) << 11 | (crn) << 7 | (crm) << 3 | (op2))

struct sysreg_name {
	u32 enc;
	const char *name;
};

/* Those a guest kernel touches and a hypervisor might trap or not provide. */
static const struct sysreg_name sysreg_names[] = {
	/* debug (op0 2) */
	{ SYS_ENC(2, 0, 0, 2, 2), "MDSCR_EL1" },
	{ SYS_ENC(2, 0, 1, 0, 4), "OSLAR_EL1" },
	{ SYS_ENC(2, 0, 1, 1, 4), "OSLSR_EL1" },
	{ SYS_ENC(2, 0, 1, 3, 4), "OSDLR_EL1" },
	{ SYS_ENC(2, 0, 1, 4, 4), "DBGPRCR_EL1" },
	{ SYS_ENC(2, 0, 7, 14, 6), "DBGAUTHSTATUS_EL1" },
	{ SYS_ENC(2, 3, 0, 1, 0), "MDCCSR_EL0" },
	{ SYS_ENC(2, 3, 0, 4, 0), "DBGDTR_EL0" },
	{ SYS_ENC(2, 3, 0, 5, 0), "DBGDTRRX/TX_EL0" },
	/* identification */
	{ SYS_ENC(3, 0, 0, 0, 0), "MIDR_EL1" },
	{ SYS_ENC(3, 0, 0, 0, 5), "MPIDR_EL1" },
	{ SYS_ENC(3, 0, 0, 0, 6), "REVIDR_EL1" },
	{ SYS_ENC(3, 0, 0, 4, 0), "ID_AA64PFR0_EL1" },
	{ SYS_ENC(3, 0, 0, 4, 1), "ID_AA64PFR1_EL1" },
	{ SYS_ENC(3, 0, 0, 4, 4), "ID_AA64ZFR0_EL1" },
	{ SYS_ENC(3, 0, 0, 4, 5), "ID_AA64SMFR0_EL1" },
	{ SYS_ENC(3, 0, 0, 5, 0), "ID_AA64DFR0_EL1" },
	{ SYS_ENC(3, 0, 0, 5, 1), "ID_AA64DFR1_EL1" },
	{ SYS_ENC(3, 0, 0, 6, 0), "ID_AA64ISAR0_EL1" },
	{ SYS_ENC(3, 0, 0, 6, 1), "ID_AA64ISAR1_EL1" },
	{ SYS_ENC(3, 0, 0, 6, 2), "ID_AA64ISAR2_EL1" },
	{ SYS_ENC(3, 0, 0, 7, 0), "ID_AA64MMFR0_EL1" },
	{ SYS_ENC(3, 0, 0, 7, 1), "ID_AA64MMFR1_EL1" },
	{ SYS_ENC(3, 0, 0, 7, 2), "ID_AA64MMFR2_EL1" },
	{ SYS_ENC(3, 1, 0, 0, 0), "CCSIDR_EL1" },
	{ SYS_ENC(3, 1, 0, 0, 1), "CLIDR_EL1" },
	{ SYS_ENC(3, 1, 0, 0, 7), "AIDR_EL1" },
	{ SYS_ENC(3, 2, 0, 0, 0), "CSSELR_EL1" },
	{ SYS_ENC(3, 3, 0, 0, 1), "CTR_EL0" },
	{ SYS_ENC(3, 3, 0, 0, 7), "DCZID_EL0" },
	/* the guest kernel's own */
	{ SYS_ENC(3, 0, 1, 0, 0), "SCTLR_EL1" },
	{ SYS_ENC(3, 0, 1, 0, 1), "ACTLR_EL1" },
	{ SYS_ENC(3, 0, 1, 0, 2), "CPACR_EL1" },
	{ SYS_ENC(3, 0, 1, 2, 0), "ZCR_EL1" },
	{ SYS_ENC(3, 0, 2, 0, 0), "TTBR0_EL1" },
	{ SYS_ENC(3, 0, 2, 0, 1), "TTBR1_EL1" },
	{ SYS_ENC(3, 0, 2, 0, 2), "TCR_EL1" },
	/* pointer authentication keys (trapped while HCR_EL2.APK is clear) */
	{ SYS_ENC(3, 0, 2, 1, 0), "APIAKeyLo_EL1" },
	{ SYS_ENC(3, 0, 2, 1, 1), "APIAKeyHi_EL1" },
	{ SYS_ENC(3, 0, 2, 1, 2), "APIBKeyLo_EL1" },
	{ SYS_ENC(3, 0, 2, 1, 3), "APIBKeyHi_EL1" },
	{ SYS_ENC(3, 0, 2, 2, 0), "APDAKeyLo_EL1" },
	{ SYS_ENC(3, 0, 2, 2, 1), "APDAKeyHi_EL1" },
	{ SYS_ENC(3, 0, 2, 2, 2), "APDBKeyLo_EL1" },
	{ SYS_ENC(3, 0, 2, 2, 3), "APDBKeyHi_EL1" },
	{ SYS_ENC(3, 0, 2, 3, 0), "APGAKeyLo_EL1" },
	{ SYS_ENC(3, 0, 2, 3, 1), "APGAKeyHi_EL1" },
	/* memory tagging */
	{ SYS_ENC(3, 0, 1, 0, 5), "RGSR_EL1" },
	{ SYS_ENC(3, 0, 1, 0, 6), "GCR_EL1" },
	{ SYS_ENC(3, 0, 5, 6, 0), "TFSR_EL1" },
	{ SYS_ENC(3, 0, 5, 6, 1), "TFSRE0_EL1" },
	{ SYS_ENC(3, 0, 4, 2, 2), "CurrentEL" },
	{ SYS_ENC(3, 0, 5, 1, 0), "AFSR0_EL1" },
	{ SYS_ENC(3, 0, 5, 1, 1), "AFSR1_EL1" },
	{ SYS_ENC(3, 0, 5, 2, 0), "ESR_EL1" },
	{ SYS_ENC(3, 0, 5, 3, 0), "ERRIDR_EL1" },
	{ SYS_ENC(3, 0, 5, 3, 1), "ERRSELR_EL1" },
	{ SYS_ENC(3, 0, 6, 0, 0), "FAR_EL1" },
	{ SYS_ENC(3, 0, 7, 4, 0), "PAR_EL1" },
	{ SYS_ENC(3, 0, 10, 2, 0), "MAIR_EL1" },
	{ SYS_ENC(3, 0, 10, 3, 0), "AMAIR_EL1" },
	{ SYS_ENC(3, 0, 10, 4, 0), "LORSA_EL1" },
	{ SYS_ENC(3, 0, 10, 4, 7), "LORID_EL1" },
	{ SYS_ENC(3, 0, 12, 0, 0), "VBAR_EL1" },
	{ SYS_ENC(3, 0, 12, 1, 0), "ISR_EL1" },
	{ SYS_ENC(3, 0, 13, 0, 1), "CONTEXTIDR_EL1" },
	{ SYS_ENC(3, 0, 13, 0, 4), "TPIDR_EL1" },
	{ SYS_ENC(3, 0, 14, 1, 0), "CNTKCTL_EL1" },
	/* GICv3 CPU interface (Arm IHI 0069, chapter 12) */
	{ SYS_ENC(3, 0, 4, 6, 0), "ICC_PMR_EL1" },
	{ SYS_ENC(3, 0, 12, 8, 0), "ICC_IAR0_EL1" },
	{ SYS_ENC(3, 0, 12, 8, 1), "ICC_EOIR0_EL1" },
	{ SYS_ENC(3, 0, 12, 8, 3), "ICC_BPR0_EL1" },
	{ SYS_ENC(3, 0, 12, 11, 1), "ICC_DIR_EL1" },
	{ SYS_ENC(3, 0, 12, 11, 3), "ICC_RPR_EL1" },
	{ SYS_ENC(3, 0, 12, 11, 5), "ICC_SGI1R_EL1" },
	{ SYS_ENC(3, 0, 12, 11, 6), "ICC_ASGI1R_EL1" },
	{ SYS_ENC(3, 0, 12, 11, 7), "ICC_SGI0R_EL1" },
	{ SYS_ENC(3, 0, 12, 12, 0), "ICC_IAR1_EL1" },
	{ SYS_ENC(3, 0, 12, 12, 1), "ICC_EOIR1_EL1" },
	{ SYS_ENC(3, 0, 12, 12, 2), "ICC_HPPIR1_EL1" },
	{ SYS_ENC(3, 0, 12, 12, 3), "ICC_BPR1_EL1" },
	{ SYS_ENC(3, 0, 12, 12, 4), "ICC_CTLR_EL1" },
	{ SYS_ENC(3, 0, 12, 12, 5), "ICC_SRE_EL1" },
	{ SYS_ENC(3, 0, 12, 12, 6), "ICC_IGRPEN0_EL1" },
	{ SYS_ENC(3, 0, 12, 12, 7), "ICC_IGRPEN1_EL1" },
	/* PMU */
	{ SYS_ENC(3, 0, 9, 14, 1), "PMINTENSET_EL1" },
	{ SYS_ENC(3, 0, 9, 14, 2), "PMINTENCLR_EL1" },
	{ SYS_ENC(3, 3, 9, 12, 0), "PMCR_EL0" },
	{ SYS_ENC(3, 3, 9, 12, 1), "PMCNTENSET_EL0" },
	{ SYS_ENC(3, 3, 9, 12, 2), "PMCNTENCLR_EL0" },
	{ SYS_ENC(3, 3, 9, 12, 3), "PMOVSCLR_EL0" },
	{ SYS_ENC(3, 3, 9, 12, 5), "PMSELR_EL0" },
	{ SYS_ENC(3, 3, 9, 12, 6), "PMCEID0_EL0" },
	{ SYS_ENC(3, 3, 9, 12, 7), "PMCEID1_EL0" },
	{ SYS_ENC(3, 3, 9, 13, 0), "PMCCNTR_EL0" },
	{ SYS_ENC(3, 3, 9, 14, 0), "PMUSERENR_EL0" },
	{ SYS_ENC(3, 3, 14, 15, 7), "PMCCFILTR_EL0" },
	/* EL0 thread and timer registers */
	{ SYS_ENC(3, 3, 4, 2, 0), "NZCV" },
	{ SYS_ENC(3, 3, 4, 2, 1), "DAIF" },
	{ SYS_ENC(3, 3, 4, 4, 0), "FPCR" },
	{ SYS_ENC(3, 3, 4, 4, 1), "FPSR" },
	{ SYS_ENC(3, 3, 13, 0, 2), "TPIDR_EL0" },
	{ SYS_ENC(3, 3, 13, 0, 3), "TPIDRRO_EL0" },
	{ SYS_ENC(3, 3, 2, 4, 0), "RNDR" },
	{ SYS_ENC(3, 3, 2, 4, 1), "RNDRRS" },
	{ SYS_ENC(3, 3, 14, 0, 0), "CNTFRQ_EL0" },
	{ SYS_ENC(3, 3, 14, 0, 1), "CNTPCT_EL0" },
	{ SYS_ENC(3, 3, 14, 0, 2), "CNTVCT_EL0" },
	{ SYS_ENC(3, 3, 14, 2, 0), "CNTP_TVAL_EL0" },
	{ SYS_ENC(3, 3, 14, 2, 1), "CNTP_CTL_EL0" },
	{ SYS_ENC(3, 3, 14, 2, 2), "CNTP_CVAL_EL0" },
	{ SYS_ENC(3, 3, 14, 3, 0), "CNTV_TVAL_EL0" },
	{ SYS_ENC(3, 3, 14, 3, 1), "CNTV_CTL_EL0" },
	{ SYS_ENC(3, 3, 14, 3, 2), "CNTV_CVAL_EL0" },
	/* System instructions (op0 1): cache and TLB maintenance, AT */
	{ SYS_ENC(1, 0, 7, 1, 0), "IC IALLUIS" },
	{ SYS_ENC(1, 0, 7, 5, 0), "IC IALLU" },
	{ SYS_ENC(1, 3, 7, 5, 1), "IC IVAU" },
	{ SYS_ENC(1, 0, 7, 6, 1), "DC IVAC" },
	{ SYS_ENC(1, 0, 7, 6, 2), "DC ISW" },
	{ SYS_ENC(1, 0, 7, 10, 2), "DC CSW" },
	{ SYS_ENC(1, 0, 7, 14, 2), "DC CISW" },
	{ SYS_ENC(1, 3, 7, 4, 1), "DC ZVA" },
	{ SYS_ENC(1, 3, 7, 10, 1), "DC CVAC" },
	{ SYS_ENC(1, 3, 7, 11, 1), "DC CVAU" },
	{ SYS_ENC(1, 3, 7, 14, 1), "DC CIVAC" },
	{ SYS_ENC(1, 0, 7, 8, 0), "AT S1E1R" },
	{ SYS_ENC(1, 0, 7, 8, 1), "AT S1E1W" },
	{ SYS_ENC(1, 0, 8, 3, 0), "TLBI VMALLE1IS" },
	{ SYS_ENC(1, 0, 8, 7, 0), "TLBI VMALLE1" },
};

static const char *sysreg_name(u32 enc)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sysreg_names); i++)
		if (sysreg_names[i].enc == enc)
			return sysreg_names[i].name;
	return NULL;
}

int arch_exit_describe(const struct vcpu_exit *exit, char *buf, size_t len)
{
	u64 esr = exit->syndrome;
	unsigned int ec = (esr >> ESR_EC_SHIFT) & ESR_EC_MASK;
	unsigned int op0, op1, crn, crm, op2, rt;
	bool read;
	const char *name;
	char generic[32];

	if (exit->reason != EXIT_UNHANDLED || ec != EC_SYS64)
		return snprintf(buf, len, "%s (EC %#x, ISS %#llx)", arch_exit_name(exit), ec,
				(unsigned long long)(esr & GENMASK(24, 0)));
	op0 = (esr >> 20) & 3;
	op2 = (esr >> 17) & 7;
	op1 = (esr >> 14) & 7;
	crn = (esr >> 10) & 15;
	rt = (esr >> 5) & 31;
	crm = (esr >> 1) & 15;
	read = esr & 1;
	name = sysreg_name(SYS_ENC(op0, op1, crn, crm, op2));
	/* The generic form any assembler takes: S<op0>_<op1>_C<n>_C<m>_<op2>. */
	snprintf(generic, sizeof(generic), "S%u_%u_C%u_C%u_%u", op0, op1, crn, crm, op2);
	if (!name)
		name = generic;
	if (op0 == 1)
		return snprintf(buf, len, "system instruction %s, x%u (%s)", name, rt, generic);
	if (read)
		return snprintf(buf, len, "MRS x%u, %s (%s, read)", rt, name, generic);
	return snprintf(buf, len, "MSR %s, x%u (%s, write)", name, rt, generic);
}
