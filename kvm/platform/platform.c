// SPDX-License-Identifier: MIT
/* The virtual platform tables (platform.h). */
#include "kvm/platform/platform.h"
#include "kvm/platform/guest_platform.h"

/*
 * The PL011 first, then the GICv3: the order in which VMs always got them.
 * The distributor's base is the row's; the redistributors follow the
 * vCPUs from GUEST_GICR_BASE (guest_platform.h).
 */
static const struct vm_platform_device arm64_devices[] = {
	{ &vdev_pl011, { GUEST_UART_BASE, GUEST_UART_SPI } },
	{ &vdev_vgic, { GUEST_GICD_BASE, -1 } },
};

const struct vm_platform vm_platform_arm64 = {
	.name = "arm64 virt",
	.devices = arm64_devices,
	.nr_devices = sizeof(arm64_devices) / sizeof(arm64_devices[0]),
	.power = VCPU_POWER_PSCI,
};

/*
 * The PC's first serial port: I/O ports 0x3f8-0x3ff, no interrupt yet (no
 * interrupt controller for x86 guests yet).
 */
#define X86_COM1_PORT 0x3f8

static const struct vm_platform_device x86_64_devices[] = {
	{ &vdev_vcom1, { X86_COM1_PORT, -1 } },
};

/*
 * vCPU power: the x86 guests use PSCI's function numbers through their
 * hypercall (tests/guest/runtime/psci.h), the table's own choice until
 * x86 guests get INIT/SIPI through a local APIC.
 */
const struct vm_platform vm_platform_x86_64 = {
	.name = "x86-64 pc",
	.devices = x86_64_devices,
	.nr_devices = sizeof(x86_64_devices) / sizeof(x86_64_devices[0]),
	.power = VCPU_POWER_PSCI,
};
