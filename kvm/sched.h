/* SPDX-License-Identifier: MIT */
/*
 * Hypervisor threads and per-CPU run queues.
 *
 * Every vCPU is a hypervisor thread with its own stack, pinned to one
 * physical CPU.  Each CPU has a run queue of runnable threads and an idle
 * context (the CPU's boot stack) that runs when the queue is empty.  Threads
 * switch only at explicit points (kvm_resched(), sched_block(),
 * sched_exit()); the tick only raises the CPU's need-resched word, which the
 * vCPU loop checks after each exit and the walker after each leaf.
 */
#ifndef KVM_SCHED_H
#define KVM_SCHED_H

#include "kvm/arch/cpu.h"
#include "mmu/rcu.h"
#include "mmu/sync.h"

#define SCHED_STACK_SIZE (16 * 1024)
#define SCHED_TICK_NS	 1000000ULL

/*
 * The hypervisor's one RCU state (page-table pages of every VM).  Quiescent
 * states: guest entry and exit (kvm/vcpu.c), every thread switch and the
 * idle loop (here); idle CPUs are in an extended quiescent state.
 */
extern struct rcu_state kvm_rcu;

enum sched_state {
	SCHED_NEW,	/* initialised, never woken */
	SCHED_RUNNABLE, /* on the run queue or running */
	SCHED_BLOCKED,	/* off the run queue until sched_wake() */
	SCHED_DEAD,	/* will never run again */
};

struct sched_thread {
	struct arch_thread arch;
	struct sched_thread *next; /* run-queue link */
	void *stack;
	void (*fn)(void *arg);
	void *arg;
	unsigned int cpu;
	enum sched_state state; /* under the CPU's run-queue lock */
	bool wake_pending;	/* woken while running: the next sched_block() returns */
	u32 on_cpu;		/* its stack is in use; cleared by whoever runs next */
	/* sched_block_until(): on its CPU's sleeper list until @wake_at (run-queue lock) */
	bool sleeping;
	u64 wake_at;
	struct sched_thread *sleep_next;
};

/* Once, on the boot CPU, before any other sched_ call.  0 or -ENOMEM. */
int sched_init(unsigned int nr_cpus);

/*
 * Prepare @t to run @fn(@arg) on @cpu when first woken.  @fn must end with
 * sched_exit().  0 or -ENOMEM (its stack).
 */
int sched_thread_init(struct sched_thread *t, unsigned int cpu, void (*fn)(void *), void *arg);
/* Free the stack of a thread that is dead and switched out (sched_thread_gone()); idle context. */
void sched_thread_release(struct sched_thread *t);
/* The deepest @t's stack has been used so far (stacks are painted at init), bytes. */
u64 sched_thread_stack_used(const struct sched_thread *t);
/* @t is SCHED_DEAD (or never ran) and no CPU runs on its stack any more. */
bool sched_thread_gone(struct sched_thread *t);

/* Make @t runnable (from any CPU, any thread).  Never blocks. */
void sched_wake(struct sched_thread *t);
/*
 * Leave the run queue until someone calls sched_wake(), unless a wake came
 * since the caller last looked at its condition (then return at once).
 * Callers loop on their condition.  From a thread, never the idle context.
 */
void sched_block(void);
/*
 * sched_block(), and also woken by the first tick at or after @deadline_ns
 * (arch_time_ns() clock; returns at once if it has passed, never times out
 * for SCHED_NO_DEADLINE).  A vCPU waiting in WFI for its timer.
 */
#define SCHED_NO_DEADLINE (~0ULL)
void sched_block_until(u64 deadline_ns);
/* The calling thread ends; its stack may be freed once sched_thread_gone(). */
void sched_exit(void) __attribute__((noreturn));

/* The thread running on this CPU, NULL in the idle context. */
struct sched_thread *sched_current(void);

/*
 * The idle context: run whatever is runnable on this CPU; when nothing is,
 * wait for an interrupt (an RCU extended quiescent state) and return.
 */
void sched_idle_once(void);
/* This CPU's idle loop, forever (secondary CPUs). */
void sched_idle_loop(void) __attribute__((noreturn));

/* Counters for the summary: switches so far, deepest stack use of a released thread. */
u64 sched_nr_switches(void);
/* Switches on the calling CPU so far (a pinned thread: changed across a call = it was switched out). */
u64 sched_this_cpu_switches(void);
u64 sched_stack_peak_bytes(void);
/* Longest time from a tick raising need-resched to the thread calling kvm_resched(), ns. */
u64 sched_resched_latency_max(void);

#endif
