/* SPDX-License-Identifier: MIT */
/* Polled Arm PrimeCell PL011 UART: the hypervisor's console. */
#ifndef ARCH_ARM64_PL011_H
#define ARCH_ARM64_PL011_H

#include "mmu/types.h"

/* Use the PL011 at physical (= EL2 virtual) address @base; mapped Device. */
void pl011_init(u64 base);
u64 pl011_base(void);
/* Write @n bytes, '\n' as "\r\n"; busy-waits while the transmit FIFO is full. */
void pl011_write(const char *s, size_t n);
/* One received byte, or -1 when none is waiting (never blocks). */
int pl011_getc(void);

#endif
