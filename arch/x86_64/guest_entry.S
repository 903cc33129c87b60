/* SPDX-License-Identifier: MIT */
/*
 * One guest entry under AMD SVM (AMD APM vol. 2, 15.5 "VMRUN Instruction",
 * 15.5.2 "VMSAVE and VMLOAD"); the thread switch is thread.S.
 *
 * VMRUN saves and reloads only part of the host (CS, SS, DS, ES, GDTR, IDTR,
 * the control registers, EFER, RFLAGS, RIP, RSP, RAX into VM_HSAVE_PA), and
 * loads only part of the guest.  The rest -- FS, GS (our per-CPU pointer is
 * GS base), TR, LDTR, KernelGSBase and the SYSCALL/SYSENTER MSRs -- is what
 * VMLOAD/VMSAVE move: the host's goes to a per-CPU page before the entry and
 * comes back right after the exit, before anything can read %gs.  The
 * general registers other than RAX and RSP are swapped here by hand, and the
 * x87/SSE state too (SVM switches none of it).
 *
 * Called with GIF clear (CLGI): the STI below only arms RFLAGS.IF, which
 * with V_INTR_MASKING decides whether a physical interrupt ends the guest
 * (it does: INTR is intercepted); nothing is delivered to the host before
 * the caller's STGI, so the #VMEXIT path runs without interruption.
 */
#include "arch_vcpu.h"

#define G(r) (VCPU_GPR + 8 * GPR_##r)

	.text
/*
 * Debug registers: DR6 and DR7 are in the VMCB, DR0-DR3 are not (debug.c
 * loads them before the call and saves them after).  The host's DR7 never
 * has a breakpoint enabled outside the few instructions between the two
 * labels below: real hardware arms the guest's breakpoints from the VMCB's
 * DR7 at VMRUN and disables them in the host's at #VMEXIT (APM vol. 2,
 * 15.5.1, 15.6), but QEMU up to 9.0 arms and disarms its breakpoints only
 * on a MOV to DR7 (VMRUN and #VMEXIT assign the register without it), so
 * a debugger's breakpoints must be armed by the host (@host_dr7, last act
 * before VMRUN) and, with the guest's own, disarmed by the host (first act
 * after #VMEXIT).  debug.c leaves out of @host_dr7 any breakpoint inside
 * that window, so none can match host code.
 *
 * The disarming write must differ from the DR7 value QEMU holds in bits
 * 31:8 (the host's, without R/W or LEN bits): an equal one changes only
 * the enables QEMU thinks have changed and keeps a breakpoint armed behind
 * its back; a different one removes all four (target/i386 bpt_helper.c
 * "cpu_x86_update_dr7").  R/W0 = 01 with L0/G0 clear is such a value, and
 * every breakpoint is disabled in it, so it is also right on hardware.
 */
#define DR7_RESET 0x400
#define DR7_DISARM (DR7_RESET | (1 << 16))

/* void svm_vmrun(struct arch_vcpu *v, u64 vmcb_pa, u64 host_vmcb_pa, u64 host_dr7) */
	.global svm_vmrun
	.type	svm_vmrun, @function
svm_vmrun:
	push	%rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	push	%rdi			/* v, for after the exit */
	push	%rdx			/* host_vmcb_pa */
	sti
	fxsave64 VCPU_HOST_FX(%rdi)
	fxrstor64 VCPU_GUEST_FX(%rdi)
	mov	%rdx, %rax
	vmsave	%rax			/* host FS, GS, TR, LDTR, MSRs */
	mov	%rsi, %rax		/* the guest's VMCB: RAX at VMRUN, and RAX again after it */
	test	%rcx, %rcx
	jz	1f
	mov	%rcx, %dr7
	.global svm_dr7_armed		/* host code with breakpoints armed: from here... */
svm_dr7_armed:
1:	mov	G(RBX)(%rdi), %rbx
	mov	G(RCX)(%rdi), %rcx
	mov	G(RDX)(%rdi), %rdx
	mov	G(RSI)(%rdi), %rsi
	mov	G(RBP)(%rdi), %rbp
	mov	G(R8) + 0(%rdi), %r8
	mov	G(R8) + 8(%rdi), %r9
	mov	G(R8) + 16(%rdi), %r10
	mov	G(R8) + 24(%rdi), %r11
	mov	G(R8) + 32(%rdi), %r12
	mov	G(R8) + 40(%rdi), %r13
	mov	G(R8) + 48(%rdi), %r14
	mov	G(R8) + 56(%rdi), %r15
	mov	G(RDI)(%rdi), %rdi
	vmload	%rax
	vmrun	%rax
	.global svm_vmrun_resume	/* where #VMEXIT resumes the host (vcpu.c checks for it) */
svm_vmrun_resume:
	push	%rax
	mov	$DR7_DISARM, %eax
	mov	%rax, %dr7
	.global svm_dr7_disarmed	/* ...up to here */
svm_dr7_disarmed:
	mov	$DR7_RESET, %eax
	mov	%rax, %dr7
	pop	%rax
	vmsave	%rax
	/* Host RSP and RAX are back (from VM_HSAVE_PA); every other register is the guest's. */
	push	%rdi
	mov	16(%rsp), %rdi		/* v */
	mov	%rbx, G(RBX)(%rdi)
	mov	%rcx, G(RCX)(%rdi)
	mov	%rdx, G(RDX)(%rdi)
	mov	%rsi, G(RSI)(%rdi)
	mov	%rbp, G(RBP)(%rdi)
	mov	%r8, G(R8) + 0(%rdi)
	mov	%r9, G(R8) + 8(%rdi)
	mov	%r10, G(R8) + 16(%rdi)
	mov	%r11, G(R8) + 24(%rdi)
	mov	%r12, G(R8) + 32(%rdi)
	mov	%r13, G(R8) + 40(%rdi)
	mov	%r14, G(R8) + 48(%rdi)
	mov	%r15, G(R8) + 56(%rdi)
	pop	%rax
	mov	%rax, G(RDI)(%rdi)
	pop	%rax			/* host_vmcb_pa */
	vmload	%rax			/* host GS base again: arch_cpu_id() works from here */
	pop	%rdi
	fxsave64 VCPU_GUEST_FX(%rdi)
	fxrstor64 VCPU_HOST_FX(%rdi)
	cli
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	ret
	.size	svm_vmrun, . - svm_vmrun
