/* SPDX-License-Identifier: MIT */
/*
 * EL2 exception entry: the register frame arch/arm64/vectors.S saves, and
 * the vector kinds.  Usable from assembly (offsets) and C.
 */
#ifndef ARCH_ARM64_EXCEPTION_H
#define ARCH_ARM64_EXCEPTION_H

/*
 * Vector table offsets (Arm ARM D1, "Exception vectors"): four groups of
 * four -- current EL with SP_EL0, current EL with SP_ELx, lower EL AArch64,
 * lower EL AArch32 -- each Synchronous, IRQ, FIQ, SError.  The kind passed
 * to el2_exception() is group * 4 + type.
 */
#define EXC_SYNC	    0
#define EXC_IRQ		    1
#define EXC_FIQ		    2
#define EXC_SERROR	    3
#define EXC_GROUP_CUR_SP0   0
#define EXC_GROUP_CUR_SPX   1
#define EXC_GROUP_LOWER_A64 2
#define EXC_GROUP_LOWER_A32 3

#define EXC_FRAME_SP   248
#define EXC_FRAME_ELR  256
#define EXC_FRAME_SPSR 264
#define EXC_FRAME_ESR  272
#define EXC_FRAME_FAR  280
#define EXC_FRAME_SIZE 288

#ifndef __ASSEMBLER__

#include "mmu/types.h"

struct exc_frame {
	u64 x[31];
	u64 sp;	  /* SP_EL2 before the exception */
	u64 elr;  /* restored to ELR_EL2 on return: a handler may change it */
	u64 spsr; /* restored to SPSR_EL2 on return */
	u64 esr;
	u64 far;
};

_Static_assert(sizeof(struct exc_frame) == EXC_FRAME_SIZE, "exc_frame layout");
_Static_assert(__builtin_offsetof(struct exc_frame, elr) == EXC_FRAME_ELR, "exc_frame layout");
_Static_assert(__builtin_offsetof(struct exc_frame, far) == EXC_FRAME_FAR, "exc_frame layout");

/*
 * Called by the vectors with the saved frame.  Returns to resume at
 * frame->elr; today every exception is unexpected, so it reports and stops
 * the CPU instead.
 */
void el2_exception(struct exc_frame *frame, u64 kind);

/* Name of an ESR_ELx exception class (Arm ARM ESR_EL2.EC), "?" if unknown. */
const char *esr_class_name(unsigned int ec);

#endif /* !__ASSEMBLER__ */

#endif
