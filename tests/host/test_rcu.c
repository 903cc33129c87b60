// SPDX-License-Identifier: MIT
/*
 * Host tests of mmu/rcu.c: when callbacks may run (every online CPU passed a
 * quiescent state after call_rcu; idle CPUs are not waited for), rcu_barrier()
 * and synchronize_rcu(), the backlog limit and the counters, and a stress run
 * of readers against a writer that frees through RCU (meant for the
 * ThreadSanitizer and AddressSanitizer builds as much as the plain one).
 *
 * A wait that never ends is a failure too: each case arms a watchdog.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "rcu.h"

#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

#define WATCHDOG_SECONDS 60

static struct rcu_state rs;

/* ---- watchdog ---- */

static const char *watchdog_case;

static void watchdog_fire(int sig)
{
	static const char msg[] = "FAIL (timeout: a wait never ended) in ";

	(void)sig;
	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0 ||
	    write(STDOUT_FILENO, watchdog_case, strlen(watchdog_case)) < 0 ||
	    write(STDOUT_FILENO, "\n", 1) < 0)
		_exit(2);
	_exit(1);
}

static void watchdog(const char *name)
{
	watchdog_case = name;
	signal(SIGALRM, watchdog_fire);
	alarm(WATCHDOG_SECONDS);
}

/* ---- a callback that counts its runs ---- */

struct tcb {
	struct rcu_head head;
	int ran;
	struct tcb *child; /* queued by the callback (chained) when set */
	unsigned int child_cpu;
};

static void tcb_func(struct rcu_head *head)
{
	struct tcb *t = container_of(head, struct tcb, head);

	if (t->child)
		call_rcu(&rs, t->child_cpu, &t->child->head, tcb_func);
	__atomic_fetch_add(&t->ran, 1, __ATOMIC_RELAXED);
}

static int ran(struct tcb *t)
{
	return __atomic_load_n(&t->ran, __ATOMIC_RELAXED);
}

static void queue(unsigned int cpu, struct tcb *t)
{
	call_rcu(&rs, cpu, &t->head, tcb_func);
}

static struct rcu_stats stats(void)
{
	struct rcu_stats s;

	rcu_get_stats(&rs, &s);
	return s;
}

/* ---- a thread that reports quiescent states for one CPU until told to stop ---- */

struct reporter {
	pthread_t thread;
	unsigned int cpu;
	int go;	       /* may start reporting */
	int reporting; /* set before the first report */
	int stop;
};

static void *reporter_main(void *arg)
{
	struct reporter *r = arg;

	while (!__atomic_load_n(&r->go, __ATOMIC_ACQUIRE))
		sched_yield();
	usleep(20 * 1000); /* give a waiter that does not wait the time to return */
	__atomic_store_n(&r->reporting, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		rcu_quiescent(&rs, r->cpu);
		sched_yield();
	}
	rcu_idle_enter(&rs, r->cpu);
	return NULL;
}

static void reporter_start(struct reporter *r, unsigned int cpu)
{
	memset(r, 0, sizeof(*r));
	r->cpu = cpu;
	if (pthread_create(&r->thread, NULL, reporter_main, r))
		abort();
}

static void reporter_stop(struct reporter *r)
{
	__atomic_store_n(&r->go, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&r->stop, 1, __ATOMIC_RELEASE);
	pthread_join(r->thread, NULL);
}

/* ---- cases ---- */

static void test_init_rejects_bad_args(void)
{
	watchdog(__func__);
	CHECK_EQ(rcu_init(&rs, 0, 8), -EINVAL);
	CHECK_EQ(rcu_init(&rs, MAX_CPUS + 1, 8), -EINVAL);
	CHECK_EQ(rcu_init(NULL, 1, 8), -EINVAL);
	CHECK_EQ(rcu_init(&rs, MAX_CPUS, 8), 0);
}

/* Every order of reports, callback on every CPU: not before the last report, and then it runs. */
static void test_waits_for_every_online_cpu(void)
{
	static const unsigned int order[6][3] = {
		{ 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 }, { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 },
	};
	unsigned int owner, p, k;

	watchdog(__func__);
	for (owner = 0; owner < 3; owner++) {
		for (p = 0; p < 6; p++) {
			struct tcb cb = { 0 };

			CHECK_EQ(rcu_init(&rs, 3, 100), 0);
			queue(owner, &cb);
			for (k = 0; k < 3; k++) {
				CHECK_EQ(ran(&cb), 0);
				rcu_quiescent(&rs, order[p][k]);
			}
			CHECK_EQ(stats().grace_periods, 1);
			rcu_quiescent(&rs, owner); /* runs in its owner's context */
			CHECK_EQ(ran(&cb), 1);
		}
	}
}

static void test_idle_cpu_not_waited_for(void)
{
	struct tcb a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 };

	watchdog(__func__);
	CHECK_EQ(rcu_init(&rs, 3, 100), 0);

	/* CPU 2 idle: CPUs 0 and 1 are enough. */
	rcu_idle_enter(&rs, 2);
	queue(0, &a);
	rcu_quiescent(&rs, 1);
	CHECK_EQ(ran(&a), 0);
	rcu_quiescent(&rs, 0);
	CHECK_EQ(ran(&a), 1);

	/* Back from idle, it is waited for again. */
	rcu_idle_exit(&rs, 2);
	queue(0, &b);
	rcu_quiescent(&rs, 0);
	rcu_quiescent(&rs, 1);
	rcu_quiescent(&rs, 0);
	rcu_quiescent(&rs, 1);
	CHECK_EQ(ran(&b), 0);
	rcu_quiescent(&rs, 2);
	rcu_quiescent(&rs, 0);
	CHECK_EQ(ran(&b), 1);

	/*
	 * Idle when the grace period started, back before it ended: it was not
	 * reading when the callback's object was unlinked, so it is not waited
	 * for that grace period.
	 */
	rcu_idle_enter(&rs, 2);
	queue(0, &c);
	rcu_idle_exit(&rs, 2);
	rcu_quiescent(&rs, 1);
	rcu_quiescent(&rs, 0);
	CHECK_EQ(ran(&c), 1);

	/* A report from an idle CPU (rcu_barrier() may run there) leaves it idle. */
	rcu_idle_enter(&rs, 2);
	rcu_quiescent(&rs, 2);
	queue(0, &d);
	rcu_quiescent(&rs, 1);
	rcu_quiescent(&rs, 0);
	CHECK_EQ(ran(&d), 1);
	CHECK_EQ(stats().grace_periods, 4);
}

static void test_qs_before_call_does_not_count(void)
{
	struct tcb a = { 0 }, b = { 0 };

	watchdog(__func__);
	CHECK_EQ(rcu_init(&rs, 2, 100), 0);

	/* Reports before call_rcu, no grace period in progress. */
	rcu_quiescent(&rs, 0);
	rcu_quiescent(&rs, 1);
	queue(0, &a);
	rcu_quiescent(&rs, 0);
	CHECK_EQ(ran(&a), 0);
	rcu_quiescent(&rs, 1);
	rcu_quiescent(&rs, 0);
	CHECK_EQ(ran(&a), 1);

	/*
	 * A grace period in progress, CPU 1 already reported for it: b, queued
	 * now, waits for the next one, which needs CPU 1 again.
	 */
	queue(0, &a);
	rcu_quiescent(&rs, 1);
	queue(1, &b);
	rcu_quiescent(&rs, 0); /* ends a's grace period, starts b's */
	CHECK_EQ(ran(&a), 2);
	rcu_quiescent(&rs, 1);
	CHECK_EQ(ran(&b), 0);
	rcu_quiescent(&rs, 0);
	rcu_quiescent(&rs, 1);
	CHECK_EQ(ran(&b), 1);
}

/* Callbacks on other CPUs' lists, one of them idle, the other busy with its own reports. */
static void test_barrier_runs_every_list(void)
{
	struct tcb a = { 0 }, b1 = { 0 }, b2 = { 0 }, c = { 0 }, d = { 0 };
	struct reporter r;
	struct rcu_stats s;

	watchdog(__func__);
	CHECK_EQ(rcu_init(&rs, 3, 100), 0);

	/* Every other CPU idle: single-threaded. */
	queue(1, &a);
	queue(2, &b1);
	rcu_idle_enter(&rs, 1);
	rcu_idle_enter(&rs, 2);
	rcu_barrier(&rs, 0);
	CHECK_EQ(ran(&a), 1);
	CHECK_EQ(ran(&b1), 1);

	/* CPU 1 online in its own thread, CPU 2 idle with a callback. */
	rcu_idle_exit(&rs, 1);
	queue(1, &c);
	queue(2, &b2);
	queue(0, &d);
	reporter_start(&r, 1);
	__atomic_store_n(&r.go, 1, __ATOMIC_RELEASE);
	rcu_barrier(&rs, 0);
	CHECK_EQ(ran(&b2), 1);
	CHECK_EQ(ran(&c), 1);
	CHECK_EQ(ran(&d), 1);
	reporter_stop(&r);
	s = stats();
	CHECK_EQ(s.queued, 5);
	CHECK_EQ(s.invoked, 5);
	CHECK_EQ(s.backlog, 0);
}

/* A callback that queues another (a table freed table by table): the barrier waits for both. */
static void test_barrier_waits_for_chained(void)
{
	struct tcb parent = { 0 }, child = { 0 }, grandchild = { 0 };

	watchdog(__func__);
	CHECK_EQ(rcu_init(&rs, 2, 100), 0);
	parent.child = &child;
	parent.child_cpu = 0; /* the CPU that runs it: rcu_barrier's */
	child.child = &grandchild;
	child.child_cpu = 0;
	queue(1, &parent);
	rcu_idle_enter(&rs, 1);
	rcu_barrier(&rs, 0);
	CHECK_EQ(ran(&parent), 1);
	CHECK_EQ(ran(&child), 1);
	CHECK_EQ(ran(&grandchild), 1);
	CHECK_EQ(stats().invoked, 3);
}

static void test_synchronize_waits_for_every_cpu(void)
{
	struct tcb a = { 0 };
	struct reporter r;

	watchdog(__func__);
	CHECK_EQ(rcu_init(&rs, 2, 100), 0);

	/*
	 * A grace period in progress that CPU 1 has already reported for: the
	 * call must wait for the next one, which needs CPU 1 again.
	 */
	queue(0, &a);
	rcu_quiescent(&rs, 1);
	reporter_start(&r, 1);
	__atomic_store_n(&r.go, 1, __ATOMIC_RELEASE);
	synchronize_rcu(&rs, 0);
	CHECK(__atomic_load_n(&r.reporting, __ATOMIC_ACQUIRE));
	CHECK(stats().grace_periods >= 2);
	reporter_stop(&r);
	CHECK_EQ(ran(&a), 1);
}

/* Deterministic: the limit, the throttle count and every counter, exactly. */
static void test_backlog_limit_and_stats(void)
{
	struct tcb cb[4] = { 0 };
	struct rcu_stats s;
	unsigned int i;

	watchdog(__func__);
	CHECK_EQ(rcu_init(&rs, 2, 3), 0);
	for (i = 0; i < 3; i++) {
		CHECK(!rcu_backlog_full(&rs));
		queue(0, &cb[i]); /* cb[0] starts grace period 1, the rest wait for 2 */
	}
	CHECK(!rcu_backlog_full(&rs)); /* 3 waiting, limit 3 */
	queue(0, &cb[3]);
	CHECK(rcu_backlog_full(&rs));
	CHECK(rcu_backlog_full(&rs));
	s = stats();
	CHECK_EQ(s.queued, 4);
	CHECK_EQ(s.backlog, 4);
	CHECK_EQ(s.max_backlog, 4);
	CHECK_EQ(s.throttled, 2);
	CHECK_EQ(s.grace_periods, 0);

	rcu_quiescent(&rs, 0);
	rcu_quiescent(&rs, 1); /* ends 1, starts 2 */
	rcu_quiescent(&rs, 0); /* runs cb[0] */
	CHECK_EQ(ran(&cb[0]), 1);
	CHECK_EQ(ran(&cb[1]), 0);
	CHECK(!rcu_backlog_full(&rs));
	rcu_quiescent(&rs, 1);	 /* ends 2 */
	rcu_quiescent(&rs, 0);	 /* runs cb[1..3] */
	for (i = 0; i < 10; i++) /* nothing waits: no grace period is started for nothing */
		rcu_quiescent(&rs, i & 1);

	s = stats();
	CHECK_EQ(s.grace_periods, 2);
	CHECK_EQ(s.queued, 4);
	CHECK_EQ(s.invoked, 4);
	CHECK_EQ(s.backlog, 0);
	CHECK_EQ(s.max_backlog, 4);
	CHECK_EQ(s.throttled, 2);
	for (i = 0; i < 4; i++)
		CHECK_EQ(ran(&cb[i]), 1);
}

/* ---- stress: readers against a writer that frees through RCU ---- */

#define STRESS_READERS	   4
#define STRESS_MAX_UPDATES 1000000
#define STRESS_NSEC	   1500000000LL
#define STRESS_BACKLOG	   64
#define OBJ_WORDS	   8
#define OBJ_POISON	   0x6b

struct obj {
	struct rcu_head head;
	u64 gen;
	u64 word[OBJ_WORDS];
};

struct stress {
	struct obj *cur; /* the RCU-protected pointer */
	int stop;
	u64 bad; /* reads that found a poisoned or torn object */
	u64 updates;
};

struct stress_reader {
	pthread_t thread;
	struct stress *st;
	unsigned int cpu;
	u64 reads;
};

static u64 obj_word(u64 gen, unsigned int i)
{
	return gen * 0x9e3779b97f4a7c15ULL + i;
}

static struct obj *obj_new(u64 gen)
{
	struct obj *o = malloc(sizeof(*o));
	unsigned int i;

	if (!o)
		abort();
	o->gen = gen;
	for (i = 0; i < OBJ_WORDS; i++)
		o->word[i] = obj_word(gen, i);
	return o;
}

static bool obj_intact(const struct obj *o)
{
	unsigned int i;

	for (i = 0; i < OBJ_WORDS; i++)
		if (o->word[i] != obj_word(o->gen, i))
			return false;
	return true;
}

static void obj_free_rcu(struct rcu_head *head)
{
	struct obj *o = container_of(head, struct obj, head);

	memset(o, OBJ_POISON, sizeof(*o));
	free(o);
}

static s64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* One read-side section: sometimes long (a yield inside), to widen the window. */
static void stress_read(struct stress_reader *r)
{
	struct obj *o = __atomic_load_n(&r->st->cur, __ATOMIC_ACQUIRE);
	bool ok = obj_intact(o);

	if (++r->reads % 16 == 0) {
		sched_yield();
		ok = ok && obj_intact(o);
	}
	if (!ok)
		__atomic_fetch_add(&r->st->bad, 1, __ATOMIC_RELAXED);
}

static void *stress_reader_main(void *arg)
{
	struct stress_reader *r = arg;
	unsigned int n = 0;

	while (!__atomic_load_n(&r->st->stop, __ATOMIC_ACQUIRE)) {
		stress_read(r);
		stress_read(r);
		if (++n % 64 == 0) { /* idle now and then: exercises the exit race */
			rcu_idle_enter(&rs, r->cpu);
			sched_yield();
			rcu_idle_exit(&rs, r->cpu);
		} else {
			rcu_quiescent(&rs, r->cpu);
		}
	}
	rcu_idle_enter(&rs, r->cpu);
	return NULL;
}

/* CPU 0.  Backs off while the backlog is full, as a shared walk does before it unlinks. */
static void *stress_writer_main(void *arg)
{
	struct stress *st = arg;
	s64 deadline = now_ns() + STRESS_NSEC;
	u64 gen;

	for (gen = 2; gen < STRESS_MAX_UPDATES + 2; gen++) {
		struct obj *old;

		if (gen % 256 == 0 && now_ns() > deadline)
			break;
		while (rcu_backlog_full(&rs)) {
			rcu_quiescent(&rs, 0);
			sched_yield();
		}
		old = __atomic_exchange_n(&st->cur, obj_new(gen), __ATOMIC_ACQ_REL);
		call_rcu(&rs, 0, &old->head, obj_free_rcu);
		rcu_quiescent(&rs, 0);
		st->updates++;
	}
	return NULL;
}

static void test_stress_readers_writer(void)
{
	struct stress_reader reader[STRESS_READERS];
	struct stress st = { .cur = obj_new(1) };
	pthread_t writer;
	struct rcu_stats s;
	unsigned int i;

	watchdog(__func__);
	CHECK_EQ(rcu_init(&rs, STRESS_READERS + 1, STRESS_BACKLOG), 0);
	for (i = 0; i < STRESS_READERS; i++) {
		reader[i] = (struct stress_reader){ .st = &st, .cpu = i + 1 };
		if (pthread_create(&reader[i].thread, NULL, stress_reader_main, &reader[i]))
			abort();
	}
	if (pthread_create(&writer, NULL, stress_writer_main, &st))
		abort();
	pthread_join(writer, NULL);
	__atomic_store_n(&st.stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < STRESS_READERS; i++) {
		pthread_join(reader[i].thread, NULL);
		CHECK(reader[i].reads > 0);
	}

	/* The main thread is CPU 0 now: hand in the last object, wait for everything. */
	call_rcu(&rs, 0, &__atomic_exchange_n(&st.cur, NULL, __ATOMIC_ACQ_REL)->head, obj_free_rcu);
	rcu_barrier(&rs, 0);
	s = stats();
	CHECK_EQ(st.bad, 0);
	CHECK(st.updates > 0);
	CHECK_EQ(s.queued, st.updates + 1);
	CHECK_EQ(s.invoked, s.queued);
	CHECK_EQ(s.backlog, 0);
	CHECK(s.max_backlog <= STRESS_BACKLOG + 1);
	CHECK(s.grace_periods > 0);
}

int main(void)
{
	RUN(test_init_rejects_bad_args);
	RUN(test_waits_for_every_online_cpu);
	RUN(test_idle_cpu_not_waited_for);
	RUN(test_qs_before_call_does_not_count);
	RUN(test_barrier_runs_every_list);
	RUN(test_barrier_waits_for_chained);
	RUN(test_synchronize_waits_for_every_cpu);
	RUN(test_backlog_limit_and_stats);
	RUN(test_stress_readers_writer);
	alarm(0);
	return harness_done();
}
