/* SPDX-License-Identifier: MIT */
/*
 * Between the files of arch/x86_64: the boot path's internal interfaces.
 */
#ifndef ARCH_X86_64_ARCH_PRIV_H
#define ARCH_X86_64_ARCH_PRIV_H

#include "boot/x86_64/handoff.h"
#include "mmu/types.h"

/* desc.c: GDT, TSS, IDT (once), then per CPU: tables, GS base, SSE, PAT. */
void x86_desc_init(void);
void x86_cpu_init(unsigned int cpu);

/* memmap.c: the UEFI memory map into boot_info (free[], ram_total, ram_top). */
void memmap_parse(const struct x86_handoff *h);
void memmap_print(const struct x86_handoff *h);
/* Is [base, base + size) RAM the firmware says is write-back? */
bool memmap_is_wb_ram(const struct x86_handoff *h, u64 base, u64 size);
u64 memmap_ram_top(const struct x86_handoff *h);

/* host_mmu.c: our identity map; returns the CR3 value (below 4 GiB). */
u64 paging_init(const struct x86_handoff *h);
u64 paging_cr3(void);

/* console.c: COM1, console input (-1: nothing waiting, or the console not set up). */
int uart_getc(void);

/* acpi.c: MADT (CPUs, LAPIC, IOAPIC) and FADT (power off). */
#define ACPI_MAX_CPUS 64
struct acpi_info {
	unsigned int nr_cpus;
	u32 apic_id[ACPI_MAX_CPUS]; /* enabled or online-capable, MADT order */
	u64 lapic_pa, ioapic_pa;
	u16 pm1a_cnt, pm1b_cnt; /* I/O ports, 0 if none */
	u8 slp_typ_s5a, slp_typ_s5b;
	bool have_s5;
};
extern struct acpi_info acpi_info;
void acpi_init(u64 rsdp);

/* lapic.c */
void lapic_init(void);	   /* boot CPU: base, calibration */
void lapic_cpu_init(void); /* every CPU: enable, LVTs */
u32 lapic_id(void);
void lapic_eoi(void);
void lapic_send_ipi(u32 apic_id, u32 icr_lo);
#define ICR_INIT    0x4500 /* INIT, level assert */
#define ICR_STARTUP 0x4600 /* STARTUP, vector in bits 7:0 */
#define ICR_FIXED   0x4000 /* fixed delivery, level assert, vector in bits 7:0 */

/* smp.c */
unsigned int smp_boot_secondaries(const struct x86_handoff *h);
void arch_stack_canaries_init(void);

#endif
