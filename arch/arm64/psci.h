/* SPDX-License-Identifier: MIT */
/*
 * PSCI (Arm DEN 0022, "Arm Power State Coordination Interface") calls the
 * hypervisor makes as a client of the firmware -- under QEMU virt with
 * virtualization=on that is QEMU itself, reached with SMC.  Function IDs are
 * the SMC64 (0xC4...) / SMC32 (0x84...) encodings of PSCI 0.2 and later
 * (DEN 0022 section 5.1, "Function prototypes").
 */
#ifndef ARCH_ARM64_PSCI_H
#define ARCH_ARM64_PSCI_H

#define PSCI_0_2_FN_PSCI_VERSION    0x84000000
#define PSCI_0_2_FN_CPU_OFF	    0x84000002
#define PSCI_0_2_FN64_CPU_ON	    0xc4000003
#define PSCI_0_2_FN64_AFFINITY_INFO 0xc4000004
#define PSCI_0_2_FN_SYSTEM_OFF	    0x84000008
#define PSCI_0_2_FN_SYSTEM_RESET    0x84000009

/* Return codes (DEN 0022 section 5.2.2). */
#define PSCI_SUCCESS		0
#define PSCI_NOT_SUPPORTED	-1
#define PSCI_INVALID_PARAMETERS -2
#define PSCI_DENIED		-3
#define PSCI_ALREADY_ON		-4
#define PSCI_ON_PENDING		-5
#define PSCI_INTERNAL_FAILURE	-6
#define PSCI_NOT_PRESENT	-7
#define PSCI_DISABLED		-8
#define PSCI_INVALID_ADDRESS	-9

#ifndef __ASSEMBLER__

#include "mmu/types.h"

enum psci_conduit {
	PSCI_CONDUIT_NONE,
	PSCI_CONDUIT_SMC,
	PSCI_CONDUIT_HVC,
};

void psci_set_conduit(enum psci_conduit c);
enum psci_conduit psci_get_conduit(void);
/* Returns the PSCI version word (major << 16 | minor), or a negative error. */
s64 psci_version(void);
/* Start CPU @mpidr at physical @entry with x0 = @context; PSCI_* return code. */
s64 psci_cpu_on(u64 mpidr, u64 entry, u64 context);
/* Power the machine off (QEMU exits).  Only returns if the firmware refuses. */
void psci_system_off(void);
const char *psci_strerror(s64 ret);

#endif /* !__ASSEMBLER__ */

#endif
