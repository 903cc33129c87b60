// SPDX-License-Identifier: MIT
/*
 * newlib's retargetable locks for the hypervisor (newlib is built with
 * --enable-newlib-retargetable-locking, see tools/build-newlib.sh), on the
 * ticket lock of mmu/sync.h, so that malloc and stdio work from several CPUs
 * at once.  The guest payloads use one big lock instead
 * (tests/guest/runtime/locks.c).
 *
 * Recursive locks are owned per CPU (mmu_this_cpu()): hypervisor code does
 * not migrate in the middle of a libc call.  An interrupt or exception
 * handler must not call stdio or malloc: the recursive lock would let it
 * into a FILE or the heap its CPU is in the middle of changing (exception
 * reports use snprintf and the raw console for that reason).
 */
#include <sys/lock.h>

#include "arch/common/newlib_syscalls.h"
#include "mmu/sync.h"

struct __lock {
	struct spinlock sl;
	u32 owner; /* mmu_this_cpu() + 1 while held recursively, 0 if not */
	u32 depth; /* recursive acquisitions by the owner */
};

/* The static locks newlib names (newlib/libc/misc/lock.c). */
struct __lock __lock___sinit_recursive_mutex;
struct __lock __lock___sfp_recursive_mutex;
struct __lock __lock___atexit_recursive_mutex;
struct __lock __lock___at_quick_exit_mutex;
struct __lock __lock___malloc_recursive_mutex;
struct __lock __lock___env_recursive_mutex;
struct __lock __lock___tz_mutex;
struct __lock __lock___dd_hash_mutex;
struct __lock __lock___arc4random_mutex;

/*
 * Per-FILE locks come from a fixed pool rather than malloc: __sfp() creates
 * them while it may already hold other stdio locks, and a pool cannot fail
 * half-way.  Three for stdin/stdout/stderr plus a few fopen()s.
 */
#define LOCK_POOL_SIZE 32
static struct __lock lock_pool[LOCK_POOL_SIZE];
static u32 lock_pool_used; /* bitmap */

static u32 me(void)
{
	return mmu_this_cpu() + 1;
}

static struct __lock *lock_alloc(void)
{
	u32 used = __atomic_load_n(&lock_pool_used, __ATOMIC_RELAXED);
	int i;

	do {
		if (used == ~0u) {
			static const char msg[] = "hyp: newlib lock pool exhausted\n";

			/* Not stdio: its locks are what ran out.  The trap stops this CPU. */
			newlib_console_write(msg, sizeof(msg) - 1);
			__builtin_trap();
		}
		i = __builtin_ctz(~used);
	} while (!__atomic_compare_exchange_n(&lock_pool_used, &used, used | (1u << i), false,
					      __ATOMIC_ACQUIRE, __ATOMIC_RELAXED));
	lock_pool[i] = (struct __lock){ SPINLOCK_INIT, 0, 0 };
	return &lock_pool[i];
}

static void lock_free(struct __lock *l)
{
	if (l >= lock_pool && l < lock_pool + LOCK_POOL_SIZE)
		__atomic_fetch_and(&lock_pool_used, ~(1u << (l - lock_pool)), __ATOMIC_RELEASE);
}

/*
 * Take ticket "owner" only if nobody holds or waits for the lock (next ==
 * owner).  The owner never passes next, so if next still equals the owner
 * we read, success means the lock is ours.
 */
static bool ticket_trylock(struct spinlock *sl)
{
	u32 owner = __atomic_load_n(&sl->owner, __ATOMIC_RELAXED), next = owner;

	return __atomic_compare_exchange_n(&sl->next, &next, owner + 1, false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

void __retarget_lock_init(_LOCK_T *lock)
{
	*lock = lock_alloc();
}

void __retarget_lock_init_recursive(_LOCK_T *lock)
{
	*lock = lock_alloc();
}

void __retarget_lock_close(_LOCK_T lock)
{
	lock_free(lock);
}

void __retarget_lock_close_recursive(_LOCK_T lock)
{
	lock_free(lock);
}

void __retarget_lock_acquire(_LOCK_T lock)
{
	spin_lock(&lock->sl);
}

void __retarget_lock_release(_LOCK_T lock)
{
	spin_unlock(&lock->sl);
}

/*
 * Nothing in newlib 3.3 calls the try forms.  They answer as
 * pthread_mutex_trylock() (0 when acquired), as newlib's Linux port maps
 * them; newlib's single-threaded dummies return 1, which says nothing.
 */
int __retarget_lock_try_acquire(_LOCK_T lock)
{
	return ticket_trylock(&lock->sl) ? 0 : -1;
}

void __retarget_lock_acquire_recursive(_LOCK_T lock)
{
	if (READ_ONCE(lock->owner) == me()) {
		lock->depth++;
		return;
	}
	spin_lock(&lock->sl);
	WRITE_ONCE(lock->owner, me());
	lock->depth = 1;
}

int __retarget_lock_try_acquire_recursive(_LOCK_T lock)
{
	if (READ_ONCE(lock->owner) == me()) {
		lock->depth++;
		return 0;
	}
	if (!ticket_trylock(&lock->sl))
		return -1;
	WRITE_ONCE(lock->owner, me());
	lock->depth = 1;
	return 0;
}

void __retarget_lock_release_recursive(_LOCK_T lock)
{
	if (--lock->depth)
		return;
	WRITE_ONCE(lock->owner, 0);
	spin_unlock(&lock->sl);
}
