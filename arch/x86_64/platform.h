/* SPDX-License-Identifier: MIT */
/*
 * The x86-64 platform as the boot path leaves it: CPUs, memory, console,
 * timer, and the entry points the rest of the hypervisor plugs into.  The
 * same shape as arch/arm64/platform.h.  Usable from assembly (constants only).
 */
#ifndef ARCH_X86_64_PLATFORM_H
#define ARCH_X86_64_PLATFORM_H

/* MAX_CPUS: logical CPUs we can run on; more in the MADT are left off (with a warning). */
#include "mmu/types.h"
/* Per-CPU stack; interrupts and most exceptions run on it too. */
#define HYP_STACK_SHIFT 15
#define HYP_STACK_SIZE	(1 << HYP_STACK_SHIFT)
/* Interrupt stacks (TSS IST, Intel SDM vol. 3A 6.14.5): #DF, NMI, #MC each get one. */
#define HYP_IST_SIZE 8192
#define HYP_NR_IST   3
#define IST_DF	     1
#define IST_NMI	     2
#define IST_MC	     3

/* Interrupt vectors we use (0-31 are the CPU's exceptions). */
#define VEC_TIMER    0x20 /* LAPIC timer: the tick */
#define VEC_IPI	     0xf0 /* wake-up / reschedule IPI (nothing sends it yet) */
#define VEC_SPURIOUS 0xff /* LAPIC spurious vector: no EOI */

/* The 16550 UART QEMU (and most PCs) put at the first COM port. */
#define COM1_PORT 0x3f8
#define COM2_PORT 0x2f8 /* the guest debugger's channel (debug.c) */

/*
 * The AP start-up code's data block (boot/x86_64/trampoline.S), at
 * TRAMPOLINE_DATA bytes into the page: what the next AP needs to reach C.
 */
#define TRAMPOLINE_DATA 0xf00
#define TD_CR3		0x00 /* u64: our page tables, below 4 GiB */
#define TD_ENTRY	0x08 /* u64: x86_secondary_entry */
#define TD_STACK	0x10 /* u64: the AP's stack top */
#define TD_CPU		0x18 /* u32: its logical CPU number */

#ifndef __ASSEMBLER__

#include "boot/x86_64/handoff.h"
#include "mmu/types.h"

/* A physical address range [base, base + size). */
struct phys_range {
	u64 base;
	u64 size;
};

#define BOOT_MAX_FREE 32

/*
 * What boot_main() found and set up; read-only once hyp_main() runs.
 * free[] is RAM nobody uses: UEFI's conventional and boot-services memory
 * above 1 MiB (the image, its stacks, page tables and heap, the stub, the
 * memory map and the trampoline are EfiLoaderCode/Data, so not in it),
 * sorted and merged.  All RAM up to ram_top is identity-mapped write-back;
 * everything else below 4 GiB (LAPIC, IOAPIC, HPET, PCI) uncached.
 */
struct boot_info {
	const struct x86_handoff *handoff;
	u64 image_start, image_end;
	u64 heap_start, heap_end;
	u64 ram_total;		   /* bytes of RAM of any use in the memory map */
	u64 ram_top;		   /* end of the highest RAM range mapped */
	u64 map_top;		   /* end of the identity map */
	unsigned int nr_cpus;	   /* logical CPUs online, 0 = boot CPU */
	u32 cpu_apic_id[MAX_CPUS]; /* local APIC ID of each logical CPU */
	u64 lapic_pa, ioapic_pa;
	u64 tsc_hz, lapic_timer_hz; /* measured against the PIT */
	unsigned int nr_free;
	struct phys_range free[BOOT_MAX_FREE];
};

extern struct boot_info boot_info;

/*
 * Per-CPU data, reached through GS base (IA32_GS_BASE): %gs:0 is the
 * structure's own address, %gs:8 the logical CPU number.  Code that changes
 * GS base (SVM's VMLOAD of a guest's) must restore the host's before C runs.
 */
struct x86_percpu {
	struct x86_percpu *self;
	u32 cpu;
	u32 apic_id;
	u64 ticks; /* LAPIC timer interrupts taken */
};

extern struct x86_percpu x86_percpu[MAX_CPUS];

/* Logical number of the calling CPU (0 = the boot CPU). */
static inline unsigned int arch_cpu_id(void)
{
	u32 v;

	__asm__ volatile("movl %%gs:8, %0" : "=r"(v));
	return v;
}

/* PAUSE: a spin-wait hint (Intel SDM vol. 2B); saves power, helps SMT siblings. */
static inline void arch_cpu_relax(void)
{
	__asm__ volatile("pause" : : : "memory");
}

static inline struct x86_percpu *this_cpu(void)
{
	struct x86_percpu *p;

	__asm__ volatile("movq %%gs:0, %0" : "=r"(p));
	return p;
}

/*
 * Entry points into the rest of the hypervisor; each image links one file
 * that defines both (kvm/'s runner; the demo image: arch/x86_64/boot_demo.c).
 * hyp_main() runs on the boot CPU once every CPU is up; it never returns
 * (it ends with exit(status), which powers the machine off).
 * hyp_secondary_main() runs on each other CPU once it is up, and never
 * returns either.  Both start with interrupts disabled.
 */
void hyp_main(void) __attribute__((noreturn));
void hyp_secondary_main(unsigned int cpu) __attribute__((noreturn));

/* Called from boot/x86_64/entry.S on the CPU's own stack. */
void boot_main(const struct x86_handoff *h) __attribute__((noreturn));
void secondary_main(unsigned int cpu) __attribute__((noreturn));

/* Stop the calling CPU for good: interrupts off, HLT forever. */
void arch_cpu_stop(void) __attribute__((noreturn));

/* Each CPU's stack has a canary at its lowest word; false if @cpu's was overwritten. */
bool arch_stack_ok(unsigned int cpu);

/* TSC ticks and their frequency, for timeouts (same clock on every CPU). */
static inline u64 arch_counter(void)
{
	u32 lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((u64)hi << 32) | lo;
}

static inline u64 arch_counter_freq(void)
{
	return boot_info.tsc_hz;
}

void udelay(u64 us);
/* Monotonic nanoseconds (TSC), the same clock on every CPU. */
u64 x86_time_ns(void);

/*
 * Console: each call writes its whole buffer under the console lock, so two
 * CPUs never mix within one call.  A CPU that already holds the lock (an
 * exception taken in the middle of a write) writes without it instead of
 * deadlocking.
 */
void console_init(void);
void console_write(const char *s, size_t n);

/*
 * The tick: start this CPU's LAPIC timer with a period of @period_ns; each
 * interrupt counts in this_cpu()->ticks and calls @hook (interrupt context,
 * interrupts off, on the interrupted stack; may use SSE) if not NULL.  The
 * hook is one for all CPUs: the last caller's wins.  Interrupts stay as
 * they are: enable them to take the tick.
 */
void x86_tick_start(u64 period_ns, void (*hook)(void));
void x86_tick_stop(void);

/* Power the machine off (ACPI S5 from the FADT); stops the CPU if that fails. */
void x86_power_off(void) __attribute__((noreturn));
/* The way out of newlib's exit() (arch/common/syscalls.c). */
static inline void __attribute__((noreturn)) arch_power_off(void)
{
	x86_power_off();
}

#endif /* !__ASSEMBLER__ */

#endif
