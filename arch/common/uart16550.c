// SPDX-License-Identifier: MIT
/*
 * Polled 16550 UARTs (uart16550.h).  Registers and bits as in the PC16550D data sheet:
 * RBR/THR +0, IER +1, FCR +2, LCR +3, MCR +4, LSR +5, SCR +7; divisor latch at +0/+1
 * while LCR.DLAB.  One byte per register (QEMU's isa-serial and pci-serial: regshift 0);
 * the arch's uart_io.h reaches them.
 */
#include "arch/common/uart16550.h"
#include "uart_io.h"

#define UART_RBR 0
#define UART_THR 0
#define UART_DLL 0
#define UART_DLM 1
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7

#define LCR_DLAB	 0x80
#define LCR_8N1		 0x03
#define FCR_ENABLE_CLEAR 0x07
#define MCR_DTR_RTS	 0x03 /* QEMU's chardev wants the modem lines up */
#define LSR_DATA_READY	 0x01
#define LSR_THR_EMPTY	 0x20

/* 115200 baud: the 1.8432 MHz clock / 16 / 115200 = divisor 1. */
#define DIVISOR_115200 1

/* The transmit FIFO's depth: THRE set means all of it is free (PC16550D, FIFO mode). */
#define TX_FIFO_DEPTH 16

void uart16550_setup(unsigned long base)
{
	uart_io_out(base, UART_IER, 0);
	uart_io_out(base, UART_LCR, LCR_DLAB);
	uart_io_out(base, UART_DLL, DIVISOR_115200 & 0xff);
	uart_io_out(base, UART_DLM, DIVISOR_115200 >> 8);
	uart_io_out(base, UART_LCR, LCR_8N1);
	uart_io_out(base, UART_FCR, FCR_ENABLE_CLEAR);
	uart_io_out(base, UART_MCR, MCR_DTR_RTS);
}

/*
 * Nothing decodes an empty ISA port: reads float to 0xff.  The scratch register holds
 * what was written only where a UART answers; two patterns, so that neither a floating
 * bus nor a stuck bit passes.
 */
bool uart16550_present(unsigned long base)
{
	uart_io_out(base, UART_SCR, 0x5a);
	if (uart_io_in(base, UART_SCR) != 0x5a)
		return false;
	uart_io_out(base, UART_SCR, 0xa5);
	return uart_io_in(base, UART_SCR) == 0xa5;
}

int uart16550_getc(unsigned long base)
{
	if (!(uart_io_in(base, UART_LSR) & LSR_DATA_READY))
		return -1;
	return uart_io_in(base, UART_RBR);
}

u32 uart16550_write_nowait(unsigned long base, const u8 *buf, u32 len)
{
	u32 done = 0;

	while (done < len && (uart_io_in(base, UART_LSR) & LSR_THR_EMPTY))
		for (unsigned int i = 0; i < TX_FIFO_DEPTH && done < len; i++)
			uart_io_out(base, UART_THR, buf[done++]);
	return done;
}

static void uart16550_put(unsigned long base, char c)
{
	while (!(uart_io_in(base, UART_LSR) & LSR_THR_EMPTY))
		uart_io_relax();
	uart_io_out(base, UART_THR, c);
}

void uart16550_write(unsigned long base, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			uart16550_put(base, '\r');
		uart16550_put(base, s[i]);
	}
}
