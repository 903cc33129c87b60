/* SPDX-License-Identifier: MIT */
/*
 * Emulated device regions (kvm/devices/): guest-physical ranges outside every memslot that the
 * hypervisor answers one access at a time (a stage-2 fault the arch decoded
 * into a single load or store).  Nothing here is ever mapped into stage 2.
 *
 * A VM registers its devices before its vCPUs start and never changes them,
 * so the table is read without a lock.  A device's handlers run on the
 * faulting vCPU's thread and serialise against each other themselves.
 */
#ifndef KVM_MMIO_H
#define KVM_MMIO_H

#include "mmu/types.h"

struct vcpu;
struct vm;

struct mmio_ops {
	/* @off from the region's base, @size 1/2/4/8.  Return 0, or -1 to inject an abort. */
	int (*read)(void *dev, struct vcpu *v, u64 off, unsigned int size, u64 *val);
	int (*write)(void *dev, struct vcpu *v, u64 off, unsigned int size, u64 val);
};

struct mmio_region {
	u64 base, size;
	const char *name;
	const struct mmio_ops *ops;
	void *dev;
};

#define VM_MAX_MMIO 8

/* Add [base, base + size) to @vm.  0, -EINVAL (overlap, wrap, RAM), -ENOSPC. */
int vm_mmio_register(struct vm *vm, u64 base, u64 size, const char *name,
		     const struct mmio_ops *ops, void *dev);
/* The region holding @gpa, NULL if none. */
const struct mmio_region *vm_mmio_find(const struct vm *vm, u64 gpa);

#define VM_MAX_PIO 4

/*
 * I/O ports (x86 IN/OUT), the same way: [@base, @base + @size) of the port
 * space, @off from @base.  The arch decodes the access and hands it to
 * kvm_vcpu_pio() (kvm/arch/vcpu.h).
 */
int vm_pio_register(struct vm *vm, u64 base, u64 size, const char *name, const struct mmio_ops *ops,
		    void *dev);
const struct mmio_region *vm_pio_find(const struct vm *vm, u64 port);

#endif
