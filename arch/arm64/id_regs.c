// SPDX-License-Identifier: MIT
/*
 * What a guest learns about the CPU: the ID registers of group 3, trapped
 * with HCR_EL2.TID3 and answered here without leaving arch/.
 *
 * HCR_EL2.TID3 traps EL1 reads of every register of the ID space op0 3,
 * op1 0, CRn 0, CRm 1..7 (Arm ARM HCR_EL2.TID3: the AArch32 ID_PFRn,
 * ID_DFRn, ID_AFR0, ID_MMFRn, ID_ISARn, MVFRn and the AArch64 ID_AA64*
 * registers, "and any of the reserved encodings" in that space) with
 * ESR_EL2.EC 0x18.  A trap has to answer all of them, so each of the 56
 * encodings gets a value: computed once at boot (arch_init, the boot CPU;
 * the CPUs of the machine are identical and every vCPU sees one view
 * wherever it runs), indexed by (CRm, op2).
 *
 * Why trap them: a guest believes its ID registers.  It then uses state
 * this hypervisor does not switch between vCPUs, or that stays trapped to
 * EL2 and ends in an undef:
 *   - SVE and SME: Z/P/ZA registers, ZCR_EL1, SMCR_EL1, SVCR, ... are not
 *     switched; CPTR_EL2.TZ and TSM stay set (sysreg.h, CPTR_EL2_BOOT), so a
 *     guest that uses them anyway takes an undef (EC 0x19 / 0x1d become
 *     EXIT_UNHANDLED in kvm/).  ID_AA64PFR0.SVE, ID_AA64PFR1.SME,
 *     ID_AA64ZFR0 and ID_AA64SMFR0 read as zero.
 *   - other features with EL1 registers of their own (MTE's GCR_EL1/RGSR_EL1/
 *     TFSR_EL1, LORegions, MPAM, AMU, SPE, trace, BRBE, LS64's ACCDATA_EL1,
 *     GCS, the FEAT_TCR2/SCTLR2/S1PIE/S1POE registers advertised in
 *     ID_AA64MMFR3) and features that need an EL2 enable or emulation we do
 *     not do (MOPS, WFxT's timeouts, TME, NMI): hidden too.
 *   - EL2 features the guest cannot use at EL1 (NV, FWB, EVT, FGT, VH, HCX,
 *     TWED): hidden so it does not mistake them for its own.
 * AArch64 registers are filtered by a mask of the fields kept (4-bit
 * fields, Arm ARM "Principles of the ID scheme for fields in ID
 * registers": 0 means "not implemented" for every field used here), so a
 * field a later edition defines is hidden until someone looks at it.
 * Registers defined after the ones below (ID_AA64PFR2, ID_AA64FPFR0,
 * ID_AA64DFR2, ID_AA64ISAR3, ID_AA64MMFR3/4) and the implementation
 * defined ID_AA64AFR0/1 read as zero, as do the reserved encodings.
 * The AArch32 registers (used only by an AArch32 EL0) pass through, but
 * for ID_PFR0.AMU.
 *
 * The PMU is hidden too (ID_AA64DFR0.PMUVer, ID_DFR0.PerfMon): its
 * counters and selectors are one set per CPU that MDCR_EL2.TPM/TPMCR now
 * trap; a virtual PMU would have to switch them.
 *
 * Pointer authentication stays visible (ID_AA64ISAR1.APA/API/GPA/GPI,
 * ID_AA64ISAR2.APA3/GPA3): the guest's keys are switched (vcpu.c) and
 * HCR_EL2.API/APK let it use them without traps.
 *
 * ID_AA64MMFR0.PARange is the guest's: the IPA size of its stage 2
 * (stage2.c), not the machine's physical address size, so it never builds
 * stage-1 tables with output addresses stage 2 cannot translate.
 */
#include "kvm/arch/stage2.h"
#include "kvm/arch/vcpu.h"

#include "arch_priv.h"
#include "sysreg.h"

#define ID_CRM_MIN	   1
#define ID_CRM_MAX	   7
#define ID_INDEX(crm, op2) (((crm)-ID_CRM_MIN) * 8 + (op2))

/* A 4-bit ID field at bit @shift (Arm ARM "Principles of the ID scheme"). */
#define F(shift) (0xfULL << (shift))

/*
 * The reserved encodings read as zero at EL1 and above (Arm ARM, "The ID
 * space": op0 3, op1 0, CRn 0, CRm 1..7 unallocated encodings are RAZ), so
 * reading them here would give the same zero; only named registers are read.
 */
struct id_reg_policy {
	u8 crm, op2;
	u64 keep; /* fields passed through from the hardware */
};

static const struct id_reg_policy id_policy[] = {
	/* AArch32 (used by an AArch32 EL0 only): as the hardware says, but ID_PFR0.AMU [23:20]. */
	{ 1, 0, ~F(20) }, /* ID_PFR0_EL1 */
	{ 1, 1, ~0ULL },  /* ID_PFR1_EL1 */
	{ 1, 2, ~F(24) }, /* ID_DFR0_EL1, but PerfMon [27:24]: the PMU traps */
	{ 1, 3, ~0ULL },  /* ID_AFR0_EL1 */
	{ 1, 4, ~0ULL },  /* ID_MMFR0_EL1 */
	{ 1, 5, ~0ULL },  /* ID_MMFR1_EL1 */
	{ 1, 6, ~0ULL },  /* ID_MMFR2_EL1 */
	{ 1, 7, ~0ULL },  /* ID_MMFR3_EL1 */
	{ 2, 0, ~0ULL },  /* ID_ISAR0_EL1 */
	{ 2, 1, ~0ULL },  /* ID_ISAR1_EL1 */
	{ 2, 2, ~0ULL },  /* ID_ISAR2_EL1 */
	{ 2, 3, ~0ULL },  /* ID_ISAR3_EL1 */
	{ 2, 4, ~0ULL },  /* ID_ISAR4_EL1 */
	{ 2, 5, ~0ULL },  /* ID_ISAR5_EL1 */
	{ 2, 6, ~0ULL },  /* ID_MMFR4_EL1 */
	{ 2, 7, ~0ULL },  /* ID_ISAR6_EL1 */
	{ 3, 0, ~0ULL },  /* MVFR0_EL1 */
	{ 3, 1, ~0ULL },  /* MVFR1_EL1 */
	{ 3, 2, ~0ULL },  /* MVFR2_EL1 */
	{ 3, 4, ~0ULL },  /* ID_PFR2_EL1 */
	{ 3, 5, ~0ULL },  /* ID_DFR1_EL1 */
	{ 3, 6, ~0ULL },  /* ID_MMFR5_EL1 */
	/*
	 * ID_AA64PFR0_EL1: EL0..EL3, FP, AdvSIMD, GIC, RAS [31:0], DIT [51:48],
	 * CSV2, CSV3 [63:56].  Hidden: SVE [35:32], SEL2, MPAM, AMU, RME.
	 */
	{ 4, 0, GENMASK(31, 0) | F(48) | F(56) | F(60) },
	/*
	 * ID_AA64PFR1_EL1: BT [3:0] (PSTATE.BTYPE travels in SPSR), SSBS [7:4],
	 * RAS_frac [15:12], CSV2_frac [35:32].  Hidden: MTE [11:8], MPAM_frac,
	 * SME [27:24], RNDR_trap, NMI, MTE_frac, GCS, THE and what follows.
	 */
	{ 4, 1, F(0) | F(4) | F(12) | F(32) },
	/*
	 * ID_AA64DFR0_EL1: DebugVer, BRPs, WRPs, CTX_CMPs, DoubleLock (the
	 * guest owns its debug registers: switched, el1_regs.c).  Hidden,
	 * their registers trapped (MDCR_EL2, CPTR_EL2): PMUVer and MTPMU (the
	 * PMU), TraceVer, PMSS, SEBEP, PMSVer (SPE), TraceFilt, TraceBuffer,
	 * BRBE, ExtTrcBuff, HPMN0.
	 */
	{ 5, 0, F(0) | F(12) | F(20) | F(28) | F(36) },
	/*
	 * ID_AA64ISAR0_EL1: instructions only, AES [7:4] ... Atomic [23:20],
	 * RDM [31:28] ... RNDR [63:60].  Hidden: TME [27:24] (transactional
	 * memory, TSTART ...).  [3:0] is RES0.
	 */
	{ 6, 0, GENMASK(63, 28) | GENMASK(23, 4) },
	/*
	 * ID_AA64ISAR1_EL1: DPB, APA, API, JSCVT, FCMA, LRCPC, GPA, GPI,
	 * FRINTTS, SB, SPECRES, BF16, DGH, I8MM, XS [59:0].  Hidden: LS64 [63:60].
	 */
	{ 6, 1, GENMASK(59, 0) },
	/*
	 * ID_AA64ISAR2_EL1: RPRES [7:4], GPA3 [11:8], APA3 [15:12], BC [23:20],
	 * PAC_frac [27:24], CLRBHB [31:28].  Hidden: WFxT [3:0] (a WFIT traps
	 * to us as a WFI, and its timeout would be lost), MOPS [19:16] (needs
	 * HCRX_EL2.MSCEn), SYSREG_128, SYSINSTR_128 and later fields.
	 */
	{ 6, 2, F(4) | F(8) | F(12) | F(20) | F(24) | F(28) },
	/*
	 * ID_AA64MMFR0_EL1: ASIDBits [7:4] ... ExS [47:44] (granules, ASIDs,
	 * endianness), ECV [63:60].  PARange [3:0] is the guest's, filled in
	 * below.  Hidden: FGT [59:56].  [55:48] is RES0.
	 */
	{ 7, 0, GENMASK(47, 4) | F(60) },
	/*
	 * ID_AA64MMFR1_EL1: HAFDBS, VMIDBits, HPDS, PAN, SpecSEI, XNX, ETS, AFP,
	 * nTLBPA, TIDCP1, CMOW, ECBHB.  Hidden: VH [11:8], LO [19:16]
	 * (LORegions' LORSA_EL1 ... are not switched), TWED [35:32], HCX [43:40].
	 */
	{ 7, 1, ~(F(8) | F(16) | F(32) | F(40)) },
	/*
	 * ID_AA64MMFR2_EL1: CnP, UAO, LSM, IESB, VARange, CCIDX, ST, AT, IDS,
	 * TTL, BBM, E0PD.  Hidden: NV [27:24], FWB [43:40], EVT [59:56].
	 * [47:44] is RES0.
	 */
	{ 7, 2, ~(F(24) | F(40) | F(44) | F(56)) },
};

/*
 * Fields passed on, but not above a level: a later level adds registers
 * that are not switched.  ID_AA64PFR0_EL1.CSV2 [59:56] and
 * ID_AA64PFR1_EL1.CSV2_frac [35:32] at most 1: FEAT_CSV2_2 and
 * FEAT_CSV2_1p2 add SCXTNUM_EL0/EL1, which trap (HCR_EL2.EnSCXT = 0) and
 * UNDEF; level 1 still tells the guest what it needs for its Spectre-v2
 * mitigations.
 */
struct id_field_cap {
	u8 crm, op2, shift, max;
};

static const struct id_field_cap id_caps[] = {
	{ 4, 0, 56, 1 }, /* ID_AA64PFR0_EL1.CSV2 */
	{ 4, 1, 32, 1 }, /* ID_AA64PFR1_EL1.CSV2_frac */
};

static u64 id_view[(ID_CRM_MAX - ID_CRM_MIN + 1) * 8];

/*
 * The hardware value of a named ID register.  MRS needs the encoding in the
 * instruction, hence one case per register (the S3_0_C0_Cm_op2 form every
 * assembler takes, whatever architecture version it is told).
 */
static u64 id_hw_read(unsigned int crm, unsigned int op2)
{
#define ID_CASE(m, o)        \
	case ID_INDEX(m, o): \
		return read_sysreg(S3_0_C0_C##m##_##o)
	switch (ID_INDEX(crm, op2)) {
		ID_CASE(1, 0);
		ID_CASE(1, 1);
		ID_CASE(1, 2);
		ID_CASE(1, 3);
		ID_CASE(1, 4);
		ID_CASE(1, 5);
		ID_CASE(1, 6);
		ID_CASE(1, 7);
		ID_CASE(2, 0);
		ID_CASE(2, 1);
		ID_CASE(2, 2);
		ID_CASE(2, 3);
		ID_CASE(2, 4);
		ID_CASE(2, 5);
		ID_CASE(2, 6);
		ID_CASE(2, 7);
		ID_CASE(3, 0);
		ID_CASE(3, 1);
		ID_CASE(3, 2);
		ID_CASE(3, 4);
		ID_CASE(3, 5);
		ID_CASE(3, 6);
		ID_CASE(4, 0);
		ID_CASE(4, 1);
		ID_CASE(5, 0);
		ID_CASE(6, 0);
		ID_CASE(6, 1);
		ID_CASE(6, 2);
		ID_CASE(7, 0);
		ID_CASE(7, 1);
		ID_CASE(7, 2);
	}
#undef ID_CASE
	return 0;
}

/* ID_AA64MMFR0_EL1.PARange encodings and their widths (Arm ARM ID_AA64MMFR0_EL1). */
static const u8 parange_bits[] = { 32, 36, 40, 42, 44, 48, 52 };

/* The widest PARange encoding whose addresses all fit below @limit. */
static u64 guest_parange(u64 limit)
{
	u64 enc = 0;

	for (unsigned int i = 0; i < sizeof(parange_bits); i++)
		if ((1ULL << parange_bits[i]) <= limit)
			enc = i;
	return enc;
}

/* Boot CPU, once, after stage2_init() (the IPA size). */
void id_regs_init(void)
{
	for (unsigned int i = 0; i < sizeof(id_policy) / sizeof(id_policy[0]); i++) {
		const struct id_reg_policy *p = &id_policy[i];

		id_view[ID_INDEX(p->crm, p->op2)] = id_hw_read(p->crm, p->op2) & p->keep;
	}
	for (unsigned int i = 0; i < sizeof(id_caps) / sizeof(id_caps[0]); i++) {
		const struct id_field_cap *c = &id_caps[i];
		u64 *reg = &id_view[ID_INDEX(c->crm, c->op2)];

		if (((*reg >> c->shift) & 0xf) > c->max)
			*reg = (*reg & ~F(c->shift)) | (u64)c->max << c->shift;
	}
	id_view[ID_INDEX(7, 0)] |= guest_parange(arch_stage2_ipa_limit());
}

/* Pointer authentication of any kind: an address key algorithm or a generic one. */
bool id_regs_have_pauth(void)
{
	u64 isar1 = read_sysreg(S3_0_C0_C6_1); /* ID_AA64ISAR1_EL1 */
	u64 isar2 = read_sysreg(S3_0_C0_C6_2); /* ID_AA64ISAR2_EL1 */

	/* APA [7:4], API [11:8], GPA [27:24], GPI [31:28]; APA3 [15:12], GPA3 [11:8] */
	return (isar1 & (F(4) | F(8) | F(24) | F(28))) || (isar2 & (F(8) | F(12)));
}

/*
 * A trapped EL1 access (ESR_EL2.EC 0x18) to the group 3 ID space: a read
 * gets its value in Xt and the guest continues after the MRS.  False for
 * anything else, writes included (the registers are read-only: the caller
 * reports it and kvm/ injects an undef).
 */
bool id_regs_trap(struct arch_vcpu *v, u64 esr)
{
	u64 iss = esr & ESR_ISS_MASK;
	unsigned int crm = (iss >> ISS_SYS_CRM_SHIFT) & 15;
	unsigned int op2 = (iss >> ISS_SYS_OP2_SHIFT) & 7;
	unsigned int rt = (iss >> ISS_SYS_RT_SHIFT) & 31;

	if (((esr >> ESR_EC_SHIFT) & ESR_EC_MASK) != EC_SYS64 || !(iss & ISS_SYS_READ))
		return false;
	if ((iss & ISS_SYS_MASK & ~(ISS_SYS(0, 0, 0, 15, 7))) != ISS_SYS(3, 0, 0, 0, 0))
		return false;
	if (crm < ID_CRM_MIN || crm > ID_CRM_MAX)
		return false;
	if (rt != 31)
		v->x[rt] = id_view[ID_INDEX(crm, op2)];
	vcpu_skip(v);
	return true;
}
