// SPDX-License-Identifier: MIT
/*
 * vCPUs (kvm/arch/vcpu.h): reset, entering the guest, registers, injecting
 * exceptions, the per-CPU EL2 set-up.  The register switch itself is in
 * guest_entry.S; this file handles the system registers around it.  Why the
 * guest came back is exits.c's.
 */
#include <stdio.h>
#include <string.h>

#include "kvm/arch/cpu.h"
#include "kvm/arch/stage2.h"
#include "kvm/arch/vcpu.h"

#include "arch_priv.h"
#include "debug.h"
#include "exception.h"
#include "platform.h"
#include "sysreg.h"

/* Vector offsets from VBAR_EL1 for a synchronous exception (Arm ARM D1, "Exception vectors"). */
#define VEC_CUR_SP0   0x000
#define VEC_CUR_SPX   0x200
#define VEC_LOWER_A64 0x400
#define VEC_LOWER_A32 0x600

/* Nothing of the VM's is held by a vCPU here (no shadow roots on arm64). */
void arch_vcpu_release(struct arch_vcpu *v)
{
	(void)v;
}

void arch_vcpu_reset(struct arch_vcpu *v, unsigned int index, u64 entry, u64 arg)
{
	memset(v, 0, sizeof(*v));
	v->pc = entry;
	v->x[0] = arg;
	v->pstate = PSR_MODE_EL1h | PSR_DAIF;
	v->el1.sctlr = SCTLR_EL1_RESET;
	/*
	 * VMPIDR_EL2 is what MPIDR_EL1 reads at EL1 (Arm ARM VMPIDR_EL2): bit 31
	 * RES1, U (30) = 0 multiprocessor, MT (24) = 0; Aff0/Aff1 = index.
	 */
	v->vmpidr = BIT(31) | (index & 0xff) | ((u64)(index >> 8) & 0xff) << 8;
	/* The OS Lock is set by a cold reset (Arm ARM OSLSR_EL1.OSLK): the guest opens it. */
	v->el1.dbg.oslk = 1;
	v->w_load_reg = -1;
	v->el1_dirty = true;
	v->last_cpu = -1;
}

/* The vCPU whose EL1 registers each CPU holds (see struct arch_vcpu.el1_dirty). */
static const struct arch_vcpu *el1_owner[MAX_CPUS];

/* HCR_EL2 while guests may run, with the traps this CPU's features need (arch_init). */
static u64 hcr_guest;

/*
 * Interrupts stay masked from before the guest state is loaded until it is
 * saved again: an interrupt at EL2 in between would run the handler on a CPU
 * with the guest's EL1 registers and VTTBR loaded, and the tick may end in
 * kvm code that looks at them.
 */
void arch_vcpu_run(struct arch_vcpu *v, const struct arch_stage2 *s2, struct vcpu_exit *exit)
{
	unsigned long flags = arch_irq_save();
	unsigned int cpu = arch_cpu_id();
	u64 kind;

	memset(exit, 0, sizeof(*exit));
	v->w_load_reg = -1;
	/*
	 * Skipping the reload is worth more than the ~24 writes: some
	 * implementations flush TLBs on an SCTLR_EL1 or TCR_EL1 write.
	 */
	if (el1_owner[cpu] != v || v->last_cpu != (int)cpu || v->el1_dirty) {
		el1_regs_load(v);
		el1_owner[cpu] = v;
		v->last_cpu = cpu;
		v->el1_dirty = false;
	}
	el1_ptimer_in(v);
	write_sysreg(vmpidr_el2, v->vmpidr);
	write_sysreg(vttbr_el2, (u64)s2->vmid << VTTBR_VMID_SHIFT | s2->root.val);
	/* A timer's PPI stays off while the guest has its virtual one (gic.c). */
	gic_timer_ppi_enable(TIMER_VIRT_PPI, !v->vgic.vtimer_asserted);
	gic_timer_ppi_enable(TIMER_PHYS_PPI, !v->vgic.ptimer_asserted);
	vgic_hw_load(v);
	debug_guest_enter(v, cpu); /* after the EL1 load: it writes MDSCR_EL1 */
	isb();			   /* HCR_EL2 is the guest's already (arch_cpu_init) */

	/*
	 * A read of an ID register (HCR_EL2.TID3) is answered here and the guest
	 * goes on at once: nothing kvm/ would do, and Linux reads hundreds of
	 * them per CPU at boot.  Everything the guest had stays loaded.
	 */
	do {
		kind = __guest_enter(v);
	} while ((kind & 3) == EXC_SYNC && (id_regs_trap(v, read_sysreg(esr_el2)) ||
					    sysreg_trap_emulate(v, read_sysreg(esr_el2))));

	el1_regs_save(v);
	el1_ptimer_out(v);
	debug_guest_exit(v);
	vgic_hw_save(v);
	switch (kind & 3) {
	case EXC_SYNC:
		exit_decode_sync(v, exit);
		break;
	case EXC_IRQ:
	case EXC_FIQ:
		exit->reason = EXIT_IRQ;
		exit->pc = v->pc;
		break;
	default:
		/* SError: ESR_EL2 has EC 0x2f and the syndrome (Arm ARM ESR_EL2). */
		exit->reason = EXIT_UNHANDLED;
		exit->syndrome = read_sysreg(esr_el2);
		exit->pc = v->pc;
		break;
	}
	if (exit->reason == EXIT_IRQ)
		gic_handle_irq();
	arch_irq_restore(flags);
}

u64 arch_vcpu_get_reg(const struct arch_vcpu *v, unsigned int n)
{
	return n < 31 ? v->x[n] : 0;
}

void arch_vcpu_set_reg(struct arch_vcpu *v, unsigned int n, u64 val)
{
	if (n < 31)
		v->x[n] = val;
}

u64 arch_vcpu_hc_arg(const struct arch_vcpu *v, unsigned int n)
{
	return n <= 5 ? v->x[n] : 0;
}

void arch_vcpu_hc_ret(struct arch_vcpu *v, u64 val)
{
	v->x[0] = val;
}

/*
 * HVC and SMC executed at EL0 are UNDEFINED (Arm ARM D1.4; HCR_EL2.TSC
 * traps only EL1's SMC): the guest's EL0 takes its own undefined
 * instruction exception and never reaches us.  Every call we see is EL1's.
 */
bool arch_vcpu_hypercall_allowed(const struct arch_vcpu *v)
{
	(void)v;
	return true;
}

u64 arch_vcpu_pc(const struct arch_vcpu *v)
{
	return v->pc;
}

void arch_vcpu_set_pc(struct arch_vcpu *v, u64 pc)
{
	v->pc = pc;
}

void vcpu_skip(struct arch_vcpu *v)
{
	v->pc += AARCH64_INSN_SIZE;
	v->pstate &= ~PSR_BTYPE_MASK;
}

void arch_vcpu_skip_insn(struct arch_vcpu *v)
{
	/* A load into a W register zero-extends to 64 bits (Arm ARM C6 "LDR", "LDRSH" ...). */
	if (v->w_load_reg >= 0)
		v->x[v->w_load_reg] &= 0xffffffffULL;
	v->w_load_reg = -1;
	vcpu_skip(v);
}

/*
 * Take a synchronous exception to EL1 as the hardware would (Arm ARM D1,
 * "Exception entry"): ELR_EL1 = the faulting pc, SPSR_EL1 = PSTATE, the
 * vector by where it came from, PSTATE = EL1h with D, A, I, F masked.
 */
static void enter_el1_sync(struct arch_vcpu *v, u64 esr)
{
	u64 mode = v->pstate & (PSR_MODE_MASK | PSR_MODE_32);
	u64 offset;

	if (mode == PSR_MODE_EL1h)
		offset = VEC_CUR_SPX;
	else if (mode == PSR_MODE_EL1t)
		offset = VEC_CUR_SP0;
	else if (mode == PSR_MODE_EL0t)
		offset = VEC_LOWER_A64;
	else
		offset = VEC_LOWER_A32;
	v->el1.esr = esr;
	v->el1.elr = v->pc;
	v->el1.spsr = v->pstate;
	v->pstate = PSR_MODE_EL1h | PSR_DAIF;
	v->pc = v->el1.vbar + offset;
	v->w_load_reg = -1;
	v->el1_dirty = true;
}

static bool from_el0(const struct arch_vcpu *v)
{
	return (v->pstate & PSR_MODE_MASK) == PSR_MODE_EL0t;
}

/*
 * ESR_EL1 for the abort (Arm ARM ESR_EL1, EC 0x20/0x21 instruction abort,
 * 0x24/0x25 data abort, lower/same EL): IL = 1 (32-bit instruction), xFSC =
 * 0x10 "synchronous External abort, not on a translation table walk".
 */
void arch_vcpu_inject_abort(struct arch_vcpu *v, bool exec, u64 gva)
{
	u64 ec;

	if (exec)
		ec = from_el0(v) ? EC_IABT_LOW : EC_IABT_CUR;
	else
		ec = from_el0(v) ? EC_DABT_LOW : EC_DABT_CUR;
	v->el1.far = gva;
	enter_el1_sync(v, ec << ESR_EC_SHIFT | ESR_IL | FSC_SEA);
}

/* EC 0x00 "Unknown reason", what an UNDEFINED instruction reports (Arm ARM ESR_EL1). */
void arch_vcpu_inject_undef(struct arch_vcpu *v)
{
	enter_el1_sync(v, (u64)EC_UNKNOWN << ESR_EC_SHIFT | ESR_IL);
}

void arch_vcpu_dump(const struct arch_vcpu *v)
{
	const struct arch_el1_regs *r = &v->el1;

	printf("  pc  0x%016llx  pstate 0x%08llx  vmpidr 0x%llx\n", (unsigned long long)v->pc,
	       (unsigned long long)v->pstate, (unsigned long long)v->vmpidr);
	for (int i = 0; i < 30; i += 2)
		printf("  x%-2d 0x%016llx  x%-2d 0x%016llx\n", i, (unsigned long long)v->x[i],
		       i + 1, (unsigned long long)v->x[i + 1]);
	printf("  x30 0x%016llx  sp_el0 0x%016llx  sp_el1 0x%016llx\n",
	       (unsigned long long)v->x[30], (unsigned long long)v->sp_el0,
	       (unsigned long long)r->sp_el1);
	printf("  ELR_EL1 0x%016llx  SPSR_EL1 0x%08llx  ESR_EL1 0x%08llx  FAR_EL1 0x%016llx\n",
	       (unsigned long long)r->elr, (unsigned long long)r->spsr, (unsigned long long)r->esr,
	       (unsigned long long)r->far);
	printf("  SCTLR_EL1 0x%08llx  TCR_EL1 0x%llx  TTBR0_EL1 0x%llx  VBAR_EL1 0x%llx\n",
	       (unsigned long long)r->sctlr, (unsigned long long)r->tcr,
	       (unsigned long long)r->ttbr0, (unsigned long long)r->vbar);
}

/* ---- per-CPU EL2 set-up ------------------------------------------------------------ */

/* A 4-bit ID register field that says the feature is there (0 and 0xf: it is not). */
static bool id_field(u64 reg, unsigned int shift)
{
	unsigned int f = (reg >> shift) & 0xf;

	return f && f != 0xf;
}

void arch_init(void)
{
	u64 pfr0 = read_sysreg(id_aa64pfr0_el1), mmfr1 = read_sysreg(id_aa64mmfr1_el1);

	stage2_init();
	id_regs_init(); /* after stage2_init: the guest's PARange */
	el1_regs_init();
	/* ID_AA64PFR0_EL1.RAS [31:28], ID_AA64MMFR1_EL1.LO [19:16]: without, the traps are RES0. */
	hcr_guest = HCR_EL2_GUEST | HCR_EL2_ISOLATE | (id_regs_have_pauth() ? HCR_EL2_PAUTH : 0);
	if (id_field(pfr0, 28))
		hcr_guest |= HCR_EL2_TERR;
	if (id_field(mmfr1, 16))
		hcr_guest |= HCR_EL2_TLOR;
	gic_init();
}

/*
 * MDCR_EL2: the guest owns its debug registers (switched, el1_regs.c) but
 * not the PMU, SPE or the trace filter, which are shared by everything on
 * the CPU and hidden from it (id_regs.c): their registers trap
 * (sysreg_trap.c: UNDEF).  HPMN = PMCR_EL0.N, as it was before the traps
 * (HPMN = 0 is CONSTRAINED UNPREDICTABLE before FEAT_HPMN0).
 */
static u64 mdcr_guest(u64 dfr0)
{
	u64 mdcr = 0;

	if (id_field(dfr0, 8)) /* PMUVer */
		mdcr |= ((read_sysreg(pmcr_el0) >> 11) & MDCR_EL2_HPMN_MASK) | MDCR_EL2_TPM |
			MDCR_EL2_TPMCR;
	if (id_field(dfr0, 32)) /* PMSVer */
		mdcr |= MDCR_EL2_TPMS;
	if (id_field(dfr0, 40)) /* TraceFilt */
		mdcr |= MDCR_EL2_TTRF;
	return mdcr;
}

void arch_cpu_init(void)
{
	u64 dfr0 = read_sysreg(id_aa64dfr0_el1), pfr0 = read_sysreg(id_aa64pfr0_el1), mdcr;

	write_sysreg(hcr_el2, hcr_guest);
	stage2_cpu_init();
	/* Trace unit (ID_AA64DFR0_EL1.TraceVer) and AMU (ID_AA64PFR0_EL1.AMU) registers trap. */
	write_sysreg(cptr_el2, CPTR_EL2_BOOT | (id_field(dfr0, 4) ? CPTR_EL2_TTA : 0) |
				       (id_field(pfr0, 44) ? CPTR_EL2_TAM : 0));
	/* The guest sees the physical counter and EL1 timer; its virtual counter equals it. */
	write_sysreg(cnthctl_el2, CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN);
	write_sysreg(cntvoff_el2, 0);
	/* The tick is off until arch_tick_start(); no guest's physical timer is loaded yet. */
	write_sysreg(cnthp_ctl_el2, CNT_CTL_IMASK);
	write_sysreg(cntp_ctl_el0, 0);
	mdcr = mdcr_guest(dfr0);
	write_sysreg(mdcr_el2, mdcr);
	debug_cpu_init(mdcr);
	/* The guest reads our MIDR_EL1 (VPIDR_EL2): it runs on this very CPU model. */
	write_sysreg(vpidr_el2, read_sysreg(midr_el1));
	isb();
	gic_init_cpu(TIMER_HYP_PPI);
}
