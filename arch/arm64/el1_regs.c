// SPDX-License-Identifier: MIT
/*
 * The guest's own system registers that this hypervisor switches per vCPU:
 * everything an EL1 (or EL0) guest can write without a trap, and that the
 * hardware keeps per physical CPU (Arm ARM D1 "The AArch64 System level
 * programmers' model"; each register by name).  Two lists, each expanded
 * once into a load and once into a save: the EL1 context and the
 * self-hosted debug registers (Arm ARM D2 "AArch64 Self-hosted Debug").
 * What is trapped instead, and why, is in sysreg_trap.c and README.md.
 *
 * Lists of macros, not a table of accessor functions: MRS/MSR name their
 * register in the instruction, and the straight-line code costs a fraction
 * of an indirect call per register under QEMU's TCG (measured: a table loop
 * added ~2 us to every exit), where the whole test suite runs.
 *
 * A register that exists only with a feature is listed with that feature's
 * condition (el1_regs_init() reads the hardware's ID registers once: the
 * machine's CPUs are identical), so a missing one is never touched (it
 * would UNDEF at EL2).
 *
 * All of them act on EL1&0 only (E2H = 0), so they may stay loaded while
 * the hypervisor runs, and are reloaded only when another vCPU ran on the
 * CPU (vcpu.c, el1_dirty).  They are saved at every exit: the guest writes
 * them without a trap, and kvm/ reads some (the timers, the vector base).
 * Two exceptions, because they act while the hypervisor runs:
 *   - CNTP_CTL_EL0, the EL1 physical timer's control: enabled, its
 *     interrupt would reach the hypervisor (or, still loaded, fire for the
 *     next guest), so el1_ptimer_out() disables an enabled one at every
 *     exit and el1_ptimer_in() enables it again at every entry.  A disabled
 *     one stays as the guest left it: no write on the common path (a write
 *     makes QEMU reprogram its timer).
 *   - the debug registers while the GDB stub debugs the vCPU: the CPU holds
 *     the debugger's (debug.c), the guest's stay in memory (its accesses
 *     trap, MDCR_EL2.TDE), so they are neither saved nor loaded.
 */
#include "kvm/arch/cpu.h"

#include "arch_priv.h"
#include "sysreg.h"

/* What this CPU has (el1_regs_init()): the conditions of the lists below. */
static bool have_pauth, have_sme, have_ras;
static unsigned int brps, wrps;

/*
 * The EL1 context: X(field of struct arch_el1_regs, register, condition).
 * By encoding where the assembler, told armv8-a, has no name:
 * APIAKeyLo_EL1 ... APGAKeyHi_EL1 are op0 3, op1 0, CRn 2, CRm 1..3;
 * TPIDR2_EL0 is op0 3, op1 3, CRn 13, CRm 0, op2 5; VDISR_EL2 is op0 3,
 * op1 4, CRn 12, CRm 1, op2 1 (with HCR_EL2.AMO set, EL1's DISR_EL1 is
 * VDISR_EL2).  The order does not matter: none of them acts before the
 * ERET's context synchronisation.
 */
#define EL1_REGS(X)                                \
	X(sctlr, sctlr_el1, true)                  \
	X(ttbr0, ttbr0_el1, true)                  \
	X(ttbr1, ttbr1_el1, true)                  \
	X(tcr, tcr_el1, true)                      \
	X(mair, mair_el1, true)                    \
	X(amair, amair_el1, true)                  \
	X(vbar, vbar_el1, true)                    \
	X(elr, elr_el1, true)                      \
	X(spsr, spsr_el1, true)                    \
	X(esr, esr_el1, true)                      \
	X(far, far_el1, true)                      \
	X(afsr0, afsr0_el1, true)                  \
	X(afsr1, afsr1_el1, true)                  \
	X(sp_el1, sp_el1, true)                    \
	X(cpacr, cpacr_el1, true)                  \
	X(contextidr, contextidr_el1, true)        \
	X(tpidr_el0, tpidr_el0, true)              \
	X(tpidr_el1, tpidr_el1, true)              \
	X(tpidrro_el0, tpidrro_el0, true)          \
	X(par, par_el1, true)                      \
	X(csselr, csselr_el1, true)                \
	X(cntkctl, cntkctl_el1, true)              \
	X(cntv_ctl, cntv_ctl_el0, true)            \
	X(cntv_cval, cntv_cval_el0, true)          \
	X(cntp_ctl, cntp_ctl_el0, true)            \
	X(cntp_cval, cntp_cval_el0, true)          \
	X(mdscr, mdscr_el1, true)                  \
	X(pauth_keys[0], S3_0_C2_C1_0, have_pauth) \
	X(pauth_keys[1], S3_0_C2_C1_1, have_pauth) \
	X(pauth_keys[2], S3_0_C2_C1_2, have_pauth) \
	X(pauth_keys[3], S3_0_C2_C1_3, have_pauth) \
	X(pauth_keys[4], S3_0_C2_C2_0, have_pauth) \
	X(pauth_keys[5], S3_0_C2_C2_1, have_pauth) \
	X(pauth_keys[6], S3_0_C2_C2_2, have_pauth) \
	X(pauth_keys[7], S3_0_C2_C2_3, have_pauth) \
	X(pauth_keys[8], S3_0_C2_C3_0, have_pauth) \
	X(pauth_keys[9], S3_0_C2_C3_1, have_pauth) \
	X(tpidr2, S3_3_C13_C0_5, have_sme)         \
	X(vdisr, S3_4_C12_C1_1, have_ras)

/*
 * The debug registers, X(field of struct arch_dbg_regs, register,
 * condition): breakpoint and watchpoint value and control registers
 * DBGBVR<n>/DBGBCR<n>/DBGWVR<n>/DBGWCR<n>_EL1 of the slots the CPU has, the
 * debug communications channel's interrupt enables MDCCINT_EL1, and the OS
 * Double Lock (OSDLR_EL1.DLK).  The OS Lock (written through OSLAR_EL1,
 * read back as OSLSR_EL1.OSLK, bit 1) is two registers and comes after the
 * list.  Both locks stop every debug exception of the CPU while set (Arm
 * ARM D2 "The OS Lock", "The OS Double Lock"): one guest must not hold them
 * for the next, or for the debugger.
 */
#define DBG_SLOT(X, n)                       \
	X(bvr[n], dbgbvr##n##_el1, brps > n) \
	X(bcr[n], dbgbcr##n##_el1, brps > n) \
	X(wvr[n], dbgwvr##n##_el1, wrps > n) \
	X(wcr[n], dbgwcr##n##_el1, wrps > n)

#define DBG_REGS(X)                   \
	X(mdccint, mdccint_el1, true) \
	X(osdlr, osdlr_el1, true)     \
	DBG_SLOT(X, 0)                \
	DBG_SLOT(X, 1)                \
	DBG_SLOT(X, 2)                \
	DBG_SLOT(X, 3)                \
	DBG_SLOT(X, 4)                \
	DBG_SLOT(X, 5)                \
	DBG_SLOT(X, 6)                \
	DBG_SLOT(X, 7)                \
	DBG_SLOT(X, 8)                \
	DBG_SLOT(X, 9)                \
	DBG_SLOT(X, 10)               \
	DBG_SLOT(X, 11)               \
	DBG_SLOT(X, 12)               \
	DBG_SLOT(X, 13)               \
	DBG_SLOT(X, 14)               \
	DBG_SLOT(X, 15)

#define LOAD(field, reg, cond) \
	if (cond)              \
		write_sysreg(reg, r->field);
#define SAVE(field, reg, cond) \
	if (cond)              \
		r->field = read_sysreg(reg);

_Static_assert(ARCH_MAX_DBG_SLOTS == 16, "DBG_REGS lists 16 slots");

/* Boot CPU, once: which registers exist, by the hardware's ID registers (not the guest's view). */
void el1_regs_init(void)
{
	u64 dfr0 = read_sysreg(id_aa64dfr0_el1);

	have_pauth = id_regs_have_pauth();
	have_sme = (read_sysreg(S3_0_C0_C4_1) >> 24) & 0xf;    /* ID_AA64PFR1_EL1.SME */
	have_ras = (read_sysreg(id_aa64pfr0_el1) >> 28) & 0xf; /* ID_AA64PFR0_EL1.RAS */
	brps = ((dfr0 >> 12) & 0xf) + 1;		       /* ID_AA64DFR0_EL1.BRPs */
	wrps = ((dfr0 >> 20) & 0xf) + 1;		       /* ID_AA64DFR0_EL1.WRPs */
}

void el1_dbg_load(const struct arch_dbg_regs *r)
{
	DBG_REGS(LOAD)
	write_sysreg(oslar_el1, r->oslk & 1);
}

static void dbg_save(struct arch_dbg_regs *r)
{
	DBG_REGS(SAVE)
	r->oslk = (read_sysreg(oslsr_el1) >> 1) & 1;
}

void el1_regs_load(const struct arch_vcpu *v)
{
	const struct arch_el1_regs *r = &v->el1;

	EL1_REGS(LOAD)
	if (!v->dbg.on)
		el1_dbg_load(&r->dbg);
}

void el1_regs_save(struct arch_vcpu *v)
{
	struct arch_el1_regs *r = &v->el1;

	EL1_REGS(SAVE)
	if (!v->dbg.on)
		dbg_save(&r->dbg);
}

/* Every entry, after el1_regs_load(): an enabled physical timer runs only while its guest does. */
void el1_ptimer_in(const struct arch_vcpu *v)
{
	if (v->el1.cntp_ctl & CNT_CTL_ENABLE)
		write_sysreg(cntp_ctl_el0, v->el1.cntp_ctl);
}

/* Every exit, after el1_regs_save(), interrupts still masked: stop it (no interrupt, line low). */
void el1_ptimer_out(const struct arch_vcpu *v)
{
	if (v->el1.cntp_ctl & CNT_CTL_ENABLE)
		write_sysreg(cntp_ctl_el0, 0);
}
