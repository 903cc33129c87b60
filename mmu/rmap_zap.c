// SPDX-License-Identifier: MIT
/*
 * Zapping (or write-protecting) a range of guest frames through the rmap,
 * with rescheduling points.
 *
 * Give-back of guest memory, memslot removal and write-protecting a slot can
 * cover millions of frames; walking them under the MMU lock without ever
 * letting go is the classic soft lockup.  After each frame, and after every
 * RMAP_ZAP_BATCH entries of one frame, the zap reads this CPU's need-resched
 * word and the MMU lock's waiter word; if either is set it pays what it owes
 * (the TLB flush, then the frees: shadow_commit_zap), drops the lock, calls
 * the scheduler hook, retakes the lock and goes on.
 *
 * Nothing is remembered across that yield but the next gfn: rmap heads,
 * descriptors and shadow pages may all have changed or gone while the lock
 * was free (faults add entries, other zaps remove them), so the slot is
 * looked up again and the frame's list is read afresh.
 */
#include <errno.h>

#include "shadow.h"

/* Entries of one frame zapped between two looks at the need-resched word. */
#define RMAP_ZAP_BATCH 32

struct zap_ctx {
	struct shadow_mmu *sm;
	const u32 *resched_word;
	bool may_yield;
};

static bool resched_due(const struct zap_ctx *z)
{
	return z->may_yield && ((z->resched_word && __atomic_load_n(z->resched_word,
								   __ATOMIC_RELAXED)) ||
				rwlock_contended(&z->sm->lock));
}

static bool orphans_stop(void *ctx)
{
	return resched_due(ctx);
}

static void zap_yield(struct zap_ctx *z)
{
	struct shadow_mmu *sm = z->sm;

	/*
	 * Pay the TLB debt first: once the lock is free others may rely on the
	 * entries being gone.  Orphans still queued stay unreachable meanwhile.
	 */
	shadow_flush_and_free(sm);
	sm->stats.resched_points++;
	write_unlock(&sm->lock);
	sm->ops->resched();
	write_lock(&sm->lock);
}

/* Zap the queued orphans with rescheduling points between pages.  true if it yielded. */
static bool zap_orphans(struct zap_ctx *z)
{
	bool yielded = false;

	while (!shadow_zap_orphans(z->sm, z->may_yield ? orphans_stop : NULL, z)) {
		zap_yield(z);
		yielded = true;
	}
	return yielded;
}

/* Write-protect every entry of one frame.  Entries handled. */
static u64 wrprot_frame(struct shadow_mmu *sm, struct rmap_head *head)
{
	struct rmap_iter it;
	u64 *sptep, spte, n = 0;

	for (sptep = rmap_first(head, &it); sptep; sptep = rmap_next(&it)) {
		spte = READ_ONCE(*sptep);
		if (spte & PTE64_RW) {
			WRITE_ONCE(*sptep, spte & ~(PTE64_RW | PTE64_D));
			sm->tlb_owed = true;
			n++;
		}
	}
	return n;
}

u64 rmap_zap_range(struct shadow_mmu *sm, u64 gfn, u64 count, unsigned int flags)
{
	struct zap_ctx z = { .sm = sm };
	u64 end = gfn + count, done = 0, n, i, batch;
	struct shadow_page *sp;
	struct shadow_gfn g;
	u64 *sptep;
	struct rmap_iter it;

	if (end < gfn)
		end = ~0ULL;
	z.may_yield = !(flags & RMAP_ZAP_NO_RESCHED) && sm->ops->resched;
	z.resched_word = sm->ops->need_resched_word ? sm->ops->need_resched_word() : NULL;
	write_lock(&sm->lock);
	while (gfn < end) {
		/* Looked up again after every yield: the slot's heads may have moved. */
		if (sm->ops->gfn_lookup(sm->vm, gfn, &g) == -ENOENT) {
			gfn += g.contig && g.contig < end - gfn ? g.contig : end - gfn;
			continue;
		}
		n = g.contig && g.contig < end - gfn ? g.contig : end - gfn;
		for (i = 0; i < n; i++, gfn++) {
			struct rmap_head *head = &g.rmap[i];

			if (flags & RMAP_ZAP_WRPROT) {
				done += wrprot_frame(sm, head);
			} else {
				for (batch = 0; (sptep = rmap_first(head, &it)); batch++) {
					if (batch == RMAP_ZAP_BATCH) {
						batch = 0;
						if (resched_due(&z))
							break;
					}
					sp = shadow_page_of(sm, sptep);
					shadow_drop_leaf(sm, sp, (unsigned int)(sptep - sp->spt), head);
					done++;
					/* A corrupt list must not hang the CPU (counted in rmap_missing). */
					if (unlikely(rmap_first(head, &it) == sptep)) {
						sptep = NULL;
						break;
					}
				}
				if (sptep) {
					/* Yield in the middle of a long list: resume at this frame. */
					zap_yield(&z);
					break;
				}
				/*
				 * The frame held a guest table: its shadow pages go
				 * too, and the subtrees they orphan page by page.
				 */
				shadow_zap_gfn(sm, gfn);
				if (zap_orphans(&z)) {
					gfn++;
					break;		/* yielded: look the slot up again */
				}
			}
			if (resched_due(&z)) {
				gfn++;
				zap_yield(&z);
				break;
			}
		}
	}
	sm->stats.wrprot_entries += flags & RMAP_ZAP_WRPROT ? done : 0;
	shadow_commit_zap(sm);
	write_unlock(&sm->lock);
	return done;
}
