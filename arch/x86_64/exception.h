/* SPDX-License-Identifier: MIT */
/*
 * The frame vectors.S builds for every interrupt and exception, and the
 * hooks for handling them.
 */
#ifndef ARCH_X86_64_EXCEPTION_H
#define ARCH_X86_64_EXCEPTION_H

#include "mmu/types.h"

/* Lowest address first: the registers vectors.S pushes, then the CPU's frame. */
struct x86_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector;
	u64 error;		      /* the CPU's error code, or 0 */
	u64 rip, cs, rflags, rsp, ss; /* pushed by the CPU (Intel SDM vol. 3A, 6.14.2) */
};

_Static_assert(sizeof(struct x86_frame) == 22 * 8, "vectors.S pushes 22 words");

/*
 * A handler for @vector.  Exceptions (0-31): return true to resume at
 * frame->rip (having fixed what was wrong), false for the fatal report.
 * Interrupts (32-254): the return value is ignored; the LAPIC gets its EOI
 * after the handler.  Interrupt context: interrupts off, no printf.
 */
typedef bool (*x86_trap_handler_t)(struct x86_frame *frame);
void x86_set_trap_handler(unsigned int vector, x86_trap_handler_t fn);

/* Called by vectors.S. */
void x86_trap(struct x86_frame *frame);

#endif
