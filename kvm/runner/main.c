// SPDX-License-Identifier: MIT
/*
 * hyp_main(): run the guest payloads the boot arguments ask for, print what
 * happened, power off with the verdict.
 *
 * The run= syntax: run_spec.c; the controller that runs it: controller.c;
 * the verdicts and counters: verdict.c.
 */
#include <stdio.h>
#include <stdlib.h>

#include "kvm/arch/console.h"
#include "payloads.h"
#include "runner.h"

#define RCU_BACKLOG_LIMIT 4096

/* Entry points, called by arch/ once every CPU is up (declared there too). */
void hyp_main(void) __attribute__((noreturn));
void hyp_secondary_main(unsigned int cpu) __attribute__((noreturn));

static u32 kvm_ready;

static void kvm_init(void)
{
	unsigned int nr = arch_nr_cpus();
	bool all_shadow = run_spec_init();

	if (host_mem_init() || sched_init(nr) || rcu_init(&kvm_rcu, nr, RCU_BACKLOG_LIMIT)) {
		printf("kvm: cannot initialise (memory)\n");
		exit(2);
	}
	printf("kvm: %u CPUs, %u MiB for guests in 2 MiB chunks, %u payload(s) embedded\n", nr,
	       host_mem_nr_total() * 2, payload_count);
	if (!arch_has_nested_paging() || all_shadow)
		printf("kvm: guest paging: shadow page tables (%s)\n",
		       all_shadow ? "mmu=shadow" : "the CPU has no nested paging");
	__atomic_store_n(&kvm_ready, 1, __ATOMIC_RELEASE);
	arch_tick_start(SCHED_TICK_NS);
	arch_irq_enable();
}

void hyp_main(void)
{
	kvm_init();
	if (run_controller_start()) {
		printf("kvm: cannot start the controller (memory)\n");
		exit(2);
	}
	sched_idle_loop();
}

void hyp_secondary_main(unsigned int cpu)
{
	(void)cpu;
	while (!__atomic_load_n(&kvm_ready, __ATOMIC_ACQUIRE))
		mmu_cpu_relax();
	arch_tick_start(SCHED_TICK_NS);
	arch_irq_enable();
	sched_idle_loop();
}
