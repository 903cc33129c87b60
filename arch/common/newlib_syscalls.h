/* SPDX-License-Identifier: MIT */
/*
 * What a program linking arch/common/newlib_syscalls.c provides: the console and the
 * way out.  The heap is the linker script's [__heap_start, __heap_end).
 */
#ifndef LIB_NEWLIB_SYSCALLS_H
#define LIB_NEWLIB_SYSCALLS_H

#include <stddef.h>

/* Write up to @n bytes; the number written, <= 0 when the console failed. */
long newlib_console_write(const char *buf, size_t n);

/* Whatever has arrived, up to @n bytes, without waiting: 0 when nothing has. */
size_t newlib_console_read(char *buf, size_t n);

/* exit() ends here after stdio is flushed. */
void newlib_exit(int status) __attribute__((noreturn));

#endif
