// SPDX-License-Identifier: MIT
/*
 * The console UART by MMIO: the PL011 the hypervisor emulates at 0x09000000
 * (plain QEMU's real one in the bare build).  A polling driver's view of it
 * must hold: the flag register says the transmitter can take a byte and the
 * receiver is empty (nobody types into a test run), bytes written to the
 * data register come out on the console (the line below shows in the log,
 * prefixed with this VM's name), and accesses of every width the driver
 * might use are answered rather than aborted.
 */
#include "guest.h"

#define PL011_BASE 0x09000000UL
#define PL011_DR 0x00
#define PL011_FR 0x18
#define PL011_FR_RXFE (1u << 4)
#define PL011_FR_TXFF (1u << 5)

static volatile uint32_t *reg32(unsigned int off)
{
	return (volatile uint32_t *)(PL011_BASE + off);
}

/* Write @s through the data register, waiting while the FIFO is full; false on a stuck FIFO. */
static bool uart_puts(const char *s)
{
	unsigned long spins;

	for (; *s; s++) {
		for (spins = 0; *reg32(PL011_FR) & PL011_FR_TXFF; spins++)
			if (spins > 10000000)
				return false;
		*reg32(PL011_DR) = (uint8_t)*s;
	}
	return true;
}

void test_main(void)
{
	struct guest_abort info;
	uint32_t fr = *reg32(PL011_FR);
	volatile uint8_t *fr8 = (volatile uint8_t *)(PL011_BASE + PL011_FR);
	volatile uint16_t *fr16 = (volatile uint16_t *)(PL011_BASE + PL011_FR);

	check("fr-receive-fifo-empty", fr & PL011_FR_RXFE);
	check("fr-transmit-fifo-not-full", !(fr & PL011_FR_TXFF));
	check("fr-byte-and-halfword-reads-agree", *fr8 == (fr & 0xff) && *fr16 == (fr & 0xffff));
	check("data-register-writes", uart_puts("uart: this line went through the PL011 data register\n"));
	/* A read of the (empty) receive side is answered, not aborted. */
	guest_expect_abort();
	(void)*reg32(PL011_DR);
	check("data-register-read-answered", !guest_abort_seen(&info));
}
