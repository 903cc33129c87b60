/* SPDX-License-Identifier: MIT */
/*
 * The arm64 platform as the boot path leaves it: CPUs, memory, console, and
 * the entry points the rest of the hypervisor plugs into.  Usable from
 * assembly (constants only) and C.
 */
#ifndef ARCH_ARM64_PLATFORM_H
#define ARCH_ARM64_PLATFORM_H

/* MAX_CPUS: logical CPUs we can run on; more in the DTB are left off (with a warning). */
#include "mmu/types.h"
/* Per-CPU EL2 stack; exceptions taken at EL2 use the same stack (SP_EL2). */
#define HYP_STACK_SHIFT 15
#define HYP_STACK_SIZE	(1 << HYP_STACK_SHIFT)

/* Where QEMU virt puts its first PL011, for when the DTB does not say. */
#define QEMU_VIRT_PL011 0x09000000
/* ... and its GICv3 distributor and redistributor region. */
#define QEMU_VIRT_GICD	    0x08000000
#define QEMU_VIRT_GICR	    0x080a0000
#define QEMU_VIRT_GICR_SIZE 0x00f60000

#ifndef __ASSEMBLER__

#include "fdt.h"
#include "mmu/types.h"

/* A physical address range [base, base + size). */
struct phys_range {
	u64 base;
	u64 size;
};

#define BOOT_MAX_FREE 8

/*
 * What boot_main() found and set up; read-only once hyp_main() runs.
 * free[] is RAM nobody uses yet: every memory node minus the image
 * ([image_start, image_end), which includes .bss, stacks, EL2 page tables and
 * the malloc heap) and minus the DTB.  All of RAM is identity-mapped at EL2
 * as Normal Write-Back memory.
 */
struct boot_info {
	struct fdt_platform fdt; /* memory, CPUs, UART, PSCI from the DTB */
	u64 dtb_pa;
	u64 image_start, image_end;
	u64 heap_start, heap_end;
	unsigned int nr_cpus;	 /* logical CPUs online, 0 = boot CPU */
	u64 cpu_mpidr[MAX_CPUS]; /* MPIDR affinity of each logical CPU */
	unsigned int nr_free;
	struct phys_range free[BOOT_MAX_FREE];
};

extern struct boot_info boot_info;

/*
 * Entry points into the rest of the hypervisor; each image links one file
 * that defines both (kvm/'s runner; the demo image: arch/arm64/boot_demo.c).
 * hyp_main() runs on the boot CPU once every CPU is up; it never returns
 * (it ends with exit(status), which powers the machine off).
 * hyp_secondary_main() runs on each other CPU once it is up, and never
 * returns either.
 */
void hyp_main(void) __attribute__((noreturn));
void hyp_secondary_main(unsigned int cpu) __attribute__((noreturn));

/* Called from boot/arm64/entry.S with the MMU on and a stack. */
void boot_main(u64 dtb_pa) __attribute__((noreturn));
void secondary_main(u64 cpu) __attribute__((noreturn));

/* Logical number of the calling CPU (0 = the boot CPU). */
static inline unsigned int arch_cpu_id(void)
{
	u64 v;

	__asm__ volatile("mrs %0, tpidr_el2" : "=r"(v));
	return (unsigned int)v;
}

/* Spin-wait hint (Arm ARM "YIELD": this thread spins; SMT cores run the other). */
static inline void arch_cpu_relax(void)
{
	__asm__ volatile("yield" : : : "memory");
}

/*
 * Each CPU's stack has a canary at its lowest word, set at boot.  False if
 * @cpu's canary was overwritten: its stack overflowed (there is no guard page).
 */
bool arch_stack_ok(unsigned int cpu);
void arch_stack_canaries_init(void);

/* Stop the calling CPU for good: interrupts masked, WFI forever. */
void arch_cpu_stop(void) __attribute__((noreturn));

/* Counter ticks (CNTPCT_EL0) and their frequency, for timeouts. */
u64 arch_counter(void);
u64 arch_counter_freq(void);

/* EL2 stage 1 identity map: add RAM as Normal memory (boot/arm64 maps the rest). */
int el2_map_normal(u64 base, u64 size);

/* Bring up every CPU the DTB lists; returns how many run (boot CPU included). */
unsigned int smp_boot_secondaries(void);

/*
 * Console: each call writes its whole buffer under the console lock, so two
 * CPUs never mix within one call.  A CPU that already holds the lock (an
 * exception taken in the middle of a write) writes without it instead of
 * deadlocking.
 */
void console_init(u64 uart_pa);
void console_write(const char *s, size_t n);
/* psci.c: the machine off (PSCI SYSTEM_OFF); this CPU stops if that returns. */
void arch_power_off(void) __attribute__((noreturn));

#endif /* !__ASSEMBLER__ */

#endif
