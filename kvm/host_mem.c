// SPDX-License-Identifier: MIT
/*
 * Host RAM allocator: one free list of 2 MiB chunks under a spinlock,
 * handed out only against a VM's account (host_mem.h): a VM is promised its
 * whole memory when it is created, and backs it lazily.
 *
 * Chunks are handed out and taken back on guest faults and give-backs,
 * which are rare next to the 512 page faults a chunk serves in 4K mode, so
 * one lock does.  Callers never hold it across anything else.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_mem.h"
#include "kvm/arch/cpu.h"
#include "mmu/sync.h"

#define HOST_MEM_MAX_RANGES 16

static struct {
	struct spinlock lock;
	u64 *base; /* physical address of each chunk */
	u32 *next; /* free-list link: chunk number of the next free one, 0 ends */
	u32 free_head;
	u32 nr_total, nr_free;
	u32 promised; /* sum over open accounts of limit - used: nr_free >= promised */
} host_mem = { .lock = SPINLOCK_INIT };

static u32 count_chunks(const struct arch_ram_range *r, unsigned int n)
{
	u32 total = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		u64 start = (r[i].base + HOST_CHUNK_SIZE - 1) & ~(HOST_CHUNK_SIZE - 1);
		u64 end = (r[i].base + r[i].size) & ~(HOST_CHUNK_SIZE - 1);

		if (end > start)
			total += (end - start) >> HOST_CHUNK_SHIFT;
	}
	return total;
}

/*
 * RAM holding something the hypervisor still needs that arch_free_ram()
 * cannot know about: a guest kernel and initrd QEMU loaded there (boot
 * arguments guest=, initrd=).  Chunks touching it never become guest memory.
 */
#define HOST_MEM_MAX_RESERVED 4
static struct arch_ram_range reserved[HOST_MEM_MAX_RESERVED];
static unsigned int nr_reserved;

int host_mem_reserve(u64 base, u64 size)
{
	struct arch_ram_range ranges[HOST_MEM_MAX_RANGES];
	unsigned int n = arch_free_ram(ranges, HOST_MEM_MAX_RANGES), i;

	if (!size || base + size < base || nr_reserved == HOST_MEM_MAX_RESERVED)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (base >= ranges[i].base && base + size <= ranges[i].base + ranges[i].size) {
			reserved[nr_reserved++] = (struct arch_ram_range){ base, size };
			return 0;
		}
	return -EFAULT; /* outside RAM, or over the hypervisor's own memory */
}

static bool chunk_reserved(u64 pa)
{
	unsigned int i;

	for (i = 0; i < nr_reserved; i++)
		if (pa < reserved[i].base + reserved[i].size &&
		    reserved[i].base < pa + HOST_CHUNK_SIZE)
			return true;
	return false;
}

int host_mem_init(void)
{
	struct arch_ram_range ranges[HOST_MEM_MAX_RANGES];
	unsigned int n = arch_free_ram(ranges, HOST_MEM_MAX_RANGES), i;
	u32 total = count_chunks(ranges, n), c = 0;

	if (!total)
		return -ENOMEM;
	host_mem.base = calloc(total, sizeof(*host_mem.base));
	host_mem.next = calloc(total, sizeof(*host_mem.next));
	if (!host_mem.base || !host_mem.next)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		u64 pa = (ranges[i].base + HOST_CHUNK_SIZE - 1) & ~(HOST_CHUNK_SIZE - 1);
		u64 end = (ranges[i].base + ranges[i].size) & ~(HOST_CHUNK_SIZE - 1);

		for (; pa < end; pa += HOST_CHUNK_SIZE)
			if (!chunk_reserved(pa))
				host_mem.base[c++] = pa;
	}
	total = c;
	if (!total)
		return -ENOMEM;
	/* Low addresses first: the free list is built from the top down. */
	for (c = total; c > 0; c--) {
		host_mem.next[c - 1] = host_mem.free_head;
		host_mem.free_head = c;
	}
	host_mem.nr_total = total;
	host_mem.nr_free = total;
	return 0;
}

int host_mem_account_open(struct host_mem_account *a, u32 limit)
{
	int ret = -ENOMEM;

	spin_lock(&host_mem.lock);
	if (host_mem.nr_free - host_mem.promised >= limit) {
		host_mem.promised += limit;
		a->limit = limit;
		a->used = 0;
		ret = 0;
	}
	spin_unlock(&host_mem.lock);
	return ret;
}

u32 host_mem_account_close(struct host_mem_account *a)
{
	u32 leaked;

	spin_lock(&host_mem.lock);
	host_mem.promised -= a->limit - a->used;
	leaked = a->used;
	a->limit = a->used = 0;
	spin_unlock(&host_mem.lock);
	return leaked;
}

/* Take @n chunks of @a's promise, lock held: false when that would exceed it. */
static bool account_draw(struct host_mem_account *a, u32 n)
{
	if (a->limit - a->used < n)
		return false;
	a->used += n;
	host_mem.promised -= n;
	host_mem.nr_free -= n;
	return true;
}

static void account_return(struct host_mem_account *a, u32 n)
{
	a->used -= n;
	host_mem.promised += n;
	host_mem.nr_free += n;
}

u32 host_mem_alloc(struct host_mem_account *a)
{
	u32 chunk = 0;

	spin_lock(&host_mem.lock);
	/* The promise guarantees the free list is not empty (nr_free >= promised >= 1). */
	if (host_mem.free_head && account_draw(a, 1)) {
		chunk = host_mem.free_head;
		host_mem.free_head = host_mem.next[chunk - 1];
	}
	spin_unlock(&host_mem.lock);
	return chunk;
}

u32 host_mem_alloc_zeroed(struct host_mem_account *a)
{
	u32 chunk = host_mem_alloc(a);

	if (chunk)
		memset(host_mem_chunk_va(chunk), 0, HOST_CHUNK_SIZE);
	return chunk;
}

void host_mem_free(struct host_mem_account *a, u32 chunk)
{
	bool bad = !chunk || chunk > host_mem.nr_total;

	spin_lock(&host_mem.lock);
	bad = bad || !a->used;
	if (!bad) {
		host_mem.next[chunk - 1] = host_mem.free_head;
		host_mem.free_head = chunk;
		account_return(a, 1);
	}
	spin_unlock(&host_mem.lock);
	if (bad)
		printf("host_mem: free of bad chunk %u ignored\n", chunk);
}

static bool chunks_contiguous(const u8 *is_free, u32 first, u32 n)
{
	for (u32 c = first; c < first + n; c++)
		if (!is_free[c - 1] ||
		    (c > first && host_mem.base[c - 1] != host_mem.base[c - 2] + HOST_CHUNK_SIZE))
			return false;
	return true;
}

/*
 * The free list is unordered after a while, so a run is found by marking
 * the free chunks first.  Rare (one per shadow-paged VM): O(total chunks).
 */
u32 host_mem_alloc_contig(struct host_mem_account *a, u32 n)
{
	u8 *is_free = calloc(host_mem.nr_total + 1, 1);
	u32 c, first = 0, *link;

	if (!is_free || !n)
		goto out;
	spin_lock(&host_mem.lock);
	if (a->limit - a->used < n) {
		spin_unlock(&host_mem.lock);
		goto out;
	}
	for (c = host_mem.free_head; c; c = host_mem.next[c - 1])
		is_free[c - 1] = 1;
	for (c = 1; c + n - 1 <= host_mem.nr_total && !first; c++)
		if (chunks_contiguous(is_free, c, n))
			first = c;
	for (link = &host_mem.free_head; first && *link;) {
		c = *link;
		if (c >= first && c < first + n)
			*link = host_mem.next[c - 1];
		else
			link = &host_mem.next[c - 1];
	}
	if (first)
		account_draw(a, n);
	spin_unlock(&host_mem.lock);
out:
	free(is_free);
	return first;
}

hpa_t host_mem_chunk_pa(u32 chunk)
{
	return hpa(host_mem.base[chunk - 1]);
}

u32 host_mem_nr_free(void)
{
	return READ_ONCE(host_mem.nr_free);
}

u32 host_mem_nr_total(void)
{
	return host_mem.nr_total;
}

u32 host_mem_nr_unpromised(void)
{
	u32 n;

	spin_lock(&host_mem.lock);
	n = host_mem.nr_free - host_mem.promised;
	spin_unlock(&host_mem.lock);
	return n;
}
