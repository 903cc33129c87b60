// SPDX-License-Identifier: MIT
/*
 * Walker benchmarks on the host (make bench).  Every number is compared with
 * a baseline measured in the same run:
 *   - map/unmap of 1 GiB in 4K pages vs a store-only loop writing the same
 *     entry values into a preallocated flat array (the limit);
 *   - parallel faults at 1 and 2 threads, this walker (shared walks under the
 *     read lock) vs the same walker under one global lock;
 *   - a zap of 4 GiB of 4K pages with a reschedule requested every 10 us: the
 *     longest stretch without a rescheduling point, with and without them;
 *   - RCU: one callback per unlinked subtree vs one per table.
 * Prints a table and writes data files for tools/bench-plot.sh.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../host/host_env.h"
#include "resched_probe.h"

#define PA_BASE (8 * SZ_1G)
static const struct pte_attrs rw = { PROT_R | PROT_W, MT_NORMAL };
static const char *out_dir = "build/bench"; /* where make bench puts them */

static struct host_vm *vm_new(const struct pte_format *fmt, unsigned int cpus, u64 pages)
{
	struct host_vm *vm = host_vm_create(fmt, cpus, pages);

	if (!vm) {
		fprintf(stderr, "bench: cannot create a VM of %llu pages\n",
			(unsigned long long)pages);
		exit(1);
	}
	return vm;
}

static FILE *data_file(const char *name)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", out_dir, name);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(1);
	}
	return f;
}

static void row(const char *what, double mine, const char *base_name, double base, const char *goal)
{
	printf("%-44s %12.2f  %-22s %10.2f  %7.2fx  %s\n", what, mine, base_name, base, mine / base,
	       goal);
}

/* ---- map / unmap vs a store-only loop ----------------------------------------------------- */

#define MAP_PAGES (SZ_1G / SZ_4K)
#define REPEAT	  5

static double store_loop_ns(u64 *flat, u64 template, bool clear)
{
	u64 best = ~0ULL, t, i, sum = 0;
	int r;

	for (r = 0; r < REPEAT; r++) {
		t = bench_now_ns();
		for (i = 0; i < MAP_PAGES; i++)
			WRITE_ONCE(flat[i], clear ? 0 : template | (PA_BASE + i * SZ_4K));
		t = bench_now_ns() - t;
		sum += flat[r * 7];
		if (t < best)
			best = t;
	}
	if (sum == 1) /* keep the stores observable */
		puts("");
	return (double)best / MAP_PAGES;
}

static void bench_map_unmap(const struct pte_format *fmt, FILE *dat)
{
	u64 *flat = aligned_alloc(PAGE_SIZE, MAP_PAGES * sizeof(u64));
	u64 template = fmt->make_leaf(hpa(0), rw, PT_LAST_LEVEL), best_map = ~0ULL,
	    best_unmap = ~0ULL;
	u64 best_shared = ~0ULL, t;
	struct host_vm *vm = vm_new(fmt, 1, 2 * (MAP_PAGES / 512) + 64);
	double store_map, store_clear;
	char what[96];
	int r;

	memset(flat, 0, MAP_PAGES * sizeof(u64));
	store_map = store_loop_ns(flat, template, false);
	store_clear = store_loop_ns(flat, template, true);
	for (r = 0; r < REPEAT; r++) {
		write_lock(&vm->lock);
		t = bench_now_ns();
		if (pgtable_map(&vm->pgt, gpa(0), SZ_1G, hpa(PA_BASE), rw, &vm->cache,
				PGT_PAGES_ONLY, NULL))
			exit(1);
		t = bench_now_ns() - t;
		best_map = t < best_map ? t : best_map;
		t = bench_now_ns();
		kvm_mmu_unmap(&vm->pgt, &vm->lock, gpa(0), SZ_1G, 0);
		t = bench_now_ns() - t;
		best_unmap = t < best_unmap ? t : best_unmap;
		write_unlock(&vm->lock);

		/* The same map as a shared walk: compare-and-swap per entry. */
		mmu_cache_topup(&vm->cache, vm->pool, MMU_CACHE_CAPACITY);
		read_lock(&vm->lock);
		t = bench_now_ns();
		for (u64 addr = 0; addr < SZ_1G; addr += SZ_2M) {
			if (vm->cache.nr < 4)
				mmu_cache_topup(&vm->cache, vm->pool, MMU_CACHE_CAPACITY);
			pgtable_map(&vm->pgt, gpa(addr), SZ_2M, hpa(PA_BASE + addr), rw, &vm->cache,
				    PGT_SHARED | PGT_PAGES_ONLY, NULL);
		}
		t = bench_now_ns() - t;
		read_unlock(&vm->lock);
		best_shared = t < best_shared ? t : best_shared;
		write_lock(&vm->lock);
		kvm_mmu_unmap(&vm->pgt, &vm->lock, gpa(0), SZ_1G, 0);
		write_unlock(&vm->lock);
	}
	snprintf(what, sizeof(what), "%s map 1 GiB in 4K, ns/page", fmt->name);
	row(what, (double)best_map / MAP_PAGES, "store-only loop", store_map, "goal <= 3x");
	snprintf(what, sizeof(what), "%s map (shared, CAS), ns/page", fmt->name);
	row(what, (double)best_shared / MAP_PAGES, "store-only loop", store_map, "(for reference)");
	snprintf(what, sizeof(what), "%s unmap 1 GiB of 4K, ns/page", fmt->name);
	row(what, (double)best_unmap / MAP_PAGES, "store-only loop (0)", store_clear, "goal <= 3x");
	fprintf(dat, "\"%s\" %.3f %.3f %.3f %.3f\n", fmt->name, (double)best_map / MAP_PAGES,
		store_map, (double)best_unmap / MAP_PAGES, store_clear);
	host_vm_destroy(vm);
	free(flat);
}

/* ---- parallel faults -------------------------------------------------------------------- */

#define FAULT_REGION (256 * SZ_1M_PAGES)
#define SZ_1M_PAGES  256ULL /* pages in 1 MiB */

struct fault_run {
	struct host_vm *vm;
	struct spinlock global; /* the baseline's one lock */
	bool global_lock;
	bool interleaved; /* threads fault neighbouring pages vs their own range */
	unsigned int threads;
	u64 pages_per_thread;
	u64 start_flag;
};

struct fault_thread {
	struct fault_run *run;
	unsigned int cpu;
	pthread_t tid;
	struct mmu_page_cache cache;
};

static void *fault_thread(void *p)
{
	struct fault_thread *ft = p;
	struct fault_run *run = ft->run;
	struct host_vm *vm = run->vm;
	unsigned int need = pgtable_fault_cache_min(&vm->pgt);
	u64 i, page, addr;

	host_set_cpu(ft->cpu);
	while (!__atomic_load_n(&run->start_flag, __ATOMIC_ACQUIRE))
		;
	for (i = 0; i < run->pages_per_thread; i++) {
		page = run->interleaved ? i * run->threads + ft->cpu :
					  ft->cpu * run->pages_per_thread + i;
		addr = page * SZ_4K;
		/* Filled before the lock: a walk never allocates while others wait on it. */
		if (ft->cache.nr < need &&
		    mmu_cache_topup(&ft->cache, vm->pool, MMU_CACHE_CAPACITY))
			exit(1);
		if (run->global_lock) {
			spin_lock(&run->global);
			pgtable_map(&vm->pgt, gpa(addr), SZ_4K, hpa(PA_BASE + addr), rw, &ft->cache,
				    PGT_NO_RESCHED, NULL);
			spin_unlock(&run->global);
		} else {
			read_lock(&vm->lock);
			while (pgtable_map(&vm->pgt, gpa(addr), SZ_4K, hpa(PA_BASE + addr), rw,
					   &ft->cache, PGT_SHARED, NULL) == -EAGAIN)
				;
			read_unlock(&vm->lock);
		}
		rcu_quiescent(&vm->rcu, ft->cpu); /* as guest entry would */
	}
	mmu_cache_drain(&ft->cache, vm->pool);
	rcu_idle_enter(&vm->rcu, ft->cpu);
	return NULL;
}

/* Faults per microsecond, best of REPEAT runs. */
static double fault_rate(const struct pte_format *fmt, unsigned int threads, bool global_lock,
			 bool interleaved)
{
	double best = 0;
	int r;

	for (r = 0; r < REPEAT; r++) {
		struct fault_run run = { .global_lock = global_lock,
					 .threads = threads,
					 .interleaved = interleaved };
		struct fault_thread ft[2];
		unsigned int i;
		u64 t;

		run.pages_per_thread = FAULT_REGION / threads;
		run.vm = vm_new(fmt, threads + 1, FAULT_REGION / 256 + 256);
		host_set_cpu(threads);
		for (i = 0; i < threads; i++) {
			memset(&ft[i], 0, sizeof(ft[i]));
			ft[i].run = &run;
			ft[i].cpu = i;
			pthread_create(&ft[i].tid, NULL, fault_thread, &ft[i]);
		}
		t = bench_now_ns();
		__atomic_store_n(&run.start_flag, 1, __ATOMIC_RELEASE);
		for (i = 0; i < threads; i++)
			pthread_join(ft[i].tid, NULL);
		t = bench_now_ns() - t;
		if ((double)FAULT_REGION * 1000.0 / (double)t > best)
			best = (double)FAULT_REGION * 1000.0 / (double)t;
		host_vm_destroy(run.vm);
	}
	return best;
}

static void bench_faults(const struct pte_format *fmt, FILE *dat)
{
	static const char *const layout[] = { "own ranges", "interleaved pages" };
	double rate[2][2][2]; /* [interleaved][global][threads-1] */
	unsigned int il, g, t;
	char what[96];

	for (il = 0; il < 2; il++)
		for (g = 0; g < 2; g++)
			for (t = 1; t <= 2; t++)
				rate[il][g][t - 1] = fault_rate(fmt, t, g, il);
	for (il = 0; il < 2; il++) {
		for (t = 1; t <= 2; t++) {
			snprintf(what, sizeof(what), "faults/us, %u thread%s, %s", t,
				 t > 1 ? "s" : "", layout[il]);
			row(what, rate[il][0][t - 1], "global-lock walker", rate[il][1][t - 1],
			    t == 2 ? "goal >= 1.7x" : "");
		}
		fprintf(dat, "\"%s\" %.3f %.3f %.3f %.3f\n", layout[il], rate[il][1][0],
			rate[il][1][1], rate[il][0][0], rate[il][0][1]);
	}
}

/* ---- zap latency ------------------------------------------------------------------------ */

#define ZAP_SIZE (4 * SZ_1G)
#define TICK_NS	 10000ULL

static struct resched_stats zap_once(struct host_vm *vm, unsigned int flags, FILE *trace)
{
	struct resched_stats res;

	write_lock(&vm->lock);
	if (pgtable_map(&vm->pgt, gpa(0), ZAP_SIZE, hpa(PA_BASE), rw, &vm->cache,
			PGT_PAGES_ONLY | PGT_NO_RESCHED, NULL))
		exit(1);
	resched_probe_begin();
	kvm_mmu_unmap(&vm->pgt, &vm->lock, gpa(0), ZAP_SIZE, flags);
	resched_probe_end(&res, trace);
	write_unlock(&vm->lock);
	return res;
}

static void bench_zap(const struct pte_format *fmt)
{
	struct host_vm *vm = vm_new(fmt, 1, ZAP_SIZE / SZ_2M + 64);
	struct resched_stats with, without;
	u64 noise;
	FILE *trace = data_file("zap_gaps.dat");
	char what[96];

	host_resched_hook = resched_probe_point;
	resched_probe_start(host_resched_word(), TICK_NS);
	with = zap_once(vm, 0, trace);
	without = zap_once(vm, PGT_NO_RESCHED, NULL);
	/*
	 * The machine's own stalls (interrupts, a hypervisor preempting this
	 * vCPU) lengthen stretches no matter what the walker does: show them.
	 */
	noise = host_noise_ns(with.total_ns);
	resched_probe_stop();
	host_resched_hook = NULL;
	fclose(trace);

	snprintf(what, sizeof(what), "%s zap 4 GiB: longest stretch, us", fmt->name);
	row(what, (double)with.max_gap_ns / 1e3, "no resched points",
	    (double)without.max_gap_ns / 1e3, "goal <= 50 us");
	printf("    longest wait from a request to its rescheduling point %.1f us; "
	       "host noise (longest stall of an empty loop over %.1f ms) %.1f us\n",
	       with.max_response_ns / 1e3, with.total_ns / 1e6, noise / 1e3);
	printf("    in the zapping thread's own CPU time: longest stretch %.1f us (no points: "
	       "%.1f us)\n",
	       with.max_gap_cpu_ns / 1e3, without.max_gap_cpu_ns / 1e3);
	printf("    with points: %llu rescheduling points, p99 stretch %.1f us, total %.1f ms; "
	       "without: total %.1f ms\n",
	       (unsigned long long)with.points, (double)with.p99_gap_ns / 1e3,
	       (double)with.total_ns / 1e6, (double)without.total_ns / 1e6);
	host_vm_destroy(vm);
}

/* ---- RCU: one callback per subtree or per table ----------------------------------------- */

struct rcu_result {
	u64 callbacks, grace_periods, rounds, max_round_ns, total_ns;
};

/*
 * Shared walks put blocks over 64 2M regions and one 1G region mapped in 4K
 * pages (64 + 513 tables unlinked), then the CPU reports quiescent states
 * until every table is back: how many callbacks, grace periods and rounds it
 * took, and the longest single round (callbacks run inside it).
 */
static struct rcu_result rcu_mode_run(const struct pte_format *fmt, enum pgtable_rcu_mode mode)
{
	struct host_vm *vm = vm_new(fmt, 1, 4096);
	struct rcu_stats before, after;
	struct rcu_result res = { 0 };
	u64 baseline, addr, t;

	vm->pgt.rcu_mode = mode;
	write_lock(&vm->lock);
	pgtable_map(&vm->pgt, gpa(0), 64 * SZ_2M, hpa(PA_BASE), rw, NULL, PGT_PAGES_ONLY, NULL);
	pgtable_map(&vm->pgt, gpa(SZ_1G), SZ_1G, hpa(2 * SZ_1G), rw, NULL, PGT_PAGES_ONLY, NULL);
	write_unlock(&vm->lock);
	baseline = vm->pool->in_use;
	rcu_get_stats(&vm->rcu, &before);
	read_lock(&vm->lock);
	for (addr = 0; addr < 64 * SZ_2M; addr += SZ_2M)
		pgtable_map(&vm->pgt, gpa(addr), SZ_2M, hpa(PA_BASE + addr), rw, NULL, PGT_SHARED,
			    NULL);
	pgtable_map(&vm->pgt, gpa(SZ_1G), SZ_1G, hpa(2 * SZ_1G), rw, NULL, PGT_SHARED, NULL);
	read_unlock(&vm->lock);
	t = bench_now_ns();
	while (vm->pool->in_use > baseline - 64 - 513 && res.rounds < 1000) {
		u64 r = bench_now_ns();

		rcu_quiescent(&vm->rcu, 0);
		r = bench_now_ns() - r;
		res.max_round_ns = r > res.max_round_ns ? r : res.max_round_ns;
		res.rounds++;
	}
	res.total_ns = bench_now_ns() - t;
	rcu_get_stats(&vm->rcu, &after);
	res.callbacks = after.queued - before.queued;
	res.grace_periods = after.grace_periods - before.grace_periods;
	host_vm_destroy(vm);
	return res;
}

static void bench_rcu_modes(const struct pte_format *fmt)
{
	struct rcu_result sub = rcu_mode_run(fmt, PGT_RCU_PER_SUBTREE);
	struct rcu_result tab = rcu_mode_run(fmt, PGT_RCU_PER_TABLE);

	printf("%-44s %12s  %-22s %10s\n", "RCU frees of 577 unlinked tables", "per subtree", "",
	       "per table");
	printf("  %-42s %12llu  %-22s %10llu\n", "callbacks queued",
	       (unsigned long long)sub.callbacks, "", (unsigned long long)tab.callbacks);
	printf("  %-42s %12llu  %-22s %10llu\n", "grace periods until all freed",
	       (unsigned long long)sub.grace_periods, "", (unsigned long long)tab.grace_periods);
	printf("  %-42s %12.1f  %-22s %10.1f\n", "longest quiescent-state report, us",
	       (double)sub.max_round_ns / 1e3, "", (double)tab.max_round_ns / 1e3);
	printf("  %-42s %12.1f  %-22s %10.1f\n", "total time to free, us",
	       (double)sub.total_ns / 1e3, "", (double)tab.total_ns / 1e3);
}

int main(int argc, char **argv)
{
	FILE *maps, *faults;
	unsigned int i;

	for (i = 1; i + 1 < (unsigned int)argc; i++)
		if (!strcmp(argv[i], "--out"))
			out_dir = argv[i + 1];
	host_set_cpu(0);
	maps = data_file("map_unmap.dat");
	faults = data_file("faults.dat");
	printf("%-44s %12s  %-22s %10s  %8s\n", "walker benchmark (host)", "this walker",
	       "baseline", "baseline", "ratio");
	bench_map_unmap(&pte_format_arm64_s2_4lvl, maps);
	bench_map_unmap(&pte_format_x86_npt, maps);
	bench_map_unmap(&pte_format_x86_ept, maps);
	bench_faults(&pte_format_arm64_s2_4lvl, faults);
	bench_zap(&pte_format_arm64_s2_4lvl);
	bench_rcu_modes(&pte_format_arm64_s2_4lvl);
	fclose(maps);
	fclose(faults);
	return 0;
}
