// SPDX-License-Identifier: MIT
/* The host tests' spin-loop hint: with more threads than cores, let the holder run. */
#include <sched.h>

#include "../../mmu/sync.h"

void mmu_cpu_relax(void)
{
	sched_yield();
}
