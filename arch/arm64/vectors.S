/* SPDX-License-Identifier: MIT */
/*
 * EL2 exception vectors (VBAR_EL2).  Every entry saves the general registers,
 * ELR/SPSR/ESR/FAR_EL2 in a struct exc_frame on the current stack and calls
 * el2_exception(frame, kind); if that returns, the frame is restored (with
 * the ELR/SPSR it may have changed) and the exception returns.
 *
 * FP/SIMD registers are not saved: el2_exception() must not return into code
 * whose SIMD registers it clobbered.  Today it never returns; whoever adds
 * IRQ handling at EL2 must save them or build that path -mgeneral-regs-only.
 */
#include "arch/arm64/exception.h"

	.section .text.vectors, "ax"
	.balign	2048				/* VBAR_EL2 bits 10:0 are RES0 */
	.global el2_vectors
el2_vectors:
	.irp	kind, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	.balign	128				/* each vector has 32 instructions */
	sub	sp, sp, #EXC_FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x1, #\kind
	b	el2_vector_common
	.endr

el2_vector_common:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	add	x2, sp, #EXC_FRAME_SIZE
	stp	x30, x2, [sp, #240]
	mrs	x2, elr_el2
	mrs	x3, spsr_el2
	stp	x2, x3, [sp, #EXC_FRAME_ELR]
	mrs	x2, esr_el2
	mrs	x3, far_el2
	stp	x2, x3, [sp, #EXC_FRAME_ESR]

	mov	x0, sp
	bl	el2_exception

	ldp	x2, x3, [sp, #EXC_FRAME_ELR]
	msr	elr_el2, x2
	msr	spsr_el2, x3
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	ldr	x30, [sp, #240]
	ldp	x0, x1, [sp, #0]
	add	sp, sp, #EXC_FRAME_SIZE
	eret
