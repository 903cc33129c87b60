/* SPDX-License-Identifier: MIT */
/*
 * PSCI from an arm64 guest (Arm DEN 0022, "Power State Coordination
 * Interface"): calls over HVC #0; function IDs and return codes are in
 * psci.h.  The same conduit reaches QEMU's own PSCI when there is no EL2
 * (bare smoke runs).
 */
#ifndef GUEST_PSCI_ARM64_H
#define GUEST_PSCI_ARM64_H

#include <stdint.h>

#include "psci.h"

/*
 * HVC #0 with x0..x5 in and x0 out.  SMCCC 1.0 lets the callee clobber
 * x4-x17 (1.1 preserves them): say so to the compiler, it costs nothing.
 */
static inline long arm64_hvc(unsigned long id, unsigned long a1, unsigned long a2, unsigned long a3,
			     unsigned long a4, unsigned long a5)
{
	register unsigned long x0 __asm__("x0") = id;
	register unsigned long x1 __asm__("x1") = a1;
	register unsigned long x2 __asm__("x2") = a2;
	register unsigned long x3 __asm__("x3") = a3;
	register unsigned long x4 __asm__("x4") = a4;
	register unsigned long x5 __asm__("x5") = a5;

	__asm__ volatile("hvc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5)
			 :
			 : "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16",
			   "x17", "memory");
	return (long)x0;
}

/* The MPIDR affinity of vCPU cpu: Aff0 = index (the hypervisor's and QEMU virt's). */
static inline unsigned long psci_mpidr(unsigned int cpu)
{
	return cpu;
}

long psci_version(void);
long psci_cpu_on(unsigned long mpidr, uintptr_t entry, unsigned long context);
long psci_affinity_info(unsigned long mpidr);
long psci_cpu_off(void);
long psci_system_off(void);

#endif
