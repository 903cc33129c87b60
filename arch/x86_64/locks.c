// SPDX-License-Identifier: MIT
/*
 * The two hooks mmu/sync.h asks of its environment, which newlib's locks
 * (lib/newlib_locks.c) use too.
 */
#include "mmu/sync.h"
#include "platform.h"
#include "x86.h"

void mmu_cpu_relax(void)
{
	cpu_relax(); /* PAUSE */
}

/* This CPU's number (from GS): the per-CPU reader slots of struct rwlock, lock owners. */
unsigned int mmu_this_cpu(void)
{
	return arch_cpu_id();
}
