/* SPDX-License-Identifier: MIT */
/*
 * The virtual device interface.  A device is a class (what it is: the
 * handlers) and an instance per VM (its state).  A VM gets the devices its
 * architecture's platform table lists (kvm/platform/platform.h); each is
 * created after the vCPUs exist and destroyed after they are gone.
 *
 * What a device offers the VM:
 *  - regions: guest-physical ranges (MMIO, kvm/mmio.h: vm_mmio_register())
 *    or I/O port ranges (PIO: vm_pio_register()) whose accesses it answers
 *    one at a time through struct mmio_ops, on the accessing vCPU's thread;
 *  - an interrupt line: the number in its platform entry (@irq), raised and
 *    lowered with vm_irq_line(); it reaches the VM's interrupt controller
 *    if the VM has one (struct vm_irqchip), else nowhere;
 *  - save/restore of its state, for migration and snapshots.  Declared
 *    now so that no device-specific path is needed later; every device
 *    leaves them NULL today (nothing migrates yet).
 *
 * May use the kvm/ core (vm.h, vcpu.h, mmio.h) and the kvm/arch/ headers;
 * never arch/ directly.
 */
#ifndef KVM_DEVICES_DEVICE_H
#define KVM_DEVICES_DEVICE_H

#include <stddef.h>

#include "mmu/types.h"

struct vcpu;
struct vm;

/* Where a device sits in a VM: one row of a platform table. */
struct vdev_config {
	u64 base; /* guest-physical address, or the first I/O port */
	int irq;  /* its interrupt line (the controller's numbering), -1 none */
};

struct vdev_class {
	const char *name;
	/*
	 * Make the device of @vm at @cfg: allocate its state, register its
	 * regions, set *@state.  Before the vCPUs run.  0 or a negative errno.
	 */
	int (*create)(struct vm *vm, const struct vdev_config *cfg, void **state);
	/* Free @state (after every vCPU thread has left); may be NULL. */
	void (*destroy)(struct vm *vm, void *state);
	/* Optional: vCPU @v powers on (PSCI CPU_ON, the VM's start): reset its per-vCPU part. */
	void (*vcpu_reset)(void *state, struct vcpu *v);
	/* Optional: take input from the hypervisor's side (console); any thread, often. */
	void (*poll)(void *state);
	/* Migration (not implemented by any device yet): NULL. */
	int (*save)(void *state, void *buf, size_t len);
	int (*restore)(void *state, const void *buf, size_t len);
};

/* One device of one VM. */
struct vm_device {
	const struct vdev_class *cls;
	void *state;
};

#define VM_MAX_DEVICES 4

/*
 * A VM's interrupt controller, set by the device that is one (the vGIC's
 * create).  A VM without one: device lines lead nowhere, a WFI ends at once.
 */
struct vm_irqchip {
	/* Raise or lower line @line (from a device); any thread, never interrupt context. */
	void (*set_line)(struct vm *vm, unsigned int line, bool level);
	/* The vCPU's run loop, its own thread: before arch_vcpu_run() and after it. */
	void (*vcpu_flush)(struct vcpu *v);
	void (*vcpu_sync)(struct vcpu *v);
	/* A WFI of @v should end: an interrupt it would take is pending. */
	bool (*vcpu_should_wake)(struct vcpu *v);
	/* The guest asked for an inter-processor interrupt (EXIT_SEND_IPI). */
	void (*send_ipi)(struct vcpu *from, unsigned int intid, bool broadcast, u64 targets);
};

/* Create every device of the VM's platform table, in its order.  0 or a negative errno. */
int vm_devices_create(struct vm *vm);
/* Destroy them, last first (nothing if none was created). */
void vm_devices_destroy(struct vm *vm);
/* vCPU @v is reset: each device's per-vCPU part too. */
void vm_devices_vcpu_reset(struct vcpu *v);
/* Let each device take host-side input (cheap, any thread). */
void vm_devices_poll(struct vm *vm);
/* Set interrupt line @line of @vm (see struct vm_irqchip); a negative line does nothing. */
void vm_irq_line(struct vm *vm, int line, bool level);

/* The device classes. */
extern const struct vdev_class vdev_vgic;  /* GICv3: vgic.c, vgic_mmio.c */
extern const struct vdev_class vdev_pl011; /* PL011 UART: vuart_pl011.c */
extern const struct vdev_class vdev_vcom1; /* COM1 16550 on I/O ports: vcom1.c */

#endif
