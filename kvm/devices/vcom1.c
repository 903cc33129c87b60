// SPDX-License-Identifier: MIT
/*
 * The guest's console on x86: COM1, a 16550 at I/O ports 0x3f8-0x3ff,
 * emulated enough for a polling driver (PC16550D data sheet, "Register
 * Summary").  svm.c decodes the IOIO intercept (AMD APM vol. 2, 15.10.2)
 * and calls here for byte accesses in the range.
 *
 * The transmitter is always ready: a byte written to THR goes straight to
 * the VM's console (kvm_vcpu_console_put(), a line at a time behind the
 * VM's name, as HC_CONSOLE_WRITE), so LSR always says THRE | TEMT.
 * Nothing is ever received (LSR.DR = 0, RBR reads 0), no interrupt is
 * ever pending (IIR = 1), the modem lines say the other end is there.
 * The registers a driver writes to configure the line (IER, LCR, MCR, SCR
 * and the divisor latch) keep and read back what it wrote; they change
 * nothing else.  The state is per vCPU: a console nobody configures twice.
 */
#include "kvm/arch/vcpu.h"

#include "svm.h"

#define UART_RBR_THR 0
#define UART_IER_DLM 1
#define UART_IIR_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7

#define LCR_DLAB 0x80
#define IIR_NO_INT 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define MSR_CTS_DSR_DCD 0xb0

/* The divisor latch (DLAB = 1) lives beside the 8 registers. */
#define VCOM1_DLL 8
#define VCOM1_DLM 9

u8 vcom1_in(struct arch_vcpu *v, unsigned int reg)
{
	bool dlab = v->com1[UART_LCR] & LCR_DLAB;

	switch (reg) {
	case UART_RBR_THR:
		return dlab ? v->com1[VCOM1_DLL] : 0;
	case UART_IER_DLM:
		return dlab ? v->com1[VCOM1_DLM] : v->com1[UART_IER_DLM];
	case UART_IIR_FCR:
		return IIR_NO_INT;
	case UART_LSR:
		return LSR_THRE | LSR_TEMT;
	case UART_MSR:
		return MSR_CTS_DSR_DCD;
	default:			/* LCR, MCR, SCR */
		return v->com1[reg & 7];
	}
}

void vcom1_out(struct arch_vcpu *v, unsigned int reg, u8 val)
{
	bool dlab = v->com1[UART_LCR] & LCR_DLAB;
	char c = val;

	switch (reg) {
	case UART_RBR_THR:
		if (dlab)
			v->com1[VCOM1_DLL] = val;
		else
			kvm_vcpu_console_put(v, &c, 1);
		break;
	case UART_IER_DLM:
		v->com1[dlab ? VCOM1_DLM : UART_IER_DLM] = val & (dlab ? 0xff : 0x0f);
		break;
	case UART_IIR_FCR:		/* FIFO control: there is no FIFO to reset */
	case UART_LSR:			/* factory test only */
	case UART_MSR:
		break;
	default:			/* LCR, MCR, SCR */
		v->com1[reg & 7] = val;
		break;
	}
}
