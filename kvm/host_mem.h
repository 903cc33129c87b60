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
#define HOST_CHUNK_SIZE	 (1ULL << HOST_CHUNK_SHIFT)

/* Collect the free RAM.  0, or -ENOMEM when there is not a single chunk. */
int host_mem_init(void);
/*
 * Before host_mem_init(): keep [@base, @base + @size) out of it.  0;
 * -EFAULT unless the range lies inside free RAM (so it is neither outside
 * RAM nor the hypervisor's own memory); -EINVAL (empty, wraps, too many).
 */
int host_mem_reserve(u64 base, u64 size);

/*
 * A VM's share of host memory.  host_mem_account_open() promises @limit
 * chunks to it; chunks promised to an account are never handed to anyone
 * else (the free list always holds at least every promise not yet drawn),
 * so a VM that was created never fails to back its memory, whatever its
 * neighbours do, and a VM that does not fit is refused before it starts.
 */
struct host_mem_account {
	u32 limit; /* chunks promised */
	u32 used;  /* chunks drawn from the promise and not freed */
};

/*
 * Promise @limit chunks to @a.  0, or -ENOMEM when fewer than @limit chunks
 * are neither allocated nor promised elsewhere (nothing changes then).
 */
int host_mem_account_open(struct host_mem_account *a, u32 limit);
/*
 * Give back what is left of @a's promise.  Every chunk drawn must have been
 * freed: returns how many were not (a leak, reported by the caller), 0.
 */
u32 host_mem_account_close(struct host_mem_account *a);

/* A chunk of @a's (index + 1, contents undefined), or 0 when @a is used up.  Any context but IRQ. */
u32 host_mem_alloc(struct host_mem_account *a);
/* The same, filled with zeroes. */
u32 host_mem_alloc_zeroed(struct host_mem_account *a);
void host_mem_free(struct host_mem_account *a, u32 chunk);
/*
 * @n physically consecutive chunks of @a's (the first's number; the others
 * follow it), or 0 (@a used up, or no such run free).  Each is freed with
 * host_mem_free().
 */
u32 host_mem_alloc_contig(struct host_mem_account *a, u32 n);

hpa_t host_mem_chunk_pa(u32 chunk);

static inline void *host_mem_chunk_va(u32 chunk)
{
	return (void *)(uintptr_t)host_mem_chunk_pa(chunk).val;
}

u32 host_mem_nr_free(void);
u32 host_mem_nr_total(void);
/* Chunks neither allocated nor promised: what the next VM may be promised. */
u32 host_mem_nr_unpromised(void);

#endif
