// SPDX-License-Identifier: MIT
/*
 * The machine as kvm/ sees it (kvm/arch/cpu.h, console.h, platform.h):
 * how many CPUs, which RAM is free, the boot arguments (the DTB's
 * /chosen/bootargs), a new thread's first frame, and the platform table a
 * VM gets.  Time and the tick are timer.c's, interrupts gic.c's.
 */
#include <stdio.h>
#include <string.h>

#include "kvm/arch/console.h"
#include "kvm/arch/cpu.h"
#include "kvm/arch/platform.h"
#include "kvm/platform/platform.h"

#include "arch_priv.h"
#include "platform.h"

unsigned int arch_nr_cpus(void)
{
	return boot_info.nr_cpus;
}

const char *arch_boot_args(void)
{
	return boot_info.fdt.bootargs ? boot_info.fdt.bootargs : "";
}

unsigned int arch_free_ram(struct arch_ram_range *out, unsigned int max)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < boot_info.nr_free && n < max; i++, n++) {
		out[n].base = boot_info.free[i].base;
		out[n].size = boot_info.free[i].size;
	}
	return n;
}

void arch_thread_init(struct arch_thread *t, void *stack_top, void (*fn)(void *), void *arg)
{
	extern char arch_thread_start[];

	memset(t, 0, sizeof(*t));
	t->x19_x30[0] = (u64)fn;		 /* x19 */
	t->x19_x30[1] = (u64)arg;		 /* x20 */
	t->x19_x30[11] = (u64)arch_thread_start; /* x30: where the switch returns */
	t->sp = (u64)stack_top & ~15ULL;	 /* AAPCS64: sp 16-byte aligned */
}

void arch_thread_returned(void);
void arch_thread_returned(void)
{
	printf("hyp: cpu%u: a thread function returned\n", arch_cpu_id());
	arch_cpu_stop();
}

/* arm64 VMs: QEMU virt's PL011 and a GICv3 (kvm/platform/platform.c). */
const struct vm_platform *arch_vm_platform(void)
{
	return &vm_platform_arm64;
}
