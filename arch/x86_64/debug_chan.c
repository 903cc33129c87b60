// SPDX-License-Identifier: MIT
/*
 * The debugger's byte channel (kvm/arch/debug.h arch_debug_chan_*): the PC's COM2 at
 * I/O 0x2f8 (QEMU's isa-serial), a 16550 driven by arch/common/uart16550.c.  Polled.
 */
#include <errno.h>
#include <stdio.h>

#include "kvm/arch/debug.h"

#include "arch/common/uart16550.h"
#include "platform.h"

static int chan_state; /* 0 not looked for, 1 found, -1 none */

int arch_debug_chan_open(void)
{
	if (chan_state)
		return chan_state > 0 ? 0 : -ENODEV;
	if (!uart16550_present(COM2_PORT)) {
		chan_state = -1;
		return -ENODEV;
	}
	uart16550_setup(COM2_PORT);
	chan_state = 1;
	printf("debug channel: 16550 at I/O %#x (COM2)\n", COM2_PORT);
	return 0;
}

int arch_debug_chan_getc(void)
{
	return chan_state > 0 ? uart16550_getc(COM2_PORT) : -1;
}

/* Never waits: a debugger that stops reading fills the FIFO, and then we write nothing. */
u32 arch_debug_chan_write(const u8 *buf, u32 len)
{
	return chan_state > 0 ? uart16550_write_nowait(COM2_PORT, buf, len) : len;
}
