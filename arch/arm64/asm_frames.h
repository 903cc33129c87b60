/* SPDX-License-Identifier: MIT */
/*
 * Register frames for assembly (vectors.S, guest_entry.S, thread.S): the
 * same pair-wise save and restore sequences, written once.  @op is stp
 * or ldp; @base and @off place the frame.  Each frame lays its registers
 * out in order, two per 16 bytes (the x registers at 8 * n, as
 * struct exc_frame and struct arch_vcpu both have them).
 */
#ifndef ARM64_ASM_FRAMES_H
#define ARM64_ASM_FRAMES_H

#ifdef __ASSEMBLER__
/* gas macros, not C: clang-format would break them. */
/* clang-format off */

	/* x2-x29 at @base + 16 .. + 232: x0/x1 and x30 differ per caller. */
	.macro	frame_x2_x29, op, base
	\op	x2, x3, [\base, #16]
	\op	x4, x5, [\base, #32]
	\op	x6, x7, [\base, #48]
	\op	x8, x9, [\base, #64]
	\op	x10, x11, [\base, #80]
	\op	x12, x13, [\base, #96]
	\op	x14, x15, [\base, #112]
	\op	x16, x17, [\base, #128]
	\op	x18, x19, [\base, #144]
	\op	x20, x21, [\base, #160]
	\op	x22, x23, [\base, #176]
	\op	x24, x25, [\base, #192]
	\op	x26, x27, [\base, #208]
	\op	x28, x29, [\base, #224]
	.endm

	/* q0-q31 at @base + @off, 512 bytes. */
	.macro	frame_q0_q31, op, base, off
	\op	q0, q1, [\base, #\off + 0]
	\op	q2, q3, [\base, #\off + 32]
	\op	q4, q5, [\base, #\off + 64]
	\op	q6, q7, [\base, #\off + 96]
	\op	q8, q9, [\base, #\off + 128]
	\op	q10, q11, [\base, #\off + 160]
	\op	q12, q13, [\base, #\off + 192]
	\op	q14, q15, [\base, #\off + 224]
	\op	q16, q17, [\base, #\off + 256]
	\op	q18, q19, [\base, #\off + 288]
	\op	q20, q21, [\base, #\off + 320]
	\op	q22, q23, [\base, #\off + 352]
	\op	q24, q25, [\base, #\off + 384]
	\op	q26, q27, [\base, #\off + 416]
	\op	q28, q29, [\base, #\off + 448]
	\op	q30, q31, [\base, #\off + 480]
	.endm

	/* AAPCS64's callee-saved general registers x19-x30 at @base + @off, 96 bytes. */
	.macro	frame_x19_x30, op, base, off
	\op	x19, x20, [\base, #\off + 0]
	\op	x21, x22, [\base, #\off + 16]
	\op	x23, x24, [\base, #\off + 32]
	\op	x25, x26, [\base, #\off + 48]
	\op	x27, x28, [\base, #\off + 64]
	\op	x29, x30, [\base, #\off + 80]
	.endm

	/* AAPCS64's callee-saved FP registers d8-d15 at @base + @off, 64 bytes. */
	.macro	frame_d8_d15, op, base, off
	\op	d8, d9, [\base, #\off + 0]
	\op	d10, d11, [\base, #\off + 16]
	\op	d12, d13, [\base, #\off + 32]
	\op	d14, d15, [\base, #\off + 48]
	.endm

/* clang-format on */
#endif /* __ASSEMBLER__ */
#endif
