/* SPDX-License-Identifier: MIT */
/*
 * Between the files of arch/arm64 that implement kvm/arch_iface.h: per-CPU
 * set-up, the GIC and timer internals, the guest entry.  Not for kvm/.
 */
#ifndef ARCH_ARM64_ARCH_PRIV_H
#define ARCH_ARM64_ARCH_PRIV_H

#include "mmu/types.h"

struct arch_vcpu;
struct exc_frame;

/* The EL2 physical timer's PPI (Arm "Base System Architecture"; the DTB's timer node agrees). */
#define TIMER_HYP_PPI 26

/*
 * Per-CPU EL2 state for running guests and taking the tick, on every CPU
 * before hyp_main()/hyp_secondary_main() (boot.c, smp.c): host HCR_EL2,
 * VTCR_EL2, CNTHCTL/CNTVOFF, CPTR/MDCR, VPIDR, the GIC CPU interface.
 * arch_init() runs once on the boot CPU before any of them.
 */
void arch_init(void);
void arch_cpu_init(void);

void gic_init(void);
void gic_init_cpu(unsigned int intid);
/* Acknowledge, handle and EOI what is pending; interrupts masked. */
void gic_handle_irq(void);
void el2_irq(struct exc_frame *frame);

/* The timer interrupt fired on this CPU: rearm, tell the scheduler. */
void timer_tick_irq(void);

/* VTCR_EL2 for this CPU, from the format stage2.c chose in arch_init(). */
void stage2_init(void);
void stage2_cpu_init(void);

/* guest_entry.S: run the guest until it exits; returns the vector kind (8..11). */
u64 __guest_enter(struct arch_vcpu *v);

#endif
