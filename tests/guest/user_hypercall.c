// SPDX-License-Identifier: MIT
/*
 * The guest's user space must never reach the hypervisor: a hypercall (or
 * a firmware call) made by the guest's least privileged level is the
 * guest kernel's business.  Needs 2 vCPUs (vCPU 1 stays off: the target
 * of a power-on attempt).
 *
 * arm64: HVC and SMC at EL0 are UNDEFINED (Arm ARM C6 "HVC", "SMC": "at
 * EL0 ... UNDEFINED"), whatever HCR_EL2 says (TSC traps EL1's SMC only).
 * From EL0 (runtime/guest_el0_call(), an EL0 alias of RAM), each call must
 * be an undefined instruction exception taken to EL1 from EL0 (vector
 * "EL0/64 sync", ESR_EL1.EC 0, ELR_EL1 the HVC/SMC itself), x0 unchanged,
 * and nothing else happen:
 *   el0-hvc-exit        HC_EXIT: the VM goes on (every later case)
 *   el0-hvc-give-back   HC_GIVE_BACK of a patterned page: pattern intact
 *   el0-hvc-console     HC_CONSOLE_WRITE of "LEAKED FROM EL0": no line in
 *                       the log (only the log can show that; x0 unchanged)
 *   el0-hvc-cpu-on      PSCI CPU_ON64 of vCPU 1: it stays off
 *   el0-smc-exit, el0-smc-cpu-on   the same over SMC
 *   vm-alive            afterwards, from EL1: HC_CONSOLE_WRITE answers,
 *                       the page still holds its pattern, vCPU 1 is off
 * Bare (plain QEMU at EL1): the CPU's own UNDEFs, the same checks.
 */
#include <stdio.h>
#include <string.h>

#include "guest.h"
#include "psci.h"

#if defined(__aarch64__)

/* EL0 code: one call, then SVC #0 back to guest_el0_call()'s caller. */
__asm__(".text\n"
	".balign 4\n"
	".global el0_hvc\n"
	"el0_hvc:\n"
	"	hvc	#0\n"
	"	svc	#0\n"
	".global el0_smc\n"
	"el0_smc:\n"
	"	smc	#0\n"
	"	svc	#0\n");
extern char el0_hvc[], el0_smc[];

#define PATTERN 0x5a5aa5a5c3c33c3cULL
#define LEAK_TEXT "user_hypercall: LEAKED FROM EL0\n"

static uint64_t page[GUEST_PAGE_SIZE / 8] __attribute__((aligned(GUEST_PAGE_SIZE)));
static uint64_t el0_stack[64] __attribute__((aligned(16)));
static const char leak_text[] = LEAK_TEXT;

static bool pattern_intact(void)
{
	for (unsigned int i = 0; i < GUEST_PAGE_SIZE / 8; i++)
		if (page[i] != (PATTERN ^ i))
			return false;
	return true;
}

/*
 * @insn's code at EL0 with the given x0..x5: true if it was refused as the
 * architecture says (UNDEF from EL0 at the instruction, x0 unchanged).
 */
static bool el0_refused(const char *name, char *insn, uint64_t a0, uint64_t a1, uint64_t a2,
			uint64_t a3)
{
	const uint64_t args[6] = { a0, a1, a2, a3, 0, 0 };
	uintptr_t entry = guest_el0_alias((uintptr_t)insn);
	uintptr_t sp = guest_el0_alias((uintptr_t)&el0_stack[64]);
	struct guest_abort a;
	long ret;
	bool seen, ok;

	guest_expect_abort();
	ret = guest_el0_call(entry, sp, args);
	seen = guest_abort_seen(&a);
	ok = seen && a.kind == GUEST_ABORT_OTHER && a.vector == 8 && !a.current_el &&
	     (a.syndrome >> 26) == 0 && a.pc == entry && (uint64_t)ret == a0;
	if (!ok)
		printf("user_hypercall: %s: %s, vector %u, ESR %#llx, pc %#llx (entry %#lx), "
		       "x0 %#lx\n", name, seen ? "exception" : "no exception", a.vector,
		       (unsigned long long)a.syndrome, (unsigned long long)a.pc,
		       (unsigned long)entry, ret);
	return ok;
}

/* vCPU 1 is still off some time after the attempt (a started one would be on at once). */
static bool vcpu1_off(void)
{
	uint64_t t0 = hc_time_ns();

	while (hc_time_ns() - t0 < 20000000ULL)
		guest_cpu_relax();
	return guest_cpu_wait_off(1, 0) == 0;
}

void test_main(void)
{
	uintptr_t buf = (uintptr_t)leak_text;
	unsigned int i;

	if (!checkf(guest_cpu_count() >= 2, "%u-vcpus-at-least-2", guest_cpu_count()))
		return;
	for (i = 0; i < GUEST_PAGE_SIZE / 8; i++)
		page[i] = PATTERN ^ i;
	if (!checkf(guest_el0_alias((uintptr_t)el0_hvc) != 0, "el0-alias"))
		return;

	checkf(el0_refused("hvc exit", el0_hvc, HC_EXIT, 77, 0, 0), "el0-hvc-exit");
	checkf(el0_refused("hvc give-back", el0_hvc, HC_GIVE_BACK, (uintptr_t)page,
			   GUEST_PAGE_SIZE, 0) && pattern_intact(), "el0-hvc-give-back");
	checkf(el0_refused("hvc console", el0_hvc, HC_CONSOLE_WRITE, buf, sizeof(LEAK_TEXT) - 1,
			   0), "el0-hvc-console");
	checkf(el0_refused("hvc cpu-on", el0_hvc, PSCI_CPU_ON64, 1, guest_cpu_entry(), 1) &&
	       vcpu1_off(), "el0-hvc-cpu-on");
	checkf(el0_refused("smc exit", el0_smc, HC_EXIT, 78, 0, 0), "el0-smc-exit");
	checkf(el0_refused("smc cpu-on", el0_smc, PSCI_CPU_ON64, 1, guest_cpu_entry(), 1) &&
	       vcpu1_off(), "el0-smc-cpu-on");

	checkf(hc_console_write("user_hypercall: EL1 still answered\n", 35) == 35 &&
	       pattern_intact() && guest_cpu_wait_off(1, 0) == 0, "vm-alive");
}

#else /* !__aarch64__ */

/* x86-64: the CPL 3 half of the issue goes here. */
void test_main(void)
{
}

#endif
