// SPDX-License-Identifier: MIT
/*
 * Guest-writable state that is not switched per vCPU must not be reachable:
 * its accesses trap to EL2 (the trap bits are set in arch_cpu_init(),
 * sysreg.h says which bit traps what) and are answered here.  Two answers:
 *
 *   RAZ/WI  a register the architecture promises and a guest may touch,
 *           whose physical copy belongs to the machine: ACTLR_EL1 (its
 *           IMPLEMENTATION DEFINED controls) and the RAS error records
 *           (ERRIDR_EL1 reads 0: no records, so ERRSELR_EL1 and ERX* have
 *           nothing to select).  Answered without leaving the guest's
 *           context (sysreg_trap_emulate(), called in arch_vcpu_run()'s
 *           loop as the ID registers are).
 *   UNDEF   a register of a feature the ID registers hide (id_regs.c): the
 *           PMU, SPE, TRBE, the trace unit and filter, the activity
 *           monitors, LORegions, SCXTNUM (FEAT_CSV2_2), MTE, and the
 *           IMPLEMENTATION DEFINED registers (HCR_EL2.TIDCP).  A guest that
 *           believes its ID registers never gets here; one that does not
 *           gets the undefined instruction exception a CPU without the
 *           feature would give (sysreg_trap_undef()), and no log line.
 *
 * Any other trapped access still reaches kvm/ as EXIT_UNHANDLED (logged,
 * then an undef): that is a register nobody decided about yet.
 */
#include "kvm/arch/cpu.h"

#include "arch_priv.h"
#include "sysreg.h"

enum trap_action {
	TRAP_RAZ_WI,
	TRAP_UNDEF
};

#define ANY	0xff /* any op1, or any CRn */
#define OP2_ALL 0xff

/* The encodings op0, op1, CRn (or ANY), CRm in [crm_lo, crm_hi], op2 in the bit set @op2s. */
struct trap_rule {
	u8 op0, op1, crn, crm_lo, crm_hi, op2s;
	u8 action;
};

/* Encodings from the Arm ARM's register descriptions ("Accessing ..."). */
static const struct trap_rule trap_rules[] = {
	/* ACTLR_EL1 (HCR_EL2.TACR) */
	{ 3, 0, 1, 0, 0, BIT(1), TRAP_RAZ_WI },
	/* ERRIDR, ERRSELR (CRm 3), ERXFR ... ERXPFG* (4), ERXMISC0-3 (5) (HCR_EL2.TERR) */
	{ 3, 0, 5, 3, 5, OP2_ALL, TRAP_RAZ_WI },
	/*
	 * PMU (MDCR_EL2.TPM, TPMCR): PMCR ... PMOVSSET (op1 3, CRn 9, CRm
	 * 12-14), PMEVCNTR<n>, PMEVTYPER<n>, PMCCFILTR (op1 3, CRn 14, CRm
	 * 8-15), PMINTENSET/CLR_EL1, PMMIR_EL1 (op1 0, CRn 9, CRm 14).
	 */
	{ 3, 3, 9, 12, 14, OP2_ALL, TRAP_UNDEF },
	{ 3, 3, 14, 8, 15, OP2_ALL, TRAP_UNDEF },
	{ 3, 0, 9, 14, 14, BIT(1) | BIT(2) | BIT(6), TRAP_UNDEF },
	/*
	 * SPE: PMS*_EL1 (CRm 9), PMB*_EL1 (CRm 10) (MDCR_EL2.TPMS, E2PB = 0);
	 * TRBE: TRB*_EL1 (CRm 11, MDCR_EL2.E2TB = 0).
	 */
	{ 3, 0, 9, 9, 11, OP2_ALL, TRAP_UNDEF },
	/* TRFCR_EL1 (MDCR_EL2.TTRF); the trace unit's TRC*, op0 2, op1 1 (CPTR_EL2.TTA) */
	{ 3, 0, 1, 2, 2, BIT(1), TRAP_UNDEF },
	{ 2, 1, ANY, 0, 15, OP2_ALL, TRAP_UNDEF },
	/*
	 * Activity monitors (CPTR_EL2.TAM): AMCR_EL0 ... AMCNTENSET1_EL0 (CRm
	 * 2-3), AMEVCNTR0<n>/AMEVTYPER0<n> (4-7), AMEVCNTR1<n>/AMEVTYPER1<n> (12-15)
	 */
	{ 3, 3, 13, 2, 7, OP2_ALL, TRAP_UNDEF },
	{ 3, 3, 13, 12, 15, OP2_ALL, TRAP_UNDEF },
	/* LORSA, LOREA, LORN, LORC, LORID_EL1 (HCR_EL2.TLOR) */
	{ 3, 0, 10, 4, 4, BIT(0) | BIT(1) | BIT(2) | BIT(3) | BIT(7), TRAP_UNDEF },
	/* SCXTNUM_EL1, SCXTNUM_EL0 (HCR_EL2.EnSCXT = 0) */
	{ 3, 0, 13, 0, 0, BIT(7), TRAP_UNDEF },
	{ 3, 3, 13, 0, 0, BIT(7), TRAP_UNDEF },
	/* MTE: RGSR_EL1, GCR_EL1, TFSR_EL1, TFSRE0_EL1 (HCR_EL2.ATA = 0) */
	{ 3, 0, 1, 0, 0, BIT(5) | BIT(6), TRAP_UNDEF },
	{ 3, 0, 5, 6, 6, BIT(0) | BIT(1), TRAP_UNDEF },
	/* IMPLEMENTATION DEFINED: op0 3, CRn 11 and 15 (HCR_EL2.TIDCP) */
	{ 3, ANY, 11, 0, 15, OP2_ALL, TRAP_UNDEF },
	{ 3, ANY, 15, 0, 15, OP2_ALL, TRAP_UNDEF },
};

/*
 * The rule for a trapped MSR/MRS (ISS of EC 0x18, sysreg.h): Op0 [21:20],
 * Op2 [19:17], Op1 [16:14], CRn [13:10], CRm [4:1].  NULL if none.
 */
static const struct trap_rule *trap_find(u64 esr)
{
	u64 iss = esr & ESR_ISS_MASK;
	unsigned int op0 = (iss >> 20) & 3, op2 = (iss >> 17) & 7, op1 = (iss >> 14) & 7;
	unsigned int crn = (iss >> 10) & 15, crm = (iss >> 1) & 15;

	if (((esr >> ESR_EC_SHIFT) & ESR_EC_MASK) != EC_SYS64)
		return NULL;
	for (unsigned int i = 0; i < sizeof(trap_rules) / sizeof(trap_rules[0]); i++) {
		const struct trap_rule *r = &trap_rules[i];

		if (r->op0 == op0 && (r->op1 == ANY || r->op1 == op1) &&
		    (r->crn == ANY || r->crn == crn) && crm >= r->crm_lo && crm <= r->crm_hi &&
		    (r->op2s & BIT(op2)))
			return r;
	}
	return NULL;
}

bool sysreg_trap_emulate(struct arch_vcpu *v, u64 esr)
{
	const struct trap_rule *r = trap_find(esr);
	unsigned int rt = (esr >> ISS_SYS_RT_SHIFT) & 31;

	if (!r || r->action != TRAP_RAZ_WI)
		return false;
	if ((esr & ISS_SYS_READ) && rt != 31)
		v->x[rt] = 0;
	vcpu_skip(v);
	return true;
}

bool sysreg_trap_undef(u64 esr)
{
	const struct trap_rule *r = trap_find(esr);

	return r && r->action == TRAP_UNDEF;
}
