// SPDX-License-Identifier: MIT
/*
 * The debugger's requests for one vCPU (kvm/arch/debug.h, "debugging guests"), recorded
 * the same way on both arches in struct arch_vcpu's dbg: debugged or not, single step,
 * the hardware breakpoint addresses.  Each arch's debug.c applies them at the vCPU's next
 * entry; only the number of breakpoint registers is the arch's.
 */
#include <string.h>

#include "kvm/arch/debug.h"

/* Debugging off forgets the step and the breakpoints: the next debugger starts clean. */
void arch_vcpu_set_debug(struct arch_vcpu *v, bool on)
{
	v->dbg.on = on;
	if (!on) {
		v->dbg.step = false;
		v->dbg.nr_hw = 0;
	}
}

void arch_vcpu_set_single_step(struct arch_vcpu *v, bool on)
{
	v->dbg.step = on;
}

/* More than the CPU has: the first ones only. */
void arch_vcpu_set_hw_breakpoints(struct arch_vcpu *v, const u64 *addrs, unsigned int n)
{
	unsigned int slots = arch_hw_breakpoint_slots();

	if (n > slots)
		n = slots;
	memcpy(v->dbg.hw, addrs, n * sizeof(*addrs));
	v->dbg.nr_hw = n;
}
