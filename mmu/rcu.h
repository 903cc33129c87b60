/* SPDX-License-Identifier: MIT */
/*
 * Quiescent-state-based RCU for page-table pages.
 *
 * Readers (shared page-table walks) mark nothing: a CPU is known to hold no
 * reference to an RCU-protected table once it passes a quiescent state, which
 * the hypervisor reports at natural points (guest entry and exit, idle, the
 * scheduler tick).  A grace period ends when every online, non-idle CPU has
 * reported a quiescent state since it began; callbacks queued before it began
 * then run.
 *
 * CPUs are small integers below MAX_CPUS (types.h), chosen by the environment (the
 * physical CPU number at EL2, a thread index in the host tests).
 */
#ifndef MMU_RCU_H
#define MMU_RCU_H

#include "sync.h"
#include "types.h"

struct rcu_head {
	struct rcu_head *next;
	void (*func)(struct rcu_head *head);
	u64 gp; /* grace period that must complete before func runs */
};

struct rcu_stats {
	u64 grace_periods; /* completed */
	u64 queued;	   /* callbacks queued by call_rcu */
	u64 invoked;	   /* callbacks run */
	u64 backlog;	   /* queued - invoked, now */
	u64 max_backlog;   /* largest backlog seen */
	u64 throttled;	   /* times rcu_backlog_full() said "back off" */
};

struct rcu_cpu {
	u64 qs_seq;	      /* last grace period this CPU reported quiescent for; ~0 idle */
	struct spinlock lock; /* protects the callback list and nr_queued */
	struct rcu_head *head, **tail;
	u64 nr_queued;	 /* callbacks ever put on this list */
	u64 nr_done;	 /* callbacks of this list run so far, in list order */
	u32 running;	 /* someone runs this list's callbacks: one at a time, in order */
	u32 in_callback; /* this CPU is running callbacks (a call_rcu now is chained) */
} __attribute__((aligned(64)));

struct rcu_state {
	u64 gp_seq;    /* newest grace period started */
	u64 gp_done;   /* newest grace period completed */
	u64 gp_wanted; /* newest grace period a callback or a waiter needs */
	unsigned int nr_cpus;
	u64 backlog_limit;
	u64 grace_periods, queued, invoked, max_backlog, throttled;
	u64 chained; /* callbacks queued by callbacks (rcu_barrier waits for them) */
	struct rcu_cpu cpu[MAX_CPUS];
};

/* All @nr_cpus CPUs start online and not idle.  0 on success, -EINVAL. */
int rcu_init(struct rcu_state *rs, unsigned int nr_cpus, u64 backlog_limit);

/*
 * Report that @cpu holds no reference to RCU-protected data.  May complete
 * the current grace period, start the next one and run @cpu's callbacks whose
 * grace period has ended (callbacks run in the caller's context).
 */
void rcu_quiescent(struct rcu_state *rs, unsigned int cpu);

/*
 * Extended quiescent state: an idle (or offline) CPU is not waited for.
 * rcu_idle_exit() must come before the CPU reads RCU-protected data again.
 */
void rcu_idle_enter(struct rcu_state *rs, unsigned int cpu);
void rcu_idle_exit(struct rcu_state *rs, unsigned int cpu);

/*
 * Run @func(@head) once every CPU has passed a quiescent state after this
 * call.  Never blocks and never fails; callers that can back off check
 * rcu_backlog_full() before they unlink anything.
 */
void call_rcu(struct rcu_state *rs, unsigned int cpu, struct rcu_head *head,
	      void (*func)(struct rcu_head *head));

/*
 * True when more than the backlog limit of callbacks wait.  A shared walk
 * that would unlink a table backs off instead (the fault is retried after the
 * guest is re-entered, which is a quiescent state), so the backlog and the
 * memory it pins stay bounded without ever blocking inside a read-side section.
 */
bool rcu_backlog_full(struct rcu_state *rs);

/*
 * Wait until every callback queued (by any CPU) before the call has run, and
 * every callback those callbacks queued in turn (a per-table free chains its
 * children), so a pool may be torn down after it.
 * @cpu must be outside any read-side section: it reports quiescent states
 * while it waits.  Other online CPUs must keep reporting theirs.
 */
void rcu_barrier(struct rcu_state *rs, unsigned int cpu);

/* Wait for one full grace period (same rules as rcu_barrier). */
void synchronize_rcu(struct rcu_state *rs, unsigned int cpu);

void rcu_get_stats(struct rcu_state *rs, struct rcu_stats *out);

#endif
