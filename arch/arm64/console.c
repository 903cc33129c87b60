// SPDX-License-Identifier: MIT
/*
 * The console: newlib's _write() and the exception reports end here.  One
 * ticket lock (mmu/sync.h) makes each write atomic with respect to other
 * CPUs; stdout is line buffered (_isatty() says so), so a printf'd line
 * arrives here whole and lines from two CPUs never interleave.
 */
#include "kvm/arch/console.h"
#include "mmu/sync.h"
#include "pl011.h"
#include "platform.h"

#define NO_OWNER (~0u)

static struct spinlock console_lock = SPINLOCK_INIT;
static unsigned int console_owner = NO_OWNER;

void console_init(u64 uart_pa)
{
	pl011_init(uart_pa);
}

void console_write(const char *s, size_t n)
{
	unsigned int me = arch_cpu_id();

	/*
	 * An exception taken while this CPU writes would deadlock on its own
	 * lock; let the nested write through instead.  Only this CPU stores
	 * its own number, so the unlocked read cannot see it by mistake.
	 */
	if (READ_ONCE(console_owner) == me) {
		pl011_write(s, n);
		return;
	}
	spin_lock(&console_lock);
	WRITE_ONCE(console_owner, me);
	pl011_write(s, n);
	WRITE_ONCE(console_owner, NO_OWNER);
	spin_unlock(&console_lock);
}

/* Console input for kvm/ (an interactive guest's UART): polled, never blocks. */
int arch_console_getc(void)
{
	return pl011_getc();
}
