// SPDX-License-Identifier: MIT
/*
 * Page-table operations, each a visitor over the traversal in pgtable_walk.c.
 *
 * Every operation checks its arguments completely before it touches a table,
 * so a bad request leaves the tree exactly as it was.
 */
#include <errno.h>
#include <string.h>

#include "pgtable_walk.h"

static int check_range(const struct pgtable *pgt, u64 addr, u64 size)
{
	if (!size || ((addr | size) & (PAGE_SIZE - 1)) || addr + size < addr)
		return -EINVAL;
	if (addr + size > (1ULL << pgt->fmt->ia_bits))
		return -ERANGE;
	return 0;
}

int pgtable_init(struct pgtable *pgt, const struct pte_format *fmt, const struct mmu_ops *ops,
		 struct page_pool *pool, struct rcu_state *rcu)
{
	if (!fmt || !ops || !pool || !rcu || !ops->phys_to_virt || !ops->virt_to_phys ||
	    !ops->tlb_flush_range || !ops->tlb_flush_all)
		return -EINVAL;
	memset(pgt, 0, sizeof(*pgt));
	pgt->fmt = fmt;
	pgt->ops = ops;
	pgt->pool = pool;
	pgt->rcu = rcu;
	pgt->rcu_mode = PGT_RCU_PER_SUBTREE;
	pgt->root = page_pool_alloc(pool);
	if (!pgt->root)
		return -ENOMEM;
	pgt->root_pa = ops->virt_to_phys(pgt->root);
	return 0;
}

/* ---- map ----------------------------------------------------------------------------------- */

/* A leaf can go at this entry: the level allows it and addr, pa and the rest of the range fit. */
static bool map_fits_leaf(const struct walk_op *op, const struct walk_ctx *ctx, u64 *pa)
{
	unsigned int level = ctx->level;
	u64 size = pt_level_size(level);

	if (level != PT_LAST_LEVEL &&
	    (!(op->fmt->block_levels & BIT(level)) || (op->flags & PGT_PAGES_ONLY)))
		return false;
	*pa = op->pa_at_start + (ctx->addr - op->start);
	return !((ctx->addr | *pa) & (size - 1)) && op->end - ctx->addr >= size;
}

static int map_visit(struct walk_op *op, struct walk_ctx *ctx, enum visit_kind kind)
{
	u64 pa, new;
	int ret;

	if (map_fits_leaf(op, ctx, &pa)) {
		new = op->leaf_template[ctx->level] | pa;
		if (ctx->old == new)
			return 0; /* another vCPU's fault got here first */
		ret = pte_replace(op, ctx, new);
		if (!ret && ctx->level == PT_LAST_LEVEL)
			op->delta.pages_mapped++;
		else if (!ret)
			op->delta.blocks_mapped++;
		return ret;
	}
	if (kind == VISIT_TABLE_PRE)
		return 0;
	if (pte_valid(op->fmt, ctx->old))
		return pte_split_block(op, ctx);
	return pte_install_table(op, ctx);
}

/* Fast path: a run of 4K entries, empty in the common case (a fault, a fresh range). */
static int map_leaf_run(struct walk_op *op, u64 *table, unsigned int idx, u64 addr)
{
	struct resched_check rc = walk_resched_check(op);
	u64 template = op->leaf_template[PT_LAST_LEVEL];
	u64 pa = op->pa_at_start + (addr - op->start);
	u64 end = op->end, mapped = 0;
	bool shared = op_shared(op);
	int ret = 0;

	for (; idx < PT_ENTRIES && addr < end; idx++, addr += SZ_4K, pa += SZ_4K) {
		u64 old = 0;

		if (shared ? !__atomic_compare_exchange_n(&table[idx], &old, template | pa, false,
							  __ATOMIC_RELEASE, __ATOMIC_RELAXED) :
			     READ_ONCE(table[idx]) != 0) {
			/* Not empty (or a racing walker filled it): the general way. */
			ret = walk_one_entry(op, &table[idx], addr, PT_LAST_LEVEL);
			if (ret)
				break;
			continue;
		}
		if (!shared)
			WRITE_ONCE(table[idx], template | pa);
		mapped++;
		if (unlikely(resched_check_due(rc)) && addr + SZ_4K < end) {
			op->next = addr + SZ_4K;
			ret = WALK_YIELD;
			break;
		}
	}
	op->delta.pages_mapped += mapped;
	return ret;
}

int pgtable_map(struct pgtable *pgt, gpa_t addr, u64 size, hpa_t pa, struct pte_attrs attrs,
		struct mmu_page_cache *cache, unsigned int flags, struct mmu_resched *rs)
{
	const struct pte_format *fmt = pgt->fmt;
	struct walk_op op;
	unsigned int level;
	int ret;

	ret = check_range(pgt, addr.val, size);
	if (ret)
		return ret;
	if (pa.val & (PAGE_SIZE - 1))
		return -EINVAL;
	if (pa.val + size < pa.val || pa.val + size > (1ULL << fmt->oa_bits))
		return -ERANGE;
	if (fmt->check_attrs(attrs))
		return -ENOTSUP;

	walk_op_init(&op, pgt, addr.val, size, flags, rs, map_visit, VISIT_LEAF | VISIT_TABLE_PRE);
	op.cache = cache;
	op.leaf_run = map_leaf_run;
	op.pa_at_start = pa.val;
	for (level = pt_start_level(fmt); level <= PT_LAST_LEVEL; level++)
		if (level == PT_LAST_LEVEL || (fmt->block_levels & BIT(level)))
			op.leaf_template[level] = fmt->make_leaf(hpa(0), attrs, level);
	return walk_op_run(&op, rs);
}

/* ---- unmap and destroy ---------------------------------------------------------------------- */

static int unmap_visit(struct walk_op *op, struct walk_ctx *ctx, enum visit_kind kind)
{
	u64 size = pt_level_size(ctx->level);

	if (kind == VISIT_LEAF && !pte_valid(op->fmt, ctx->old))
		return 0;
	if (!entry_covered(op, ctx))
		return kind == VISIT_LEAF ? pte_split_block(op, ctx) : 0;
	/* Exclusive: only the hardware can see the entry, and it is flushed before anyone
	 * may reuse what it pointed at. */
	WRITE_ONCE(*ctx->ptep, 0);
	walk_owe_flush(op, entry_base(ctx), size);
	if (kind == VISIT_LEAF)
		op->delta.leaves_unmapped++;
	else
		pte_unlinked_table(op, ctx->old, ctx->level);
	return 0;
}

/*
 * Fast path: a run of 4K entries, each wholly inside the range.  The TLB
 * invalidation for the run is owed, and paid before a rescheduling point.
 */
static int unmap_leaf_run(struct walk_op *op, u64 *table, unsigned int idx, u64 addr)
{
	struct resched_check rc = walk_resched_check(op);
	const struct pte_format *fmt = op->fmt;
	u64 first = addr, end = op->end, unmapped = 0, old;
	int ret = 0;

	for (; idx < PT_ENTRIES && addr < end; idx++, addr += SZ_4K) {
		old = READ_ONCE(table[idx]);
		if (unlikely(old == fmt->locked || old == PAGE_POISON)) {
			ret = walk_one_entry(op, &table[idx], addr, PT_LAST_LEVEL);
			if (ret)
				break;
		} else if (pte_valid(fmt, old)) {
			WRITE_ONCE(table[idx], 0);
			unmapped++;
		}
		if (unlikely(resched_check_due(rc)) && addr + SZ_4K < end) {
			addr += SZ_4K;
			op->next = addr;
			ret = WALK_YIELD;
			break;
		}
	}
	op->delta.leaves_unmapped += unmapped;
	if (unmapped)
		walk_owe_flush(op, first, addr - first);
	return ret;
}

int pgtable_unmap(struct pgtable *pgt, gpa_t addr, u64 size, unsigned int flags,
		  struct mmu_resched *rs)
{
	struct walk_op op;
	int ret;

	ret = check_range(pgt, addr.val, size);
	if (ret)
		return ret;
	if (flags & PGT_SHARED)
		return -EINVAL;
	walk_op_init(&op, pgt, addr.val, size, flags, rs, unmap_visit,
		     VISIT_LEAF | VISIT_TABLE_POST);
	op.leaf_run = unmap_leaf_run;
	return walk_op_run(&op, rs);
}

void pgtable_destroy(struct pgtable *pgt, unsigned int flags)
{
	if (!pgt->root)
		return;
	pgtable_unmap(pgt, gpa(0), pgtable_ia_size(pgt), flags & ~PGT_SHARED, NULL);
	page_pool_free(pgt->pool, pgt->root);
	pgt->root = NULL;
}

/* ---- protect and split ---------------------------------------------------------------------- */

static int protect_visit(struct walk_op *op, struct walk_ctx *ctx, enum visit_kind kind)
{
	const struct pte_format *fmt = op->fmt;
	struct pte_attrs attrs;
	u64 new, old = ctx->old;

	(void)kind;
	if (!pte_valid(fmt, old))
		return 0;
	if (!entry_covered(op, ctx))
		return pte_split_block(op, ctx);
	attrs = fmt->leaf_attrs(old);
	attrs.prot = op->prot;
	new = fmt->make_leaf(fmt->output_addr(old), attrs, ctx->level);
	if (new == old)
		return 0;
	/* A permission change needs no break-before-make (Arm ARM D8.16.1); the TLB is
	 * invalidated before the operation returns. */
	if (op_shared(op)) {
		if (!__atomic_compare_exchange_n(ctx->ptep, &old, new, false, __ATOMIC_RELEASE,
						 __ATOMIC_RELAXED)) {
			op->delta.races_lost++;
			return -EAGAIN;
		}
	} else {
		WRITE_ONCE(*ctx->ptep, new);
	}
	walk_owe_flush(op, entry_base(ctx), pt_level_size(ctx->level));
	return 0;
}

/* Read-only pass: does any leaf in range have a memory type @prot cannot go with? */
static int protect_check_visit(struct walk_op *op, struct walk_ctx *ctx, enum visit_kind kind)
{
	struct pte_attrs attrs;

	(void)kind;
	if (!pte_valid(op->fmt, ctx->old))
		return 0;
	attrs = op->fmt->leaf_attrs(ctx->old);
	attrs.prot = op->prot;
	return op->fmt->check_attrs(attrs) ? -ENOTSUP : 0;
}

static bool prot_fits_every_memtype(const struct pte_format *fmt, u8 prot)
{
	unsigned int mt;

	for (mt = 0; mt < MT_COUNT; mt++)
		if (fmt->check_attrs((struct pte_attrs){ .prot = prot, .memtype = mt }))
			return false;
	return true;
}

int pgtable_protect(struct pgtable *pgt, gpa_t addr, u64 size, u8 prot,
		    struct mmu_page_cache *cache, unsigned int flags, struct mmu_resched *rs)
{
	struct walk_op op;
	int ret;

	ret = check_range(pgt, addr.val, size);
	if (ret)
		return ret;
	if (!prot || (prot & ~PROT_RWX))
		return -ENOTSUP;
	if (!prot_fits_every_memtype(pgt->fmt, prot)) {
		walk_op_init(&op, pgt, addr.val, size, flags | PGT_NO_RESCHED, NULL,
			     protect_check_visit, VISIT_LEAF);
		op.prot = prot;
		ret = walk_op_run(&op, NULL);
		if (ret)
			return ret;
	}
	walk_op_init(&op, pgt, addr.val, size, flags, rs, protect_visit, VISIT_LEAF);
	op.cache = cache;
	op.prot = prot;
	return walk_op_run(&op, rs);
}

static int split_visit(struct walk_op *op, struct walk_ctx *ctx, enum visit_kind kind)
{
	(void)kind;
	if (ctx->level == PT_LAST_LEVEL || !pte_valid(op->fmt, ctx->old))
		return 0;
	return pte_split_block(op, ctx);
}

int pgtable_split(struct pgtable *pgt, gpa_t addr, u64 size, struct mmu_page_cache *cache,
		  unsigned int flags, struct mmu_resched *rs)
{
	struct walk_op op;
	int ret;

	ret = check_range(pgt, addr.val, size);
	if (ret)
		return ret;
	walk_op_init(&op, pgt, addr.val, size, flags, rs, split_visit, VISIT_LEAF);
	op.cache = cache;
	return walk_op_run(&op, rs);
}

/* ---- collapse ------------------------------------------------------------------------------- */

/*
 * Every entry under @table (at @level) is a valid leaf, mapping @*pa onwards
 * contiguously with @attrs.
 */
static bool subtree_uniform(const struct walk_op *op, u64 *table, unsigned int level, u64 *pa,
			    struct pte_attrs attrs)
{
	const struct pte_format *fmt = op->fmt;
	unsigned int i;

	for (i = 0; i < PT_ENTRIES; i++) {
		u64 pte = READ_PTE(table[i]);
		struct pte_attrs a;

		if (!pte_valid(fmt, pte) || pte == PAGE_POISON)
			return false;
		if (level < PT_LAST_LEVEL && fmt->is_table(pte, level)) {
			if (!subtree_uniform(op, op->ops->phys_to_virt(fmt->output_addr(pte)),
					     level + 1, pa, attrs))
				return false;
			continue;
		}
		a = fmt->leaf_attrs(pte);
		if (fmt->output_addr(pte).val != *pa || a.prot != attrs.prot ||
		    a.memtype != attrs.memtype)
			return false;
		*pa += pt_level_size(level);
	}
	return true;
}

/* The first leaf under @table: where a uniform subtree would start, and how. */
static u64 first_leaf(const struct walk_op *op, u64 *table, unsigned int level)
{
	u64 pte = READ_PTE(table[0]);

	while (level < PT_LAST_LEVEL && op->fmt->is_table(pte, level)) {
		table = op->ops->phys_to_virt(op->fmt->output_addr(pte));
		pte = READ_PTE(table[0]);
		level++;
	}
	return pte;
}

static int collapse_visit(struct walk_op *op, struct walk_ctx *ctx, enum visit_kind kind)
{
	const struct pte_format *fmt = op->fmt;
	u64 *table, leaf, pa, start_pa;
	struct pte_attrs attrs;
	int ret;

	if (kind == VISIT_LEAF)
		return -ENOENT; /* no table at the level asked for */
	if (ctx->level < op->target_level)
		return 0;
	table = op->ops->phys_to_virt(fmt->output_addr(ctx->old));
	leaf = first_leaf(op, table, ctx->level + 1);
	if (!pte_valid(fmt, leaf) || leaf == PAGE_POISON)
		return -EBUSY;
	start_pa = pa = fmt->output_addr(leaf).val;
	attrs = fmt->leaf_attrs(leaf);
	if (start_pa & (pt_level_size(ctx->level) - 1) ||
	    !subtree_uniform(op, table, ctx->level + 1, &pa, attrs))
		return -EBUSY;
	ret = pte_replace(op, ctx, fmt->make_leaf(hpa(start_pa), attrs, ctx->level));
	if (!ret)
		op->delta.collapses++;
	return ret;
}

int pgtable_collapse(struct pgtable *pgt, gpa_t addr, unsigned int level, unsigned int flags)
{
	struct walk_op op;
	u64 size;
	int ret;

	if (flags & PGT_SHARED || level < pt_start_level(pgt->fmt) || level >= PT_LAST_LEVEL ||
	    !(pgt->fmt->block_levels & BIT(level)))
		return -EINVAL;
	size = pt_level_size(level);
	if (addr.val & (size - 1))
		return -EINVAL;
	ret = check_range(pgt, addr.val, size);
	if (ret)
		return ret;
	walk_op_init(&op, pgt, addr.val, size, flags | PGT_NO_RESCHED, NULL, collapse_visit,
		     VISIT_LEAF | VISIT_TABLE_PRE);
	op.target_level = (u8)level;
	return walk_op_run(&op, NULL);
}

/* ---- lookups -------------------------------------------------------------------------------- */

int pgtable_translate(struct pgtable *pgt, gpa_t addr, hpa_t *pa, struct pte_attrs *attrs,
		      unsigned int *level)
{
	const struct pte_format *fmt = pgt->fmt;
	unsigned int lvl = pt_start_level(fmt);
	u64 *table = pgt->root, pte;

	if (addr.val >= (1ULL << fmt->ia_bits))
		return -ERANGE;
	for (;; lvl++) {
		pte = READ_PTE(table[pt_index(addr.val, lvl)]);
		if (pte == PAGE_POISON)
			return -EFAULT;
		if (!pte_valid(fmt, pte))
			return -ENOENT;
		if (lvl == PT_LAST_LEVEL || !fmt->is_table(pte, lvl))
			break;
		table = pgt->ops->phys_to_virt(fmt->output_addr(pte));
	}
	if (pa)
		*pa = hpa(fmt->output_addr(pte).val + (addr.val & (pt_level_size(lvl) - 1)));
	if (attrs)
		*attrs = fmt->leaf_attrs(pte);
	if (level)
		*level = lvl;
	return 0;
}

void pgtable_get_stats(struct pgtable *pgt, struct pgtable_stats *out)
{
	const u64 *src;
	u64 *dst = (u64 *)out;
	unsigned int cpu, i, n = sizeof(*out) / sizeof(u64);

	memset(out, 0, sizeof(*out));
	for (cpu = 0; cpu < MAX_CPUS; cpu++) {
		src = (const u64 *)&pgt->stats[cpu];
		for (i = 0; i < n; i++)
			dst[i] += __atomic_load_n(&src[i], __ATOMIC_RELAXED);
	}
}
