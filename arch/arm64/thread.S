/* SPDX-License-Identifier: MIT */
/*
 * Hypervisor threads (kvm/arch/cpu.h): a switch saves what AAPCS64 says a
 * callee preserves -- x19-x30, sp, d8-d15 -- and loads another thread's.
 * Everything else is the caller's to lose across a call anyway.
 */
#include "arch/arm64/arch_vcpu.h"

	.text
/* void arch_thread_switch(struct arch_thread *from, struct arch_thread *to) */
	.global arch_thread_switch
	.type	arch_thread_switch, %function
arch_thread_switch:
	stp	x19, x20, [x0, #THREAD_X19 + 0]
	stp	x21, x22, [x0, #THREAD_X19 + 16]
	stp	x23, x24, [x0, #THREAD_X19 + 32]
	stp	x25, x26, [x0, #THREAD_X19 + 48]
	stp	x27, x28, [x0, #THREAD_X19 + 64]
	stp	x29, x30, [x0, #THREAD_X19 + 80]
	mov	x2, sp
	str	x2, [x0, #THREAD_SP]
	stp	d8, d9, [x0, #THREAD_D8 + 0]
	stp	d10, d11, [x0, #THREAD_D8 + 16]
	stp	d12, d13, [x0, #THREAD_D8 + 32]
	stp	d14, d15, [x0, #THREAD_D8 + 48]

	ldp	x19, x20, [x1, #THREAD_X19 + 0]
	ldp	x21, x22, [x1, #THREAD_X19 + 16]
	ldp	x23, x24, [x1, #THREAD_X19 + 32]
	ldp	x25, x26, [x1, #THREAD_X19 + 48]
	ldp	x27, x28, [x1, #THREAD_X19 + 64]
	ldp	x29, x30, [x1, #THREAD_X19 + 80]
	ldr	x2, [x1, #THREAD_SP]
	mov	sp, x2
	ldp	d8, d9, [x1, #THREAD_D8 + 0]
	ldp	d10, d11, [x1, #THREAD_D8 + 16]
	ldp	d12, d13, [x1, #THREAD_D8 + 32]
	ldp	d14, d15, [x1, #THREAD_D8 + 48]
	ret
	.size	arch_thread_switch, . - arch_thread_switch

/*
 * A new thread's first "return" from arch_thread_switch lands here with
 * x19 = fn, x20 = arg (arch_thread_init): interrupts on, call fn(arg).
 * fn must not return; if it does, say so and stop this CPU.
 */
	.global arch_thread_start
	.type	arch_thread_start, %function
arch_thread_start:
	msr	daifclr, #2
	mov	x0, x20
	blr	x19
	bl	arch_thread_returned
1:	b	1b
	.size	arch_thread_start, . - arch_thread_start
