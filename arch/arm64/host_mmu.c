// SPDX-License-Identifier: MIT
/*
 * The EL2 stage 1 identity map after boot.  boot/arm64/entry.S builds a
 * level 1 table (el2_l1_table, 1 GiB per entry, 39-bit VA) holding GiB 0 as
 * Device memory and the GiBs of the image and the DTB as Normal memory;
 * boot_main() adds every RAM range of the DTB here.
 *
 * Only invalid entries are ever made valid, so no break-before-make and no
 * TLB invalidation is needed: the TLB never caches an invalid entry (Arm ARM
 * D8, "Translation Lookaside Buffers" and "Using break-before-make when
 * updating translation table entries").  The walker reads the tables through
 * the Inner Shareable Write-Back cache (TCR_EL2), so a DSB makes the stores
 * visible to every CPU's walker.
 */
#include "mmu/types.h"
#include "platform.h"
#include "sysreg.h"

#define L1_ENTRIES 512
#define L2_TABLES  4

extern u64 el2_l1_table[L1_ENTRIES];
static u64 el2_l2_tables[L2_TABLES][512] __attribute__((aligned(4096)));
static unsigned int el2_l2_used;

static bool is_block(u64 pte)
{
	return (pte & PTE_TYPE_MASK) == PTE_BLOCK;
}

static bool is_table(u64 pte)
{
	return (pte & PTE_TYPE_MASK) == PTE_TABLE;
}

static u64 *l2_table_for(u64 *l1e)
{
	u64 *l2;

	if (is_table(*l1e))
		return (u64 *)(*l1e & PTE_ADDR_MASK);
	if (el2_l2_used == L2_TABLES)
		return NULL;
	l2 = el2_l2_tables[el2_l2_used++];
	/* .bss: already zero, i.e. all entries invalid. */
	dsb(ishst);
	WRITE_ONCE(*l1e, (u64)l2 | PTE_TABLE);
	return l2;
}

/* Map [addr, end) inside one GiB with 2 MiB blocks; both 2 MiB aligned. */
static int map_in_gib(u64 *l1e, u64 addr, u64 end)
{
	u64 *l2 = l2_table_for(l1e);

	if (!l2)
		return -1;
	for (; addr < end; addr += SZ_2M) {
		u64 *l2e = &l2[(addr >> EL2_L2_SHIFT) & 511];

		if (!*l2e)
			WRITE_ONCE(*l2e, addr | PTE_EL2_NORMAL_BLOCK);
	}
	return 0;
}

/*
 * Identity-map RAM [base, base + size) as Normal Write-Back memory, shrunk
 * to 2 MiB boundaries.  Boot CPU only, before other CPUs run.  Returns 0, or
 * -1 if part of the range could not be mapped (above 512 GiB, inside the
 * Device GiB, or out of level 2 tables); the rest is still mapped.
 */
int el2_map_normal(u64 base, u64 size)
{
	u64 addr = (base + SZ_2M - 1) & ~(SZ_2M - 1);
	u64 end = (base + size) & ~(SZ_2M - 1);
	int ret = 0;

	while (addr < end) {
		u64 idx = addr >> EL2_L1_SHIFT;
		u64 gib_end = (idx + 1) << EL2_L1_SHIFT;
		u64 chunk_end = end < gib_end ? end : gib_end;
		u64 *l1e;

		if (idx >= L1_ENTRIES)
			return -1;
		l1e = &el2_l1_table[idx];
		if (is_block(*l1e)) {
			/* Normal already (boot map); GiB 0 is Device and stays so. */
			if (((*l1e >> 2) & 7) != MT_NORMAL)
				ret = -1;
		} else if (!*l1e && addr == idx << EL2_L1_SHIFT && chunk_end == gib_end) {
			WRITE_ONCE(*l1e, addr | PTE_EL2_NORMAL_BLOCK);
		} else if (map_in_gib(l1e, addr, chunk_end)) {
			ret = -1;
		}
		addr = chunk_end;
	}
	dsb(ishst);
	isb();
	return ret;
}
