// SPDX-License-Identifier: MIT
/*
 * Control-register and EFER writes the architecture refuses with #GP(0)
 * (Intel SDM vol. 3A 2.5, 4.1.1 and 2.2.1; AMD APM vol. 2 3.1.1, 14.7): a
 * reserved bit of CR0 or CR4, CR0.PG cleared in 64-bit mode, CR4.PAE
 * cleared in long mode, EFER.LME changed while paging is on, a reserved
 * EFER bit.  Each must fault and leave the register as it was.
 *
 * Run under the shadow MMU only (make test: the qemu64 run and "shadow"
 * VMs): there the hypervisor emulates these registers and must refuse what
 * a CPU refuses.  QEMU's TCG CPU, which runs them itself under nested
 * paging, checks none of these (it takes CR0 bit 32, clears PG in 64-bit
 * mode, drops reserved EFER bits silently), so this payload would fail
 * there for QEMU's sake, not ours.
 */
#if !defined(__x86_64__)
#error "cr_refuse is an x86-64 payload (GUEST_SKIP_arm64 in arch/arm64/arch.mk)"
#endif

#include <stdint.h>

#include "guest.h"

#define MSR_EFER 0xc0000080
#define EFER_LME (1ULL << 8)

static uint64_t read_cr0(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr0, %0" : "=r"(v) : : "memory");
	return v;
}

static uint64_t read_cr4(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr4, %0" : "=r"(v) : : "memory");
	return v;
}

static uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static bool gp_ok(bool seen, const struct guest_abort *a)
{
	return seen && a->vector == 13 && a->syndrome == 0;
}

void test_main(void)
{
	uint64_t cr0 = read_cr0(), cr4 = read_cr4(), efer = rdmsr(MSR_EFER);
	struct guest_abort a;
	bool seen;

	guest_expect_abort();
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0 | 1ULL << 32) : "memory");
	seen = guest_abort_seen(&a);
	check("cr0-reserved-high-bit-gp", gp_ok(seen, &a) && read_cr0() == cr0);

	guest_expect_abort();
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0 & ~0x80000000ULL) : "memory");
	seen = guest_abort_seen(&a);
	check("cr0-clear-pg-in-64-bit-mode-gp", gp_ok(seen, &a) && read_cr0() == cr0);

	guest_expect_abort();
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 & ~(1ULL << 5)) : "memory");
	seen = guest_abort_seen(&a);
	check("cr4-clear-pae-in-long-mode-gp", gp_ok(seen, &a) && read_cr4() == cr4);

	guest_expect_abort();
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | 1ULL << 40) : "memory");
	seen = guest_abort_seen(&a);
	check("cr4-reserved-high-bit-gp", gp_ok(seen, &a) && read_cr4() == cr4);

	/* VMXE (bit 13): CPUID never offers VMX, so the bit is reserved for this guest. */
	guest_expect_abort();
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | 1ULL << 13) : "memory");
	seen = guest_abort_seen(&a);
	check("cr4-unoffered-feature-bit-gp", gp_ok(seen, &a) && read_cr4() == cr4);

	guest_expect_abort();
	__asm__ volatile("wrmsr"
			 :
			 : "c"(MSR_EFER), "a"((uint32_t)(efer & ~EFER_LME)),
			   "d"((uint32_t)(efer >> 32))
			 : "memory");
	seen = guest_abort_seen(&a);
	check("efer-clear-lme-with-paging-gp", gp_ok(seen, &a) && rdmsr(MSR_EFER) == efer);

	guest_expect_abort();
	__asm__ volatile("wrmsr"
			 :
			 : "c"(MSR_EFER), "a"((uint32_t)efer),
			   "d"((uint32_t)(efer >> 32) | 1u << 31)
			 : "memory");
	seen = guest_abort_seen(&a);
	check("efer-reserved-bit-gp", gp_ok(seen, &a) && rdmsr(MSR_EFER) == efer);
}
