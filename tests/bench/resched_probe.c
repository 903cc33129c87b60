// SPDX-License-Identifier: MIT
/* Rescheduling-point measurement for the zap benchmarks (see resched_probe.h). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "resched_probe.h"

#define MAX_POINTS (1 << 22)

static u32 *tick_word;
static u64 tick_ns, timer_stop, start_ns;
static u64 *gaps, nr_gaps, last_point, requested_at, max_response;
static pthread_t timer;
/*
 * The stretches in the measured thread's own CPU time too: wall time also
 * counts the host descheduling it, which no zap can help.  (Not the wait
 * from a request: reading another thread's CPU clock takes its runqueue
 * lock and disturbs what it measures.)
 */
static u64 last_point_cpu, max_gap_cpu;
/* The requesting thread's own longest stall: a stretch can be no shorter. */
static u64 max_timer_stall;

static u64 clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

u64 bench_now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

/* Busy: a sleeping thread wakes up 50 us late (timer slack), longer than a tick. */
static void *timer_thread(void *p)
{
	u64 next = bench_now_ns() + tick_ns, t, prev = next - tick_ns;

	(void)p;
	while (!__atomic_load_n(&timer_stop, __ATOMIC_RELAXED)) {
		t = bench_now_ns();
		if (t - prev > __atomic_load_n(&max_timer_stall, __ATOMIC_RELAXED))
			__atomic_store_n(&max_timer_stall, t - prev, __ATOMIC_RELAXED);
		prev = t;
		if (t >= next) {
			if (!__atomic_load_n(tick_word, __ATOMIC_RELAXED))
				__atomic_store_n(&requested_at, t, __ATOMIC_RELAXED);
			__atomic_store_n(tick_word, 1, __ATOMIC_RELAXED);
			next = t + tick_ns;
		}
	}
	return NULL;
}

void resched_probe_start(u32 *word, u64 period_ns)
{
	tick_word = word;
	tick_ns = period_ns;
	timer_stop = 0;
	gaps = malloc(MAX_POINTS * sizeof(u64));
	if (!gaps)
		exit(1);
	/* Touched now: a first-touch page fault inside a point would be charged to the zap. */
	memset(gaps, 0, MAX_POINTS * sizeof(u64));
	pthread_create(&timer, NULL, timer_thread, NULL);
}

void resched_probe_stop(void)
{
	__atomic_store_n(&timer_stop, 1, __ATOMIC_RELAXED);
	pthread_join(timer, NULL);
	*tick_word = 0;
	free(gaps);
	gaps = NULL;
}

void resched_probe_begin(void)
{
	nr_gaps = 0;
	max_response = 0;
	max_gap_cpu = 0;
	__atomic_store_n(&max_timer_stall, 0, __ATOMIC_RELAXED);
	__atomic_store_n(tick_word, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&requested_at, 0, __ATOMIC_RELAXED);
	last_point_cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	start_ns = last_point = bench_now_ns();
}

void resched_probe_point(void)
{
	u64 t = bench_now_ns(), req = __atomic_load_n(&requested_at, __ATOMIC_RELAXED);
	u64 cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID);

	__atomic_store_n(tick_word, 0, __ATOMIC_RELAXED);
	if (req && t > req && t - req > max_response)
		max_response = t - req;
	if (cpu - last_point_cpu > max_gap_cpu)
		max_gap_cpu = cpu - last_point_cpu;
	last_point_cpu = cpu;
	if (nr_gaps < MAX_POINTS)
		gaps[nr_gaps++] = t - last_point;
	last_point = t;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

void resched_probe_end(struct resched_stats *out, FILE *trace)
{
	u64 i, at = 0;

	resched_probe_point(); /* the end of the operation closes the last stretch */
	out->total_ns = last_point - start_ns;
	out->points = nr_gaps - 1;
	out->max_response_ns = max_response;
	out->max_gap_cpu_ns = max_gap_cpu;
	out->max_requester_stall_ns = __atomic_load_n(&max_timer_stall, __ATOMIC_RELAXED);
	for (i = 0; trace && i < nr_gaps; i++) {
		at += gaps[i];
		fprintf(trace, "%.3f %.3f\n", (double)at / 1e6, (double)gaps[i] / 1e3);
	}
	qsort(gaps, nr_gaps, sizeof(u64), cmp_u64);
	out->max_gap_ns = gaps[nr_gaps - 1];
	out->gaps_over_50us = 0;
	for (i = 0; i < nr_gaps; i++)
		out->gaps_over_50us += gaps[i] > 50000;
	out->p99_gap_ns = gaps[(nr_gaps * 99) / 100];
}

u64 host_noise_count_ns(u64 duration_ns, u64 *over_50us)
{
	u64 start = bench_now_ns(), prev = start, t, worst = 0;

	*over_50us = 0;
	do {
		t = bench_now_ns();
		if (t - prev > worst)
			worst = t - prev;
		*over_50us += t - prev > 50000;
		prev = t;
	} while (t - start < duration_ns);
	return worst;
}

u64 host_noise_ns(u64 duration_ns)
{
	u64 over;

	return host_noise_count_ns(duration_ns, &over);
}
