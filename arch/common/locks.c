// SPDX-License-Identifier: MIT
/*
 * The two hooks mmu/sync.h asks of its environment, which newlib's locks
 * (arch/common/newlib_locks.c) use too.
 */
#include "mmu/sync.h"
#include "platform.h"

/* The arch's spin-wait hint (arm64 YIELD, x86 PAUSE). */
void mmu_cpu_relax(void)
{
	arch_cpu_relax();
}

/* This CPU's number: the per-CPU reader slots of struct rwlock, lock owners. */
unsigned int mmu_this_cpu(void)
{
	return arch_cpu_id();
}
