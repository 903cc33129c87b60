// SPDX-License-Identifier: MIT
/*
 * Page pool for page-table pages.  A spinlock-protected free list: allocation
 * happens before walks (cache top-up) and frees after them (RCU callbacks,
 * exclusive walks), never on a shared walk's path, so the lock is cold.
 */
#include <errno.h>
#include <string.h>

#include "page_pool.h"

static u64 page_index(struct page_pool *pool, void *page)
{
	return (u64)((u8 *)page - pool->base) >> PAGE_SHIFT;
}

int page_pool_init(struct page_pool *pool, void *region, u64 size)
{
	u64 addr = (u64)(uintptr_t)region, meta_bytes, meta_pages, i;

	if (!region || (addr & (PAGE_SIZE - 1)) || size < 2 * PAGE_SIZE)
		return -EINVAL;
	memset(pool, 0, sizeof(*pool));
	/* n pages need n descriptors: solve n * (4096 + sizeof(meta)) <= size. */
	pool->nr_pages = size / (PAGE_SIZE + sizeof(struct pt_page));
	meta_bytes = pool->nr_pages * sizeof(struct pt_page);
	meta_pages = (meta_bytes + PAGE_SIZE - 1) >> PAGE_SHIFT;
	pool->nr_pages = (size >> PAGE_SHIFT) - meta_pages;
	if (!pool->nr_pages || pool->nr_pages >= (1ULL << 32))
		return -EINVAL;
	pool->meta = region;
	pool->base = (u8 *)region + (meta_pages << PAGE_SHIFT);
	memset(pool->meta, 0, pool->nr_pages * sizeof(struct pt_page));
	/* Thread the free list in address order: low pages are handed out first. */
	for (i = 0; i < pool->nr_pages; i++)
		pool->meta[i].next_free = i + 1 < pool->nr_pages ? (u32)(i + 2) : 0;
	pool->free_head = 1;
	return 0;
}

void *page_pool_alloc(struct page_pool *pool)
{
	struct pt_page *meta;
	void *page;
	u32 idx;

	spin_lock(&pool->lock);
	idx = pool->free_head;
	if (!idx) {
		spin_unlock(&pool->lock);
		return NULL;
	}
	meta = &pool->meta[idx - 1];
	pool->free_head = meta->next_free;
	meta->next_free = 0;
	pool->allocated++;
	if (++pool->in_use > pool->peak)
		pool->peak = pool->in_use;
	spin_unlock(&pool->lock);

	page = pool->base + ((u64)(idx - 1) << PAGE_SHIFT);
	if (pool->on_alloc)
		pool->on_alloc(page);
	memset(page, 0, PAGE_SIZE);
	return page;
}

void page_pool_free(struct page_pool *pool, void *page)
{
	u64 *words = page;
	u64 idx = page_index(pool, page);
	unsigned int i;

	/* Poison: a walker still reading this page (an RCU bug) meets PAGE_POISON. */
	for (i = 0; i < PAGE_SIZE / sizeof(u64); i++)
		words[i] = PAGE_POISON;
	if (pool->on_free)
		pool->on_free(page);

	spin_lock(&pool->lock);
	pool->meta[idx].next_free = pool->free_head;
	pool->free_head = (u32)(idx + 1);
	pool->freed++;
	pool->in_use--;
	spin_unlock(&pool->lock);
}

struct pt_page *page_pool_meta(struct page_pool *pool, void *page)
{
	return &pool->meta[page_index(pool, page)];
}

void *page_pool_page(struct page_pool *pool, struct pt_page *meta)
{
	return pool->base + ((u64)(meta - pool->meta) << PAGE_SHIFT);
}

int mmu_cache_topup(struct mmu_page_cache *cache, struct page_pool *pool, unsigned int min)
{
	void *page;

	if (min > MMU_CACHE_CAPACITY)
		return -EINVAL;
	while (cache->nr < min) {
		page = page_pool_alloc(pool);
		if (!page)
			return -ENOMEM;
		cache->pages[cache->nr++] = page;
	}
	return 0;
}

void mmu_cache_drain(struct mmu_page_cache *cache, struct page_pool *pool)
{
	while (cache->nr)
		page_pool_free(pool, cache->pages[--cache->nr]);
}
