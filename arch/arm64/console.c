// SPDX-License-Identifier: MIT
/*
 * The console device: the PL011 the DTB names.  Whole writes under one lock
 * are arch/common/console.c's; it calls console_raw_write() here.
 */
#include "arch/common/console.h"
#include "kvm/arch/console.h"
#include "pl011.h"
#include "platform.h"

void console_init(u64 uart_pa)
{
	pl011_init(uart_pa);
}

void console_raw_write(const char *s, size_t n)
{
	pl011_write(s, n);
}

/* Console input for kvm/ (an interactive guest's UART): polled, never blocks. */
int arch_console_getc(void)
{
	return pl011_getc();
}
