/* SPDX-License-Identifier: MIT */
/*
 * AP start-up code.  arch/x86_64/smp.c copies [x86_trampoline_start,
 * x86_trampoline_end) to a page below 1 MiB (reserved by the UEFI stub),
 * fills the data block at TRAMPOLINE_DATA and sends INIT-SIPI-SIPI with
 * that page as the vector.  A STARTUP IPI starts the AP in real mode with
 * CS = vector << 8 and IP = 0 (Intel SDM vol. 3A, "MP Initialization
 * Protocol Algorithm"; AMD APM vol. 2, 16.5), so the code is position
 * independent: it finds its page from CS and patches its own GDT pointer and
 * far-jump targets.  APs are started one at a time, so one data block will do.
 *
 * Real mode -> 32-bit protected mode -> long mode, the documented sequence
 * (Intel SDM vol. 3A, "Initializing IA-32e Mode"; AMD APM vol. 2, 14.6
 * "Enabling and Activating Long Mode"): protected mode without paging,
 * CR4.PAE, CR3, EFER.LME, then CR0.PG; a far jump into a 64-bit code segment.
 * Then to x86_secondary_entry (entry.S), which is in the image.
 *
 * SSE is switched on here already (CR4.OSFXSR, CR0.EM clear, Intel SDM vol.
 * 3A "Initialization of the SSE Extensions"): an AP comes out of INIT with it
 * off and the compiler may use SSE in any C function.
 */
#include "platform.h"
#include "x86.h"

#define OFF(sym) ((sym) - x86_trampoline_start)

	.section .rodata.trampoline, "a"
	.balign 4096
	.globl x86_trampoline_start, x86_trampoline_end
	.code16
x86_trampoline_start:
	cli
	cld
	mov	%cs, %ax
	mov	%ax, %ds
	movzwl	%ax, %ebx
	shl	$4, %ebx			/* %ebx = this page's address, kept to the end */

	lea	OFF(tr_gdt)(%ebx), %eax
	movl	%eax, OFF(tr_gdtr) + 2
	lea	OFF(tr_pm)(%ebx), %eax
	movl	%eax, OFF(tr_pm_ptr)
	lea	OFF(tr_lm)(%ebx), %eax
	movl	%eax, OFF(tr_lm_ptr)

	lgdtl	OFF(tr_gdtr)
	mov	%cr0, %eax
	or	$CR0_PE, %eax
	mov	%eax, %cr0
	ljmpl	*OFF(tr_pm_ptr)

	.code32
tr_pm:
	mov	$0x10, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	mov	%ax, %fs
	mov	%ax, %gs

	mov	$(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
	mov	%eax, %cr4
	mov	TRAMPOLINE_DATA + TD_CR3(%ebx), %eax
	mov	%eax, %cr3
	mov	$MSR_EFER, %ecx
	rdmsr
	or	$EFER_LME, %eax
	wrmsr
	mov	%cr0, %eax
	and	$~(CR0_EM | CR0_TS), %eax
	or	$(CR0_PG | CR0_WP | CR0_NE | CR0_MP), %eax
	mov	%eax, %cr0
	ljmpl	*OFF(tr_lm_ptr)(%ebx)

	.code64
tr_lm:
	/* Upper halves of registers are undefined after the switch (Intel SDM vol. 1, 3.4.1.1). */
	mov	%ebx, %ebx
	fninit
	mov	TRAMPOLINE_DATA + TD_STACK(%rbx), %rsp
	mov	TRAMPOLINE_DATA + TD_CPU(%rbx), %edi
	mov	TRAMPOLINE_DATA + TD_ENTRY(%rbx), %rax
	jmp	*%rax

	/* Flat segments: 0x08 32-bit code, 0x10 data, 0x18 64-bit code. */
	.balign 16
tr_gdt:
	.quad	0
	.quad	0x00cf9a000000ffff
	.quad	0x00cf92000000ffff
	.quad	0x00af9a000000ffff
tr_gdtr:
	.word	4 * 8 - 1
	.long	0				/* base: patched */
	.balign 4
tr_pm_ptr:
	.long	0				/* offset: patched */
	.word	0x08
	.balign 4
tr_lm_ptr:
	.long	0				/* offset: patched */
	.word	0x18

	.org	x86_trampoline_start + TRAMPOLINE_DATA
	.skip	0x20				/* TD_*: filled by smp.c */
x86_trampoline_end:

	.section .note.GNU-stack, "", @progbits
