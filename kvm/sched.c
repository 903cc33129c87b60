// SPDX-License-Identifier: MIT
/*
 * Per-CPU run queues and thread switching (the contract is in sched.h).
 *
 * A CPU's queue holds its runnable threads except the one running.  Only
 * the owning CPU takes threads off its queue; other CPUs only add to it
 * (sched_wake), so a CPU may drop its queue lock before it switches: nobody
 * else can start the thread it is leaving.
 *
 * Interrupts are disabled around queue manipulation and switches: the lock
 * is also taken by threads of the same CPU, and a switch must not be
 * interrupted half way.  The tick handler takes no lock; it only sets the
 * need-resched word.
 *
 * A switched-out thread's stack is in use until the switch has saved its
 * registers, so the thread that runs next clears its on_cpu flag
 * (sched_finish_switch): only then may a dead thread's stack be freed.
 */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "sched.h"

struct sched_cpu {
	struct spinlock lock;
	struct sched_thread *head, *tail; /* run queue */
	struct sched_thread *curr;	  /* NULL: the idle context */
	struct sched_thread *prev;	  /* switched out, on_cpu still set */
	struct sched_thread *sleepers;	  /* blocked with a deadline (sched_block_until) */
	struct sched_thread idle;
	u64 switches;
	u64 resched_since;	 /* when need_resched was raised, ns */
	u64 resched_latency_max; /* longest wait from raise to kvm_resched */
	u32 need_resched;	 /* set by the tick, cleared by kvm_resched */
} __attribute__((aligned(64)));

#define SCHED_STACK_PAINT 0x5a

struct rcu_state kvm_rcu;
static struct sched_cpu *sched_cpus;
static unsigned int sched_nr_cpus;
static u64 sched_stack_peak; /* deepest use seen in a released thread's stack */

static struct sched_cpu *this_sched_cpu(void)
{
	return &sched_cpus[arch_cpu_id()];
}

int sched_init(unsigned int nr_cpus)
{
	unsigned int i;

	sched_cpus = memalign(64, nr_cpus * sizeof(*sched_cpus));
	if (!sched_cpus)
		return -ENOMEM;
	memset(sched_cpus, 0, nr_cpus * sizeof(*sched_cpus));
	for (i = 0; i < nr_cpus; i++) {
		sched_cpus[i].lock = (struct spinlock)SPINLOCK_INIT;
		sched_cpus[i].idle.cpu = i;
		sched_cpus[i].idle.state = SCHED_RUNNABLE;
	}
	sched_nr_cpus = nr_cpus;
	return 0;
}

/* Called first by whatever runs after a switch: the previous thread's stack is free now. */
static void sched_finish_switch(struct sched_cpu *c)
{
	struct sched_thread *prev = c->prev;

	c->prev = NULL;
	if (prev)
		__atomic_store_n(&prev->on_cpu, 0, __ATOMIC_RELEASE);
}

static void sched_thread_start(void *arg)
{
	struct sched_thread *t = arg;

	sched_finish_switch(this_sched_cpu());
	arch_irq_enable(); /* threads run with interrupts enabled */
	t->fn(t->arg);
	sched_exit();
}

int sched_thread_init(struct sched_thread *t, unsigned int cpu, void (*fn)(void *), void *arg)
{
	memset(t, 0, sizeof(*t));
	t->stack = memalign(16, SCHED_STACK_SIZE);
	if (!t->stack)
		return -ENOMEM;
	/* Painted, so that release can tell how deep the thread went (there is no guard page). */
	memset(t->stack, SCHED_STACK_PAINT, SCHED_STACK_SIZE);
	t->fn = fn;
	t->arg = arg;
	t->cpu = cpu % sched_nr_cpus;
	t->state = SCHED_NEW;
	arch_thread_init(&t->arch, (u8 *)t->stack + SCHED_STACK_SIZE, sched_thread_start, t);
	return 0;
}

bool sched_thread_gone(struct sched_thread *t)
{
	enum sched_state s = __atomic_load_n(&t->state, __ATOMIC_ACQUIRE);

	if (s != SCHED_DEAD && s != SCHED_NEW)
		return false;
	return !__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE);
}

u64 sched_thread_stack_used(const struct sched_thread *t)
{
	const u8 *p = t->stack;
	u64 untouched = 0;

	if (!p)
		return 0;
	while (untouched < SCHED_STACK_SIZE && p[untouched] == SCHED_STACK_PAINT)
		untouched++;
	return SCHED_STACK_SIZE - untouched;
}

void sched_thread_release(struct sched_thread *t)
{
	u64 used = sched_thread_stack_used(t);

	if (!t->stack)
		return;
	if (used > sched_stack_peak)
		sched_stack_peak = used;
	free(t->stack);
	t->stack = NULL;
}

static void rq_push(struct sched_cpu *c, struct sched_thread *t)
{
	t->next = NULL;
	if (c->tail)
		c->tail->next = t;
	else
		c->head = t;
	c->tail = t;
}

static struct sched_thread *rq_pop(struct sched_cpu *c)
{
	struct sched_thread *t = c->head;

	if (t) {
		c->head = t->next;
		if (!c->head)
			c->tail = NULL;
	}
	return t;
}

/* Take @t off its CPU's sleeper list, if it is on it.  Run-queue lock held. */
static void sleepers_remove(struct sched_cpu *c, struct sched_thread *t)
{
	struct sched_thread **p;

	if (!t->sleeping)
		return;
	for (p = &c->sleepers; *p; p = &(*p)->sleep_next)
		if (*p == t) {
			*p = t->sleep_next;
			break;
		}
	t->sleeping = false;
}

/* From the tick (interrupt context): wake the sleepers whose deadline passed. */
static void sched_wake_sleepers(struct sched_cpu *c)
{
	struct sched_thread **p, *t;
	u64 now;

	if (!READ_ONCE(c->sleepers))
		return;
	now = arch_time_ns();
	spin_lock(&c->lock);
	for (p = &c->sleepers; (t = *p);) {
		if (t->wake_at > now) {
			p = &t->sleep_next;
			continue;
		}
		*p = t->sleep_next;
		t->sleeping = false;
		t->state = SCHED_RUNNABLE;
		rq_push(c, t);
	}
	spin_unlock(&c->lock);
}

void sched_wake(struct sched_thread *t)
{
	struct sched_cpu *c = &sched_cpus[t->cpu];
	unsigned long flags = arch_irq_save();

	spin_lock(&c->lock);
	if (t->state == SCHED_NEW || t->state == SCHED_BLOCKED) {
		sleepers_remove(c, t);
		t->state = SCHED_RUNNABLE;
		rq_push(c, t);
	} else if (t->state == SCHED_RUNNABLE) {
		t->wake_pending = true;
	}
	spin_unlock(&c->lock);
	arch_irq_restore(flags);
}

/*
 * Switch from the current context to @next (a thread, or NULL for the idle
 * context).  Interrupts disabled, queue lock dropped.  Threads switch only
 * outside read-side sections (no shared walk spans a switch, so the per-CPU
 * reader slot of the MMU lock is never left set by a thread that is not
 * running); kvm_resched() reports its switches as quiescent states.
 */
static void sched_switch(struct sched_cpu *c, struct sched_thread *next)
{
	struct sched_thread *from = c->curr ? c->curr : &c->idle;
	struct sched_thread *to = next ? next : &c->idle;

	if (from == to)
		return;
	c->curr = next;
	c->prev = from;
	c->switches++;
	__atomic_store_n(&to->on_cpu, 1, __ATOMIC_RELAXED);
	arch_thread_switch(&from->arch, &to->arch);
	sched_finish_switch(this_sched_cpu());
}

/* How long the thread took to honour the tick: what a long zap's rescheduling points bound. */
static void sched_note_latency(struct sched_cpu *c)
{
	unsigned long flags = arch_irq_save();
	u64 since = c->resched_since, lat;

	c->resched_since = 0;
	WRITE_ONCE(c->need_resched, 0);
	arch_irq_restore(flags);
	if (!since)
		return;
	lat = arch_time_ns() - since;
	if (lat > c->resched_latency_max)
		c->resched_latency_max = lat;
}

void kvm_resched(void)
{
	struct sched_cpu *c = this_sched_cpu();
	struct sched_thread *curr = c->curr, *next;
	unsigned long flags;

	if (!curr) {
		WRITE_ONCE(c->need_resched, 0);
		rcu_quiescent(&kvm_rcu, arch_cpu_id());
		return;
	}
	sched_note_latency(c);
	rcu_quiescent(&kvm_rcu, arch_cpu_id());
	flags = arch_irq_save();
	spin_lock(&c->lock);
	next = rq_pop(c);
	if (next)
		rq_push(c, curr);
	spin_unlock(&c->lock);
	if (next)
		sched_switch(c, next);
	arch_irq_restore(flags);
}

const u32 *kvm_need_resched_word(void)
{
	return &this_sched_cpu()->need_resched;
}

/* From interrupt context: no lock, no RCU report (the interrupted code may be a reader). */
void kvm_sched_tick(void)
{
	struct sched_cpu *c;

	if (!sched_cpus)
		return;
	c = this_sched_cpu();
	/* Latency is measured only for a thread; the idle context has nobody to wait for. */
	if (c->curr && !c->resched_since)
		c->resched_since = arch_time_ns();
	WRITE_ONCE(c->need_resched, 1);
	/* The run-queue lock is only ever held with interrupts masked: no self-deadlock. */
	sched_wake_sleepers(c);
}

/* Leave the CPU with @state; the next runnable thread or the idle context takes it. */
static void sched_leave(enum sched_state state, u64 wake_at)
{
	struct sched_cpu *c = this_sched_cpu();
	struct sched_thread *curr = c->curr, *next;
	unsigned long flags;

	/* Giving up the CPU honours a pending tick as kvm_resched() does. */
	sched_note_latency(c);
	flags = arch_irq_save();

	spin_lock(&c->lock);
	if (state == SCHED_BLOCKED && curr->wake_pending) {
		curr->wake_pending = false;
		spin_unlock(&c->lock);
		arch_irq_restore(flags);
		return;
	}
	if (wake_at != SCHED_NO_DEADLINE) {
		curr->wake_at = wake_at;
		curr->sleeping = true;
		curr->sleep_next = c->sleepers;
		c->sleepers = curr;
	}
	__atomic_store_n(&curr->state, state, __ATOMIC_RELEASE);
	next = rq_pop(c);
	spin_unlock(&c->lock);
	sched_switch(c, next);
	arch_irq_restore(flags);
}

void sched_block(void)
{
	sched_leave(SCHED_BLOCKED, SCHED_NO_DEADLINE);
}

void sched_block_until(u64 deadline_ns)
{
	if (deadline_ns != SCHED_NO_DEADLINE && deadline_ns <= arch_time_ns())
		return;
	sched_leave(SCHED_BLOCKED, deadline_ns);
}

void sched_exit(void)
{
	sched_leave(SCHED_DEAD, SCHED_NO_DEADLINE);
	for (;;)
		; /* never switched back to */
}

struct sched_thread *sched_current(void)
{
	return this_sched_cpu()->curr;
}

void sched_idle_once(void)
{
	struct sched_cpu *c = this_sched_cpu();
	unsigned int cpu = arch_cpu_id();
	struct sched_thread *next;
	unsigned long flags = arch_irq_save();

	spin_lock(&c->lock);
	next = rq_pop(c);
	spin_unlock(&c->lock);
	if (next) {
		sched_switch(c, next);
		arch_irq_restore(flags);
		return;
	}
	arch_irq_restore(flags);
	/*
	 * Idle CPUs are not waited for by grace periods; a wake that raced
	 * with the empty queue waits for the next tick at most.
	 */
	rcu_idle_enter(&kvm_rcu, cpu);
	arch_wait_for_interrupt();
	rcu_idle_exit(&kvm_rcu, cpu);
	/* Run callbacks queued here before the CPU went idle: nobody else would. */
	rcu_quiescent(&kvm_rcu, cpu);
}

void sched_idle_loop(void)
{
	for (;;)
		sched_idle_once();
}

u64 sched_stack_peak_bytes(void)
{
	return sched_stack_peak;
}

u64 sched_resched_latency_max(void)
{
	u64 max = 0;
	unsigned int i;

	for (i = 0; i < sched_nr_cpus; i++)
		if (READ_ONCE(sched_cpus[i].resched_latency_max) > max)
			max = READ_ONCE(sched_cpus[i].resched_latency_max);
	return max;
}

u64 sched_this_cpu_switches(void)
{
	return READ_ONCE(this_sched_cpu()->switches);
}

u64 sched_nr_switches(void)
{
	u64 n = 0;
	unsigned int i;

	for (i = 0; i < sched_nr_cpus; i++)
		n += READ_ONCE(sched_cpus[i].switches);
	return n;
}
