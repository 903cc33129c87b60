/* SPDX-License-Identifier: MIT */
/*
 * What kvm/ asks of arch/<arch>/ for a guest's interrupts: the hardware's
 * virtual CPU interface (list registers) and the guest's timers.  Used by
 * the virtual interrupt controller (kvm/devices/vgic.c) and the WFI wait.
 *
 * kvm/ never names a register or an instruction; every such detail lives
 * behind the functions of the kvm/arch/ headers, which arch/<arch>/ implements.
 * Unless said otherwise a function acts on the calling physical CPU and may
 * be called with interrupts enabled.
 */
#ifndef KVM_ARCH_VIRQ_H
#define KVM_ARCH_VIRQ_H

#include "mmu/types.h"

#include "arch_vcpu.h"

/*
 * The hardware holds a few interrupts for the guest at a time (arm64: the
 * GICv3 list registers, IHI 0069 6.2 "The virtual CPU interface"); the guest
 * acknowledges and completes them without exits.  kvm/devices/vgic.c keeps the
 * distributor's state and, before each entry, hands the arch the highest
 * priority ones; after the exit it reads back what the guest did to them.
 */
#define ARCH_VIRQ_PENDING 1
#define ARCH_VIRQ_ACTIVE  2

struct arch_virq {
	u32 intid;
	u8 priority; /* 0 highest */
	u8 state;    /* ARCH_VIRQ_PENDING | ARCH_VIRQ_ACTIVE; 0 once the guest is done */
	bool group1;
	bool notify_eoi; /* exit when the guest deactivates it (level-sensitive resample) */
};

/* How many interrupts one entry can carry (at least 1, at most 16). */
unsigned int arch_vgic_nr_slots(void);
/*
 * Load @n (<= arch_vgic_nr_slots()) interrupts for the next arch_vcpu_run()
 * of @v.  @more: others are waiting that did not fit, so exit once the
 * guest has taken most of these (arm64: underflow and no-pending
 * maintenance interrupts, PPI 25).
 */
void arch_vgic_flush(struct arch_vcpu *v, const struct arch_virq *irqs, unsigned int n, bool more);
/*
 * After arch_vcpu_run(): the interrupts of the last flush, in its order,
 * with the state the guest left them in.  Returns their number.
 */
unsigned int arch_vgic_sync(struct arch_vcpu *v, struct arch_virq *irqs);
/*
 * The guest's CPU interface would signal an interrupt of @priority in
 * @group1 (its priority mask and group enables allow it): a WFI ends.
 */
bool arch_vgic_would_signal(const struct arch_vcpu *v, u8 priority, bool group1);
/* INTIDs of the guest's timers' PPIs (arm64: 27 the virtual timer, 30 the EL1 physical one). */
#define ARCH_VTIMER_INTID 27
#define ARCH_PTIMER_INTID 30
/*
 * The guest's virtual timer output (enabled, unmasked, deadline passed),
 * sampled now; also tells the next arch_vcpu_run() whether the physical
 * interrupt must stay quiet while the guest has the virtual one.
 */
bool arch_vcpu_timer_level(struct arch_vcpu *v);
/* The same for its physical timer (arm64 only: called by vgic.c). */
bool arch_vcpu_ptimer_level(struct arch_vcpu *v);
/* When the first of those outputs rises (arch_time_ns() clock), ~0 if none is armed. */
u64 arch_vcpu_timer_deadline_ns(const struct arch_vcpu *v);

#endif
