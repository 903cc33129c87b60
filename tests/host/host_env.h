/* SPDX-License-Identifier: MIT */
/*
 * The host tests' fake architecture: what arch/ provides at EL2, done in
 * user space.  "Physical" addresses are the pool's virtual addresses; TLB
 * invalidations are counted; "need resched" is a flag a test or a timer
 * thread raises; each test thread says which "CPU" it is.
 */
#ifndef TESTS_HOST_HOST_ENV_H
#define TESTS_HOST_HOST_ENV_H

#include "../../kvm/mmu_yield.h"
#include "../../mmu/pgtable.h"

extern const struct mmu_ops host_mmu_ops;

/* This thread's CPU number (RCU and statistics). */
void host_set_cpu(unsigned int cpu);
unsigned int host_cpu(void);

/* Counted TLB maintenance. */
extern u64 host_tlb_range_flushes, host_tlb_all_flushes;

/*
 * This thread's need-resched word (what the tick sets at EL2): a test or a
 * timer thread raises it; the resched hook runs at each rescheduling point.
 * They stand behind kvm_need_resched_word() and kvm_resched(), so that the
 * tests run the hypervisor's own yield loop (kvm/mmu_yield.c).
 */
u32 *host_resched_word(void);
extern void (*host_resched_hook)(void);

/*
 * A page pool over a fresh region of @pages pages.  Under AddressSanitizer
 * freed pages are poisoned so a read of a freed table is reported.
 */
struct page_pool *host_pool_create(u64 pages);
void host_pool_destroy(struct page_pool *pool);

/* A pgtable with its own pool, RCU state (1 CPU unless @nr_cpus) and lock. */
struct host_vm {
	struct pgtable pgt;
	struct page_pool *pool;
	struct rcu_state rcu;
	struct rwlock lock;
	struct mmu_page_cache cache;
};

struct host_vm *host_vm_create(const struct pte_format *fmt, unsigned int nr_cpus, u64 pool_pages);
/* Destroy the tables, wait for RCU, and return the pages the pool still has out (0 = no leak). */
u64 host_vm_destroy(struct host_vm *vm);

#endif
