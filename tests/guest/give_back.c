// SPDX-License-Identifier: MIT
/*
 * HC_GIVE_BACK: a given-back range reads as zero on the next touch (the ABI
 * says fresh zeroed pages) while its neighbours keep their contents; ranges
 * that split a 2 MiB block or cover one exactly; and bad arguments, which
 * must return HC_EINVAL and change nothing.
 */
#include <stdio.h>

#include "guest.h"

#define PAGE	       GUEST_PAGE_SIZE
#define BLOCK	       GUEST_BLOCK_SIZE
#define WORDS_PER_PAGE (PAGE / sizeof(uint64_t))

static uint64_t pattern(uintptr_t addr)
{
	return addr ^ 0xa5a5000000000000ULL;
}

static void fill(uintptr_t base, size_t size)
{
	uint64_t *w = (uint64_t *)base;
	size_t i;

	for (i = 0; i < size / sizeof(*w); i++)
		w[i] = pattern((uintptr_t)&w[i]);
}

/* Words in [base, base + size) that are neither what fill() put there nor, if zero_ok, 0. */
static unsigned long count_bad(uintptr_t base, size_t size, bool want_zero)
{
	uint64_t *w = (uint64_t *)base;
	unsigned long bad = 0;
	size_t i;

	for (i = 0; i < size / sizeof(*w); i++)
		bad += w[i] != (want_zero ? 0 : pattern((uintptr_t)&w[i]));
	return bad;
}

static bool expect(const char *name, uintptr_t base, size_t size, bool want_zero)
{
	unsigned long bad = count_bad(base, size, want_zero);

	if (bad)
		printf("give_back: %s: %lu of %lu words wrong in [%#lx, %#lx)\n", name, bad,
		       (unsigned long)(size / 8), (unsigned long)base,
		       (unsigned long)(base + size));
	return check(name, bad == 0);
}

/* 18 pages: give back the middle 16, the outer two must survive. */
static void small_range(uintptr_t base)
{
	fill(base, 18 * PAGE);
	check("pages-give-back-returns-0", hc_give_back(base + PAGE, 16 * PAGE) == HC_OK);
	expect("pages-given-back-read-zero", base + PAGE, 16 * PAGE, true);
	expect("page-below-kept", base, PAGE, false);
	expect("page-above-kept", base + 17 * PAGE, PAGE, false);
	fill(base + PAGE, 16 * PAGE);
	expect("pages-usable-after-give-back", base, 18 * PAGE, false);
}

/*
 * Two 2 MiB blocks, give back 1 MiB across the boundary between them: a
 * hypervisor that mapped blocks must split both and keep the rest.
 */
static void across_blocks(uintptr_t base)
{
	uintptr_t lo = base + BLOCK + BLOCK / 2 + BLOCK / 4, hi = lo + BLOCK / 2;

	fill(base, 4 * BLOCK);
	check("split-give-back-returns-0", hc_give_back(lo, hi - lo) == HC_OK);
	expect("split-range-reads-zero", lo, hi - lo, true);
	expect("split-rest-below-kept", base, lo - base, false);
	expect("split-rest-above-kept", hi, base + 4 * BLOCK - hi, false);
}

/* Exactly one block, then the same range again and never-touched memory. */
static void whole_block(uintptr_t base)
{
	fill(base, 2 * BLOCK);
	check("block-give-back-returns-0", hc_give_back(base, BLOCK) == HC_OK);
	expect("block-reads-zero", base, BLOCK, true);
	expect("next-block-kept", base + BLOCK, BLOCK, false);
	check("give-back-again-returns-0", hc_give_back(base, BLOCK) == HC_OK);
	check("give-back-untouched-returns-0", hc_give_back(base + 2 * BLOCK, BLOCK) == HC_OK);
	expect("untouched-reads-zero", base + 2 * BLOCK, PAGE, true);
}

static void bad_arg(const char *name, uintptr_t gpa, size_t size)
{
	long r = hc_give_back(gpa, size);

	if (r != HC_EINVAL)
		printf("give_back: %s: [%#lx, +%#lx) returned %ld, want %d\n", name,
		       (unsigned long)gpa, (unsigned long)size, r, HC_EINVAL);
	checkf(r == HC_EINVAL, "einval-%s", name);
}

/* Every refused call is aimed at patterned memory, checked afterwards. */
static void bad_args(uintptr_t base)
{
	uintptr_t last = guest_ram_end() - PAGE;

	fill(base, 4 * PAGE);
	fill(last, PAGE);
	bad_arg("unaligned-address", base + 8, PAGE);
	bad_arg("unaligned-size", base, PAGE + 100);
	bad_arg("zero-size", base, 0);
	bad_arg("below-ram", 0x20000000, PAGE);
	bad_arg("above-ram", 0x100000000UL, PAGE);
	bad_arg("straddles-ram-end", last, 2 * PAGE);
	bad_arg("wraps-around", base, -base);
	bad_arg("huge-size", base, ~(PAGE - 1));
	expect("refused-calls-lost-nothing", base, 4 * PAGE, false);
	expect("refused-calls-lost-nothing-at-ram-end", last, PAGE, false);
}

void test_main(void)
{
	uintptr_t base = guest_free_start();

	small_range(base);
	across_blocks(base + 2 * BLOCK);
	whole_block(base + 8 * BLOCK);
	bad_args(base + 16 * BLOCK);
}
