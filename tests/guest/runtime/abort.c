// SPDX-License-Identifier: MIT
/*
 * guest.h's expected aborts, the portable half: a per-vCPU slot armed
 * before an access that may abort and read after it, and the probes built
 * on it.  The arch's exception handler (abort_<arch>.c) fills the slot and
 * resumes the vCPU where guest.h says.
 */
#include "abort_slot.h"
#include "arch.h"
#include "guest.h"

static struct abort_slot abort_slots[GUEST_MAX_CPUS];

struct abort_slot *abort_this_slot(void)
{
	return &abort_slots[arch_cpu_index() % GUEST_MAX_CPUS];
}

void guest_expect_abort(void)
{
	struct abort_slot *s = abort_this_slot();

	s->seen = false;
	s->armed = true;
	__asm__ volatile("" ::: "memory");
}

bool guest_abort_seen(struct guest_abort *info)
{
	struct abort_slot *s = abort_this_slot();
	bool seen;

	__asm__ volatile("" ::: "memory");
	s->armed = false;
	seen = s->seen;
	if (info)
		*info = seen ? s->info : (struct guest_abort){ .kind = GUEST_ABORT_NONE };
	return seen;
}

bool guest_probe_read(uintptr_t addr, struct guest_abort *info)
{
	guest_expect_abort();
	(void)*(volatile uint64_t *)addr;
	return guest_abort_seen(info);
}

bool guest_probe_write(uintptr_t addr, uint64_t val, struct guest_abort *info)
{
	guest_expect_abort();
	*(volatile uint64_t *)addr = val;
	return guest_abort_seen(info);
}

/*
 * A call to addr: the abort's recovery returns to this caller (arm64: BLR,
 * through x30; x86-64: the address the CALL pushed).
 */
bool guest_probe_exec(uintptr_t addr, struct guest_abort *info)
{
	guest_expect_abort();
	((void (*)(void))addr)();
	return guest_abort_seen(info);
}
