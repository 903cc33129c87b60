// SPDX-License-Identifier: MIT
/*
 * Hypercalls of kvm/hypercall_abi.h.
 *
 * Guest pointers are guest-physical addresses (payloads run identity
 * mapped); they are read through the memslot backing (vm_read_guest), so
 * whatever a guest passes, the hypervisor touches nothing outside the
 * guest's own memory.
 *
 * Give-back protocol, all under the MMU lock held for writing:
 *  1. mark every chunk the range touches CHUNK_DYING;
 *  2. unmap the range from stage 2 (an exclusive zap: at rescheduling
 *     points it flushes the TLB, drops the lock and lets others run);
 *  3. free the chunks wholly inside the range, zero the given-back pages
 *     of the chunks partly inside, clear the marks.
 * The marks close the race with faults during step 2: with the lock
 * dropped, a vCPU faulting on the range would otherwise find the chunk
 * still backed (or back a fresh one) and map it again behind the zap, and
 * step 3 would then free memory the guest still maps.  A fault that sees
 * the mark backs off (-EAGAIN) and retries after re-entering the guest.
 * On a shadow MMU, step 2 starts with a zap of the frames' shadow leaves
 * through the rmap (rmap_zap_range), also with rescheduling points.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hypercall_abi.h"
#include "mmu/shadow.h"
#include "mmu_yield.h"
#include "vcpu.h"

#define HC_REPORT_NAME_MAX 128

static s64 hc_console_write(struct vcpu *v, u64 gpa, u64 len)
{
	if (len > sizeof(v->buf))
		return HC_EINVAL;
	if (vm_read_guest(v->vm, gpa, v->buf, len))
		return HC_EFAULT;
	vcpu_console_put(v, (const char *)v->buf, len);
	return len;
}

/* The name: NUL-terminated within HC_REPORT_NAME_MAX bytes of guest memory. */
static int hc_read_name(struct vcpu *v, u64 gpa, char *name)
{
	struct memslot *slot = vm_find_slot(v->vm, gpa, 1);
	u64 len, i;

	if (!slot)
		return HC_EFAULT;
	len = slot->base + slot->size - gpa;
	if (len > HC_REPORT_NAME_MAX)
		len = HC_REPORT_NAME_MAX;
	if (vm_read_guest(v->vm, gpa, name, len))
		return HC_EFAULT;
	for (i = 0; i < len && name[i]; i++)
		if (name[i] < 0x20 || name[i] > 0x7e)
			name[i] = '?';
	if (i < len)
		return HC_OK;
	/* No NUL: running off the end of guest memory is a bad pointer, else a bad name. */
	return len < HC_REPORT_NAME_MAX ? HC_EFAULT : HC_EINVAL;
}

static s64 hc_report(struct vcpu *v, u64 gpa, u64 ok)
{
	char name[HC_REPORT_NAME_MAX];
	struct vm *vm = v->vm;
	int ret;

	if (ok > 1)
		return HC_EINVAL;
	ret = hc_read_name(v, gpa, name);
	if (ret)
		return ret;
	vcpu_console_flush(v);
	printf("%s %s/%s\n", ok ? "PASS" : "FAIL", vm->name, name);
	__atomic_fetch_add(ok ? &vm->passed : &vm->failed, 1, __ATOMIC_RELAXED);
	return HC_OK;
}

static void give_back_mark(struct memslot *slot, u64 first, u64 last)
{
	u64 i;

	for (i = first; i <= last; i++)
		__atomic_fetch_or(&slot->chunks[i], CHUNK_DYING, __ATOMIC_RELAXED);
}

/* Step 3: the chunks of [gpa, end) in @slot, lock held for writing, stage 2 already clear. */
static void give_back_release(struct vcpu *v, struct memslot *slot, u64 gpa, u64 end)
{
	u64 first = (gpa - slot->base) >> HOST_CHUNK_SHIFT;
	u64 last = (end - 1 - slot->base) >> HOST_CHUNK_SHIFT, i;

	for (i = first; i <= last; i++) {
		u64 cbase = slot->base + (i << HOST_CHUNK_SHIFT);
		u64 lo = gpa > cbase ? gpa : cbase;
		u64 hi = end < cbase + HOST_CHUNK_SIZE ? end : cbase + HOST_CHUNK_SIZE;
		u32 c = slot->chunks[i] & CHUNK_MASK;

		if (c && hi - lo == HOST_CHUNK_SIZE) {
			host_mem_free(&v->vm->mem, c);
			v->stats.chunks_freed++;
			c = 0;
		} else if (c) {
			memset((u8 *)host_mem_chunk_va(c) + (lo - cbase), 0, hi - lo);
		}
		__atomic_store_n(&slot->chunks[i], c, __ATOMIC_RELEASE);
	}
}

static s64 hc_give_back(struct vcpu *v, u64 addr, u64 size)
{
	struct vm *vm = v->vm;
	struct memslot *slot;
	u64 first, last;
	int ret;

	if (!size || ((addr | size) & (PAGE_SIZE - 1)) || addr + size < addr)
		return HC_EINVAL;
	slot = vm_find_slot(vm, addr, size);
	if (!slot)
		return HC_EINVAL;
	first = (addr - slot->base) >> HOST_CHUNK_SHIFT;
	last = (addr + size - 1 - slot->base) >> HOST_CHUNK_SHIFT;

	/*
	 * One give-back at a time per VM.  A second one over the same chunks
	 * could run while the first waits at a rescheduling point, release the
	 * chunks and clear their DYING marks; a fault could then back and map a
	 * chunk in the part the first has already zapped, and the first would
	 * free it while it is still mapped.  The holder may be a thread of this
	 * CPU, so wait by letting others run.
	 */
	while (__atomic_exchange_n(&vm->give_back_busy, 1, __ATOMIC_ACQUIRE))
		kvm_resched();
	write_lock(&vm->mmu_lock);
	give_back_mark(slot, first, last);
	if (vm->s2.shadow) {
		/*
		 * Shadow paging: the frames' shadow leaves, found through the
		 * rmap, with rescheduling points.  The shadow lock is taken
		 * before mmu_lock (vm_shadow.c), so not under it; the marks
		 * make shadow faults on the range retry meanwhile.
		 */
		write_unlock(&vm->mmu_lock);
		kvm_mmu_rmap_zap(vm->s2.shadow, addr >> PAGE_SHIFT, size >> PAGE_SHIFT, 0);
		write_lock(&vm->mmu_lock);
	}
	/* With shadow paging too: what the guest touched while its paging was off. */
	ret = kvm_mmu_unmap(&vm->stage2, &vm->mmu_lock, gpa(addr), size, 0);
	if (ret)
		printf("vm %s vcpu %u: give-back unmap of [%#llx, +%#llx) failed (%d)\n", vm->name,
		       v->index, (unsigned long long)addr, (unsigned long long)size, ret);
	/* Whatever the unmap managed, chunks it may have left mapped are not freed. */
	if (!ret)
		give_back_release(v, slot, addr, addr + size);
	else
		for (; first <= last; first++)
			__atomic_fetch_and(&slot->chunks[first], CHUNK_MASK, __ATOMIC_RELEASE);
	write_unlock(&vm->mmu_lock);
	__atomic_store_n(&vm->give_back_busy, 0, __ATOMIC_RELEASE);
	if (ret)
		return HC_EINVAL;
	v->stats.give_backs++;
	v->stats.give_back_bytes += size;
	return HC_OK;
}

static s64 hc_vcpu_info(struct vcpu *v, u64 which)
{
	if (which == 0)
		return v->index;
	if (which == 1)
		return v->vm->nr_vcpus;
	if (which == 2)
		return v->vm->cfg.mem_size;
	if (which == 3)
		return v->stats.preempted;
	return HC_EINVAL;
}

bool hc_dispatch(struct vcpu *v, u64 fid)
{
	struct arch_vcpu *a = &v->arch;
	u64 x1 = arch_vcpu_hc_arg(a, 1), x2 = arch_vcpu_hc_arg(a, 2);
	s64 ret;

	switch (fid) {
	case HC_CONSOLE_WRITE:
		ret = hc_console_write(v, x1, x2);
		break;
	case HC_REPORT:
		ret = hc_report(v, x1, x2);
		break;
	case HC_EXIT:
		vcpu_console_flush(v);
		vm_end(v->vm, (int)x1, "HC_EXIT");
		ret = HC_OK;
		break;
	case HC_GIVE_BACK:
		ret = hc_give_back(v, x1, x2);
		break;
	case HC_TIME_NS:
		ret = arch_time_ns();
		break;
	case HC_VCPU_INFO:
		ret = hc_vcpu_info(v, x1);
		break;
	default:
		return false;
	}
	v->stats.hypercalls++;
	arch_vcpu_hc_ret(a, ret);
	return true;
}
