/* SPDX-License-Identifier: MIT */
/*
 * First instructions of the arm64 hypervisor.
 *
 * The image starts with a Linux arm64 Image header (Linux's
 * Documentation/arch/arm64/booting.rst describes the format), so QEMU's
 * -kernel and ordinary boot loaders load it at a 2 MiB aligned RAM address +
 * text_offset and jump to its first byte at EL2, MMU off, x0 = DTB.
 *
 * Boot CPU:  primary_entry   (from the loader)
 * Other CPUs: secondary_entry (from PSCI CPU_ON, x0 = logical CPU number)
 * Both: check EL2, put EL2 in a known state, turn on the EL2 stage 1 MMU with
 * an identity map (caches on: newlib's memcpy and every atomic need Normal
 * cacheable memory), take a per-CPU stack, install the vectors, call C.
 */
#include "arch/arm64/sysreg.h"
#include "arch/arm64/platform.h"
#include "arch/arm64/psci.h"

/* PC-relative address of a symbol (+-4 GiB), usable before the MMU is on. */
	.macro adr_l, reg, sym
	adrp	\reg, \sym
	add	\reg, \reg, :lo12:\sym
	.endm

/* Load a 64-bit constant without a literal pool. */
	.macro mov_q, reg, val
	movz	\reg, #(((\val) >> 48) & 0xffff), lsl #48
	movk	\reg, #(((\val) >> 32) & 0xffff), lsl #32
	movk	\reg, #(((\val) >> 16) & 0xffff), lsl #16
	movk	\reg, #((\val) & 0xffff)
	.endm

/*
 * Image header.  image_size covers .bss and the heap so a loader keeps the
 * DTB out of them; flags = 0b0010: little-endian, 4K pages, base close to
 * the start of DRAM.
 */
	.section .head.text, "ax"
	.global _start
_start:
	b	primary_entry			/* code0 */
	.long	0				/* code1 */
	.quad	HYP_TEXT_OFFSET			/* text_offset (linker script) */
	.quad	_image_size			/* image_size */
	.quad	0x2				/* flags */
	.quad	0				/* res2 */
	.quad	0				/* res3 */
	.quad	0				/* res4 */
	.ascii	"ARM\x64"			/* magic */
	.long	0				/* res5 (PE/COFF offset: none) */

	.text
primary_entry:
	mov	x19, x0				/* DTB, kept for boot_main */
	msr	daifset, #0xf
	mrs	x1, CurrentEL
	cmp	x1, #CURRENTEL_EL2
	b.ne	wrong_el
	/* The identity map assumes we run where we are linked. */
	adr	x1, _start
	ldr	x2, .Llink_start		/* a literal: MMU off, aligned, fine */
	cmp	x1, x2
	b.ne	wrong_place

	bl	el2_cpu_setup

	/* Zero .bss.  The MMU is off, so the stores go straight to memory. */
	adr_l	x1, __bss_start
	adr_l	x2, __bss_end
1:	cmp	x1, x2
	b.hs	2f
	stp	xzr, xzr, [x1], #16
	b	1b
2:
	mov	x0, x19
	bl	el2_build_idmap
	/*
	 * Discard any stale cache lines over .bss (zeroes and page tables were
	 * written around the cache), before the walker and C read it cached.
	 */
	adr_l	x0, __bss_start
	adr_l	x1, __bss_end
	bl	dcache_inval_range

	bl	el2_mmu_enable
	mov	x0, #0
	bl	el2_cpu_finish
	mov	x0, x19
	bl	boot_main
	b	cpu_halt

	.balign 8
.Llink_start:
	.quad	_start

/* PSCI CPU_ON lands here, MMU off, at EL2, x0 = logical CPU number. */
	.global secondary_entry
secondary_entry:
	mov	x19, x0
	msr	daifset, #0xf
	mrs	x1, CurrentEL
	cmp	x1, #CURRENTEL_EL2
	b.ne	wrong_el
	cmp	x19, #MAX_CPUS
	b.hs	bad_cpu_number
	bl	el2_cpu_setup
	bl	el2_mmu_enable			/* the boot CPU built the tables */
	mov	x0, x19
	bl	el2_cpu_finish
	mov	x0, x19
	bl	secondary_main
	b	cpu_halt

/*
 * Known EL2 state, MMU off.  Leaf, clobbers x0.
 */
el2_cpu_setup:
	/* Arm ARM HCR_EL2: RW only; E2H = TGE = 0 (non-VHE EL2), no traps yet. */
	mov_q	x0, HCR_EL2_BOOT
	msr	hcr_el2, x0
	/* Arm ARM CPTR_EL2: FP/SIMD not trapped (newlib uses it); SVE/SME trapped. */
	mov_q	x0, CPTR_EL2_BOOT
	msr	cptr_el2, x0
	/* Arm ARM SCTLR_EL2: whatever the loader left, MMU and caches off now. */
	mov_q	x0, SCTLR_EL2_MMU_OFF
	msr	sctlr_el2, x0
	msr	spsel, #1			/* run on SP_EL2 */
	isb
	ret

/*
 * table[addr >> 30] = Normal block for the GiB holding addr, unless that is
 * GiB 0 (MMIO on QEMU virt, the only platform we target) or beyond 512 GiB.
 */
	.macro map_ram_gib, table, addr, idx, tmp
	lsr	\idx, \addr, #EL2_L1_SHIFT
	cbz	\idx, 9f
	cmp	\idx, #(1 << (EL2_VA_BITS - EL2_L1_SHIFT))
	b.hs	9f
	mov	\tmp, #PTE_EL2_NORMAL_BLOCK
	orr	\tmp, \tmp, \idx, lsl #EL2_L1_SHIFT
	str	\tmp, [\table, \idx, lsl #3]
9:
	.endm

/*
 * The boot identity map, one level 1 table of 1 GiB blocks (39-bit VA):
 *   GiB 0 (MMIO on QEMU virt: GIC, PL011, ...)  Device-nGnRE, execute-never
 *   the GiB holding the image, the GiB holding the DTB (x0)  Normal WB
 * boot_main() adds the rest of RAM from the DTB (el2_map_normal()).
 * Leaf, MMU off, clobbers x0-x4.
 */
el2_build_idmap:
	adr_l	x1, el2_l1_table
	mov_q	x2, PTE_EL2_DEVICE_BLOCK
	str	x2, [x1]
	adr	x2, _start
	map_ram_gib x1, x2, x3, x4
	cbz	x0, 1f
	map_ram_gib x1, x0, x3, x4
1:	ret

/*
 * Turn on the EL2 stage 1 MMU with el2_l1_table.  Leaf, clobbers x0-x2.
 * The instruction after the SCTLR_EL2 write is fetched through the identity
 * map, so nothing moves.
 */
el2_mmu_enable:
	/* Nothing cached from the loader or firmware may survive. */
	tlbi	alle2
	dsb	ish
	isb
	mov_q	x0, MAIR_EL2_BOOT		/* Arm ARM MAIR_EL2 */
	msr	mair_el2, x0
	/* Arm ARM TCR_EL2.PS = ID_AA64MMFR0_EL1.PARange, at most 48 bits. */
	mrs	x1, id_aa64mmfr0_el1
	and	x1, x1, #0xf
	mov	x2, #PARANGE_48
	cmp	x1, x2
	csel	x1, x1, x2, ls
	mov_q	x0, TCR_EL2_BOOT
	bfi	x0, x1, #TCR_EL2_PS_SHIFT, #3
	msr	tcr_el2, x0
	adr_l	x0, el2_l1_table
	msr	ttbr0_el2, x0
	isb
	mov_q	x0, SCTLR_EL2_MMU_ON		/* Arm ARM SCTLR_EL2: M, C, I, SA */
	msr	sctlr_el2, x0
	isb
	ic	iallu				/* no stale instructions from MMU-off days */
	dsb	nsh
	isb
	ret

/*
 * Per-CPU state for logical CPU x0: stack, TPIDR_EL2 = CPU number (read by
 * arch_cpu_id()), exception vectors.  Clobbers x0-x3.
 */
el2_cpu_finish:
	adr_l	x1, el2_stacks
	add	x2, x0, #1
	lsl	x2, x2, #HYP_STACK_SHIFT
	add	x1, x1, x2
	mov	sp, x1
	mov	x29, #0				/* end of the frame chain */
	msr	tpidr_el2, x0
	adr_l	x1, el2_vectors
	msr	vbar_el2, x1
	isb
	ret

/* Invalidate data cache lines covering [x0, x1).  Clobbers x0-x3. */
dcache_inval_range:
	mrs	x3, ctr_el0
	ubfx	x3, x3, #16, #4			/* CTR_EL0.DminLine: log2(words) */
	mov	x2, #4
	lsl	x2, x2, x3
	sub	x3, x2, #1
	bic	x0, x0, x3
1:	cmp	x0, x1
	b.hs	2f
	dc	ivac, x0
	add	x0, x0, x2
	b	1b
2:	dsb	ish
	ret

/*
 * Boot failures before the console exists: say why on QEMU virt's PL011
 * (MMU off, so a plain physical store), then power off so a run ends at once
 * (qemu-run.sh reports a missing exit status) or, failing that, halt.
 */
wrong_el:
	adr	x0, msg_wrong_el
	bl	early_puts
	mrs	x1, CurrentEL
	mov_q	x0, PSCI_0_2_FN_SYSTEM_OFF
	cmp	x1, #0x4			/* EL1: QEMU's PSCI conduit is HVC */
	b.ne	cpu_halt
	hvc	#0
	b	cpu_halt

wrong_place:
	adr	x0, msg_wrong_place
	b	early_fail

bad_cpu_number:
	adr	x0, msg_bad_cpu
early_fail:
	bl	early_puts
	mov_q	x0, PSCI_0_2_FN_SYSTEM_OFF
	smc	#0
	/* fall through */
cpu_halt:
	msr	daifset, #0xf
1:	wfi
	b	1b

/* Print the NUL-terminated string at x0 on QEMU virt's PL011.  Clobbers x0-x3. */
early_puts:
	mov_q	x3, QEMU_VIRT_PL011
1:	ldrb	w1, [x0], #1
	cbz	w1, 3f
2:	ldr	w2, [x3, #0x18]			/* UARTFR */
	tbnz	w2, #5, 2b			/* TXFF: transmit FIFO full */
	str	w1, [x3]			/* UARTDR */
	b	1b
3:	ret

msg_wrong_el:
	.asciz	"hyp: not entered at EL2; run QEMU with -M virt,virtualization=on\r\n"
msg_wrong_place:
	.asciz	"hyp: loaded away from its link address (RAM base + text_offset)\r\n"
msg_bad_cpu:
	.asciz	"hyp: secondary_entry with a bad CPU number\r\n"

	.bss
	.balign	4096
	.global el2_l1_table
el2_l1_table:
	.skip	4096

/*
 * Per-CPU stacks, in their own section after .bss (linker script): CPU 0's
 * stack overflowing runs into ordinary .bss variables rather than into the
 * page tables above, and the canary at the bottom of each stack
 * (arch_stack_ok()) can tell.  Not zeroed.
 */
	.section .stacks, "aw", %nobits
	.balign	4096
	.global el2_stacks
el2_stacks:
	.skip	MAX_CPUS * HYP_STACK_SIZE
