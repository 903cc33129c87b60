// SPDX-License-Identifier: MIT
/*
 * Stand-in hypervisor main for the x86-64 boot foundation: shows the memory
 * map, that every CPU runs C with newlib (printf from each), what the CPU
 * offers for SVM, that the tick arrives on every CPU, and that the ticket
 * lock holds under contention; then powers off.  The demo image's main
 * (make x86_64-demo: build/x86_64/demo/).
 */
#include <stdio.h>
#include <stdlib.h>

#include "arch_priv.h"
#include "mmu/sync.h"
#include "platform.h"
#include "x86.h"

#define ROUNDS	10000
#define TICK_NS 1000000ULL /* 1 kHz */
#define WAIT_MS 50

static struct spinlock demo_lock = SPINLOCK_INIT;
static u64 demo_counter;
static unsigned int demo_started, demo_done;

static void lock_rounds(void)
{
	for (int i = 0; i < ROUNDS; i++) {
		spin_lock(&demo_lock);
		demo_counter++;
		spin_unlock(&demo_lock);
	}
	__atomic_fetch_add(&demo_done, 1, __ATOMIC_RELEASE);
}

/* Sleep with interrupts on, so that the tick is taken meanwhile. */
static void idle_ms(u64 ms)
{
	u64 end = x86_time_ns() + ms * 1000000;

	while (x86_time_ns() < end)
		__asm__ volatile("sti; hlt; cli" : : : "memory");
}

void hyp_secondary_main(unsigned int cpu)
{
	while (!__atomic_load_n(&demo_started, __ATOMIC_ACQUIRE))
		cpu_relax();
	x86_tick_start(TICK_NS, NULL);
	printf("hyp: cpu%u: hello from APIC ID %u, tick started\n", cpu, this_cpu()->apic_id);
	lock_rounds();
	for (;;)
		__asm__ volatile("sti; hlt" : : : "memory");
}

/* CPUID Fn8000_0001 ECX[2] SVM; Fn8000_000A EDX[0] nested paging (AMD APM vol. 3, E.4). */
static void svm_report(void)
{
	bool svm = false, npt = false;
	struct cpuid_regs r = { 0 };

	if (cpuid_max(0x80000000) >= 0x80000001)
		svm = cpuid(0x80000001, 0).ecx & (1 << 2);
	if (svm && cpuid_max(0x80000000) >= 0x8000000a) {
		r = cpuid(0x8000000a, 0);
		npt = r.edx & (1 << 0);
	}
	printf("hyp: SVM %s, nested paging %s", svm ? "yes" : "no", npt ? "yes" : "no");
	if (svm)
		printf(" (SVM revision %u, %u ASIDs)", r.eax & 0xff, r.ebx);
	printf("\n");
}

void hyp_main(void)
{
	unsigned int n = boot_info.nr_cpus;
	u64 want = (u64)ROUNDS * n, ticks = 0;

	memmap_print(boot_info.handoff);
	printf("hyp: %u CPUs up:", n);
	for (unsigned int i = 0; i < n; i++)
		printf(" cpu%u=APIC %u", i, boot_info.cpu_apic_id[i]);
	printf("\n");
	svm_report();

	x86_tick_start(TICK_NS, NULL);
	__atomic_store_n(&demo_started, 1, __ATOMIC_RELEASE);
	lock_rounds();
	while (__atomic_load_n(&demo_done, __ATOMIC_ACQUIRE) < n)
		cpu_relax();
	printf("hyp: spinlock: %u CPUs x %d rounds = %llu (%s)\n", n, ROUNDS,
	       (unsigned long long)demo_counter, demo_counter == want ? "ok" : "WRONG");

	idle_ms(WAIT_MS);
	printf("hyp: ticks after %d ms at %llu Hz:", WAIT_MS, 1000000000ULL / TICK_NS);
	for (unsigned int i = 0; i < n; i++) {
		u64 t = READ_ONCE(x86_percpu[i].ticks);

		printf(" cpu%u=%llu", i, (unsigned long long)t);
		ticks += !!t;
	}
	printf("\n");
	printf("hyp: all %u CPUs up; powering off\n", n);
	exit(demo_counter == want && ticks == n ? 0 : 1);
}
