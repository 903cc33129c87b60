/* SPDX-License-Identifier: MIT */
/* Between debug.c and the guest entry/exit path of vcpu.c and exits.c (not for kvm/). */
#ifndef ARCH_ARM64_DEBUG_H
#define ARCH_ARM64_DEBUG_H

#include "mmu/types.h"

struct arch_vcpu;
struct vcpu_exit;

/* Per CPU at set-up, with the MDCR_EL2 value the CPU keeps for guests nobody debugs. */
void debug_cpu_init(u64 mdcr);
/* Around __guest_enter(): interrupts masked; enter after the EL1 load, exit after the save. */
void debug_guest_enter(struct arch_vcpu *v, unsigned int cpu);
void debug_guest_exit(struct arch_vcpu *v);
/* An exit of class @ec that is a debug exception: fill @exit (EXIT_DEBUG), true. */
bool debug_decode(struct arch_vcpu *v, unsigned int ec, struct vcpu_exit *exit);

#endif
