// SPDX-License-Identifier: MIT
/*
 * boot_main(): the boot CPU from the UEFI stub's jump to hyp_main().  Takes
 * the machine over from the firmware in an order where each step only needs
 * the ones before it: our descriptor tables and per-CPU pointer, the console,
 * our identity map (before any free RAM is used: UEFI's page tables live in
 * free RAM), the memory map, constructors, the LAPIC and its timer's
 * frequency, ACPI, the other CPUs.
 */
#include <stdio.h>

#include "arch_priv.h"
#include "platform.h"
#include "virt.h"
#include "x86.h"

struct boot_info boot_info;

extern char _image_start[], _end[], __heap_start[], __heap_end[];
extern void (*__init_array_start[])(void);
extern void (*__init_array_end[])(void);

/*
 * The 8259 PICs: mask every line (OCW1 to both data ports).  We take
 * interrupts from the LAPIC only; a legacy line the firmware left unmasked
 * would otherwise arrive on a vector of its choosing once we enable
 * interrupts.
 */
static void mask_8259(void)
{
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

static void banner(const struct x86_handoff *h)
{
	struct cpuid_regs v = cpuid(0, 0);
	char vendor[13];

	__builtin_memcpy(vendor, &v.ebx, 4);
	__builtin_memcpy(vendor + 4, &v.edx, 4);
	__builtin_memcpy(vendor + 8, &v.ecx, 4);
	vendor[12] = 0;
	printf("hyp: x86-64, %s, UEFI handoff at %p (ExitBootServices took %u %s)\n", vendor,
	       (const void *)h, h->exit_tries, h->exit_tries == 1 ? "try" : "tries");
	printf("hyp: image [0x%llx, 0x%llx), heap %llu MiB, TSC %llu.%03llu MHz, "
	       "LAPIC timer %llu kHz\n",
	       (unsigned long long)boot_info.image_start, (unsigned long long)boot_info.image_end,
	       (unsigned long long)((boot_info.heap_end - boot_info.heap_start) >> 20),
	       (unsigned long long)(boot_info.tsc_hz / 1000000),
	       (unsigned long long)(boot_info.tsc_hz / 1000 % 1000),
	       (unsigned long long)(boot_info.lapic_timer_hz / 1000));
	printf("hyp: ACPI RSDP 0x%llx: %u CPUs in the MADT, LAPIC 0x%llx, IOAPIC 0x%llx, "
	       "PM1a_CNT 0x%x%s\n",
	       (unsigned long long)h->rsdp, acpi_info.nr_cpus,
	       (unsigned long long)boot_info.lapic_pa, (unsigned long long)acpi_info.ioapic_pa,
	       acpi_info.pm1a_cnt, acpi_info.have_s5 ? " (S5 ok)" : "");
	if (h->cmdline[0])
		printf("hyp: command line \"%s\"\n", h->cmdline);
	printf("hyp: virtualization: %s\n", x86_virt_describe(x86_virt_detect()));
}

void boot_main(const struct x86_handoff *h)
{
	static const char bad[] = "hyp: bad handoff from the UEFI stub\n";

	x86_desc_init();
	x86_cpu_init(0);
	console_init();
	arch_stack_canaries_init();
	if (h->magic != X86_HANDOFF_MAGIC) {
		console_write(bad, sizeof(bad) - 1);
		arch_cpu_stop();
	}
	boot_info.handoff = h;
	boot_info.image_start = (u64)_image_start;
	boot_info.image_end = (u64)_end;
	boot_info.heap_start = (u64)__heap_start;
	boot_info.heap_end = (u64)__heap_end;
	mask_8259();
	paging_init(h);
	memmap_parse(h);

	for (void (**f)(void) = __init_array_start; f < __init_array_end; f++)
		(*f)();

	lapic_init();
	acpi_init(h->rsdp);
	boot_info.ioapic_pa = acpi_info.ioapic_pa;
	banner(h);
	boot_info.nr_cpus = smp_boot_secondaries(h);
	hyp_main();
}
