// SPDX-License-Identifier: MIT
/*
 * The guest's console on x86: COM1, a 16550 at I/O ports 0x3f8-0x3ff,
 * emulated enough for a polling driver (PC16550D data sheet, "Register
 * Summary"), as an I/O port device (device.h) of the x86 platform table
 * (kvm/platform/platform.c).  The arch decodes the port access (x86: the
 * SVM IOIO intercept, arch/x86_64/exits.c) and hands byte accesses to
 * kvm_vcpu_pio(), which calls here.
 *
 * The transmitter is always ready: a byte written to THR goes straight to
 * the VM's console (vcpu_console_put(), a line at a time behind the
 * VM's name, as HC_CONSOLE_WRITE), so LSR always says THRE | TEMT.
 * Nothing is ever received (LSR.DR = 0, RBR reads 0), no interrupt is
 * ever pending (IIR = 1), the modem lines say the other end is there.
 * The registers a driver writes to configure the line (IER, LCR, MCR, SCR
 * and the divisor latch) keep and read back what it wrote; they change
 * nothing else.  The state is per vCPU (reset with it): a console nobody
 * configures twice.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kvm/devices/device.h"
#include "vcpu.h"

#define UART_RBR_THR 0
#define UART_IER_DLM 1
#define UART_IIR_FCR 2
#define UART_LCR     3
#define UART_MCR     4
#define UART_LSR     5
#define UART_MSR     6
#define UART_SCR     7

#define LCR_DLAB	     0x80
#define IIR_NO_INT	     0x01
#define LSR_THRE	     0x20
#define LSR_TEMT	     0x40
#define UART_MSR_CTS_DSR_DCD 0xb0

/* The divisor latch (DLAB = 1) lives beside the 8 registers. */
#define VCOM1_DLL 8
#define VCOM1_DLM 9

/* 8 ports + the divisor latch, per vCPU. */
struct vcom1 {
	u8 regs[VM_MAX_VCPUS][10];
};

static u8 vcom1_in(u8 *com1, unsigned int reg)
{
	bool dlab = com1[UART_LCR] & LCR_DLAB;

	switch (reg) {
	case UART_RBR_THR:
		return dlab ? com1[VCOM1_DLL] : 0;
	case UART_IER_DLM:
		return dlab ? com1[VCOM1_DLM] : com1[UART_IER_DLM];
	case UART_IIR_FCR:
		return IIR_NO_INT;
	case UART_LSR:
		return LSR_THRE | LSR_TEMT;
	case UART_MSR:
		return UART_MSR_CTS_DSR_DCD;
	default: /* LCR, MCR, SCR */
		return com1[reg & 7];
	}
}

static void vcom1_out(struct vcpu *v, u8 *com1, unsigned int reg, u8 val)
{
	bool dlab = com1[UART_LCR] & LCR_DLAB;
	char c = val;

	switch (reg) {
	case UART_RBR_THR:
		if (dlab)
			com1[VCOM1_DLL] = val;
		else
			vcpu_console_put(v, &c, 1);
		break;
	case UART_IER_DLM:
		com1[dlab ? VCOM1_DLM : UART_IER_DLM] = val & (dlab ? 0xff : 0x0f);
		break;
	case UART_IIR_FCR: /* FIFO control: there is no FIFO to reset */
	case UART_LSR:	   /* factory test only */
	case UART_MSR:
		break;
	default: /* LCR, MCR, SCR */
		com1[reg & 7] = val;
		break;
	}
}

static int vcom1_read(void *dev, struct vcpu *v, u64 off, unsigned int size, u64 *val)
{
	struct vcom1 *d = dev;

	if (size != 1)
		return -1;
	*val = vcom1_in(d->regs[v->index], off);
	return 0;
}

static int vcom1_write(void *dev, struct vcpu *v, u64 off, unsigned int size, u64 val)
{
	struct vcom1 *d = dev;

	if (size != 1)
		return -1;
	vcom1_out(v, d->regs[v->index], off, (u8)val);
	return 0;
}

static const struct mmio_ops vcom1_ops = {
	.read = vcom1_read,
	.write = vcom1_write,
};

#define VCOM1_NR_PORTS 8

static int vcom1_create(struct vm *vm, const struct vdev_config *cfg, void **state)
{
	struct vcom1 *d = calloc(1, sizeof(*d));
	int ret;

	if (!d)
		return -ENOMEM;
	ret = vm_pio_register(vm, cfg->base, VCOM1_NR_PORTS, "com1", &vcom1_ops, d);
	if (ret) {
		free(d);
		return ret;
	}
	*state = d;
	return 0;
}

static void vcom1_destroy(struct vm *vm, void *state)
{
	(void)vm;
	free(state);
}

/* A vCPU powering on finds the port as after a reset: every register 0. */
static void vcom1_vcpu_reset(void *state, struct vcpu *v)
{
	struct vcom1 *d = state;

	memset(d->regs[v->index], 0, sizeof(d->regs[v->index]));
}

const struct vdev_class vdev_vcom1 = {
	.name = "com1",
	.create = vcom1_create,
	.destroy = vcom1_destroy,
	.vcpu_reset = vcom1_vcpu_reset,
};
