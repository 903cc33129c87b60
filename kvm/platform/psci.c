// SPDX-License-Identifier: MIT
/*
 * The PSCI 1.0 subset a guest sees: VERSION, CPU_ON, CPU_OFF, AFFINITY_INFO,
 * SYSTEM_OFF, SYSTEM_RESET, PSCI_FEATURES, MIGRATE_INFO_TYPE.  A vCPU's
 * MPIDR is its index (Aff0), every other affinity field zero.
 *
 * Power state: OFF -> ON_PENDING (a CPU_ON won the compare-and-swap and
 * writes the reset parameters) -> ON (released to the target's thread, which
 * applies the reset itself before its next entry) -> OFF (CPU_OFF, by the
 * vCPU itself).  The target's registers are only ever touched by its own
 * thread.
 */
#include <stdio.h>

#include "vcpu.h"

#define PSCI_FN_BASE32 0x84000000ULL
#define PSCI_FN_BASE64 0xC4000000ULL
#define PSCI_FN_LAST   0x1f
/* SMCCC owning entity 4 (standard secure services): function numbers 0..0xffff. */
#define PSCI_FN_RANGE 0xffff

#define PSCI_VERSION	       0x00
#define PSCI_CPU_OFF	       0x02
#define PSCI_CPU_ON	       0x03
#define PSCI_AFFINITY_INFO     0x04
#define PSCI_MIGRATE_INFO_TYPE 0x06
#define PSCI_SYSTEM_OFF	       0x08
#define PSCI_SYSTEM_RESET      0x09
#define PSCI_FEATURES	       0x0a

#define PSCI_SUCCESS		0
#define PSCI_NOT_SUPPORTED	(-1)
#define PSCI_INVALID_PARAMETERS (-2)
#define PSCI_ALREADY_ON		(-4)
#define PSCI_ON_PENDING		(-5)
#define PSCI_INVALID_ADDRESS	(-9)

#define PSCI_AFF_ON	    0
#define PSCI_AFF_OFF	    1
#define PSCI_AFF_ON_PENDING 2

#define PSCI_VERSION_1_0	   0x10000
#define PSCI_MIGRATE_NO_TRUSTED_OS 2

static bool psci_fn_is64(u64 fid)
{
	return (fid & ~(u64)PSCI_FN_RANGE) == PSCI_FN_BASE64;
}

/* Ours to answer, if only with NOT_SUPPORTED: the whole standard-service range. */
static bool psci_fn_valid(u64 fid)
{
	return psci_fn_is64(fid) || (fid & ~(u64)PSCI_FN_RANGE) == PSCI_FN_BASE32;
}

/* The vCPU an MPIDR names, NULL if none. */
static struct vcpu *psci_target(struct vm *vm, u64 mpidr)
{
	if (mpidr >= vm->nr_vcpus)
		return NULL;
	return vm->vcpus[mpidr];
}

static s64 psci_cpu_on(struct vcpu *v, u64 mpidr, u64 entry, u64 context)
{
	struct vcpu *t = psci_target(v->vm, mpidr);
	u32 state = VCPU_OFF;

	if (!t)
		return PSCI_INVALID_PARAMETERS;
	if (!vm_find_slot(v->vm, entry, 4) || (entry & 3))
		return PSCI_INVALID_ADDRESS;
	if (!__atomic_compare_exchange_n(&t->power, &state, VCPU_ON_PENDING, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE))
		return state == VCPU_ON ? PSCI_ALREADY_ON : PSCI_ON_PENDING;
	t->reset_entry = entry;
	t->reset_arg = context;
	t->reset_pending = true;
	/* Release: the target's thread sees the parameters once it sees ON. */
	__atomic_store_n(&t->power, VCPU_ON, __ATOMIC_RELEASE);
	sched_wake(&t->thread);
	return PSCI_SUCCESS;
}

/*
 * The last vCPU to turn off ends the VM: nothing could turn one on again.
 *
 * Two vCPUs turning off at once each store their own OFF, then load the
 * others' power.  With a release store and acquire loads that is the
 * store-buffering pattern: both loads may be satisfied before either store
 * is visible (x86 reorders a load before an older store to another
 * address, Intel SDM vol. 3A 8.2.3.4; so does arm64), each sees the other
 * still ON, and the VM stays alive with every vCPU off.  Sequentially
 * consistent stores and loads are in one total order, so the later of the
 * two stores is ordered before the other vCPU's loads: at least one of
 * them sees every vCPU off.  Both may; vm_end() is idempotent.
 */
static void psci_cpu_off(struct vcpu *v)
{
	struct vm *vm = v->vm;
	unsigned int i;

	__atomic_store_n(&v->power, VCPU_OFF, __ATOMIC_SEQ_CST);
	for (i = 0; i < vm->nr_vcpus; i++)
		if (__atomic_load_n(&vm->vcpus[i]->power, __ATOMIC_SEQ_CST) != VCPU_OFF)
			return;
	vm_end(vm, 0, "every vCPU off");
}

static s64 psci_affinity_info(struct vcpu *v, u64 mpidr, u64 level)
{
	struct vcpu *t = psci_target(v->vm, mpidr);

	if (!t || level != 0)
		return PSCI_INVALID_PARAMETERS;
	switch (vcpu_power(t)) {
	case VCPU_OFF:
		return PSCI_AFF_OFF;
	case VCPU_ON_PENDING:
		return PSCI_AFF_ON_PENDING;
	default:
		return PSCI_AFF_ON;
	}
}

static s64 psci_features(u64 fid)
{
	if (!psci_fn_valid(fid) || (fid & PSCI_FN_RANGE) > PSCI_FN_LAST)
		return PSCI_NOT_SUPPORTED;
	switch (fid & PSCI_FN_LAST) {
	case PSCI_CPU_ON:
	case PSCI_AFFINITY_INFO:
		return PSCI_SUCCESS;
	case PSCI_VERSION:
	case PSCI_CPU_OFF:
	case PSCI_MIGRATE_INFO_TYPE:
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
	case PSCI_FEATURES:
		return psci_fn_is64(fid) ? PSCI_NOT_SUPPORTED : PSCI_SUCCESS;
	default:
		return PSCI_NOT_SUPPORTED;
	}
}

static s64 psci_call(struct vcpu *v, u64 fid, u64 a1, u64 a2, u64 a3)
{
	bool is64 = psci_fn_is64(fid);

	if (!is64) { /* SMC32: arguments are 32 bits wide */
		a1 = (u32)a1;
		a2 = (u32)a2;
		a3 = (u32)a3;
	}
	if ((fid & PSCI_FN_RANGE) > PSCI_FN_LAST)
		return PSCI_NOT_SUPPORTED;
	switch (fid & PSCI_FN_LAST) {
	case PSCI_VERSION:
		return is64 ? PSCI_NOT_SUPPORTED : PSCI_VERSION_1_0;
	case PSCI_CPU_ON:
		return psci_cpu_on(v, a1, a2, a3);
	case PSCI_AFFINITY_INFO:
		return psci_affinity_info(v, a1, a2);
	case PSCI_FEATURES:
		return is64 ? PSCI_NOT_SUPPORTED : psci_features(a1);
	case PSCI_MIGRATE_INFO_TYPE:
		return is64 ? PSCI_NOT_SUPPORTED : PSCI_MIGRATE_NO_TRUSTED_OS;
	case PSCI_CPU_OFF:
		if (is64)
			return PSCI_NOT_SUPPORTED;
		psci_cpu_off(v);
		return PSCI_SUCCESS; /* never seen: the vCPU restarts at a CPU_ON entry */
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
		if (is64)
			return PSCI_NOT_SUPPORTED;
		vcpu_console_flush(v);
		vm_end(v->vm, 0,
		       (fid & PSCI_FN_LAST) == PSCI_SYSTEM_OFF ? "PSCI SYSTEM_OFF" :
								 "PSCI SYSTEM_RESET");
		return PSCI_SUCCESS;
	default:
		return PSCI_NOT_SUPPORTED;
	}
}

bool psci_dispatch(struct vcpu *v, u64 fid)
{
	struct arch_vcpu *a = &v->arch;

	if (!psci_fn_valid(fid))
		return false;
	v->stats.psci_calls++;
	arch_vcpu_hc_ret(a, (u64)psci_call(v, fid, arch_vcpu_hc_arg(a, 1), arch_vcpu_hc_arg(a, 2),
					   arch_vcpu_hc_arg(a, 3)));
	return true;
}
