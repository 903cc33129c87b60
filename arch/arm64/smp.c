// SPDX-License-Identifier: MIT
/*
 * Secondary CPU bring-up: PSCI CPU_ON for every CPU the DTB lists, each
 * entering boot/arm64/entry.S:secondary_entry with its logical number in x0,
 * then reporting in from secondary_main().
 */
#include <stdio.h>

#include "arch_priv.h"
#include "mmu/sync.h"
#include "platform.h"
#include "psci.h"
#include "sysreg.h"

/* How long the boot CPU waits for the others to report in. */
#define SMP_TIMEOUT_MS 2000

#define STACK_CANARY 0x5354414b43414e59ULL /* "STAKCANY" */

extern char secondary_entry[];
extern u64 el2_stacks[MAX_CPUS][HYP_STACK_SIZE / sizeof(u64)];
static unsigned int cpus_online = 1;

/* Boot CPU, early: its own stack is far above its canary. */
void arch_stack_canaries_init(void)
{
	for (unsigned int cpu = 0; cpu < MAX_CPUS; cpu++)
		el2_stacks[cpu][0] = STACK_CANARY;
}

bool arch_stack_ok(unsigned int cpu)
{
	return cpu >= MAX_CPUS || READ_ONCE(el2_stacks[cpu][0]) == STACK_CANARY;
}

u64 arch_counter(void)
{
	isb(); /* do not let the read run ahead of earlier instructions */
	return read_sysreg(cntpct_el0);
}

u64 arch_counter_freq(void)
{
	return read_sysreg(cntfrq_el0);
}

void arch_cpu_stop(void)
{
	__asm__ volatile("msr daifset, #0xf" : : : "memory");
	for (;;)
		__asm__ volatile("wfi");
}

static bool start_cpu(unsigned int cpu, u64 mpidr)
{
	s64 ret;

	boot_info.cpu_mpidr[cpu] = mpidr;
	/* Complete the store before the CPU can start and read it. */
	dsb(ish);
	ret = psci_cpu_on(mpidr, (u64)secondary_entry, cpu);
	if (ret != PSCI_SUCCESS) {
		printf("hyp: PSCI CPU_ON for MPIDR 0x%llx failed: %s (%lld)\n",
		       (unsigned long long)mpidr, psci_strerror(ret), (long long)ret);
		return false;
	}
	return true;
}

static void wait_for_cpus(unsigned int expected)
{
	u64 deadline = arch_counter() + arch_counter_freq() * SMP_TIMEOUT_MS / 1000;

	while (__atomic_load_n(&cpus_online, __ATOMIC_ACQUIRE) < expected &&
	       arch_counter() < deadline)
		mmu_cpu_relax();
}

/*
 * Start every CPU of the DTB but ourselves (logical CPU 0), numbering them
 * 1, 2, ... in DTB order, and wait until they have all reported in.
 */
unsigned int smp_boot_secondaries(void)
{
	const struct fdt_platform *fdt = &boot_info.fdt;
	u64 self = read_sysreg(mpidr_el1) & MPIDR_AFF_MASK;
	unsigned int next = 1, online;

	boot_info.cpu_mpidr[0] = self;
	for (unsigned int i = 0; i < fdt->nr_cpus; i++) {
		u64 mpidr = fdt->cpu_mpidr[i] & MPIDR_AFF_MASK;

		if (mpidr == self)
			continue;
		if (next == MAX_CPUS) {
			printf("hyp: only %u CPUs supported; leaving the others off\n", MAX_CPUS);
			break;
		}
		if (start_cpu(next, mpidr))
			next++;
	}
	wait_for_cpus(next);
	online = __atomic_load_n(&cpus_online, __ATOMIC_ACQUIRE);
	if (online < next)
		printf("hyp: only %u of %u CPUs reported in within %u ms\n", online, next,
		       SMP_TIMEOUT_MS);
	return online;
}

void secondary_main(u64 cpu)
{
	arch_cpu_init();
	printf("hyp: cpu%u up (MPIDR 0x%llx)\n", (unsigned int)cpu,
	       (unsigned long long)(read_sysreg(mpidr_el1) & MPIDR_AFF_MASK));
	__atomic_fetch_add(&cpus_online, 1, __ATOMIC_RELEASE);
	hyp_secondary_main(cpu);
}
