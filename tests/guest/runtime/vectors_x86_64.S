/* SPDX-License-Identifier: MIT */
/*
 * The guest's exception entry points, vectors 0-31 (the architecture's
 * exceptions; the payloads take no interrupts).  The C half is
 * abort_x86_64.c.
 *
 * Every stub makes the frame look the same: the CPU pushes SS, RSP,
 * RFLAGS, CS, RIP and, for some vectors, an error code (Intel SDM vol. 3A,
 * 6.13 "Error Code"; AMD APM vol. 2, 8.4.2); the stub pushes a 0 where the
 * CPU pushed none, then the vector.  x86_exc_common saves the general
 * registers and the x87/SSE state (the handler is ordinary C, which may use
 * SSE registers the interrupted code was using), calls
 * x86_exception(frame) and returns with IRETQ to whatever RIP and RSP the
 * handler left in the frame.
 *
 * The payloads run at CPL 0 and are built with -mno-red-zone: in 64-bit
 * mode the CPU pushes the frame on the current stack, 16-byte aligned
 * (SDM 6.14.2 "64-Bit Mode Stack Frame"), so nothing below RSP is in use.
 */

	.section .text.vectors, "ax"
	.code64

/* Vectors whose exception pushes an error code: #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP. */
	.irp	v, 8, 10, 11, 12, 13, 14, 17, 21
	.balign	16
x86_exc_stub_\v:
	pushq	$\v
	jmp	x86_exc_common
	.endr

	.irp	v, 0, 1, 2, 3, 4, 5, 6, 7, 9, 15, 16, 18, 19, 20, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	.balign	16
x86_exc_stub_\v:
	pushq	$0
	pushq	$\v
	jmp	x86_exc_common
	.endr

x86_exc_common:
	/* struct x86_exc_frame (abort_x86_64.c), from the lowest address. */
	push	%rax
	push	%rcx
	push	%rdx
	push	%rbx
	push	%rbp
	push	%rsi
	push	%rdi
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%rsp, %rdi		/* the frame */
	mov	%rsp, %rbx		/* callee-saved: the frame again after the call */
	sub	$512, %rsp
	and	$~15, %rsp		/* FXSAVE needs 16-byte alignment, the call too */
	fxsave	(%rsp)
	cld				/* the ABI's direction flag on a call */
	call	x86_exception
	fxrstor	(%rsp)
	mov	%rbx, %rsp
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rdi
	pop	%rsi
	pop	%rbp
	pop	%rbx
	pop	%rdx
	pop	%rcx
	pop	%rax
	add	$16, %rsp		/* vector and error code */
	iretq

/* The stubs' addresses, for the IDT (abort_x86_64.c fills it). */
	.section .rodata
	.balign	8
	.global x86_exc_stubs
x86_exc_stubs:
	.irp	v, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	.quad	x86_exc_stub_\v
	.endr
	.irp	v, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	.quad	x86_exc_stub_\v
	.endr

	.section .note.GNU-stack, "", @progbits
