// SPDX-License-Identifier: MIT
/*
 * The GICv3 virtual CPU interface for guests (Arm IHI 0069, chapter 6
 * "Virtual interrupt handling and prioritization", 12.4 "The GIC virtual
 * CPU interface register descriptions"), the virtual timer's level, and
 * the guest's SGI register writes.
 *
 * With HCR_EL2.IMO/FMO set, the guest's ICC_* accesses at EL1 reach the
 * virtual interface (ICV_*), which takes its interrupts from the list
 * registers ICH_LR<n>_EL2: the guest acknowledges, ends and deactivates
 * them without exits.  kvm/devices/vgic.c chooses what goes into them
 * (arch_vgic_flush), this file loads them on entry and reads them back on
 * exit; nothing is left in them while the hypervisor runs (ICH_HCR_EL2.En
 * = 0), so the maintenance interrupt (PPI 25) can only fire for a guest.
 *
 * Registers are written as S<op0>_<op1>_C<n>_C<m>_<op2> (the assembler's
 * generic form), each named in a comment.
 */
#include "kvm/arch/vcpu.h"
#include "kvm/arch/virq.h"

#include "arch_priv.h"
#include "platform.h"
#include "sysreg.h"

/* ICH_HCR_EL2 (IHI 0069 12.4.9): En, UIE (underflow), NPIE (no pending). */
#define ICH_HCR_EN   BIT(0)
#define ICH_HCR_UIE  BIT(1)
#define ICH_HCR_NPIE BIT(3)

/*
 * ICH_LR<n>_EL2 (12.4.12): vINTID 31:0; with HW = 0 bit 41 (EOI) asks
 * for a maintenance interrupt when the guest deactivates it; Priority
 * 55:48, Group 60, HW 61, State 63:62 (01 pending, 10 active, 11 both).
 */
#define ICH_LR_EOI	   BIT(41)
#define ICH_LR_PRIO_SHIFT  48
#define ICH_LR_GROUP	   BIT(60)
#define ICH_LR_STATE_SHIFT 62

/* ICH_VMCR_EL2 (12.4.15): VENG0 bit 0, VENG1 bit 1, VPMR 31:24. */
#define ICH_VMCR_VENG0	    BIT(0)
#define ICH_VMCR_VENG1	    BIT(1)
#define ICH_VMCR_VPMR_SHIFT 24

/* ICH_VTR_EL2 (12.4.16): ListRegs 4:0 (minus one), PREbits 28:26 (minus one). */
#define ICH_VTR_LISTREGS_MASK 0x1f
#define ICH_VTR_PREBITS_SHIFT 26

/*
 * The SGI generation registers (ISS of EC 0x18: sysreg.h) are op0 3, op1 0,
 * CRn 12, CRm 11, op2 5 (ICC_SGI1R_EL1), 6 (ICC_ASGI1R_EL1), 7
 * (ICC_SGI0R_EL1); their EL1 writes trap to EL2 while HCR_EL2.IMO (or FMO)
 * is set, as the virtual interface has no SGI generation of its own (IHI
 * 0069 12.2.22 "ICC_SGI1R_EL1", its traps).
 */
#define ISS_ICC_SGI1R  ISS_SYS(3, 0, 12, 11, 5)
#define ISS_ICC_ASGI1R ISS_SYS(3, 0, 12, 11, 6)
#define ISS_ICC_SGI0R  ISS_SYS(3, 0, 12, 11, 7)

/*
 * ICC_SGI1R_EL1 (12.2.22): TargetList 15:0, Aff1 23:16, INTID 27:24, Aff2
 * 39:32, IRM 40 (all but self), RS 47:44 (TargetList bit n is Aff0 = RS *
 * 16 + n), Aff3 55:48.
 */
#define SGIR_TARGETS_MASK 0xffffULL
#define SGIR_AFF1_SHIFT	  16
#define SGIR_INTID_SHIFT  24
#define SGIR_AFF2_SHIFT	  32
#define SGIR_IRM	  BIT(40)
#define SGIR_RS_SHIFT	  44
#define SGIR_AFF3_SHIFT	  48

static unsigned int vgic_nr_lr;	   /* ICH_VTR_EL2.ListRegs + 1 */
static unsigned int vgic_nr_apr;   /* ICH_AP<g>R<n>_EL2 per group: 1, 2 or 4 */
static unsigned int vgic_pre_bits; /* preemption bits: the active priority's granule */

/* Once, on the boot CPU (every CPU of the machine has the same interface). */
void vgic_hw_init(void)
{
	u64 vtr = read_sysreg(S3_4_C12_C11_1); /* ICH_VTR_EL2 */

	vgic_nr_lr = (vtr & ICH_VTR_LISTREGS_MASK) + 1;
	if (vgic_nr_lr > ARCH_VGIC_MAX_LR)
		vgic_nr_lr = ARCH_VGIC_MAX_LR;
	vgic_pre_bits = ((vtr >> ICH_VTR_PREBITS_SHIFT) & 7) + 1;
	/* 12.4.1/12.4.2: APR1..3 exist only for 6 and 7 preemption bits. */
	vgic_nr_apr = vgic_pre_bits >= 7 ? 4 : vgic_pre_bits == 6 ? 2 : 1;
}

unsigned int arch_vgic_nr_slots(void)
{
	return vgic_nr_lr;
}

/* ---- list registers: one name per index ---- */

#define SYSREG_CASE(n, crm, op2)                                   \
	case n:                                                    \
		if (write)                                         \
			write_sysreg(S3_4_C12_##crm##_##op2, val); \
		else                                               \
			val = read_sysreg(S3_4_C12_##crm##_##op2); \
		break

/* ICH_LR<n>_EL2: n 0-7 at CRm 12, 8-15 at CRm 13, op2 = n % 8. */
static u64 lr_access(unsigned int n, bool write, u64 val)
{
	switch (n) {
		SYSREG_CASE(0, C12, 0);
		SYSREG_CASE(1, C12, 1);
		SYSREG_CASE(2, C12, 2);
		SYSREG_CASE(3, C12, 3);
		SYSREG_CASE(4, C12, 4);
		SYSREG_CASE(5, C12, 5);
		SYSREG_CASE(6, C12, 6);
		SYSREG_CASE(7, C12, 7);
		SYSREG_CASE(8, C13, 0);
		SYSREG_CASE(9, C13, 1);
		SYSREG_CASE(10, C13, 2);
		SYSREG_CASE(11, C13, 3);
		SYSREG_CASE(12, C13, 4);
		SYSREG_CASE(13, C13, 5);
		SYSREG_CASE(14, C13, 6);
		SYSREG_CASE(15, C13, 7);
	}
	return val;
}

/* ICH_AP0R<n>_EL2 at CRm 8, ICH_AP1R<n>_EL2 at CRm 9, op2 = n. */
static u64 apr_access(unsigned int n, bool write, u64 val)
{
	switch (n) {
		SYSREG_CASE(0, C8, 0);
		SYSREG_CASE(1, C8, 1);
		SYSREG_CASE(2, C8, 2);
		SYSREG_CASE(3, C8, 3);
		SYSREG_CASE(4, C9, 0);
		SYSREG_CASE(5, C9, 1);
		SYSREG_CASE(6, C9, 2);
		SYSREG_CASE(7, C9, 3);
	}
	return val;
}

void arch_vgic_flush(struct arch_vcpu *v, const struct arch_virq *irqs, unsigned int n, bool more)
{
	struct arch_vgic_cpu *g = &v->vgic;
	bool any_pending = false;
	unsigned int i;

	if (n > vgic_nr_lr)
		n = vgic_nr_lr;
	for (i = 0; i < n; i++) {
		const struct arch_virq *q = &irqs[i];

		g->lr[i] = q->intid | (u64)q->priority << ICH_LR_PRIO_SHIFT |
			   (q->group1 ? ICH_LR_GROUP : 0) |
			   (u64)(q->state & 3) << ICH_LR_STATE_SHIFT |
			   (q->notify_eoi ? ICH_LR_EOI : 0);
		any_pending |= q->state & ARCH_VIRQ_PENDING;
	}
	g->nr_lr = n;
	/*
	 * Others wait: come back when the list runs low (underflow: at most one
	 * entry valid) or when the guest has taken every pending one (NPIE,
	 * only if one is pending: with only active entries it would fire at
	 * once, and they can only go by the guest's deactivation). 6.4.5.
	 */
	g->hcr = ICH_HCR_EN;
	if (more)
		g->hcr |= ICH_HCR_UIE | (any_pending ? ICH_HCR_NPIE : 0);
}

unsigned int arch_vgic_sync(struct arch_vcpu *v, struct arch_virq *irqs)
{
	const struct arch_vgic_cpu *g = &v->vgic;
	unsigned int i;

	for (i = 0; i < g->nr_lr; i++) {
		u64 lr = g->lr[i];

		irqs[i] = (struct arch_virq){
			.intid = (u32)lr,
			.priority = lr >> ICH_LR_PRIO_SHIFT,
			.state = lr >> ICH_LR_STATE_SHIFT,
			.group1 = lr & ICH_LR_GROUP,
			.notify_eoi = lr & ICH_LR_EOI,
		};
	}
	return g->nr_lr;
}

/*
 * Signalled if its group is enabled, its priority is above the priority
 * mask and above the running priority, the highest active one (6.1.2,
 * 4.8): that is when a WFI of the guest would end.
 */
bool arch_vgic_would_signal(const struct arch_vcpu *v, u8 priority, bool group1)
{
	const struct arch_vgic_cpu *g = &v->vgic;
	unsigned int shift = 8 - vgic_pre_bits, i;
	u32 pmr = (g->vmcr >> ICH_VMCR_VPMR_SHIFT) & 0xff;

	if (!(g->vmcr & (group1 ? ICH_VMCR_VENG1 : ICH_VMCR_VENG0)) || priority >= pmr)
		return false;
	for (i = 0; i < vgic_nr_apr; i++) {
		u32 act = g->ap0r[i] | g->ap1r[i];

		if (act) /* bit k of APR i: group priority (32 * i + k) << shift */
			return (unsigned int)(priority >> shift) < 32 * i + __builtin_ctz(act);
	}
	return true;
}

/* Entry, interrupts masked: the guest's interface and the interrupts kvm chose. */
void vgic_hw_load(struct arch_vcpu *v)
{
	const struct arch_vgic_cpu *g = &v->vgic;
	unsigned int i;

	write_sysreg(S3_4_C12_C11_7, g->vmcr); /* ICH_VMCR_EL2 */
	for (i = 0; i < vgic_nr_apr; i++) {
		apr_access(i, true, g->ap0r[i]);
		apr_access(4 + i, true, g->ap1r[i]);
	}
	for (i = 0; i < g->nr_lr; i++)
		lr_access(i, true, g->lr[i]);
	write_sysreg(S3_4_C12_C11_0, g->hcr); /* ICH_HCR_EL2 */
}

/*
 * Exit, interrupts masked, before the physical interrupt is acknowledged:
 * clearing ICH_HCR_EL2.En drops a maintenance interrupt's level (12.4.9),
 * and the list registers are left empty for the next vCPU.
 */
void vgic_hw_save(struct arch_vcpu *v)
{
	struct arch_vgic_cpu *g = &v->vgic;
	unsigned int i;

	write_sysreg(S3_4_C12_C11_0, 0);       /* ICH_HCR_EL2 */
	g->vmcr = read_sysreg(S3_4_C12_C11_7); /* ICH_VMCR_EL2 */
	for (i = 0; i < vgic_nr_apr; i++) {
		g->ap0r[i] = apr_access(i, false, 0);
		g->ap1r[i] = apr_access(4 + i, false, 0);
	}
	for (i = 0; i < g->nr_lr; i++) {
		g->lr[i] = lr_access(i, false, 0);
		lr_access(i, true, 0);
	}
	isb();
}

/* ---- the guest's SGI register writes ---- */

static u64 sgir_targets(u64 val)
{
	u64 aff1 = (val >> SGIR_AFF1_SHIFT) & 0xff, rs = (val >> SGIR_RS_SHIFT) & 0xf;
	u64 list = val & SGIR_TARGETS_MASK, targets = 0;
	unsigned int bit;

	/* Our vCPUs have Aff3 = Aff2 = 0, Aff1.Aff0 = their index (arch_vcpu_reset). */
	if ((val >> SGIR_AFF2_SHIFT) & 0xff || (val >> SGIR_AFF3_SHIFT) & 0xff)
		return 0;
	for (bit = 0; bit < 16; bit++) {
		u64 index = aff1 << 8 | (rs * 16 + bit);

		if ((list & BIT(bit)) && index < 64)
			targets |= BIT(index);
	}
	return targets;
}

/*
 * A trapped system register access (EC 0x18) that is ours: an SGI
 * register write becomes EXIT_SEND_IPI (pc past it).  False if it is not
 * one of them, or a read (they are write-only: the caller injects undef).
 */
bool vgic_hw_trap_sysreg(struct arch_vcpu *v, u64 esr, struct vcpu_exit *exit)
{
	u64 iss = esr & ESR_ISS_MASK, reg = iss & ISS_SYS_MASK, val;
	unsigned int rt = (iss >> ISS_SYS_RT_SHIFT) & 31;

	if (reg != ISS_ICC_SGI1R && reg != ISS_ICC_ASGI1R && reg != ISS_ICC_SGI0R)
		return false;
	if (iss & ISS_SYS_READ)
		return false;
	val = rt == 31 ? 0 : v->x[rt];
	vcpu_skip(v);
	/* ASGI1R asks for the other Security state's Group 1: with one state there is none. */
	if (reg == ISS_ICC_ASGI1R) {
		exit->reason = EXIT_NONE;
		return true;
	}
	exit->reason = EXIT_SEND_IPI;
	exit->ipi_intid = (val >> SGIR_INTID_SHIFT) & 0xf;
	exit->ipi_broadcast = val & SGIR_IRM;
	exit->ipi_targets = exit->ipi_broadcast ? 0 : sgir_targets(val);
	return true;
}

/* ---- the guest's timers (Arm ARM D11 "The Generic Timer", CNTV_CTL_EL0, CNTP_CTL_EL0) ---- */

#define NSEC_PER_SEC 1000000000ULL

/*
 * A timer's output: enabled, not masked, its compare value reached.
 * CNTVOFF_EL2 is 0 (arch_cpu_init): the virtual count is the physical one,
 * so both timers compare against the same counter.
 */
static bool timer_fires(u64 ctl, u64 cval)
{
	return (ctl & CNT_CTL_ENABLE) && !(ctl & CNT_CTL_IMASK) && arch_counter() >= cval;
}

bool arch_vcpu_timer_level(struct arch_vcpu *v)
{
	v->vgic.vtimer_asserted = timer_fires(v->el1.cntv_ctl, v->el1.cntv_cval);
	return v->vgic.vtimer_asserted;
}

bool arch_vcpu_ptimer_level(struct arch_vcpu *v)
{
	v->vgic.ptimer_asserted = timer_fires(v->el1.cntp_ctl, v->el1.cntp_cval);
	return v->vgic.ptimer_asserted;
}

static u64 timer_deadline_ns(u64 ctl, u64 cval)
{
	u64 freq = arch_counter_freq();

	if (!(ctl & CNT_CTL_ENABLE) || (ctl & CNT_CTL_IMASK) || cval / freq > 1ULL << 33)
		return ~0ULL;
	return cval / freq * NSEC_PER_SEC + cval % freq * NSEC_PER_SEC / freq;
}

u64 arch_vcpu_timer_deadline_ns(const struct arch_vcpu *v)
{
	u64 virt = timer_deadline_ns(v->el1.cntv_ctl, v->el1.cntv_cval);
	u64 phys = timer_deadline_ns(v->el1.cntp_ctl, v->el1.cntp_cval);

	return virt < phys ? virt : phys;
}
