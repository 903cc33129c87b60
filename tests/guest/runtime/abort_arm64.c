// SPDX-License-Identifier: MIT
/*
 * EL1 exceptions: the C half of the vectors in start_arm64.S.
 *
 * An unexpected exception is a test failure with the facts a person needs
 * (ESR_EL1, FAR_EL1, ELR_EL1, SPSR_EL1, registers); the VM then exits.  A
 * payload that expects an abort (an injected one, for a stage 2 access
 * outside every memslot) arms its vCPU first and resumes where
 * guest_expect_abort()'s comment in guest.h says.
 */
#include <stdio.h>

#include "abort_slot.h"
#include "arch.h"
#include "gic_arm64.h"
#include "guest.h"
#include "sysreg_arm64.h"

/* Saved by exc_common; offsets in sysreg_arm64.h. */
struct exc_frame {
	uint64_t x[31];
	uint64_t elr;
	uint64_t spsr;
	uint64_t pad;
};
_Static_assert(sizeof(struct exc_frame) == EXC_FRAME_SIZE, "frame layout");
_Static_assert(__builtin_offsetof(struct exc_frame, elr) == EXC_FRAME_ELR, "frame layout");
_Static_assert(__builtin_offsetof(struct exc_frame, spsr) == EXC_FRAME_SPSR, "frame layout");

void arch_exception(struct exc_frame *f, unsigned long vector);

#define read_sysreg(r)                                       \
	({                                                   \
		uint64_t __v;                                \
		__asm__ volatile("mrs %0, " #r : "=r"(__v)); \
		__v;                                         \
	})

static enum guest_abort_kind classify(unsigned int ec)
{
	switch (ec) {
	case ESR_EC_DABT_CUR:
	case ESR_EC_DABT_LOW:
		return GUEST_ABORT_DATA;
	case ESR_EC_IABT_CUR:
	case ESR_EC_IABT_LOW:
		return GUEST_ABORT_INSN;
	default:
		return GUEST_ABORT_OTHER;
	}
}

/*
 * Record an expected synchronous exception and choose where to resume: past
 * a faulting load/store, or back to the caller of a bad branch target.
 */
static void take_expected(struct abort_slot *s, struct exc_frame *f, unsigned long vector,
			  uint64_t esr, uint64_t far)
{
	struct guest_abort *a = &s->info;

	a->kind = classify(esr >> ESR_EC_SHIFT);
	a->syndrome = esr;
	a->addr = far;
	a->pc = f->elr;
	a->vector = vector;
	a->current_el = vector >= 4 && vector < 8;
	a->addr_valid = a->kind != GUEST_ABORT_OTHER && !(esr & ESR_FNV);
	s->armed = false;
	s->seen = true;
	if (a->kind == GUEST_ABORT_INSN)
		f->elr = f->x[30];
	else
		f->elr += 4;
}

static const char *const vector_names[16] = {
	"EL1t sync",   "EL1t irq",    "EL1t fiq",    "EL1t serror",   "EL1h sync",  "EL1h irq",
	"EL1h fiq",    "EL1h serror", "EL0/64 sync", "EL0/64 irq",    "EL0/64 fiq", "EL0/64 serror",
	"EL0/32 sync", "EL0/32 irq",  "EL0/32 fiq",  "EL0/32 serror",
};

/*
 * snprintf + hc_console_write, not printf: the exception may have hit
 * inside stdio on this vCPU, whose FILE lock we would then re-enter.
 */
static void report_unexpected(struct exc_frame *f, unsigned long vector, uint64_t esr, uint64_t far)
{
	char line[160];
	int n, i;

	n = snprintf(line, sizeof(line),
		     "guest: unexpected exception on vCPU %u: %s, ESR_EL1 %#llx (EC %#llx), "
		     "FAR_EL1 %#llx, ELR_EL1 %#llx, SPSR_EL1 %#llx\n",
		     arch_cpu_index(), vector_names[vector & 15], (unsigned long long)esr,
		     (unsigned long long)(esr >> ESR_EC_SHIFT), (unsigned long long)far,
		     (unsigned long long)f->elr, (unsigned long long)f->spsr);
	hc_console_write(line, n < (int)sizeof(line) ? n : (int)sizeof(line) - 1);
	for (i = 0; i < 31; i += 4) {
		n = snprintf(line, sizeof(line), "  x%-2d %016llx %016llx %016llx %016llx\n", i,
			     (unsigned long long)f->x[i], (unsigned long long)f->x[i + 1],
			     (unsigned long long)f->x[i + 2],
			     i + 3 < 31 ? (unsigned long long)f->x[i + 3] : 0ULL);
		hc_console_write(line, n);
	}
}

/* start_arm64.S */
long el0_enter(uintptr_t entry, uintptr_t sp, const uint64_t args[6]);
extern char el0_return[];

long guest_el0_call(uintptr_t entry, uintptr_t sp, const uint64_t args[6])
{
	struct abort_slot *s = abort_this_slot();
	long ret;

	s->in_el0 = true;
	__asm__ volatile("" ::: "memory");
	ret = el0_enter(entry, sp, args);
	__asm__ volatile("" ::: "memory");
	s->in_el0 = false;
	return ret;
}

/* Vector slot 8: synchronous, from EL0 in AArch64; EC 0x15: SVC. */
#define VECTOR_EL0_64_SYNC 8
#define ESR_EC_SVC64	   0x15
#define SPSR_EL1H_MASKED   0x3c5

void arch_exception(struct exc_frame *f, unsigned long vector)
{
	uint64_t esr = read_sysreg(esr_el1);
	uint64_t far = read_sysreg(far_el1);
	struct abort_slot *s = abort_this_slot();

	if (vector == VECTOR_EL0_64_SYNC && (esr >> ESR_EC_SHIFT) == ESR_EC_SVC64 && s->in_el0) {
		f->elr = (uintptr_t)el0_return;
		f->spsr = SPSR_EL1H_MASKED;
		return;
	}

	/* IRQs (slot 1 of each group) go to the GIC helper when a payload set a handler. */
	if ((vector & 3) == 1 && gic_handle_irq())
		return;
	if ((vector & 3) == 0 && s->armed) {
		take_expected(s, f, vector, esr, far);
		return;
	}
	report_unexpected(f, vector, esr, far);
	check("unexpected-exception", false);
	hc_exit(test_failures());
}
