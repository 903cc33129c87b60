// SPDX-License-Identifier: MIT
/*
 * The console UART, as a polling driver sees it: the status register says
 * the transmitter can take a byte and the receiver is empty (nobody types
 * into a test run), bytes written to the data register come out on the
 * console (the line below shows in the log, prefixed with this VM's name),
 * and the accesses the driver makes are answered rather than aborted.
 *
 * arm64: the PL011 the hypervisor emulates by MMIO at 0x09000000 (plain
 * QEMU's real one in the bare build); also byte and halfword reads of the
 * flag register.  x86-64: the 16550 on COM1, I/O ports 0x3f8-0x3ff, which
 * the hypervisor emulates through the SVM I/O intercept; also the
 * registers an init sequence writes (line control with DLAB, the divisor,
 * scratch) read back what was written.
 */
#include "guest.h"

#if defined(__aarch64__)
#define PL011_BASE    0x09000000UL
#define PL011_DR      0x00
#define PL011_FR      0x18
#define PL011_FR_RXFE (1u << 4)
#define PL011_FR_TXFF (1u << 5)

static volatile uint32_t *reg32(unsigned int off)
{
	return (volatile uint32_t *)(PL011_BASE + off);
}

static bool uart_tx_ready(void)
{
	return !(*reg32(PL011_FR) & PL011_FR_TXFF);
}

static bool uart_rx_empty(void)
{
	return *reg32(PL011_FR) & PL011_FR_RXFE;
}

static void uart_tx(uint8_t c)
{
	*reg32(PL011_DR) = c;
}

static void uart_rx(void)
{
	(void)*reg32(PL011_DR);
}

static void uart_arch_checks(void)
{
	uint32_t fr = *reg32(PL011_FR);
	volatile uint8_t *fr8 = (volatile uint8_t *)(PL011_BASE + PL011_FR);
	volatile uint16_t *fr16 = (volatile uint16_t *)(PL011_BASE + PL011_FR);

	check("fr-byte-and-halfword-reads-agree", *fr8 == (fr & 0xff) && *fr16 == (fr & 0xffff));
}
#elif defined(__x86_64__)
/* PC16550D data sheet, "Register Summary"; COM1 is the PC's first serial port. */
#define COM1	 0x3f8
#define UART_THR 0 /* write; RBR on read; DLL with LCR.DLAB */
#define UART_DLM 1 /* with LCR.DLAB; IER otherwise */
#define UART_LCR 3
#define UART_LSR 5
#define UART_SCR 7
#define LCR_8N1	 0x03
#define LCR_DLAB 0x80
#define LSR_DR	 0x01 /* a received byte is waiting */
#define LSR_THRE 0x20 /* the transmitter holding register is empty */

static uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static bool uart_tx_ready(void)
{
	return inb(COM1 + UART_LSR) & LSR_THRE;
}

static bool uart_rx_empty(void)
{
	return !(inb(COM1 + UART_LSR) & LSR_DR);
}

static void uart_tx(uint8_t c)
{
	outb(COM1 + UART_THR, c);
}

static void uart_rx(void)
{
	(void)inb(COM1 + UART_THR);
}

/* What a driver's init does: 115200 8N1 (divisor 1 of 1.8432 MHz / 16). */
static void uart_arch_checks(void)
{
	uint8_t dll, dlm;

	outb(COM1 + UART_LCR, LCR_DLAB | LCR_8N1);
	outb(COM1 + UART_THR, 1);
	outb(COM1 + UART_DLM, 0);
	dll = inb(COM1 + UART_THR);
	dlm = inb(COM1 + UART_DLM);
	outb(COM1 + UART_LCR, LCR_8N1);
	check("divisor-latch-reads-back", dll == 1 && dlm == 0);
	check("line-control-reads-back", inb(COM1 + UART_LCR) == LCR_8N1);
	outb(COM1 + UART_SCR, 0x5a);
	check("scratch-reads-back", inb(COM1 + UART_SCR) == 0x5a);
}
#else
#error "uart.c: no console UART for this architecture"
#endif

/* Write @s through the data register, waiting while the transmitter is busy; false if stuck. */
static bool uart_puts(const char *s)
{
	unsigned long spins;

	for (; *s; s++) {
		for (spins = 0; !uart_tx_ready(); spins++)
			if (spins > 10000000)
				return false;
		uart_tx((uint8_t)*s);
	}
	return true;
}

void test_main(void)
{
	struct guest_abort info;

	check("status-receive-empty", uart_rx_empty());
	check("status-transmit-ready", uart_tx_ready());
	uart_arch_checks();
	check("data-register-writes",
	      uart_puts("uart: this line went through the data register\n"));
	/* A read of the (empty) receive side is answered, not aborted. */
	guest_expect_abort();
	uart_rx();
	check("data-register-read-answered", !guest_abort_seen(&info));
}
