// SPDX-License-Identifier: MIT
/*
 * Polled PL011 driver.  Register offsets and bits are from the "PrimeCell
 * UART (PL011) Technical Reference Manual" (Arm DDI 0183), section 3.2
 * "Summary of registers" and 3.3 "Register descriptions".  No interrupts and
 * no baud-rate set-up: firmware (or QEMU, which ignores it) has done that.
 */
#include "pl011.h"
#include "mmio.h"
#include "platform.h"

#define UARTDR 0x000
#define UARTFR 0x018
#define UARTCR 0x030

#define FR_RXFE	  BIT(4) /* receive FIFO empty */
#define FR_TXFF	  BIT(5) /* transmit FIFO full */
#define CR_UARTEN BIT(0)
#define CR_TXE	  BIT(8)
#define CR_RXE	  BIT(9)

static u64 uart = QEMU_VIRT_PL011;

void pl011_init(u64 base)
{
	u32 cr;

	uart = base;
	/* Leave a configured UART alone; only make sure it may transmit and receive. */
	cr = mmio_read32(uart + UARTCR);
	if ((cr & (CR_UARTEN | CR_TXE | CR_RXE)) != (CR_UARTEN | CR_TXE | CR_RXE))
		mmio_write32(uart + UARTCR, cr | CR_UARTEN | CR_TXE | CR_RXE);
}

u64 pl011_base(void)
{
	return uart;
}

static void pl011_putc(char c)
{
	while (mmio_read32(uart + UARTFR) & FR_TXFF)
		;
	mmio_write32(uart + UARTDR, (u8)c);
}

void pl011_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			pl011_putc('\r');
		pl011_putc(s[i]);
	}
}

int pl011_getc(void)
{
	if (mmio_read32(uart + UARTFR) & FR_RXFE)
		return -1;
	return mmio_read32(uart + UARTDR) & 0xff;
}
