// SPDX-License-Identifier: MIT
/*
 * The debugger's byte channel (kvm/arch_iface.h arch_debug_chan_*): a 16550
 * on QEMU virt's PCIe bus (-device pci-serial), the console's PL011 being
 * taken.  Polled, no interrupts.  Registers and bits as in the PC16550D
 * data sheet: RBR/THR +0, IER +1, FCR +2, LCR +3, MCR +4, LSR +5; divisor
 * latch at +0/+1 while LCR.DLAB.  One byte per register (QEMU's pci-serial:
 * regshift 0), reached through the bridge's I/O window, memory-mapped.
 */
#include <errno.h>
#include <stdio.h>

#include "kvm/arch_iface.h"

#include "pci.h"

#define UART_RBR 0
#define UART_THR 0
#define UART_DLL 0
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5

#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define FCR_ENABLE_CLEAR 0x07		/* FIFOs on, both cleared */
#define MCR_DTR_RTS 0x03		/* QEMU's chardev wants the modem lines up */
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20
#define DIVISOR_115200 1		/* 1.8432 MHz / 16 / 115200 */

/* PCI class 07h, subclass 00h, prog-if 02h: "16550-compatible serial controller". */
#define PCI_CLASS_16550 0x070002
#define PCI_CLASS_ALL 0xffffff

/* The transmit FIFO's depth: THRE set means all of it is free (PC16550D, FIFO mode). */
#define TX_FIFO_DEPTH 16

static u64 uart_base;
static int chan_state;		/* 0 not looked for, 1 found, -1 none */

static u8 uart_in(unsigned int reg)
{
	u8 v;

	__asm__ volatile("ldrb %w0, [%1]" : "=r"(v) : "r"(uart_base + reg) : "memory");
	return v;
}

static void uart_out(unsigned int reg, u8 v)
{
	__asm__ volatile("strb %w0, [%1]" : : "rZ"(v), "r"(uart_base + reg) : "memory");
}

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
	uart_out(UART_IER, 0);
	uart_out(UART_LCR, LCR_DLAB);
	uart_out(UART_DLL, DIVISOR_115200 & 0xff);
	uart_out(UART_DLM, DIVISOR_115200 >> 8);
	uart_out(UART_LCR, LCR_8N1);
	uart_out(UART_FCR, FCR_ENABLE_CLEAR);
	uart_out(UART_MCR, MCR_DTR_RTS);
	chan_state = 1;
	printf("debug channel: 16550 at PCI 00:%02x.0, %s BAR0 at %#llx\n", dev,
	       bar.io ? "I/O" : "memory", (unsigned long long)bar.cpu);
	return 0;
}

int arch_debug_chan_getc(void)
{
	if (chan_state <= 0 || !(uart_in(UART_LSR) & LSR_DATA_READY))
		return -1;
	return uart_in(UART_RBR);
}

/* Never waits: a debugger that stops reading fills the FIFO, and then we write nothing. */
u32 arch_debug_chan_write(const u8 *buf, u32 len)
{
	u32 done = 0, burst;

	if (chan_state <= 0)
		return len;		/* no channel: nothing will ever take it */
	while (done < len && (uart_in(UART_LSR) & LSR_THR_EMPTY))
		for (burst = 0; burst < TX_FIFO_DEPTH && done < len; burst++)
			uart_out(UART_THR, buf[done++]);
	return done;
}
