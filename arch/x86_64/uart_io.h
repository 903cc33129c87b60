/* SPDX-License-Identifier: MIT */
/* How arch/common/uart16550.c reaches a 16550 here: port I/O, @base the port. */
#ifndef X86_UART_IO_H
#define X86_UART_IO_H

#include "x86.h"

static inline u8 uart_io_in(unsigned long base, unsigned int reg)
{
	return inb(base + reg);
}

static inline void uart_io_out(unsigned long base, unsigned int reg, u8 v)
{
	outb(base + reg, v);
}

static inline void uart_io_relax(void)
{
	cpu_relax(); /* PAUSE */
}

#endif
