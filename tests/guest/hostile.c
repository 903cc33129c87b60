// SPDX-License-Identifier: MIT
/*
 * A hostile guest: accesses outside every memslot, hypercalls nobody
 * defined, hypercalls and PSCI calls with garbage arguments.  It must
 * observe each refusal and never crash, and the hypervisor must keep
 * running (the last cases are ordinary calls that must still work).
 * Both architectures, one source: what differs is how a refused access
 * looks (abort_ok() below) and a few arm64-only probes.  Run in a VM of
 * 2 vCPUs or more (the PSCI cases need an off vCPU 1), RAM = the one
 * memslot 0x40000000..0x60000000.
 *
 * What the hypervisor must do, exactly:
 *
 * Accesses outside every memslot, and MMIO nothing emulates: inject an
 * abort (arch_vcpu_inject_abort).  arm64: a synchronous external abort
 * taken at EL1h (vector VBAR_EL1 + 0x200):
 *   ESR_EL1.EC   0x25 data abort / 0x21 instruction abort (current EL)
 *   ESR_EL1.FSC  0x10 (synchronous external abort, not on a walk)
 *   ESR_EL1.FnV  0, FAR_EL1 = the faulting virtual address (the IPA for
 *                the identity map; the window's VA for the 2^47 probe)
 *   ELR_EL1      the faulting instruction; WnR and ISV are not checked
 * and map nothing: after a refused store, a load of the same address
 * aborts too.  Probes (8-byte accesses):
 *   load 0x60000000 (first byte past RAM); store, then load, 0x60001008
 *   load 0x100000000; store, then load, 0x100002000
 *   load and store IPA 2^47 + 0x3000 through the probe window (beyond a
 *     40-bit stage 2; outside every memslot with a 48-bit one; arm64 only:
 *     on x86 CR2 is the guest-physical address, which is not the window's)
 *   load and store 0x09001000 (the page after the PL011: nothing there) and
 *     0x20000000 (below RAM)
 *   instruction fetch at 0x60004000 and 0x100000000 (EC 0x21, FAR = target)
 * x86-64: a #PF at CPL 0, CR2 = the address (the guest-physical address,
 * which the runtime's identity map makes the virtual one too), error code
 * P = 1, W/R = 1 for a store, I/D = 1 for a fetch, RIP the faulting
 * instruction (guest.h, "Expected aborts").  The same probes, and I/O
 * ports nothing emulates (IN from 0x80 and 0xcf8): #GP(0).
 *
 * Hypercalls nobody defined (x0 / rax = ID, no other effect):
 *   0xC6000000 (HC_BASE + 0), HC_BASE + 99, 0xC6FFFFFF  -> HC_ENOSYS (-38)
 *   0x86000001 (HC_CONSOLE_WRITE's number with the SMC32 convention, given
 *     a valid 5-byte buffer: must not print)          -> HC_ENOSYS (-38)
 *   0x8400FFFF, 0xC400FFFF (PSCI range, no such function)
 *                                                     -> PSCI NOT_SUPPORTED (-1)
 *
 * Defined hypercalls with bad arguments (refused, nothing happens):
 *   HC_CONSOLE_WRITE len 0x100000 (buffer in RAM)      -> HC_EINVAL
 *   HC_CONSOLE_WRITE buffer 0x100000000 / 0x20000000, len 16; buffer
 *     RAM end - 8, len 16; buffer ~0 - 7, len 16      -> HC_EFAULT
 *   HC_REPORT name 0x100000000                        -> HC_EFAULT
 *   HC_REPORT name = the last 4 bytes of RAM, no NUL  -> HC_EFAULT
 *   HC_REPORT name of 200 non-NUL bytes in RAM        -> HC_EINVAL
 *   HC_REPORT valid name, flag (x2 / rcx) = 2          -> HC_EINVAL
 *     (a refused report prints no PASS/FAIL line and is not counted)
 *   HC_GIVE_BACK unaligned address / unaligned size / size 0 / below RAM
 *     (0x20000000) / above RAM (0x100000000) / straddling RAM end /
 *     wrapping (base, 2^64 - base)                    -> HC_EINVAL
 *     (a range not inside a memslot is EINVAL, not EFAULT, as give_back.c
 *     expects; patterned pages around them keep their contents)
 *   HC_VCPU_INFO which = 4                            -> HC_EINVAL
 *
 * PSCI (Arm DEN 0022; on x86 over VMMCALL, the hypervisor's vCPU power calls):
 *   CPU_ON64 MPIDR = vCPU count (no such vCPU), and 0xFF00FF
 *                                                     -> INVALID_PARAMETERS (-2)
 *   AFFINITY_INFO64 of the same                       -> INVALID_PARAMETERS (-2)
 *   CPU_ON64 vCPU 1 (off) at entry 0x100000000 or 0x60000000, outside RAM
 *                        -> INVALID_ADDRESS (-9), vCPU 1 stays OFF (AFFINITY_INFO = 1)
 *   CPU_ON64 vCPU 0 (the caller) and vCPU 1 once it runs -> ALREADY_ON (-4)
 *
 * Afterwards: PSCI_VERSION >= 0.2, HC_VCPU_INFO, HC_TIME_NS (moves forward),
 * HC_CONSOLE_WRITE and RAM contents as before.
 *
 * Bare (GUEST_BARE, plain QEMU at EL1): QEMU itself makes an access to an
 * unassigned physical address a synchronous external abort with the same
 * syndrome, so the probes and the runtime's recovery are real, except
 * 0x20000000 (QEMU's PCIe window answers it).  PSCI is QEMU's, minus the
 * bad entry points (QEMU does not check them).  The hypercall refusals are
 * the bare runtime's stand-in for the ABI: they check the payload, not a
 * hypervisor.  That nothing is printed or counted for a refused call only
 * the hypervisor's log can show.
 */
#include <stdio.h>
#include <string.h>

#include "guest.h"
#include "psci.h"

#define PAGE GUEST_PAGE_SIZE

enum access {
	LOAD,
	STORE,
	FETCH
};

static const char *const access_names[] = { "load", "store", "fetch" };

#if defined(__aarch64__)
#define ESR_EC(esr)	  ((unsigned int)((esr) >> 26) & 0x3f)
#define ESR_FSC(esr)	  ((unsigned int)(esr)&0x3f)
#define FSC_SYNC_EXTERNAL 0x10
#define VECTOR_EL1H_SYNC  4
#define HIGH_IPA	  (1UL << 47)

/* The synchronous external abort of the header comment, at va. */
static bool abort_ok(enum access how, uintptr_t va, const struct guest_abort *a)
{
	unsigned int want_ec = how == FETCH ? 0x21 : 0x25;

	return ESR_EC(a->syndrome) == want_ec && ESR_FSC(a->syndrome) == FSC_SYNC_EXTERNAL &&
	       a->vector == VECTOR_EL1H_SYNC && a->addr_valid && a->addr == va;
}

static void abort_describe(enum access how, const struct guest_abort *a)
{
	printf("ESR %#llx (EC %#x FSC %#x, want %#x %#x), FAR %#llx%s, vector %u",
	       (unsigned long long)a->syndrome, ESR_EC(a->syndrome), ESR_FSC(a->syndrome),
	       how == FETCH ? 0x21 : 0x25, FSC_SYNC_EXTERNAL, (unsigned long long)a->addr,
	       a->addr_valid ? "" : " (not valid)", a->vector);
}
#elif defined(__x86_64__)
#define X86_VEC_GP 13
#define X86_VEC_PF 14
#define PF_P	   (1u << 0)
#define PF_W	   (1u << 1)
#define PF_ID	   (1u << 4)

/* The #PF of the header comment, CR2 = va (identity-mapped). */
static bool abort_ok(enum access how, uintptr_t va, const struct guest_abort *a)
{
	uint64_t want = PF_P | (how == STORE ? PF_W : 0) | (how == FETCH ? PF_ID : 0);

	return a->vector == X86_VEC_PF && (a->syndrome & (PF_P | PF_W | PF_ID)) == want &&
	       a->kind == (how == FETCH ? GUEST_ABORT_INSN : GUEST_ABORT_DATA) && a->current_el &&
	       a->addr_valid && a->addr == va;
}

static void abort_describe(enum access how, const struct guest_abort *a)
{
	printf("vector %u, error code %#llx (want %#x), CR2 %#llx%s, RIP %#llx", a->vector,
	       (unsigned long long)a->syndrome,
	       PF_P | (how == STORE ? PF_W : 0) | (how == FETCH ? PF_ID : 0),
	       (unsigned long long)a->addr, a->addr_valid ? "" : " (not valid)",
	       (unsigned long long)a->pc);
}
#else
#error "hostile.c: no abort layout for this architecture"
#endif

static bool do_probe(enum access how, uintptr_t va, struct guest_abort *a)
{
	switch (how) {
	case LOAD:
		return guest_probe_read(va, a);
	case STORE:
		return guest_probe_write(va, 0xbadc0ffee0ddf00dULL, a);
	default:
		return guest_probe_exec(va, a);
	}
}

/* One case per probe; the facts on a line when it is not the abort above. */
static void expect_abort(enum access how, uintptr_t va, const char *what)
{
	struct guest_abort a;
	bool seen, ok;

	seen = do_probe(how, va, &a);
	ok = seen && abort_ok(how, va, &a);
	if (!seen) {
		printf("hostile: %s %#lx (%s): no abort\n", access_names[how], (unsigned long)va,
		       what);
	} else if (!ok) {
		printf("hostile: %s %#lx (%s): ", access_names[how], (unsigned long)va, what);
		abort_describe(how, &a);
		printf("\n");
	}
	checkf(ok, "%s-%s-aborts", access_names[how], what);
}

#if defined(__x86_64__)
/* An I/O port nothing emulates: #GP(0) at the IN, which is then skipped. */
static void expect_port_gp(uint16_t port, const char *what)
{
	struct guest_abort a;
	bool seen, ok;

	seen = guest_probe_port_read(port, &a);
	ok = seen && a.vector == X86_VEC_GP && a.syndrome == 0 && a.kind == GUEST_ABORT_OTHER;
	if (!seen)
		printf("hostile: in port %#x (%s): no exception\n", port, what);
	else if (!ok)
		printf("hostile: in port %#x (%s): vector %u error code %#llx, want #GP(0)\n", port,
		       what, a.vector, (unsigned long long)a.syndrome);
	checkf(ok, "in-port-%s-gp", what);
}
#endif

static void outside_memory(void)
{
	expect_abort(LOAD, 0x60000000, "ram-end");
	expect_abort(STORE, 0x60001008, "past-ram-end");
	expect_abort(LOAD, 0x60001008, "past-ram-end-after-store");
	expect_abort(LOAD, 0x100000000, "4G");
	expect_abort(STORE, 0x100002000, "4G-plus-8K");
	expect_abort(LOAD, 0x100002000, "4G-plus-8K-after-store");
	expect_abort(FETCH, 0x60004000, "past-ram-end");
	expect_abort(FETCH, 0x100000000, "4G");

	/*
	 * Bare, QEMU virt's PCIe MMIO window covers 0x10000000..0x3eff0000 and
	 * answers there without an abort (tried): only the hypervisor refuses it.
	 */
#ifndef GUEST_BARE
	expect_abort(LOAD, 0x20000000, "below-ram");
	expect_abort(STORE, 0x20000000, "below-ram");
#endif
	expect_abort(LOAD, 0x09001000, "no-device");
	expect_abort(STORE, 0x09001000, "no-device");

#if defined(__aarch64__)
	{
		uintptr_t high = guest_map_window(HIGH_IPA + 0x3000);

		if (!high) {
			printf("hostile: skip ipa-2^47 probes: stage 1 outputs %u bits only\n",
			       guest_pa_bits());
			return;
		}
		expect_abort(LOAD, high, "ipa-2^47");
		expect_abort(STORE, high, "ipa-2^47");
	}
#elif defined(__x86_64__)
	expect_port_gp(0x80, "0x80");
	expect_port_gp(0xcf8, "0xcf8");
#endif
}

/* HC_VCPU_INFO 2, the VM's RAM size: at least what the image was linked for (bare: refused). */
static bool ram_size_plausible(long ram)
{
	return ram == HC_EINVAL ||
	       (ram > 0 && (uintptr_t)ram >= guest_ram_end() - guest_ram_start());
}

static void expect_ret(long got, long want, const char *what)
{
	if (got != want)
		printf("hostile: %s returned %ld, want %ld\n", what, got, want);
	check(what, got == want);
}

static void unknown_calls(void)
{
	static const char msg[] = "oops\n";

	expect_ret(hc_call(HC_BASE + 0, 0, 0, 0, 0, 0), HC_ENOSYS, "enosys-hc-base-plus-0");
	expect_ret(hc_call(HC_BASE + 99, 1, 2, 3, 4, 5), HC_ENOSYS, "enosys-hc-base-plus-99");
	expect_ret(hc_call(0xC6FFFFFF, 0, 0, 0, 0, 0), HC_ENOSYS, "enosys-0xc6ffffff");
	expect_ret(hc_call(0x86000001, (uintptr_t)msg, 5, 0, 0, 0), HC_ENOSYS,
		   "enosys-smc32-console-write");
	/* PSCI's owning entity: bare, QEMU's own PSCI answers these. */
	expect_ret(hc_call(0x8400FFFF, 0, 0, 0, 0, 0), PSCI_NOT_SUPPORTED,
		   "psci-not-supported-0x8400ffff");
	expect_ret(hc_call(0xC400FFFF, 0, 0, 0, 0, 0), PSCI_NOT_SUPPORTED,
		   "psci-not-supported-0xc400ffff");
}

static uint64_t pattern(uintptr_t addr)
{
	return addr * 0x9e3779b97f4a7c15ULL + 1;
}

static void fill(uintptr_t base, size_t size)
{
	uintptr_t a;

	for (a = base; a < base + size; a += 8)
		*(uint64_t *)a = pattern(a);
}

static bool intact(uintptr_t base, size_t size)
{
	uintptr_t a;

	for (a = base; a < base + size; a += 8)
		if (*(uint64_t *)a != pattern(a))
			return false;
	return true;
}

static void bad_arguments(uintptr_t scratch)
{
	uintptr_t ram_end = guest_ram_end(), last = ram_end - PAGE;
	char *name = (char *)scratch;

	/* Console: too long, outside RAM, running off its end, wrapping. */
	expect_ret(hc_console_write((void *)scratch, 0x100000), HC_EINVAL, "console-len-1M");
	expect_ret(hc_console_write((void *)0x100000000, 16), HC_EFAULT, "console-buf-4G");
	expect_ret(hc_console_write((void *)0x20000000, 16), HC_EFAULT, "console-buf-below-ram");
	expect_ret(hc_console_write((void *)(ram_end - 8), 16), HC_EFAULT,
		   "console-buf-across-ram-end");
	expect_ret(hc_console_write((void *)(~0UL - 7), 16), HC_EFAULT, "console-buf-wraps");

	/* Report: name outside RAM, unterminated at RAM's end, too long, bad flag. */
	expect_ret(hc_report((const char *)0x100000000, true), HC_EFAULT, "report-name-4G");
	memset((void *)(ram_end - 4), 'x', 4);
	expect_ret(hc_report((const char *)(ram_end - 4), true), HC_EFAULT,
		   "report-name-runs-off-ram");
	memset(name, 'A', 200);
	name[200] = '\0';
	expect_ret(hc_report(name, true), HC_EINVAL, "report-name-200-bytes");
	expect_ret(hc_call(HC_REPORT, (uintptr_t) "hostile-bad-flag", 2, 0, 0, 0), HC_EINVAL,
		   "report-flag-2");

	/* Give back: every refusal aimed at patterned memory, checked afterwards. */
	fill(scratch, 4 * PAGE);
	fill(last, PAGE);
	expect_ret(hc_give_back(scratch + 8, PAGE), HC_EINVAL, "give-back-unaligned-address");
	expect_ret(hc_give_back(scratch, PAGE + 8), HC_EINVAL, "give-back-unaligned-size");
	expect_ret(hc_give_back(scratch, 0), HC_EINVAL, "give-back-size-0");
	expect_ret(hc_give_back(0x20000000, PAGE), HC_EINVAL, "give-back-below-ram");
	expect_ret(hc_give_back(0x100000000, PAGE), HC_EINVAL, "give-back-4G");
	expect_ret(hc_give_back(last, 2 * PAGE), HC_EINVAL, "give-back-across-ram-end");
	expect_ret(hc_give_back(scratch, -scratch), HC_EINVAL, "give-back-wraps");
	check("refused-give-backs-lost-nothing", intact(scratch, 4 * PAGE) && intact(last, PAGE));

	expect_ret(hc_vcpu_info(4), HC_EINVAL, "vcpu-info-4");
	expect_ret(hc_vcpu_info(~0UL), HC_EINVAL, "vcpu-info-all-ones");
	check("vcpu-info-ram-size", ram_size_plausible(hc_ram_size()));
}

static volatile bool cpu1_running, cpu1_release;

static void cpu1_job(void *arg)
{
	(void)arg;
	cpu1_running = true;
	while (!cpu1_release)
		guest_cpu_relax();
}

static long cpu_on(unsigned long mpidr, uintptr_t entry)
{
	return hc_call(PSCI_CPU_ON64, mpidr, entry, 0, 0, 0);
}

static long affinity(unsigned long mpidr)
{
	return hc_call(PSCI_AFFINITY_INFO64, mpidr, 0, 0, 0, 0);
}

static void psci(unsigned int ncpus)
{
	uintptr_t entry = guest_cpu_entry();
	uint64_t t0;

	expect_ret(cpu_on(ncpus, entry), PSCI_INVALID_PARAMETERS, "cpu-on-no-such-vcpu");
	expect_ret(cpu_on(0xFF00FF, entry), PSCI_INVALID_PARAMETERS, "cpu-on-mpidr-0xff00ff");
	expect_ret(affinity(ncpus), PSCI_INVALID_PARAMETERS, "affinity-no-such-vcpu");
	expect_ret(cpu_on(0, entry), PSCI_ALREADY_ON, "cpu-on-self");
	if (ncpus < 2) {
		check("psci-needs-2-vcpus", false);
		return;
	}
	/*
	 * Bare, QEMU's PSCI does not check the entry point: vCPU 1 would start
	 * at a hole and never come back.  Only the hypervisor can refuse it.
	 */
#ifndef GUEST_BARE
	expect_ret(cpu_on(1, 0x100000000), PSCI_INVALID_ADDRESS, "cpu-on-entry-4G");
	expect_ret(cpu_on(1, 0x60000000), PSCI_INVALID_ADDRESS, "cpu-on-entry-ram-end");
#endif
	expect_ret(affinity(1), PSCI_AFF_OFF, "vcpu1-still-off");

	/* Ask again only once vCPU 1 runs: no ON_PENDING window to argue about. */
	expect_ret(guest_cpu_start(1, cpu1_job, NULL), PSCI_SUCCESS, "cpu-on-vcpu1");
	t0 = hc_time_ns();
	while (!cpu1_running && hc_time_ns() - t0 < 5000000000ULL)
		guest_cpu_relax();
	if (!check("vcpu1-runs", cpu1_running))
		return;
	expect_ret(cpu_on(1, entry), PSCI_ALREADY_ON, "cpu-on-vcpu1-again");
	cpu1_release = true;
	check("vcpu1-turns-off", guest_cpu_wait_off(1, 5000000000ULL) == 0);
}

/* Whatever came before, the hypervisor still answers ordinary calls. */
static void still_alive(unsigned int ncpus, uintptr_t scratch)
{
	static const char msg[] = "hostile: still here\n";
	uint64_t t0 = hc_time_ns(), t1;
	long v = hc_call(PSCI_VERSION, 0, 0, 0, 0, 0);

	check("psci-version-0.2-or-later", v >= 2);
	check("vcpu-info-count-unchanged", hc_vcpu_count() == (long)ncpus);
	check("vcpu-info-index-0", hc_vcpu_index() == 0);
	expect_ret(hc_console_write(msg, sizeof(msg) - 1), sizeof(msg) - 1, "console-write-works");
	t1 = hc_time_ns();
	check("time-moves-forward", t1 > t0);
	check("scratch-still-intact", intact(scratch, 4 * PAGE));
}

void test_main(void)
{
	unsigned int ncpus = guest_cpu_count();
	uintptr_t scratch = guest_free_start();

	outside_memory();
	unknown_calls();
	bad_arguments(scratch);
	psci(ncpus);
	still_alive(ncpus, scratch);
}
