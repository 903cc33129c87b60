/* SPDX-License-Identifier: MIT */
/*
 * First instructions of an arm64 guest payload, and its EL1 vectors.
 *
 * The hypervisor enters _start (IPA 0x40080000, the ELF entry) at EL1h with
 * the MMU off and x0 = 0.  PSCI CPU_ON enters secondary_start with x0 = the
 * context ID, which the runtime sets to the vCPU index.
 *
 * Both turn on the EL1 MMU first, with the static identity map below, so
 * that no C code (and no newlib memset with DC ZVA, no unaligned memcpy, no
 * exclusive) ever runs on the Device memory that MMU-off accesses are.
 */
#include "layout.h"
#include "sysreg_arm64.h"

	.macro adr_l, reg, sym
	adrp	\reg, \sym
	add	\reg, \reg, :lo12:\sym
	.endm

	.macro mov_q, reg, val
	movz	\reg, #(((\val) >> 48) & 0xffff), lsl #48
	movk	\reg, #(((\val) >> 32) & 0xffff), lsl #32
	movk	\reg, #(((\val) >> 16) & 0xffff), lsl #16
	movk	\reg, #((\val) & 0xffff)
	.endm

	.section .text.start, "ax"
	.global _start
_start:
	msr	daifset, #0xf
	bl	cpu_setup
	mov	x0, #0
	bl	cpu_stack
	/* .bss after the MMU: cached stores, nothing to invalidate. */
	adr_l	x1, __bss_start
	adr_l	x2, __bss_end
1:	cmp	x1, x2
	b.hs	2f
	stp	xzr, xzr, [x1], #16
	b	1b
2:	bl	runtime_start
	b	.

	.global secondary_start
secondary_start:
	msr	daifset, #0xf
	mov	x19, x0
	cmp	x19, #GUEST_MAX_CPUS
	b.hs	3f				/* not a context we passed: stay put */
	bl	cpu_setup
	mov	x0, x19
	bl	cpu_stack
	mov	x0, x19
	bl	runtime_secondary
3:	wfe
	b	3b

/*
 * FP/SIMD on, vectors, MMU on with guest_l1_table.  Leaf, clobbers x0-x2.
 * The identity map makes the instruction after the SCTLR write the next one.
 */
cpu_setup:
	mov	x0, #CPACR_EL1_FPEN
	msr	cpacr_el1, x0
	adr_l	x0, guest_vectors
	msr	vbar_el1, x0
	mov_q	x0, MAIR_EL1_VAL
	msr	mair_el1, x0
	/* IPS = PARange, at most 0b101 (48 bits): 52 would need other formats. */
	mrs	x1, id_aa64mmfr0_el1
	and	x1, x1, #0xf
	mov	x2, #5
	cmp	x1, x2
	csel	x1, x1, x2, ls
	mov_q	x0, TCR_EL1_VAL
	bfi	x0, x1, #TCR_EL1_IPS_SHIFT, #3
	msr	tcr_el1, x0
	adr_l	x0, guest_l1_table
	msr	ttbr0_el1, x0
	isb
	tlbi	vmalle1
	dsb	nsh
	isb
	mov_q	x0, SCTLR_EL1_VAL
	msr	sctlr_el1, x0
	isb
	ic	iallu
	dsb	nsh
	isb
	ret

/* sp = top of vCPU x0's stack, TPIDR_EL1 = x0 (arch_cpu_index()).  Leaf. */
cpu_stack:
	msr	tpidr_el1, x0
	adr_l	x1, guest_stacks
	add	x0, x0, #1
	mov	x2, #GUEST_STACK_SIZE
	madd	x1, x0, x2, x1
	mov	sp, x1
	mov	x29, #0				/* end of the frame chain */
	ret

/*
 * The identity map, one level 1 table of 1 GiB blocks:
 *   GiB 0   0x00000000  Device-nGnRnE, execute-never (PL011 at 0x09000000;
 *                       also holds the hostile payload's 0x20000000 probe)
 *   GiB 1   0x40000000  Normal WB, executable: RAM (512 MiB) and the
 *                       unbacked IPA space just above it
 *   GiB 4   0x100000000 Normal WB, executable: no RAM, so that probes of
 *                       it reach stage 2 and are not stage 1 faults
 *   GiB 8   0x200000000 the probe window: guest_map_window() (mmu_arm64.c)
 *                       points it at any 1 GiB the stage 1 can output
 *   GiB 9   0x240000000 the EL0 alias of GiB 1: guest_el0_alias() maps it
 *   anything else: unmapped (a stage 1 translation fault, the guest's own)
 * Static data: the hypervisor's loader writes it, the MMU-off code never does.
 */
	.section .data.pgtable, "aw"
	.balign 4096
	.global guest_l1_table
guest_l1_table:
	.quad	PTE_DEVICE_BLOCK
	.quad	PTE_NORMAL_BLOCK | (1 << 30)
	.quad	0, 0
	.quad	PTE_NORMAL_BLOCK | (4 << 30)
	.fill	512 - 5, 8, 0

/*
 * EL1 vectors: every slot saves x0-x30, ELR and SPSR and calls
 * arch_exception(frame, slot), which may change ELR (to skip or return from
 * an expected abort) before we return.  Slot 4 = current EL with SP_EL1, sync.
 */
	.macro ventry, slot
	.balign	128
	sub	sp, sp, #EXC_FRAME_SIZE
	stp	x0, x1, [sp]
	mov	x1, #\slot
	b	exc_common
	.endm

	.text
	.balign	2048
guest_vectors:
	.irp	slot, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	ventry	\slot
	.endr

exc_common:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	mrs	x2, elr_el1
	mrs	x3, spsr_el1
	stp	x30, x2, [sp, #240]
	str	x3, [sp, #EXC_FRAME_SPSR]
	mov	x0, sp
	bl	arch_exception
	ldr	x3, [sp, #EXC_FRAME_SPSR]
	ldp	x30, x2, [sp, #240]
	msr	elr_el1, x2
	msr	spsr_el1, x3
	ldp	x0, x1, [sp]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	add	sp, sp, #EXC_FRAME_SIZE
	eret

/*
 * el0_enter(entry, sp, args): to EL0t at @entry with SP_EL0 = @sp and
 * x0..x5 = args[0..5], interrupts masked.  The callee-saved registers and
 * DAIF wait in a frame on the EL1 stack; SP_EL1 is not touched at EL0, so
 * when EL0's SVC #0 comes back through the vectors (their frame popped
 * again) arch_exception() sends it to el0_return at EL1h, with that same
 * stack pointer and x0 = EL0's x0, and el0_return unwinds the frame.
 */
	.text
	.global el0_enter
	.type	el0_enter, %function
el0_enter:
	stp	x29, x30, [sp, #-112]!
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	mrs	x9, daif
	str	x9, [sp, #96]
	msr	elr_el1, x0
	msr	sp_el0, x1
	mov	x9, #0x3c0			/* SPSR: EL0t, D, A, I, F masked */
	msr	spsr_el1, x9
	mov	x9, x2
	ldp	x0, x1, [x9]
	ldp	x2, x3, [x9, #16]
	ldp	x4, x5, [x9, #32]
	eret
	dsb	nsh
	isb

	.global el0_return
el0_return:
	ldr	x9, [sp, #96]
	msr	daif, x9
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #112
	ret
	.size	el0_enter, . - el0_enter

/* Per-vCPU stacks: not zeroed, not in the file (section .stacks, NOLOAD). */
	.section .stacks, "aw", %nobits
	.balign	16
	.global guest_stacks
guest_stacks:
	.skip	GUEST_MAX_CPUS * GUEST_STACK_SIZE
