/* SPDX-License-Identifier: MIT */
/*
 * What kvm/ asks of arch/<arch>/ about the hypervisor's own console and
 * boot arguments, and how the machine ends.
 *
 * kvm/ never names a register or an instruction; every such detail lives
 * behind the functions of the kvm/arch/ headers, which arch/<arch>/ implements.
 * Unless said otherwise a function acts on the calling physical CPU and may
 * be called with interrupts enabled.
 */
#ifndef KVM_ARCH_CONSOLE_H
#define KVM_ARCH_CONSOLE_H

#include "mmu/types.h"

/* The boot command line (arm64: the DTB's /chosen/bootargs), "" if none. */
const char *arch_boot_args(void);
/* A byte typed on the hypervisor's console, -1 if none is waiting.  Never blocks. */
int arch_console_getc(void);

/*
 * The machine ends with newlib's exit(status): it prints "hyp: exit status N"
 * and powers off (arch/arm64/syscalls.c).  hyp_main() and
 * hyp_secondary_main(cpu) (arch/arm64/platform.h) are kvm's entry points.
 */

#endif
