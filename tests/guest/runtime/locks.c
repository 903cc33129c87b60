// SPDX-License-Identifier: MIT
/*
 * newlib's retargetable locks (malloc, stdio) for payloads that print from
 * several vCPUs.  Every newlib lock is the same recursive spinlock: payloads
 * print little, and a single lock cannot deadlock through lock ordering.
 * The owner is the vCPU index; a vCPU does not migrate inside libc.
 */
#include <stdbool.h>
#include <sys/lock.h>

#include "arch.h"

struct __lock {
	char unused;
};

/* The static locks newlib refers to by name; their identity does not matter here. */
struct __lock __lock___sinit_recursive_mutex;
struct __lock __lock___sfp_recursive_mutex;
struct __lock __lock___atexit_recursive_mutex;
struct __lock __lock___at_quick_exit_mutex;
struct __lock __lock___malloc_recursive_mutex;
struct __lock __lock___env_recursive_mutex;
struct __lock __lock___tz_mutex;
struct __lock __lock___dd_hash_mutex;
struct __lock __lock___arc4random_mutex;

static struct {
	unsigned int owner; /* vCPU index + 1, 0 when free */
	unsigned int depth;
} big_lock;

static bool try_take(void)
{
	unsigned int me = arch_cpu_index() + 1;
	unsigned int free = 0;

	if (__atomic_load_n(&big_lock.owner, __ATOMIC_RELAXED) == me) {
		big_lock.depth++;
		return true;
	}
	if (!__atomic_compare_exchange_n(&big_lock.owner, &free, me, false, __ATOMIC_ACQUIRE,
					 __ATOMIC_RELAXED))
		return false;
	big_lock.depth = 1;
	return true;
}

static void take(void)
{
	while (!try_take())
		arch_relax();
}

static void drop(void)
{
	if (--big_lock.depth == 0)
		__atomic_store_n(&big_lock.owner, 0, __ATOMIC_RELEASE);
}

void __retarget_lock_init(_LOCK_T *lock)
{
	*lock = &__lock___sinit_recursive_mutex;
}

void __retarget_lock_init_recursive(_LOCK_T *lock)
{
	*lock = &__lock___sinit_recursive_mutex;
}

void __retarget_lock_close(_LOCK_T lock)
{
	(void)lock;
}

void __retarget_lock_close_recursive(_LOCK_T lock)
{
	(void)lock;
}

void __retarget_lock_acquire(_LOCK_T lock)
{
	(void)lock;
	take();
}

void __retarget_lock_acquire_recursive(_LOCK_T lock)
{
	(void)lock;
	take();
}

int __retarget_lock_try_acquire(_LOCK_T lock)
{
	(void)lock;
	return try_take();
}

int __retarget_lock_try_acquire_recursive(_LOCK_T lock)
{
	(void)lock;
	return try_take();
}

void __retarget_lock_release(_LOCK_T lock)
{
	(void)lock;
	drop();
}

void __retarget_lock_release_recursive(_LOCK_T lock)
{
	(void)lock;
	drop();
}
