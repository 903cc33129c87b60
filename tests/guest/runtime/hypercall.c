// SPDX-License-Identifier: MIT
/*
 * The hypercalls of kvm/hypercall_abi.h as C functions.  The runtime keeps
 * an identity map, so a pointer is the guest-physical address the ABI
 * wants.
 */
#include "arch.h"
#include "guest.h"

long hc_call(unsigned long id, unsigned long a1, unsigned long a2, unsigned long a3,
	     unsigned long a4, unsigned long a5)
{
	return arch_hcall(id, a1, a2, a3, a4, a5);
}

long hc_console_write(const void *buf, size_t len)
{
	return arch_hcall(HC_CONSOLE_WRITE, (uintptr_t)buf, len, 0, 0, 0);
}

long hc_report(const char *name, bool ok)
{
	return arch_hcall(HC_REPORT, (uintptr_t)name, ok ? 1 : 0, 0, 0, 0);
}

void hc_exit(long status)
{
	arch_hcall(HC_EXIT, status, 0, 0, 0, 0);
	arch_halt(); /* HC_EXIT does not return; if it does, stay put */
}

long hc_give_back(uintptr_t gpa, size_t size)
{
	return arch_hcall(HC_GIVE_BACK, gpa, size, 0, 0, 0);
}

uint64_t hc_time_ns(void)
{
	return arch_hcall(HC_TIME_NS, 0, 0, 0, 0, 0);
}

long hc_vcpu_info(unsigned long which)
{
	return arch_hcall(HC_VCPU_INFO, which, 0, 0, 0, 0);
}
