// SPDX-License-Identifier: MIT
/*
 * Host memory per VM.  The hypervisor promises a VM all of its RAM when it
 * creates it (kvm/host_mem.h), so a VM that was created can use every byte
 * of its RAM whatever its neighbours do, and a VM that does not fit is
 * refused before it starts.  Run side by side in one group, some big enough
 * that all of them together would not fit (the last with expect=refused):
 * every instance that runs writes one word in every 4 KiB page of its RAM
 * after its image, checks that each page read zero first and holds its own
 * pattern at the end, gives the first half back and touches it again.
 * Without the promise, the first VM to run out would be killed by a fault
 * that failed with -ENOMEM: whichever VM that is, not the one that asked for
 * too much.
 *
 * RAM past the runtime's 512 MiB identity map is reached through the probe
 * window (one 1 GiB window: up to 1 GiB of RAM).
 */
#include <stdio.h>

#include "guest.h"

#define WINDOW_SIZE (1UL << 30)

static uint64_t seed;

static uint64_t pattern(uintptr_t gpa)
{
	return (gpa * 0x9e3779b97f4a7c15ULL) ^ seed;
}

/* One word per page of [va, va + size) (guest-physical gpa): pages not zero first. */
static unsigned long touch(uintptr_t va, uintptr_t gpa, size_t size)
{
	unsigned long dirty = 0;
	size_t off;

	for (off = 0; off < size; off += GUEST_PAGE_SIZE) {
		volatile uint64_t *w = (volatile uint64_t *)(va + off);

		dirty += *w != 0;
		*w = pattern(gpa + off);
	}
	return dirty;
}

static unsigned long verify(uintptr_t va, uintptr_t gpa, size_t size)
{
	unsigned long bad = 0;
	size_t off;

	for (off = 0; off < size; off += GUEST_PAGE_SIZE)
		bad += *(volatile uint64_t *)(va + off) != pattern(gpa + off);
	return bad;
}

void test_main(void)
{
	long ram = hc_ram_size();
	uintptr_t gpa = guest_free_start(), va = gpa, end;
	size_t size, half;

	if (!check("ram-size-known", ram > 0 && (unsigned long)ram <= WINDOW_SIZE))
		return;
	end = guest_ram_start() + ram;
	if (end > guest_ram_end()) {
		uintptr_t win = guest_map_window(guest_ram_start());

		if (!check("window-mapped", win != 0))
			return;
		va = win + (gpa - guest_ram_start());
	}
	seed = hc_time_ns() | 1;
	size = end - gpa;
	half = (size / 2) & ~(GUEST_BLOCK_SIZE - 1);
	printf("oom: touching %zu MiB, every page\n", size >> 20);
	checkf(touch(va, gpa, size) == 0, "all-%zuM-fresh-pages-read-zero", size >> 20);
	checkf(verify(va, gpa, size) == 0, "all-%zuM-hold-our-pattern", size >> 20);
	check("give-back-first-half", hc_give_back(gpa, half) == HC_OK);
	seed = ~seed;
	check("given-back-half-reads-zero-again", touch(va, gpa, half) == 0);
	seed = ~seed;
	check("second-half-kept-its-pattern", verify(va + half, gpa + half, size - half) == 0);
}
