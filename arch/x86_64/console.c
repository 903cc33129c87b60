// SPDX-License-Identifier: MIT
/*
 * The console device: COM1 through arch/common/uart16550.c.  Whole writes
 * under one lock are arch/common/console.c's; it calls console_raw_write()
 * here.
 */
#include "arch/common/console.h"
#include "arch/common/uart16550.h"
#include "arch_priv.h"
#include "platform.h"

static bool com1_ready; /* input only once set up; output goes to COM1 from the start */

void console_init(void)
{
	uart16550_setup(COM1_PORT);
	com1_ready = true;
}

int uart_getc(void)
{
	return com1_ready ? uart16550_getc(COM1_PORT) : -1;
}

void console_raw_write(const char *s, size_t n)
{
	uart16550_write(COM1_PORT, s, n);
}
