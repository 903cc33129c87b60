/* SPDX-License-Identifier: MIT */
/*
 * The guest runtime's API for payloads: hypercalls, a tiny test harness,
 * expected aborts, secondary vCPUs and the memory layout.  Portable: the
 * architecture-specific parts live in *_arm64.* and *_x86_64.*, so a
 * payload that only uses this header builds for both.
 *
 * A payload defines test_main(); the runtime's main() calls it, prints
 * "N passed, N failed" and exits (HC_EXIT) with the number of failures.
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kvm/hypercall_abi.h"
#include "layout.h"

#define GUEST_PAGE_SIZE	 4096UL
#define GUEST_BLOCK_SIZE (2UL << 20) /* a 2 MiB stage-2 block */

/* Defined by the payload. */
void test_main(void);

/* --- Test harness (test.c) ------------------------------------------ */

/* Report one case through HC_REPORT; returns cond.  Safe on any vCPU. */
bool check(const char *name, bool cond);
/* The same with a printf-formatted name (truncated to 127 characters). */
bool checkf(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
unsigned int test_failures(void);
unsigned int test_passes(void);

/* --- Hypercalls (hypercall.c), see kvm/hypercall_abi.h ------------- */

/* Raw call: function ID and up to five arguments, the result register. */
long hc_call(unsigned long id, unsigned long a1, unsigned long a2, unsigned long a3,
	     unsigned long a4, unsigned long a5);
long hc_console_write(const void *buf, size_t len); /* len <= 4096 */
long hc_report(const char *name, bool ok);
void hc_exit(long status) __attribute__((noreturn));
long hc_give_back(uintptr_t gpa, size_t size);
uint64_t hc_time_ns(void);
long hc_vcpu_info(unsigned long which); /* 0: index, 1: count, 2: RAM */
#define hc_vcpu_index() hc_vcpu_info(0)
#define hc_vcpu_count() hc_vcpu_info(1)
#define hc_ram_size()	hc_vcpu_info(2) /* bytes; HC_EINVAL when bare */

/* --- Memory layout (linker/arm64-guest.ld) ------------------------- */

uintptr_t guest_ram_start(void); /* first byte of guest RAM */
uintptr_t guest_ram_end(void);	 /* one past the last byte */
/* First 2 MiB aligned address after the image, stacks and heap: free for tests. */
uintptr_t guest_free_start(void);

/* --- Probe window (mmu_<arch>.c) ----------------------------------- */

/* Guest-physical address bits this vCPU's stage 1 can output. */
unsigned int guest_pa_bits(void);
/*
 * A virtual address that reaches guest-physical gpa, for probes beyond the
 * identity map (which covers RAM and a few probe regions, not an IPA past
 * 40 bits).  Maps the 1 GiB around gpa as Normal memory, executable, in a
 * spare stage 1 slot, replacing the previous window; 0 if gpa is beyond
 * guest_pa_bits().  The table is shared by all vCPUs: call it while the
 * others do not use the window.
 */
uintptr_t guest_map_window(uint64_t gpa);

/* --- Expected aborts (abort_<arch>.c) ------------------------------ */

/*
 * What the hypervisor injects for an access outside every memslot (and for
 * device MMIO it cannot emulate), per architecture:
 *
 * arm64: a synchronous external abort at EL1h: ESR_EL1.EC 0x25 (data) or
 *   0x21 (instruction), FSC 0x10, FAR_EL1 = the faulting virtual address.
 *
 * x86-64: a #PF (vector 14) with an error code of P = 1 (bit 0), W/R = the
 *   access (bit 1), I/D = 1 for a fetch (bit 4), and CR2 = the faulting
 *   guest-PHYSICAL address: a nested page fault reports no virtual one
 *   (AMD APM vol. 2, 15.25.6), so CR2 is the virtual address only where
 *   the guest maps virtual = physical, as this runtime does for RAM and
 *   the probe regions (not for guest_map_window()).  An I/O port nothing
 *   emulates is a #GP(0) (vector 13, no address).
 */
enum guest_abort_kind {
	GUEST_ABORT_NONE,
	GUEST_ABORT_DATA,  /* arm64: EC 0x25 (0x24 if mis-injected as from EL0); x86: #PF, I/D 0 */
	GUEST_ABORT_INSN,  /* arm64: EC 0x21 (0x20); x86: #PF, I/D 1 */
	GUEST_ABORT_OTHER, /* any other synchronous exception (x86: #GP, #UD, ...) */
};

struct guest_abort {
	enum guest_abort_kind kind;
	uint64_t syndrome;   /* arm64: ESR_EL1; x86: the error code (0 if none) */
	uint64_t addr;	     /* arm64: FAR_EL1; x86: CR2 for a #PF, else 0 */
	uint64_t pc;	     /* where it was taken (ELR_EL1 / RIP at the time) */
	unsigned int vector; /* arm64: vector table slot, 4 = current EL, SPx, sync;
				 * x86: the exception vector (14 #PF, 13 #GP, 6 #UD) */
	bool current_el;     /* taken from the exception level the payload runs at (x86: CPL 0) */
	bool addr_valid;     /* arm64: !ESR.FnV for aborts; x86: a #PF (CR2 loaded) */
};

/*
 * Arm the current vCPU for one synchronous abort.  Without this, any
 * exception prints the syndrome, address and pc, reports FAIL
 * "unexpected-exception" and exits.  When armed, a data abort resumes at
 * the next instruction (the load's destination keeps its old value) and an
 * instruction abort returns to the caller of the function that was branched
 * to (the faulting address).  x86: "the next instruction" is found by
 * decoding the faulting one, which knows the loads and stores a compiler
 * emits (MOV, MOVZX/MOVSX, ALU and TEST with a memory operand) and IN/OUT;
 * an exception on anything else stays unexpected.
 */
void guest_expect_abort(void);
/* Disarm; true and *info filled if an abort was taken since arming. */
bool guest_abort_seen(struct guest_abort *info);

/* Helpers over the two above: true if the access aborted. */
bool guest_probe_read(uintptr_t addr, struct guest_abort *info);
bool guest_probe_write(uintptr_t addr, uint64_t val, struct guest_abort *info);
bool guest_probe_exec(uintptr_t addr, struct guest_abort *info);
#if defined(__x86_64__)
/* x86: a one-byte IN from @port; true if it raised an exception. */
bool guest_probe_port_read(uint16_t port, struct guest_abort *info);
#endif

#if defined(__aarch64__)
/* --- EL0 (abort_arm64.c, mmu_arm64.c, start_arm64.S) ----------------- */

/*
 * The address at which EL0 reaches @addr, a RAM address: an alias of the
 * RAM GiB, readable, writable and executable at EL0 and never executable
 * at EL1 (the identity map itself is EL1 only).  0 outside that GiB.
 */
uintptr_t guest_el0_alias(uintptr_t addr);
/*
 * Run @entry at EL0 (AArch64 EL0t, interrupts masked) with x0..x5 =
 * @args, sp = @sp (both EL0 addresses), until it executes SVC #0; returns
 * its x0 then.  An exception it takes meanwhile is an ordinary one: armed
 * with guest_expect_abort(), it is recorded (vector 8, "EL0/64 sync") and
 * EL0 resumes past the instruction; unarmed, it is a failure.
 */
long guest_el0_call(uintptr_t entry, uintptr_t sp, const uint64_t args[6]);
#endif

/* --- vCPUs (smp.c) --------------------------------------------------- */

unsigned int guest_cpu_index(void); /* this vCPU, 0-based, no exit */
unsigned int guest_cpu_count(void); /* HC_VCPU_INFO(1), capped to GUEST_MAX_CPUS */
/*
 * Start vCPU cpu running fn(arg) on its own stack; when fn returns the vCPU
 * turns itself off.  Returns 0 or the (negative) firmware error.
 */
int guest_cpu_start(unsigned int cpu, void (*fn)(void *), void *arg);
/*
 * The entry point the runtime gives a vCPU power-on call (PSCI CPU_ON's
 * entry_point_address), for payloads that make the call themselves.
 */
uintptr_t guest_cpu_entry(void);
/* Wait until vCPU cpu is off; 0, or -1 on timeout. */
int guest_cpu_wait_off(unsigned int cpu, uint64_t timeout_ns);

struct guest_barrier {
	unsigned int count;
	unsigned int generation;
};
/* Spin until n vCPUs have arrived; reusable. */
void guest_barrier_wait(struct guest_barrier *b, unsigned int n);
void guest_cpu_relax(void);

#endif
