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
 *
 * A VM with 2 GiB of RAM or more (option mem=2G) gives back a whole 1 GiB
 * instead: the second GiB of RAM, reached through the probe window
 * (262144 pages, the give-back of the shadow MMU issue).
 */
#include <stdio.h>

#include "guest.h"

#define TOUCH_SIZE   (256UL << 20)
#define BIG_SIZE     (1UL << 30)
#define GAP_LIMIT_NS 50000000ULL
#define WAIT_NS	     10000000000ULL

static bool measuring, stop, done;
/* What vCPU 0 is doing: each gap is charged to the phase it ended in. */
enum phase {
	PHASE_TOUCH,
	PHASE_GIVE_BACK,
	NR_PHASES
};
static int phase;
static uint64_t max_gap_ns[NR_PHASES];
static unsigned long samples;

static void measure(void *arg)
{
	uint64_t prev, now, gap[NR_PHASES] = { 0 };
	unsigned long n = 0;
	int p;

	(void)arg;
	prev = hc_time_ns();
	__atomic_store_n(&measuring, true, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
		now = hc_time_ns();
		p = __atomic_load_n(&phase, __ATOMIC_ACQUIRE);
		if (now - prev > gap[p])
			gap[p] = now - prev;
		prev = now;
		n++;
	}
	for (p = 0; p < NR_PHASES; p++)
		max_gap_ns[p] = gap[p];
	samples = n;
	__atomic_store_n(&done, true, __ATOMIC_RELEASE);
}

/*
 * What vCPU 0 touches and gives back: @va in its address space, @gpa for
 * the give-back (the same unless through the window).
 */
static size_t pick_range(uintptr_t *va, uintptr_t *gpa)
{
	long ram = hc_ram_size();

	*va = *gpa = guest_free_start();
	if (ram < 0 || (unsigned long)ram < 2 * BIG_SIZE)
		return TOUCH_SIZE;
	*gpa = guest_ram_start() + BIG_SIZE;
	*va = guest_map_window(*gpa);
	return *va ? BIG_SIZE : 0;
}

void test_main(void)
{
	uintptr_t base, gpa, a;
	size_t size = pick_range(&base, &gpa);
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

	if (!size) {
		check("window-for-1G", false);
		return;
	}
	for (a = base; a < base + size; a += GUEST_PAGE_SIZE)
		*(volatile uint64_t *)a = a | 1;
	__atomic_store_n(&phase, PHASE_GIVE_BACK, __ATOMIC_RELEASE);
	checkf(hc_give_back(gpa, size) == HC_OK, "give-back-%zuM", size >> 20);

	__atomic_store_n(&stop, true, __ATOMIC_RELEASE);
	check("vcpu1-off", guest_cpu_wait_off(1, WAIT_NS) == 0);
	if (!check("vcpu1-done", __atomic_load_n(&done, __ATOMIC_ACQUIRE)))
		return;
	printf("ticker: max gap %llu us (while vCPU 0 touched %zu MiB: %llu us, while it gave "
	       "them back: %llu us)\n",
	       (unsigned long long)(max_gap_ns[0] > max_gap_ns[1] ? max_gap_ns[0] : max_gap_ns[1]) /
		       1000,
	       size >> 20, (unsigned long long)max_gap_ns[PHASE_TOUCH] / 1000,
	       (unsigned long long)max_gap_ns[PHASE_GIVE_BACK] / 1000);
	printf("ticker: %lu samples\n", samples);
	/* A gap needs two reads; a few thousand prove the loop ran throughout. */
	check("vcpu1-took-samples", samples > 1);
	check("max-gap-under-50ms",
	      max_gap_ns[PHASE_TOUCH] < GAP_LIMIT_NS && max_gap_ns[PHASE_GIVE_BACK] < GAP_LIMIT_NS);
}
