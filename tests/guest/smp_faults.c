// SPDX-License-Identifier: MIT
/*
 * Concurrent stage-2 faults from every vCPU of the VM (the hypervisor runs
 * it with 2 and with 4 vCPUs, the latter on 2 physical CPUs).
 *
 * Phase 1, one shared range: after a barrier all vCPUs walk the same fresh
 * pages in the same order, so they fault on the same page (and the same
 * tables) at the same moment.  Each writes its own word (its own cache
 * line) in every page; after a second barrier each checks every vCPU's word
 * in every page: a vCPU whose fault lost a race and got a page of its own,
 * or a table the winner then replaced, would lose words.
 * Phase 2, disjoint ranges: 3 MiB per vCPU, so neighbours still share the
 * 2 MiB block (and level 2 table) at their edges; again each vCPU checks
 * everybody's pages afterwards.
 * Every word must read zero before its first write (fresh memory).
 *
 * Bare: QEMU's vCPUs run the same code on memory that is simply there, so
 * the cases check the payload and the barriers, not fault handling.
 */
#include <stdio.h>

#include "guest.h"

#define PAGE		 GUEST_PAGE_SIZE
#define SHARED_SIZE	 (16UL << 20)
#define CHUNK_SIZE	 (3UL << 20)
#define WORD_STRIDE	 64 /* vCPU c's word in a shared page: byte c * 64 */
#define START_TIMEOUT_NS 10000000000ULL

struct phase_result {
	unsigned long dirty; /* words not zero before this vCPU's write */
	unsigned long bad;   /* words of any vCPU not as written */
} __attribute__((aligned(64)));

static struct phase_result results[2][GUEST_MAX_CPUS];
static struct guest_barrier barrier;
static unsigned int ncpus;
static uintptr_t shared_base, disjoint_base;
static unsigned int arrived;
static bool go;
static uint64_t phase_ns[2];

/* Never zero; differs per address, vCPU and phase. */
static uint64_t pattern(uintptr_t addr, unsigned int cpu, unsigned int phase)
{
	return (addr * 0x9e3779b97f4a7c15ULL) ^ ((uint64_t)(cpu + 1) << 48) ^
	       ((uint64_t)phase << 60) ^ 1;
}

static volatile uint64_t *word(uintptr_t addr)
{
	return (volatile uint64_t *)addr;
}

static void phase_shared(unsigned int cpu)
{
	struct phase_result *r = &results[0][cpu];
	uintptr_t p, w;
	unsigned int c;

	guest_barrier_wait(&barrier, ncpus);
	for (p = shared_base; p < shared_base + SHARED_SIZE; p += PAGE) {
		w = p + cpu * WORD_STRIDE;
		r->dirty += *word(w) != 0;
		*word(w) = pattern(w, cpu, 1);
	}
	guest_barrier_wait(&barrier, ncpus);
	for (p = shared_base; p < shared_base + SHARED_SIZE; p += PAGE)
		for (c = 0; c < ncpus; c++) {
			w = p + c * WORD_STRIDE;
			r->bad += *word(w) != pattern(w, c, 1);
		}
}

static void phase_disjoint(unsigned int cpu)
{
	struct phase_result *r = &results[1][cpu];
	uintptr_t base = disjoint_base + cpu * CHUNK_SIZE, p;
	unsigned int c;

	guest_barrier_wait(&barrier, ncpus);
	for (p = base; p < base + CHUNK_SIZE; p += PAGE) {
		r->dirty += *word(p) != 0;
		*word(p) = pattern(p, cpu, 2);
	}
	guest_barrier_wait(&barrier, ncpus);
	for (c = 0; c < ncpus; c++) {
		base = disjoint_base + c * CHUNK_SIZE;
		for (p = base; p < base + CHUNK_SIZE; p += PAGE)
			r->bad += *word(p) != pattern(p, c, 2);
	}
	guest_barrier_wait(&barrier, ncpus);
}

/* vCPU 0 times the phases between the barriers everyone passes. */
static void worker(unsigned int cpu)
{
	uint64_t t0 = hc_time_ns();

	phase_shared(cpu);
	if (cpu == 0)
		phase_ns[0] = hc_time_ns() - t0;
	t0 = hc_time_ns();
	phase_disjoint(cpu);
	if (cpu == 0)
		phase_ns[1] = hc_time_ns() - t0;
}

static void secondary(void *arg)
{
	__atomic_add_fetch(&arrived, 1, __ATOMIC_ACQ_REL);
	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		guest_cpu_relax();
	worker((uintptr_t)arg);
}

static void report(unsigned int phase, const char *name, unsigned long pages)
{
	unsigned long dirty = 0, bad = 0;
	unsigned int c;

	for (c = 0; c < ncpus; c++) {
		dirty += results[phase][c].dirty;
		bad += results[phase][c].bad;
	}
	printf("smp_faults: %s: %u vCPUs, %lu pages, %llu ms, %lu not zero, %lu wrong\n", name,
	       ncpus, pages, (unsigned long long)phase_ns[phase] / 1000000, dirty, bad);
	checkf(dirty == 0, "%s-fresh-words-zero", name);
	checkf(bad == 0, "%s-all-vcpus-words-seen", name);
}

void test_main(void)
{
	unsigned int c, started = 1;
	bool all_in;
	uint64_t t0;

	ncpus = guest_cpu_count();
	shared_base = guest_free_start();
	disjoint_base = shared_base + SHARED_SIZE;
	/* With one vCPU nothing here runs concurrently: that is no pass. */
	checkf(ncpus >= 2, "%u-vcpus-at-least-2", ncpus);

	for (c = 1; c < ncpus; c++) {
		int r = guest_cpu_start(c, secondary, (void *)(uintptr_t)c);

		if (!checkf(r == 0, "vcpu%u-cpu-on", c))
			return;
		started++;
	}
	/* A vCPU that never arrives would hang every barrier: give up instead. */
	t0 = hc_time_ns();
	while (__atomic_load_n(&arrived, __ATOMIC_ACQUIRE) < started - 1 &&
	       hc_time_ns() - t0 < START_TIMEOUT_NS)
		guest_cpu_relax();
	all_in = __atomic_load_n(&arrived, __ATOMIC_ACQUIRE) == started - 1;
	if (started > 1 && !check("all-vcpus-running", all_in))
		return;

	__atomic_store_n(&go, true, __ATOMIC_RELEASE);
	worker(0);
	for (c = 1; c < ncpus; c++)
		checkf(guest_cpu_wait_off(c, START_TIMEOUT_NS) == 0, "vcpu%u-off", c);

	report(0, "shared", SHARED_SIZE / PAGE);
	report(1, "disjoint", ncpus * CHUNK_SIZE / PAGE);
}
