// SPDX-License-Identifier: MIT
/*
 * Rescheduling points of long MMU operations, owned by the caller that holds
 * the MMU lock (see mmu_yield.h and mmu/resched.h).
 */
#include "mmu_yield.h"

void kvm_mmu_resched_init(struct mmu_resched *rs, struct rwlock *lock)
{
	rs->need_resched = kvm_need_resched_word();
	rs->lock_waiters = rwlock_waiters(lock);
	rs->resume = 0;
}

/*
 * The operation paid its TLB debt before it stopped, so once the lock is free
 * nobody can reach through a stale translation what it unmapped.  After
 * kvm_resched() this thread may run on another CPU: its need-resched word is
 * another one.
 */
void kvm_mmu_yield_lock(struct rwlock *lock, struct mmu_resched *rs)
{
	write_unlock(lock);
	kvm_resched();
	write_lock(lock);
	rs->need_resched = kvm_need_resched_word();
}

int kvm_mmu_run_range(struct rwlock *lock, kvm_mmu_step_fn step, void *arg)
{
	struct mmu_resched rs;
	int ret;

	kvm_mmu_resched_init(&rs, lock);
	while ((ret = step(arg, &rs)) == MMU_RESCHED)
		kvm_mmu_yield_lock(lock, &rs);
	return ret;
}
