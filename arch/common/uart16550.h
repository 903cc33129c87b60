/* SPDX-License-Identifier: MIT */
/*
 * A polled 16550 UART, one driver for both architectures: the x86-64 console (COM1) and
 * both GDB channels (x86 COM2, arm64's pci-serial).  Only how a register is reached
 * differs, in each arch's uart_io.h: @base is an I/O port on x86-64, the address of a
 * memory-mapped PCI BAR on arm64.
 */
#ifndef ARCH_COMMON_UART16550_H
#define ARCH_COMMON_UART16550_H

#include <stdbool.h>
#include <stddef.h>

#include "mmu/types.h"

/* Polled (no UART interrupts), 115200 8N1, FIFOs on, modem lines up. */
void uart16550_setup(unsigned long base);
/* Does a UART answer at @base (its scratch register holds what was written)? */
bool uart16550_present(unsigned long base);
/* One received byte, or -1 if none is waiting. */
int uart16550_getc(unsigned long base);
/* As much of @buf as the transmit FIFO takes now: never waits. */
u32 uart16550_write_nowait(unsigned long base, const u8 *buf, u32 len);
/* All of @s, waiting for room; "\n" goes out as "\r\n" for terminals. */
void uart16550_write(unsigned long base, const char *s, size_t n);

#endif
