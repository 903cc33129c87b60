/* SPDX-License-Identifier: MIT */
/*
 * Between the files of arch/arm64 that implement kvm/arch/: per-CPU
 * set-up, the GIC and timer internals, the guest entry.  Not for kvm/.
 */
#ifndef ARCH_ARM64_ARCH_PRIV_H
#define ARCH_ARM64_ARCH_PRIV_H

#include "mmu/types.h"

struct arch_vcpu;
struct exc_frame;

/* The EL2 physical timer's PPI (Arm "Base System Architecture"; the DTB's timer node agrees). */
#define TIMER_HYP_PPI 26
/* The EL1 virtual and physical timers' PPIs (same source), a guest's. */
#define TIMER_VIRT_PPI 27
#define TIMER_PHYS_PPI 30
/* The GIC virtual CPU interface's maintenance interrupt (same source; IHI 0069 6.4.5). */
#define VGIC_MAINT_PPI 25
/* The SGI one CPU sends another to make it leave a guest (arch_cpu_kick). */
#define KICK_SGI 1

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

/* Enable or disable this CPU's PPI of a guest timer, TIMER_VIRT_PPI or TIMER_PHYS_PPI (cached). */
void gic_timer_ppi_enable(unsigned int ppi, bool on);

/* vgic_hw.c: the GIC virtual CPU interface around guest entry and exit. */
struct vcpu_exit;
void vgic_hw_init(void);
void vgic_hw_load(struct arch_vcpu *v);
void vgic_hw_save(struct arch_vcpu *v);
bool vgic_hw_trap_sysreg(struct arch_vcpu *v, u64 esr, struct vcpu_exit *exit);

/* The timer interrupt fired on this CPU: rearm, tell the scheduler. */
void timer_tick_irq(void);

/* VTCR_EL2 for this CPU, from the format stage2.c chose in arch_init(). */
void stage2_init(void);
void stage2_cpu_init(void);

/* id_regs.c: the guest's view of the ID registers (HCR_EL2.TID3). */
void id_regs_init(void);
bool id_regs_have_pauth(void);
bool id_regs_trap(struct arch_vcpu *v, u64 esr);

/*
 * el1_regs.c: the guest's system registers, switched per vCPU.  init: boot
 * CPU, once.  load/save: interrupts masked around the guest entry; the debug
 * registers only while the debugger does not own them (@v->dbg.on).
 * el1_dbg_load: a whole set of debug registers into the CPU (the debugger's).
 * el1_ptimer_in/out: the physical timer's control at every entry and exit.
 */
struct arch_dbg_regs;
void el1_regs_init(void);
void el1_regs_load(const struct arch_vcpu *v);
void el1_regs_save(struct arch_vcpu *v);
void el1_dbg_load(const struct arch_dbg_regs *d);
void el1_ptimer_in(const struct arch_vcpu *v);
void el1_ptimer_out(const struct arch_vcpu *v);

/*
 * sysreg_trap.c: trapped guest accesses (ESR_EL2.EC 0x18) to registers that
 * are neither switched nor ID registers.  emulate: the RAZ/WI ones, answered
 * (pc past the access) without leaving the guest's context; true if it was
 * one.  undef: true for the registers of hidden features, to be answered
 * with an undefined instruction exception.
 */
bool sysreg_trap_emulate(struct arch_vcpu *v, u64 esr);
bool sysreg_trap_undef(u64 esr);

/*
 * vcpu.c: step the guest over the instruction it trapped on, as if it had
 * executed (pc + 4, PSTATE.BTYPE 0: it was no branch).
 */
void vcpu_skip(struct arch_vcpu *v);

#define AARCH64_INSN_SIZE 4

/* exits.c: fill @exit from ESR_EL2 after a synchronous exception from the guest. */
void exit_decode_sync(struct arch_vcpu *v, struct vcpu_exit *exit);

/* guest_entry.S: run the guest until it exits; returns the vector kind (8..11). */
u64 __guest_enter(struct arch_vcpu *v);

#endif
