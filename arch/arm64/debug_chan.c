// SPDX-License-Identifier: MIT
/*
 * The debugger's byte channel (kvm/arch/debug.h arch_debug_chan_*): a 16550 on QEMU
 * virt's PCIe bus (-device pci-serial), the console's PL011 being taken, driven by
 * arch/common/uart16550.c through its BAR.  Polled, no interrupts.
 */
#include <errno.h>
#include <stdio.h>

#include "kvm/arch/debug.h"

#include "arch/common/uart16550.h"
#include "pci.h"

/* PCI class 07h, subclass 00h, prog-if 02h: "16550-compatible serial controller". */
#define PCI_CLASS_16550 0x070002
#define PCI_CLASS_ALL	0xffffff

static unsigned long uart_base;
static int chan_state; /* 0 not looked for, 1 found, -1 none */

int arch_debug_chan_open(void)
{
	struct pci_bar bar;
	int dev;

	if (chan_state)
		return chan_state > 0 ? 0 : -ENODEV;
	dev = pci_find_device(PCI_CLASS_16550, PCI_CLASS_ALL, &bar);
	if (dev < 0 || bar.size < 8) {
		chan_state = -1;
		return -ENODEV;
	}
	uart_base = bar.cpu;
	uart16550_setup(uart_base);
	chan_state = 1;
	printf("debug channel: 16550 at PCI 00:%02x.0, %s BAR0 at %#llx\n", dev,
	       bar.io ? "I/O" : "memory", (unsigned long long)bar.cpu);
	return 0;
}

int arch_debug_chan_getc(void)
{
	return chan_state > 0 ? uart16550_getc(uart_base) : -1;
}

/* Never waits: a debugger that stops reading fills the FIFO, and then we write nothing. */
u32 arch_debug_chan_write(const u8 *buf, u32 len)
{
	if (chan_state <= 0)
		return len; /* no channel: nothing will ever take it */
	return uart16550_write_nowait(uart_base, buf, len);
}
