/* SPDX-License-Identifier: MIT */
/*
 * What the differential test's files share: the state of one format's run,
 * the operations, and the random streams.  difftest_model.c holds the
 * reference model and checks the walker against it (and reports a failure),
 * difftest_gen.c generates the operations, test_difftest.c runs them.
 */
#ifndef TESTS_HOST_DIFFTEST_H
#define TESTS_HOST_DIFFTEST_H

#include "host_env.h"

#define NR_REGIONS 3
#define PAGES_2M   (SZ_2M / SZ_4K)
#define PAGES_1G   (SZ_1G / SZ_4K)
#define NR_HOT	   8

struct region {
	u64 base; /* guest-physical, 1G aligned */
	u64 pages;
	u64 first;   /* index of its first page in the model */
	u64 pa_base; /* where "contiguous" maps put @base, so neighbours join up */
};

enum op_kind {
	OP_MAP,
	OP_UNMAP,
	OP_PROTECT,
	OP_SPLIT,
	OP_COLLAPSE,
	OP_KINDS
};

/*
 * How need-resched is raised during an exclusive op: not at all, from the
 * start until a random rescheduling point clears it, or after every leaf.
 */
enum resched_mode {
	RESCHED_NONE,
	RESCHED_BURST,
	RESCHED_EVERY_LEAF
};

struct op {
	enum op_kind kind;
	u64 addr, size, pa;
	struct pte_attrs attrs; /* map; protect uses attrs.prot */
	unsigned int level;	/* collapse */
	unsigned int flags;
	bool no_cache;		   /* exclusive walk without a cache: pool only */
	enum resched_mode resched; /* rescheduling points asked for during the op */
	const char *bad;	   /* the injected fault, or NULL */
	int want;		   /* expected return */
};

/* State before an operation that must change nothing. */
struct snapshot {
	struct pgtable_stats stats;
	u64 in_use, tlb_range, tlb_all;
	unsigned int cache_nr;
};

struct coverage {
	u64 ops[OP_KINDS], shared, bad;
	u64 collapsed, collapse_busy, collapse_noent, protect_enotsup;
	u64 collapsed_1g, leaves_seen[PT_LAST_LEVEL + 1];
	u64 leaves_checked, full_checks;
};

struct difftest {
	const struct pte_format *fmt;
	struct host_vm *vm;
	u64 *model;
	struct region reg[NR_REGIONS];
	u64 ia_end, oa_end;
	/* Separate streams: how often the window is checked must not change the operations. */
	u64 seed, rng, resched_rng, probe_rng, op_nr;
	const struct op *cur; /* for the failure report... */
	const char *phase;    /* ...or what is checked when no op runs */
	bool failed;
	struct pte_attrs valid[MT_COUNT * 8], invalid[MT_COUNT * 8];
	unsigned int nr_valid, nr_invalid;
	u64 hot[NR_HOT]; /* recent addresses, so operations meet each other */
	unsigned int hot_next;
	enum resched_mode resched_mode;
	u64 resched_calls, resched_locked;
	struct op story[4]; /* queued operations that build a collapsible 1G */
	unsigned int story_len, story_next;
	struct coverage cov;
};

/* ---- random numbers (splitmix64: tiny, and good enough as a stream) ---- */

static inline u64 splitmix64(u64 *state)
{
	u64 z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline u64 rnd(struct difftest *t)
{
	return splitmix64(&t->rng);
}

static inline u64 rnd_below(struct difftest *t, u64 n)
{
	return rnd(t) % n;
}

static inline bool chance(struct difftest *t, unsigned int percent)
{
	return rnd_below(t, 100) < percent;
}

/* ---- difftest_model.c: the model, checks, failure report ---- */

bool __attribute__((format(printf, 2, 3))) fail(struct difftest *t, const char *fmt, ...);
u64 *model_slot(struct difftest *t, u64 addr);
void model_apply(struct difftest *t, const struct op *op);
int expect(struct difftest *t, const struct op *op);
bool check_range(struct difftest *t, u64 addr, u64 size, const struct op *op);
bool check_window_page(struct difftest *t, u64 addr, const struct op *op);
bool check_window(struct difftest *t);
void snapshot_take(struct difftest *t, struct snapshot *s);
bool check_unchanged(struct difftest *t, const struct snapshot *before);

/* ---- difftest_gen.c: generating operations ---- */

u64 random_window_page(struct difftest *t);
void note_hot(struct difftest *t, u64 addr);
void gen_op(struct difftest *t, struct op *op);

#endif
