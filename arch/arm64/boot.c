// SPDX-License-Identifier: MIT
/*
 * The boot CPU's C entry: read the DTB, open the console, map all RAM, find
 * PSCI, start the other CPUs, then hand over to hyp_main().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch_priv.h"
#include "platform.h"
#include "psci.h"
#include "sysreg.h"

struct boot_info boot_info;

/* linker/arm64-hyp.ld */
extern char _image_start[], _end[], __heap_start[], __heap_end[];
extern void (*__init_array_start[])(void);
extern void (*__init_array_end[])(void);

/* Without a DTB, assume QEMU virt: 1 GiB at 0x40000000, one CPU, PSCI via SMC. */
static void fdt_defaults(struct fdt_platform *p)
{
	memset(p, 0, sizeof(*p));
	p->nr_mem = 1;
	p->mem[0].base = 0x40000000;
	p->mem[0].size = SZ_1G;
	p->nr_cpus = 1;
	p->cpu_mpidr[0] = read_sysreg(mpidr_el1) & MPIDR_AFF_MASK;
	p->uart_base = QEMU_VIRT_PL011;
	strcpy(p->psci_method, "smc");
	p->gicd_base = QEMU_VIRT_GICD;
	p->gicr_base = QEMU_VIRT_GICR;
	p->gicr_size = QEMU_VIRT_GICR_SIZE;
}

static void setup_psci(const struct fdt_platform *p)
{
	/* An HVC from EL2 would trap to our own vectors: SMC is the only way out. */
	if (strcmp(p->psci_method, "smc"))
		printf("hyp: DTB PSCI method \"%s\" unusable at EL2; trying SMC\n", p->psci_method);
	psci_set_conduit(PSCI_CONDUIT_SMC);
}

static void map_ram(const struct fdt_platform *p)
{
	for (unsigned int i = 0; i < p->nr_mem; i++) {
		if (el2_map_normal(p->mem[i].base, p->mem[i].size))
			printf("hyp: could not map all of RAM 0x%llx+0x%llx at EL2\n",
			       (unsigned long long)p->mem[i].base,
			       (unsigned long long)p->mem[i].size);
	}
}

static void add_free(struct boot_info *bi, u64 base, u64 end)
{
	if (base < end && bi->nr_free < BOOT_MAX_FREE)
		bi->free[bi->nr_free++] = (struct phys_range){ base, end - base };
}

/* free[] = RAM minus the image and the DTB (each region splits at most twice). */
static void compute_free(struct boot_info *bi)
{
	struct phys_range holes[2] = {
		{ bi->image_start, bi->image_end - bi->image_start },
		{ bi->dtb_pa, bi->fdt.dtb_size },
	};

	if (holes[1].base < holes[0].base) {
		struct phys_range t = holes[0];

		holes[0] = holes[1];
		holes[1] = t;
	}
	for (unsigned int i = 0; i < bi->fdt.nr_mem; i++) {
		u64 base = bi->fdt.mem[i].base, end = base + bi->fdt.mem[i].size;

		for (unsigned int h = 0; h < 2; h++) {
			u64 hb = holes[h].base, he = hb + holes[h].size;

			if (!holes[h].size || he <= base || hb >= end)
				continue;
			add_free(bi, base, hb);
			base = he;
		}
		add_free(bi, base, end);
	}
}

static bool overlaps(u64 a, u64 a_end, u64 b, u64 b_end)
{
	return a < b_end && b < a_end;
}

/*
 * The loader chose where the DTB goes (QEMU: 128 MiB into RAM, or half of
 * RAM when there is less than 256 MiB); with little RAM it can land on our
 * .bss or heap, which we would then overwrite.  Refuse to run like that.
 */
static void check_layout(const struct boot_info *bi)
{
	const struct fdt_platform *p = &bi->fdt;
	bool in_ram = false;

	for (unsigned int i = 0; i < p->nr_mem; i++)
		in_ram |= bi->image_start >= p->mem[i].base &&
			  bi->image_end <= p->mem[i].base + p->mem[i].size;
	if (!in_ram) {
		printf("hyp: image, stacks and heap [0x%llx, 0x%llx) do not fit in RAM; more -m?\n",
		       (unsigned long long)bi->image_start, (unsigned long long)bi->image_end);
		exit(1);
	}
	if (bi->dtb_pa &&
	    overlaps(bi->dtb_pa, bi->dtb_pa + p->dtb_size, bi->image_start, bi->image_end)) {
		printf("hyp: DTB [0x%llx, +0x%x) overlaps the image, stacks or heap; more -m?\n",
		       (unsigned long long)bi->dtb_pa, p->dtb_size);
		exit(1);
	}
}

static void run_constructors(void)
{
	for (void (**f)(void) = __init_array_start; f < __init_array_end; f++)
		(*f)();
}

static void print_platform(const struct boot_info *bi)
{
	const struct fdt_platform *p = &bi->fdt;
	u64 total = 0;

	for (unsigned int i = 0; i < p->nr_mem; i++)
		total += p->mem[i].size;
	printf("hyp: EL%u, DTB at 0x%llx, memory 0x%llx+%llu MiB",
	       (unsigned int)(read_sysreg(CurrentEL) >> 2), (unsigned long long)bi->dtb_pa,
	       (unsigned long long)p->mem[0].base, (unsigned long long)(p->mem[0].size >> 20));
	if (p->nr_mem > 1)
		printf(" (%u ranges, %llu MiB in all)", p->nr_mem,
		       (unsigned long long)(total >> 20));
	printf(", %u CPUs, PL011 at 0x%llx\n", p->nr_cpus, (unsigned long long)p->uart_base);
}

void boot_main(u64 dtb_pa)
{
	struct boot_info *bi = &boot_info;
	bool have_dtb;

	arch_stack_canaries_init();
	have_dtb = !fdt_parse_platform((const void *)dtb_pa, &bi->fdt);

	if (!have_dtb || !bi->fdt.nr_mem || !bi->fdt.nr_cpus)
		fdt_defaults(&bi->fdt);
	if (!bi->fdt.uart_base)
		bi->fdt.uart_base = QEMU_VIRT_PL011;
	console_init(bi->fdt.uart_base);
	if (!have_dtb)
		printf("hyp: no valid DTB at 0x%llx; assuming QEMU virt\n",
		       (unsigned long long)dtb_pa);

	bi->dtb_pa = have_dtb ? dtb_pa : 0;
	bi->image_start = (u64)_image_start;
	bi->image_end = (u64)_end;
	bi->heap_start = (u64)__heap_start;
	bi->heap_end = (u64)__heap_end;
	check_layout(bi);
	map_ram(&bi->fdt);
	compute_free(bi);
	setup_psci(&bi->fdt);
	run_constructors();
	print_platform(bi);
	arch_init();
	arch_cpu_init();

	bi->nr_cpus = smp_boot_secondaries();
	hyp_main();
}
