// SPDX-License-Identifier: MIT
/*
 * The hypervisor's side of newlib's system calls (arch/common/newlib_syscalls.c):
 * the console is the PL011, and the way out is PSCI SYSTEM_OFF.
 */
#include <stdio.h>

#include "arch/common/newlib_syscalls.h"
#include "pl011.h"
#include "platform.h"
#include "psci.h"

long newlib_console_write(const char *buf, size_t n)
{
	console_write(buf, n);
	return n;
}

size_t newlib_console_read(char *buf, size_t n)
{
	size_t got = 0;
	int c;

	while (got < n && (c = pl011_getc()) >= 0)
		buf[got++] = c;
	return got;
}

/*
 * The status line is what tools/qemu-run.sh turns into its exit status:
 * QEMU itself exits 0 on PSCI SYSTEM_OFF whatever we wanted to say.
 */
void newlib_exit(int status)
{
	char line[48];
	int n = snprintf(line, sizeof(line), "hyp: exit status %d\n", status);

	console_write(line, n);
	psci_system_off();
	arch_cpu_stop();
}
