/* SPDX-License-Identifier: MIT */
/*
 * A GICv3 from an arm64 guest at EL1 (Arm IHI 0069): the distributor and
 * redistributors by MMIO at QEMU virt's addresses (the hypervisor's guest
 * platform uses the same), the CPU interface through the ICC_* system
 * registers, and IRQ exceptions dispatched to one handler.  The same code
 * drives the virtual GIC under the hypervisor and QEMU's real one in a
 * bare run (-M virt,gic-version=3).
 */
#ifndef GUEST_GIC_ARM64_H
#define GUEST_GIC_ARM64_H

#include <stdbool.h>
#include <stdint.h>

#define GIC_GICD_BASE	0x08000000UL
#define GIC_GICR_BASE	0x080a0000UL
#define GIC_GICR_STRIDE 0x20000UL /* RD_base + SGI_base, no VLPI frames */
#define GIC_GICR_SGI	0x10000UL

#define GIC_INTID_SPURIOUS 1020

uint32_t gicd_read(unsigned long off);
void gicd_write(unsigned long off, uint32_t val);
uint64_t gicd_read64(unsigned long off);
void gicd_write64(unsigned long off, uint64_t val);
/* vCPU @cpu's redistributor, @off from its RD_base (SGI_base is RD_base + GIC_GICR_SGI). */
uint32_t gicr_read(unsigned int cpu, unsigned long off);
void gicr_write(unsigned int cpu, unsigned long off, uint32_t val);
uint64_t gicr_read64(unsigned int cpu, unsigned long off);

/* Distributor on: affinity routing, both groups (GICD_CTLR). vCPU 0, once. */
void gic_dist_init(void);
/*
 * This vCPU: wake its redistributor (GICR_WAKER), then its CPU interface:
 * system registers (ICC_SRE_EL1.SRE), priority mask open, Group 1 on.
 */
void gic_cpu_init(void);
/* Group 1, @prio, enabled; SGI/PPI on this vCPU's redistributor, SPI (routed to @cpu) on the distributor. */
void gic_irq_enable(unsigned int intid, uint8_t prio, unsigned int cpu);
/* Make SPI @intid pending through GICD_ISPENDR. */
void gic_spi_set_pending(unsigned int intid);
/* SGI @intid to vCPU @cpu (Aff0 = @cpu) through ICC_SGI1R_EL1. */
void gic_send_sgi(unsigned int intid, unsigned int cpu);

/*
 * Handler for every acknowledged interrupt (ICC_IAR1_EL1), on the vCPU
 * that took it, interrupts masked; the runtime ends it (ICC_EOIR1_EL1).
 * Keep it to general registers: the IRQ entry saves only those.
 */
void gic_set_handler(void (*fn)(unsigned int intid));

static inline void gic_local_irq_enable(void)
{
	__asm__ volatile("msr daifclr, #2" ::: "memory");
}

static inline void gic_local_irq_disable(void)
{
	__asm__ volatile("msr daifset, #2" ::: "memory");
}

/* Called by the EL1 vectors (abort_arm64.c) for an IRQ; false if nobody set a handler. */
bool gic_handle_irq(void);

#endif
