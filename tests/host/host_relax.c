// SPDX-License-Identifier: MIT
/* What mmu/sync.h asks of its environment, for the host build. */
#include <sched.h>

#include "../../mmu/sync.h"

/* The "CPU" a test thread plays (host_set_cpu()); each thread a different one. */
__thread unsigned int host_this_cpu;

/* With more threads than cores, let the holder of what we spin on run. */
void mmu_cpu_relax(void)
{
	sched_yield();
}

unsigned int mmu_this_cpu(void)
{
	return host_this_cpu;
}
