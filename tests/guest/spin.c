// SPDX-License-Identifier: MIT
/*
 * A guest that never gives the CPU back of its own accord: every vCPU spins
 * on plain loads and stores, with no hypercall, no WFI/HLT and no access
 * the hypervisor must emulate, forever.  Only the tick takes it out of the
 * guest.  Run with expect=limit and a short time limit: it passes when the
 * hypervisor ends it at its limit (whichever physical CPU its vCPUs share
 * with the controller) and then goes on to the next VM.
 *
 * Before spinning, vCPU 0 starts the others and says so: one check line, so
 * that a VM which never got its vCPUs running fails instead of passing by
 * spinning alone.  After that the payload reports nothing more; the verdict
 * is the hypervisor's (kvm/runner/verdict.c, "ended-at-time-limit").
 *
 * Bare (GUEST_BARE): never ends either; not run there.
 */
#include "guest.h"

static volatile uint64_t spins[GUEST_MAX_CPUS];
static volatile unsigned int started;

static void __attribute__((noreturn)) spin_forever(unsigned int cpu)
{
	__atomic_fetch_add(&started, 1, __ATOMIC_RELAXED);
	for (;;)
		spins[cpu]++;
}

static void secondary(void *arg)
{
	spin_forever((unsigned int)(uintptr_t)arg);
}

void test_main(void)
{
	unsigned int n = guest_cpu_count(), cpu;
	bool ok = true;

	for (cpu = 1; cpu < n; cpu++)
		ok &= !guest_cpu_start(cpu, secondary, (void *)(uintptr_t)cpu);
	while (__atomic_load_n(&started, __ATOMIC_RELAXED) < n - 1 && ok)
		guest_cpu_relax();
	checkf(ok, "all %u vCPUs spinning", n);
	spin_forever(0);
}
