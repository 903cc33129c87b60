// SPDX-License-Identifier: MIT
/*
 * A VM's shadow MMU (mmu/shadow.h) for CPUs without nested paging: its
 * page pool, its rmap heads (one per 4 KiB frame of every memslot), and the
 * shadow_ops that show it the VM's memory through the memslots.
 *
 * Lock order: the shadow MMU lock, then vm->mmu_lock for reading (every op
 * below that looks at a memslot's backing).  Nothing takes the shadow lock
 * while holding vm->mmu_lock, so a give-back zaps through the rmap between
 * its two write-locked steps (hypercall.c).
 *
 * Frames are backed on first use like a nested-paging fault would: a shadow
 * leaf for an unbacked frame gets a fresh zeroed chunk; a chunk being given
 * back (CHUNK_DYING) is reported as -EAGAIN and the fault retries; a host
 * out of memory as -ENOMEM, and the VM ends with -12 (ENOMEM) as a
 * nested-paging VM does.
 *
 * Host memory: the pool (VM_SHADOW_POOL_CHUNKS contiguous chunks) is taken
 * at creation and never grows: a full pool is emptied (shadow_zap_all), not
 * enlarged.  Besides it, from the heap: one rmap head (8 bytes) per 4 KiB
 * guest frame and one struct shadow_page per pool page.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "mmu/shadow.h"
#include "vm.h"
#include "vm_shadow.h"

struct vm_shadow {
	struct shadow_mmu sm;
	struct page_pool pool;
	struct shadow_page *meta;
	u32 first_chunk;
};

static void *shadow_phys_to_virt(hpa_t pa)
{
	return (void *)(uintptr_t)pa.val; /* all RAM is identity-mapped */
}

static hpa_t shadow_virt_to_phys(void *va)
{
	return hpa((u64)(uintptr_t)va);
}

static u32 *chunk_entry(struct memslot *slot, u64 gpa)
{
	return &slot->chunks[(gpa - slot->base) >> HOST_CHUNK_SHIFT];
}

/*
 * The host address of the guest word at @gpa, backing its chunk when
 * @back.  NULL with *@err: -EFAULT outside every memslot, -EAGAIN dying,
 * -ENOMEM; or NULL with *@err = 0 for an unbacked chunk when !@back.
 * Caller holds vm->mmu_lock for reading.
 */
static u64 *guest_word(struct vm *vm, u64 gpa, bool back, int *err)
{
	struct memslot *slot = vm_find_slot(vm, gpa, sizeof(u64));
	bool raced = false;
	u32 chunk;

	*err = -EFAULT;
	if (!slot)
		return NULL;
	chunk = __atomic_load_n(chunk_entry(slot, gpa), __ATOMIC_ACQUIRE) & CHUNK_MASK;
	*err = 0;
	if (!chunk && !back)
		return NULL;
	if (!chunk || back) {
		*err = vm_chunk_get(vm, slot, gpa, &chunk, &raced);
		if (*err)
			return NULL;
	}
	return (u64 *)((u8 *)host_mem_chunk_va(chunk) + (gpa & (HOST_CHUNK_SIZE - 1)));
}

static int shadow_read_gpa(void *opaque, gpa_t gpa, u64 *val)
{
	struct vm *vm = opaque;
	u64 *p;
	int err;

	read_lock(&vm->mmu_lock);
	p = guest_word(vm, gpa.val, false, &err);
	*val = p ? READ_ONCE(*p) : 0; /* never backed: reads as zero */
	read_unlock(&vm->mmu_lock);
	return err == -EFAULT ? -EFAULT : 0;
}

static int shadow_write_gpa(void *opaque, gpa_t gpa, u64 val)
{
	struct vm *vm = opaque;
	u64 *p;
	int err;

	read_lock(&vm->mmu_lock);
	p = guest_word(vm, gpa.val, true, &err);
	if (p)
		WRITE_ONCE(*p, val);
	read_unlock(&vm->mmu_lock);
	return err;
}

/* As the CPU's locked update (A/D bits, LOCK-prefixed stores): other vCPUs may store there too. */
static int shadow_cmpxchg_gpa(void *opaque, gpa_t gpa, u64 old, u64 new)
{
	struct vm *vm = opaque;
	u64 *p;
	int err;

	read_lock(&vm->mmu_lock);
	p = guest_word(vm, gpa.val, true, &err);
	if (p)
		err = __atomic_compare_exchange_n(p, &old, new, false, __ATOMIC_SEQ_CST,
						  __ATOMIC_RELAXED) ?
			      0 :
			      1;
	read_unlock(&vm->mmu_lock);
	return err;
}

/* Frames from @gfn to the next memslot above it (0: none above). */
static u64 frames_to_next_slot(struct vm *vm, u64 gfn)
{
	u64 gpa = gfn << PAGE_SHIFT, best = 0;

	for (unsigned int i = 0; i < vm->nr_slots; i++) {
		u64 base = vm->slots[i].base;

		if (base > gpa && (!best || base - gpa < best))
			best = base - gpa;
	}
	return best >> PAGE_SHIFT;
}

static int shadow_gfn_lookup(void *opaque, u64 gfn, struct shadow_gfn *out)
{
	struct vm *vm = opaque;
	u64 gpa = gfn << PAGE_SHIFT;
	struct memslot *slot = gfn >> (64 - PAGE_SHIFT) ? NULL : vm_find_slot(vm, gpa, PAGE_SIZE);
	bool raced = false;
	u32 chunk;
	int err;

	if (!slot) {
		out->rmap = NULL;
		out->contig = frames_to_next_slot(vm, gfn);
		return -ENOENT;
	}
	out->rmap = &slot->rmap[(gpa - slot->base) >> PAGE_SHIFT];
	out->contig = (slot->base + slot->size - gpa) >> PAGE_SHIFT;
	out->writable = true;
	read_lock(&vm->mmu_lock);
	err = vm_chunk_get(vm, slot, gpa, &chunk, &raced);
	read_unlock(&vm->mmu_lock);
	/*
	 * -EAGAIN: the chunk is being given back, the fault retries.  -ENOMEM:
	 * the host has nothing to back it, and retrying would spin for ever:
	 * the fault fails and the VM ends (as stage2_fault.c does).
	 */
	if (err)
		return err == -EAGAIN ? -EAGAIN : -ENOMEM;
	out->pfn = (host_mem_chunk_pa(chunk).val + (gpa & (HOST_CHUNK_SIZE - 1))) >> PAGE_SHIFT;
	return 0;
}

static void shadow_tlb_flush(void *opaque)
{
	struct vm *vm = opaque;

	arch_stage2_flush_vmid(&vm->s2);
}

static const struct shadow_ops vm_shadow_ops = {
	.phys_to_virt = shadow_phys_to_virt,
	.virt_to_phys = shadow_virt_to_phys,
	.read_gpa = shadow_read_gpa,
	.write_gpa = shadow_write_gpa,
	.cmpxchg_gpa = shadow_cmpxchg_gpa,
	.gfn_lookup = shadow_gfn_lookup,
	.tlb_flush = shadow_tlb_flush,
};

u32 vm_shadow_pool_chunks(const struct vm_config *cfg)
{
	(void)cfg;
	return VM_SHADOW_POOL_CHUNKS;
}

int vm_shadow_create(struct vm *vm)
{
	struct vm_shadow *vs = calloc(1, sizeof(*vs));
	unsigned int i;
	int ret;

	if (!vs)
		return -ENOMEM;
	vm->shadow = vs;
	vs->first_chunk = host_mem_alloc_contig(&vm->mem, VM_SHADOW_POOL_CHUNKS);
	if (!vs->first_chunk)
		return -ENOMEM;
	ret = page_pool_init(&vs->pool, host_mem_chunk_va(vs->first_chunk),
			     VM_SHADOW_POOL_CHUNKS * HOST_CHUNK_SIZE);
	if (ret)
		return ret;
	/* A pool that cannot hold every vCPU's root could fail root loads for ever. */
	if (vs->pool.nr_pages < shadow_pool_min_pages(vm->cfg.nr_vcpus))
		return -EINVAL;
	vs->meta = calloc(vs->pool.nr_pages, sizeof(*vs->meta));
	if (!vs->meta)
		return -ENOMEM;
	for (i = 0; i < vm->nr_slots; i++) {
		struct memslot *s = &vm->slots[i];

		s->rmap = calloc(s->size >> PAGE_SHIFT, sizeof(*s->rmap));
		if (!s->rmap)
			return -ENOMEM;
	}
	ret = shadow_init(&vs->sm, &vm_shadow_ops, vm, &vs->pool, vs->meta, &kvm_rcu);
	if (ret)
		return ret;
	vm->s2.shadow = &vs->sm;
	return 0;
}

void vm_shadow_zap(struct vm *vm)
{
	struct vm_shadow *vs = vm->shadow;
	const struct shadow_stats *st;
	u64 descs;

	if (!vs || !vm->s2.shadow)
		return;
	st = &vs->sm.stats;
	printf("vm %s: shadow MMU: %llu faults (%llu fixed), %llu pages created, %llu zapped, "
	       "%llu emulated table writes, %llu write-protected, %llu TLB flushes, %llu pool "
	       "zaps (%llu pages back at once)\n",
	       vm->name, (unsigned long long)st->faults, (unsigned long long)st->faults_fixed,
	       (unsigned long long)st->pages_created, (unsigned long long)st->pages_zapped,
	       (unsigned long long)st->emulated_writes, (unsigned long long)st->wrprot_entries,
	       (unsigned long long)st->tlb_flushes, (unsigned long long)st->zap_alls,
	       (unsigned long long)st->pages_freed_at_zap_all);
	descs = shadow_destroy(&vs->sm);
	if (descs || st->rmap_missing)
		printf("vm %s: shadow MMU: %llu rmap descriptors still in use, %llu rmap entries "
		       "missing (bug)\n",
		       vm->name, (unsigned long long)descs, (unsigned long long)st->rmap_missing);
	vm->s2.shadow = NULL;
}

void vm_shadow_free(struct vm *vm)
{
	struct vm_shadow *vs = vm->shadow;
	unsigned int i;

	if (!vs)
		return;
	for (i = 0; i < vm->nr_slots; i++) {
		free(vm->slots[i].rmap);
		vm->slots[i].rmap = NULL;
	}
	if (vs->first_chunk)
		for (i = 0; i < VM_SHADOW_POOL_CHUNKS; i++)
			host_mem_free(&vm->mem, vs->first_chunk + i);
	free(vs->meta);
	free(vs);
	vm->shadow = NULL;
}
