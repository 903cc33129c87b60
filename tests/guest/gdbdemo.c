// SPDX-License-Identifier: MIT
/*
 * A payload to debug (make debug, tests/gdb/): vCPU 1 spins counting while
 * vCPU 0 calls gdbdemo_compute(3, 7, "demo"), which fills a local array
 * and hands it to gdbdemo_sum().  The verdict is gdbdemo_verdict, which
 * nothing in the program changes: "verdict-set-by-debugger" passes only if
 * a debugger wrote GDBDEMO_MAGIC into it.  Run without a debugger that
 * case fails, which is the point (it is not in the default run set).
 * gdbdemo_hold_ms, if a debugger sets it, keeps vCPU 0 busy (making
 * hypercalls) that long before the call: something to interrupt.
 *
 * Both functions are noinline so that they have frames to break in.  They
 * are built -O2 like the rest: GDB then trusts the compiler's location
 * lists from the first instruction on (it does not skip the prologue), and
 * those place the arguments in x0-x2 there.  The array's address goes to
 * gdbdemo_sum(), so it lives in gdbdemo_compute()'s frame.
 */
#include <stdio.h>

#include "guest.h"

#define GDBDEMO_MAGIC 42
#define GDBDEMO_N     8
#define WAIT_NS	      10000000000ULL

/*
 * In .data, not .bss: a debugger attached before the first instruction may
 * write them, and the start-up code clears .bss after that.
 */
#define GDBDEMO_DATA __attribute__((section(".data")))
volatile int gdbdemo_verdict GDBDEMO_DATA;	   /* the debugger sets it */
volatile unsigned long gdbdemo_spins GDBDEMO_DATA; /* vCPU 1's work */
/* A debugger may make vCPU 0 wait this long before the call (Ctrl-C tests). */
volatile unsigned int gdbdemo_hold_ms GDBDEMO_DATA;
static volatile bool stop_spinning;

__attribute__((noinline)) int gdbdemo_sum(const int *values, int n)
{
	int sum = 0;

	for (int i = 0; i < n; i++)
		sum += values[i];
	return sum;
}

__attribute__((noinline)) int gdbdemo_compute(int base, int scale, const char *tag)
{
	int squares[GDBDEMO_N];
	int i;

	for (i = 0; i < GDBDEMO_N; i++)
		squares[i] = (base + i) * (base + i) * scale;
	printf("gdbdemo: %s: computing\n", tag);
	return gdbdemo_sum(squares, GDBDEMO_N);
}

static void spinner(void *arg)
{
	(void)arg;
	while (!stop_spinning)
		gdbdemo_spins++;
}

void test_main(void)
{
	int expect = 0, got;
	uint64_t t0;

	check("vcpu1-start", guest_cpu_count() >= 2 && guest_cpu_start(1, spinner, NULL) == 0);
	/* Re-read each time: the debugger may end the wait early. */
	for (t0 = hc_time_ns(); hc_time_ns() - t0 < gdbdemo_hold_ms * 1000000ULL;)
		guest_cpu_relax();
	for (int i = 0; i < GDBDEMO_N; i++)
		expect += (3 + i) * (3 + i) * 7;
	got = gdbdemo_compute(3, 7, "demo");
	check("compute", got == expect);
	stop_spinning = true;
	check("vcpu1-off", guest_cpu_wait_off(1, WAIT_NS) == 0);
	printf("gdbdemo: verdict %d, vcpu1 spun %lu times\n", gdbdemo_verdict, gdbdemo_spins);
	check("verdict-set-by-debugger", gdbdemo_verdict == GDBDEMO_MAGIC);
}
