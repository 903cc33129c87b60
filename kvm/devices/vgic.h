/* SPDX-License-Identifier: MIT */
/*
 * The virtual GICv3 of a VM (Arm IHI 0069, "GICv3 and GICv4 Architecture
 * Specification"): a distributor and one redistributor per vCPU emulated
 * one MMIO access at a time (vgic_mmio.c), the interrupt state here, and
 * delivery through the hardware's virtual CPU interface (the arch's
 * arch_vgic_* functions, kvm/arch/virq.h): before each entry the highest
 * priority pending interrupts of the vCPU are handed to the hardware, after
 * the exit what the guest did to them is folded back.
 *
 * Presented as a GICv3 with one Security state (GICD_CTLR.DS = 1) and
 * affinity routing always on (ARE = 1): no legacy GICv2 interface, no
 * LPIs/ITS.  SGIs and PPIs live with their vCPU, SPIs with the VM; all of
 * it under the VM's one vGIC spinlock, which is never taken in interrupt
 * context and never held across a guest entry or a thread switch.
 */
#ifndef KVM_VGIC_H
#define KVM_VGIC_H

#include "kvm/arch/virq.h"
#include "kvm/platform/guest_platform.h"
#include "vm.h"

#define VGIC_NR_PRIVATE	 32 /* SGIs 0-15, PPIs 16-31 */
#define VGIC_NR_SPIS	 64 /* INTIDs 32-95 */
#define VGIC_NR_IRQS	 (VGIC_NR_PRIVATE + VGIC_NR_SPIS)
#define VGIC_MAX_SLOTS	 16 /* list registers the arch may offer */
#define VGIC_MAINT_INTID 25 /* the maintenance PPI the guest's tree may name */

struct vgic_irq {
	u8 priority; /* 0 highest */
	u8 target;   /* SPI: the vCPU its IROUTER names */
	bool enabled;
	bool group1;
	bool edge;  /* GICD_ICFGR: edge-triggered */
	bool latch; /* pending from an edge, an SGI or an ISPENDR write */
	bool level; /* level-sensitive input wire */
	bool active;
	bool in_lr;  /* held by the hardware of the vCPU that runs it */
	u64 irouter; /* SPI: GICD_IROUTER as written */
};

struct vgic_cpu {
	struct vgic_irq priv[VGIC_NR_PRIVATE];
	bool asleep; /* GICR_WAKER.ProcessorSleep */
	/* The last flush: what the hardware holds, and whether each came from @latch. */
	unsigned int nr_lr;
	struct arch_virq lr[VGIC_MAX_SLOTS];
	bool lr_latch[VGIC_MAX_SLOTS];
	u64 sgis_sent, irqs_delivered; /* counters, this vCPU's thread only */
};

struct vgic {
	struct spinlock lock;
	struct vm *vm;
	u64 dist_base, redist_base;
	u32 ctlr; /* GICD_CTLR.EnableGrp0/EnableGrp1 */
	unsigned int nr_cpus;
	u64 kick; /* vCPUs (bit = index) to wake or kick once unlocked */
	struct vgic_irq spi[VGIC_NR_SPIS];
	struct vgic_cpu cpu[];
};

/*
 * The vGIC as a device (device.h, vdev_vgic): its create makes the virtual
 * GICv3 of the VM (distributor at the platform row's base, the vCPUs'
 * redistributors from GUEST_GICR_BASE), registers its MMIO regions and
 * becomes the VM's interrupt controller (struct vm_irqchip: the functions
 * below).
 */

/*
 * Raise (@level true) or lower the SPI numbered @spi from 0 (INTID 32 +
 * @spi) of @vm: a level-sensitive wire from an emulated device to the
 * virtual distributor (vm_irq_line()).  Called from a vCPU thread (the
 * guest touched the UART) or from the controller on CPU 0's idle context
 * (console input arrived), with interrupts enabled, never from interrupt
 * context; must wake a vCPU that waits in WFI for it.  The UART calls it on
 * every change of its interrupt output, and may repeat a level.
 */
void vgic_set_spi(struct vm *vm, unsigned int spi, bool level);

/*
 * Set the level of PPI @intid (16..31) of @v (the virtual timer's output).
 * A rising edge of an edge-triggered PPI makes it pending.  Any thread.
 */
void vgic_inject_ppi(struct vcpu *v, unsigned int intid, bool level);

/*
 * SGI @intid from @from to the vCPUs whose indexes are set in @targets, or
 * to all others if @broadcast (what the guest's SGI register write asked).
 */
void vgic_send_sgi(struct vcpu *from, unsigned int intid, bool broadcast, u64 targets);

/* The run loop of @v, its own thread: before arch_vcpu_run(), and after it. */
void vgic_vcpu_flush(struct vcpu *v);
void vgic_vcpu_sync(struct vcpu *v);

/*
 * A WFI of @v should end: an interrupt its CPU interface would signal is
 * pending (the virtual timer's level sampled first).
 */
bool vgic_vcpu_should_wake(struct vcpu *v);

/* ---- between vgic.c and vgic_mmio.c, lock held ---- */

/* The interrupt @intid as @v sees it (its own SGI/PPI, or the VM's SPI); NULL if none. */
struct vgic_irq *vgic_get_irq(struct vgic *vg, unsigned int cpu, unsigned int intid);
/* @irq became pending (or enabled) for vCPU @cpu: wake or kick it after unlocking. */
void vgic_irq_changed(struct vgic *vg, unsigned int cpu, struct vgic_irq *irq);
/* An SPI's IROUTER was written: route it. */
void vgic_spi_route(struct vgic *vg, struct vgic_irq *irq, u64 irouter);
/* Kick the vCPUs vgic_irq_changed() marked; call with the lock dropped. */
void vgic_kick_marked(struct vgic *vg);

int vgic_mmio_register(struct vm *vm, struct vgic *vg);

static inline bool vgic_irq_pending(const struct vgic_irq *irq)
{
	return irq->latch || (!irq->edge && irq->level);
}

#endif
