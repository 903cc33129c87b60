// SPDX-License-Identifier: MIT
/*
 * From the start-up code to the payload: main() runs test_main() and exits
 * with the number of failed cases (exit() flushes stdio, _exit() is HC_EXIT).
 */
#include <stdio.h>
#include <stdlib.h>

#include "arch.h"
#include "guest.h"

/* The linker script's symbols. */
extern char __ram_start[], __ram_end[], __free_start[];

int main(void);

uintptr_t guest_ram_start(void)
{
	return (uintptr_t)__ram_start;
}

uintptr_t guest_ram_end(void)
{
	return (uintptr_t)__ram_end;
}

uintptr_t guest_free_start(void)
{
	return (uintptr_t)__free_start;
}

int main(void)
{
	unsigned int failed;

	printf("guest: %u vCPU(s), RAM %#lx..%#lx, free from %#lx\n", guest_cpu_count(),
	       (unsigned long)guest_ram_start(), (unsigned long)guest_ram_end(),
	       (unsigned long)guest_free_start());
	test_main();
	failed = test_failures();
	printf("%u passed, %u failed\n", test_passes(), failed);
	return failed;
}

void runtime_start(void)
{
	exit(main());
}
