/* SPDX-License-Identifier: MIT */
/*
 * The hypercall ABI between guest payloads and the hypervisor, shared by both
 * sides (this header is included by guest code too: keep it plain C).
 *
 * Calling convention (SMCCC-style): the function ID in x0 (arm64, HVC #0) or
 * rax (x86-64, VMMCALL), arguments in x1..x5 / rbx, rcx, rdx, rsi, rdi, the
 * result in x0 / rax.  IDs are SMCCC fast calls, 64-bit, owning entity 6
 * ("vendor specific hypervisor service"), so they never collide with PSCI
 * (owning entity 4), which the same instruction also carries on arm64.
 *
 * Errors are small negative numbers.  Any ID not listed returns HC_ENOSYS;
 * any argument that is out of range returns HC_EINVAL and changes nothing.
 */
#ifndef KVM_HYPERCALL_ABI_H
#define KVM_HYPERCALL_ABI_H

#define HC_BASE 0xC6000000UL

/* x1 = guest-physical address of the bytes, x2 = length (<= 4096).  Returns length written. */
#define HC_CONSOLE_WRITE (HC_BASE + 1)
/*
 * Report one test case: x1 = guest-physical address of a NUL-terminated case
 * name (<= 128 bytes), x2 = 1 passed / 0 failed.  The hypervisor prints
 * "PASS <vm>/<name>" or "FAIL <vm>/<name>" and counts it.  A name outside
 * guest memory, or one that runs off its end before the NUL, returns
 * HC_EFAULT; no NUL within 128 bytes, or x2 > 1, returns HC_EINVAL; a refused
 * report is neither printed nor counted.
 */
#define HC_REPORT (HC_BASE + 2)
/* End this VM: x1 = exit status.  Does not return. */
#define HC_EXIT (HC_BASE + 3)
/*
 * Give back [x1, x1 + x2) (page aligned, inside one memslot): the hypervisor
 * unmaps it from stage 2 (an exclusive zap with rescheduling points) and
 * frees its backing.  The range stays usable: the next access faults in a
 * fresh zeroed page.  Returns 0.  A range that is not page aligned, has size
 * 0, wraps, or is not inside one memslot returns HC_EINVAL (not HC_EFAULT).
 * A vCPU touching the range while another gives it back may lose its writes
 * (as with madvise(MADV_DONTNEED) racing a store on Linux).
 */
#define HC_GIVE_BACK (HC_BASE + 4)
/* Monotonic hypervisor time in nanoseconds (for payloads measuring gaps). */
#define HC_TIME_NS (HC_BASE + 5)
/*
 * x1 = 0: this vCPU's index in its VM (0-based); 1: the number of vCPUs the
 * VM has; 2: the size of its RAM in bytes (the memslot at its RAM base);
 * 3: how many times the scheduler's tick switched this vCPU out for another
 * thread of its physical CPU (a test of two VMs on one CPU checks it is
 * really shared: tests/guest/{arm64,x86_64}/regleak.c).
 */
#define HC_VCPU_INFO (HC_BASE + 6)

#define HC_OK	  0
#define HC_EINVAL (-22)
#define HC_ENOSYS (-38)
#define HC_EFAULT (-14) /* an argument points outside the guest's memory */

#endif
