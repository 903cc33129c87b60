/* SPDX-License-Identifier: MIT */
/*
 * Entering a guest and coming back: the register switch only.  The C side
 * (vcpu.c: arch_vcpu_run()) has loaded the guest's EL1 system registers,
 * VTTBR_EL2 and HCR_EL2 and masked interrupts before calling
 * __guest_enter(vcpu); __guest_enter returns the vector kind
 * (exception.h: 8 sync, 9 IRQ, 10 FIQ, 11 SError) once the guest exits.
 *
 * The host's AAPCS64 callee-saved state (x19-x30, d8-d15, FPCR) is kept in
 * a frame on the calling thread's stack.  SP_EL2 is not touched by the guest
 * (it runs on SP_EL0/SP_EL1), so the lower-EL vector finds the frame, and in
 * it the vCPU pointer, at the stack pointer it is entered with.
 *
 * All FP/SIMD switching happens here, not in C: between the return to C and
 * a C-level save the compiler could already have used a vector register.
 */
#include "arch/arm64/arch_vcpu.h"
#include "arch/arm64/asm_frames.h"
#include "arch/arm64/exception.h"

#define HOST_X19 0
#define HOST_D8 96
#define HOST_FPCR 160
#define HOST_VCPU 168
#define HOST_FRAME 176

	.text
	.global __guest_enter
	.type	__guest_enter, %function
__guest_enter:
	sub	sp, sp, #HOST_FRAME
	frame_x19_x30 stp, sp, HOST_X19
	frame_d8_d15 stp, sp, HOST_D8
	mrs	x1, fpcr
	stp	x1, x0, [sp, #HOST_FPCR]

	add	x1, x0, #VCPU_V
	frame_q0_q31 ldp, x1, 0
	add	x1, x0, #VCPU_FPSR		/* beyond LDP's reach from x0 */
	ldp	x1, x2, [x1]
	msr	fpsr, x1
	msr	fpcr, x2

	ldr	x1, [x0, #VCPU_SP_EL0]
	msr	sp_el0, x1
	ldp	x1, x2, [x0, #VCPU_PC]
	msr	elr_el2, x1
	msr	spsr_el2, x2

	frame_x2_x29 ldp, x0
	ldr	x30, [x0, #240]
	ldp	x0, x1, [x0, #0]
	eret
	/* Nothing after ERET may run speculatively with guest registers (Arm ARM "ERET"). */
	dsb	nsh
	isb
	.size	__guest_enter, . - __guest_enter

/*
 * From a lower-EL vector: the guest's x0/x1 at [sp], x1 = kind, the host
 * frame above them.
 */
	.global el2_guest_exit
el2_guest_exit:
	ldr	x0, [sp, #16 + HOST_VCPU]
	frame_x2_x29 stp, x0
	str	x30, [x0, #240]
	ldp	x2, x3, [sp], #16
	stp	x2, x3, [x0, #0]

	mrs	x2, sp_el0
	str	x2, [x0, #VCPU_SP_EL0]
	mrs	x2, elr_el2
	mrs	x3, spsr_el2
	stp	x2, x3, [x0, #VCPU_PC]

	add	x2, x0, #VCPU_V
	frame_q0_q31 stp, x2, 0
	add	x4, x0, #VCPU_FPSR
	mrs	x2, fpsr
	mrs	x3, fpcr
	stp	x2, x3, [x4]

	mov	x0, x1				/* return the kind */
	ldr	x1, [sp, #HOST_FPCR]
	msr	fpcr, x1
	frame_d8_d15 ldp, sp, HOST_D8
	frame_x19_x30 ldp, sp, HOST_X19
	add	sp, sp, #HOST_FRAME
	ret
