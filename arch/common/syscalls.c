// SPDX-License-Identifier: MIT
/*
 * The hypervisor's side of newlib's system calls (arch/common/newlib_syscalls.c): the
 * console is the arch's (arm64 PL011, x86-64 COM1), and the way out is the arch's
 * power-off (PSCI SYSTEM_OFF, ACPI).
 */
#include <stdio.h>

#include "kvm/arch/console.h"

#include "arch/common/newlib_syscalls.h"
#include "platform.h"

long newlib_console_write(const char *buf, size_t n)
{
	console_write(buf, n);
	return n;
}

size_t newlib_console_read(char *buf, size_t n)
{
	size_t got = 0;
	int c;

	while (got < n && (c = arch_console_getc()) >= 0)
		buf[got++] = c;
	return got;
}

/*
 * The status line comes first: it is what tools/qemu-run.sh turns into its exit status,
 * since QEMU itself exits 0 on a power-off whatever we meant.
 */
void newlib_exit(int status)
{
	char line[48];
	int n = snprintf(line, sizeof(line), "hyp: exit status %d\n", status);

	console_write(line, n);
	arch_power_off();
}
