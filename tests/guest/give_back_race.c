// SPDX-License-Identifier: MIT
/*
 * Give-backs racing with each other and with faults, in two VMs at once.
 *
 * Every vCPU of this VM, in rounds: writes its own word in every page of a
 * shared region, gives back a range of it that overlaps the other vCPUs'
 * ranges (2 MiB aligned in even rounds, so whole backing chunks are freed;
 * page aligned in odd ones), and reads every vCPU's word in every page.
 * Writes may be lost to a concurrent give-back (the ABI says so), so a word
 * may read as zero or as any value this VM wrote -- but never anything else.
 * A chunk freed while still mapped in this VM's stage 2 would be handed to
 * the VM running beside this one, and its words (made from that VM's own
 * seed) would show up here.
 */
#include <stdio.h>

#include "guest.h"

#define REGION_SIZE (16UL << 20)
#define PAGE	    GUEST_PAGE_SIZE
#define BLOCK	    GUEST_BLOCK_SIZE
#define ROUNDS	    6
#define ROUND_BITS  0xffffULL
#define CPU_SHIFT   56

static uint64_t seed; /* this VM's, bits 16..55 only */
static uintptr_t region;
static unsigned int ncpus;
static struct guest_barrier barrier;
static unsigned long foreign[GUEST_MAX_CPUS], refused[GUEST_MAX_CPUS];

static uint64_t pattern(unsigned int cpu, unsigned int round)
{
	return seed | (uint64_t)cpu << CPU_SHIFT | (round + 1);
}

/* Zero, or written by some vCPU of this VM in some round. */
static bool ours(uint64_t w)
{
	return !w ||
	       ((w & ~(0xffULL << CPU_SHIFT) & ~ROUND_BITS) == seed && (w >> CPU_SHIFT) < ncpus);
}

/* A range of the region for @cpu in @round: overlapping the neighbours', aligned per round. */
static void pick_range(unsigned int cpu, unsigned int round, uintptr_t *base, size_t *size)
{
	size_t unit = round % 2 ? PAGE : BLOCK;
	size_t units = REGION_SIZE / unit;
	size_t first = (cpu * units / 4 + round * 3) % units;

	*size = (units / 2) * unit;
	if (first * unit + *size > REGION_SIZE)
		first = units - units / 2;
	*base = region + first * unit;
}

static void racer(unsigned int cpu)
{
	unsigned int round, c;
	uintptr_t p, base;
	size_t size;

	for (round = 0; round < ROUNDS; round++) {
		guest_barrier_wait(&barrier, ncpus);
		for (p = region; p < region + REGION_SIZE; p += PAGE)
			*(volatile uint64_t *)(p + cpu * 8) = pattern(cpu, round);
		pick_range(cpu, round, &base, &size);
		refused[cpu] += hc_give_back(base, size) != HC_OK;
		for (p = region; p < region + REGION_SIZE; p += PAGE)
			for (c = 0; c < ncpus; c++)
				foreign[cpu] += !ours(*(volatile uint64_t *)(p + c * 8));
	}
	guest_barrier_wait(&barrier, ncpus);
}

static void secondary(void *arg)
{
	racer((unsigned int)(uintptr_t)arg);
}

void test_main(void)
{
	unsigned int c;
	unsigned long bad = 0, no = 0;

	seed = (hc_time_ns() * 0x9e3779b97f4a7c15ULL) & ~(0xffULL << CPU_SHIFT) & ~ROUND_BITS;
	region = guest_free_start();
	ncpus = guest_cpu_count();
	if (!check("at-least-2-vcpus", ncpus >= 2) ||
	    !check("region-fits", region + REGION_SIZE <= guest_ram_end()))
		return;
	for (c = 1; c < ncpus; c++)
		if (!checkf(guest_cpu_start(c, secondary, (void *)(uintptr_t)c) == 0,
			    "vcpu%u-cpu-on", c))
			return;
	racer(0);
	for (c = 1; c < ncpus; c++)
		checkf(guest_cpu_wait_off(c, 30000000000ULL) == 0, "vcpu%u-off", c);
	for (c = 0; c < ncpus; c++) {
		bad += foreign[c];
		no += refused[c];
	}
	printf("give_back_race: %u vCPUs, %u rounds, seed %#llx\n", ncpus, ROUNDS,
	       (unsigned long long)seed);
	checkf(no == 0, "every-give-back-accepted (%lu refused)", no);
	checkf(bad == 0, "only-this-vm-values-or-zero (%lu foreign words)", bad);
}
