/* SPDX-License-Identifier: MIT */
/*
 * MMIO accessors.  Single plain LDR/STR instructions on purpose: no
 * writeback addressing and no pair accesses, so that when the same code runs
 * in a guest a trapped access is fully described by ESR_EL2.ISS (Arm ARM
 * ESR_EL2, "ISS encoding for an exception from a Data Abort", ISV = 1).
 * Ordering against normal memory is the caller's business (dsb/dmb).
 */
#ifndef ARCH_ARM64_MMIO_H
#define ARCH_ARM64_MMIO_H

#include "mmu/types.h"

static inline u32 mmio_read32(u64 addr)
{
	u32 v;

	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline void mmio_write32(u64 addr, u32 v)
{
	__asm__ volatile("str %w0, [%1]" : : "rZ"(v), "r"(addr) : "memory");
}

static inline u64 mmio_read64(u64 addr)
{
	u64 v;

	__asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline void mmio_write8(u64 addr, u8 v)
{
	__asm__ volatile("strb %w0, [%1]" : : "rZ"(v), "r"(addr) : "memory");
}

#endif
