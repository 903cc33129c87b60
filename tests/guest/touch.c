// SPDX-License-Identifier: MIT
/*
 * Touch 256 MiB of fresh memory one word per 4 KiB page, verify, give it
 * all back, then touch the same range one word per 2 MiB: the first pass
 * makes the hypervisor fault 65536 pages, the second lets it map blocks.
 * Fresh memory must read as zero before the pattern goes in.
 */
#include <stdio.h>

#include "guest.h"

#define TOUCH_SIZE (256UL << 20)

/* Differs per address and per pass, never zero. */
static uint64_t pattern(uintptr_t addr, uint64_t pass)
{
	return (addr * 0x9e3779b97f4a7c15ULL) ^ (pass << 56) ^ 0x5a5a;
}

static uint64_t *word(uintptr_t addr)
{
	return (uint64_t *)addr;
}

/* Write a word at every step; count the words that were not zero first. */
static unsigned long touch(uintptr_t base, size_t size, size_t step, uint64_t pass)
{
	unsigned long dirty = 0;
	uintptr_t a;

	for (a = base; a < base + size; a += step) {
		dirty += *word(a) != 0;
		*word(a) = pattern(a, pass);
	}
	return dirty;
}

static unsigned long verify(uintptr_t base, size_t size, size_t step, uint64_t pass)
{
	unsigned long bad = 0;
	uintptr_t a;

	for (a = base; a < base + size; a += step)
		bad += *word(a) != pattern(a, pass);
	return bad;
}

/* Pages inside each 2 MiB block that the 2 MiB pass did not write: still zero? */
static unsigned long block_rest_nonzero(uintptr_t base, size_t size)
{
	static const uintptr_t offs[] = { 8, GUEST_PAGE_SIZE, GUEST_BLOCK_SIZE / 2 + 512,
					  GUEST_BLOCK_SIZE - 8 };
	unsigned long bad = 0;
	uintptr_t a;
	unsigned int i;

	for (a = base; a < base + size; a += GUEST_BLOCK_SIZE)
		for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++)
			bad += *word(a + offs[i]) != 0;
	return bad;
}

static void pass(uintptr_t base, size_t step, uint64_t n, const char *name)
{
	uint64_t t0 = hc_time_ns(), t1;
	unsigned long dirty, bad;

	dirty = touch(base, TOUCH_SIZE, step, n);
	t1 = hc_time_ns();
	bad = verify(base, TOUCH_SIZE, step, n);
	printf("touch: %s: %lu touches in %llu ms\n", name, (unsigned long)(TOUCH_SIZE / step),
	       (unsigned long long)(t1 - t0) / 1000000);
	checkf(dirty == 0, "%s-fresh-memory-reads-zero", name);
	if (dirty)
		printf("touch: %s: %lu words were not zero before the first write\n", name, dirty);
	checkf(bad == 0, "%s-pattern-verified", name);
	if (bad)
		printf("touch: %s: %lu words lost their pattern\n", name, bad);
}

void test_main(void)
{
	uintptr_t base = guest_free_start();

	pass(base, GUEST_PAGE_SIZE, 1, "256M-in-4K-steps");
	check("give-back-256M", hc_give_back(base, TOUCH_SIZE) == 0);
	pass(base, GUEST_BLOCK_SIZE, 2, "256M-in-2M-steps");
	check("2M-blocks-rest-zero", block_rest_nonzero(base, TOUCH_SIZE) == 0);
	check("2M-pattern-still-there", verify(base, TOUCH_SIZE, GUEST_BLOCK_SIZE, 2) == 0);
}
