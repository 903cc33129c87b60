/* SPDX-License-Identifier: MIT */
/*
 * The vCPU thread and the handlers of its exits.
 */
#ifndef KVM_VCPU_H
#define KVM_VCPU_H

#include "vm.h"

/* The body of every vCPU thread (sched_thread_init's @fn); @arg is the struct vcpu. */
void vcpu_thread(void *arg);

/* Handlers the run loop dispatches to.  Each returns with the vCPU ready to re-enter. */
void stage2_fault(struct vcpu *v, const struct vcpu_exit *exit);
/* Hypercall (kvm/hypercall_abi.h) or PSCI call; false if the ID belongs to neither. */
bool hc_dispatch(struct vcpu *v, u64 fid);
bool psci_dispatch(struct vcpu *v, u64 fid);

/* Guest console: bytes from the guest, printed a line at a time behind the VM's name. */
void vcpu_console_put(struct vcpu *v, const char *s, u64 len);
void vcpu_console_flush(struct vcpu *v);

/* The vCPU is on (or being turned on): PSCI AFFINITY_INFO and the "all off" check. */
static inline enum vcpu_power vcpu_power(const struct vcpu *v)
{
	return __atomic_load_n(&v->power, __ATOMIC_ACQUIRE);
}

/* Hypervisor clock (ns since the machine started) at the boot's first guest entry; 0 if none. */
u64 vcpu_first_entry_ns(void);

#endif
