/* SPDX-License-Identifier: MIT */
/*
 * Rescheduling points of long exclusive operations, owned by the caller.
 *
 * A zap of a large range (through the tables or through the rmap) holds the
 * MMU lock for writing; running it to the end without a break is the classic
 * soft lockup.  mmu/ does not drop a lock it did not take, nor call the
 * scheduler: an operation given a struct mmu_resched checks, after each leaf
 * (or batch of rmap entries), whether a rescheduling point is due, and if so
 * settles what it owes (TLB invalidations, then the frees they protect) and
 * returns MMU_RESCHED with the address (or frame) to resume at in @resume.
 * The caller, who took the lock, drops it, lets the scheduler run, retakes it
 * and calls the operation again with the same arguments: it goes on from
 * @resume (kvm/mmu_yield.c).  Nothing but that address survives the break:
 * the tables and lists it stood in may be gone.  The range stays the one
 * first asked for, so a table the whole range covers is still freed although
 * the part before @resume was unmapped by an earlier call.
 *
 * The "should stop" condition is plain data, two words to load, because it is
 * read after every leaf: this CPU's need-resched word (set by the scheduler
 * tick) and the waiter word of the lock the caller holds (rwlock_waiters()).
 */
#ifndef MMU_RESCHED_H
#define MMU_RESCHED_H

#include "types.h"

/* Returned by an operation that stopped at a rescheduling point (never an error). */
#define MMU_RESCHED 1

struct mmu_resched {
	const u32 *need_resched; /* this CPU's need-resched word; NULL: never */
	const u64 *lock_waiters; /* waiters on the lock the caller holds; NULL: none */
	/*
	 * In: where in the range to start (0 for a fresh operation: at its
	 * start).  Out, with MMU_RESCHED: where it stopped, for the next call.
	 */
	u64 resume;
};

static const u32 mmu_resched_never32;
static const u64 mmu_resched_never64;

/* The words to poll, NULLs replaced by a zero word so the hot loop needs no test. */
static inline const u32 *mmu_resched_word(const struct mmu_resched *rs)
{
	return rs && rs->need_resched ? rs->need_resched : &mmu_resched_never32;
}

static inline const u64 *mmu_resched_waiters(const struct mmu_resched *rs)
{
	return rs && rs->lock_waiters ? rs->lock_waiters : &mmu_resched_never64;
}

/* Where an operation over a range from @start begins: @start, or where it last stopped. */
static inline u64 mmu_resched_start(const struct mmu_resched *rs, u64 start)
{
	return rs && rs->resume > start ? rs->resume : start;
}

/* A rescheduling point is due: a reschedule pending on this CPU, or someone waits for the lock. */
static inline bool mmu_resched_due(const struct mmu_resched *rs)
{
	return rs && (__atomic_load_n(mmu_resched_word(rs), __ATOMIC_RELAXED) |
		      __atomic_load_n(mmu_resched_waiters(rs), __ATOMIC_RELAXED));
}

#endif
