// SPDX-License-Identifier: MIT
/*
 * Secondary vCPUs: start one on a function, wait for it to turn off, and a
 * barrier for making several fault at the same moment.
 */
#include "arch.h"
#include "guest.h"

struct cpu_job {
	void (*fn)(void *);
	void *arg;
};

static struct cpu_job jobs[GUEST_MAX_CPUS];

unsigned int guest_cpu_index(void)
{
	return arch_cpu_index();
}

unsigned int guest_cpu_count(void)
{
	long n = hc_vcpu_count();

	if (n < 1)
		return 1;
	return n > GUEST_MAX_CPUS ? GUEST_MAX_CPUS : n;
}

/* The job is published before CPU_ON; the firmware call orders the rest. */
int guest_cpu_start(unsigned int cpu, void (*fn)(void *), void *arg)
{
	if (cpu == 0 || cpu >= GUEST_MAX_CPUS || !fn)
		return HC_EINVAL;
	jobs[cpu].fn = fn;
	jobs[cpu].arg = arg;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return arch_cpu_on(cpu);
}

void runtime_secondary(unsigned int cpu)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	jobs[cpu].fn(jobs[cpu].arg);
	arch_cpu_off();
}

/* Poll sparingly: every poll is an exit that steals time from the others. */
int guest_cpu_wait_off(unsigned int cpu, uint64_t timeout_ns)
{
	uint64_t start = hc_time_ns();
	int r, i;

	for (;;) {
		r = arch_cpu_is_off(cpu);
		if (r != 0)
			return r > 0 ? 0 : r;
		if (hc_time_ns() - start > timeout_ns)
			return -1;
		for (i = 0; i < 1000; i++)
			arch_relax();
	}
}

void guest_barrier_wait(struct guest_barrier *b, unsigned int n)
{
	unsigned int gen = __atomic_load_n(&b->generation, __ATOMIC_ACQUIRE);

	if (__atomic_add_fetch(&b->count, 1, __ATOMIC_ACQ_REL) == n) {
		__atomic_store_n(&b->count, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&b->generation, gen + 1, __ATOMIC_RELEASE);
		return;
	}
	while (__atomic_load_n(&b->generation, __ATOMIC_ACQUIRE) == gen)
		arch_relax();
}

void guest_cpu_relax(void)
{
	arch_relax();
}
