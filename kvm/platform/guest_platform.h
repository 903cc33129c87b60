/* SPDX-License-Identifier: MIT */
/*
 * The machine a Linux guest sees: where its RAM, interrupt controller,
 * timer interrupts and UART are.  One place for the numbers, so that the
 * device tree (fdt_gen.c), the platform table (platform.c) with its
 * devices (kvm/devices/: the PL011, the vGIC) and the loader (guest_image.c) cannot disagree.
 *
 * The layout follows QEMU's "virt" board, which the Linux arm64 defconfig
 * and Debian's cloud kernel boot on unchanged.
 */
#ifndef KVM_GUEST_PLATFORM_H
#define KVM_GUEST_PLATFORM_H

/* "types.h" is mmu/types.h, through -Immu: the host build of fdt_gen.c has no -I. */
#include "types.h"

/* GICv3 distributor: 64 KiB (GICv3 architecture spec, "Distributor register map"). */
#define GUEST_GICD_BASE 0x08000000ULL
#define GUEST_GICD_SIZE 0x10000ULL
/*
 * Redistributors, one per vCPU, each two 64 KiB frames (RD_base and
 * SGI_base), contiguous from GUEST_GICR_BASE: vCPU i's is at
 * GUEST_GICR_BASE + i * GUEST_GICR_STRIDE; the last one sets GICR_TYPER.Last.
 */
#define GUEST_GICR_BASE	  0x080a0000ULL
#define GUEST_GICR_STRIDE 0x20000ULL

/*
 * Interrupt numbers as the devicetree binding "arm,gic-v3" counts them:
 * cell 1 is 0 for an SPI (INTID 32 + n), 1 for a PPI (INTID 16 + n).
 */
#define GUEST_GIC_SPI	   0
#define GUEST_GIC_PPI	   1
#define GUEST_INTID_SPI(n) (32 + (n))
#define GUEST_INTID_PPI(n) (16 + (n))

/*
 * Architected timer PPIs (binding "arm,armv8-timer", in its order: secure
 * physical, non-secure physical, virtual, hypervisor physical).  The same as
 * QEMU virt and the Arm Base System Architecture recommendation: INTIDs 29,
 * 30, 27, 26.
 */
#define GUEST_TIMER_PPI_SEC  13
#define GUEST_TIMER_PPI_PHYS 14
#define GUEST_TIMER_PPI_VIRT 11
#define GUEST_TIMER_PPI_HYP  10

/* The console PL011 (PrimeCell UART, Arm DDI 0183): 4 KiB, SPI 1 (INTID 33). */
#define GUEST_UART_BASE 0x09000000ULL
#define GUEST_UART_SIZE 0x1000ULL
#define GUEST_UART_SPI	1
/* The UART reference clock the tree advertises (what QEMU virt says too). */
#define GUEST_UART_CLOCK_HZ 24000000

#endif
