// SPDX-License-Identifier: MIT
/*
 * Stage-2 faults: back guest RAM on first touch, emulate the console UART,
 * and refuse everything else with an abort injected into the guest.
 *
 * A fault inside a memslot is a shared walk: the vCPU's page cache is
 * topped up before the MMU lock is taken (so the walk never allocates while
 * a writer waits), the backing chunk is found or published by
 * compare-and-swap, and the page (or the 2 MiB block) is mapped with
 * PGT_SHARED.  Any -EAGAIN (lost a race to a locked entry, RCU backlog full,
 * chunk being given back) re-enters the guest, which faults again; guest
 * entry is a quiescent state, so the retry also lets grace periods advance.
 *
 * Nothing outside a memslot is ever mapped: devices (mmio.h) are emulated
 * one access at a time.
 */
#include <errno.h>
#include <stdio.h>

#include "vcpu.h"

#define STAGE2_ABORT_LOG_MAX 16

static void stage2_fatal(struct vcpu *v, u64 gpa, int err)
{
	printf("vm %s vcpu %u: stage-2 fault at gpa %#llx failed (error %d): ending the VM\n",
	       v->vm->name, v->index, (unsigned long long)gpa, err);
	vm_end(v->vm, -1, "stage-2 fault failed");
}

static void stage2_fault_ram(struct vcpu *v, struct memslot *slot, u64 gpa)
{
	struct vm *vm = v->vm;
	bool raced = false, dying = false;
	u32 chunk;
	int ret;

	v->stats.faults++;
	ret = mmu_cache_topup(&v->cache, &vm->pool, pgtable_fault_cache_min(&vm->stage2));
	if (ret) {
		stage2_fatal(v, gpa, ret);
		return;
	}
	read_lock(&vm->mmu_lock);
	ret = vm_chunk_get(vm, slot, gpa, &chunk, &raced);
	if (ret == -EAGAIN)
		dying = true;
	else if (!ret)
		ret = vm_map_chunk(vm, v, slot, gpa, chunk);
	read_unlock(&vm->mmu_lock);
	v->stats.chunk_races += raced;
	v->stats.fault_dying += dying;
	if (ret == -EAGAIN)
		v->stats.fault_eagain++;
	else if (ret)
		stage2_fatal(v, gpa, ret);
	/*
	 * The give-back holding the chunk may be a thread of this CPU waiting
	 * at a rescheduling point: let it finish rather than spin until the tick.
	 */
	if (dying)
		kvm_resched();
}

static void stage2_abort(struct vcpu *v, const struct vcpu_exit *exit, const char *why)
{
	/* A hostile guest may abort in a loop: the first few tell the story. */
	if (++v->stats.aborts > STAGE2_ABORT_LOG_MAX) {
		arch_vcpu_inject_abort(&v->arch, exit->exec, exit->gva);
		return;
	}
	printf("vm %s vcpu %u: %s at gpa %#llx, pc %#llx (%s): injecting an abort\n", v->vm->name,
	       v->index, exit->exec ? "instruction abort" : "abort", (unsigned long long)exit->gpa,
	       (unsigned long long)exit->pc, why);
	arch_vcpu_inject_abort(&v->arch, exit->exec, exit->gva);
}

/* One decoded load or store to an emulated device; an access it refuses aborts. */
static void stage2_mmio(struct vcpu *v, const struct vcpu_exit *exit, const struct mmio_region *r)
{
	u64 off = exit->gpa - r->base, val;

	v->stats.mmio++;
	if (!exit->decoded) {
		stage2_abort(v, exit, "device access the hypervisor cannot decode");
		return;
	}
	if (exit->write) {
		val = arch_vcpu_get_reg(&v->arch, exit->reg);
		if (exit->access_size < 8)
			val &= (1ULL << (8 * exit->access_size)) - 1;
		if (r->ops->write(r->dev, v, off, exit->access_size, val)) {
			stage2_abort(v, exit, r->name);
			return;
		}
	} else {
		if (r->ops->read(r->dev, v, off, exit->access_size, &val)) {
			stage2_abort(v, exit, r->name);
			return;
		}
		if (exit->sign_extend && exit->access_size < 8) {
			unsigned int shift = 64 - 8 * exit->access_size;

			val = (u64)((s64)(val << shift) >> shift);
		}
		arch_vcpu_set_reg(&v->arch, exit->reg, val);
	}
	arch_vcpu_skip_insn(&v->arch);
}

void stage2_fault(struct vcpu *v, const struct vcpu_exit *exit)
{
	struct memslot *slot = vm_find_slot(v->vm, exit->gpa, 1);
	const struct mmio_region *r;

	if (slot) {
		stage2_fault_ram(v, slot, exit->gpa);
		return;
	}
	r = exit->exec ? NULL : vm_mmio_find(v->vm, exit->gpa);
	if (r) {
		stage2_mmio(v, exit, r);
		return;
	}
	stage2_abort(v, exit, "outside every memslot");
}
