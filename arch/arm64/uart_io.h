/* SPDX-License-Identifier: MIT */
/*
 * How arch/common/uart16550.c reaches a 16550 here: @base is the address of a memory-
 * mapped BAR (the PCI bridge's I/O window or memory), one byte per register.
 */
#ifndef ARM64_UART_IO_H
#define ARM64_UART_IO_H

#include "mmu/types.h"

static inline u8 uart_io_in(unsigned long base, unsigned int reg)
{
	u8 v;

	__asm__ volatile("ldrb %w0, [%1]" : "=r"(v) : "r"(base + reg) : "memory");
	return v;
}

static inline void uart_io_out(unsigned long base, unsigned int reg, u8 v)
{
	__asm__ volatile("strb %w0, [%1]" : : "rZ"(v), "r"(base + reg) : "memory");
}

/* Arm ARM "YIELD": hints that this thread spins. */
static inline void uart_io_relax(void)
{
	__asm__ volatile("yield" : : : "memory");
}

#endif
