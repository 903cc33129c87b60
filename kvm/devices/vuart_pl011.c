// SPDX-License-Identifier: MIT
/*
 * The guest's PL011, complete enough for Linux's amba-pl011 driver and the
 * AMBA bus probe in front of it.  Register map and bits: "PrimeCell UART
 * (PL011) Technical Reference Manual" (Arm DDI 0183G), 3.2 "Summary of
 * registers" and 3.3 "Register descriptions"; the interrupts: 2.8
 * "Interrupts".
 *
 * Transmit is instantaneous: a DR write goes straight to the VM's console,
 * so the transmit FIFO is always empty (FR.TXFE, never TXFF or BUSY) and
 * the transmit interrupt is raised by every write (the FIFO drained below
 * its trigger level at once), until the guest clears it (ICR) or writes
 * again.  Receive: a 16-entry FIFO (1 entry with LCR_H.FEN clear) fed from
 * the hypervisor's console for the VM that owns the console input
 * (vm_config.console_input).  The receive interrupt follows the FIFO level
 * against IFLS; below the trigger level input raises the receive timeout
 * interrupt at once (the line is idle from the guest's point of view).
 * Baud rate, line control and DMA registers hold what is written and do
 * nothing.  The interrupt output (UARTINTR, the OR of MIS) drives the
 * device's interrupt line (arm64 platform table: SPI GUEST_UART_SPI)
 * through vm_irq_line() on every change.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "kvm/arch/console.h"
#include "kvm/devices/device.h"
#include "kvm/platform/guest_platform.h"
#include "mmio.h"
#include "vcpu.h"

#define UART_DR		0x000
#define UART_RSR_ECR	0x004
#define UART_FR		0x018
#define UART_ILPR	0x020
#define UART_IBRD	0x024
#define UART_FBRD	0x028
#define UART_LCR_H	0x02c
#define UART_CR		0x030
#define UART_IFLS	0x034
#define UART_IMSC	0x038
#define UART_RIS	0x03c
#define UART_MIS	0x040
#define UART_ICR	0x044
#define UART_DMACR	0x048
#define UART_PERIPH_ID0 0xfe0 /* ... 0xffc: PeriphID0-3, PCellID0-3 */

#define FR_RXFE BIT(4)
#define FR_TXFF BIT(5)
#define FR_RXFF BIT(6)
#define FR_TXFE BIT(7)

#define LCR_H_FEN  BIT(4)
#define CR_UARTEN  BIT(0)
#define CR_TXE	   BIT(8)
#define CR_RXE	   BIT(9)
#define CR_RESET   (CR_TXE | CR_RXE) /* 3.3.8: TXE and RXE set out of reset */
#define IFLS_RESET 0x12		     /* 3.3.9: both trigger levels at half full */

#define INT_RX	BIT(4)
#define INT_TX	BIT(5)
#define INT_RT	BIT(6)
#define INT_ALL 0x7ff

#define RX_FIFO_SIZE  16
#define INPUT_POLL_NS 10000000ULL /* console input checked every 10 ms */

/*
 * PeriphID0-3 (part number 0x011, designer 0x41 'A', revision 1, what QEMU shows) and
 * PCellID0-3 (0xb105f00d), one byte per word (3.3.14, 3.3.15): the AMBA bus
 * matches the driver on these.
 */
static const u8 pl011_ids[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

struct pl011 {
	struct spinlock lock;
	struct vm *vm;
	u32 rsr, ilpr, ibrd, fbrd, lcr_h, cr, ifls, imsc, ris, dmacr;
	u8 rx[RX_FIFO_SIZE];
	unsigned int rx_head, rx_count;
	int irq;	/* its interrupt line (the platform table's) */
	bool irq_level; /* what vm_irq_line() was last told */
	u64 next_poll_ns;
	u32 poll_busy;
};

static unsigned int rx_capacity(const struct pl011 *u)
{
	return u->lcr_h & LCR_H_FEN ? RX_FIFO_SIZE : 1;
}

/* IFLS.RXIFLSEL (bits 5:3): 1/8, 1/4, 1/2, 3/4, 7/8 of the FIFO (3.3.9); 1 without it. */
static unsigned int rx_trigger(const struct pl011 *u)
{
	static const u8 eighths[8] = { 1, 2, 4, 6, 7, 7, 7, 7 };

	if (!(u->lcr_h & LCR_H_FEN))
		return 1;
	return RX_FIFO_SIZE * eighths[(u->ifls >> 3) & 7] / 8;
}

/* Lock held: drive the SPI from MIS, telling the vGIC only about changes. */
static void pl011_update_irq(struct pl011 *u)
{
	bool level = u->ris & u->imsc;

	if (level != u->irq_level) {
		u->irq_level = level;
		vm_irq_line(u->vm, u->irq, level);
	}
}

/* Lock held: the receive interrupts after the FIFO level changed. */
static void pl011_rx_levels(struct pl011 *u, bool arrived)
{
	if (u->rx_count >= rx_trigger(u))
		u->ris |= INT_RX;
	else
		u->ris &= ~INT_RX;
	if (!u->rx_count)
		u->ris &= ~INT_RT;
	else if (arrived && !(u->ris & INT_RX))
		u->ris |= INT_RT;
}

static u32 pl011_read_dr(struct pl011 *u)
{
	u32 val = 0;

	if (u->rx_count) {
		val = u->rx[u->rx_head];
		u->rx_head = (u->rx_head + 1) % RX_FIFO_SIZE;
		u->rx_count--;
		pl011_rx_levels(u, false);
	}
	return val;
}

static u32 pl011_read_reg(struct pl011 *u, u64 off)
{
	switch (off) {
	case UART_DR:
		return pl011_read_dr(u);
	case UART_RSR_ECR:
		return u->rsr;
	case UART_FR:
		return FR_TXFE | (u->rx_count ? 0 : FR_RXFE) |
		       (u->rx_count >= rx_capacity(u) ? FR_RXFF : 0);
	case UART_ILPR:
		return u->ilpr;
	case UART_IBRD:
		return u->ibrd;
	case UART_FBRD:
		return u->fbrd;
	case UART_LCR_H:
		return u->lcr_h;
	case UART_CR:
		return u->cr;
	case UART_IFLS:
		return u->ifls;
	case UART_IMSC:
		return u->imsc;
	case UART_RIS:
		return u->ris;
	case UART_MIS:
		return u->ris & u->imsc;
	case UART_DMACR:
		return u->dmacr;
	default:
		if (off >= UART_PERIPH_ID0 && off < UART_PERIPH_ID0 + 4 * sizeof(pl011_ids))
			return pl011_ids[(off - UART_PERIPH_ID0) / 4];
		return 0; /* reserved and test registers read as zero */
	}
}

static void pl011_write_reg(struct pl011 *u, struct vcpu *v, u64 off, u32 val)
{
	char ch = (char)val;

	switch (off) {
	case UART_DR:
		if (u->vm->cfg.console_input)
			(void)!write(1, &ch, 1); /* the interactive console: as typed */
		else
			vcpu_console_put(v, &ch, 1);
		u->ris |= INT_TX;
		break;
	case UART_RSR_ECR:
		u->rsr = 0; /* any write clears the error flags */
		break;
	case UART_ILPR:
		u->ilpr = val & 0xff;
		break;
	case UART_IBRD:
		u->ibrd = val & 0xffff;
		break;
	case UART_FBRD:
		u->fbrd = val & 0x3f;
		break;
	case UART_LCR_H:
		/* Turning the FIFO off or on flushes it (3.3.7, FEN). */
		if ((u->lcr_h ^ val) & LCR_H_FEN) {
			u->rx_count = 0;
			pl011_rx_levels(u, false);
		}
		u->lcr_h = val & 0xff;
		break;
	case UART_CR:
		u->cr = val & 0xff87;
		break;
	case UART_IFLS:
		u->ifls = val & 0x3f;
		pl011_rx_levels(u, false);
		break;
	case UART_IMSC:
		u->imsc = val & INT_ALL;
		break;
	case UART_ICR:
		u->ris &= ~(val & INT_ALL);
		break;
	case UART_DMACR:
		u->dmacr = val & 7;
		break;
	default:
		break; /* read-only and reserved registers ignore writes */
	}
	pl011_update_irq(u);
}

/* The registers are 32-bit words; DR may also be accessed a byte at a time (Linux's earlycon). */
static bool pl011_access_ok(u64 off, unsigned int size)
{
	return !(off & 3) && size <= 4;
}

static int pl011_read(void *dev, struct vcpu *v, u64 off, unsigned int size, u64 *val)
{
	struct pl011 *u = dev;

	(void)v;
	if (!pl011_access_ok(off, size))
		return -1;
	spin_lock(&u->lock);
	*val = pl011_read_reg(u, off);
	pl011_update_irq(u);
	spin_unlock(&u->lock);
	return 0;
}

static int pl011_write(void *dev, struct vcpu *v, u64 off, unsigned int size, u64 val)
{
	struct pl011 *u = dev;

	if (!pl011_access_ok(off, size))
		return -1;
	spin_lock(&u->lock);
	pl011_write_reg(u, v, off, (u32)val);
	spin_unlock(&u->lock);
	return 0;
}

static const struct mmio_ops pl011_ops = {
	.read = pl011_read,
	.write = pl011_write,
};

static int pl011_create(struct vm *vm, const struct vdev_config *cfg, void **state)
{
	struct pl011 *u = calloc(1, sizeof(*u));
	int ret;

	if (!u)
		return -ENOMEM;
	u->lock = (struct spinlock)SPINLOCK_INIT;
	u->vm = vm;
	u->irq = cfg->irq;
	u->cr = CR_RESET;
	u->ifls = IFLS_RESET;
	ret = vm_mmio_register(vm, cfg->base, GUEST_UART_SIZE, "pl011", &pl011_ops, u);
	if (ret) {
		free(u);
		return ret;
	}
	*state = u;
	return 0;
}

static void pl011_destroy(struct vm *vm, void *state)
{
	(void)vm;
	free(state);
}

/*
 * Move what was typed on the hypervisor's console into the receive FIFO.
 * Several threads may call this; one polls at a time and at most every
 * INPUT_POLL_NS, so the rest return at once.  What does not fit waits in
 * the host UART (its own FIFO, then it overruns, as a real line would).
 */
static void pl011_poll_input(void *state)
{
	struct pl011 *u = state;
	u32 idle = 0;
	u64 now;
	int ch;

	if (!u->vm->cfg.console_input)
		return;
	now = arch_time_ns();
	if (now < READ_ONCE(u->next_poll_ns) ||
	    !__atomic_compare_exchange_n(&u->poll_busy, &idle, 1, false, __ATOMIC_ACQUIRE,
					 __ATOMIC_RELAXED))
		return;
	WRITE_ONCE(u->next_poll_ns, now + INPUT_POLL_NS);
	spin_lock(&u->lock);
	while (u->rx_count < rx_capacity(u) && (ch = arch_console_getc()) >= 0) {
		u->rx[(u->rx_head + u->rx_count) % RX_FIFO_SIZE] = (u8)ch;
		u->rx_count++;
		pl011_rx_levels(u, true);
	}
	pl011_update_irq(u);
	spin_unlock(&u->lock);
	__atomic_store_n(&u->poll_busy, 0, __ATOMIC_RELEASE);
}

const struct vdev_class vdev_pl011 = {
	.name = "pl011",
	.create = pl011_create,
	.destroy = pl011_destroy,
	.poll = pl011_poll_input,
};
