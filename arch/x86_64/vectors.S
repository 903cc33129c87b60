/* SPDX-License-Identifier: MIT */
/*
 * Interrupt and exception entry: 256 stubs, 16 bytes apart, so that the IDT
 * (desc.c) points vector v at x86_vector_stubs + 16 * v.
 *
 * Each stub makes the frame uniform: the CPU pushes an error code for #DF,
 * #TS, #NP, #SS, #GP, #PF, #AC, #CP, #VC and #SX only (Intel SDM vol. 3A,
 * Table 6-1 "Protected-Mode Exceptions and Interrupts"; AMD APM vol. 2, 8.2),
 * the stub pushes a zero for every other vector, then the vector number.
 *
 * The common path saves the general registers (struct x86_frame, exception.h)
 * and the x87/SSE state (FXSAVE), so handlers and the tick hook may be
 * ordinary C that uses SSE, then calls x86_trap(frame) and returns with IRETQ.
 * In 64-bit mode the CPU aligns %rsp to 16 before pushing its frame (Intel
 * SDM vol. 3A, 6.14.2 "64-Bit Mode Stack Frame"): with the 22 words below the
 * FXSAVE area lands 16-byte aligned, as FXSAVE requires.
 */
	.section .text.vectors, "ax"
	.code64
	.balign 16
	.globl x86_vector_stubs
x86_vector_stubs:
vec = 0
	.rept 256
	.balign 16
	.if !(vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21 || vec == 29 || vec == 30)
	pushq	$0
	.endif
	pushq	$vec
	jmp	x86_trap_common
vec = vec + 1
	.endr

x86_trap_common:
	push	%rax
	push	%rbx
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%rbp
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%rsp, %r12			/* the frame; callee-saved across the call */
	sub	$512, %rsp
	fxsave64 (%rsp)
	cld					/* the ABI's direction flag on function entry */
	mov	%r12, %rdi
	call	x86_trap
	fxrstor64 (%rsp)
	mov	%r12, %rsp
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rbp
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rbx
	pop	%rax
	add	$16, %rsp			/* vector and error code */
	iretq

	.section .note.GNU-stack, "", @progbits
