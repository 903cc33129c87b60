/* SPDX-License-Identifier: MIT */
/* Sizes the start-up code (asm) and the C runtime agree on.  Plain numbers: asm includes it. */
#ifndef GUEST_LAYOUT_H
#define GUEST_LAYOUT_H

#define GUEST_MAX_CPUS	 8
#define GUEST_STACK_SIZE 0x10000 /* 64 KiB per vCPU: printf needs a few KiB */

#endif
