// SPDX-License-Identifier: MIT
/*
 * The UEFI memory map ExitBootServices() accepted, turned into what the
 * hypervisor needs: free RAM, how much RAM there is, where it ends.
 *
 * Free after ExitBootServices() (UEFI 2.10, 7.2 Table 7-6 "Memory Type
 * Usage after ExitBootServices()"): EfiConventionalMemory and
 * EfiBootServicesCode/Data.  Everything of ours (the image with its stacks,
 * page tables and heap, the stub, the map itself, the AP trampoline) is
 * EfiLoaderCode/Data, which we never hand out; so are runtime services and
 * ACPI tables.  The first MiB is left alone: page 0 would make NULL a valid
 * pointer, and real-mode start-up code wants pages down there.
 */
#include <stdio.h>

#include "arch_priv.h"
#include "platform.h"

#define EFI_MEMORY_WB (1ULL << 3) /* descriptor attribute: write-back capable */
#define LOW_RESERVED  0x100000ULL

#define for_each_desc(h, d)                                                                        \
	for (const u8 *p_ = (const u8 *)(h)->memmap;                                               \
	     p_ + sizeof(struct x86_efi_mem_desc) <= (const u8 *)(h)->memmap + (h)->memmap_size && \
	     ((d) = (const struct x86_efi_mem_desc *)p_);                                          \
	     p_ += (h)->desc_size)

static bool type_is_ram(u32 type)
{
	switch (type) {
	case X86_EFI_LOADER_CODE:
	case X86_EFI_LOADER_DATA:
	case X86_EFI_BS_CODE:
	case X86_EFI_BS_DATA:
	case X86_EFI_RT_CODE:
	case X86_EFI_RT_DATA:
	case X86_EFI_CONVENTIONAL:
	case X86_EFI_ACPI_RECLAIM:
	case X86_EFI_ACPI_NVS:
	case X86_EFI_PERSISTENT:
		return true;
	default:
		return false;
	}
}

static bool type_is_free(u32 type)
{
	return type == X86_EFI_CONVENTIONAL || type == X86_EFI_BS_CODE || type == X86_EFI_BS_DATA;
}

bool memmap_is_wb_ram(const struct x86_handoff *h, u64 base, u64 size)
{
	const struct x86_efi_mem_desc *d;

	for_each_desc(h, d)
	{
		u64 end = d->phys_start + (d->nr_pages << PAGE_SHIFT);

		if (type_is_ram(d->type) && (d->attribute & EFI_MEMORY_WB) &&
		    d->phys_start < base + size && end > base)
			return true;
	}
	return false;
}

/* Add [base, end) to free[], keeping it sorted and merged. */
static void add_free(u64 base, u64 end)
{
	struct phys_range *f = boot_info.free;
	unsigned int n = boot_info.nr_free, i;

	if (base < LOW_RESERVED)
		base = LOW_RESERVED;
	if (end > boot_info.map_top)
		end = boot_info.map_top;
	if (base >= end)
		return;
	for (i = 0; i < n && f[i].base < base; i++)
		;
	/* Touching the range before or after: grow it instead. */
	if (i > 0 && f[i - 1].base + f[i - 1].size == base) {
		f[i - 1].size += end - base;
		if (i < n && f[i].base == end) {
			f[i - 1].size += f[i].size;
			for (unsigned int j = i; j + 1 < n; j++)
				f[j] = f[j + 1];
			boot_info.nr_free--;
		}
		return;
	}
	if (i < n && f[i].base == end) {
		f[i].base = base;
		f[i].size += end - base;
		return;
	}
	if (n == BOOT_MAX_FREE) {
		printf("hyp: more than %u free RAM ranges; leaving [0x%llx, 0x%llx) unused\n",
		       BOOT_MAX_FREE, (unsigned long long)base, (unsigned long long)end);
		return;
	}
	for (unsigned int j = n; j > i; j--)
		f[j] = f[j - 1];
	f[i] = (struct phys_range){ base, end - base };
	boot_info.nr_free++;
}

/* Needs boot_info.map_top (paging_init()) first: free RAM must be mapped RAM. */
void memmap_parse(const struct x86_handoff *h)
{
	const struct x86_efi_mem_desc *d;

	for_each_desc(h, d)
	{
		u64 size = d->nr_pages << PAGE_SHIFT;

		if (!type_is_ram(d->type))
			continue;
		boot_info.ram_total += size;
		if (type_is_free(d->type))
			add_free(d->phys_start, d->phys_start + size);
	}
}

static const char *const type_names[X86_EFI_NR_TYPES] = {
	"reserved",	"loader code",	"loader data",	"boot code", "boot data",
	"runtime code", "runtime data", "conventional", "unusable",  "ACPI reclaim",
	"ACPI NVS",	"MMIO",		"MMIO ports",	"PAL code",  "persistent",
};

/* One line per memory type present, then the free ranges. */
void memmap_print(const struct x86_handoff *h)
{
	u64 bytes[X86_EFI_NR_TYPES + 1] = { 0 };
	unsigned int count[X86_EFI_NR_TYPES + 1] = { 0 }, n = 0;
	const struct x86_efi_mem_desc *d;
	u64 free = 0;

	for_each_desc(h, d)
	{
		unsigned int t = d->type < X86_EFI_NR_TYPES ? d->type : X86_EFI_NR_TYPES;

		bytes[t] += d->nr_pages << PAGE_SHIFT;
		count[t]++;
		n++;
	}
	printf("hyp: UEFI memory map: %u descriptors (%llu bytes each), RAM %llu MiB, "
	       "mapped up to 0x%llx\n",
	       n, (unsigned long long)h->desc_size, (unsigned long long)(boot_info.ram_total >> 20),
	       (unsigned long long)boot_info.map_top);
	for (unsigned int t = 0; t <= X86_EFI_NR_TYPES; t++)
		if (count[t])
			printf("hyp:   %-13s %3u ranges %8llu KiB\n",
			       t < X86_EFI_NR_TYPES ? type_names[t] : "other", count[t],
			       (unsigned long long)(bytes[t] >> 10));
	for (unsigned int i = 0; i < boot_info.nr_free; i++)
		free += boot_info.free[i].size;
	printf("hyp: free RAM: %llu MiB in %u ranges:", (unsigned long long)(free >> 20),
	       boot_info.nr_free);
	for (unsigned int i = 0; i < boot_info.nr_free; i++)
		printf(" [0x%llx, 0x%llx)", (unsigned long long)boot_info.free[i].base,
		       (unsigned long long)(boot_info.free[i].base + boot_info.free[i].size));
	printf("\n");
}

/* End of the highest RAM range in the map. */
u64 memmap_ram_top(const struct x86_handoff *h)
{
	const struct x86_efi_mem_desc *d;
	u64 top = 0;

	for_each_desc(h, d)
	{
		u64 end = d->phys_start + (d->nr_pages << PAGE_SHIFT);

		if (type_is_ram(d->type) && end > top)
			top = end;
	}
	return top;
}
