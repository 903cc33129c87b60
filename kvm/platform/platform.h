/* SPDX-License-Identifier: MIT */
/*
 * The virtual platform of a VM, one table per architecture: which devices
 * every VM gets (kvm/devices/device.h) and where, and how its vCPUs are
 * powered on and off.  The architecture says which table its VMs get
 * (arch_vm_platform(), kvm/arch/platform.h); kvm/ never asks which
 * architecture it runs on.
 */
#ifndef KVM_PLATFORM_PLATFORM_H
#define KVM_PLATFORM_PLATFORM_H

#include "kvm/devices/device.h"

/* How a guest turns its vCPUs on and off. */
enum vcpu_power_method {
	/*
	 * PSCI 1.0 (psci.c): CPU_ON, CPU_OFF, SYSTEM_OFF, ... by function
	 * number through the hypercall (arm64: HVC or SMC).
	 */
	VCPU_POWER_PSCI,
};

struct vm_platform_device {
	const struct vdev_class *cls;
	struct vdev_config cfg;
};

struct vm_platform {
	const char *name;
	const struct vm_platform_device *devices;
	unsigned int nr_devices;
	enum vcpu_power_method power;
};

/* arm64: QEMU virt's layout (guest_platform.h): a PL011 and a GICv3; PSCI. */
extern const struct vm_platform vm_platform_arm64;
/* x86-64: COM1 only; PSCI function numbers through VMMCALL (see platform.c). */
extern const struct vm_platform vm_platform_x86_64;

#endif
