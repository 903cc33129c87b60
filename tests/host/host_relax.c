// SPDX-License-Identifier: MIT
/* What mmu/sync.h asks of its environment, for the host build. */
#include <sched.h>

#include "../../mmu/sync.h"

/* The "CPU" a test thread plays (host_set_cpu()); each thread a different one. */
__thread unsigned int host_this_cpu;

/*
 * Spin politely for a while (the holder is usually running on the other
 * core), then yield: with more threads than cores the holder may be waiting
 * for ours.  Yielding on every call would make every contended lock cost a
 * system call, which is not what a spinning CPU pays.
 */
void mmu_cpu_relax(void)
{
	static __thread unsigned int spins;

	if (++spins % 64 == 0) {
		sched_yield();
		return;
	}
#if defined(__x86_64__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield");
#endif
}

unsigned int mmu_this_cpu(void)
{
	return host_this_cpu;
}
