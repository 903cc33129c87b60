/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor image (hyp.bin, the loadable bytes of hyp.elf) inside the
 * UEFI stub.  The build names the file: -DHYP_PAYLOAD='"build/x86_64/hyp.bin"'.
 */
	.section .rodata.hyp_payload, "a"
	.balign 4096
	.globl hyp_payload, hyp_payload_end
hyp_payload:
	.incbin	HYP_PAYLOAD
hyp_payload_end:

	.section .note.GNU-stack, "", @progbits
