/* SPDX-License-Identifier: MIT */
/*
 * Host RAM for guests: the RAM nobody else uses (arch_free_ram()), cut into
 * 2 MiB chunks.  A chunk is named by its index + 1, so that 0 can mean "no
 * chunk" in the memslot backing arrays.  The hypervisor reaches all RAM at
 * its physical address, so a chunk's address is also its pointer.
 */
#ifndef KVM_HOST_MEM_H
#define KVM_HOST_MEM_H

#include "mmu/types.h"

#define HOST_CHUNK_SHIFT 21
#define HOST_CHUNK_SIZE (1ULL << HOST_CHUNK_SHIFT)

/* Collect the free RAM.  0, or -ENOMEM when there is not a single chunk. */
int host_mem_init(void);
/*
 * Before host_mem_init(): keep [@base, @base + @size) out of it.  0;
 * -EFAULT unless the range lies inside free RAM (so it is neither outside
 * RAM nor the hypervisor's own memory); -EINVAL (empty, wraps, too many).
 */
int host_mem_reserve(u64 base, u64 size);

/* A chunk (index + 1, contents undefined), or 0 when none is left.  Any context but IRQ. */
u32 host_mem_alloc(void);
/* A chunk filled with zeroes, or 0. */
u32 host_mem_alloc_zeroed(void);
void host_mem_free(u32 chunk);
/*
 * @n physically consecutive chunks (the first's number; the others follow
 * it), or 0.  Each is freed with host_mem_free().
 */
u32 host_mem_alloc_contig(u32 n);

hpa_t host_mem_chunk_pa(u32 chunk);

static inline void *host_mem_chunk_va(u32 chunk)
{
	return (void *)(uintptr_t)host_mem_chunk_pa(chunk).val;
}

u32 host_mem_nr_free(void);
u32 host_mem_nr_total(void);

#endif
