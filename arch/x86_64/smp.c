// SPDX-License-Identifier: MIT
/*
 * Secondary CPU bring-up: INIT-SIPI-SIPI for every CPU the MADT lists
 * (Intel SDM vol. 3A, "MP Initialization Protocol Algorithm for MP
 * Systems"; AMD APM vol. 2, 16.5 "Interprocessor Interrupts"), one at a time
 * through the real-mode trampoline (boot/x86_64/trampoline.S) on the page
 * below 1 MiB the UEFI stub reserved.  Each reports in from secondary_main().
 */
#include <stdio.h>
#include <string.h>

#include "arch_priv.h"
#include "mmu/sync.h"
#include "platform.h"
#include "x86.h"

/* How long the boot CPU waits for each CPU to report in (TCG is slow). */
#define SMP_TIMEOUT_MS 2000

#define STACK_CANARY 0x5354414b43414e59ULL /* "STAKCANY" */

extern char x86_trampoline_start[], x86_trampoline_end[];
extern char x86_secondary_entry[];
extern u64 hyp_stacks[MAX_CPUS][HYP_STACK_SIZE / sizeof(u64)];
static unsigned int cpus_online = 1;

void arch_stack_canaries_init(void)
{
	for (unsigned int cpu = 0; cpu < MAX_CPUS; cpu++)
		hyp_stacks[cpu][0] = STACK_CANARY;
}

bool arch_stack_ok(unsigned int cpu)
{
	return cpu >= MAX_CPUS || READ_ONCE(hyp_stacks[cpu][0]) == STACK_CANARY;
}

void arch_cpu_stop(void)
{
	for (;;)
		__asm__ volatile("cli; hlt" : : : "memory");
}

static bool wait_online(unsigned int n)
{
	u64 deadline = rdtsc_ordered() + boot_info.tsc_hz / 1000 * SMP_TIMEOUT_MS;

	while (__atomic_load_n(&cpus_online, __ATOMIC_ACQUIRE) < n)
		if (rdtsc_ordered() > deadline)
			return false;
	return true;
}

/*
 * INIT, 10 ms, STARTUP, 200 us, STARTUP: the SDM's sequence.  A CPU that
 * already runs ignores the second STARTUP (it only acts in wait-for-SIPI).
 */
static bool start_cpu(unsigned int cpu, u32 apic_id, u8 *page)
{
	u8 vector = (u64)page >> 12;

	*(u64 *)(page + TRAMPOLINE_DATA + TD_STACK) = (u64)hyp_stacks[cpu] + HYP_STACK_SIZE;
	*(u32 *)(page + TRAMPOLINE_DATA + TD_CPU) = cpu;
	boot_info.cpu_apic_id[cpu] = apic_id;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	lapic_send_ipi(apic_id, ICR_INIT);
	udelay(10000);
	lapic_send_ipi(apic_id, ICR_STARTUP | vector);
	udelay(200);
	lapic_send_ipi(apic_id, ICR_STARTUP | vector);
	if (wait_online(cpu + 1))
		return true;
	printf("hyp: CPU with APIC ID %u did not report in within %u ms\n", apic_id,
	       SMP_TIMEOUT_MS);
	lapic_send_ipi(apic_id, ICR_INIT); /* whatever it was doing, stop it */
	return false;
}

/*
 * A CPU we do not start still runs the firmware's AP loop, in memory we
 * know nothing about: INIT puts it in wait-for-SIPI, where it touches nothing.
 */
static void park_cpu(u32 apic_id)
{
	if (apic_id <= 0xff)
		lapic_send_ipi(apic_id, ICR_INIT);
}

/*
 * Start every CPU of the MADT but ourselves (logical CPU 0), numbering them
 * 1, 2, ... in MADT order; returns how many CPUs run (boot CPU included).
 */
unsigned int smp_boot_secondaries(const struct x86_handoff *h)
{
	u8 *page = (u8 *)h->trampoline;
	u32 self = lapic_id();
	unsigned int next = 1;

	boot_info.cpu_apic_id[0] = self;
	if (!page || h->trampoline >= 0x100000 || (h->trampoline & 0xfff)) {
		printf("hyp: no usable AP trampoline page (0x%llx): one CPU\n",
		       (unsigned long long)h->trampoline);
		return 1;
	}
	memcpy(page, x86_trampoline_start, x86_trampoline_end - x86_trampoline_start);
	*(u64 *)(page + TRAMPOLINE_DATA + TD_CR3) = paging_cr3();
	*(u64 *)(page + TRAMPOLINE_DATA + TD_ENTRY) = (u64)x86_secondary_entry;

	for (unsigned int i = 0; i < acpi_info.nr_cpus; i++) {
		if (acpi_info.apic_id[i] == self)
			continue;
		if (next == MAX_CPUS) {
			printf("hyp: only %u CPUs supported; leaving APIC ID %u off\n", MAX_CPUS,
			       acpi_info.apic_id[i]);
			park_cpu(acpi_info.apic_id[i]);
			continue;
		}
		if (acpi_info.apic_id[i] > 0xff) {
			printf("hyp: APIC ID %u needs x2APIC; left off\n", acpi_info.apic_id[i]);
			continue;
		}
		if (start_cpu(next, acpi_info.apic_id[i], page))
			next++;
	}
	return __atomic_load_n(&cpus_online, __ATOMIC_ACQUIRE);
}

void secondary_main(unsigned int cpu)
{
	x86_cpu_init(cpu);
	lapic_cpu_init();
	printf("hyp: cpu%u up (APIC ID %u)\n", cpu, this_cpu()->apic_id);
	__atomic_fetch_add(&cpus_online, 1, __ATOMIC_RELEASE);
	hyp_secondary_main(cpu);
}
