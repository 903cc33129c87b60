// SPDX-License-Identifier: MIT
/*
 * No virtual interrupt controller: what a build links instead of vgic.c and
 * vgic_mmio.c when its architecture has none to offer its guests yet
 * (x86-64, mk/kvm-x86_64.mk).  The VM's vgic stays NULL, so the run loop
 * hands nothing to the hardware, a guest's wait for an interrupt ends at
 * once (vgic_vcpu_should_wake() is true, as vgic.c says it is without a
 * vGIC), and device interrupt wires lead nowhere.
 *
 * mk/kvm-arm64.mk builds every C file of kvm/, this one too: it is empty unless
 * the build defines KVM_VGIC_NONE (mk/kvm-x86_64.mk does, and leaves
 * vgic.c and vgic_mmio.c out).
 */
#ifdef KVM_VGIC_NONE

#include "kvm/platform/guest_platform.h"
#include "kvm/devices/vgic.h"

int vgic_create(struct vm *vm, u64 dist_base, u64 redist_base)
{
	(void)vm;
	(void)dist_base;
	(void)redist_base;
	return 0;
}

void vgic_destroy(struct vm *vm)
{
	(void)vm;
}

void vgic_set_spi(struct vm *vm, unsigned int spi, bool level)
{
	(void)vm;
	(void)spi;
	(void)level;
}

void vgic_inject_ppi(struct vcpu *v, unsigned int intid, bool level)
{
	(void)v;
	(void)intid;
	(void)level;
}

void vgic_send_sgi(struct vcpu *from, unsigned int intid, bool broadcast, u64 targets)
{
	(void)from;
	(void)intid;
	(void)broadcast;
	(void)targets;
}

void vgic_vcpu_flush(struct vcpu *v)
{
	(void)v;
}

void vgic_vcpu_sync(struct vcpu *v)
{
	(void)v;
}

bool vgic_vcpu_should_wake(struct vcpu *v)
{
	(void)v;
	return true;
}

#endif /* KVM_VGIC_NONE */
