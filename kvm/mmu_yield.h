/* SPDX-License-Identifier: MIT */
/*
 * The one place kvm/ lets go of an MMU lock in the middle of an operation.
 *
 * mmu/ range operations (a zap through the tables, a zap through the rmap)
 * stop at rescheduling points and say where (mmu/resched.h); they never drop
 * a lock they did not take.  The caller holds the lock, so the caller yields:
 * kvm_mmu_run_range() calls a step until the range is done, and at each stop
 * kvm_mmu_yield_lock() drops the lock, lets the scheduler run, retakes it,
 * and the step is called again from where it stopped.  Like Linux's
 * stage2_apply_range() with cond_resched_rwlock_write(), or the TDP MMU's
 * iterator yielding at one place in its loop.
 *
 * Needs only mmu/ and the two scheduler calls below, so the host tests build
 * it unchanged (tests/host/host_env.c supplies the scheduler calls there).
 */
#ifndef KVM_MMU_YIELD_H
#define KVM_MMU_YIELD_H

#include "../mmu/pgtable.h"
#include "../mmu/shadow.h"

/* The scheduler (kvm/sched.c): this CPU's need-resched word; let others run (no lock held). */
const u32 *kvm_need_resched_word(void);
void kvm_resched(void);

/* A rescheduling condition for an operation run on this CPU under @lock held for writing. */
void kvm_mmu_resched_init(struct mmu_resched *rs, struct rwlock *lock);

/*
 * An operation under @lock (held for writing) stopped at a rescheduling
 * point, its TLB debt paid: drop @lock, let others run, retake it, and point
 * @rs at the need-resched word of the CPU we now run on.
 */
void kvm_mmu_yield_lock(struct rwlock *lock, struct mmu_resched *rs);

/*
 * One call of a range operation with @rs: 0 or -errno when the range is
 * done, or MMU_RESCHED having stopped at @rs->resume (the operation's own
 * return).  Called again with the same @rs, it goes on from there.
 */
typedef int (*kvm_mmu_step_fn)(void *arg, struct mmu_resched *rs);

/*
 * Run @step to completion under @lock, which the caller holds for writing
 * (and still holds on return), yielding it at every rescheduling point.
 * Returns the last call's 0 or -errno.
 */
int kvm_mmu_run_range(struct rwlock *lock, kvm_mmu_step_fn step, void *arg);

/* ---- the range operations kvm/ and the host tests run this way --------------------------- */

struct kvm_mmu_unmap_arg {
	struct pgtable *pgt;
	gpa_t addr;
	u64 size;
	unsigned int flags;
};

static inline int kvm_mmu_unmap_step(void *arg, struct mmu_resched *rs)
{
	struct kvm_mmu_unmap_arg *a = arg;

	return pgtable_unmap(a->pgt, a->addr, a->size, a->flags, rs);
}

/* pgtable_unmap() of [@addr, @addr + @size) with rescheduling points; @lock held for writing. */
static inline int kvm_mmu_unmap(struct pgtable *pgt, struct rwlock *lock, gpa_t addr, u64 size,
				unsigned int flags)
{
	struct kvm_mmu_unmap_arg a = { pgt, addr, size, flags };

	return kvm_mmu_run_range(lock, kvm_mmu_unmap_step, &a);
}

struct kvm_mmu_map_arg {
	struct pgtable *pgt;
	gpa_t addr;
	u64 size;
	hpa_t pa;
	struct pte_attrs attrs;
	unsigned int flags;
};

static inline int kvm_mmu_map_step(void *arg, struct mmu_resched *rs)
{
	struct kvm_mmu_map_arg *a = arg;

	return pgtable_map(a->pgt, a->addr, a->size, a->pa, a->attrs, NULL, a->flags, rs);
}

/*
 * An exclusive pgtable_map() (tables from the pool, no cache) with
 * rescheduling points; @lock held for writing.
 */
static inline int kvm_mmu_map(struct pgtable *pgt, struct rwlock *lock, gpa_t addr, u64 size,
			      hpa_t pa, struct pte_attrs attrs, unsigned int flags)
{
	struct kvm_mmu_map_arg a = { pgt, addr, size, pa, attrs, flags };

	return kvm_mmu_run_range(lock, kvm_mmu_map_step, &a);
}

/* pgtable_destroy() whose unmapping has rescheduling points; @lock held for writing. */
static inline void kvm_mmu_destroy(struct pgtable *pgt, struct rwlock *lock, unsigned int flags)
{
	if (pgt->root)
		kvm_mmu_unmap(pgt, lock, gpa(0), pgtable_ia_size(pgt), flags);
	pgtable_destroy(pgt, flags);
}

struct kvm_mmu_rmap_arg {
	struct shadow_mmu *sm;
	u64 gfn, count;
	unsigned int flags;
	u64 done;
};

static inline int kvm_mmu_rmap_step(void *arg, struct mmu_resched *rs)
{
	struct kvm_mmu_rmap_arg *a = arg;

	return rmap_zap_range(a->sm, a->gfn, a->count, a->flags, rs, &a->done);
}

/*
 * rmap_zap_range() of frames [@gfn, @gfn + @count) with rescheduling points.
 * Takes the shadow MMU's lock itself.  Returns the entries zapped or
 * write-protected.
 */
static inline u64 kvm_mmu_rmap_zap(struct shadow_mmu *sm, u64 gfn, u64 count, unsigned int flags)
{
	struct kvm_mmu_rmap_arg a = { sm, gfn, count, flags, 0 };

	write_lock(&sm->lock);
	kvm_mmu_run_range(&sm->lock, kvm_mmu_rmap_step, &a);
	write_unlock(&sm->lock);
	return a.done;
}

#endif
