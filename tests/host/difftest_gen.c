// SPDX-License-Identifier: MIT
/*
 * The differential test's operations: random ones, bad inputs, and queued
 * stories that build a collapsible 1G.  See test_difftest.c.
 */
#include <errno.h>
#include <string.h>

#include "difftest.h"

static const struct pte_attrs rw = { PROT_R | PROT_W, MT_NORMAL };

/* ---- generating operations ---- */

void note_hot(struct difftest *t, u64 addr)
{
	t->hot[t->hot_next++ % NR_HOT] = addr;
}

u64 random_window_page(struct difftest *t)
{
	const struct region *r = &t->reg[rnd_below(t, NR_REGIONS)];

	return r->base + (rnd_below(t, r->pages) << PAGE_SHIFT);
}

static struct region *region_of(struct difftest *t, u64 addr)
{
	unsigned int i;

	for (i = 0; i < NR_REGIONS; i++)
		if (addr - t->reg[i].base < t->reg[i].pages << PAGE_SHIFT)
			return &t->reg[i];
	return NULL;
}

/* The region holding @*p; when it fell off a region's end, the nearest one, @*p clamped. */
static struct region *nearest_region(struct difftest *t, u64 *p)
{
	struct region *best = NULL;
	u64 best_dist = ~0ULL, dist, end;
	unsigned int i;

	for (i = 0; i < NR_REGIONS; i++) {
		struct region *r = &t->reg[i];

		end = r->base + (r->pages << PAGE_SHIFT);
		dist = *p < r->base ? r->base - *p : *p >= end ? *p - end + PAGE_SIZE : 0;
		if (dist < best_dist) {
			best = r;
			best_dist = dist;
		}
	}
	end = best->base + (best->pages << PAGE_SHIFT);
	if (*p < best->base)
		*p = best->base;
	else if (*p >= end)
		*p = end - PAGE_SIZE;
	return best;
}

/*
 * A range inside one region: mostly 1-64 pages, often 2M..8M 2M-aligned,
 * sometimes up to 6M anywhere (crossing tables), rarely a whole 1G.  Start
 * near a recent address half of the time and across a 2M or 1G boundary
 * some of the time, so operations overlap and cross tables.
 */
static void pick_range(struct difftest *t, struct op *op, u64 max_pages)
{
	u64 pages, align = 1, p, idx;
	unsigned int c = rnd_below(t, 1000);
	struct region *r;

	if (c < 550) {
		pages = 1 + rnd_below(t, 64);
	} else if (c < 850) {
		pages = (1 + rnd_below(t, 4)) * PAGES_2M;
		align = PAGES_2M;
	} else if (c < 996) {
		pages = 1 + rnd_below(t, 3 * PAGES_2M);
	} else {
		pages = PAGES_1G;
		align = PAGES_1G;
	}
	if (pages > max_pages) {
		pages = max_pages;
		align = 1;
	}

	c = rnd_below(t, 100);
	if (c < 50) {
		p = t->hot[rnd_below(t, NR_HOT)] + (rnd_below(t, 2048) << PAGE_SHIFT) - 2 * SZ_2M;
	} else if (c < 62) {
		u64 b = chance(t, 25) ? SZ_1G : SZ_2M;

		r = &t->reg[rnd_below(t, NR_REGIONS)];
		p = r->base + rnd_below(t, (r->pages << PAGE_SHIFT) / b) * b;
		p -= rnd_below(t, pages) << PAGE_SHIFT;
	} else {
		p = random_window_page(t);
	}
	r = nearest_region(t, &p);
	idx = ((p - r->base) >> PAGE_SHIFT) & ~(align - 1);
	if (idx + pages > r->pages)
		idx = r->pages - pages;
	op->addr = r->base + (idx << PAGE_SHIFT);
	op->size = pages << PAGE_SHIFT;
}

static struct pte_attrs pick_attrs(struct difftest *t)
{
	/* One common set half of the time, so neighbouring maps can be collapsed. */
	return chance(t, 50) ? rw : t->valid[rnd_below(t, t->nr_valid)];
}

/*
 * Output address: contiguous with the region's other "contiguous" maps (any
 * block fits), or elsewhere with the same offset in 1G (any block fits), the
 * same in 2M only, no block at all, or right at the top of the output
 * address space.
 */
static u64 pick_pa(struct difftest *t, const struct op *op)
{
	const struct region *r = region_of(t, op->addr);
	u64 off = op->addr & (SZ_1G - 1), base, top = t->oa_end;
	unsigned int c = rnd_below(t, 100);

	if (c < 40)
		return r->pa_base + (op->addr - r->base);
	if (c < 45)
		return top - op->size - (rnd_below(t, 3) << PAGE_SHIFT);
	if (top > 1ULL << 46)
		top = 1ULL << 46; /* keeps room below; the top is tried above */
	base = rnd_below(t, top / SZ_1G - 4) * SZ_1G;
	if (c < 65)
		return base + off;
	if (c < 82)
		return base + off + (1 + rnd_below(t, 511)) * SZ_2M;
	return base + off + (1 + rnd_below(t, 511)) * SZ_4K;
}

static void gen_map(struct difftest *t, struct op *op, bool shared)
{
	op->kind = OP_MAP;
	/* Shared maps stay within 2M, so a full cache always suffices: any error is a bug. */
	pick_range(t, op, shared ? PAGES_2M : PAGES_1G);
	op->pa = pick_pa(t, op);
	op->attrs = pick_attrs(t);
	op->flags = (shared ? PGT_SHARED : 0) | (chance(t, 20) ? PGT_PAGES_ONLY : 0);
	op->no_cache = !shared && chance(t, 25);
}

static void gen_protect(struct difftest *t, struct op *op, bool shared)
{
	static const u8 usual[] = { PROT_R, PROT_R | PROT_W, PROT_R | PROT_X, PROT_RWX };

	op->kind = OP_PROTECT;
	pick_range(t, op, shared ? PAGES_2M : PAGES_1G);
	/* Any of 1..7 half of the time: some do not go with every memory type. */
	op->attrs.prot = chance(t, 50) ? usual[rnd_below(t, 4)] : 1 + rnd_below(t, 7);
	op->flags = shared ? PGT_SHARED : 0;
	op->no_cache = !shared && chance(t, 25);
}

static void gen_split(struct difftest *t, struct op *op, bool shared)
{
	op->kind = OP_SPLIT;
	pick_range(t, op, shared ? PAGES_2M : PAGES_1G);
	op->flags = shared ? PGT_SHARED : 0;
	op->no_cache = !shared && chance(t, 25);
}

static void gen_collapse(struct difftest *t, struct op *op)
{
	u64 addr;

	op->kind = OP_COLLAPSE;
	op->level = chance(t, 25) ? 1 : 2;
	op->size = pt_level_size(op->level);
	addr = chance(t, 60) ? t->hot[rnd_below(t, NR_HOT)] : random_window_page(t);
	op->addr = addr & ~(op->size - 1); /* regions are 1G aligned: still inside */
}

/* Bad inputs: one fault at a time on an otherwise valid operation, so the code is exact. */
static void gen_bad(struct difftest *t, struct op *op)
{
	u64 k;

	switch (rnd_below(t, 5)) {
	case 0:
		gen_map(t, op, chance(t, 30));
		break;
	case 1:
		op->kind = OP_UNMAP;
		pick_range(t, op, PAGES_1G);
		break;
	case 2:
		gen_protect(t, op, false);
		break;
	case 3:
		gen_split(t, op, false);
		break;
	default:
		gen_collapse(t, op);
		switch (rnd_below(t, 4)) {
		case 0:
			op->addr += (1 + rnd_below(t, (op->size >> PAGE_SHIFT) - 1)) << PAGE_SHIFT;
			op->bad = "collapse address not aligned to the level";
			op->want = -EINVAL;
			break;
		case 1: {
			static const unsigned int levels[] = { 0, 3, 4, 7, 255 };

			op->level = levels[rnd_below(t, ARRAY_SIZE(levels))];
			op->bad = "collapse level";
			op->want = -EINVAL;
			break;
		}
		case 2:
			op->flags = PGT_SHARED;
			op->bad = "shared collapse";
			op->want = -EINVAL;
			break;
		default:
			op->addr = t->ia_end + rnd_below(t, (1ULL << 62) / op->size) * op->size;
			op->bad = "collapse beyond ia_bits";
			op->want = -ERANGE;
			break;
		}
		return;
	}

	switch (rnd_below(t, op->kind == OP_UNMAP || op->kind == OP_PROTECT ? 7 : 6)) {
	case 0:
		op->addr += 1 + rnd_below(t, PAGE_SIZE - 1);
		op->bad = "unaligned address";
		op->want = -EINVAL;
		break;
	case 1:
		op->size = chance(t, 50) ? 1 + rnd_below(t, PAGE_SIZE - 1) :
					   op->size + 1 + rnd_below(t, PAGE_SIZE - 1);
		op->bad = "unaligned size";
		op->want = -EINVAL;
		break;
	case 2:
		op->size = 0;
		op->bad = "zero size";
		op->want = -EINVAL;
		break;
	case 3:
		k = 1 + rnd_below(t, 16);
		op->addr = -(k << PAGE_SHIFT);
		op->size = (k + 1 + rnd_below(t, 16)) << PAGE_SHIFT;
		op->bad = "range wraps";
		op->want = -EINVAL;
		break;
	case 4:
		if (chance(t, 50)) {
			/* Often by exactly one page: off-by-one checks live there. */
			k = chance(t, 50) ? (op->size >> PAGE_SHIFT) - 1 :
					    rnd_below(t, op->size >> PAGE_SHIFT);
			op->addr = t->ia_end - (k << PAGE_SHIFT);
			op->bad = "range ends beyond ia_bits";
		} else {
			op->addr = t->ia_end +
				   (rnd_below(t, (1ULL << 62) >> PAGE_SHIFT) << PAGE_SHIFT);
			op->bad = "range starts beyond ia_bits";
		}
		op->want = -ERANGE;
		break;
	case 5:
		/* A fault of the operation's own arguments. */
		if (op->kind == OP_MAP) {
			switch (rnd_below(t, 6)) {
			case 0:
				op->pa += 1 + rnd_below(t, PAGE_SIZE - 1);
				op->bad = "unaligned pa";
				op->want = -EINVAL;
				return;
			case 1:
				k = chance(t, 50) ? (op->size >> PAGE_SHIFT) - 1 :
						    rnd_below(t, op->size >> PAGE_SHIFT);
				op->pa = chance(t, 70) ? t->oa_end - (k << PAGE_SHIFT) :
							 -(1 + k) << PAGE_SHIFT;
				op->bad = "pa range beyond oa_bits";
				op->want = -ERANGE;
				return;
			case 2:
				op->attrs.prot = chance(t, 50) ? 0 :
								 (1 + rnd_below(t, 7)) |
									 (8 << rnd_below(t, 5));
				op->bad = "prot 0 or unknown bits";
				break;
			case 3:
				op->attrs.memtype = MT_COUNT + rnd_below(t, 256 - MT_COUNT);
				op->bad = "memtype out of range";
				break;
			default:
				op->attrs = t->invalid[rnd_below(t, t->nr_invalid)];
				op->bad = "prot the memtype cannot have";
				break;
			}
			op->want = -ENOTSUP;
		} else if (op->kind == OP_PROTECT) {
			op->attrs.prot =
				chance(t, 50) ? 0 : (1 + rnd_below(t, 7)) | (8 << rnd_below(t, 5));
			op->bad = "protect with prot 0 or unknown bits";
			op->want = -ENOTSUP;
		} else {
			op->addr += 1 + rnd_below(t, PAGE_SIZE - 1);
			op->bad = "unaligned address";
			op->want = -EINVAL;
		}
		break;
	default:
		if (op->kind == OP_UNMAP) {
			op->flags = PGT_SHARED;
			op->bad = "shared unmap";
			op->want = -EINVAL;
		} else {
			op->flags = PGT_SHARED;
			op->attrs.prot = 0;
			op->bad = "shared protect with prot 0";
			op->want = -ENOTSUP;
		}
		break;
	}
}

/* Another permission the memory type of @a can have, or a.prot when there is none. */
static u8 other_prot(struct difftest *t, struct pte_attrs a)
{
	unsigned int i, n = 0;
	u8 cand[8];

	for (i = 0; i < t->nr_valid; i++)
		if (t->valid[i].memtype == a.memtype && t->valid[i].prot != a.prot)
			cand[n++] = t->valid[i].prot;
	return n ? cand[rnd_below(t, n)] : a.prot;
}

/*
 * A 1G collapse needs 262144 pages in one aligned run with one set of
 * attributes under a table, which random operations almost never build.
 * Queue a short story that does: map a whole 1G (as a block, or pages only,
 * or with pa aligned to 2M only), disturb its shape (split part of it, or
 * change the permissions of part and change them back), then collapse at
 * level 1 or at level 2 inside the disturbed part.  The results are still
 * predicted from the model like any other operation's.
 */
static void gen_story(struct difftest *t)
{
	const struct region *r = &t->reg[rnd_below(t, NR_REGIONS)];
	u64 base = r->base + rnd_below(t, r->pages / PAGES_1G) * SZ_1G, pages;
	struct op *q = t->story;

	memset(t->story, 0, sizeof(t->story));
	q->kind = OP_MAP;
	q->addr = base;
	q->size = SZ_1G;
	q->pa = r->pa_base + (base - r->base);
	if (chance(t, 20))
		q->pa += (1 + rnd_below(t, 511)) * SZ_2M;
	q->attrs = pick_attrs(t);
	q->flags = chance(t, 15) ? PGT_PAGES_ONLY : 0;
	q++;

	pages = 1 + rnd_below(t, 3 * PAGES_2M);
	q->kind = chance(t, 50) ? OP_SPLIT : OP_PROTECT;
	q->addr = base + (rnd_below(t, PAGES_1G - pages) << PAGE_SHIFT);
	q->size = pages << PAGE_SHIFT;
	q->attrs.prot = other_prot(t, t->story[0].attrs);
	if (q->kind == OP_PROTECT) {
		q[1] = q[0];
		q++;
		q->attrs.prot = t->story[0].attrs.prot;
	}
	q++;

	q->kind = OP_COLLAPSE;
	q->level = chance(t, 70) ? 1 : 2;
	q->size = pt_level_size(q->level);
	q->addr = q->level == 1 ? base : (q[-1].addr & ~(SZ_2M - 1));
	q++;
	t->story_len = q - t->story;
	t->story_next = 0;
}

void gen_op(struct difftest *t, struct op *op)
{
	unsigned int c = rnd_below(t, 1000);

	memset(op, 0, sizeof(*op));
	if (t->story_next == t->story_len && c < 5)
		gen_story(t);
	if (t->story_next < t->story_len) {
		*op = t->story[t->story_next++];
	} else if (c < 330) {
		gen_map(t, op, false);
	} else if (c < 430) {
		gen_map(t, op, true);
	} else if (c < 630) {
		op->kind = OP_UNMAP;
		pick_range(t, op, PAGES_1G);
	} else if (c < 750) {
		gen_protect(t, op, chance(t, 20));
	} else if (c < 820) {
		gen_split(t, op, chance(t, 20));
	} else if (c < 940) {
		gen_collapse(t, op);
	} else {
		gen_bad(t, op);
	}
	if (!op->bad)
		op->want = expect(t, op);
	if (!(op->flags & PGT_SHARED) && chance(t, 25))
		op->resched = chance(t, 20) ? RESCHED_EVERY_LEAF : RESCHED_BURST;
}
