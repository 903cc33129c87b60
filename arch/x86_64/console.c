// SPDX-License-Identifier: MIT
/*
 * The console: newlib's _write() and the exception reports end here.  One
 * ticket lock (mmu/sync.h) makes each write atomic with respect to other
 * CPUs; stdout is line buffered (_isatty() says so), so a printf'd line
 * arrives here whole and lines from two CPUs never interleave.
 */
#include "mmu/sync.h"
#include "arch/common/uart16550.h"
#include "arch_priv.h"
#include "platform.h"

#define NO_OWNER (~0u)

static struct spinlock console_lock = SPINLOCK_INIT;
static unsigned int console_owner = NO_OWNER;
static bool com1_ready;		/* input only once set up; output goes to COM1 from the start */

void console_init(void)
{
	uart16550_setup(COM1_PORT);
	com1_ready = true;
}

int uart_getc(void)
{
	return com1_ready ? uart16550_getc(COM1_PORT) : -1;
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
		uart16550_write(COM1_PORT, s, n);
		return;
	}
	spin_lock(&console_lock);
	WRITE_ONCE(console_owner, me);
	uart16550_write(COM1_PORT, s, n);
	WRITE_ONCE(console_owner, NO_OWNER);
	spin_unlock(&console_lock);
}
