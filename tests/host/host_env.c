// SPDX-License-Identifier: MIT
#include <stdlib.h>
#include <string.h>

#include "host_env.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define HOST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/asan_interface.h>
#define HOST_ASAN 1
#endif
#endif

extern __thread unsigned int host_this_cpu;
u64 host_tlb_range_flushes, host_tlb_all_flushes;
static __thread u32 resched_word;
void (*host_resched_hook)(void);

void host_set_cpu(unsigned int cpu)
{
	host_this_cpu = cpu;
}

unsigned int host_cpu(void)
{
	return host_this_cpu;
}

static void *host_phys_to_virt(hpa_t pa)
{
	return (void *)(uintptr_t)pa.val;
}

static hpa_t host_virt_to_phys(void *va)
{
	return hpa((u64)(uintptr_t)va);
}

static void host_tlb_flush_range(struct pgtable *pgt, gpa_t start, u64 size)
{
	(void)pgt, (void)start, (void)size;
	__atomic_fetch_add(&host_tlb_range_flushes, 1, __ATOMIC_RELAXED);
}

static void host_tlb_flush_all(struct pgtable *pgt)
{
	(void)pgt;
	__atomic_fetch_add(&host_tlb_all_flushes, 1, __ATOMIC_RELAXED);
}

u32 *host_resched_word(void)
{
	return &resched_word;
}

/* What kvm/sched.c is to kvm/mmu_yield.c in the hypervisor. */
const u32 *kvm_need_resched_word(void)
{
	return &resched_word;
}

void kvm_resched(void)
{
	if (host_resched_hook)
		host_resched_hook();
}

const struct mmu_ops host_mmu_ops = {
	.phys_to_virt = host_phys_to_virt,
	.virt_to_phys = host_virt_to_phys,
	.tlb_flush_range = host_tlb_flush_range,
	.tlb_flush_all = host_tlb_flush_all,
};

#ifdef HOST_ASAN
static void asan_hide(void *page)
{
	ASAN_POISON_MEMORY_REGION(page, PAGE_SIZE);
}

static void asan_show(void *page)
{
	ASAN_UNPOISON_MEMORY_REGION(page, PAGE_SIZE);
}
#endif

struct page_pool *host_pool_create(u64 pages)
{
	struct page_pool *pool = calloc(1, sizeof(*pool));
	u64 size = (pages + pages / 64 + 2) * PAGE_SIZE;
	void *region = aligned_alloc(PAGE_SIZE, size);

	if (!pool || !region || page_pool_init(pool, region, size)) {
		free(pool);
		free(region);
		return NULL;
	}
#ifdef HOST_ASAN
	pool->on_free = asan_hide;
	pool->on_alloc = asan_show;
	ASAN_POISON_MEMORY_REGION(pool->base, pool->nr_pages * PAGE_SIZE);
#endif
	return pool;
}

void host_pool_destroy(struct page_pool *pool)
{
#ifdef HOST_ASAN
	ASAN_UNPOISON_MEMORY_REGION(pool->base, pool->nr_pages * PAGE_SIZE);
#endif
	free(pool->meta);
	free(pool);
}

struct host_vm *host_vm_create(const struct pte_format *fmt, unsigned int nr_cpus, u64 pool_pages)
{
	struct host_vm *vm = calloc(1, sizeof(*vm));

	if (!vm)
		return NULL;
	vm->pool = host_pool_create(pool_pages);
	if (!vm->pool || rcu_init(&vm->rcu, nr_cpus ? nr_cpus : 1, 1 << 16) ||
	    pgtable_init(&vm->pgt, fmt, &host_mmu_ops, vm->pool, &vm->rcu)) {
		if (vm->pool)
			host_pool_destroy(vm->pool);
		free(vm);
		return NULL;
	}
	return vm;
}

u64 host_vm_destroy(struct host_vm *vm)
{
	u64 left;

	write_lock(&vm->lock);
	kvm_mmu_destroy(&vm->pgt, &vm->lock, 0);
	write_unlock(&vm->lock);
	rcu_barrier(&vm->rcu, host_cpu());
	mmu_cache_drain(&vm->cache, vm->pool);
	left = vm->pool->in_use;
	host_pool_destroy(vm->pool);
	free(vm);
	return left;
}
