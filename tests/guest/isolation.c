// SPDX-License-Identifier: MIT
/*
 * Two VMs side by side: the hypervisor runs two instances of this payload at
 * once.  Each picks a seed of its own (the hypervisor's clock at start-up),
 * and in rounds: touches a region (every fresh page must read zero: a page
 * the other VM wrote and gave back must never arrive unzeroed), writes its
 * pattern, checks only its own pattern is there, and gives the region back
 * so the other VM's next faults may reuse those host pages.
 *
 * Bare (GUEST_BARE, one VM, no stage 2): the rounds and the held memory run
 * as well, but "fresh pages read zero" only checks the bare runtime's
 * memset, and there is no second VM.  What the payload is for, no page of
 * one VM ever showing up in the other, only the hypervisor can exercise.
 */
#include <stdio.h>

#include "guest.h"

#define REGION_SIZE	 (32UL << 20)
#define ROUNDS		 4
#define ARRAY_LEN(a)	 (sizeof(a) / sizeof((a)[0]))
#define SAMPLES_PER_PAGE 8 /* words per 4 KiB page, spread over it */

static uint64_t seed;
/* Held for the whole run, never given back: must keep our pattern throughout. */
static uint64_t held[8192];

static uint64_t pattern(uintptr_t addr)
{
	return (addr * 0x2545f4914f6cdd1dULL) ^ seed;
}

static uint64_t *sample(uintptr_t page, unsigned int i)
{
	return (uint64_t *)(page + i * (GUEST_PAGE_SIZE / SAMPLES_PER_PAGE));
}

/* Fresh pages: count samples that are not zero, then write the pattern. */
static unsigned long touch(uintptr_t base)
{
	unsigned long dirty = 0;
	uintptr_t p;
	unsigned int i;

	for (p = base; p < base + REGION_SIZE; p += GUEST_PAGE_SIZE)
		for (i = 0; i < SAMPLES_PER_PAGE; i++) {
			uint64_t *w = sample(p, i);

			dirty += *w != 0;
			*w = pattern((uintptr_t)w);
		}
	return dirty;
}

static unsigned long verify(uintptr_t base)
{
	unsigned long bad = 0;
	uintptr_t p;
	unsigned int i;

	for (p = base; p < base + REGION_SIZE; p += GUEST_PAGE_SIZE)
		for (i = 0; i < SAMPLES_PER_PAGE; i++)
			bad += *sample(p, i) != pattern((uintptr_t)sample(p, i));
	return bad;
}

static unsigned long held_bad(void)
{
	unsigned long bad = 0;
	size_t i;

	for (i = 0; i < ARRAY_LEN(held); i++)
		bad += held[i] != pattern((uintptr_t)&held[i]);
	return bad;
}

/* Rounds alternate between two regions, so both VMs' faults interleave. */
static void run_round(unsigned int r, uintptr_t base)
{
	unsigned long dirty, bad;

	dirty = touch(base);
	bad = verify(base);
	if (dirty || bad)
		printf("isolation: round %u: %lu samples not zero when fresh, %lu not ours\n", r,
		       dirty, bad);
	checkf(dirty == 0, "round%u-fresh-pages-zero", r);
	checkf(bad == 0, "round%u-only-own-pattern", r);
	checkf(hc_give_back(base, REGION_SIZE) == HC_OK, "round%u-give-back", r);
	/* Another VM faulting and giving back meanwhile must not reach pages we hold. */
	checkf(held_bad() == 0, "round%u-held-memory-kept", r);
}

void test_main(void)
{
	uintptr_t base = guest_free_start();
	unsigned int r;

	/* Odd, so the pattern is never zero where it matters. */
	seed = hc_time_ns() * 0x9e3779b97f4a7c15ULL | 1;
	printf("isolation: seed %#llx\n", (unsigned long long)seed);
	for (r = 0; r < ARRAY_LEN(held); r++)
		held[r] = pattern((uintptr_t)&held[r]);
	for (r = 0; r < ROUNDS; r++)
		run_round(r, base + (r % 2) * REGION_SIZE);
	check("held-memory-kept-own-pattern", held_bad() == 0);
}
