// SPDX-License-Identifier: MIT
/*
 * Time and the scheduler tick, on the Generic Timer (Arm ARM D11 "The
 * Generic Timer in AArch64 state"): CNTPCT_EL0 for time, the EL2 physical
 * timer (CNTHP_*_EL2) for the tick, so the guest keeps its own virtual timer
 * and, through CNTHCTL_EL2, the EL1 physical one.
 */
#include "kvm/arch/cpu.h"

#include "arch_priv.h"
#include "platform.h"
#include "sysreg.h"

#define NSEC_PER_SEC 1000000000ULL

static u64 tick_period[MAX_CPUS]; /* counter ticks; 0 = no tick on that CPU */

u64 arch_time_ns(void)
{
	u64 cnt = arch_counter(), freq = arch_counter_freq();

	/* Split so that neither product overflows (the counter may run for years). */
	return cnt / freq * NSEC_PER_SEC + cnt % freq * NSEC_PER_SEC / freq;
}

/*
 * The timer fires when CNTPCT - CNTHP_CVAL >= 0; writing TVAL sets CVAL to
 * now + TVAL and drops the (level) interrupt line (Arm ARM D11, "Operation
 * of the CompareValue views of the timers").
 */
void arch_tick_start(u64 period_ns)
{
	unsigned int cpu = arch_cpu_id();
	u64 ticks = period_ns * arch_counter_freq() / NSEC_PER_SEC;

	if (!ticks)
		ticks = 1;
	tick_period[cpu] = ticks;
	write_sysreg(cnthp_tval_el2, ticks);
	write_sysreg(cnthp_ctl_el2, CNT_CTL_ENABLE);
	isb();
}

void timer_tick_irq(void)
{
	u64 ticks = tick_period[arch_cpu_id()];

	if (!ticks) {
		/* Not ours to run: mask it so the line drops. */
		write_sysreg(cnthp_ctl_el2, CNT_CTL_ENABLE | CNT_CTL_IMASK);
		isb();
		return;
	}
	/* From now, not from the last deadline: a late tick does not bring a burst. */
	write_sysreg(cnthp_tval_el2, ticks);
	isb();
	kvm_sched_tick();
}
