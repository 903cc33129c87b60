/* SPDX-License-Identifier: MIT */
/*
 * Between arch/common/console.c, which makes each console_write() whole
 * under one lock, and the arch's console.c, which owns the device.
 */
#ifndef ARCH_COMMON_CONSOLE_H
#define ARCH_COMMON_CONSOLE_H

#include <stddef.h>

/*
 * The arch's console.c: put @n bytes on the console device, polled.  Called
 * with the console lock held, or by a nested write on the CPU that holds it.
 */
void console_raw_write(const char *s, size_t n);

#endif
