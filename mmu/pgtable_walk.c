// SPDX-License-Identifier: MIT
/*
 * The one traversal every page-table operation runs, and the entry updates
 * they share.
 *
 * The traversal visits, for each entry in range: leaves (valid or not), and
 * tables before and after their children.  It re-reads an entry after a leaf
 * visit, because the visitor may have turned it into a table (map creating a
 * level, split), and descends into what it finds.  At a rescheduling point
 * it returns the next address to its caller (mmu/resched.h); the caller calls
 * again from there, and the walk starts again from the root, since the tables
 * it stood in may be gone by then.
 */
#include <errno.h>
#include <string.h>

#include "pgtable_walk.h"

#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

static struct pt_page *page_meta(struct pgtable *pgt, void *page)
{
	return page_pool_meta(pgt->pool, page);
}

static void *entry_child(const struct walk_op *op, u64 pte)
{
	return op->ops->phys_to_virt(op->fmt->output_addr(pte));
}

/* ---- freeing unlinked tables ---------------------------------------------------------- */

/* Free @page (a table at @level) and every table below it.  Nobody can reach them any more. */
static u64 free_subtree(struct pgtable *pgt, u64 *page, unsigned int level)
{
	const struct pte_format *fmt = pgt->fmt;
	u64 freed = 1;
	unsigned int i;

	for (i = 0; level < PT_LAST_LEVEL && i < PT_ENTRIES; i++) {
		u64 pte = READ_PTE(page[i]);

		if (fmt->is_table(pte, level))
			freed += free_subtree(pgt, pgt->ops->phys_to_virt(fmt->output_addr(pte)),
					      level + 1);
	}
	page_pool_free(pgt->pool, page);
	return freed;
}

static void count_rcu_frees(struct pgtable *pgt, u64 n)
{
	unsigned int cpu = mmu_this_cpu();

	__atomic_fetch_add(&pgt->stats[cpu].tables_freed_rcu, n, __ATOMIC_RELAXED);
}

/* A grace period after the unlink: no walker can still be inside the subtree. */
static void free_subtree_rcu(struct rcu_head *head)
{
	struct pt_page *meta = container_of(head, struct pt_page, rcu);
	struct pgtable *pgt = meta->pgt;

	count_rcu_frees(pgt, free_subtree(pgt, page_pool_page(pgt->pool, meta), meta->level));
}

/*
 * Per-table mode: free this table and hand each child table to RCU on its own.
 * The children became unreachable with their parent, so waiting another grace
 * period for them is not needed for safety; it spreads the work so that no
 * single callback frees more than one page (see make bench, rcu_mode).
 */
static void free_table_rcu(struct rcu_head *head)
{
	struct pt_page *meta = container_of(head, struct pt_page, rcu);
	struct pgtable *pgt = meta->pgt;
	u64 *page = page_pool_page(pgt->pool, meta);
	unsigned int i, cpu = mmu_this_cpu();

	for (i = 0; meta->level < PT_LAST_LEVEL && i < PT_ENTRIES; i++) {
		u64 pte = READ_PTE(page[i]);
		struct pt_page *child;

		if (!pgt->fmt->is_table(pte, meta->level))
			continue;
		child = page_meta(pgt, pgt->ops->phys_to_virt(pgt->fmt->output_addr(pte)));
		child->pgt = pgt;
		child->level = meta->level + 1;
		call_rcu(pgt->rcu, cpu, &child->rcu, free_table_rcu);
	}
	page_pool_free(pgt->pool, page);
	count_rcu_frees(pgt, 1);
}

/*
 * The table entry @old_table (at @level) has been replaced.  A shared walk
 * hands the subtree to RCU: other walkers may still be reading it.  An
 * exclusive walk frees it once the TLB invalidation it owes is done, since
 * the hardware walker may still hold it in its walk cache until then.
 */
void pte_unlinked_table(struct walk_op *op, u64 old_table, unsigned int level)
{
	struct pt_page *meta = page_meta(op->pgt, entry_child(op, old_table));

	meta->pgt = op->pgt;
	meta->level = level + 1;
	if (op_shared(op)) {
		call_rcu(op->pgt->rcu, mmu_this_cpu(), &meta->rcu,
			 op->pgt->rcu_mode == PGT_RCU_PER_TABLE ? free_table_rcu :
								  free_subtree_rcu);
		return;
	}
	meta->rcu.next = op->deferred_free ? &op->deferred_free->rcu : NULL;
	op->deferred_free = meta;
}

/* ---- TLB debts ------------------------------------------------------------------------- */

void walk_owe_flush(struct walk_op *op, u64 start, u64 size)
{
	if (op->flush_start == op->flush_end) {
		op->flush_start = start;
		op->flush_end = start + size;
		return;
	}
	if (start < op->flush_start)
		op->flush_start = start;
	if (start + size > op->flush_end)
		op->flush_end = start + size;
}

/* Pay what the walk owes: TLB invalidations first, then the tables they protected. */
static void walk_settle(struct walk_op *op)
{
	struct pgtable *pgt = op->pgt;

	if (op->flush_end != op->flush_start) {
		op->ops->tlb_flush_range(pgt, gpa(op->flush_start),
					 op->flush_end - op->flush_start);
		op->delta.tlb_flushes++;
		op->flush_start = op->flush_end = 0;
	} else if (op->ops->pte_sync) {
		op->ops->pte_sync();
	}
	while (op->deferred_free) {
		struct pt_page *meta = op->deferred_free;

		op->deferred_free =
			meta->rcu.next ? container_of(meta->rcu.next, struct pt_page, rcu) : NULL;
		op->delta.tables_freed +=
			free_subtree(pgt, page_pool_page(pgt->pool, meta), meta->level);
	}
}

/* ---- the traversal ----------------------------------------------------------------------- */

static int walk_table(struct walk_op *op, u64 *table, u64 addr, unsigned int level);

static bool entry_is_table(const struct walk_op *op, u64 pte, unsigned int level)
{
	return level < PT_LAST_LEVEL && op->fmt->is_table(pte, level);
}

int walk_one_entry(struct walk_op *op, u64 *ptep, u64 addr, unsigned int level)
{
	struct walk_ctx ctx = {
		.ptep = ptep, .old = READ_PTE(*ptep), .addr = addr, .level = level
	};
	bool table;
	int ret;

	if (unlikely(ctx.old == op->fmt->locked || ctx.old == PAGE_POISON)) {
		/*
		 * Locked: another walker is between break and make.  Poison: a
		 * freed table is still linked, an RCU bug the stress tests hunt.
		 */
		op->delta.backoffs++;
		return ctx.old == PAGE_POISON ? -EFAULT : -EAGAIN;
	}
	table = entry_is_table(op, ctx.old, level);
	if (op->visit_mask & (table ? VISIT_TABLE_PRE : VISIT_LEAF)) {
		ret = op->visit(op, &ctx, table ? VISIT_TABLE_PRE : VISIT_LEAF);
		if (ret)
			return ret;
		ctx.old = READ_PTE(*ptep);
		if (ctx.old == op->fmt->locked)
			return -EAGAIN;
		table = entry_is_table(op, ctx.old, level);
	}
	if (!table)
		return walk_leaf_done(op, entry_base(&ctx) + pt_level_size(level));

	ret = walk_table(op, entry_child(op, ctx.old), addr, level + 1);
	if (ret || !(op->visit_mask & VISIT_TABLE_POST))
		return ret;
	ctx.old = READ_PTE(*ptep);
	if (!entry_is_table(op, ctx.old, level))
		return 0;
	return op->visit(op, &ctx, VISIT_TABLE_POST);
}

static int walk_table(struct walk_op *op, u64 *table, u64 addr, unsigned int level)
{
	u64 size = pt_level_size(level);
	unsigned int idx = pt_index(addr, level);
	int ret;

	if (level == PT_LAST_LEVEL && op->leaf_run)
		return op->leaf_run(op, table, idx, addr);
	for (; idx < PT_ENTRIES; idx++) {
		ret = walk_one_entry(op, &table[idx], addr, level);
		if (ret)
			return ret;
		addr = (addr & ~(size - 1)) + size;
		if (addr >= op->end)
			break;
	}
	return 0;
}

void walk_op_init(struct walk_op *op, struct pgtable *pgt, u64 start, u64 size, unsigned int flags,
		  struct mmu_resched *rs, visitor_fn visit, unsigned int visit_mask)
{
	memset(op, 0, offsetof(struct walk_op, delta));
	memset(&op->delta, 0, sizeof(op->delta));
	op->pgt = pgt;
	op->fmt = pgt->fmt;
	op->ops = pgt->ops;
	op->flags = flags;
	op->start = op->next = start;
	op->end = start + size;
	op->visit = visit;
	op->visit_mask = visit_mask;
	/* Resuming: the range stays [start, end) for what it covers, the walk starts later. */
	op->next = mmu_resched_start(rs, start);
	op->may_yield = rs && !(flags & (PGT_SHARED | PGT_NO_RESCHED));
	op->resched_word = mmu_resched_word(rs);
	op->lock_waiters = mmu_resched_waiters(rs);
}

static void add_stat(u64 *counter, u64 n)
{
	if (n)
		__atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

static void walk_commit_stats(struct walk_op *op)
{
	struct pgtable_stats *s = &op->pgt->stats[mmu_this_cpu()];
	const struct pgtable_stats *d = &op->delta;

	add_stat(&s->tables_allocated, d->tables_allocated);
	add_stat(&s->tables_freed, d->tables_freed);
	add_stat(&s->races_lost, d->races_lost);
	add_stat(&s->backoffs, d->backoffs);
	add_stat(&s->pages_mapped, d->pages_mapped);
	add_stat(&s->blocks_mapped, d->blocks_mapped);
	add_stat(&s->leaves_unmapped, d->leaves_unmapped);
	add_stat(&s->splits, d->splits);
	add_stat(&s->collapses, d->collapses);
	add_stat(&s->resched_points, d->resched_points);
	add_stat(&s->tlb_flushes, d->tlb_flushes);
}

/*
 * A stop at a rescheduling point settles the TLB debt like any end of the
 * walk: once the caller drops the lock, others may rely on the entries
 * being gone, and the tables freed here must be out of every walk cache.
 */
int walk_op_run(struct walk_op *op, struct mmu_resched *rs)
{
	int ret = walk_table(op, op->pgt->root, op->next, pt_start_level(op->fmt));

	if (ret == WALK_YIELD) {
		op->delta.resched_points++;
		rs->resume = op->next;
	}
	walk_settle(op);
	walk_commit_stats(op);
	return ret;
}

/* ---- entry updates ----------------------------------------------------------------------- */

/*
 * Break: take the entry out of the hardware's and other walkers' sight.  A
 * shared walk swaps in the locked marker with compare-and-swap, so exactly
 * one walker owns the entry until pte_make(); one that finds it changed has
 * lost a race.  A valid old entry must be invalidated in the TLB before the
 * new one is written (Arm ARM D8.16.1, break-before-make).
 */
int pte_try_break(struct walk_op *op, struct walk_ctx *ctx)
{
	u64 expected = ctx->old;

	if (op_shared(op)) {
		if (!__atomic_compare_exchange_n(ctx->ptep, &expected, op->fmt->locked, false,
						 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
			op->delta.races_lost++;
			return -EAGAIN;
		}
	} else {
		WRITE_ONCE(*ctx->ptep, op->fmt->locked);
	}
	if (pte_valid(op->fmt, ctx->old)) {
		op->ops->tlb_flush_range(op->pgt, gpa(entry_base(ctx)), pt_level_size(ctx->level));
		op->delta.tlb_flushes++;
	}
	return 0;
}

/* Make: publish the new entry.  Release, so a new table's contents are seen before it. */
void pte_make(struct walk_op *op, struct walk_ctx *ctx, u64 new)
{
	(void)op;
	__atomic_store_n(ctx->ptep, new, __ATOMIC_RELEASE);
	ctx->old = new;
}

/*
 * Replace whatever the entry holds by @new.  From invalid, a single
 * compare-and-swap (shared) or store; from valid, break-before-make.  A table
 * replaced this way is unlinked and freed (RCU in a shared walk).
 */
int pte_replace(struct walk_op *op, struct walk_ctx *ctx, u64 new)
{
	const struct pte_format *fmt = op->fmt;
	u64 old = ctx->old;
	bool was_table;
	int ret;

	if (old == new)
		return 0;
	if (!pte_valid(fmt, old)) {
		if (!op_shared(op)) {
			pte_make(op, ctx, new);
			return 0;
		}
		if (!__atomic_compare_exchange_n(ctx->ptep, &old, new, false, __ATOMIC_RELEASE,
						 __ATOMIC_RELAXED)) {
			op->delta.races_lost++;
			return -EAGAIN;
		}
		ctx->old = new;
		return 0;
	}
	was_table = entry_is_table(op, old, ctx->level);
	if (was_table && op_shared(op) && rcu_backlog_full(op->pgt->rcu)) {
		op->delta.backoffs++;
		return -EAGAIN;
	}
	ret = pte_try_break(op, ctx);
	if (ret)
		return ret;
	pte_make(op, ctx, new);
	if (was_table)
		pte_unlinked_table(op, old, ctx->level);
	return 0;
}

static void *walk_alloc_table(struct walk_op *op)
{
	void *page = op->cache ? mmu_cache_take(op->cache) : NULL;

	/* An exclusive walk keeps nobody waiting on an allocation, so it may refill itself. */
	if (!page && !op_shared(op))
		page = page_pool_alloc(op->pgt->pool);
	return page;
}

/* Give back a page the walk took and did not link (zeroed first if written). */
static void walk_give_back(struct walk_op *op, void *page, bool written)
{
	if (written)
		memset(page, 0, PAGE_SIZE);
	if (!op->cache || !mmu_cache_give_back(op->cache, page))
		page_pool_free(op->pgt->pool, page);
}

/*
 * Put a new, empty table under an invalid entry.  The loser of a race gives
 * its page back and follows the winner's table (0), or backs off when the
 * winner put something else there (-EAGAIN).
 */
int pte_install_table(struct walk_op *op, struct walk_ctx *ctx)
{
	void *page = walk_alloc_table(op);
	u64 new, old = ctx->old;

	if (!page)
		return -ENOMEM;
	new = op->fmt->make_table(op->ops->virt_to_phys(page));
	if (!op_shared(op)) {
		pte_make(op, ctx, new);
	} else if (!__atomic_compare_exchange_n(ctx->ptep, &old, new, false, __ATOMIC_RELEASE,
						__ATOMIC_RELAXED)) {
		op->delta.races_lost++;
		walk_give_back(op, page, false);
		return entry_is_table(op, old, ctx->level) ? 0 : -EAGAIN;
	}
	op->delta.tables_allocated++;
	return 0;
}

/* Replace a block by a table of next-level leaves mapping the same memory the same way. */
int pte_split_block(struct walk_op *op, struct walk_ctx *ctx)
{
	const struct pte_format *fmt = op->fmt;
	unsigned int child_level = ctx->level + 1, i;
	u64 pa = fmt->output_addr(ctx->old).val, step = pt_level_size(child_level);
	u64 *page = walk_alloc_table(op), template;
	int ret;

	if (!page)
		return -ENOMEM;
	template = fmt->make_leaf(hpa(0), fmt->leaf_attrs(ctx->old), child_level);
	for (i = 0; i < PT_ENTRIES; i++)
		page[i] = template | (pa + i * step);
	ret = pte_replace(op, ctx, fmt->make_table(op->ops->virt_to_phys(page)));
	if (ret) {
		walk_give_back(op, page, true);
		return ret;
	}
	op->delta.tables_allocated++;
	op->delta.splits++;
	return 0;
}
