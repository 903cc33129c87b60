/* SPDX-License-Identifier: MIT */
/*
 * Measuring rescheduling points, shared by the zap benchmarks: a thread
 * requests a reschedule every tick by setting the zapping thread's
 * need-resched word; the resched hook (resched_probe_point) serves it and
 * records the stretch since the previous point.
 */
#ifndef TESTS_BENCH_RESCHED_PROBE_H
#define TESTS_BENCH_RESCHED_PROBE_H

#include <stdio.h>

#include "../../mmu/types.h"

struct resched_stats {
	u64 total_ns, max_gap_ns, p99_gap_ns, points, max_response_ns;
	/* In the measured thread's own CPU time (CLOCK_THREAD_CPUTIME_ID). */
	u64 max_gap_cpu_ns;
	u64 gaps_over_50us;	    /* stretches longer than the goal */
	u64 max_requester_stall_ns; /* the requesting thread's own longest stall */
};

u64 bench_now_ns(void);
/* Start requesting a reschedule through @word every @tick_ns, until resched_probe_stop(). */
void resched_probe_start(u32 *word, u64 tick_ns);
void resched_probe_stop(void);
/* Around one measured operation: clears the request and the recorded stretches. */
void resched_probe_begin(void);
/* The resched hook: serves the pending request, ends a stretch. */
void resched_probe_point(void);
/* Close the last stretch and sum up; each stretch to @trace ("ms_since_start us") if not NULL. */
void resched_probe_end(struct resched_stats *out, FILE *trace);
/*
 * The machine's own stalls: the longest gap between two clock reads of a
 * loop doing nothing else, over @duration_ns.
 */
u64 host_noise_ns(u64 duration_ns);
/* The same, also counting the stalls longer than 50 us into *@over_50us. */
u64 host_noise_count_ns(u64 duration_ns, u64 *over_50us);

#endif
