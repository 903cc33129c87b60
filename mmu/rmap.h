/* SPDX-License-Identifier: MIT */
/*
 * Reverse map: for one guest frame (or one shadow page's parents), the set of
 * shadow entries that point to it.
 *
 * A head is one word.  Most frames are mapped once, so the common case costs
 * no allocation at all:
 *
 *	val == 0		empty
 *	val bit 0 == 0		val is the one u64 *sptep
 *	val bit 0 == 1		val & ~1 is a struct rmap_desc, chained by ->more
 *
 * (sptep values are 8-byte aligned, so bit 0 is free for the tag.)  Only the
 * first descriptor of a chain may be partly filled: adds go there, and a
 * removal fills its hole with the first descriptor's last entry, so no chain
 * ever holds an empty or a half-empty descriptor in its middle and a removal
 * frees at most one descriptor.  A chain left with a single entry folds back
 * into the one-word form.
 *
 * Descriptors come from struct rmap_desc_pool, carved out of page-pool pages.
 * Locking: every change and every iteration is under the MMU lock held for
 * writing; the descriptor pool's own spinlock only lets a fault top it up
 * before it takes the MMU lock (prepare, then commit: an add under the lock
 * never fails when the caller topped up first).
 */
#ifndef MMU_RMAP_H
#define MMU_RMAP_H

#include "page_pool.h"
#include "sync.h"
#include "types.h"

struct rmap_head {
	uintptr_t val;
};

/* Six entries, a count and a link: one 64-byte cache line. */
#define RMAP_DESC_SPTES 6

struct rmap_desc {
	u64 *sptes[RMAP_DESC_SPTES];
	struct rmap_desc *more; /* next (full) descriptor of the chain */
	u64 nr;			/* entries used in sptes[] */
};

struct rmap_desc_pool {
	struct spinlock lock;
	struct page_pool *pool;
	struct rmap_desc *free; /* free descriptors, linked through ->more */
	void *pages;		/* carved pages, linked through their first word */
	u64 nr_free, in_use, nr_pages;
};

struct rmap_iter {
	struct rmap_desc *desc;
	unsigned int pos;
};

void rmap_pool_init(struct rmap_desc_pool *dp, struct page_pool *pool);
/* Give every carved page back; every head must be empty.  Returns descriptors still in use. */
u64 rmap_pool_destroy(struct rmap_desc_pool *dp);
/* Make sure @min descriptors are free.  0, or -ENOMEM.  Takes the pool spinlock. */
int rmap_pool_topup(struct rmap_desc_pool *dp, unsigned int min);

/*
 * Record that *@sptep maps the frame of @head.  0, or -ENOMEM when a
 * descriptor is needed and none could be had (nothing changed then).
 * MMU lock held for writing.
 */
int rmap_add(struct rmap_desc_pool *dp, struct rmap_head *head, u64 *sptep);

/* Forget @sptep.  0, or -ENOENT when it was not there (a bug the caller counts). */
int rmap_remove(struct rmap_desc_pool *dp, struct rmap_head *head, u64 *sptep);

/*
 * Iterate: for (p = rmap_first(h, &it); p; p = rmap_next(&it)).  The set must
 * not change during the loop; to empty a head, remove rmap_first() until NULL.
 */
u64 *rmap_first(const struct rmap_head *head, struct rmap_iter *it);
u64 *rmap_next(struct rmap_iter *it);

unsigned long rmap_count(const struct rmap_head *head);
bool rmap_contains(const struct rmap_head *head, const u64 *sptep);

static inline bool rmap_empty(const struct rmap_head *head)
{
	return head->val == 0;
}

#endif
