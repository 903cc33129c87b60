/* SPDX-License-Identifier: MIT */
/*
 * EL2 exception vectors (VBAR_EL2).
 *
 * Current EL (groups 0 and 1): every entry saves the general registers,
 * ELR/SPSR/ESR/FAR_EL2 in a struct exc_frame on the current stack and calls
 * el2_exception(frame, kind); if that returns, the frame is restored (with
 * the ELR/SPSR it may have changed) and the exception returns.  IRQs taken
 * at EL2 (the tick while the hypervisor runs with PSTATE.I clear) also save
 * q0-q31, FPSR and FPCR around the handler: it runs compiled C (kvm's tick
 * among it) that may use them, and the interrupted code owns them.
 *
 * Lower EL, AArch64 (group 2): a guest exit.  guest_entry.S:el2_guest_exit
 * saves the guest's registers into its vCPU and returns from
 * __guest_enter() with the kind.  Lower EL AArch32 (group 3) cannot happen
 * (HCR_EL2.RW) and is reported like any unexpected exception.
 */
#include "arch/arm64/asm_frames.h"
#include "arch/arm64/exception.h"

	/* Unexpected or synchronous at EL2: the plain frame. */
	.macro	vec_frame, kind
	.balign	128				/* each vector has 32 instructions */
	sub	sp, sp, #EXC_FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x1, #\kind
	b	el2_vector_common
	.endm

	/* An IRQ at EL2: frame plus FP/SIMD state. */
	.macro	vec_irq, kind
	.balign	128
	sub	sp, sp, #EXC_FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x1, #\kind
	b	el2_irq_common
	.endm

	/*
	 * From the guest.  SP_EL2 is where __guest_enter() left it: its host
	 * frame sits right above.  x0 and x1 go below it until x0 holds the vCPU.
	 */
	.macro	vec_guest, kind
	.balign	128
	stp	x0, x1, [sp, #-16]!
	mov	x1, #\kind
	b	el2_guest_exit
	.endm

	.section .text.vectors, "ax"
	.balign	2048				/* VBAR_EL2 bits 10:0 are RES0 */
	.global el2_vectors
el2_vectors:
	vec_frame 0				/* current EL, SP_EL0 */
	vec_irq	1
	vec_frame 2
	vec_frame 3
	vec_frame 4				/* current EL, SP_EL2 */
	vec_irq	5
	vec_frame 6
	vec_frame 7
	vec_guest 8				/* lower EL, AArch64 */
	vec_guest 9
	vec_guest 10
	vec_guest 11
	vec_frame 12				/* lower EL, AArch32 */
	vec_frame 13
	vec_frame 14
	vec_frame 15

	/* The rest of struct exc_frame; x0/x1 are saved, x1 = kind. */
	.macro	save_frame
	frame_x2_x29 stp, sp
	add	x2, sp, #EXC_FRAME_SIZE
	stp	x30, x2, [sp, #240]
	mrs	x2, elr_el2
	mrs	x3, spsr_el2
	stp	x2, x3, [sp, #EXC_FRAME_ELR]
	mrs	x2, esr_el2
	mrs	x3, far_el2
	stp	x2, x3, [sp, #EXC_FRAME_ESR]
	.endm

	.macro	restore_frame
	ldp	x2, x3, [sp, #EXC_FRAME_ELR]
	msr	elr_el2, x2
	msr	spsr_el2, x3
	frame_x2_x29 ldp, sp
	ldr	x30, [sp, #240]
	ldp	x0, x1, [sp, #0]
	add	sp, sp, #EXC_FRAME_SIZE
	.endm

el2_vector_common:
	save_frame
	mov	x0, sp
	bl	el2_exception
	restore_frame
	eret

/*
 * FPSR/FPCR (16 bytes) and q0-q31 (512) below the frame.  The handler may
 * change FPCR (compiled code assumes the default modes; the interrupted
 * code's may differ), so it is restored too.
 */
#define IRQ_FP_SIZE (512 + 16)
el2_irq_common:
	save_frame
	sub	sp, sp, #IRQ_FP_SIZE
	frame_q0_q31 stp, sp, 16
	mrs	x2, fpsr
	mrs	x3, fpcr
	stp	x2, x3, [sp, #0]
	add	x0, sp, #IRQ_FP_SIZE
	bl	el2_irq
	ldp	x2, x3, [sp, #0]
	msr	fpsr, x2
	msr	fpcr, x3
	frame_q0_q31 ldp, sp, 16
	add	sp, sp, #IRQ_FP_SIZE
	restore_frame
	eret
