// SPDX-License-Identifier: MIT
/*
 * Polled 16550 UARTs on port I/O: the console on the PC's COM1 at 0x3f8
 * (QEMU's -serial), and any other port by its base (the guest debugger's
 * channel on COM2, arch/x86_64/debug.c).
 * Registers and bits as in the PC16550D data sheet: THR/RBR at +0, IER +1,
 * FCR +2, LCR +3, MCR +4, LSR +5; divisor latch at +0/+1 while LCR.DLAB.
 */
#include "arch_priv.h"
#include "platform.h"
#include "x86.h"

#define UART_THR 0
#define UART_RBR 0
#define UART_DLL 0
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7

#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define FCR_ENABLE_CLEAR 0x07		/* FIFOs on, both cleared */
#define MCR_DTR_RTS 0x03
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20

/* 115200 baud: the 1.8432 MHz clock / 16 / 115200 = divisor 1. */
#define DIVISOR_115200 1

static u16 uart_port;

void uart_setup(u16 port)
{
	outb(port + UART_IER, 0);		/* polled: no UART interrupts */
	outb(port + UART_LCR, LCR_DLAB);
	outb(port + UART_DLL, DIVISOR_115200 & 0xff);
	outb(port + UART_DLM, DIVISOR_115200 >> 8);
	outb(port + UART_LCR, LCR_8N1);
	outb(port + UART_FCR, FCR_ENABLE_CLEAR);
	outb(port + UART_MCR, MCR_DTR_RTS);
}

void uart_init(u16 port)
{
	uart_port = port;
	uart_setup(port);
}

/*
 * Is there a 16550 at @port?  Nothing decodes an empty ISA port: reads
 * float to 0xff.  The scratch register (PC16550D SCR) holds what was
 * written only where a UART answers; two patterns, so that neither a
 * floating bus nor a stuck bit passes.
 */
bool uart_present(u16 port)
{
	outb(port + UART_SCR, 0x5a);
	if (inb(port + UART_SCR) != 0x5a)
		return false;
	outb(port + UART_SCR, 0xa5);
	return inb(port + UART_SCR) == 0xa5;
}

int uart_port_getc(u16 port)
{
	if (!(inb(port + UART_LSR) & LSR_DATA_READY))
		return -1;
	return inb(port + UART_RBR);
}

/* The transmit FIFO's depth: THRE set means all of it is free (PC16550D, FIFO mode). */
#define TX_FIFO_DEPTH 16

u32 uart_port_write_nowait(u16 port, const u8 *buf, u32 len)
{
	u32 done = 0, burst;

	while (done < len && (inb(port + UART_LSR) & LSR_THR_EMPTY))
		for (burst = 0; burst < TX_FIFO_DEPTH && done < len; burst++)
			outb(port + UART_THR, buf[done++]);
	return done;
}

static void put(char c)
{
	while (!(inb(uart_port + UART_LSR) & LSR_THR_EMPTY))
		cpu_relax();
	outb(uart_port + UART_THR, c);
}

/* Terminals want \r\n; tools/qemu-run.sh strips the \r from its log. */
void uart_write(const char *s, size_t n)
{
	if (!uart_port)
		uart_port = COM1_PORT;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			put('\r');
		put(s[i]);
	}
}

/* One received byte, or -1 if none is waiting. */
int uart_getc(void)
{
	if (!uart_port)
		return -1;
	return uart_port_getc(uart_port);
}
