// SPDX-License-Identifier: MIT
/*
 * Zapping (or write-protecting) a range of guest frames through the rmap,
 * with rescheduling points.
 *
 * Give-back of guest memory, memslot removal and write-protecting a slot can
 * cover millions of frames; walking them under the MMU lock without ever
 * letting go is the classic soft lockup.  After each frame, and after every
 * RMAP_ZAP_BATCH entries of one frame, the zap checks the caller's
 * rescheduling condition (mmu/resched.h); when one is due it pays what it
 * owes (the TLB flush, then the frees: shadow_flush_and_free) and returns
 * MMU_RESCHED with the frame to resume at.  The caller drops the lock, lets
 * others run, retakes it and calls again with the same arguments
 * (kvm/mmu_yield.c).
 *
 * Nothing is remembered across that break but the next gfn: rmap heads,
 * descriptors and shadow pages may all have changed or gone while the lock
 * was free (faults add entries, other zaps remove them), so the slot is
 * looked up again and the frame's list is read afresh.  Orphans still queued
 * when it stopped stay unreachable meanwhile; the next call (or any other
 * operation, before it unlocks) zaps them first.
 */
#include <errno.h>

#include "shadow.h"

/* Entries of one frame zapped between two looks at the need-resched word. */
#define RMAP_ZAP_BATCH 32

struct zap_ctx {
	struct shadow_mmu *sm;
	struct mmu_resched *rs; /* NULL: no rescheduling points */
};

static bool resched_due(const struct zap_ctx *z)
{
	return mmu_resched_due(z->rs);
}

static bool orphans_stop(void *ctx)
{
	return resched_due(ctx);
}

/*
 * Stop at a rescheduling point, to resume at @gfn.  Pay the TLB debt first:
 * once the lock is free others may rely on the entries being gone.
 */
static int zap_stop(struct zap_ctx *z, u64 gfn)
{
	shadow_flush_and_free(z->sm);
	z->sm->stats.resched_points++;
	z->rs->resume = gfn;
	return MMU_RESCHED;
}

/* Zap the queued orphans with rescheduling points between pages.  false if it must stop. */
static bool zap_orphans(struct zap_ctx *z)
{
	return shadow_zap_orphans(z->sm, z->rs ? orphans_stop : NULL, z);
}

/* Write-protect every entry of one frame.  Entries handled. */
static u64 wrprot_frame(struct shadow_mmu *sm, struct rmap_head *head)
{
	const u64 w = sm->fmt->write;
	struct rmap_iter it;
	u64 *sptep, spte, n = 0;

	for (sptep = rmap_first(head, &it); sptep; sptep = rmap_next(&it)) {
		spte = READ_ONCE(*sptep);
		if (spte & w) {
			WRITE_ONCE(*sptep, spte & ~(w | sm->fmt->dirty));
			sm->tlb_owed = true;
			n++;
		}
	}
	return n;
}

int rmap_zap_range(struct shadow_mmu *sm, u64 gfn, u64 count, unsigned int flags,
		   struct mmu_resched *rs, u64 *done)
{
	struct zap_ctx z = { .sm = sm, .rs = flags & RMAP_ZAP_NO_RESCHED ? NULL : rs };
	u64 end = gfn + count, n, i, batch, handled = 0;
	struct shadow_page *sp;
	struct shadow_gfn g;
	u64 *sptep;
	struct rmap_iter it;
	int ret = 0;

	if (end < gfn)
		end = ~0ULL;
	gfn = mmu_resched_start(z.rs, gfn);
	/* Orphans a previous call left queued when it stopped (a no-op otherwise). */
	if (!(flags & RMAP_ZAP_WRPROT) && !zap_orphans(&z)) {
		ret = zap_stop(&z, gfn);
		goto out;
	}
	while (gfn < end) {
		/* Looked up afresh on every call: the slot's heads may have moved. */
		if (sm->ops->gfn_lookup(sm->vm, gfn, &g) == -ENOENT) {
			gfn += g.contig && g.contig < end - gfn ? g.contig : end - gfn;
			continue;
		}
		n = g.contig && g.contig < end - gfn ? g.contig : end - gfn;
		for (i = 0; i < n; i++, gfn++) {
			struct rmap_head *head = &g.rmap[i];

			if (flags & RMAP_ZAP_WRPROT) {
				handled += wrprot_frame(sm, head);
			} else {
				for (batch = 0; (sptep = rmap_first(head, &it)); batch++) {
					if (batch == RMAP_ZAP_BATCH) {
						batch = 0;
						if (resched_due(&z))
							break;
					}
					sp = shadow_page_of(sm, sptep);
					shadow_drop_leaf(sm, sp, (unsigned int)(sptep - sp->spt),
							 head);
					handled++;
					/* A corrupt list must not hang the CPU (counted in rmap_missing). */
					if (unlikely(rmap_first(head, &it) == sptep)) {
						sptep = NULL;
						break;
					}
				}
				/* Stopped in the middle of a long list: resume at this frame. */
				if (sptep) {
					ret = zap_stop(&z, gfn);
					goto out;
				}
				/*
				 * The frame held a guest table: its shadow pages go
				 * too, and the subtrees they orphan page by page.
				 */
				shadow_zap_gfn(sm, gfn);
				if (!zap_orphans(&z)) {
					ret = zap_stop(&z, gfn + 1);
					goto out;
				}
			}
			if (resched_due(&z)) {
				ret = zap_stop(&z, gfn + 1);
				goto out;
			}
		}
	}
	shadow_commit_zap(sm);
out:
	sm->stats.wrprot_entries += flags & RMAP_ZAP_WRPROT ? handled : 0;
	if (done)
		*done += handled;
	return ret;
}
