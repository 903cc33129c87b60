/* SPDX-License-Identifier: MIT */
/*
 * Shared between the arch smoke test's C and its guest blob: the hypercall
 * IDs the guest uses to report each step.  Vendor-hypervisor SMCCC range
 * (kvm/hypercall_abi.h), well away from the real calls.
 */
#ifndef TESTS_ARCH_ARM64_SMOKE_H
#define TESTS_ARCH_ARM64_SMOKE_H

#define SMOKE_HC_HI 0xc600
#define SMOKE_HC_LO 0x1000
#define SMOKE_HC(n) ((SMOKE_HC_HI << 16) + SMOKE_HC_LO + (n))

#define HC_ARGS	      1 /* x1..x5 = 0x11, 0x22, 0x33, 0x44, cpu; result back */
#define HC_ECHO	      2 /* x1 = the result of HC_ARGS */
#define HC_SMC_ECHO   3 /* x1 = the SMC's result */
#define HC_MMIO_LOAD  4 /* x1 = what the emulated 64-bit load returned */
#define HC_MMIO_LDRSH 5 /* x1 = what the emulated ldrsh w9 returned */
#define HC_VECTOR     6 /* from VBAR_EL1 + 0x200: x1 ESR, x2 FAR, x3 ELR, x4 SPSR */
#define HC_WANT_UNDEF 7 /* inject an undefined instruction at the next pc */
#define HC_AFTER_WFI  8
#define HC_FP_LOADED  9	 /* v0..v31 hold the pattern: clobber ours */
#define HC_FP_CHECKED 10 /* x1 = mismatching halves */
#define HC_TLB_READ   11 /* x1 = first word of the TLB page */
#define HC_TLB_AGAIN  12 /* x1 = what the faulting re-read returned */
#define HC_TICK_DONE  13
#define HC_END	      14
#define HC_BAD_VECTOR 15 /* x1 = vector offset: an exception nobody expected */

#endif
