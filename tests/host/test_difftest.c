// SPDX-License-Identifier: MIT
/*
 * Differential test of the walker against a model too simple to be wrong: an
 * array with one entry per guest page of a 4 GiB window (unmapped, or host
 * page, permissions and memory type).  Random map / unmap / protect / split /
 * collapse operations (exclusive under the write lock, some shared under the
 * read lock, some with rescheduling points forced) and bad inputs go to both.
 * After each one the walker's translations over the operation's range, and a
 * few pages elsewhere, must equal the model's, leaves must sit at the levels
 * the contract implies, and an operation that failed must have left no trace.
 * Every so often the whole window is compared.
 *
 * The window is three 1G-aligned regions, so that 1G blocks fit and the table
 * indices at both ends of every level are used: the bottom 1G, 2G across the
 * boundary between the first two root entries, and the top 1G of the input
 * address space.  Operations never leave their region, so everything outside
 * the window must stay unmapped.
 *
 *	test_difftest [--ops N] [--seed S] [--format NAME] [--full-every K] [-v]
 *
 * N is per format.  K (ops between whole-window checks) is 1000, or N / 200
 * for long runs.  The same seed gives the same run; a failure prints the
 * seed, the operation number and the operation, enough to replay it.
 *
 * This file runs the operations; difftest_gen.c makes them up and
 * difftest_model.c holds the model and the checks.
 */
#include <errno.h>
#include <string.h>

#include "difftest.h"
#include "harness.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define DEFAULT_OPS 5000
#else
#define DEFAULT_OPS 20000
#endif

#define FULL_CHECK_EVERY 1000 /* ops between whole-window comparisons... */
#define FULL_CHECKS_MAX	 200  /* ...unless that makes more than this many */
#define POOL_PAGES	 8192 /* a fully 4K-mapped window needs ~2060 tables */
#define WINDOW_PAGES	 (4 * SZ_1G / SZ_4K)

static const struct pte_format *const formats[] = {
	&pte_format_arm64_s2_4lvl,
	&pte_format_arm64_s2_3lvl,
	&pte_format_x86_npt,
	&pte_format_x86_ept,
};

/* ---- rescheduling points ---- */

static struct difftest *resched_test;

static void resched_begin(struct difftest *t, enum resched_mode mode)
{
	t->resched_mode = mode;
	*host_resched_word() = mode != RESCHED_NONE;
}

/*
 * The walker let go of the CPU: it must have dropped the lock.  Pass a
 * quiescent state, as the scheduler would, and end a burst at random.
 */
static void difftest_resched(void)
{
	struct difftest *t = resched_test;

	if (!t)
		return;
	t->resched_calls++;
	if (__atomic_load_n(&t->vm->lock.writer, __ATOMIC_RELAXED))
		t->resched_locked++;
	rcu_quiescent(&t->vm->rcu, host_cpu());
	if (t->resched_mode == RESCHED_BURST && !(splitmix64(&t->resched_rng) & 7))
		*host_resched_word() = 0;
}

/* ---- running one operation ---- */

static int op_call(struct difftest *t, const struct op *op, struct mmu_resched *rs)
{
	struct host_vm *vm = t->vm;
	struct pgtable *pgt = &vm->pgt;
	struct mmu_page_cache *cache = op->no_cache ? NULL : &vm->cache;

	switch (op->kind) {
	case OP_MAP:
		return pgtable_map(pgt, gpa(op->addr), op->size, hpa(op->pa), op->attrs, cache,
				   op->flags, rs);
	case OP_UNMAP:
		return pgtable_unmap(pgt, gpa(op->addr), op->size, op->flags, rs);
	case OP_PROTECT:
		return pgtable_protect(pgt, gpa(op->addr), op->size, op->attrs.prot, cache,
				       op->flags, rs);
	case OP_SPLIT:
		return pgtable_split(pgt, gpa(op->addr), op->size, cache, op->flags, rs);
	default:
		return pgtable_collapse(pgt, gpa(op->addr), op->level, op->flags);
	}
}

struct op_step {
	struct difftest *t;
	const struct op *op;
};

static int op_step(void *arg, struct mmu_resched *rs)
{
	struct op_step *s = arg;

	return op_call(s->t, s->op, rs);
}

/*
 * As the hypervisor does: shared walks under the read lock, exclusive ones
 * under the write lock, run to the end through its yield loop.
 */
static int op_run(struct difftest *t, const struct op *op)
{
	struct host_vm *vm = t->vm;
	struct op_step step = { t, op };
	int ret;

	if (op->flags & PGT_SHARED) {
		read_lock(&vm->lock);
		ret = op_call(t, op, NULL);
		read_unlock(&vm->lock);
		return ret;
	}
	resched_begin(t, op->resched);
	write_lock(&vm->lock);
	ret = kvm_mmu_run_range(&vm->lock, op_step, &step);
	write_unlock(&vm->lock);
	resched_begin(t, RESCHED_NONE);
	return ret;
}

static void count_op(struct difftest *t, const struct op *op)
{
	t->cov.ops[op->kind]++;
	t->cov.shared += !!(op->flags & PGT_SHARED);
	t->cov.bad += !!op->bad;
	if (op->bad)
		return;
	if (op->kind == OP_COLLAPSE) {
		t->cov.collapsed += op->want == 0;
		t->cov.collapsed_1g += op->want == 0 && op->level == 1;
		t->cov.collapse_busy += op->want == -EBUSY;
		t->cov.collapse_noent += op->want == -ENOENT;
	}
	t->cov.protect_enotsup += op->kind == OP_PROTECT && op->want == -ENOTSUP;
}

static bool do_op(struct difftest *t, const struct op *op)
{
	bool in_window = model_slot(t, op->addr) != NULL;
	struct snapshot before;
	unsigned int i;
	int ret;

	/* A fault handler fills its cache before a shared walk; full, it cannot run dry. */
	if ((op->flags & PGT_SHARED) &&
	    mmu_cache_topup(&t->vm->cache, t->vm->pool, MMU_CACHE_CAPACITY))
		return fail(t, "cannot top the cache up: pool exhausted");
	if (op->want)
		snapshot_take(t, &before);
	ret = op_run(t, op);
	if (ret != op->want)
		return fail(t, "returned %d, expected %d", ret, op->want);
	if (op->flags & PGT_SHARED)
		rcu_quiescent(&t->vm->rcu, host_cpu());
	count_op(t, op);

	if (op->want) {
		if (!check_unchanged(t, &before))
			return false;
		/* Untouched: a sample of the range is enough on top of the counters. */
		if (in_window && op->size >= PAGE_SIZE && !(op->addr & (PAGE_SIZE - 1))) {
			u64 pages = op->size >> PAGE_SHIFT, addr;

			for (i = 0; i < 8; i++) {
				addr = op->addr + (rnd_below(t, pages) << PAGE_SHIFT);
				if (!check_window_page(t, addr, op))
					return false;
			}
		}
	} else {
		model_apply(t, op);
		if (!check_range(t, op->addr, op->size, op))
			return false;
		note_hot(t, op->addr + (rnd_below(t, op->size >> PAGE_SHIFT) << PAGE_SHIFT));
	}
	if (in_window && !check_window_page(t, op->addr - PAGE_SIZE, NULL))
		return false;
	if (in_window && !check_window_page(t, (op->addr + op->size) & ~(PAGE_SIZE - 1), NULL))
		return false;
	for (i = 0; i < 4; i++)
		if (!check_window_page(t, random_window_page(t), NULL))
			return false;
	return true;
}

/* ---- one format ---- */

static void setup(struct difftest *t, const struct pte_format *fmt, unsigned int idx, u64 seed)
{
	u64 mid, s;
	unsigned int prot, mt, i;

	memset(t, 0, sizeof(*t));
	t->fmt = fmt;
	t->seed = seed;
	s = seed ^ (0x5851f42d4c957f2dULL * (idx + 1));
	t->rng = splitmix64(&s);
	t->resched_rng = splitmix64(&s);
	t->probe_rng = splitmix64(&s);
	t->ia_end = 1ULL << fmt->ia_bits;
	t->oa_end = 1ULL << fmt->oa_bits;

	/* The boundary between the first two root entries (4 levels), the middle (3 levels). */
	mid = fmt->levels == 4 ? pt_level_size(0) : t->ia_end / 2;
	t->reg[0] = (struct region){ 0, PAGES_1G, 0, 16 * SZ_1G };
	t->reg[1] = (struct region){ mid - SZ_1G, 2 * PAGES_1G, PAGES_1G, 32 * SZ_1G };
	t->reg[2] = (struct region){ t->ia_end - SZ_1G, PAGES_1G, 3 * PAGES_1G, 48 * SZ_1G };
	for (i = 0; i < NR_HOT; i++)
		t->hot[i] = random_window_page(t);

	for (mt = 0; mt < MT_COUNT; mt++) {
		for (prot = 1; prot <= PROT_RWX; prot++) {
			struct pte_attrs a = { (u8)prot, (u8)mt };

			if (fmt->check_attrs(a))
				t->invalid[t->nr_invalid++] = a;
			else
				t->valid[t->nr_valid++] = a;
		}
	}
}

static void print_coverage(struct difftest *t)
{
	struct pgtable_stats s;

	pgtable_get_stats(&t->vm->pgt, &s);
	printf("    ops: map %llu unmap %llu protect %llu split %llu collapse %llu "
	       "(shared %llu, bad input %llu)\n",
	       (unsigned long long)t->cov.ops[OP_MAP], (unsigned long long)t->cov.ops[OP_UNMAP],
	       (unsigned long long)t->cov.ops[OP_PROTECT], (unsigned long long)t->cov.ops[OP_SPLIT],
	       (unsigned long long)t->cov.ops[OP_COLLAPSE], (unsigned long long)t->cov.shared,
	       (unsigned long long)t->cov.bad);
	printf("    collapse ok %llu (1G %llu) / -EBUSY %llu / -ENOENT %llu; "
	       "protect -ENOTSUP %llu; leaves seen at level 1/2/3: %llu/%llu/%llu\n",
	       (unsigned long long)t->cov.collapsed, (unsigned long long)t->cov.collapsed_1g,
	       (unsigned long long)t->cov.collapse_busy, (unsigned long long)t->cov.collapse_noent,
	       (unsigned long long)t->cov.protect_enotsup,
	       (unsigned long long)t->cov.leaves_seen[1], (unsigned long long)t->cov.leaves_seen[2],
	       (unsigned long long)t->cov.leaves_seen[3]);
	printf("    walker: pages %llu blocks %llu splits %llu collapses %llu tables +%llu "
	       "-%llu -%llu(rcu) resched %llu; pool peak %llu; pages checked %llu, "
	       "full checks %llu\n",
	       (unsigned long long)s.pages_mapped, (unsigned long long)s.blocks_mapped,
	       (unsigned long long)s.splits, (unsigned long long)s.collapses,
	       (unsigned long long)s.tables_allocated, (unsigned long long)s.tables_freed,
	       (unsigned long long)s.tables_freed_rcu, (unsigned long long)s.resched_points,
	       (unsigned long long)t->vm->pool->peak, (unsigned long long)t->cov.leaves_checked,
	       (unsigned long long)t->cov.full_checks);
}

static void run_format(const struct pte_format *fmt, unsigned int idx, u64 ops, u64 seed,
		       u64 full_every, bool verbose)
{
	struct difftest *t = calloc(1, sizeof(*t));
	char label[64], detail[64];
	u64 left;

	if (!t)
		exit(2);
	setup(t, fmt, idx, seed);
	t->model = calloc(WINDOW_PAGES, sizeof(*t->model));
	t->vm = host_vm_create(fmt, 1, POOL_PAGES);
	if (!t->model || !t->vm) {
		printf("    cannot create a VM\n");
		exit(2);
	}
	resched_test = t;
	host_resched_hook = difftest_resched;
	t->phase = "full-window check";

	for (t->op_nr = 1; t->op_nr <= ops; t->op_nr++) {
		struct op op;

		gen_op(t, &op);
		t->cur = &op;
		if (!do_op(t, &op))
			break;
		t->cur = NULL;
		if (t->op_nr % full_every == 0 && !check_window(t))
			break;
	}
	t->cur = NULL;
	if (!t->failed) {
		t->op_nr = ops;
		check_window(t);
	}
	t->phase = "end of run";
	if (!t->failed && t->resched_locked)
		fail(t, "the walker called resched() %llu times with the lock held",
		     (unsigned long long)t->resched_locked);
	if (verbose)
		print_coverage(t);

	/* Tear-down gives every table page back, whatever the run did (and may yield too). */
	resched_begin(t, RESCHED_BURST);
	left = host_vm_destroy(t->vm);
	resched_begin(t, RESCHED_NONE);
	if (left && !t->failed)
		fail(t, "%llu table pages still out after host_vm_destroy",
		     (unsigned long long)left);
	resched_test = NULL;
	host_resched_hook = NULL;

	snprintf(label, sizeof(label), "difftest %s", fmt->name);
	snprintf(detail, sizeof(detail), "%llu ops, seed %llu", (unsigned long long)ops,
		 (unsigned long long)seed);
	harness_report(label, !t->failed, detail);
	free(t->model);
	free(t);
}

static void usage(void)
{
	fprintf(stderr, "usage: test_difftest [--ops N] [--seed S] [--format NAME] "
			"[--full-every K] [-v]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	u64 ops = DEFAULT_OPS, seed = 1, full_every = 0;
	const char *only = NULL;
	bool verbose = false;
	unsigned int f, ran = 0;
	char *end;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-v")) {
			verbose = true;
		} else if (i + 1 < argc && !strcmp(argv[i], "--ops")) {
			ops = strtoull(argv[++i], &end, 0);
			if (*end || !ops)
				usage();
		} else if (i + 1 < argc && !strcmp(argv[i], "--seed")) {
			seed = strtoull(argv[++i], &end, 0);
			if (*end)
				usage();
		} else if (i + 1 < argc && !strcmp(argv[i], "--full-every")) {
			full_every = strtoull(argv[++i], &end, 0);
			if (*end || !full_every)
				usage();
		} else if (i + 1 < argc && !strcmp(argv[i], "--format")) {
			only = argv[++i];
		} else {
			usage();
		}
	}
	/* A long run checks the whole window less often, or it would do little else. */
	if (!full_every)
		full_every = ops / FULL_CHECKS_MAX > FULL_CHECK_EVERY ? ops / FULL_CHECKS_MAX :
									FULL_CHECK_EVERY;
	for (f = 0; f < ARRAY_SIZE(formats); f++) {
		if (!only || !strcmp(only, formats[f]->name)) {
			run_format(formats[f], f, ops, seed, full_every, verbose);
			ran++;
		}
	}
	if (!ran) {
		fprintf(stderr, "test_difftest: no format named %s:", only);
		for (f = 0; f < ARRAY_SIZE(formats); f++)
			fprintf(stderr, " %s", formats[f]->name);
		fprintf(stderr, "\n");
		return 2;
	}
	return harness_done();
}
