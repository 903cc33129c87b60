// SPDX-License-Identifier: MIT
/* The per-VM tables of emulated device regions, MMIO and I/O ports (see mmio.h). */
#include <errno.h>

#include "mmio.h"
#include "vm.h"

static bool ranges_overlap(u64 a, u64 a_size, u64 b, u64 b_size)
{
	return a < b + b_size && b < a + a_size;
}

int vm_mmio_register(struct vm *vm, u64 base, u64 size, const char *name,
		     const struct mmio_ops *ops, void *dev)
{
	unsigned int i;

	if (!size || base + size < base)
		return -EINVAL;
	for (i = 0; i < vm->nr_slots; i++)
		if (ranges_overlap(base, size, vm->slots[i].base, vm->slots[i].size))
			return -EINVAL;
	for (i = 0; i < vm->nr_mmio; i++)
		if (ranges_overlap(base, size, vm->mmio[i].base, vm->mmio[i].size))
			return -EINVAL;
	if (vm->nr_mmio == VM_MAX_MMIO)
		return -ENOSPC;
	vm->mmio[vm->nr_mmio++] = (struct mmio_region){ base, size, name, ops, dev };
	return 0;
}

const struct mmio_region *vm_mmio_find(const struct vm *vm, u64 gpa)
{
	unsigned int i;

	for (i = 0; i < vm->nr_mmio; i++)
		if (gpa - vm->mmio[i].base < vm->mmio[i].size)
			return &vm->mmio[i];
	return NULL;
}

int vm_pio_register(struct vm *vm, u64 base, u64 size, const char *name, const struct mmio_ops *ops,
		    void *dev)
{
	unsigned int i;

	if (!size || base + size < base || base + size > 0x10000)
		return -EINVAL;
	for (i = 0; i < vm->nr_pio; i++)
		if (ranges_overlap(base, size, vm->pio[i].base, vm->pio[i].size))
			return -EINVAL;
	if (vm->nr_pio == VM_MAX_PIO)
		return -ENOSPC;
	vm->pio[vm->nr_pio++] = (struct mmio_region){ base, size, name, ops, dev };
	return 0;
}

const struct mmio_region *vm_pio_find(const struct vm *vm, u64 port)
{
	unsigned int i;

	for (i = 0; i < vm->nr_pio; i++)
		if (port - vm->pio[i].base < vm->pio[i].size)
			return &vm->pio[i];
	return NULL;
}
