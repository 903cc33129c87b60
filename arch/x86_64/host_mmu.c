// SPDX-License-Identifier: MIT
/*
 * The hypervisor's own page tables: an identity map (virtual = physical) of
 * the first 4 GiB and of all RAM above, in 2 MiB pages, 4-level paging
 * (Intel SDM vol. 3A, "4-Level Paging and 5-Level Paging"; AMD APM vol. 2, 5.3 "Long-Mode
 * Page Translation").  UEFI's tables (EfiBootServicesData) stop being ours
 * to use once boot services are gone, so these replace them before any free
 * RAM is handed out.
 *
 * Memory types: a 2 MiB page holding any RAM the firmware calls write-back
 * capable is mapped write-back (PAT index 0); anything else below 4 GiB
 * (LAPIC, IOAPIC, HPET, PCI windows, flash) is uncached (PCD|PWT: PAT index
 * 3, which overrides the MTRRs; Intel SDM vol. 3A, "Selecting Memory Types
 * for Pentium III and More Recent Processor Families").  The
 * legacy holes below 1 MiB sit in a write-back page; the firmware's
 * fixed-range MTRRs keep them uncached.
 */
#include <stdio.h>

#include "arch_priv.h"
#include "platform.h"
#include "x86.h"

#define PTE_P	(1ULL << 0)
#define PTE_RW	(1ULL << 1)
#define PTE_PWT (1ULL << 3)
#define PTE_PCD (1ULL << 4)
#define PTE_PS	(1ULL << 7) /* in a PDE: maps a 2 MiB page */

/* One page directory maps 1 GiB; this many bound the identity map. */
#define MAX_PD 64

static u64 pml4[512] __attribute__((aligned(4096)));
static u64 pdpt[512] __attribute__((aligned(4096)));
static u64 pds[MAX_PD][512] __attribute__((aligned(4096)));

u64 paging_cr3(void)
{
	return (u64)pml4;
}

u64 paging_init(const struct x86_handoff *h)
{
	u64 top = memmap_ram_top(h), map_top, limit = (u64)MAX_PD * SZ_1G;

	boot_info.ram_top = top;
	map_top = (top + SZ_1G - 1) & ~(SZ_1G - 1);
	if (map_top < 4 * SZ_1G)
		map_top = 4 * SZ_1G;
	if (map_top > limit) {
		printf("hyp: RAM up to 0x%llx; only the first %u GiB are mapped and used\n",
		       (unsigned long long)top, MAX_PD);
		map_top = limit;
		boot_info.ram_top = limit;
	}
	boot_info.map_top = map_top;

	pml4[0] = (u64)pdpt | PTE_P | PTE_RW;
	for (u64 g = 0; g < map_top / SZ_1G; g++) {
		pdpt[g] = (u64)pds[g] | PTE_P | PTE_RW;
		for (u64 i = 0; i < 512; i++) {
			u64 pa = g * SZ_1G + i * SZ_2M;
			u64 attr = PTE_P | PTE_RW | PTE_PS;

			if (!memmap_is_wb_ram(h, pa, SZ_2M))
				attr |= PTE_PCD | PTE_PWT;
			pds[g][i] = pa | attr;
		}
	}
	/* The image (tables included) must stay reachable from 32-bit code: the AP trampoline. */
	if (paging_cr3() >= 4 * SZ_1G) {
		printf("hyp: page tables above 4 GiB; APs cannot load them\n");
		arch_cpu_stop();
	}
	write_cr3(paging_cr3());
	return paging_cr3();
}
