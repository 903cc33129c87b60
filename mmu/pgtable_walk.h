/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by the walker's traversal (pgtable_walk.c) and the
 * operations built on it (pgtable.c).  Not an interface for anyone else.
 */
#ifndef MMU_PGTABLE_WALK_H
#define MMU_PGTABLE_WALK_H

#include "pgtable.h"

enum visit_kind {
	VISIT_LEAF = BIT(0),	   /* an entry that is not a table (valid or not) */
	VISIT_TABLE_PRE = BIT(1),  /* a table entry, before descending */
	VISIT_TABLE_POST = BIT(2), /* a table entry, after its children */
};

/* Returned by a walk that stopped at a rescheduling point: MMU_RESCHED to the caller. */
#define WALK_YIELD MMU_RESCHED

/* The entry being visited. */
struct walk_ctx {
	u64 *ptep;
	u64 old;  /* value read before the visit */
	u64 addr; /* walk address inside this entry's region */
	unsigned int level;
};

struct walk_op;
typedef int (*visitor_fn)(struct walk_op *op, struct walk_ctx *ctx, enum visit_kind kind);
/*
 * Optional fast path for a run of last-level entries, from @idx (mapping
 * @addr) to the end of @table or of the range: the common case of a map or
 * zap, without an indirect call per entry.  It hands any entry it does not
 * handle itself to walk_one_entry() and ends each leaf with walk_leaf_done().
 */
typedef int (*leaf_run_fn)(struct walk_op *op, u64 *table, unsigned int idx, u64 addr);

/* One operation over a range: its visitor, its arguments, and what it owes. */
struct walk_op {
	struct pgtable *pgt;
	const struct pte_format *fmt;
	const struct mmu_ops *ops;
	unsigned int flags;
	u64 start, end; /* the operation's range */
	u64 next;	/* where it stopped at a rescheduling point */
	visitor_fn visit;
	unsigned int visit_mask;
	leaf_run_fn leaf_run;
	bool may_yield;		 /* exclusive, with rescheduling points */
	const u32 *resched_word; /* this CPU's need-resched word */
	const u64 *lock_waiters; /* the MMU lock's waiter word */
	struct mmu_page_cache *cache;

	/* map */
	u64 pa_at_start; /* output address that @start maps to */
	u64 leaf_template[PT_LAST_LEVEL + 1];
	/* protect */
	u8 prot;
	/* collapse */
	u8 target_level;

	/* TLB invalidation owed for [flush_start, flush_end), and tables to free after it. */
	u64 flush_start, flush_end;
	struct pt_page *deferred_free;

	struct pgtable_stats delta; /* added to this CPU's counters when the op ends */
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

/* A rescheduling point is due: exclusive walk, points enabled, and a reschedule pending or
 * someone waiting for the MMU lock. */
static inline bool walk_resched_due(const struct walk_op *op)
{
	return op->may_yield && (__atomic_load_n(op->resched_word, __ATOMIC_RELAXED) |
				 __atomic_load_n(op->lock_waiters, __ATOMIC_RELAXED));
}

/*
 * The same check for a leaf-run loop, from words it copied out of @op once:
 * stores into a table may alias @op, so the compiler would otherwise reload
 * every field after every entry written.
 */
struct resched_check {
	const u32 *resched_word;
	const u64 *lock_waiters;
	bool may_yield;
};

static inline struct resched_check walk_resched_check(const struct walk_op *op)
{
	return (struct resched_check){ op->resched_word, op->lock_waiters, op->may_yield };
}

static inline bool resched_check_due(struct resched_check rc)
{
	return rc.may_yield && (__atomic_load_n(rc.resched_word, __ATOMIC_RELAXED) |
				__atomic_load_n(rc.lock_waiters, __ATOMIC_RELAXED));
}

/* After a leaf: stop here, to resume at @next, when a rescheduling point is due. */
static inline int walk_leaf_done(struct walk_op *op, u64 next)
{
	if (next >= op->end || !walk_resched_due(op))
		return 0;
	op->next = next;
	return WALK_YIELD;
}

/* Visit one entry the general way (and descend if it is a table). */
int walk_one_entry(struct walk_op *op, u64 *ptep, u64 addr, unsigned int level);

/* @rs: the caller's rescheduling condition (resched.h); NULL: no rescheduling points. */
void walk_op_init(struct walk_op *op, struct pgtable *pgt, u64 start, u64 size, unsigned int flags,
		  struct mmu_resched *rs, visitor_fn visit, unsigned int visit_mask);
/*
 * Walk [op->start, op->end).  Settles its debts on return, also when it
 * stopped at a rescheduling point: then MMU_RESCHED with the resume address
 * in @rs->resume.
 */
int walk_op_run(struct walk_op *op, struct mmu_resched *rs);

/* Entry updates, each correct in shared and exclusive walks. */
int pte_try_break(struct walk_op *op, struct walk_ctx *ctx);
void pte_make(struct walk_op *op, struct walk_ctx *ctx, u64 new);
int pte_replace(struct walk_op *op, struct walk_ctx *ctx, u64 new);
int pte_install_table(struct walk_op *op, struct walk_ctx *ctx);
int pte_split_block(struct walk_op *op, struct walk_ctx *ctx);
void pte_unlinked_table(struct walk_op *op, u64 old_table, unsigned int level);
void walk_owe_flush(struct walk_op *op, u64 start, u64 size);

#endif
