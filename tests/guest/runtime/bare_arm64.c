// SPDX-License-Identifier: MIT
/*
 * Bare smoke runs (GUEST_BARE): the payload boots straight under QEMU
 * (qemu-system-aarch64 -M virt -cpu max -kernel payload.elf, EL1, no
 * hypervisor), and the hypercalls are played here with the ABI's argument
 * checks, so the runtime, printf, PSCI and the tests' own logic can be tried
 * without the hypervisor.  Stage-2 behaviour (faults, injected aborts,
 * isolation) is of course not exercised.  Never in build/arm64/guest/.
 */
#include <stdio.h>
#include <string.h>

#include "arch.h"
#include "guest.h"
#include "psci_arm64.h"

#define PL011_BASE    0x09000000UL /* QEMU virt */
#define PL011_DR      0x00
#define PL011_FR      0x18
#define PL011_FR_TXFF (1 << 5)

long bare_hcall(unsigned long id, unsigned long a1, unsigned long a2, unsigned long a3,
		unsigned long a4, unsigned long a5);

static void pl011_putc(char c)
{
	volatile uint32_t *fr = (volatile uint32_t *)(PL011_BASE + PL011_FR);
	volatile uint32_t *dr = (volatile uint32_t *)(PL011_BASE + PL011_DR);

	while (*fr & PL011_FR_TXFF)
		;
	*dr = (unsigned char)c;
}

static void pl011_puts(const char *s, size_t n)
{
	while (n--)
		pl011_putc(*s++);
}

static bool in_ram(unsigned long gpa, unsigned long len)
{
	return gpa >= guest_ram_start() && gpa < guest_ram_end() && len <= guest_ram_end() - gpa;
}

static long bare_console_write(unsigned long gpa, unsigned long len)
{
	if (len > 4096)
		return HC_EINVAL;
	if (!in_ram(gpa, len))
		return HC_EFAULT;
	pl011_puts((const char *)gpa, len);
	return len;
}

static long bare_report(unsigned long gpa, unsigned long ok)
{
	char line[160];
	size_t len;
	int n;

	if (!in_ram(gpa, 1))
		return HC_EFAULT;
	if (ok > 1)
		return HC_EINVAL;
	/* A name that runs off the end of RAM before its NUL points outside it. */
	if (in_ram(gpa, 128)) {
		len = strnlen((const char *)gpa, 128);
		if (len == 128)
			return HC_EINVAL;
	} else {
		len = strnlen((const char *)gpa, guest_ram_end() - gpa);
		if (len == guest_ram_end() - gpa)
			return HC_EFAULT;
	}
	n = snprintf(line, sizeof(line), "%s bare/%s\n", ok ? "PASS" : "FAIL", (const char *)gpa);
	pl011_puts(line, n);
	return 0;
}

static long bare_exit(unsigned long status)
{
	char line[48];
	int n = snprintf(line, sizeof(line), "guest: exit status %ld\n", (long)status);

	pl011_puts(line, n);
	psci_system_off();
	arch_halt();
}

/* Zeroing is what the hypervisor's unmap-and-free looks like to the guest. */
static long bare_give_back(unsigned long gpa, unsigned long size)
{
	if (!size || (gpa | size) % GUEST_PAGE_SIZE || !in_ram(gpa, size))
		return HC_EINVAL;
	memset((void *)gpa, 0, size);
	return 0;
}

static long bare_time_ns(void)
{
	uint64_t cnt, frq;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(cnt));
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(frq));
	return (unsigned __int128)cnt * 1000000000u / frq;
}

/* QEMU's PSCI says INVALID_PARAMETERS for an MPIDR that has no CPU. */
static long bare_vcpu_info(unsigned long which)
{
	unsigned int n = 1;

	if (which == 0)
		return arch_cpu_index();
	if (which != 1)
		return HC_EINVAL;
	while (n < GUEST_MAX_CPUS && psci_affinity_info(psci_mpidr(n)) >= 0)
		n++;
	return n;
}

long bare_hcall(unsigned long id, unsigned long a1, unsigned long a2, unsigned long a3,
		unsigned long a4, unsigned long a5)
{
	(void)a3;
	(void)a4;
	(void)a5;
	switch (id) {
	case HC_CONSOLE_WRITE:
		return bare_console_write(a1, a2);
	case HC_REPORT:
		return bare_report(a1, a2);
	case HC_EXIT:
		return bare_exit(a1);
	case HC_GIVE_BACK:
		return bare_give_back(a1, a2);
	case HC_TIME_NS:
		return bare_time_ns();
	case HC_VCPU_INFO:
		return bare_vcpu_info(a1);
	default:
		return HC_ENOSYS;
	}
}
