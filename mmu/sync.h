/* SPDX-License-Identifier: MIT */
/*
 * Spinlocks and the MMU reader/writer lock, in portable C on the compiler's
 * __atomic builtins so that the same code runs at EL2, under SVM and in the
 * host tests (where ThreadSanitizer understands it).
 *
 * The environment supplies mmu_cpu_relax(): a pause/yield hint for spin loops
 * (arch/ uses the CPU's hint instruction, the host tests sched_yield()).
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

#define SPINLOCK_INIT { 0, 0 }

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
 * Writer-preferring: once a writer waits, new readers wait too, so a stream of
 * faults cannot starve a zap (and a zap at a rescheduling point sees the
 * waiters through rwlock_contended()).
 */
struct rwlock {
	u32 readers;		/* readers inside */
	u32 writer;		/* 1 while a writer is inside */
	u32 writers_waiting;
	u32 readers_waiting;	/* readers held back by a writer */
};

#define RWLOCK_INIT { 0, 0, 0, 0 }

static inline void read_lock(struct rwlock *l)
{
	bool waited = false;

	for (;;) {
		while (__atomic_load_n(&l->writer, __ATOMIC_RELAXED) ||
		       __atomic_load_n(&l->writers_waiting, __ATOMIC_RELAXED)) {
			if (!waited)
				__atomic_fetch_add(&l->readers_waiting, 1, __ATOMIC_RELAXED);
			waited = true;
			mmu_cpu_relax();
		}
		__atomic_fetch_add(&l->readers, 1, __ATOMIC_SEQ_CST);
		if (!__atomic_load_n(&l->writer, __ATOMIC_SEQ_CST))
			break;
		__atomic_fetch_sub(&l->readers, 1, __ATOMIC_RELEASE);
	}
	if (waited)
		__atomic_fetch_sub(&l->readers_waiting, 1, __ATOMIC_RELAXED);
}

static inline void read_unlock(struct rwlock *l)
{
	__atomic_fetch_sub(&l->readers, 1, __ATOMIC_RELEASE);
}

static inline void write_lock(struct rwlock *l)
{
	u32 free = 0;

	__atomic_fetch_add(&l->writers_waiting, 1, __ATOMIC_RELAXED);
	for (;;) {
		free = 0;
		if (__atomic_compare_exchange_n(&l->writer, &free, 1, false, __ATOMIC_SEQ_CST,
						__ATOMIC_RELAXED)) {
			/* Readers that raced past the writer check drop out again. */
			while (__atomic_load_n(&l->readers, __ATOMIC_ACQUIRE))
				mmu_cpu_relax();
			break;
		}
		mmu_cpu_relax();
	}
	__atomic_fetch_sub(&l->writers_waiting, 1, __ATOMIC_RELAXED);
}

static inline void write_unlock(struct rwlock *l)
{
	__atomic_store_n(&l->writer, 0, __ATOMIC_RELEASE);
}

/* Someone waits for the lock: a holder at a rescheduling point should let go. */
static inline bool rwlock_contended(struct rwlock *l)
{
	return __atomic_load_n(&l->writers_waiting, __ATOMIC_RELAXED) ||
	       __atomic_load_n(&l->readers_waiting, __ATOMIC_RELAXED);
}

#endif
