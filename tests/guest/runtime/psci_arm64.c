// SPDX-License-Identifier: MIT
/*
 * PSCI calls, and the arch hooks of arch.h that sit on them: starting and
 * stopping vCPUs, and the hypercall instruction itself.
 */
#include "psci_arm64.h"
#include "arch.h"
#include "guest.h"

/* start_arm64.S: PSCI CPU_ON lands there with x0 = context = vCPU index. */
extern char secondary_start[];

#ifdef GUEST_BARE
long bare_hcall(unsigned long id, unsigned long a1, unsigned long a2, unsigned long a3,
		unsigned long a4, unsigned long a5);
#endif

long psci_version(void)
{
	return arm64_hvc(PSCI_VERSION, 0, 0, 0, 0, 0);
}

long psci_cpu_on(unsigned long mpidr, uintptr_t entry, unsigned long context)
{
	return arm64_hvc(PSCI_CPU_ON64, mpidr, entry, context, 0, 0);
}

/* Lowest affinity level only: one vCPU. */
long psci_affinity_info(unsigned long mpidr)
{
	return arm64_hvc(PSCI_AFFINITY_INFO64, mpidr, 0, 0, 0, 0);
}

long psci_cpu_off(void)
{
	return arm64_hvc(PSCI_CPU_OFF, 0, 0, 0, 0, 0);
}

long psci_system_off(void)
{
	return arm64_hvc(PSCI_SYSTEM_OFF, 0, 0, 0, 0, 0);
}

#ifdef GUEST_BARE
/* PSCI is SMCCC owning entity 4 (function ID bits 29:24). */
static int is_psci(unsigned long id)
{
	return ((id >> 24) & 0x3f) == 4;
}
#endif

long arch_hcall(unsigned long id, unsigned long a1, unsigned long a2, unsigned long a3,
		unsigned long a4, unsigned long a5)
{
#ifdef GUEST_BARE
	/* No hypervisor: QEMU would make any non-PSCI HVC an UNDEF. */
	if (!is_psci(id))
		return bare_hcall(id, a1, a2, a3, a4, a5);
#endif
	return arm64_hvc(id, a1, a2, a3, a4, a5);
}

uintptr_t guest_cpu_entry(void)
{
	return (uintptr_t)secondary_start;
}

int arch_cpu_on(unsigned int cpu)
{
	return psci_cpu_on(psci_mpidr(cpu), (uintptr_t)secondary_start, cpu);
}

int arch_cpu_is_off(unsigned int cpu)
{
	long r = psci_affinity_info(psci_mpidr(cpu));

	if (r < 0)
		return r;
	return r == PSCI_AFF_OFF;
}

void arch_cpu_off(void)
{
	psci_cpu_off();
	arch_halt(); /* CPU_OFF only returns on failure */
}

void arch_halt(void)
{
	for (;;)
		__asm__ volatile("wfi");
}

void arch_relax(void)
{
	__asm__ volatile("yield" ::: "memory");
}

unsigned int arch_cpu_index(void)
{
	unsigned long v;

	__asm__ volatile("mrs %0, tpidr_el1" : "=r"(v));
	return v;
}
