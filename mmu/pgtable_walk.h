/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by the walker's traversal (pgtable_walk.c) and the
 * operations built on it (pgtable.c).  Not an interface for anyone else.
 */
#ifndef MMU_PGTABLE_WALK_H
#define MMU_PGTABLE_WALK_H

#include "pgtable.h"

enum visit_kind {
	VISIT_LEAF = BIT(0),		/* an entry that is not a table (valid or not) */
	VISIT_TABLE_PRE = BIT(1),	/* a table entry, before descending */
	VISIT_TABLE_POST = BIT(2),	/* a table entry, after its children */
};

/* Returned by a walk that stopped at a rescheduling point (never to callers). */
#define WALK_YIELD 1

/* The entry being visited. */
struct walk_ctx {
	u64 *ptep;
	u64 old;		/* value read before the visit */
	u64 addr;		/* walk address inside this entry's region */
	unsigned int level;
};

struct walk_op;
typedef int (*visitor_fn)(struct walk_op *op, struct walk_ctx *ctx, enum visit_kind kind);

/* One operation over a range: its visitor, its arguments, and what it owes. */
struct walk_op {
	struct pgtable *pgt;
	const struct pte_format *fmt;
	const struct mmu_ops *ops;
	unsigned int flags;
	u64 start, end;			/* the operation's range */
	u64 next;			/* where to resume after a rescheduling point */
	visitor_fn visit;
	unsigned int visit_mask;
	struct mmu_page_cache *cache;

	/* map */
	u64 pa_at_start;		/* output address that @start maps to */
	u64 leaf_template[PT_LAST_LEVEL + 1];
	/* protect */
	u8 prot;
	/* collapse */
	u8 target_level;

	/* TLB invalidation owed for [flush_start, flush_end), and tables to free after it. */
	u64 flush_start, flush_end;
	struct pt_page *deferred_free;

	struct pgtable_stats delta;	/* added to this CPU's counters when the op ends */
};

static inline u64 entry_base(const struct walk_ctx *ctx)
{
	return ctx->addr & ~(pt_level_size(ctx->level) - 1);
}

static inline bool op_shared(const struct walk_op *op)
{
	return op->flags & PGT_SHARED;
}

/* The entry's whole region lies inside the operation's range. */
static inline bool entry_covered(const struct walk_op *op, const struct walk_ctx *ctx)
{
	u64 base = entry_base(ctx);

	return base >= op->start && base + pt_level_size(ctx->level) - 1 <= op->end - 1;
}

void walk_op_init(struct walk_op *op, struct pgtable *pgt, u64 start, u64 size, unsigned int flags,
		  visitor_fn visit, unsigned int visit_mask);
/* Walk [op->start, op->end), stopping at rescheduling points; settles debts on return. */
int walk_op_run(struct walk_op *op);

/* Entry updates, each correct in shared and exclusive walks. */
int pte_try_break(struct walk_op *op, struct walk_ctx *ctx);
void pte_make(struct walk_op *op, struct walk_ctx *ctx, u64 new);
int pte_replace(struct walk_op *op, struct walk_ctx *ctx, u64 new);
int pte_install_table(struct walk_op *op, struct walk_ctx *ctx);
int pte_split_block(struct walk_op *op, struct walk_ctx *ctx);
void pte_unlinked_table(struct walk_op *op, u64 old_table, unsigned int level);
void walk_owe_flush(struct walk_op *op, u64 start, u64 size);

#endif
