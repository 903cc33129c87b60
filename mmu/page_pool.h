/* SPDX-License-Identifier: MIT */
/*
 * Page pool for page-table pages, and the per-walker caches filled from it.
 *
 * The pool carves a contiguous region into 4K pages and keeps a small
 * descriptor per page (like Linux's struct page): a table page unlinked by a
 * shared walk is still being read, so the RCU callback that frees it cannot
 * live in the page itself; it lives in the descriptor.
 *
 * Freed pages are poisoned so that a walker reading a freed table sees
 * PAGE_POISON (and the environment may also hide them from a sanitizer).
 */
#ifndef MMU_PAGE_POOL_H
#define MMU_PAGE_POOL_H

#include "rcu.h"
#include "sync.h"
#include "types.h"

#define PAGE_POISON 0xdeadbeefdeadbeefULL

struct pgtable;

struct pt_page {
	struct rcu_head rcu; /* deferred free of an unlinked table (or subtree) */
	struct pgtable *pgt; /* owner, for the deferred free */
	u32 next_free;	     /* free-list link (page index + 1; 0 ends the list) */
	u8 level;	     /* level of the table this page holds */
};

struct page_pool {
	struct spinlock lock;
	u8 *base; /* first page handed out */
	u64 nr_pages;
	struct pt_page *meta; /* one per page, at the start of the region */
	u32 free_head;
	u64 allocated, freed, in_use, peak;
	/* Optional: told about each page as it is freed / allocated (sanitizer poisoning). */
	void (*on_free)(void *page);
	void (*on_alloc)(void *page);
};

/* Use [@region, @region + @size) (page aligned) for descriptors and pages. */
int page_pool_init(struct page_pool *pool, void *region, u64 size);
/* A zeroed page, or NULL when the pool is empty. */
void *page_pool_alloc(struct page_pool *pool);
/* Poison @page and return it to the pool. */
void page_pool_free(struct page_pool *pool, void *page);
struct pt_page *page_pool_meta(struct page_pool *pool, void *page);
void *page_pool_page(struct page_pool *pool, struct pt_page *meta);

/*
 * Per-walker cache.  A fault handler tops it up before taking the MMU lock,
 * so a shared walk never allocates while others wait on it; a walk takes
 * pages from the cache and gives back the ones it lost a race with.
 */
#define MMU_CACHE_CAPACITY 16

struct mmu_page_cache {
	unsigned int nr;
	void *pages[MMU_CACHE_CAPACITY];
};

/* Fill @cache to at least @min pages.  0, or -ENOMEM when the pool ran dry. */
int mmu_cache_topup(struct mmu_page_cache *cache, struct page_pool *pool, unsigned int min);
/* Return every cached page to the pool. */
void mmu_cache_drain(struct mmu_page_cache *cache, struct page_pool *pool);

static inline void *mmu_cache_take(struct mmu_page_cache *cache)
{
	return cache->nr ? cache->pages[--cache->nr] : NULL;
}

/* Give back a page taken and not used (still zeroed: the loser of a race never wrote it). */
static inline bool mmu_cache_give_back(struct mmu_page_cache *cache, void *page)
{
	if (cache->nr == MMU_CACHE_CAPACITY)
		return false;
	cache->pages[cache->nr++] = page;
	return true;
}

#endif
