// SPDX-License-Identifier: MIT
/*
 * Weak stand-ins for what kvm/ implements (kvm/arch/cpu.h, stage2.h), so that an
 * image without kvm/ (boot_demo.c, the arch smoke test) still links.
 * kvm/sched.c's strong definitions replace them.
 */
#include "kvm/arch/cpu.h"
#include "kvm/arch/stage2.h"

__attribute__((weak)) void kvm_sched_tick(void)
{
}
