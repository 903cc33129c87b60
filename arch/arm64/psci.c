// SPDX-License-Identifier: MIT
/*
 * PSCI client: the hypervisor asks the firmware (QEMU) to start CPUs and to
 * power off.  Calls follow the SMC Calling Convention (Arm DEN 0028): function
 * ID in x0, arguments in x1-x3, result in x0; x4-x17 may be clobbered
 * (SMCCC v1.0 leaves them unpredictable).
 */
#include "psci.h"
#include "platform.h"

static enum psci_conduit conduit = PSCI_CONDUIT_SMC;

void psci_set_conduit(enum psci_conduit c)
{
	conduit = c;
}

enum psci_conduit psci_get_conduit(void)
{
	return conduit;
}

#define PSCI_CLOBBERS                                                                        \
	"x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16", \
		"x17", "memory"

static s64 psci_call(u64 fn, u64 a1, u64 a2, u64 a3)
{
	register u64 x0 __asm__("x0") = fn;
	register u64 x1 __asm__("x1") = a1;
	register u64 x2 __asm__("x2") = a2;
	register u64 x3 __asm__("x3") = a3;

	if (conduit == PSCI_CONDUIT_SMC)
		__asm__ volatile("smc #0"
				 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
				 :
				 : PSCI_CLOBBERS);
	else if (conduit == PSCI_CONDUIT_HVC)
		__asm__ volatile("hvc #0"
				 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
				 :
				 : PSCI_CLOBBERS);
	else
		return PSCI_NOT_SUPPORTED;
	/* PSCI returns a 32-bit signed value (DEN 0022 section 5.2.2). */
	return (int32_t)x0;
}

s64 psci_version(void)
{
	return psci_call(PSCI_0_2_FN_PSCI_VERSION, 0, 0, 0);
}

s64 psci_cpu_on(u64 mpidr, u64 entry, u64 context)
{
	return psci_call(PSCI_0_2_FN64_CPU_ON, mpidr, entry, context);
}

void arch_power_off(void)
{
	psci_system_off();
	arch_cpu_stop();
}

void psci_system_off(void)
{
	psci_call(PSCI_0_2_FN_SYSTEM_OFF, 0, 0, 0);
}

const char *psci_strerror(s64 ret)
{
	switch (ret) {
	case PSCI_SUCCESS:
		return "success";
	case PSCI_NOT_SUPPORTED:
		return "not supported";
	case PSCI_INVALID_PARAMETERS:
		return "invalid parameters";
	case PSCI_DENIED:
		return "denied";
	case PSCI_ALREADY_ON:
		return "already on";
	case PSCI_ON_PENDING:
		return "on pending";
	case PSCI_INTERNAL_FAILURE:
		return "internal failure";
	case PSCI_NOT_PRESENT:
		return "not present";
	case PSCI_DISABLED:
		return "disabled";
	case PSCI_INVALID_ADDRESS:
		return "invalid address";
	default:
		return "unknown error";
	}
}
