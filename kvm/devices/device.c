// SPDX-License-Identifier: MIT
/* A VM's devices as its platform table lists them (device.h). */
#include <errno.h>

#include "kvm/devices/device.h"
#include "kvm/platform/platform.h"
#include "vm.h"

int vm_devices_create(struct vm *vm)
{
	const struct vm_platform *p = vm->platform;
	unsigned int i;
	int ret;

	for (i = 0; i < p->nr_devices; i++) {
		const struct vm_platform_device *d = &p->devices[i];
		struct vm_device *dev = &vm->devices[vm->nr_devices];

		if (vm->nr_devices == VM_MAX_DEVICES)
			return -ENOSPC;
		ret = d->cls->create(vm, &d->cfg, &dev->state);
		if (ret)
			return ret;
		dev->cls = d->cls;
		vm->nr_devices++;
	}
	return 0;
}

void vm_devices_destroy(struct vm *vm)
{
	while (vm->nr_devices) {
		struct vm_device *dev = &vm->devices[--vm->nr_devices];

		if (dev->cls->destroy)
			dev->cls->destroy(vm, dev->state);
	}
}

void vm_devices_vcpu_reset(struct vcpu *v)
{
	unsigned int i;

	for (i = 0; i < v->vm->nr_devices; i++)
		if (v->vm->devices[i].cls->vcpu_reset)
			v->vm->devices[i].cls->vcpu_reset(v->vm->devices[i].state, v);
}

void vm_devices_poll(struct vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->nr_devices; i++)
		if (vm->devices[i].cls->poll)
			vm->devices[i].cls->poll(vm->devices[i].state);
}

void vm_irq_line(struct vm *vm, int line, bool level)
{
	if (line >= 0 && vm->irqchip)
		vm->irqchip->set_line(vm, (unsigned int)line, level);
}
