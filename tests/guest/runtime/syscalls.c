// SPDX-License-Identifier: MIT
/*
 * A payload's side of newlib's system calls (arch/common/newlib_syscalls.c): the
 * console is HC_CONSOLE_WRITE, there is nothing to read, and _exit() is
 * HC_EXIT.
 */
#include "arch.h"
#include "arch/common/newlib_syscalls.h"
#include "guest.h"

#define CONSOLE_CHUNK 4096 /* HC_CONSOLE_WRITE's limit */

long newlib_console_write(const char *buf, size_t n)
{
	return hc_console_write(buf, n < CONSOLE_CHUNK ? n : CONSOLE_CHUNK);
}

size_t newlib_console_read(char *buf, size_t n)
{
	(void)buf;
	(void)n;
	return 0;
}

void newlib_exit(int status)
{
	hc_exit(status);
}
