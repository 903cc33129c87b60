// SPDX-License-Identifier: MIT
/*
 * Stage-2 fault cost seen from inside the guest.  The hypervisor runs it
 * twice, once faulting memory in (4K pages or 2M blocks, its choice) and
 * once with the memslot's stage 2 populated before the guest starts, and
 * compares the two runs' lines:
 *
 *   bench: touch4k pages=<n> ns=<t>    one word per 4 KiB page over 64 MiB
 *   bench: touch2m blocks=<n> ns=<t>   one word per 2 MiB over 256 MiB
 *
 * t is HC_TIME_NS around the touch loop only.  The 2 MiB pass covers memory
 * the 4 KiB pass never touched (and nothing is given back before it), so
 * with a pre-populated stage 2 neither timed loop faults.  The 64 MiB are
 * given back afterwards and must read zero again: a correctness case, not
 * timed.  Every pass checks fresh words read zero and keep their pattern.
 *
 * Bare: the numbers are QEMU's cost of a store, no fault anywhere; the
 * contents cases still run (zeroing after give-back is the bare runtime's).
 */
#include <stdio.h>

#include "guest.h"

#define SIZE_4K (64UL << 20)
#define SIZE_2M (256UL << 20)

static uint64_t pattern(uintptr_t addr)
{
	return (addr * 0xd1342543de82ef95ULL) | 1;
}

static volatile uint64_t *word(uintptr_t addr)
{
	return (volatile uint64_t *)addr;
}

/* The timed loop: one load and one store per step, nothing else. */
static unsigned long touch(uintptr_t base, size_t size, size_t step, uint64_t *ns)
{
	unsigned long dirty = 0;
	uint64_t t0 = hc_time_ns();
	uintptr_t a;

	for (a = base; a < base + size; a += step) {
		dirty += *word(a) != 0;
		*word(a) = pattern(a);
	}
	*ns = hc_time_ns() - t0;
	return dirty;
}

static unsigned long count_bad(uintptr_t base, size_t size, size_t step, bool want_zero)
{
	unsigned long bad = 0;
	uintptr_t a;

	for (a = base; a < base + size; a += step)
		bad += *word(a) != (want_zero ? 0 : pattern(a));
	return bad;
}

static void pass(const char *name, const char *unit, uintptr_t base, size_t size, size_t step)
{
	unsigned long n = size / step, dirty, bad;
	uint64_t ns;

	dirty = touch(base, size, step, &ns);
	printf("bench: %s %s=%lu ns=%llu\n", name, unit, n, (unsigned long long)ns);
	bad = count_bad(base, size, step, false);
	checkf(dirty == 0, "%s-fresh-words-zero", name);
	checkf(bad == 0, "%s-pattern-kept", name);
	if (dirty || bad)
		printf("fault_bench: %s: %lu not zero, %lu wrong of %lu\n", name, dirty, bad, n);
}

void test_main(void)
{
	uintptr_t base = guest_free_start();

	/* 320 MiB from __free_start: a bigger heap could leave less. */
	if (!check("bench-range-fits-in-ram", base + SIZE_4K + SIZE_2M <= guest_ram_end()))
		return;
	pass("touch4k", "pages", base, SIZE_4K, GUEST_PAGE_SIZE);
	pass("touch2m", "blocks", base + SIZE_4K, SIZE_2M, GUEST_BLOCK_SIZE);
	check("give-back-64M", hc_give_back(base, SIZE_4K) == HC_OK);
	check("given-back-reads-zero", count_bad(base, SIZE_4K, GUEST_PAGE_SIZE, true) == 0);
}
