// SPDX-License-Identifier: MIT
/*
 * Weak stand-ins for what kvm/ implements (kvm/arch/cpu.h, stage2.h), so that an
 * image without kvm/ (boot_demo.c, the arch smoke test) still links.
 * kvm/sched.c's strong definitions replace them.
 */
#include "kvm/arch/cpu.h"
#include "kvm/arch/stage2.h"

static const u32 never_resched;

__attribute__((weak)) void kvm_sched_tick(void)
{
}

__attribute__((weak)) const u32 *kvm_need_resched_word(void)
{
	return &never_resched;
}

__attribute__((weak)) void kvm_resched(void)
{
}
