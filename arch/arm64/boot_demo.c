// SPDX-License-Identifier: MIT
/*
 * Stand-in hypervisor main for the boot foundation: shows that newlib's
 * printf, 64-bit formats and atomics work on every CPU, then powers off.
 * The demo image's main (make arm64-demo: build/arm64/demo/).
 */
#include <stdio.h>
#include <stdlib.h>

#include "mmu/sync.h"
#include "platform.h"

#define ROUNDS 10000

static struct spinlock demo_lock = SPINLOCK_INIT;
static u64 demo_counter;
static unsigned int demo_started, demo_done;

/* Every CPU hammers one counter under the ticket lock: exclusives must work. */
static void lock_rounds(void)
{
	for (int i = 0; i < ROUNDS; i++) {
		spin_lock(&demo_lock);
		demo_counter++;
		spin_unlock(&demo_lock);
	}
	__atomic_fetch_add(&demo_done, 1, __ATOMIC_RELEASE);
}

void hyp_secondary_main(unsigned int cpu)
{
	(void)cpu;
	while (!__atomic_load_n(&demo_started, __ATOMIC_ACQUIRE))
		mmu_cpu_relax();
	lock_rounds();
	arch_cpu_stop();
}

void hyp_main(void)
{
	unsigned int n = boot_info.nr_cpus;
	u64 want = (u64)ROUNDS * n;

	printf("hyp: printf %%llu works: %llu\n", 12345678901234ULL);
	__atomic_store_n(&demo_started, 1, __ATOMIC_RELEASE);
	lock_rounds();
	while (__atomic_load_n(&demo_done, __ATOMIC_ACQUIRE) < n)
		mmu_cpu_relax();
	printf("hyp: spinlock: %u CPUs x %d rounds = %llu (%s)\n", n, ROUNDS,
	       (unsigned long long)demo_counter, demo_counter == want ? "ok" : "WRONG");
	printf("hyp: all %u CPUs up; powering off\n", n);
	exit(demo_counter == want ? 0 : 1);
}
