/* SPDX-License-Identifier: MIT */
/*
 * How the x86-64 hypervisor enters a guest payload: the contract between
 * arch/x86_64/vcpu.c (arch_vcpu_reset) and start_x86_64.S.  Plain numbers:
 * assembly includes it.
 *
 * Every vCPU, the first and those started later with the vCPU power call
 * (PSCI CPU_ON's function ID over VMMCALL), starts at its entry point in
 * 32-bit protected mode, flat, paging off -- the state a multiboot loader
 * leaves -- so that the hypervisor writes nothing into guest memory and the
 * guest builds long mode from its own static page tables:
 *
 *   CS  = GUEST_ENTRY_CS, 32-bit code, base 0, limit 4 GiB
 *   DS, ES, SS, FS, GS = GUEST_ENTRY_DS, 32-bit data, base 0, limit 4 GiB
 *   CR0 = PE | ET | NE (paging, caches as the guest wants them: CD, NW 0)
 *   CR3 = CR4 = 0; EFER = SVME only (VMRUN refuses a guest without it,
 *         AMD APM vol. 2, 15.5.1): set LME by read-modify-write
 *   GDTR, IDTR: base 0, limit 0 (load your own before any exception)
 *   RFLAGS = 0x2 (interrupts off), RIP = the entry point
 *   EDI = the entry argument: the vCPU index for the first vCPU (0) and
 *         the context ID of the power call for the others
 *   everything else 0; x87/SSE: FCW 0x37f, MXCSR 0x1f80 (the reset values)
 *
 * The guest may write EFER (LME, NXE) and its control registers freely
 * (neither is intercepted); every other MSR access raises #GP; byte IN/OUT
 * on COM1 (0x3f8-0x3ff) reaches the emulated 16550 console, every other I/O
 * port access raises #GP(0); an access outside guest RAM raises #PF with
 * CR2 = the guest-physical address (guest.h, "Expected aborts"); CPUID
 * answers the host's values with SVM, XSAVE/AVX, MONITOR and the local APIC
 * hidden, and the hypervisor bit (leaf 1 ECX[31]) set.
 */
#ifndef GUEST_ENTRY_X86_64_H
#define GUEST_ENTRY_X86_64_H

#define GUEST_ENTRY_CS	0x08
#define GUEST_ENTRY_DS	0x10
#define GUEST_ENTRY_CR0 0x31 /* PE | ET | NE */

#endif
