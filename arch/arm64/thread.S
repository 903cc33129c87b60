/* SPDX-License-Identifier: MIT */
/*
 * Hypervisor threads (kvm/arch/cpu.h): a switch saves what AAPCS64 says a
 * callee preserves -- x19-x30, sp, d8-d15 -- and loads another thread's.
 * Everything else is the caller's to lose across a call anyway.
 */
#include "arch/arm64/arch_vcpu.h"
#include "arch/arm64/asm_frames.h"

	.text
/* void arch_thread_switch(struct arch_thread *from, struct arch_thread *to) */
	.global arch_thread_switch
	.type	arch_thread_switch, %function
arch_thread_switch:
	frame_x19_x30 stp, x0, THREAD_X19
	mov	x2, sp
	str	x2, [x0, #THREAD_SP]
	frame_d8_d15 stp, x0, THREAD_D8

	frame_x19_x30 ldp, x1, THREAD_X19
	ldr	x2, [x1, #THREAD_SP]
	mov	sp, x2
	frame_d8_d15 ldp, x1, THREAD_D8
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
