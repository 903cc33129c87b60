// SPDX-License-Identifier: MIT
/*
 * Quiescent-state-based RCU (the contract is in rcu.h).
 *
 * Grace periods are numbered.  gp_seq is the newest one started and gp_done
 * the newest one completed; at most one is in progress, so gp_seq is gp_done
 * or gp_done + 1.  A CPU's qs_seq is the value of gp_seq it read at its last
 * quiescent state (RCU_QS_IDLE while idle).  Grace period G ends once every
 * CPU has qs_seq >= G or is idle; a callback tagged G runs once gp_done >= G.
 *
 * Memory ordering.  No fences: ThreadSanitizer does not model them, so every
 * ordering below goes through an atomic access that it (and a reviewer) can
 * follow.
 *
 * (1) The unlink comes before the grace period.  call_rcu() takes its tag G
 *     from a seq_cst read-modify-write of gp_seq (adding 0), not a load.  Every
 *     store to gp_seq is a read-modify-write, so each later value of gp_seq,
 *     the one that starts G included, is in the release sequence that RMW
 *     heads: a CPU whose load of gp_seq returns >= G synchronises with the
 *     caller of call_rcu(), and the unlink happens-before everything that CPU
 *     does after that load.  A plain load would not do, because the CPU that
 *     starts G may be another one, which never synchronised with the unlinker.
 *
 * (2) The readers' loads come before the callback.  A CPU's loads in a
 *     read-side section are sequenced before its store of qs_seq (release);
 *     the CPU that ends G loads every qs_seq (acquire) before its CAS of
 *     gp_done (release); whoever runs the callback loads gp_done (acquire)
 *     before it detaches it.  So every load made before the CPU reported G
 *     happens-before the callback; by (1) no load after that report can
 *     return the unlinked object.
 *
 * (3) Leaving idle.  An idle CPU counts as having passed every grace period,
 *     so a CPU that leaves idle stores qs_seq and then loads gp_seq again,
 *     until the two agree; the CPU ending a grace period loads gp_seq and then
 *     qs_seq.  All four accesses are seq_cst (store buffering): either the
 *     ender sees the new qs_seq and waits for this CPU, or this CPU's second
 *     load sees the grace period's start and, by (1), the unlink.
 *
 * (4) No request is stranded.  A waiter raises gp_wanted and then looks for a
 *     grace period in progress; the CPU ending one advances gp_done and then
 *     reads gp_wanted.  Both seq_cst, so at least one of them sees the other
 *     and starts the grace period the waiter needs.
 *
 * Callbacks of one list run in list order and one batch at a time (the list's
 * "running" token), so nr_done >= n means the first n callbacks queued there
 * have returned: rcu_barrier() needs nothing more than a count per list.
 */
#include <errno.h>

#include "rcu.h"

#define RCU_QS_IDLE (~0ULL)

int rcu_init(struct rcu_state *rs, unsigned int nr_cpus, u64 backlog_limit)
{
	unsigned int i;

	if (!rs || !nr_cpus || nr_cpus > MAX_CPUS)
		return -EINVAL;
	rs->gp_seq = 0;
	rs->gp_done = 0;
	rs->gp_wanted = 0;
	rs->nr_cpus = nr_cpus;
	rs->backlog_limit = backlog_limit;
	rs->grace_periods = 0;
	rs->queued = 0;
	rs->invoked = 0;
	rs->max_backlog = 0;
	rs->throttled = 0;
	rs->chained = 0;
	for (i = 0; i < MAX_CPUS; i++) {
		struct rcu_cpu *rc = &rs->cpu[i];

		rc->qs_seq = 0;
		rc->lock = (struct spinlock)SPINLOCK_INIT;
		rc->head = NULL;
		rc->tail = &rc->head;
		rc->nr_queued = 0;
		rc->nr_done = 0;
		rc->running = 0;
		rc->in_callback = 0;
	}
	return 0;
}

/*
 * A CPU number outside [0, nr_cpus) is the caller's bug.  It gets no state of
 * its own: an untracked CPU cannot vouch for anyone, so its quiescent and idle
 * reports are dropped (see rcu_quiescent() for call_rcu()).
 */
static struct rcu_cpu *rcu_cpu(struct rcu_state *rs, unsigned int cpu)
{
	return cpu < rs->nr_cpus ? &rs->cpu[cpu] : NULL;
}

/* The grace period a caller must wait for: the first to start after its earlier stores (1). */
static u64 rcu_next_gp(struct rcu_state *rs)
{
	return __atomic_fetch_add(&rs->gp_seq, 0, __ATOMIC_SEQ_CST) + 1;
}

static void rcu_want_gp(struct rcu_state *rs, u64 gp)
{
	u64 old = __atomic_load_n(&rs->gp_wanted, __ATOMIC_RELAXED);

	while (old < gp && !__atomic_compare_exchange_n(&rs->gp_wanted, &old, gp, true,
							__ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
		;
}

/*
 * Start the next grace period if one is wanted and none is in progress.  When
 * one is in progress the CPU that ends it calls here again (4).  Lock-free:
 * it only retries when another CPU moved gp_seq or gp_done meanwhile.
 */
static void rcu_start_gp(struct rcu_state *rs)
{
	for (;;) {
		u64 seq = __atomic_load_n(&rs->gp_seq, __ATOMIC_SEQ_CST);
		u64 done = __atomic_load_n(&rs->gp_done, __ATOMIC_SEQ_CST);

		if (done > seq) /* stale gp_seq: look again */
			continue;
		if (done < seq || __atomic_load_n(&rs->gp_wanted, __ATOMIC_SEQ_CST) <= seq)
			return;
		if (__atomic_compare_exchange_n(&rs->gp_seq, &seq, seq + 1, false, __ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST))
			return;
	}
}

/*
 * End the grace period in progress if every CPU has passed it (2, 3).  The
 * CAS from seq - 1 fails when none is in progress or another CPU ended it
 * first, so each grace period is counted once.
 */
static void rcu_try_end_gp(struct rcu_state *rs)
{
	u64 seq = __atomic_load_n(&rs->gp_seq, __ATOMIC_SEQ_CST);
	u64 prev = seq - 1;
	unsigned int i;

	if (__atomic_load_n(&rs->gp_done, __ATOMIC_RELAXED) == seq)
		return;
	for (i = 0; i < rs->nr_cpus; i++) {
		u64 qs = __atomic_load_n(&rs->cpu[i].qs_seq, __ATOMIC_SEQ_CST);

		if (qs != RCU_QS_IDLE && qs < seq)
			return;
	}
	if (__atomic_compare_exchange_n(&rs->gp_done, &prev, seq, false, __ATOMIC_SEQ_CST,
					__ATOMIC_RELAXED))
		__atomic_fetch_add(&rs->grace_periods, 1, __ATOMIC_RELAXED);
}

static void rcu_advance(struct rcu_state *rs)
{
	rcu_try_end_gp(rs);
	rcu_start_gp(rs);
}

/*
 * queued - invoked.  invoked is read first, with acquire: each callback it
 * counts was queued before it ran, so the queued read after it counts at
 * least as many and the difference cannot wrap.
 */
static u64 rcu_backlog(struct rcu_state *rs)
{
	u64 invoked = __atomic_load_n(&rs->invoked, __ATOMIC_ACQUIRE);

	return __atomic_load_n(&rs->queued, __ATOMIC_RELAXED) - invoked;
}

static void rcu_note_backlog(struct rcu_state *rs)
{
	u64 backlog = rcu_backlog(rs);
	u64 max = __atomic_load_n(&rs->max_backlog, __ATOMIC_RELAXED);

	while (max < backlog && !__atomic_compare_exchange_n(&rs->max_backlog, &max, backlog, true,
							     __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

/* Detach the callbacks at the head of @rc whose grace period has ended. */
static struct rcu_head *rcu_detach_ready(struct rcu_cpu *rc, u64 done)
{
	struct rcu_head *first, *last = NULL, *cb;

	spin_lock(&rc->lock);
	first = rc->head;
	for (cb = first; cb && cb->gp <= done; cb = cb->next)
		last = cb;
	if (last) {
		rc->head = last->next;
		if (!rc->head)
			rc->tail = &rc->head;
		last->next = NULL;
	}
	spin_unlock(&rc->lock);
	return last ? first : NULL;
}

/*
 * Run the ready callbacks of list @rc on CPU @runner (NULL: out of range),
 * with the list's lock dropped so that a callback may queue more.  Whoever holds the list's token
 * runs them; the others skip, so the list runs in order (see nr_done above).
 * A callback must not wait in rcu_barrier() or synchronize_rcu(): the token
 * it holds would stop them forever.
 */
static void rcu_run_ready(struct rcu_state *rs, struct rcu_cpu *rc, struct rcu_cpu *runner)
{
	struct rcu_head *cb, *next;
	u32 idle = 0;

	if (__atomic_load_n(&rc->nr_done, __ATOMIC_RELAXED) ==
	    __atomic_load_n(&rc->nr_queued, __ATOMIC_RELAXED))
		return;
	if (!__atomic_compare_exchange_n(&rc->running, &idle, 1, false, __ATOMIC_ACQUIRE,
					 __ATOMIC_RELAXED))
		return;
	cb = rcu_detach_ready(rc, __atomic_load_n(&rs->gp_done, __ATOMIC_ACQUIRE));
	if (runner)
		__atomic_fetch_add(&runner->in_callback, 1, __ATOMIC_RELAXED);
	for (; cb; cb = next) {
		next = cb->next; /* func may free the object holding cb */
		cb->func(cb);
		/* Release: what func did happens-before a barrier that sees the count. */
		__atomic_fetch_add(&rc->nr_done, 1, __ATOMIC_RELEASE);
		__atomic_fetch_add(&rs->invoked, 1, __ATOMIC_RELEASE);
	}
	if (runner)
		__atomic_fetch_sub(&runner->in_callback, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&rc->running, 0, __ATOMIC_RELEASE);
}

void rcu_quiescent(struct rcu_state *rs, unsigned int cpu)
{
	struct rcu_cpu *rc = rcu_cpu(rs, cpu);
	u64 qs, seq;

	if (!rc) {
		rcu_advance(rs);
		return;
	}
	/*
	 * An idle CPU stays idle (rcu_barrier() may run there).  Storing only a
	 * new value is enough: the sections since the last store began after
	 * this CPU loaded the same gp_seq, so by (1) none of them can hold what
	 * the grace periods up to it free.
	 */
	qs = __atomic_load_n(&rc->qs_seq, __ATOMIC_RELAXED);
	if (qs != RCU_QS_IDLE) {
		seq = __atomic_load_n(&rs->gp_seq, __ATOMIC_SEQ_CST);
		if (seq != qs)
			__atomic_store_n(&rc->qs_seq, seq, __ATOMIC_SEQ_CST);
	}
	rcu_advance(rs);
	rcu_run_ready(rs, rc, rc);
}

/* Also ends the grace period now if it waited only for this CPU. */
void rcu_idle_enter(struct rcu_state *rs, unsigned int cpu)
{
	struct rcu_cpu *rc = rcu_cpu(rs, cpu);

	if (!rc)
		return;
	__atomic_store_n(&rc->qs_seq, RCU_QS_IDLE, __ATOMIC_SEQ_CST);
	rcu_advance(rs);
}

/*
 * The CPU counts as quiescent for the grace period in progress, which it
 * cannot be reading anything from: it was idle when that one started, and it
 * observes the start before it reads again (3).
 */
void rcu_idle_exit(struct rcu_state *rs, unsigned int cpu)
{
	struct rcu_cpu *rc = rcu_cpu(rs, cpu);
	u64 seq, now;

	if (!rc)
		return;
	now = __atomic_load_n(&rs->gp_seq, __ATOMIC_SEQ_CST);
	do {
		seq = now;
		__atomic_store_n(&rc->qs_seq, seq, __ATOMIC_SEQ_CST);
		now = __atomic_load_n(&rs->gp_seq, __ATOMIC_SEQ_CST);
	} while (now != seq);
}

/*
 * The callback goes on @cpu's list (an out-of-range @cpu still gets one: a
 * callback is never lost).  queued is counted before the callback becomes
 * visible, so invoked never overtakes it.
 */
void call_rcu(struct rcu_state *rs, unsigned int cpu, struct rcu_head *head,
	      void (*func)(struct rcu_head *head))
{
	struct rcu_cpu *rc = &rs->cpu[cpu % rs->nr_cpus];
	bool chained = rcu_cpu(rs, cpu) && __atomic_load_n(&rc->in_callback, __ATOMIC_RELAXED);
	u64 gp = rcu_next_gp(rs);

	head->func = func;
	head->next = NULL;
	head->gp = gp;
	__atomic_fetch_add(&rs->queued, 1, __ATOMIC_RELAXED);

	spin_lock(&rc->lock);
	*rc->tail = head;
	rc->tail = &head->next;
	__atomic_store_n(&rc->nr_queued, rc->nr_queued + 1, __ATOMIC_RELAXED);
	spin_unlock(&rc->lock);
	/* From here on @head may already have run and be gone. */

	if (chained) /* after the enqueue: a barrier that sees the count sees the callback */
		__atomic_fetch_add(&rs->chained, 1, __ATOMIC_SEQ_CST);
	rcu_note_backlog(rs);
	rcu_want_gp(rs, gp);
	rcu_start_gp(rs);
}

/*
 * Why throttle rather than block or grow without bound: a shared walk that is
 * about to unlink a table is inside a read-side section, so waiting there for
 * a grace period would wait for itself (its CPU cannot report a quiescent
 * state until the walk ends), and every other CPU in the same position would
 * join it.  Letting the backlog grow instead pins freed tables without limit
 * while a CPU is slow to report.  So the walker checks before it unlinks
 * anything and, when the backlog is full, returns -EAGAIN; the fault is
 * retried after the guest is re-entered, which is a quiescent state, by which
 * time callbacks have had the chance to run.  A limit of 0 throttles whenever
 * any callback waits.
 */
bool rcu_backlog_full(struct rcu_state *rs)
{
	if (rcu_backlog(rs) <= rs->backlog_limit)
		return false;
	__atomic_fetch_add(&rs->throttled, 1, __ATOMIC_RELAXED);
	return true;
}

/* Run every CPU's ready callbacks here; true once each list has run @target callbacks. */
static bool rcu_barrier_round(struct rcu_state *rs, struct rcu_cpu *runner, const u64 *target)
{
	bool done = true;
	unsigned int i;

	for (i = 0; i < rs->nr_cpus; i++) {
		struct rcu_cpu *rc = &rs->cpu[i];

		rcu_run_ready(rs, rc, runner);
		if (__atomic_load_n(&rc->nr_done, __ATOMIC_ACQUIRE) < target[i])
			done = false;
	}
	return done;
}

/*
 * Also waits for the callbacks that those callbacks queue, and theirs (a
 * table freed table by table queues its children), so that afterwards
 * nothing still pending references what the caller tears down.  A call_rcu()
 * made from a callback (recognised by the CPU it names running callbacks,
 * which holds when it passes its own CPU number) moves rs->chained; when that
 * moved while a round waited, go round again with the lists as they are now.
 * Any chaining counts, whoever queued the parent, so under endless chaining
 * by other CPUs this does not return.
 */
void rcu_barrier(struct rcu_state *rs, unsigned int cpu)
{
	u64 target[MAX_CPUS];
	u64 chained;
	unsigned int i;

	do {
		chained = __atomic_load_n(&rs->chained, __ATOMIC_SEQ_CST);
		for (i = 0; i < rs->nr_cpus; i++)
			target[i] = __atomic_load_n(&rs->cpu[i].nr_queued, __ATOMIC_RELAXED);
		for (;;) {
			rcu_quiescent(rs, cpu);
			if (rcu_barrier_round(rs, rcu_cpu(rs, cpu), target))
				break;
			mmu_cpu_relax();
		}
	} while (__atomic_load_n(&rs->chained, __ATOMIC_SEQ_CST) != chained);
}

void synchronize_rcu(struct rcu_state *rs, unsigned int cpu)
{
	u64 gp = rcu_next_gp(rs);

	rcu_want_gp(rs, gp);
	for (;;) {
		rcu_quiescent(rs, cpu);
		if (__atomic_load_n(&rs->gp_done, __ATOMIC_ACQUIRE) >= gp)
			return;
		mmu_cpu_relax();
	}
}

void rcu_get_stats(struct rcu_state *rs, struct rcu_stats *out)
{
	out->invoked = __atomic_load_n(&rs->invoked, __ATOMIC_ACQUIRE);
	out->queued = __atomic_load_n(&rs->queued, __ATOMIC_RELAXED);
	out->backlog = out->queued - out->invoked;
	out->grace_periods = __atomic_load_n(&rs->grace_periods, __ATOMIC_RELAXED);
	out->max_backlog = __atomic_load_n(&rs->max_backlog, __ATOMIC_RELAXED);
	out->throttled = __atomic_load_n(&rs->throttled, __ATOMIC_RELAXED);
}
