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
	stp	x19, x20, [sp, #HOST_X19 + 0]
	stp	x21, x22, [sp, #HOST_X19 + 16]
	stp	x23, x24, [sp, #HOST_X19 + 32]
	stp	x25, x26, [sp, #HOST_X19 + 48]
	stp	x27, x28, [sp, #HOST_X19 + 64]
	stp	x29, x30, [sp, #HOST_X19 + 80]
	stp	d8, d9, [sp, #HOST_D8 + 0]
	stp	d10, d11, [sp, #HOST_D8 + 16]
	stp	d12, d13, [sp, #HOST_D8 + 32]
	stp	d14, d15, [sp, #HOST_D8 + 48]
	mrs	x1, fpcr
	stp	x1, x0, [sp, #HOST_FPCR]

	add	x1, x0, #VCPU_V
	ldp	q0, q1, [x1, #0]
	ldp	q2, q3, [x1, #32]
	ldp	q4, q5, [x1, #64]
	ldp	q6, q7, [x1, #96]
	ldp	q8, q9, [x1, #128]
	ldp	q10, q11, [x1, #160]
	ldp	q12, q13, [x1, #192]
	ldp	q14, q15, [x1, #224]
	ldp	q16, q17, [x1, #256]
	ldp	q18, q19, [x1, #288]
	ldp	q20, q21, [x1, #320]
	ldp	q22, q23, [x1, #352]
	ldp	q24, q25, [x1, #384]
	ldp	q26, q27, [x1, #416]
	ldp	q28, q29, [x1, #448]
	ldp	q30, q31, [x1, #480]
	add	x1, x0, #VCPU_FPSR		/* beyond LDP's reach from x0 */
	ldp	x1, x2, [x1]
	msr	fpsr, x1
	msr	fpcr, x2

	ldr	x1, [x0, #VCPU_SP_EL0]
	msr	sp_el0, x1
	ldp	x1, x2, [x0, #VCPU_PC]
	msr	elr_el2, x1
	msr	spsr_el2, x2

	ldp	x2, x3, [x0, #16]
	ldp	x4, x5, [x0, #32]
	ldp	x6, x7, [x0, #48]
	ldp	x8, x9, [x0, #64]
	ldp	x10, x11, [x0, #80]
	ldp	x12, x13, [x0, #96]
	ldp	x14, x15, [x0, #112]
	ldp	x16, x17, [x0, #128]
	ldp	x18, x19, [x0, #144]
	ldp	x20, x21, [x0, #160]
	ldp	x22, x23, [x0, #176]
	ldp	x24, x25, [x0, #192]
	ldp	x26, x27, [x0, #208]
	ldp	x28, x29, [x0, #224]
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
	stp	x2, x3, [x0, #16]
	stp	x4, x5, [x0, #32]
	stp	x6, x7, [x0, #48]
	stp	x8, x9, [x0, #64]
	stp	x10, x11, [x0, #80]
	stp	x12, x13, [x0, #96]
	stp	x14, x15, [x0, #112]
	stp	x16, x17, [x0, #128]
	stp	x18, x19, [x0, #144]
	stp	x20, x21, [x0, #160]
	stp	x22, x23, [x0, #176]
	stp	x24, x25, [x0, #192]
	stp	x26, x27, [x0, #208]
	stp	x28, x29, [x0, #224]
	str	x30, [x0, #240]
	ldp	x2, x3, [sp], #16
	stp	x2, x3, [x0, #0]

	mrs	x2, sp_el0
	str	x2, [x0, #VCPU_SP_EL0]
	mrs	x2, elr_el2
	mrs	x3, spsr_el2
	stp	x2, x3, [x0, #VCPU_PC]

	add	x2, x0, #VCPU_V
	stp	q0, q1, [x2, #0]
	stp	q2, q3, [x2, #32]
	stp	q4, q5, [x2, #64]
	stp	q6, q7, [x2, #96]
	stp	q8, q9, [x2, #128]
	stp	q10, q11, [x2, #160]
	stp	q12, q13, [x2, #192]
	stp	q14, q15, [x2, #224]
	stp	q16, q17, [x2, #256]
	stp	q18, q19, [x2, #288]
	stp	q20, q21, [x2, #320]
	stp	q22, q23, [x2, #352]
	stp	q24, q25, [x2, #384]
	stp	q26, q27, [x2, #416]
	stp	q28, q29, [x2, #448]
	stp	q30, q31, [x2, #480]
	add	x4, x0, #VCPU_FPSR
	mrs	x2, fpsr
	mrs	x3, fpcr
	stp	x2, x3, [x4]

	mov	x0, x1				/* return the kind */
	ldr	x1, [sp, #HOST_FPCR]
	msr	fpcr, x1
	ldp	d8, d9, [sp, #HOST_D8 + 0]
	ldp	d10, d11, [sp, #HOST_D8 + 16]
	ldp	d12, d13, [sp, #HOST_D8 + 32]
	ldp	d14, d15, [sp, #HOST_D8 + 48]
	ldp	x19, x20, [sp, #HOST_X19 + 0]
	ldp	x21, x22, [sp, #HOST_X19 + 16]
	ldp	x23, x24, [sp, #HOST_X19 + 32]
	ldp	x25, x26, [sp, #HOST_X19 + 48]
	ldp	x27, x28, [sp, #HOST_X19 + 64]
	ldp	x29, x30, [sp, #HOST_X19 + 80]
	add	sp, sp, #HOST_FRAME
	ret
