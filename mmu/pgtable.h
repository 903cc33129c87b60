/* SPDX-License-Identifier: MIT */
/*
 * The generic stage-2 / NPT / EPT page-table walker.
 *
 * One walker drives every format (pte_format.h).  Each operation below is a
 * small visitor over one traversal; none re-implements the descent.
 *
 * Concurrency contract:
 *  - PGT_SHARED: the caller holds the MMU lock for reading (or no lock when it
 *    is alone).  Walks run in parallel; a new table is installed with
 *    compare-and-swap (the loser gives its page back to its cache and follows
 *    the winner's table); a valid entry is changed break-before-make through
 *    the format's "locked" marker, and a walker meeting a locked entry returns
 *    -EAGAIN (the caller retries, for a fault by re-entering the guest).  A
 *    table unlinked by a shared walk is freed after an RCU grace period.
 *  - Exclusive (no PGT_SHARED): the caller holds the MMU lock for writing.
 *    Unlinked tables are freed as soon as the TLB invalidations owed for them
 *    are done.  Range operations given a struct mmu_resched (resched.h) have
 *    rescheduling points: after each leaf, when @rs says one is due, they
 *    flush the TLB invalidations they owe, free what those protected, and
 *    return MMU_RESCHED with the next address in @rs->resume.  The caller
 *    drops the lock, lets others run, retakes it and calls the operation
 *    again with the same arguments and @rs: it goes on from @rs->resume.
 *    The walker never drops a lock nor calls the scheduler.  @rs NULL (or
 *    PGT_NO_RESCHED): no rescheduling points, the operation runs to the end.
 *
 * MMU_RESCHED (1) is not an error: the operation stopped at a rescheduling
 * point, see above.  Errors leave the table unchanged: -EINVAL (unaligned, empty or wrapping
 * range, bad level), -ERANGE (beyond the input- or output-address size),
 * -ENOTSUP (attributes the format cannot express), -ENOMEM (cache and pool
 * empty: tables may have been added, translations are unchanged), -EAGAIN
 * (shared walk lost a race or met a locked entry; some of the range may be
 * done), -ENOENT (nothing mapped there).
 */
#ifndef MMU_PGTABLE_H
#define MMU_PGTABLE_H

#include "page_pool.h"
#include "pte_format.h"
#include "rcu.h"
#include "resched.h"
#include "sync.h"
#include "types.h"

struct pgtable;

/* What the environment (arch/, or the host tests' fake) provides. */
struct mmu_ops {
	void *(*phys_to_virt)(hpa_t pa);
	hpa_t (*virt_to_phys)(void *va);
	/*
	 * Invalidate cached translations (TLB and walk caches) of @pgt for
	 * [start, start + size), on every CPU, complete on return.  Also makes
	 * the entry stores before it visible to the hardware walker.
	 */
	void (*tlb_flush_range)(struct pgtable *pgt, gpa_t start, u64 size);
	/* Everything cached for @pgt (after a table was unlinked). */
	void (*tlb_flush_all)(struct pgtable *pgt);
	/* Optional: make entry stores visible to hardware walkers (arm64 DSB ISHST). */
	void (*pte_sync)(void);
};

enum pgtable_flags {
	PGT_SHARED = BIT(0),	 /* see the contract above */
	PGT_NO_RESCHED = BIT(1), /* exclusive op without rescheduling points, even given @rs */
	PGT_PAGES_ONLY = BIT(2), /* map: 4K leaves even where a block would fit */
};

/* How a shared walk hands unlinked tables to RCU (measured in make bench). */
enum pgtable_rcu_mode {
	PGT_RCU_PER_SUBTREE, /* one callback frees a whole unlinked subtree */
	PGT_RCU_PER_TABLE,   /* one callback per unlinked table page */
};

struct pgtable_stats {
	u64 tables_allocated; /* table pages linked into the tree */
	u64 tables_freed;     /* freed at once by exclusive walks */
	u64 tables_freed_rcu; /* freed after a grace period */
	u64 races_lost;	      /* compare-and-swap lost to another walker */
	u64 backoffs;	      /* met a locked entry, or RCU backlog full: -EAGAIN */
	u64 pages_mapped;     /* 4K leaves installed */
	u64 blocks_mapped;    /* 2M/1G leaves installed */
	u64 leaves_unmapped;
	u64 splits;
	u64 collapses;
	u64 resched_points; /* times an exclusive walk stopped at a rescheduling point */
	u64 tlb_flushes;
} __attribute__((aligned(64)));

struct pgtable {
	const struct pte_format *fmt;
	const struct mmu_ops *ops;
	struct page_pool *pool;
	struct rcu_state *rcu;
	enum pgtable_rcu_mode rcu_mode;
	u64 *root;
	hpa_t root_pa;
	void *owner;			      /* the VM, for ops */
	struct pgtable_stats stats[MAX_CPUS]; /* per CPU: no shared counter line */
};

/* Allocate the root table from @pool.  0, -EINVAL, -ENOMEM. */
int pgtable_init(struct pgtable *pgt, const struct pte_format *fmt, const struct mmu_ops *ops,
		 struct page_pool *pool, struct rcu_state *rcu);

/* The input-address space, [0, pgtable_ia_size()): what a full unmap covers. */
static inline u64 pgtable_ia_size(const struct pgtable *pgt)
{
	return 1ULL << pgt->fmt->ia_bits;
}

/*
 * Tear down every table, root included.  Exclusive, without rescheduling
 * points: a caller that wants them unmaps [0, pgtable_ia_size()) first
 * (with @rs), so that only the empty root is left here.  Tables still waiting for a grace period are freed by RCU and their callbacks
 * reach @pgt (its counters and pool): call rcu_barrier() before @pgt or the
 * pool goes away.
 */
void pgtable_destroy(struct pgtable *pgt, unsigned int flags);

/*
 * Map [@addr, @addr + @size) to @pa with @attrs, using the largest block that
 * the alignment of addr, pa and the remaining size allows (unless
 * PGT_PAGES_ONLY).  Replaces what was mapped; a block over an existing table
 * unlinks the table (collapse).  Pages come from @cache (exclusive walks
 * refill it from the pool).
 */
int pgtable_map(struct pgtable *pgt, gpa_t addr, u64 size, hpa_t pa, struct pte_attrs attrs,
		struct mmu_page_cache *cache, unsigned int flags, struct mmu_resched *rs);

/* Remove every mapping in the range; tables the range covers entirely are freed. */
int pgtable_unmap(struct pgtable *pgt, gpa_t addr, u64 size, unsigned int flags,
		  struct mmu_resched *rs);

/*
 * Set the permissions of every leaf in the range to @prot (memory type kept).
 * Blocks straddling the range boundary are split first.
 */
int pgtable_protect(struct pgtable *pgt, gpa_t addr, u64 size, u8 prot,
		    struct mmu_page_cache *cache, unsigned int flags, struct mmu_resched *rs);

/* Split every block intersecting the range down to 4K pages. */
int pgtable_split(struct pgtable *pgt, gpa_t addr, u64 size, struct mmu_page_cache *cache,
		  unsigned int flags, struct mmu_resched *rs);

/*
 * Replace the table that maps the @level-sized region at @addr by one block,
 * if every page under it is mapped, physically contiguous and aligned, with
 * one set of attributes (so no translation changes).  -EBUSY when it is not.
 */
int pgtable_collapse(struct pgtable *pgt, gpa_t addr, unsigned int level, unsigned int flags);

/*
 * Look @addr up.  Lockless, but the caller must hold the MMU lock (either
 * way) or otherwise be inside an RCU read-side section (between two
 * quiescent states of its CPU): the tables it reads may be unlinked by a
 * concurrent walk and are kept alive only by those rules.
 * 0 with the output address of @addr itself, the leaf's attributes and level;
 * -ENOENT when unmapped (or locked); -ERANGE beyond the input-address size.
 */
int pgtable_translate(struct pgtable *pgt, gpa_t addr, hpa_t *pa, struct pte_attrs *attrs,
		      unsigned int *level);

/* Sum of the per-CPU counters. */
void pgtable_get_stats(struct pgtable *pgt, struct pgtable_stats *out);

/* Pages a fault handler should have cached before a shared map of one page or block. */
static inline unsigned int pgtable_fault_cache_min(const struct pgtable *pgt)
{
	return pgt->fmt->levels;
}

#endif
