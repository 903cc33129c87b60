/* SPDX-License-Identifier: MIT */
/*
 * What kvm/ asks of arch/<arch>/ about the physical machine: its CPUs and
 * free RAM, time and the scheduler tick, interrupts at the hypervisor's
 * level, hypervisor threads, and kicking another CPU.
 *
 * kvm/ never names a register or an instruction; every such detail lives
 * behind the functions of the kvm/arch/ headers, which arch/<arch>/ implements.
 * Unless said otherwise a function acts on the calling physical CPU and may
 * be called with interrupts enabled.
 */
#ifndef KVM_ARCH_CPU_H
#define KVM_ARCH_CPU_H

#include "mmu/types.h"

/*
 * From arch/<arch>/: struct arch_thread, and unsigned int arch_cpu_id(void)
 * (0 .. arch_nr_cpus() - 1, may be inline).
 */
#include "arch_vcpu.h"

/* ---- physical CPUs, memory -------------------------------------------------------- */

unsigned int arch_nr_cpus(void); /* physical CPUs online */

/*
 * RAM nobody uses: fills up to @max ranges, returns how many.  The hypervisor
 * reaches all RAM at its physical address (identity map).
 */
struct arch_ram_range {
	u64 base, size;
};
unsigned int arch_free_ram(struct arch_ram_range *out, unsigned int max);

/* ---- time and the scheduler tick -------------------------------------------------- */

u64 arch_time_ns(void); /* monotonic, same clock on every CPU */

/*
 * Start this CPU's periodic tick: every @period_ns the arch calls
 * kvm_sched_tick() (kvm/sched.c) from interrupt context, whether the CPU
 * was in a guest or in the hypervisor with interrupts enabled.
 */
void arch_tick_start(u64 period_ns);
void kvm_sched_tick(void); /* implemented by kvm/, called by arch/ */

/*
 * Interrupts at the hypervisor's level.  Enabled in hypervisor threads
 * (so a long zap sees the tick), disabled around guest entry and thread
 * switches.  save/restore nest.
 */
unsigned long arch_irq_save(void);
void arch_irq_restore(unsigned long flags);
void arch_irq_enable(void);
/* Idle: wait for an interrupt (which is handled before this returns). */
void arch_wait_for_interrupt(void);

/* ---- hypervisor threads (one per vCPU, one idle thread per CPU) --------------- */

/*
 * Prepare @t to run @fn(@arg) on the stack below @stack_top when first
 * switched to; @fn must never return.
 */
void arch_thread_init(struct arch_thread *t, void *stack_top, void (*fn)(void *), void *arg);
/*
 * Save the calling thread's callee-saved state in @from and continue @to.
 * Returns when something switches back to @from.  Interrupts disabled.
 * @from may be a thread never initialised (the CPU's boot stack becoming
 * its idle thread).
 */
void arch_thread_switch(struct arch_thread *from, struct arch_thread *to);

/* ---- other CPUs --------------------------------------------------------------------- */

/*
 * Make physical CPU @cpu leave the guest (or its wait for an interrupt)
 * soon, so that the vCPU it runs notices new interrupts.  Any context.
 */
void arch_cpu_kick(unsigned int cpu);

#endif
