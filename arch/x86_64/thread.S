/* SPDX-License-Identifier: MIT */
/*
 * Hypervisor threads (kvm/arch/cpu.h): a switch saves what the System V
 * ABI says a callee preserves and loads another thread's; the first run
 * of a new thread.
 */
#include "arch_vcpu.h"

	.text
/*
 * void arch_thread_switch(struct arch_thread *from, struct arch_thread *to)
 * The System V ABI's callee-saved registers go on the old stack, the stack
 * pointer into @from; @to's stack gives its own back.  Interrupts are off
 * (kvm/arch/cpu.h), so nothing runs on either stack meanwhile.
 */
	.global arch_thread_switch
	.type	arch_thread_switch, @function
arch_thread_switch:
	push	%rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%rsp, THREAD_RSP(%rdi)
	mov	THREAD_RSP(%rsi), %rsp
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	ret
	.size	arch_thread_switch, . - arch_thread_switch

/*
 * A new thread's first return from arch_thread_switch lands here with
 * rbx = fn, r12 = arg (arch_thread_init): interrupts on, fn(arg) on an
 * ABI-aligned stack.  fn must not return; if it does, say so and stop.
 */
	.global arch_thread_start
	.type	arch_thread_start, @function
arch_thread_start:
	sti
	and	$-16, %rsp
	mov	%r12, %rdi
	call	*%rbx
	call	arch_thread_returned
1:	cli
	hlt
	jmp	1b
	.size	arch_thread_start, . - arch_thread_start
