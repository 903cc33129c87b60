/* SPDX-License-Identifier: MIT */
/*
 * First instructions of an x86-64 guest payload.
 *
 * Every vCPU enters _start (GPA 0x40080000, the ELF entry) in 32-bit flat
 * protected mode with paging off and EDI = its index (entry_x86_64.h): the
 * first vCPU with 0, the others with the context the runtime passed to the
 * power call, which is their index.  Each turns on long mode with the
 * static identity map below (Intel SDM vol. 3A, 9.8.5 "Initializing IA-32e
 * Mode"; AMD APM vol. 2, 14.6 "Enabling and Activating Long Mode"), SSE,
 * its own stack, and calls runtime_start (vCPU 0, after clearing .bss) or
 * runtime_secondary(index).
 *
 * Exceptions: every vCPU loads the runtime's IDT (abort_x86_64.c) before
 * it calls into C; an exception before that (in this file) is a triple
 * fault, which the hypervisor reports (SHUTDOWN intercept).
 */
#include "entry_x86_64.h"
#include "layout.h"

#define CR0_MP (1 << 1)
#define CR0_EM (1 << 2)
#define CR0_WP (1 << 16)
#define CR0_PG 0x80000000
#define CR4_PAE (1 << 5)
#define CR4_OSFXSR (1 << 9)
#define CR4_OSXMMEXCPT (1 << 10)
#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)

#define PTE_P 0x1
#define PTE_RW 0x2
#define PTE_PS 0x80		/* 1 GiB page in a PDPTE */
#define PDPT_1G(gib) (((gib) << 30) | PTE_P | PTE_RW | PTE_PS)

	.section .text.start, "ax"
	.code32
	.global _start
_start:
	cli
	lgdt	gdt_desc
	mov	$guest_pml4, %eax
	mov	%eax, %cr3
	mov	%cr4, %eax
	or	$(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
	mov	%eax, %cr4
	mov	$MSR_EFER, %ecx
	rdmsr				/* keeps SVME, which the hypervisor needs set */
	or	$EFER_LME, %eax
	wrmsr
	mov	%cr0, %eax
	and	$~CR0_EM, %eax
	or	$(CR0_PG | CR0_WP | CR0_MP), %eax
	mov	%eax, %cr0
	ljmp	$GUEST_ENTRY_CS, $start64

	.code64
start64:
	mov	$GUEST_ENTRY_DS, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	mov	%eax, %fs
	mov	%eax, %gs
	mov	%edi, %edi		/* bits 63:32 are undefined after the mode switch */
	cmp	$GUEST_MAX_CPUS, %rdi
	jae	2f			/* not an index we passed: stay put */
	/* rsp = top of vCPU rdi's stack: arch_cpu_index() finds the index from rsp. */
	lea	1(%rdi), %rax
	imul	$GUEST_STACK_SIZE, %rax
	lea	guest_stacks(%rip), %rsp
	add	%rax, %rsp
	xor	%ebp, %ebp		/* end of the frame chain */
	mov	%rdi, %rbx		/* callee-saved across the calls below */
	test	%rdi, %rdi
	jnz	1f
	lea	__bss_start(%rip), %rdi
	lea	__bss_end(%rip), %rcx
	sub	%rdi, %rcx
	xor	%eax, %eax
	rep stosb
	call	x86_exceptions_init	/* abort_x86_64.c: the IDT lives in .bss */
	call	runtime_start
	jmp	2f
1:	call	x86_exceptions_init
	mov	%rbx, %rdi
	call	runtime_secondary
2:	hlt
	jmp	2b

/*
 * GDT: null, 64-bit code (GUEST_ENTRY_CS), data (GUEST_ENTRY_DS); the same
 * selectors as the entry state, so the segment registers stay meaningful.
 */
	.section .rodata
	.balign	16
gdt:
	.quad	0
	.quad	0x00af9a000000ffff	/* present, DPL 0, execute/read, L = 1, G = 1 */
	.quad	0x00cf92000000ffff	/* present, DPL 0, read/write, D/B = 1, G = 1 */
gdt_end:
gdt_desc:
	.word	gdt_end - gdt - 1
	.quad	gdt

/*
 * The identity map, one PDPT of 1 GiB pages (as arm64's level 1 table):
 *   GiB 0   0x00000000   device window (a console UART at 0x09000000, the
 *                        hostile payload's 0x20000000 probe)
 *   GiB 1   0x40000000   RAM (512 MiB) and the unbacked space above it
 *   GiB 4   0x100000000  no RAM: probes reach the hypervisor's #NPF
 *   GiB 8   0x200000000  the probe window (guest_map_window(), arch_x86_64.c)
 * Static data: the hypervisor's loader writes it, the guest never before
 * paging is on.
 */
	.section .data.pgtable, "aw"
	.balign	4096
	.global guest_pml4
guest_pml4:
	.quad	guest_pdpt + PTE_P + PTE_RW
	.fill	511, 8, 0
	.global guest_pdpt
guest_pdpt:
	.quad	PDPT_1G(0)
	.quad	PDPT_1G(1)
	.quad	0, 0
	.quad	PDPT_1G(4)
	.fill	512 - 5, 8, 0

/* Per-vCPU stacks: not zeroed, not in the file (section .stacks, NOLOAD). */
	.section .stacks, "aw", @nobits
	.balign	16
	.global guest_stacks
guest_stacks:
	.skip	GUEST_MAX_CPUS * GUEST_STACK_SIZE
