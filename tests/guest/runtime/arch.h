/* SPDX-License-Identifier: MIT */
/*
 * What the portable runtime needs from the architecture part (*_arm64.*).
 * Payloads use guest.h, not this.
 */
#ifndef GUEST_ARCH_H
#define GUEST_ARCH_H

#include <stdint.h>

/* The hypercall instruction with the ABI's registers (HVC #0 / VMMCALL). */
long arch_hcall(unsigned long id, unsigned long a1, unsigned long a2, unsigned long a3,
		unsigned long a4, unsigned long a5);
/* This vCPU's index as the start-up code recorded it. */
unsigned int arch_cpu_index(void);
/* Start vCPU cpu at the runtime's secondary entry; 0 or a negative error. */
int arch_cpu_on(unsigned int cpu);
/* 1 if vCPU cpu is off, 0 if on or starting, negative on error. */
int arch_cpu_is_off(unsigned int cpu);
void arch_cpu_off(void) __attribute__((noreturn));
/* Stop this vCPU for good, when even HC_EXIT returned. */
void arch_halt(void) __attribute__((noreturn));
void arch_relax(void);

/* Called by the start-up code. */
void runtime_start(void) __attribute__((noreturn));
void runtime_secondary(unsigned int cpu) __attribute__((noreturn));

#endif
