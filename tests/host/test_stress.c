// SPDX-License-Identifier: MIT
/*
 * Concurrency stress of the walker with pthreads: 2 to 8 threads fault on
 * overlapping ranges (shared walks under the read lock: CAS installs,
 * block-over-table collapses that unlink tables to RCU, shared splits and
 * permission changes through break-before-make) while others zap ranges and
 * collapse tables under the write lock.
 *
 * Every mapping any thread makes is gpa + OFFSET, so whatever a reader finds
 * must translate that way.  Freed table pages are poisoned (and hidden from
 * AddressSanitizer), so a walker reading a freed table trips PAGE_POISON, an
 * ASan report or a TSan race.  At the end, destroy + rcu_barrier must give
 * every table page back.  Built plain, with TSan and with ASan by make test.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "harness.h"
#include "host_env.h"

#define WINDOW (128 * SZ_2M) /* default guest range every thread works in */
#define OFFSET (4 * SZ_1G)   /* gpa -> pa, 1G aligned so blocks fit */

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define OPS_PER_THREAD 3000
#else
#define OPS_PER_THREAD 30000
#endif

enum role {
	FAULTER,
	ZAPPER,
	COLLAPSER,
	SPLITTER
};

struct scenario {
	const char *name;
	const struct pte_format *fmt;
	unsigned int threads;
	const enum role *roles; /* one per thread, FAULTER when past the end */
	unsigned int nr_roles;
	enum pgtable_rcu_mode rcu_mode;
	u64 backlog_limit;
	u64 window;	       /* 0: WINDOW */
	unsigned int qs_every; /* report a quiescent state every n ops (0: 1) */
};

struct shared_state {
	struct host_vm *vm;
	const struct scenario *sc;
	u64 wrong;  /* translations not equal to gpa + OFFSET */
	u64 errors; /* unexpected return codes */
	u64 poison; /* walks that met a poisoned (freed) table */
	u64 faults_ok, retries;
	u64 window;
};

struct thread_arg {
	struct shared_state *st;
	unsigned int cpu;
	enum role role;
	u64 rng;
	struct mmu_page_cache cache;
};

static u64 rnd(struct thread_arg *t)
{
	t->rng ^= t->rng << 13;
	t->rng ^= t->rng >> 7;
	t->rng ^= t->rng << 17;
	return t->rng;
}

static void note(u64 *counter)
{
	__atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

static void check_rc(struct thread_arg *t, int rc, const char *what)
{
	if (rc == -EFAULT) {
		note(&t->st->poison);
	} else if (rc && rc != -EAGAIN) {
		if (__atomic_fetch_add(&t->st->errors, 1, __ATOMIC_RELAXED) < 5)
			printf("    %s: unexpected %d on cpu %u\n", what, rc, t->cpu);
	}
}

/* A found translation must be the one every thread maps. */
static void check_translation(struct thread_arg *t, u64 addr)
{
	hpa_t pa;
	int rc = pgtable_translate(&t->st->vm->pgt, gpa(addr), &pa, NULL, NULL);

	if (rc == -EFAULT)
		note(&t->st->poison);
	else if (!rc && pa.val != addr + OFFSET)
		note(&t->st->wrong);
}

static void fault_once(struct thread_arg *t)
{
	struct host_vm *vm = t->st->vm;
	struct pte_attrs rw = { PROT_R | PROT_W, MT_NORMAL };
	bool block = rnd(t) % 4 == 0;
	u64 size = block ? SZ_2M : SZ_4K;
	u64 addr = (rnd(t) % t->st->window) & ~(size - 1);
	int rc;

	if (mmu_cache_topup(&t->cache, vm->pool, MMU_CACHE_CAPACITY / 2)) {
		note(&t->st->errors);
		return;
	}
	read_lock(&vm->lock);
	switch (rnd(t) % 8) {
	case 0: /* a permission fault: relax or tighten in place */
		rc = pgtable_protect(&vm->pgt, gpa(addr), SZ_4K,
				     rnd(t) % 2 ? PROT_R : PROT_R | PROT_W, &t->cache, PGT_SHARED,
				     NULL);
		check_rc(t, rc, "shared protect");
		break;
	default:
		rc = pgtable_map(&vm->pgt, gpa(addr), size, hpa(addr + OFFSET), rw, &t->cache,
				 PGT_SHARED, NULL);
		check_rc(t, rc, "shared map");
		if (!rc)
			note(&t->st->faults_ok);
		else if (rc == -EAGAIN)
			note(&t->st->retries);
		break;
	}
	check_translation(t, addr);
	check_translation(t, rnd(t) % t->st->window);
	read_unlock(&vm->lock);
}

static void exclusive_once(struct thread_arg *t)
{
	struct host_vm *vm = t->st->vm;
	u64 window = t->st->window, addr = (rnd(t) % window) & ~(SZ_2M - 1);
	u64 len = SZ_2M * (1 + rnd(t) % 8);
	int rc;

	switch (t->role) {
	case ZAPPER:
		write_lock(&vm->lock);
		rc = kvm_mmu_unmap(&vm->pgt, &vm->lock, gpa(addr),
				   len < window - addr ? len : window - addr, 0);
		check_rc(t, rc, "unmap");
		write_unlock(&vm->lock);
		break;
	case COLLAPSER:
		write_lock(&vm->lock);
		rc = pgtable_collapse(&vm->pgt, gpa(addr), 2, 0);
		if (rc != -EBUSY && rc != -ENOENT)
			check_rc(t, rc, "collapse");
		write_unlock(&vm->lock);
		break;
	case SPLITTER:
		if (mmu_cache_topup(&t->cache, vm->pool, MMU_CACHE_CAPACITY))
			break;
		read_lock(&vm->lock);
		rc = pgtable_split(&vm->pgt, gpa(addr), SZ_2M, &t->cache, PGT_SHARED, NULL);
		if (rc != -ENOMEM)
			check_rc(t, rc, "shared split");
		read_unlock(&vm->lock);
		break;
	default:
		break;
	}
}

static void *stress_thread(void *p)
{
	struct thread_arg *t = p;
	struct rcu_state *rcu = &t->st->vm->rcu;
	unsigned int i, qs_every = t->st->sc->qs_every ? t->st->sc->qs_every : 1;

	host_set_cpu(t->cpu);
	for (i = 0; i < OPS_PER_THREAD; i++) {
		if (t->role == FAULTER)
			fault_once(t);
		else
			exclusive_once(t);
		/* Between operations the thread holds no table: its quiescent state. */
		if (i % qs_every == 0)
			rcu_quiescent(rcu, t->cpu);
	}
	mmu_cache_drain(&t->cache, t->st->vm->pool);
	rcu_idle_enter(rcu, t->cpu);
	return NULL;
}

static void run_scenario(const struct scenario *sc)
{
	struct thread_arg args[8];
	pthread_t tids[8];
	struct shared_state st = { 0 };
	struct pgtable_stats s;
	struct rcu_stats rs;
	char detail[256];
	unsigned int i, main_cpu = sc->threads;
	u64 leaked;
	bool ok;

	st.sc = sc;
	st.window = sc->window ? sc->window : WINDOW;
	st.vm = host_vm_create(sc->fmt, sc->threads + 1, 16384);
	if (!st.vm) {
		harness_report(sc->name, 0, "cannot create VM");
		return;
	}
	st.vm->pgt.rcu_mode = sc->rcu_mode;
	if (sc->backlog_limit)
		st.vm->rcu.backlog_limit = sc->backlog_limit;
	host_set_cpu(main_cpu);
	rcu_idle_enter(&st.vm->rcu, main_cpu);
	for (i = 0; i < sc->threads; i++) {
		memset(&args[i], 0, sizeof(args[i]));
		args[i].st = &st;
		args[i].cpu = i;
		args[i].role = i < sc->nr_roles ? sc->roles[i] : FAULTER;
		args[i].rng = 0x9e3779b97f4a7c15ULL * (i + 1);
		pthread_create(&tids[i], NULL, stress_thread, &args[i]);
	}
	for (i = 0; i < sc->threads; i++)
		pthread_join(tids[i], NULL);
	rcu_idle_exit(&st.vm->rcu, main_cpu);

	pgtable_get_stats(&st.vm->pgt, &s);
	rcu_get_stats(&st.vm->rcu, &rs);
	leaked = host_vm_destroy(st.vm); /* destroy, rcu_barrier, count what is out */
	ok = !st.wrong && !st.errors && !st.poison && !leaked && st.faults_ok > 0 &&
	     (!sc->backlog_limit || rs.throttled > 0);
	snprintf(detail, sizeof(detail),
		 "%llu faults, %llu retries, %llu races lost, %llu tables via RCU, %llu gp, "
		 "%llu throttled, wrong=%llu errors=%llu poison=%llu leaked=%llu",
		 (unsigned long long)st.faults_ok, (unsigned long long)st.retries,
		 (unsigned long long)s.races_lost, (unsigned long long)s.tables_freed_rcu,
		 (unsigned long long)rs.grace_periods, (unsigned long long)rs.throttled,
		 (unsigned long long)st.wrong, (unsigned long long)st.errors,
		 (unsigned long long)st.poison, (unsigned long long)leaked);
	harness_report(sc->name, ok, detail);
}

int main(void)
{
	static const enum role faulters[] = { FAULTER };
	static const enum role mixed[] = { ZAPPER, COLLAPSER, SPLITTER };
	static const enum role zap_and_fault[] = { ZAPPER };
#define SC(n, f, t, r, ...)                                                                       \
	{                                                                                         \
		.name = (n), .fmt = (f), .threads = (t), .roles = (r), .nr_roles = ARRAY_SIZE(r), \
		__VA_ARGS__                                                                       \
	}
	const struct scenario scenarios[] = {
		SC("stress arm64-s2-4lvl 2 faulters", &pte_format_arm64_s2_4lvl, 2, faulters),
		SC("stress arm64-s2-4lvl 4 faulters", &pte_format_arm64_s2_4lvl, 4, faulters),
		SC("stress arm64-s2-4lvl 4 faulters, one hot 4M window", &pte_format_arm64_s2_4lvl,
		   4, faulters, .window = 2 * SZ_2M),
		SC("stress arm64-s2-3lvl 2 faulters + zapper", &pte_format_arm64_s2_3lvl, 3,
		   zap_and_fault),
		SC("stress x86-npt 8 threads: zap, collapse, split, faults", &pte_format_x86_npt, 8,
		   mixed),
		SC("stress x86-npt 4 threads, hot 8M window: zap, collapse, split, faults",
		   &pte_format_x86_npt, 4, mixed, .window = 4 * SZ_2M),
		SC("stress x86-ept 6 threads: zap, collapse, split, faults, per-table RCU",
		   &pte_format_x86_ept, 6, mixed, .rcu_mode = PGT_RCU_PER_TABLE),
		SC("stress arm64-s2-4lvl 4 threads, RCU backlog limit 4, quiescent every 64 ops",
		   &pte_format_arm64_s2_4lvl, 4, mixed, .backlog_limit = 4, .qs_every = 64),
	};
#undef SC

	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(scenarios); i++)
		run_scenario(&scenarios[i]);
	return harness_done();
}
