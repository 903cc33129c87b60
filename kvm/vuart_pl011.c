// SPDX-License-Identifier: MIT
/*
 * The guest's PL011, as much of it as a polling console needs: the data
 * register transmits to the VM's console line, the flag register says the
 * transmit FIFO is never full and the receive FIFO always empty, every other
 * register reads 0 and ignores writes.  (PrimeCell UART PL011 TRM, 3.3.)
 */
#include "mmio.h"
#include "vcpu.h"

#define UART_DR 0x00
#define UART_FR 0x18
#define UART_FR_RXFE BIT(4)	/* receive FIFO empty */
#define UART_FR_TXFE BIT(7)	/* transmit FIFO empty */

static int pl011_read(void *dev, struct vcpu *v, u64 off, unsigned int size, u64 *val)
{
	(void)dev, (void)v, (void)size;
	*val = off == UART_FR ? UART_FR_RXFE | UART_FR_TXFE : 0;
	return 0;
}

static int pl011_write(void *dev, struct vcpu *v, u64 off, unsigned int size, u64 val)
{
	char ch = (char)val;

	(void)dev, (void)size;
	if (off == UART_DR)
		vcpu_console_put(v, &ch, 1);
	return 0;
}

static const struct mmio_ops pl011_ops = {
	.read = pl011_read,
	.write = pl011_write,
};

int vuart_pl011_add(struct vm *vm, u64 base)
{
	return vm_mmio_register(vm, base, VM_UART_SIZE, "pl011", &pl011_ops, NULL);
}
