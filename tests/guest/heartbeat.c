// SPDX-License-Identifier: MIT
/*
 * A neighbour that notices starvation: every vCPU reads HC_TIME_NS in a
 * loop for HEARTBEAT_NS and keeps the largest gap between two consecutive
 * reads.  Run beside something that might hold a physical CPU hostage (a
 * debugger flooding the GDB stub, tests/gdb/flood.sh); with as many vCPUs as
 * there are CPUs, one of them shares a CPU with whatever the hostage-taker
 * runs on.  Passes when every gap stayed under 50 ms, the bound the ticker
 * payload uses for a 1 ms tick (x86: 150 ms, see GAP_LIMIT_NS).  Prints "heartbeat: done" last, so a driver
 * can tell its measurement covered what it did.
 *
 * Bare: the gaps are QEMU's own scheduling of its vCPU threads.
 */
#include <stdio.h>

#include "guest.h"

#define HEARTBEAT_NS 7000000000ULL
#if defined(__x86_64__)
/*
 * x86 boots run QEMU with one TCG thread, which runs a busy CPU until it
 * halts or its kick timer fires every 100 ms (tools/qemu-run.sh): the
 * emulator alone may hold this vCPU's CPU back that long, whatever the
 * hypervisor does.  50 ms beyond that is the hypervisor's share.
 */
#define GAP_LIMIT_NS 150000000ULL
#else
#define GAP_LIMIT_NS 50000000ULL
#endif

static uint64_t max_gap_ns[GUEST_MAX_CPUS];
static unsigned long samples[GUEST_MAX_CPUS];

static void measure(void *arg)
{
	unsigned int cpu = (unsigned int)(uintptr_t)arg;
	uint64_t start = hc_time_ns(), prev = start, now, gap = 0;
	unsigned long n = 0;

	do {
		now = hc_time_ns();
		if (now - prev > gap)
			gap = now - prev;
		prev = now;
		n++;
	} while (now - start < HEARTBEAT_NS);
	max_gap_ns[cpu] = gap;
	__atomic_store_n(&samples[cpu], n, __ATOMIC_RELEASE);
}

void test_main(void)
{
	unsigned int n = guest_cpu_count(), cpu;

	for (cpu = 1; cpu < n; cpu++)
		checkf(guest_cpu_start(cpu, measure, (void *)(uintptr_t)cpu) == 0, "vcpu%u-cpu-on",
		       cpu);
	measure((void *)0);
	for (cpu = 1; cpu < n; cpu++)
		checkf(guest_cpu_wait_off(cpu, 2 * HEARTBEAT_NS) == 0, "vcpu%u-off", cpu);
	for (cpu = 0; cpu < n; cpu++) {
		unsigned long s = __atomic_load_n(&samples[cpu], __ATOMIC_ACQUIRE);

		printf("heartbeat: vCPU %u: max gap %llu us, %lu samples\n", cpu,
		       (unsigned long long)max_gap_ns[cpu] / 1000, s);
		checkf(s > 1 && max_gap_ns[cpu] < GAP_LIMIT_NS, "vcpu%u-max-gap-under-%llums", cpu,
		       GAP_LIMIT_NS / 1000000);
	}
	printf("heartbeat: done\n");
}
