/* SPDX-License-Identifier: MIT */
/*
 * The smoke test's guest: position-independent EL1 code copied into one
 * guest page and run with the MMU off.  Each step ends in an HVC the
 * hypervisor side checks (arch_smoke.c); steps that need the hypervisor to
 * emulate or inject something trap by themselves.
 *
 * Inputs (set with arch_vcpu_set_reg before the first entry):
 *   x0 = cpu, x19 = data page (mapped), x20 = MMIO base (unmapped),
 *   x21 = abort address (unmapped), x22 = TLB page (mapped, unmapped later).
 */
#include "tests/arch-arm64/smoke.h"

	.macro	hc, n
	movz	x0, #SMOKE_HC_HI, lsl #16
	movk	x0, #(SMOKE_HC_LO + \n)
	hvc	#0
	.endm

/* \m for each of the 32 vector registers (two lists: lines stay short). */
	.macro	for_each_v, m
	.irp	i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	\m	\i
	.endr
	.irp	i, 16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	\m	\i
	.endr
	.endm

	.section .rodata.smoke_guest, "a"
	.balign	4096
	.global smoke_guest_start
smoke_guest_start:
	mov	x24, x0

	mov	x1, #0x11
	mov	x2, #0x22
	mov	x3, #0x33
	mov	x4, #0x44
	mov	x5, x24
	hc	HC_ARGS
	mov	x1, x0
	hc	HC_ECHO

	movz	x0, #0x8400, lsl #16		/* PSCI_VERSION */
	.global smoke_guest_smc
smoke_guest_smc:
	smc	#0
	mov	x1, x0
	hc	HC_SMC_ECHO

	.global smoke_guest_mmio_ld
smoke_guest_mmio_ld:
	ldr	x5, [x20, #8]
	mov	x1, x5
	hc	HC_MMIO_LOAD
	mov	w7, #0xbeef
	.global smoke_guest_mmio_st
smoke_guest_mmio_st:
	str	w7, [x20, #0x14]
	.global smoke_guest_ldrsh
smoke_guest_ldrsh:
	ldrsh	w9, [x20, #0x22]
	mov	x1, x9
	hc	HC_MMIO_LDRSH

	adr	x1, smoke_guest_vectors
	msr	vbar_el1, x1
	isb
	adr	x23, 1f				/* the vector resumes there */
	.global smoke_guest_abort_ld
smoke_guest_abort_ld:
	ldr	x2, [x21]
1:	adr	x23, 2f
	hc	HC_WANT_UNDEF
2:
	.global smoke_guest_wfi
smoke_guest_wfi:
	wfi
	hc	HC_AFTER_WFI

	/* FP/SIMD on at EL1 (CPACR_EL1.FPEN = 0b11), then a pattern in all 32. */
	mov	x1, #(3 << 20)
	msr	cpacr_el1, x1
	isb
	movz	x11, #0xf00d, lsl #16
	add	x11, x11, x24, lsl #8
	.macro	fill_v, n
	add	x10, x11, #\n
	eor	x12, x10, #0xff00
	dup	v\n\().2d, x10
	mov	v\n\().d[1], x12
	.endm
	for_each_v fill_v
	hc	HC_FP_LOADED
	mov	x13, #0
	.macro	check_v, n
	add	x10, x11, #\n
	eor	x12, x10, #0xff00
	mov	x14, v\n\().d[0]
	cmp	x14, x10
	cinc	x13, x13, ne
	mov	x14, v\n\().d[1]
	cmp	x14, x12
	cinc	x13, x13, ne
	.endm
	for_each_v check_v
	mov	x1, x13
	hc	HC_FP_CHECKED

	ldr	x1, [x22]
	hc	HC_TLB_READ
	.global smoke_guest_tlb_ld
smoke_guest_tlb_ld:
	ldr	x1, [x22]			/* unmapped meanwhile: must fault */
	hc	HC_TLB_AGAIN

3:	ldr	x1, [x19]			/* spin until the host says: enough ticks */
	cbz	x1, 3b
	hc	HC_TICK_DONE
4:	hc	HC_END
	b	4b

/* VBAR_EL1: 2 KiB aligned, sixteen 128-byte slots; only +0x200 is expected. */
	.balign	2048
	.global smoke_guest_vectors
smoke_guest_vectors:
	.irp	slot, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	.balign	128
	.if	\slot == 4
	mrs	x1, esr_el1
	mrs	x2, far_el1
	mrs	x3, elr_el1
	mrs	x4, spsr_el1
	hc	HC_VECTOR
	br	x23
	.else
	mov	x1, #(\slot * 0x80)
	hc	HC_BAD_VECTOR
	b	.
	.endif
	.endr
	.global smoke_guest_end
smoke_guest_end:
