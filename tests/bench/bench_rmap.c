// SPDX-License-Identifier: MIT
/*
 * Zap latency through the shadow MMU's reverse map (make bench-rmap).
 *
 * A guest maps 4 GiB (1M frames) with 2M pages; the shadow MMU shadows all of
 * it in 4K entries (one rmap entry per frame).  rmap_zap_range() then zaps
 * the 1M frames while a timer thread requests a reschedule every 10 us, as
 * the scheduler tick would: the longest stretch between two rescheduling
 * points, side by side with the same zap with the points disabled (the
 * baseline, measured in the same run).  The host's own stalls are measured
 * too (an empty loop over as long as the zap took): no zap can do better.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../host/test_shadow_env.h"

#define FRAMES (1ULL << 20)
#define TICK_NS 10000ULL
#define MAX_POINTS (1 << 22)

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

static u64 timer_stop;
static u32 *tick_word;		/* the zapping thread's need-resched word */
static u64 *gaps, nr_gaps, last_point, requested_at, max_response;

static void *timer_thread(void *p)
{
	u64 next = now_ns() + TICK_NS, t;

	(void)p;
	while (!__atomic_load_n(&timer_stop, __ATOMIC_RELAXED)) {
		t = now_ns();
		if (t >= next) {
			if (!__atomic_load_n(tick_word, __ATOMIC_RELAXED))
				__atomic_store_n(&requested_at, t, __ATOMIC_RELAXED);
			__atomic_store_n(tick_word, 1, __ATOMIC_RELAXED);
			next = t + TICK_NS;
		}
	}
	return NULL;
}

/* The resched hook: the scheduler ran (nothing else to run here), the request is served. */
static void record_point(void)
{
	u64 t = now_ns(), req = __atomic_load_n(&requested_at, __ATOMIC_RELAXED);

	__atomic_store_n(tick_word, 0, __ATOMIC_RELAXED);
	if (req && t > req && t - req > max_response)
		max_response = t - req;
	if (nr_gaps < MAX_POINTS)
		gaps[nr_gaps++] = t - last_point;
	last_point = t;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* PML4 -> PDPT -> 4 PDs of 512 2M pages: gva 0..4G maps slot 1 (gfn SLOT1_BASE..). */
static u64 build_guest(struct fake_vm *fv)
{
	u64 pml4 = fake_alloc_table(fv), pdpt = fake_alloc_table(fv), pd, i, k;
	u64 bits = PTE64_P | PTE64_RW | PTE64_US | PTE64_A;

	*fake_gpa_ptr(fv, pml4 << 12) = bits | (pdpt << 12);
	for (k = 0; k < FRAMES / (512 * 512); k++) {
		pd = fake_alloc_table(fv);
		*fake_gpa_ptr(fv, (pdpt << 12) + k * 8) = bits | (pd << 12);
		for (i = 0; i < 512; i++)
			*fake_gpa_ptr(fv, (pd << 12) + i * 8) =
				bits | PTE64_PS | PTE64_D | ((SLOT1_BASE + (k * 512 + i) * 512) << 12);
	}
	return pml4 << 12;
}

/* Fault every page in; faults per microsecond. */
static double populate(struct shadow_vcpu *v)
{
	struct shadow_fault out;
	u64 i, t = now_ns();

	for (i = 0; i < FRAMES; i++)
		if (shadow_page_fault(v, i << 12, PFERR_W | PFERR_U, &out) != SHADOW_FAULT_FIXED) {
			fprintf(stderr, "bench_rmap: fault at %llx failed\n", (unsigned long long)i);
			exit(1);
		}
	return (double)FRAMES * 1000.0 / (double)(now_ns() - t);
}

struct zap_result {
	u64 total_ns, max_gap_ns, p99_gap_ns, points, max_response_ns, zapped;
};

static struct zap_result zap_once(struct fake_vm *fv, unsigned int flags)
{
	struct zap_result res = { 0 };
	u64 start;

	nr_gaps = 0;
	__atomic_store_n(tick_word, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&requested_at, 0, __ATOMIC_RELAXED);
	max_response = 0;
	start = last_point = now_ns();
	res.zapped = rmap_zap_range(&fv->sm, SLOT1_BASE, FRAMES, flags);
	record_point();	/* the end of the zap closes the last stretch */
	res.total_ns = now_ns() - start;
	res.points = nr_gaps - 1;
	res.max_response_ns = max_response;
	qsort(gaps, nr_gaps, sizeof(u64), cmp_u64);
	res.max_gap_ns = gaps[nr_gaps - 1];
	res.p99_gap_ns = gaps[(nr_gaps * 99) / 100];
	return res;
}

static u64 host_noise_ns(u64 duration_ns)
{
	u64 start = now_ns(), prev = start, t, worst = 0;

	do {
		t = now_ns();
		if (t - prev > worst)
			worst = t - prev;
		prev = t;
	} while (t - start < duration_ns);
	return worst;
}

static void row(const char *what, double with, double without, const char *goal)
{
	printf("%-44s %12.2f  %-22s %10.2f  %s\n", what, with, "", without, goal);
}

int main(void)
{
	struct fake_vm *fv = fake_vm_create(FRAMES / 512 + 256, FRAMES, 0);
	struct zap_result with, without;
	struct shadow_vcpu v;
	double rate;
	pthread_t timer;
	u64 noise;

	host_set_cpu(0);
	gaps = malloc(MAX_POINTS * sizeof(u64));
	shadow_vcpu_init(&v, &fv->sm, 0, true, true);
	shadow_new_cr3(&v, gpa(build_guest(fv)), NULL);
	tick_word = host_resched_word();
	host_resched_hook = record_point;
	pthread_create(&timer, NULL, timer_thread, NULL);
	rate = populate(&v);
	with = zap_once(fv, 0);
	populate(&v);
	without = zap_once(fv, RMAP_ZAP_NO_RESCHED);
	noise = host_noise_ns(with.total_ns);
	__atomic_store_n(&timer_stop, 1, __ATOMIC_RELAXED);
	pthread_join(timer, NULL);
	host_resched_hook = NULL;
	*tick_word = 0;

	printf("%-44s %12s  %-22s %10s\n", "rmap zap benchmark (host, shadow MMU)", "with points",
	       "", "no points");
	row("zap 1M frames via rmap: longest stretch, us", with.max_gap_ns / 1e3,
	    without.max_gap_ns / 1e3, "goal <= 50 us with points");
	row("  p99 stretch, us", with.p99_gap_ns / 1e3, without.p99_gap_ns / 1e3, "");
	row("  longest wait from a request to its point, us", with.max_response_ns / 1e3,
	    without.max_response_ns / 1e3, "");
	row("  rescheduling points", (double)with.points, (double)without.points, "");
	row("  total, ms", with.total_ns / 1e6, without.total_ns / 1e6, "");
	row("  entries zapped", (double)with.zapped, (double)without.zapped, "");
	printf("    reschedule requested every %.0f us; host noise (longest stall of an empty loop "
	       "over %.1f ms) %.1f us; faults to populate: %.2f/us\n", TICK_NS / 1e3,
	       with.total_ns / 1e6, noise / 1e3, rate);
	shadow_put_root(&v);
	if (fake_vm_destroy(fv))
		printf("    leak: pages or descriptors left after destroy\n");
	free(gaps);
	return 0;
}
