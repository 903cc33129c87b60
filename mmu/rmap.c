// SPDX-License-Identifier: MIT
/*
 * Reverse-map lists (see rmap.h for the encoding and the invariants).
 */
#include <errno.h>

#include "rmap.h"

#define RMAP_TAG_DESC 1UL
/* Slot 0 of each carved page holds the page link; the rest are descriptors. */
#define DESCS_PER_PAGE (PAGE_SIZE / sizeof(struct rmap_desc))

_Static_assert(sizeof(struct rmap_desc) == 64, "a descriptor is one cache line");

static inline bool head_is_desc(const struct rmap_head *head)
{
	return head->val & RMAP_TAG_DESC;
}

static inline struct rmap_desc *head_desc(const struct rmap_head *head)
{
	return (struct rmap_desc *)(head->val & ~RMAP_TAG_DESC);
}

static inline void head_set_desc(struct rmap_head *head, struct rmap_desc *desc)
{
	head->val = (uintptr_t)desc | RMAP_TAG_DESC;
}

void rmap_pool_init(struct rmap_desc_pool *dp, struct page_pool *pool)
{
	*dp = (struct rmap_desc_pool){ .pool = pool };
}

u64 rmap_pool_destroy(struct rmap_desc_pool *dp)
{
	void *page;
	u64 left = dp->in_use;

	while ((page = dp->pages)) {
		dp->pages = *(void **)page;
		page_pool_free(dp->pool, page);
	}
	dp->free = NULL;
	dp->nr_free = dp->nr_pages = 0;
	return left;
}

/* Pool spinlock held. */
static int carve_page(struct rmap_desc_pool *dp)
{
	struct rmap_desc *descs = page_pool_alloc(dp->pool);
	unsigned int i;

	if (!descs)
		return -ENOMEM;
	*(void **)descs = dp->pages;
	dp->pages = descs;
	dp->nr_pages++;
	for (i = 1; i < DESCS_PER_PAGE; i++) {
		descs[i].more = dp->free;
		dp->free = &descs[i];
	}
	dp->nr_free += DESCS_PER_PAGE - 1;
	return 0;
}

int rmap_pool_topup(struct rmap_desc_pool *dp, unsigned int min)
{
	int rc = 0;

	spin_lock(&dp->lock);
	while (dp->nr_free < min && !rc)
		rc = carve_page(dp);
	spin_unlock(&dp->lock);
	return rc;
}

static struct rmap_desc *desc_alloc(struct rmap_desc_pool *dp)
{
	struct rmap_desc *desc = NULL;

	spin_lock(&dp->lock);
	if (dp->free || !carve_page(dp)) {
		desc = dp->free;
		dp->free = desc->more;
		dp->nr_free--;
		dp->in_use++;
	}
	spin_unlock(&dp->lock);
	if (desc)
		*desc = (struct rmap_desc){ 0 };
	return desc;
}

/* Descriptors are recycled, not returned to the page pool: rmap_pool_destroy() does that. */
static void desc_free(struct rmap_desc_pool *dp, struct rmap_desc *desc)
{
	spin_lock(&dp->lock);
	desc->more = dp->free;
	dp->free = desc;
	dp->nr_free++;
	dp->in_use--;
	spin_unlock(&dp->lock);
}

int rmap_add(struct rmap_desc_pool *dp, struct rmap_head *head, u64 *sptep)
{
	struct rmap_desc *desc, *first;

	if (!head->val) {
		head->val = (uintptr_t)sptep;
		return 0;
	}
	if (!head_is_desc(head)) {
		desc = desc_alloc(dp);
		if (!desc)
			return -ENOMEM;
		desc->sptes[0] = (u64 *)head->val;
		desc->sptes[1] = sptep;
		desc->nr = 2;
		head_set_desc(head, desc);
		return 0;
	}
	first = head_desc(head);
	if (first->nr < RMAP_DESC_SPTES) {
		first->sptes[first->nr++] = sptep;
		return 0;
	}
	/* The first descriptor is full: a new one goes in front, so the rest stay full. */
	desc = desc_alloc(dp);
	if (!desc)
		return -ENOMEM;
	desc->sptes[0] = sptep;
	desc->nr = 1;
	desc->more = first;
	head_set_desc(head, desc);
	return 0;
}

int rmap_remove(struct rmap_desc_pool *dp, struct rmap_head *head, u64 *sptep)
{
	struct rmap_desc *first, *desc;
	unsigned int i;

	if (!head_is_desc(head)) {
		if (head->val != (uintptr_t)sptep || !sptep)
			return -ENOENT;
		head->val = 0;
		return 0;
	}
	first = head_desc(head);
	for (desc = first; desc; desc = desc->more) {
		for (i = 0; i < desc->nr; i++)
			if (desc->sptes[i] == sptep)
				goto found;
	}
	return -ENOENT;
found:
	/* Fill the hole with the first descriptor's last entry: only the first is ever short. */
	desc->sptes[i] = first->sptes[--first->nr];
	first->sptes[first->nr] = NULL;
	if (!first->nr) {
		if (first->more)
			head_set_desc(head, first->more);
		else
			head->val = 0;
		desc_free(dp, first);
		first = head_is_desc(head) ? head_desc(head) : NULL;
	}
	/* Back to the one-word form when a single entry is left. */
	if (first && first->nr == 1 && !first->more) {
		head->val = (uintptr_t)first->sptes[0];
		desc_free(dp, first);
	}
	return 0;
}

u64 *rmap_first(const struct rmap_head *head, struct rmap_iter *it)
{
	it->desc = NULL;
	it->pos = 0;
	if (!head->val)
		return NULL;
	if (!head_is_desc(head))
		return (u64 *)head->val;
	it->desc = head_desc(head);
	return it->desc->sptes[0];
}

u64 *rmap_next(struct rmap_iter *it)
{
	if (!it->desc)
		return NULL;
	if (++it->pos < it->desc->nr)
		return it->desc->sptes[it->pos];
	it->desc = it->desc->more;
	it->pos = 0;
	return it->desc ? it->desc->sptes[0] : NULL;
}

unsigned long rmap_count(const struct rmap_head *head)
{
	struct rmap_desc *desc;
	unsigned long n = 0;

	if (!head_is_desc(head))
		return head->val != 0;
	for (desc = head_desc(head); desc; desc = desc->more)
		n += desc->nr;
	return n;
}

bool rmap_contains(const struct rmap_head *head, const u64 *sptep)
{
	struct rmap_iter it;
	u64 *p;

	for (p = rmap_first(head, &it); p; p = rmap_next(&it))
		if (p == sptep)
			return true;
	return false;
}
