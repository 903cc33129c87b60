// SPDX-License-Identifier: MIT
/*
 * VM lifetime and guest memory (the contracts are in vm.h).
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvm/arch/platform.h"
#include "kvm/platform/guest_image.h"
#include "loader.h"
#include "mmu_yield.h"
#include "vcpu.h"
#include "vm.h"
#include "vm_shadow.h"

static struct spinlock vmid_lock = SPINLOCK_INIT;
static u64 vmid_used[256 / 64];

static const struct pte_attrs guest_ram_attrs = { PROT_RWX, MT_NORMAL };

/* VMID 0 is never a guest's; 1..255. */
static u16 vmid_alloc(void)
{
	u16 id, found = 0;

	spin_lock(&vmid_lock);
	for (id = 1; id < 256 && !found; id++)
		if (!(vmid_used[id / 64] & BIT(id % 64))) {
			vmid_used[id / 64] |= BIT(id % 64);
			found = id;
		}
	spin_unlock(&vmid_lock);
	return found;
}

static void vmid_free(u16 id)
{
	spin_lock(&vmid_lock);
	vmid_used[id / 64] &= ~BIT(id % 64);
	spin_unlock(&vmid_lock);
}

struct memslot *vm_find_slot(struct vm *vm, u64 gpa, u64 size)
{
	unsigned int i;

	if (gpa + size < gpa)
		return NULL;
	for (i = 0; i < vm->nr_slots; i++) {
		struct memslot *s = &vm->slots[i];

		if (gpa >= s->base && gpa - s->base < s->size && size <= s->size - (gpa - s->base))
			return s;
	}
	return NULL;
}

static u32 *slot_entry(struct memslot *slot, u64 gpa)
{
	return &slot->chunks[(gpa - slot->base) >> HOST_CHUNK_SHIFT];
}

int vm_chunk_get(struct vm *vm, struct memslot *slot, u64 gpa, u32 *chunk, bool *raced)
{
	u32 *e = slot_entry(slot, gpa);
	u32 old = __atomic_load_n(e, __ATOMIC_ACQUIRE), fresh;

	if (old & CHUNK_DYING)
		return -EAGAIN;
	if (old) {
		*chunk = old;
		return 0;
	}
	fresh = host_mem_alloc_zeroed(&vm->mem);
	if (!fresh)
		return -ENOMEM;
	/* Release: the zeroes are visible to whoever maps the chunk after seeing the entry. */
	if (__atomic_compare_exchange_n(e, &old, fresh, false, __ATOMIC_RELEASE,
					__ATOMIC_ACQUIRE)) {
		*chunk = fresh;
		return 0;
	}
	host_mem_free(&vm->mem, fresh);
	*raced = true;
	if (old & CHUNK_DYING)
		return -EAGAIN;
	*chunk = old;
	return 0;
}

int vm_map_chunk(struct vm *vm, struct vcpu *v, struct memslot *slot, u64 addr, u32 chunk)
{
	u64 base = addr & ~(HOST_CHUNK_SIZE - 1);
	hpa_t pa = host_mem_chunk_pa(chunk);
	struct mmu_page_cache *cache = v ? &v->cache : NULL;

	(void)slot;
	if (vm->cfg.blocks)
		return pgtable_map(&vm->stage2, gpa(base), HOST_CHUNK_SIZE, pa, guest_ram_attrs,
				   cache, PGT_SHARED, NULL);
	addr &= ~(PAGE_SIZE - 1);
	return pgtable_map(&vm->stage2, gpa(addr), PAGE_SIZE, hpa(pa.val + (addr - base)),
			   guest_ram_attrs, cache, PGT_SHARED | PGT_PAGES_ONLY, NULL);
}

/*
 * Copy between the guest's [@gpa, @gpa + @len) and @hbuf one chunk at a
 * time; a write backs what is unbacked, a read of it sees zeroes.
 */
static int vm_guest_copy(struct vm *vm, u64 gpa, u8 *hbuf, u64 len, bool write)
{
	struct memslot *slot = vm_find_slot(vm, gpa, len);
	int ret = 0;

	if (!slot)
		return -EFAULT;
	read_lock(&vm->mmu_lock);
	while (len && !ret) {
		u64 off = gpa & (HOST_CHUNK_SIZE - 1);
		u64 n = HOST_CHUNK_SIZE - off < len ? HOST_CHUNK_SIZE - off : len;
		u32 c = __atomic_load_n(slot_entry(slot, gpa), __ATOMIC_ACQUIRE) & CHUNK_MASK;
		bool raced = false;

		if (!c && write)
			ret = vm_chunk_get(vm, slot, gpa, &c, &raced);
		if (ret)
			break;
		if (!c)
			memset(hbuf, 0, n); /* never backed: reads as zero */
		else if (write)
			memcpy((u8 *)host_mem_chunk_va(c) + off, hbuf, n);
		else
			memcpy(hbuf, (u8 *)host_mem_chunk_va(c) + off, n);
		gpa += n;
		hbuf += n;
		len -= n;
	}
	read_unlock(&vm->mmu_lock);
	return ret;
}

/*
 * The read lock keeps a give-back from freeing the chunk under the copy (it
 * frees under the write lock); a chunk marked dying is still there to read.
 */
int vm_read_guest(struct vm *vm, u64 gpa, void *dst, u64 len)
{
	return vm_guest_copy(vm, gpa, dst, len, false);
}

int vm_write_guest(struct vm *vm, u64 gpa, const void *src, u64 len)
{
	return vm_guest_copy(vm, gpa, (u8 *)src, len, true);
}

static int vm_add_slot(struct vm *vm, u64 base, u64 size)
{
	struct memslot *s = &vm->slots[vm->nr_slots];

	if (vm->nr_slots == VM_MAX_SLOTS || !size || ((base | size) & (HOST_CHUNK_SIZE - 1)) ||
	    base + size < base || base + size > arch_stage2_ipa_limit())
		return -EINVAL;
	s->chunks = calloc(size >> HOST_CHUNK_SHIFT, sizeof(*s->chunks));
	if (!s->chunks)
		return -ENOMEM;
	s->base = base;
	s->size = size;
	vm->nr_slots++;
	return 0;
}

/*
 * Stage-2 table pages for mapping every slot in 4 KiB pages: one leaf table
 * per 2 MiB, one more per 1 GiB, the root and the levels between, and room
 * for tables unlinked by shared walks that wait for a grace period.
 */
#define STAGE2_POOL_SLACK_PAGES 64

static u32 vm_stage2_pool_chunks(const struct vm *vm)
{
	u64 pages = STAGE2_POOL_SLACK_PAGES, per_chunk = HOST_CHUNK_SIZE / PAGE_SIZE;
	unsigned int i;

	for (i = 0; i < vm->nr_slots; i++)
		pages += (vm->slots[i].size >> HOST_CHUNK_SHIFT) + (vm->slots[i].size >> 30) + 1;
	return (pages + per_chunk - 1) / per_chunk;
}

static int vm_init_stage2(struct vm *vm)
{
	int ret;

	vm->s2.vmid = vmid_alloc();
	if (!vm->s2.vmid)
		return -EBUSY;
	vm->pool_chunk = host_mem_alloc_contig(&vm->mem, vm_stage2_pool_chunks(vm));
	if (!vm->pool_chunk)
		return -ENOMEM;
	vm->nr_pool_chunks = vm_stage2_pool_chunks(vm);
	ret = page_pool_init(&vm->pool, host_mem_chunk_va(vm->pool_chunk),
			     vm->nr_pool_chunks * HOST_CHUNK_SIZE);
	if (ret)
		return ret;
	ret = pgtable_init(&vm->stage2, arch_stage2_format(), &arch_stage2_mmu_ops, &vm->pool,
			   &kvm_rcu);
	if (ret)
		return ret;
	vm->stage2.owner = &vm->s2;
	vm->s2.root = vm->stage2.root_pa;
	return 0;
}

/*
 * Nested paging where the CPU has it, unless the VM asks for shadow paging;
 * shadow paging where it has not (x86 SVM without NPT).
 */
static bool vm_wants_shadow(const struct vm_config *cfg)
{
	return cfg->shadow || !arch_has_nested_paging();
}

static int vm_init_paging_mode(struct vm *vm)
{
	if (!vm_wants_shadow(&vm->cfg))
		return 0;
	if (!arch_has_shadow_paging())
		return -ENOTSUP;
	return vm_shadow_create(vm);
}

/*
 * vCPU @i's physical CPU: index modulo the CPUs it may use, counted from
 * the VM's id so that VMs side by side start on different CPUs, or from
 * the CPU the VM asked for (cpu=N: two VMs made to share one CPU).
 */
static unsigned int vm_vcpu_cpu(struct vm *vm, unsigned int i)
{
	unsigned int nr = arch_nr_cpus(), spread = vm->cfg.spread;
	unsigned int first = vm->cfg.first_cpu >= 0 ? (unsigned int)vm->cfg.first_cpu : vm->id;

	if (!spread || spread > nr)
		spread = nr;
	return (first + i % spread) % nr;
}

static int vm_init_vcpus(struct vm *vm)
{
	unsigned int i;
	int ret;

	for (i = 0; i < vm->cfg.nr_vcpus; i++) {
		struct vcpu *v = memalign(64, (sizeof(*v) + 63) & ~63UL);

		if (!v)
			return -ENOMEM;
		memset(v, 0, sizeof(*v));
		v->vm = vm;
		v->index = i;
		v->power = VCPU_OFF;
		vm->vcpus[i] = v;
		vm->nr_vcpus++;
		ret = sched_thread_init(&v->thread, vm_vcpu_cpu(vm, i), vcpu_thread, v);
		if (ret)
			return ret;
	}
	return 0;
}

/* Back and map the whole of every memslot now (option "prepopulate"). */
static int vm_prepopulate(struct vm *vm)
{
	unsigned int i;
	u64 addr;
	int ret = 0;

	write_lock(&vm->mmu_lock);
	for (i = 0; i < vm->nr_slots && !ret; i++) {
		struct memslot *s = &vm->slots[i];

		for (addr = s->base; addr < s->base + s->size && !ret; addr += HOST_CHUNK_SIZE) {
			bool raced = false;
			u32 c;

			ret = vm_chunk_get(vm, s, addr, &c, &raced);
			if (!ret)
				ret = kvm_mmu_map(&vm->stage2, &vm->mmu_lock, gpa(addr),
						  HOST_CHUNK_SIZE, host_mem_chunk_pa(c),
						  guest_ram_attrs,
						  vm->cfg.blocks ? 0 : PGT_PAGES_ONLY);
		}
	}
	write_unlock(&vm->mmu_lock);
	return ret;
}

/*
 * Promise the VM every chunk it may hold at once: its memslots, the stage-2
 * table pool, the shadow MMU's pool, and one more per thread that may back
 * memory at the same moment (vm_chunk_get() allocates before it knows it
 * lost a race, and frees the loser's chunk at once): the vCPUs, and the
 * controller or debugger writing guest memory.
 */
static int vm_open_account(struct vm *vm)
{
	u32 need = vm_stage2_pool_chunks(vm) + vm->cfg.nr_vcpus + 1, left;
	unsigned int i;

	for (i = 0; i < vm->nr_slots; i++)
		need += vm->slots[i].size >> HOST_CHUNK_SHIFT;
	if (vm_wants_shadow(&vm->cfg))
		need += vm_shadow_pool_chunks(&vm->cfg);
	if (!host_mem_account_open(&vm->mem, need))
		return 0;
	left = host_mem_nr_unpromised();
	printf("vm %s: needs %u MiB of host memory, %u MiB are not promised to other VMs "
	       "(%u MiB free, %u MiB in all)\n",
	       vm->name, need * 2, left * 2, host_mem_nr_free() * 2, host_mem_nr_total() * 2);
	return -ENOMEM;
}

static unsigned int vm_next_id;

struct vm *vm_create(const struct vm_config *cfg, int *err)
{
	struct vm *vm = memalign(64, (sizeof(*vm) + 63) & ~63UL);
	const char *what = "out of memory";
	int ret = -ENOMEM;

	if (!vm)
		goto fail;
	memset(vm, 0, sizeof(*vm));
	vm->cfg = *cfg;
	vm->platform = arch_vm_platform();
	vm->id = vm_next_id++;
	snprintf(vm->name, sizeof(vm->name), "%s", cfg->name);
	what = "bad vCPU count";
	ret = -EINVAL;
	if (!cfg->nr_vcpus || cfg->nr_vcpus > VM_MAX_VCPUS)
		goto fail;
	what = "memslot";
	ret = vm_add_slot(vm, VM_RAM_BASE, cfg->mem_size);
	if (ret)
		goto fail;
	what = "host memory";
	ret = vm_open_account(vm);
	if (ret)
		goto fail;
	what = "stage-2 table";
	ret = vm_init_stage2(vm);
	if (ret)
		goto fail;
	what = "shadow MMU";
	ret = vm_init_paging_mode(vm);
	if (ret)
		goto fail;
	what = "vCPUs";
	ret = vm_init_vcpus(vm);
	if (ret)
		goto fail;
	what = "devices";
	ret = vm_devices_create(vm);
	if (ret)
		goto fail;
	what = "payload";
	if (cfg->boot)
		ret = guest_image_load(vm, cfg->boot, &vm->entry, &vm->entry_arg);
	else
		ret = loader_load(vm, cfg->image->start, cfg->image->size, &vm->entry);
	if (ret)
		goto fail;
	what = "prepopulate";
	if (cfg->prepopulate)
		ret = vm_prepopulate(vm);
	if (ret)
		goto fail;
	return vm;
fail:
	printf("vm %s: cannot create (%s: error %d)\n", cfg->name, what, ret);
	if (vm)
		vm_destroy(vm);
	if (err)
		*err = ret;
	return NULL;
}

void vm_start(struct vm *vm)
{
	struct vcpu *v = vm->vcpus[0];

	rcu_get_stats(&kvm_rcu, &vm->rcu_start);
	vm->switches_start = sched_nr_switches();
	vm->start_ns = arch_time_ns();
	v->reset_entry = vm->entry;
	v->reset_arg = vm->entry_arg;
	v->reset_pending = true;
	__atomic_store_n(&v->power, VCPU_ON, __ATOMIC_RELEASE);
	sched_wake(&v->thread);
}

void vm_end(struct vm *vm, int status, const char *reason)
{
	u32 zero = 0;
	unsigned int i;

	if (__atomic_compare_exchange_n(&vm->ending, &zero, 1, false, __ATOMIC_ACQ_REL,
					__ATOMIC_RELAXED)) {
		vm->exit_status = status;
		vm->end_reason = reason;
		vm->end_ns = arch_time_ns();
	}
	/* vCPUs that are off (or never ran) wake up only to leave. */
	for (i = 0; i < vm->nr_vcpus; i++)
		sched_wake(&vm->vcpus[i]->thread);
	if (vm->waiter)
		sched_wake(vm->waiter);
}

bool vm_done(struct vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->nr_vcpus; i++)
		if (!sched_thread_gone(&vm->vcpus[i]->thread))
			return false;
	return true;
}

static void vm_free_memory(struct vm *vm)
{
	unsigned int i;
	u64 c;

	for (i = 0; i < vm->nr_slots; i++) {
		struct memslot *s = &vm->slots[i];

		for (c = 0; c < s->size >> HOST_CHUNK_SHIFT; c++)
			if (s->chunks[c] & CHUNK_MASK)
				host_mem_free(&vm->mem, s->chunks[c] & CHUNK_MASK);
		free(s->chunks);
	}
}

/*
 * Tables unlinked by shared walks may still wait for a grace period: the
 * barrier lets them reach the pool before the pool's chunk goes back.
 */
void vm_destroy(struct vm *vm)
{
	unsigned int i;
	u32 leaked;

	vm_shadow_zap(vm);
	if (vm->stage2.root) {
		write_lock(&vm->mmu_lock);
		kvm_mmu_destroy(&vm->stage2, &vm->mmu_lock, 0);
		write_unlock(&vm->mmu_lock);
	}
	rcu_barrier(&kvm_rcu, arch_cpu_id());
	if (vm->s2.vmid) {
		arch_stage2_flush_vmid(&vm->s2);
		vmid_free(vm->s2.vmid);
	}
	vm_shadow_free(vm);
	vm_devices_destroy(vm);
	for (i = 0; i < vm->nr_vcpus; i++) {
		sched_thread_release(&vm->vcpus[i]->thread);
		free(vm->vcpus[i]);
	}
	vm_free_memory(vm);
	for (i = 0; i < vm->nr_pool_chunks; i++)
		host_mem_free(&vm->mem, vm->pool_chunk + i);
	leaked = host_mem_account_close(&vm->mem);
	if (leaked)
		printf("vm %s: %u host memory chunks not given back (bug)\n", vm->name, leaked);
	free(vm);
}

void vm_sum_stats(struct vm *vm, struct vcpu_stats *out)
{
	unsigned int i, j;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < vm->nr_vcpus; i++) {
		const u64 *src = (const u64 *)&vm->vcpus[i]->stats;
		u64 *dst = (u64 *)out;

		for (j = 0; j < sizeof(*out) / sizeof(u64); j++)
			dst[j] += READ_ONCE(src[j]);
	}
}
