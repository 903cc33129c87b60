// SPDX-License-Identifier: MIT
/*
 * The console: newlib's _write() and the exception reports end here.  One
 * ticket lock (mmu/sync.h) makes each write atomic with respect to other
 * CPUs; stdout is line buffered (_isatty() says so), so a printf'd line
 * arrives here whole and lines from two CPUs never interleave.  The device
 * is the arch's (console_raw_write(): arm64 the PL011, x86-64 COM1).
 */
#include "arch/common/console.h"
#include "mmu/sync.h"
#include "platform.h"

#define NO_OWNER (~0u)

static struct spinlock console_lock = SPINLOCK_INIT;
static unsigned int console_owner = NO_OWNER;

void console_write(const char *s, size_t n)
{
	unsigned int me = arch_cpu_id();

	/*
	 * An exception taken while this CPU writes would deadlock on its own
	 * lock; let the nested write through instead.  Only this CPU stores
	 * its own number, so the unlocked read cannot see it by mistake.
	 */
	if (READ_ONCE(console_owner) == me) {
		console_raw_write(s, n);
		return;
	}
	spin_lock(&console_lock);
	WRITE_ONCE(console_owner, me);
	console_raw_write(s, n);
	WRITE_ONCE(console_owner, NO_OWNER);
	spin_unlock(&console_lock);
}
