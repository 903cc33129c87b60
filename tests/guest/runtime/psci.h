/* SPDX-License-Identifier: MIT */
/*
 * PSCI function IDs and return codes (Arm DEN 0022, "Power State
 * Coordination Interface").  Architecture-neutral: the hypervisor serves
 * them as its vCPU power calls on both architectures (kvm/platform/psci.c), over
 * HVC #0 on arm64 (psci_arm64.h) and VMMCALL on x86-64 (arch_x86_64.c).
 * The target of CPU_ON and AFFINITY_INFO is the vCPU index (MPIDR Aff0).
 */
#ifndef GUEST_PSCI_H
#define GUEST_PSCI_H

#define PSCI_VERSION	     0x84000000UL
#define PSCI_CPU_OFF	     0x84000002UL
#define PSCI_CPU_ON64	     0xC4000003UL
#define PSCI_AFFINITY_INFO64 0xC4000004UL
#define PSCI_SYSTEM_OFF	     0x84000008UL

#define PSCI_SUCCESS		0
#define PSCI_NOT_SUPPORTED	(-1)
#define PSCI_INVALID_PARAMETERS (-2)
#define PSCI_DENIED		(-3)
#define PSCI_ALREADY_ON		(-4)
#define PSCI_ON_PENDING		(-5)
#define PSCI_INTERNAL_FAILURE	(-6)
#define PSCI_INVALID_ADDRESS	(-9)

/* AFFINITY_INFO results. */
#define PSCI_AFF_ON	    0
#define PSCI_AFF_OFF	    1
#define PSCI_AFF_ON_PENDING 2

#endif
