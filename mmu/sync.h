/* SPDX-License-Identifier: MIT */
/*
 * Spinlocks and the MMU reader/writer lock, in portable C on the compiler's
 * __atomic builtins so that the same code runs at EL2, under SVM and in the
 * host tests (where ThreadSanitizer understands it).
 *
 * The environment supplies mmu_cpu_relax(), a pause/yield hint for spin loops
 * (arch/ uses the CPU's hint instruction, the host tests sched_yield()), and
 * mmu_this_cpu(), the current CPU's number.
 */
#ifndef MMU_SYNC_H
#define MMU_SYNC_H

#include "types.h"

void mmu_cpu_relax(void);

/* Ticket lock: FIFO, so a CPU spinning on a busy lock is served in turn. */
struct spinlock {
	u32 next;
	u32 owner;
};

#define SPINLOCK_INIT \
	{             \
		0, 0  \
	}

static inline void spin_lock(struct spinlock *l)
{
	u32 ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket)
		mmu_cpu_relax();
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->owner, l->owner + 1, __ATOMIC_RELEASE);
}

/*
 * The MMU lock.  Shared walks (stage-2 faults) hold it for reading and run in
 * parallel; exclusive walks (zap, write-protect, destroy) hold it for writing.
 *
 * Faults are frequent and writers rare, so a reader touches only its own
 * CPU's cache line: a shared reader count would bounce between the CPUs on
 * every fault and cost more than the walk itself (make bench, parallel
 * faults).  A writer announces itself, then waits for every CPU's slot to
 * drain.  Writer-preferring: once a writer waits, new readers wait too, so a
 * stream of faults cannot starve a zap; a zap at a rescheduling point sees
 * waiting readers and writers through rwlock_contended().
 *
 * The reader's "publish slot, then check writer" and the writer's "publish
 * writer, then check slots" are both sequentially consistent, so at least
 * one of them sees the other (store-buffering litmus test).
 */
/* This CPU's number, below MAX_CPUS (types.h); supplied by the environment like mmu_cpu_relax. */
unsigned int mmu_this_cpu(void);

struct rwlock_slot {
	u32 active;
} __attribute__((aligned(64)));

struct rwlock {
	u32 writer; /* 1 while a writer holds or is draining readers */
	/* Who waits, in one word so a holder polls it with one load per leaf. */
	union {
		u64 any;
		struct {
			u32 writers_waiting;
			u32 readers_waiting; /* readers held back by a writer */
		};
	} waiting;
	struct rwlock_slot reader[MAX_CPUS];
};

static inline bool rwlock_writer_pending(struct rwlock *l)
{
	return __atomic_load_n(&l->writer, __ATOMIC_RELAXED) ||
	       __atomic_load_n(&l->waiting.writers_waiting, __ATOMIC_RELAXED);
}

static inline void read_lock(struct rwlock *l)
{
	u32 *slot = &l->reader[mmu_this_cpu()].active;
	bool waited = false;

	for (;;) {
		while (rwlock_writer_pending(l)) {
			if (!waited)
				__atomic_fetch_add(&l->waiting.readers_waiting, 1,
						   __ATOMIC_RELAXED);
			waited = true;
			mmu_cpu_relax();
		}
		__atomic_store_n(slot, 1, __ATOMIC_SEQ_CST);
		if (!__atomic_load_n(&l->writer, __ATOMIC_SEQ_CST))
			break;
		__atomic_store_n(slot, 0, __ATOMIC_RELEASE);
	}
	/* The seq_cst load that saw writer == 0 is also the acquire of the last write_unlock. */
	if (waited)
		__atomic_fetch_sub(&l->waiting.readers_waiting, 1, __ATOMIC_RELAXED);
}

static inline void read_unlock(struct rwlock *l)
{
	__atomic_store_n(&l->reader[mmu_this_cpu()].active, 0, __ATOMIC_RELEASE);
}

static inline void write_lock(struct rwlock *l)
{
	unsigned int cpu;
	u32 free;

	__atomic_fetch_add(&l->waiting.writers_waiting, 1, __ATOMIC_RELAXED);
	for (;;) {
		free = 0;
		if (__atomic_compare_exchange_n(&l->writer, &free, 1, false, __ATOMIC_SEQ_CST,
						__ATOMIC_RELAXED))
			break;
		mmu_cpu_relax();
	}
	__atomic_fetch_sub(&l->waiting.writers_waiting, 1, __ATOMIC_RELAXED);
	for (cpu = 0; cpu < MAX_CPUS; cpu++)
		while (__atomic_load_n(&l->reader[cpu].active, __ATOMIC_ACQUIRE))
			mmu_cpu_relax();
}

static inline void write_unlock(struct rwlock *l)
{
	__atomic_store_n(&l->writer, 0, __ATOMIC_RELEASE);
}

/* Someone waits for the lock: a holder at a rescheduling point should let go. */
static inline bool rwlock_contended(struct rwlock *l)
{
	return __atomic_load_n(&l->waiting.any, __ATOMIC_RELAXED) != 0;
}

/* The word rwlock_contended() reads, for a holder's struct mmu_resched (resched.h). */
static inline const u64 *rwlock_waiters(const struct rwlock *l)
{
	return &l->waiting.any;
}

#endif
