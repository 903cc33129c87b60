/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor image's first bytes and its 64-bit entry points.
 *
 * The image header (boot/x86_64/handoff.h) tells the UEFI stub where the
 * image is linked, how much to copy and reserve, and where to jump.  The
 * stub calls x86_entry in 64-bit mode on UEFI's identity map (UEFI 2.10,
 * 2.3.4 "x64 Platforms"), interrupts off, %rdi = struct x86_handoff.
 * Everything else (GDT, IDT, page tables) is still the firmware's until
 * boot_main() replaces it.
 *
 * The other CPUs arrive at x86_secondary_entry from the AP trampoline
 * (trampoline.S) in 64-bit mode on our page tables, with their stack in
 * %rsp and their logical number in %edi.
 */
#include "boot/x86_64/handoff.h"
#include "platform.h"

	.section .head.text, "ax"
	.globl _image_header
_image_header:
	.quad	X86_IMAGE_MAGIC
	.quad	X86_IMAGE_VERSION
	.quad	_image_start
	.quad	_image_load_size
	.quad	_image_size
	.quad	x86_entry

	.code64
	.globl x86_entry
x86_entry:
	cli
	cld
	mov	%rdi, %r12			/* the handoff, callee-saved */

	/* .bss is not in the file: zero it (the stub copied load_size bytes only). */
	mov	$__bss_start, %edi
	mov	$__bss_end, %ecx
	sub	%rdi, %rcx
	xor	%eax, %eax
	rep stosb

	/*
	 * CPU 0's stack; stacks grow down from the top of their slot.  The
	 * System V ABI wants %rsp 16-byte aligned at a call (then the callee
	 * sees it 8 off): the slot tops are page aligned.
	 */
	mov	$hyp_stacks + HYP_STACK_SIZE, %esp
	xor	%ebp, %ebp
	mov	%r12, %rdi
	call	boot_main
1:	hlt
	jmp	1b

	.globl x86_secondary_entry
x86_secondary_entry:
	cld
	xor	%ebp, %ebp
	call	secondary_main
1:	hlt
	jmp	1b

	/*
	 * Stacks are NOLOAD (not in the file, not zeroed): one per CPU, and
	 * the TSS interrupt stacks (IST) for #DF, NMI and #MC, which must
	 * work even when the ordinary stack is what broke.
	 */
	.section .stacks, "aw", @nobits
	.balign 4096
	.globl hyp_stacks, hyp_ist_stacks
hyp_stacks:
	.skip	MAX_CPUS * HYP_STACK_SIZE
hyp_ist_stacks:
	.skip	MAX_CPUS * HYP_NR_IST * HYP_IST_SIZE

	.section .note.GNU-stack, "", @progbits
