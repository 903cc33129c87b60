// SPDX-License-Identifier: MIT
/*
 * The x86-64 half of the guest runtime (arch.h, and the probe window of
 * guest.h): VMMCALL, vCPU power calls, the vCPU index.  Exceptions and
 * expected aborts: abort_x86_64.c.
 *
 * vCPU power: the hypervisor serves the PSCI function IDs (Arm DEN 0022)
 * over VMMCALL on x86 too -- they are its vCPU power calls, whatever the
 * architecture -- and enters a started vCPU as it entered the first
 * (entry_x86_64.h) with EDI = the context, here the vCPU index.
 */
#include "arch.h"
#include "guest.h"
#include "psci.h"

extern char _start[];
extern char guest_stacks[];
extern uint64_t guest_pdpt[512];

/* kvm/hypercall_abi.h: rax = ID, rbx, rcx, rdx, rsi, rdi = arguments, result in rax. */
long arch_hcall(unsigned long id, unsigned long a1, unsigned long a2, unsigned long a3,
		unsigned long a4, unsigned long a5)
{
	long ret;

	__asm__ volatile("vmmcall"
			 : "=a"(ret)
			 : "a"(id), "b"(a1), "c"(a2), "d"(a3), "S"(a4), "D"(a5)
			 : "memory");
	return ret;
}

/* Each vCPU runs on its own stack in guest_stacks (start_x86_64.S): no exit, no per-CPU register. */
unsigned int arch_cpu_index(void)
{
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);

	return (sp - (uintptr_t)guest_stacks) / GUEST_STACK_SIZE;
}

/* A vCPU started by CPU_ON enters at the ELF entry, as the first did (start_x86_64.S). */
uintptr_t guest_cpu_entry(void)
{
	return (uintptr_t)_start;
}

int arch_cpu_on(unsigned int cpu)
{
	return arch_hcall(PSCI_CPU_ON64, cpu, (uintptr_t)_start, cpu, 0, 0);
}

int arch_cpu_is_off(unsigned int cpu)
{
	long r = arch_hcall(PSCI_AFFINITY_INFO64, cpu, 0, 0, 0, 0);

	if (r < 0)
		return r;
	return r == PSCI_AFF_OFF;
}

void arch_cpu_off(void)
{
	arch_hcall(PSCI_CPU_OFF, 0, 0, 0, 0, 0);
	arch_halt(); /* CPU_OFF only returns on failure */
}

void arch_halt(void)
{
	for (;;)
		__asm__ volatile("hlt");
}

void arch_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

/* ---- the probe window ------------------------------------------------------------------ */

#define WINDOW_SLOT 8
#define WINDOW_VA   ((uintptr_t)WINDOW_SLOT << 30)

/* MAXPHYADDR (CPUID Fn8000_0008 EAX[7:0]), capped at 48 like the hypervisor's NPT. */
unsigned int guest_pa_bits(void)
{
	unsigned int a, b, c, d;

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000008), "c"(0));
	a &= 0xff;
	return a > 48 ? 48 : a;
}

uintptr_t guest_map_window(uint64_t gpa)
{
	volatile uint64_t *slot = &guest_pdpt[WINDOW_SLOT];
	uint64_t base = gpa & ~((1ULL << 30) - 1);

	if (gpa >> guest_pa_bits())
		return 0;
	*slot = base | 0x83; /* P, RW, PS: a 1 GiB page */
	__asm__ volatile("invlpg (%0)" : : "r"(WINDOW_VA) : "memory");
	return WINDOW_VA + (gpa - base);
}
