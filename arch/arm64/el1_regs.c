// SPDX-License-Identifier: MIT
/*
 * The guest's own system registers that this hypervisor switches per vCPU:
 * everything an EL1 (or EL0) guest can write without a trap, and that the
 * hardware keeps per physical CPU (Arm ARM D1 "The AArch64 System level
 * programmers' model"; each register by name).  Two tables of register
 * accessors, walked by one loop each way: the EL1 context and the
 * self-hosted debug registers (Arm ARM D2 "AArch64 Self-hosted Debug").
 * What is trapped instead, and why, is in sysreg_trap.c and README.md.
 *
 * A register that exists only with a feature is in the tables with that
 * feature; el1_regs_init() keeps the ones this CPU has (the machine's CPUs
 * are identical), so a missing one is never touched (it would UNDEF at EL2).
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
#include <stddef.h>

#include "kvm/arch_iface.h"

#include "arch_priv.h"
#include "sysreg.h"

enum el1_need {
	NEED_NONE,
	NEED_PAUTH,	/* FEAT_PAuth: the key registers */
	NEED_SME,	/* FEAT_SME: TPIDR2_EL0 (SME itself stays hidden and trapped) */
	NEED_RAS,	/* FEAT_RAS: VDISR_EL2, what the guest's DISR_EL1 reaches */
	NEED_BP,	/* breakpoint @slot exists (ID_AA64DFR0_EL1.BRPs) */
	NEED_WP,	/* watchpoint @slot exists (ID_AA64DFR0_EL1.WRPs) */
};

struct el1_reg {
	u16 off;		/* in struct arch_el1_regs, or struct arch_dbg_regs */
	u8 need, slot;
	u64 (*read)(void);
	void (*write)(u64 val);
};

/* MRS/MSR name the register in the instruction: one accessor pair each. */
#define SYSREG_RW(id, reg)						\
	static u64 id##_read(void) { return read_sysreg(reg); }	\
	static void id##_write(u64 val) { write_sysreg(reg, val); }

SYSREG_RW(sctlr, sctlr_el1)
SYSREG_RW(ttbr0, ttbr0_el1)
SYSREG_RW(ttbr1, ttbr1_el1)
SYSREG_RW(tcr, tcr_el1)
SYSREG_RW(mair, mair_el1)
SYSREG_RW(amair, amair_el1)
SYSREG_RW(vbar, vbar_el1)
SYSREG_RW(elr, elr_el1)
SYSREG_RW(spsr, spsr_el1)
SYSREG_RW(esr, esr_el1)
SYSREG_RW(far, far_el1)
SYSREG_RW(afsr0, afsr0_el1)
SYSREG_RW(afsr1, afsr1_el1)
SYSREG_RW(sp_el1, sp_el1)
SYSREG_RW(cpacr, cpacr_el1)
SYSREG_RW(contextidr, contextidr_el1)
SYSREG_RW(tpidr_el0, tpidr_el0)
SYSREG_RW(tpidr_el1, tpidr_el1)
SYSREG_RW(tpidrro_el0, tpidrro_el0)
SYSREG_RW(par, par_el1)
SYSREG_RW(csselr, csselr_el1)
SYSREG_RW(cntkctl, cntkctl_el1)
SYSREG_RW(cntv_ctl, cntv_ctl_el0)
SYSREG_RW(cntv_cval, cntv_cval_el0)
SYSREG_RW(cntp_ctl, cntp_ctl_el0)
SYSREG_RW(cntp_cval, cntp_cval_el0)
SYSREG_RW(mdscr, mdscr_el1)
/*
 * By encoding: the assembler is told armv8-a, which has none of these
 * names.  APIAKeyLo_EL1 ... APGAKeyHi_EL1: op0 3, op1 0, CRn 2, CRm 1..3;
 * TPIDR2_EL0: op0 3, op1 3, CRn 13, CRm 0, op2 5; VDISR_EL2: op0 3, op1 4,
 * CRn 12, CRm 1, op2 1 (with HCR_EL2.AMO set, EL1's DISR_EL1 is VDISR_EL2).
 */
SYSREG_RW(apiakeylo, S3_0_C2_C1_0)
SYSREG_RW(apiakeyhi, S3_0_C2_C1_1)
SYSREG_RW(apibkeylo, S3_0_C2_C1_2)
SYSREG_RW(apibkeyhi, S3_0_C2_C1_3)
SYSREG_RW(apdakeylo, S3_0_C2_C2_0)
SYSREG_RW(apdakeyhi, S3_0_C2_C2_1)
SYSREG_RW(apdbkeylo, S3_0_C2_C2_2)
SYSREG_RW(apdbkeyhi, S3_0_C2_C2_3)
SYSREG_RW(apgakeylo, S3_0_C2_C3_0)
SYSREG_RW(apgakeyhi, S3_0_C2_C3_1)
SYSREG_RW(tpidr2, S3_3_C13_C0_5)
SYSREG_RW(vdisr, S3_4_C12_C1_1)

#define EL1(field, id, need) \
	{ offsetof(struct arch_el1_regs, field), need, 0, id##_read, id##_write }

/* The order does not matter: none of them acts before the ERET's context synchronisation. */
static const struct el1_reg el1_table[] = {
	EL1(sctlr, sctlr, NEED_NONE),
	EL1(ttbr0, ttbr0, NEED_NONE),
	EL1(ttbr1, ttbr1, NEED_NONE),
	EL1(tcr, tcr, NEED_NONE),
	EL1(mair, mair, NEED_NONE),
	EL1(amair, amair, NEED_NONE),
	EL1(vbar, vbar, NEED_NONE),
	EL1(elr, elr, NEED_NONE),
	EL1(spsr, spsr, NEED_NONE),
	EL1(esr, esr, NEED_NONE),
	EL1(far, far, NEED_NONE),
	EL1(afsr0, afsr0, NEED_NONE),
	EL1(afsr1, afsr1, NEED_NONE),
	EL1(sp_el1, sp_el1, NEED_NONE),
	EL1(cpacr, cpacr, NEED_NONE),
	EL1(contextidr, contextidr, NEED_NONE),
	EL1(tpidr_el0, tpidr_el0, NEED_NONE),
	EL1(tpidr_el1, tpidr_el1, NEED_NONE),
	EL1(tpidrro_el0, tpidrro_el0, NEED_NONE),
	EL1(par, par, NEED_NONE),
	EL1(csselr, csselr, NEED_NONE),
	EL1(cntkctl, cntkctl, NEED_NONE),
	EL1(cntv_ctl, cntv_ctl, NEED_NONE),
	EL1(cntv_cval, cntv_cval, NEED_NONE),
	EL1(cntp_ctl, cntp_ctl, NEED_NONE),
	EL1(cntp_cval, cntp_cval, NEED_NONE),
	EL1(mdscr, mdscr, NEED_NONE),
	EL1(pauth_keys[0], apiakeylo, NEED_PAUTH),
	EL1(pauth_keys[1], apiakeyhi, NEED_PAUTH),
	EL1(pauth_keys[2], apibkeylo, NEED_PAUTH),
	EL1(pauth_keys[3], apibkeyhi, NEED_PAUTH),
	EL1(pauth_keys[4], apdakeylo, NEED_PAUTH),
	EL1(pauth_keys[5], apdakeyhi, NEED_PAUTH),
	EL1(pauth_keys[6], apdbkeylo, NEED_PAUTH),
	EL1(pauth_keys[7], apdbkeyhi, NEED_PAUTH),
	EL1(pauth_keys[8], apgakeylo, NEED_PAUTH),
	EL1(pauth_keys[9], apgakeyhi, NEED_PAUTH),
	EL1(tpidr2, tpidr2, NEED_SME),
	EL1(vdisr, vdisr, NEED_RAS),
};

/*
 * The debug registers (Arm ARM D2): breakpoint and watchpoint value and
 * control registers DBGBVR<n>/DBGBCR<n>/DBGWVR<n>/DBGWCR<n>_EL1, the debug
 * communications channel's interrupt enables MDCCINT_EL1, the OS Lock
 * (written through OSLAR_EL1, read back as OSLSR_EL1.OSLK, bit 1) and the
 * OS Double Lock (OSDLR_EL1.DLK).  The last two stop every debug exception
 * of the CPU while set (Arm ARM D2 "The OS Lock", "The OS Double Lock"):
 * one guest must not hold them for the next, or for the debugger.
 */
SYSREG_RW(mdccint, mdccint_el1)
SYSREG_RW(osdlr, osdlr_el1)

static u64 oslk_read(void)
{
	return (read_sysreg(oslsr_el1) >> 1) & 1;
}

static void oslk_write(u64 val)
{
	write_sysreg(oslar_el1, val & 1);
}

#define DBG_SLOT(n)						\
	SYSREG_RW(bvr##n, dbgbvr##n##_el1)			\
	SYSREG_RW(bcr##n, dbgbcr##n##_el1)			\
	SYSREG_RW(wvr##n, dbgwvr##n##_el1)			\
	SYSREG_RW(wcr##n, dbgwcr##n##_el1)

DBG_SLOT(0) DBG_SLOT(1) DBG_SLOT(2) DBG_SLOT(3) DBG_SLOT(4) DBG_SLOT(5) DBG_SLOT(6) DBG_SLOT(7)
DBG_SLOT(8) DBG_SLOT(9) DBG_SLOT(10) DBG_SLOT(11) DBG_SLOT(12) DBG_SLOT(13) DBG_SLOT(14)
DBG_SLOT(15)

#define DBG(field, id, need, slot) \
	{ offsetof(struct arch_dbg_regs, field), need, slot, id##_read, id##_write }
#define DBG_ENTRIES(n)					\
	DBG(bvr[n], bvr##n, NEED_BP, n),		\
	DBG(bcr[n], bcr##n, NEED_BP, n),		\
	DBG(wvr[n], wvr##n, NEED_WP, n),		\
	DBG(wcr[n], wcr##n, NEED_WP, n)

static const struct el1_reg dbg_table[] = {
	DBG(mdccint, mdccint, NEED_NONE, 0),
	DBG(oslk, oslk, NEED_NONE, 0),
	DBG(osdlr, osdlr, NEED_NONE, 0),
	DBG_ENTRIES(0), DBG_ENTRIES(1), DBG_ENTRIES(2), DBG_ENTRIES(3),
	DBG_ENTRIES(4), DBG_ENTRIES(5), DBG_ENTRIES(6), DBG_ENTRIES(7),
	DBG_ENTRIES(8), DBG_ENTRIES(9), DBG_ENTRIES(10), DBG_ENTRIES(11),
	DBG_ENTRIES(12), DBG_ENTRIES(13), DBG_ENTRIES(14), DBG_ENTRIES(15),
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The entries of both tables this CPU has, in table order. */
static const struct el1_reg *el1_live[ARRAY_SIZE(el1_table)];
static const struct el1_reg *dbg_live[ARRAY_SIZE(dbg_table)];
static unsigned int nr_el1_live, nr_dbg_live;

struct el1_features {
	bool pauth, sme, ras;
	unsigned int brps, wrps;
};

static bool el1_has(const struct el1_reg *r, const struct el1_features *f)
{
	switch (r->need) {
	case NEED_PAUTH:
		return f->pauth;
	case NEED_SME:
		return f->sme;
	case NEED_RAS:
		return f->ras;
	case NEED_BP:
		return r->slot < f->brps;
	case NEED_WP:
		return r->slot < f->wrps;
	}
	return true;
}

/* Boot CPU, once: which registers exist, from the hardware's ID registers (not the guest's view). */
void el1_regs_init(void)
{
	u64 pfr0 = read_sysreg(id_aa64pfr0_el1), dfr0 = read_sysreg(id_aa64dfr0_el1);
	struct el1_features f = {
		.pauth = id_regs_have_pauth(),
		.sme = (read_sysreg(S3_0_C0_C4_1) >> 24) & 0xf,	/* ID_AA64PFR1_EL1.SME */
		.ras = (pfr0 >> 28) & 0xf,				/* ID_AA64PFR0_EL1.RAS */
		.brps = ((dfr0 >> 12) & 0xf) + 1,			/* ID_AA64DFR0_EL1.BRPs */
		.wrps = ((dfr0 >> 20) & 0xf) + 1,			/* ID_AA64DFR0_EL1.WRPs */
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(el1_table); i++)
		if (el1_has(&el1_table[i], &f))
			el1_live[nr_el1_live++] = &el1_table[i];
	for (i = 0; i < ARRAY_SIZE(dbg_table); i++)
		if (el1_has(&dbg_table[i], &f))
			dbg_live[nr_dbg_live++] = &dbg_table[i];
}

static void regs_load(const struct el1_reg *const *live, unsigned int n, const void *base)
{
	for (unsigned int i = 0; i < n; i++)
		live[i]->write(*(const u64 *)((const char *)base + live[i]->off));
}

static void regs_save(const struct el1_reg *const *live, unsigned int n, void *base)
{
	for (unsigned int i = 0; i < n; i++)
		*(u64 *)((char *)base + live[i]->off) = live[i]->read();
}

void el1_regs_load(const struct arch_vcpu *v)
{
	regs_load(el1_live, nr_el1_live, &v->el1);
	if (!v->dbg.on)
		regs_load(dbg_live, nr_dbg_live, &v->el1.dbg);
}

void el1_regs_save(struct arch_vcpu *v)
{
	regs_save(el1_live, nr_el1_live, &v->el1);
	if (!v->dbg.on)
		regs_save(dbg_live, nr_dbg_live, &v->el1.dbg);
}

void el1_dbg_load(const struct arch_dbg_regs *d)
{
	regs_load(dbg_live, nr_dbg_live, d);
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
