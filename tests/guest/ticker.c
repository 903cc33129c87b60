// SPDX-License-Identifier: MIT
/*
 * Does a long give-back starve another vCPU?  vCPU 1 reads HC_TIME_NS in a
 * loop and keeps the largest gap between two consecutive reads, while
 * vCPU 0 touches 256 MiB one word per 4 KiB (65536 stage-2 pages) and gives
 * it all back (one long exclusive zap).  Meaningful when the hypervisor puts
 * both vCPUs on one physical CPU: the zap must reach a rescheduling point
 * within a tick or two.  Prints "ticker: max gap <n> us"; passes under
 * 50 ms, a generous bound for a 1-4 ms tick.
 *
 * Bare: there is no zap (the bare give-back is a memset on vCPU 0); the
 * gap is QEMU's own scheduling of its vCPU threads.
 */
#include <stdio.h>

#include "guest.h"

#define TOUCH_SIZE (256UL << 20)
#define GAP_LIMIT_NS 50000000ULL
#define WAIT_NS 10000000000ULL

static bool measuring, stop, done;
static uint64_t max_gap_ns;
static unsigned long samples;

static void measure(void *arg)
{
	uint64_t prev, now, gap = 0;
	unsigned long n = 0;

	(void)arg;
	prev = hc_time_ns();
	__atomic_store_n(&measuring, true, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
		now = hc_time_ns();
		if (now - prev > gap)
			gap = now - prev;
		prev = now;
		n++;
	}
	max_gap_ns = gap;
	samples = n;
	__atomic_store_n(&done, true, __ATOMIC_RELEASE);
}

void test_main(void)
{
	uintptr_t base = guest_free_start(), a;
	uint64_t t0;

	if (!check("ticker-needs-2-vcpus", guest_cpu_count() >= 2))
		return;
	if (!check("vcpu1-cpu-on", guest_cpu_start(1, measure, NULL) == 0))
		return;
	t0 = hc_time_ns();
	while (!__atomic_load_n(&measuring, __ATOMIC_ACQUIRE) && hc_time_ns() - t0 < WAIT_NS)
		guest_cpu_relax();
	if (!check("vcpu1-measuring", __atomic_load_n(&measuring, __ATOMIC_ACQUIRE)))
		return;

	for (a = base; a < base + TOUCH_SIZE; a += GUEST_PAGE_SIZE)
		*(volatile uint64_t *)a = a | 1;
	check("give-back-256M", hc_give_back(base, TOUCH_SIZE) == HC_OK);

	__atomic_store_n(&stop, true, __ATOMIC_RELEASE);
	check("vcpu1-off", guest_cpu_wait_off(1, WAIT_NS) == 0);
	if (!check("vcpu1-done", __atomic_load_n(&done, __ATOMIC_ACQUIRE)))
		return;
	printf("ticker: max gap %llu us\n", (unsigned long long)max_gap_ns / 1000);
	printf("ticker: %lu samples\n", samples);
	/* A gap needs two reads; a few thousand prove the loop ran throughout. */
	check("vcpu1-took-samples", samples > 1);
	check("max-gap-under-50ms", max_gap_ns < GAP_LIMIT_NS);
}
