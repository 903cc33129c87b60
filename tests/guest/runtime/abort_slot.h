/* SPDX-License-Identifier: MIT */
/*
 * Between abort.c (guest.h's expected aborts: arm, look, probe) and the
 * arch's exception handler (abort_<arch>.c), which fills the slot when an
 * armed vCPU takes the abort and resumes it.
 */
#ifndef GUEST_ABORT_SLOT_H
#define GUEST_ABORT_SLOT_H

#include <stdbool.h>

#include "guest.h"

/* Per vCPU, written by that vCPU only (payload and its own handler). */
struct abort_slot {
	volatile bool armed;
	volatile bool seen;
	volatile bool in_el0; /* arm64: inside guest_el0_call(): EL0's SVC #0 returns from it */
	struct guest_abort info;
} __attribute__((aligned(64)));

/* This vCPU's slot. */
struct abort_slot *abort_this_slot(void);

#endif
