// SPDX-License-Identifier: MIT
/*
 * newlib's retargetable locks (newlib is built with
 * --enable-newlib-retargetable-locking, see tools/build-newlib.sh) on the
 * ticket lock of mmu/sync.h, so that malloc and stdio work from several CPUs.
 * Same contract as arch/arm64/locks.c: recursive locks are owned per CPU
 * (hypervisor code does not migrate inside a libc call), and an interrupt or
 * exception handler must not call stdio or malloc (the recursive lock would
 * let it into a FILE or heap its CPU is in the middle of changing).
 *
 * Also the hooks mmu/sync.h asks of its environment.
 */
#include <sys/lock.h>

#include "mmu/sync.h"
#include "platform.h"
#include "x86.h"

struct __lock {
	struct spinlock sl;
	u32 owner;		/* logical CPU + 1 holding it recursively, 0 if none */
	u32 depth;
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
 * Per-FILE locks from a fixed pool, not malloc: __sfp() creates them while
 * it may hold other stdio locks, and a pool cannot fail half-way.
 */
#define LOCK_POOL_SIZE 32
static struct __lock lock_pool[LOCK_POOL_SIZE];
static u32 lock_pool_used;	/* bitmap */

void mmu_cpu_relax(void)
{
	cpu_relax();
}

unsigned int mmu_this_cpu(void)
{
	return arch_cpu_id();
}

_Static_assert(HYP_MAX_CPUS <= RWLOCK_MAX_CPUS, "struct rwlock has too few reader slots");

static u32 me(void)
{
	return arch_cpu_id() + 1;
}

static struct __lock *lock_alloc(void)
{
	u32 used = __atomic_load_n(&lock_pool_used, __ATOMIC_RELAXED);
	int i;

	do {
		if (used == ~0u) {
			static const char msg[] = "hyp: newlib lock pool exhausted\n";

			console_write(msg, sizeof(msg) - 1);
			arch_cpu_stop();
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

/* Take the lock only if it is free: nobody holds or waits (next == owner). */
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

/* 0 when acquired, as pthread_mutex_trylock() (newlib 3.3 calls none of the try forms). */
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
