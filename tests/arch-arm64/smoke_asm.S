/* SPDX-License-Identifier: MIT */
/*
 * FP/SIMD probes for the arch smoke test: code the compiler cannot
 * interleave with, so the vector registers hold exactly what we put there.
 */
/* \m for each of the 32 vector registers (two lists: lines stay short). */
	.macro	for_each_v, m
	.irp	i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	\m	\i
	.endr
	.irp	i, 16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	\m	\i
	.endr
	.endm

	.text
/*
 * u64 smoke_fp_call(void (*fn)(void *), void *arg, u64 seed)
 * d8..d15 = seed + 8..15, call fn(arg), count the ones that changed.  AAPCS64
 * says a callee keeps d8-d15: a thread switch or a guest entry inside fn
 * must give them back.  The caller's own d8-d15 are saved and restored.
 */
	.global smoke_fp_call
	.type	smoke_fp_call, %function
smoke_fp_call:
	stp	x29, x30, [sp, #-112]!
	mov	x29, sp
	stp	d8, d9, [sp, #16]
	stp	d10, d11, [sp, #32]
	stp	d12, d13, [sp, #48]
	stp	d14, d15, [sp, #64]
	stp	x19, x20, [sp, #80]
	mov	x19, x2
	.irp	i, 8,9,10,11,12,13,14,15
	add	x3, x19, #\i
	fmov	d\i, x3
	.endr
	mov	x3, x0
	mov	x0, x1
	blr	x3
	mov	x20, #0
	.irp	i, 8,9,10,11,12,13,14,15
	add	x3, x19, #\i
	fmov	x4, d\i
	cmp	x3, x4
	cinc	x20, x20, ne
	.endr
	mov	x0, x20
	ldp	d8, d9, [sp, #16]
	ldp	d10, d11, [sp, #32]
	ldp	d12, d13, [sp, #48]
	ldp	d14, d15, [sp, #64]
	ldp	x19, x20, [sp, #80]
	ldp	x29, x30, [sp], #112
	ret
	.size	smoke_fp_call, . - smoke_fp_call

/*
 * u64 smoke_fp_irq(u64 seed, const u64 *word, u64 old)
 * Fill all 32 vector registers (both halves), spin until *word != old (an
 * interrupt handler changed it) or ~2^26 rounds pass, count the halves that
 * changed.  1000 is added on a timeout.  Interrupts must be enabled.
 */
	.global smoke_fp_irq
	.type	smoke_fp_irq, %function
smoke_fp_irq:
	sub	sp, sp, #64
	stp	d8, d9, [sp, #0]
	stp	d10, d11, [sp, #16]
	stp	d12, d13, [sp, #32]
	stp	d14, d15, [sp, #48]
	.macro	fill_v, n
	add	x3, x0, #\n
	mvn	x4, x3
	dup	v\n\().2d, x3
	mov	v\n\().d[1], x4
	.endm
	for_each_v fill_v
	mov	x6, #0
	movz	x5, #0x400, lsl #16
1:	ldr	x7, [x1]
	cmp	x7, x2
	b.ne	2f
	subs	x5, x5, #1
	b.ne	1b
	mov	x6, #1000
	.macro	check_v, n
	add	x3, x0, #\n
	mvn	x4, x3
	mov	x7, v\n\().d[0]
	cmp	x7, x3
	cinc	x6, x6, ne
	mov	x7, v\n\().d[1]
	cmp	x7, x4
	cinc	x6, x6, ne
	.endm
2:	for_each_v check_v
	ldp	d8, d9, [sp, #0]
	ldp	d10, d11, [sp, #16]
	ldp	d12, d13, [sp, #32]
	ldp	d14, d15, [sp, #48]
	add	sp, sp, #64
	mov	x0, x6
	ret
	.size	smoke_fp_irq, . - smoke_fp_irq

/* Overwrite every vector register: what any SIMD-using code might do. */
	.global smoke_fp_clobber
	.type	smoke_fp_clobber, %function
smoke_fp_clobber:
	.macro	step_3, n
	movi	v\n\().16b, #0xa5
	.endm
	for_each_v step_3
	ret
	.size	smoke_fp_clobber, . - smoke_fp_clobber
