// SPDX-License-Identifier: MIT
/*
 * The two hooks mmu/sync.h asks of its environment, which newlib's locks
 * (lib/newlib_locks.c) use too.
 */
#include "mmu/sync.h"
#include "platform.h"

void mmu_cpu_relax(void)
{
	/* Arm ARM "YIELD": hints that this thread spins; SMT cores run the other. */
	__asm__ volatile("yield" : : : "memory");
}

/* Physical CPU number (TPIDR_EL2): the per-CPU reader slots of struct rwlock, lock owners. */
unsigned int mmu_this_cpu(void)
{
	return arch_cpu_id();
}
