// SPDX-License-Identifier: MIT
/*
 * Shadow MMU and rmap on the host, against guest page tables built in a fake
 * guest memory (test_shadow_env.c):
 *  - differential: random 4-level guest tables (4K, 2M and 1G pages, random
 *    permissions, shared tables, guest tables mapped as data), random guest
 *    events (faults, stores to guest tables through the write-protect path,
 *    CR3 switches, INVLPG, unprotect, give-back zaps); after each one every
 *    shadow translation must be one the guest tables composed with the
 *    memslots allow, and every fault must end as a reference walk says;
 *  - the rmap (and every shadow page's parent list) recomputed from the
 *    shadow tables after every operation must equal the one kept;
 *  - rmap zaps with and without rescheduling points, write-protect zaps, and
 *    a zap racing a faulting vCPU and a lockless walker (RCU frees).
 * The zap latency numbers are in tests/bench/bench_rmap.c.
 *
 *	test_shadow [--seed n] [--ops n]
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "test_shadow_env.h"

static u64 seed = 1, ops = 3000, rng;

static u64 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* ---- random guest address spaces ---------------------------------------------------- */

#define NR_AS	   3
#define MAX_TABLES 1000
#define MAX_GVAS   400

static u64 as_cr3[NR_AS];
static u64 tables[MAX_TABLES], nr_tables;
static u64 gvas[MAX_GVAS], nr_gvas;

static u64 rand_bits(void)
{
	return PTE64_P | (rnd() % 6 ? PTE64_RW : 0) | (rnd() % 8 ? PTE64_US : 0) |
	       (rnd() % 8 ? 0 : PTE64_NX) | (rnd() % 2 ? PTE64_A : 0) | (rnd() % 3 ? 0 : PTE64_D);
}

static u64 rand_frame(struct fake_vm *fv, int lvl)
{
	u64 r = rnd() % 10;

	if (lvl == 1) /* 1G: slot 1 (partly), slot 0 with its tables, or a hole */
		return r < 6 ? SLOT1_BASE : r < 9 ? 0 : 2 * SLOT1_BASE;
	if (lvl == 2)
		return r < 3 ? SLOT0_FRAMES / 2 + 512 * (rnd() % 2) :
		       r < 9 ? SLOT1_BASE + 512 * (rnd() % (fv->slot1_frames / 512)) :
			       0x100000;
	if (r < 4)
		return SLOT0_FRAMES / 2 + rnd() % (SLOT0_FRAMES / 2);
	if (r < 6 && nr_tables) /* a guest table mapped as data: the write-protect path */
		return tables[rnd() % nr_tables];
	return r < 9 ? SLOT1_BASE + rnd() % fv->slot1_frames : 0x90000 + rnd() % 100;
}

static void add_gva(u64 gva)
{
	if (nr_gvas < MAX_GVAS)
		gvas[nr_gvas++] = gva;
}

static u64 canonical(u64 gva)
{
	return gva & BIT(47) ? gva | GENMASK(63, 48) : gva;
}

/* A random guest table at @lvl for the region at @prefix; returns its gfn. */
static u64 build_table(struct fake_vm *fv, int lvl, u64 prefix)
{
	static const unsigned int top[] = { 0, 1, 2, 256, 511 };
	u64 gfn = fake_alloc_table(fv), *t, e, gva, size = 1ULL << (39 - 9 * lvl);
	int n = lvl == 3 ? 4 + (int)(rnd() % 12) : 3 + (int)(rnd() % 4), k;

	if (!gfn)
		return 0;
	tables[nr_tables++] = gfn;
	t = fake_gpa_ptr(fv, gfn << PAGE_SHIFT);
	for (k = 0; k < n; k++) {
		unsigned int idx = lvl ? rnd() % 512 : top[rnd() % 5];

		gva = canonical(prefix | (u64)idx * size);
		if (lvl == 3 || (lvl && rnd() % 4 == 0)) {
			u64 frame = rand_frame(fv, lvl);

			t[idx] = rand_bits() | (frame << PAGE_SHIFT) | (lvl < 3 ? PTE64_PS : 0);
			add_gva(gva +
				(lvl == 1 ? (rnd() % (fv->slot1_frames + 16)) << PAGE_SHIFT :
					    (rnd() % size) & ~0xfffULL) +
				(rnd() % 512) * 8);
		} else if (rnd() % 10 == 0) {
			t[idx] = (rnd() & ~1ULL); /* not present: any other bits */
			add_gva(gva);
		} else if (rnd() % 6 == 0 && nr_tables > 1) {
			/* share a table already built (at whatever level it was built for) */
			t[idx] = rand_bits() | (tables[rnd() % nr_tables] << PAGE_SHIFT);
			add_gva(gva + ((rnd() % size) & ~0xfffULL));
		} else if (nr_tables < MAX_TABLES && (e = build_table(fv, lvl + 1, gva))) {
			t[idx] = rand_bits() | PTE64_RW | PTE64_US | (e << PAGE_SHIFT);
		}
	}
	return gfn;
}

static void build_guest(struct fake_vm *fv)
{
	int i;

	nr_tables = nr_gvas = 0;
	for (i = 0; i < NR_AS; i++)
		as_cr3[i] = build_table(fv, 0, 0) << PAGE_SHIFT;
	/* the rest: neighbours of those (same table, other entries) and a few anywhere */
	for (i = (int)nr_gvas; nr_gvas < MAX_GVAS; i++)
		add_gva(rnd() % 8 ? gvas[rnd() % i] ^ ((rnd() % 4) << 12) :
				    canonical(rnd() & GENMASK(47, 12)));
}

/* ---- checks ------------------------------------------------------------------------- */

static u8 tracked[SLOT0_FRAMES]; /* guest table frames some live shadow page shadows */
static u32 *leaf_count;		 /* recomputed rmap sizes, slot 0 then slot 1 */
static int reported;

#define FAIL_ONCE(...)                                                       \
	do {                                                                 \
		if (reported++ < 8) {                                        \
			printf("    seed %llu: ", (unsigned long long)seed); \
			printf(__VA_ARGS__);                                 \
			printf("\n");                                        \
		}                                                            \
		harness_case_failed = 1;                                     \
	} while (0)

static u32 *count_of(struct fake_vm *fv, u64 gfn)
{
	if (gfn < SLOT0_FRAMES)
		return &leaf_count[gfn];
	if (gfn >= SLOT1_BASE && gfn - SLOT1_BASE < fv->slot1_frames)
		return &leaf_count[SLOT0_FRAMES + gfn - SLOT1_BASE];
	return NULL;
}

static struct rmap_head *head_of(struct fake_vm *fv, u64 gfn)
{
	struct shadow_gfn g;

	return fv->sm.ops->gfn_lookup(fv, gfn, &g) ? NULL : g.rmap;
}

/*
 * Recompute the rmap and the parent lists from the shadow tables and compare
 * them with the ones kept; also: no writable leaf maps a tracked guest table.
 */
static void check_rmap(struct fake_vm *fv)
{
	struct shadow_mmu *sm = &fv->sm;
	struct shadow_page *sp, *child;
	u64 gfn, nr = SLOT0_FRAMES + fv->slot1_frames, i, parents = 0, nonleaf = 0;

	memset(leaf_count, 0, nr * sizeof(*leaf_count));
	memset(tracked, 0, sizeof(tracked));
	CHECK_EQ(sm->stats.rmap_missing, 0);
	for (sp = sm->active.next; sp != &sm->active; sp = sp->next)
		if (!sp->role.direct && sp->gfn < SLOT0_FRAMES)
			tracked[sp->gfn] = 1;
	for (sp = sm->active.next; sp != &sm->active; sp = sp->next) {
		if (sp->role.level && rmap_empty(&sp->parents))
			FAIL_ONCE("live level-%u page of gfn %llx has no parent", sp->role.level,
				  (unsigned long long)sp->gfn);
		parents += rmap_count(&sp->parents);
		for (i = 0; i < 512; i++) {
			u64 spte = sp->spt[i];

			if (!(spte & PTE64_P))
				continue;
			if (sp->role.level < 3) {
				child = shadow_page_of(sm, (void *)(uintptr_t)(spte & PTE64_ADDR));
				nonleaf++;
				if (!child->live || !rmap_contains(&child->parents, &sp->spt[i]))
					FAIL_ONCE("table entry not in its child's parent list");
				continue;
			}
			gfn = shadow_leaf_gfn(sp, (unsigned int)i);
			if (!count_of(fv, gfn) || (spte & PTE64_ADDR) != fake_host_pa(fv, gfn)) {
				FAIL_ONCE("leaf maps gfn %llx to %llx", (unsigned long long)gfn,
					  (unsigned long long)spte);
				continue;
			}
			(*count_of(fv, gfn))++;
			if (!rmap_contains(head_of(fv, gfn), &sp->spt[i]))
				FAIL_ONCE("leaf of gfn %llx missing from the rmap",
					  (unsigned long long)gfn);
			if ((spte & PTE64_RW) && gfn < SLOT0_FRAMES && tracked[gfn])
				FAIL_ONCE("guest table gfn %llx mapped writable",
					  (unsigned long long)gfn);
		}
	}
	if (parents != nonleaf)
		FAIL_ONCE("%llu parent-list entries for %llu table entries",
			  (unsigned long long)parents, (unsigned long long)nonleaf);
	for (i = 0; i < nr; i++) {
		gfn = i < SLOT0_FRAMES ? i : SLOT1_BASE + i - SLOT0_FRAMES;
		if (rmap_count(head_of(fv, gfn)) != leaf_count[i])
			FAIL_ONCE("rmap of gfn %llx holds %lu entries, tables have %u",
				  (unsigned long long)gfn, rmap_count(head_of(fv, gfn)),
				  leaf_count[i]);
	}
}

/* Whatever the shadow maps for @gva, the guest tables and memslots must allow. */
static void check_gva(struct fake_vm *fv, struct shadow_vcpu *v, u64 gva)
{
	struct ref r;
	hpa_t pa;
	u8 acc;
	int rc = shadow_translate_lockless(&fv->sm, fv->sm.ops->virt_to_phys(v->root->spt), gva,
					   &pa, &acc);

	if (rc == -ENOENT)
		return;
	ref_walk(fv, v->root_gpa, gva, 0, &r);
	if (rc || r.rc) {
		FAIL_ONCE("gva %llx: shadow rc %d, guest walk %d (stale shadow mapping)",
			  (unsigned long long)gva, rc, r.rc);
		return;
	}
	if (pa.val != fake_host_pa(fv, r.gpa >> 12) + (r.gpa & 0xfff) ||
	    !fake_host_pa(fv, r.gpa >> 12))
		FAIL_ONCE("gva %llx: shadow pa %llx, guest gpa %llx", (unsigned long long)gva,
			  (unsigned long long)pa.val, (unsigned long long)r.gpa);
	if ((acc & ~r.acc) || ((acc ^ r.acc) & (SH_ACC_U | SH_ACC_X)))
		FAIL_ONCE("gva %llx: shadow access %x, guest %x", (unsigned long long)gva, acc,
			  r.acc);
	if ((acc & SH_ACC_W) && (!(*fake_gpa_ptr(fv, r.gpte_gpa[r.leaf]) & PTE64_D) ||
				 (r.gpa >> 12 < SLOT0_FRAMES && tracked[r.gpa >> 12])))
		FAIL_ONCE("gva %llx writable while guest D clear or frame a shadowed table",
			  (unsigned long long)gva);
}

static void check_all(struct fake_vm *fv, struct shadow_vcpu *v, int nr_v)
{
	int i;
	u64 k;

	check_rmap(fv); /* also fills tracked[] */
	for (i = 0; i < nr_v; i++)
		for (k = 0; k < nr_gvas; k++)
			if (v[i].root)
				check_gva(fv, &v[i], gvas[k]);
}

/* ---- guest events ------------------------------------------------------------------- */

/* A fault as the CPU would raise it, checked against the reference walk. */
static u64 fault_results[8];

static int do_fault(struct fake_vm *fv, struct shadow_vcpu *v, u64 gva, u32 ec)
{
	struct shadow_fault out = { 0 };
	struct ref r;
	hpa_t pa;
	u8 acc;
	int rc;

	ref_walk(fv, v->root_gpa, gva, ec, &r);
	rc = shadow_page_fault(v, gva, ec, &out);
	fault_results[rc < 0 ? 5 : rc]++;
	check_rmap(fv);
	if (r.rc < 0) {
		if (rc != -EFAULT)
			FAIL_ONCE("gva %llx: table outside memory, fault gave %d",
				  (unsigned long long)gva, rc);
		return rc;
	}
	if (r.rc) {
		if (rc != SHADOW_FAULT_INJECT || out.error_code != r.ec)
			FAIL_ONCE("gva %llx ec %x: expected #PF %x, got %d/%x",
				  (unsigned long long)gva, ec, r.ec, rc, out.error_code);
		return rc;
	}
	if (!fake_host_pa(fv, r.gpa >> 12)) {
		if (rc != SHADOW_FAULT_MMIO || out.gpa.val != r.gpa)
			FAIL_ONCE("gva %llx: expected MMIO at %llx, got %d",
				  (unsigned long long)gva, (unsigned long long)r.gpa, rc);
		return rc;
	}
	if ((ec & PFERR_W) && r.gpa >> 12 < SLOT0_FRAMES && tracked[r.gpa >> 12]) {
		if (rc != SHADOW_FAULT_EMULATE || out.gpa.val != r.gpa)
			FAIL_ONCE("gva %llx: write to a guest table not caught (%d)",
				  (unsigned long long)gva, rc);
		return rc;
	}
	if (rc != SHADOW_FAULT_FIXED) {
		FAIL_ONCE("gva %llx ec %x: fault gave %d", (unsigned long long)gva, ec, rc);
		return rc;
	}
	rc = shadow_translate_lockless(&fv->sm, fv->sm.ops->virt_to_phys(v->root->spt), gva, &pa,
				       &acc);
	if (rc || pa.val != fake_host_pa(fv, r.gpa >> 12) + (r.gpa & 0xfff) ||
	    ((ec & PFERR_W) && !(acc & SH_ACC_W)) || ((ec & PFERR_U) && !(acc & SH_ACC_U)) ||
	    ((ec & PFERR_I) && !(acc & SH_ACC_X)))
		FAIL_ONCE("gva %llx ec %x: fixed, but shadow gives rc %d pa %llx acc %x",
			  (unsigned long long)gva, ec, rc, (unsigned long long)pa.val, acc);
	for (int l = 0; l <= r.leaf; l++)
		if (!(*fake_gpa_ptr(fv, r.gpte_gpa[l]) & PTE64_A))
			FAIL_ONCE("gva %llx: guest A bit not set at level %d",
				  (unsigned long long)gva, l);
	if ((ec & PFERR_W) && !(*fake_gpa_ptr(fv, r.gpte_gpa[r.leaf]) & PTE64_D))
		FAIL_ONCE("gva %llx: guest D bit not set by a write", (unsigned long long)gva);
	return SHADOW_FAULT_FIXED;
}

static u32 rand_ec(void)
{
	u32 ec = rnd() % 4 ? 0 : PFERR_U;

	switch (rnd() % 4) {
	case 0:
		return ec | PFERR_W;
	case 1:
		return ec | PFERR_I;
	default:
		return ec;
	}
}

static u64 mutate(u64 e)
{
	switch (rnd() % 8) {
	case 0:
	case 1:
	case 2:
	case 3:
	case 4: {
		static const u64 flip[] = { PTE64_P, PTE64_RW, PTE64_US, PTE64_NX, PTE64_PS };

		return e ^ flip[rnd() % 5];
	}
	case 5:
		return e & ~(PTE64_A | PTE64_D);
	case 6:
		return rnd() % 4 ? e | PTE64_P : 0;
	default:
		return (e & ~PTE64_ADDR) | PTE64_P | (tables[rnd() % nr_tables] << PAGE_SHIFT);
	}
}

/*
 * The guest stores @val to its table entry at @gpa: through a gva that maps
 * that table when there is one (the CPU faults on the write-protected
 * mapping and the store is emulated; if the shadow let it through, it lands
 * in guest memory behind the shadow's back), else as an emulated store.
 */
static void guest_table_store(struct fake_vm *fv, struct shadow_vcpu *v, u64 addr, u64 val)
{
	struct shadow_fault out = { 0 };
	u64 k, gva = 0;
	struct ref r;
	int rc;

	for (k = 0; k < nr_gvas && !gva; k++) {
		ref_walk(fv, v->root_gpa, gvas[k], PFERR_W, &r);
		if (!r.rc && r.gpa >> 12 == addr >> 12)
			gva = (gvas[k] & ~0xfffULL) | (addr & 0xff8);
	}
	if (!gva) {
		shadow_guest_pte_write(v, gpa(addr), val);
		return;
	}
	rc = shadow_page_fault(v, gva, PFERR_W | PFERR_P, &out);
	if (rc == SHADOW_FAULT_EMULATE)
		shadow_guest_pte_write(v, out.gpa, val);
	else if (rc == SHADOW_FAULT_FIXED)
		*fake_gpa_ptr(fv, addr) =
			val; /* the hardware store through a writable shadow leaf */
}

static void one_op(struct fake_vm *fv, struct shadow_vcpu *vs, int nr_v)
{
	struct shadow_vcpu *v = &vs[rnd() % nr_v];
	u64 gva = gvas[rnd() % nr_gvas], r = rnd() % 100, t, addr;
	hpa_t pa;

	if (r < 58) {
		do_fault(fv, v, gva, rand_ec());
	} else if (r < 70) {
		t = tables[rnd() % nr_tables];
		addr = (t << PAGE_SHIFT) + (rnd() % 512) * 8;
		guest_table_store(fv, v, addr, mutate(*fake_gpa_ptr(fv, addr)));
	} else if (r < 78) {
		shadow_new_root(v, gpa(as_cr3[rnd() % NR_AS]), NULL);
	} else if (r < 86) {
		shadow_invlpg(v, gva);
		if (!shadow_translate_lockless(&fv->sm, fv->sm.ops->virt_to_phys(v->root->spt), gva,
					       &pa, NULL))
			FAIL_ONCE("gva %llx still mapped after INVLPG", (unsigned long long)gva);
	} else if (r < 90) {
		shadow_write_fault(v, gpa(tables[rnd() % nr_tables] << PAGE_SHIFT));
	} else if (r < 96) {
		/* a guest store to data: lands in memory if the shadow maps it writable */
		if (do_fault(fv, v, gva, PFERR_W) == SHADOW_FAULT_FIXED) {
			struct ref rw;

			ref_walk(fv, v->root_gpa, gva, PFERR_W, &rw);
			if (fake_gpa_ptr(fv, rw.gpa & ~7ULL))
				*fake_gpa_ptr(fv, rw.gpa & ~7ULL) =
					rand_bits() | ((rnd() % SLOT0_FRAMES) << PAGE_SHIFT);
		}
	} else {
		t = rnd() % 2 ? rnd() % SLOT0_FRAMES : SLOT1_BASE + rnd() % fv->slot1_frames;
		kvm_mmu_rmap_zap(&fv->sm, t, 1 + rnd() % 64, rnd() % 3 ? 0 : RMAP_ZAP_WRPROT);
	}
}

/* ---- cases -------------------------------------------------------------------------- */

#define SLOT1_TEST_FRAMES 16384ULL

static struct fake_vm *new_vm(unsigned int cpus)
{
	struct fake_vm *fv = fake_vm_create(8192, SLOT1_TEST_FRAMES, cpus);

	leaf_count = calloc(SLOT0_FRAMES + fv->slot1_frames, sizeof(*leaf_count));
	return fv;
}

static void end_vm(struct fake_vm *fv, struct shadow_vcpu *v, int nr_v)
{
	int i;

	for (i = 0; i < nr_v; i++)
		shadow_put_root(&v[i]);
	CHECK_EQ(fake_vm_destroy(fv), 0);
	free(leaf_count);
}

static void test_differential(void)
{
	struct fake_vm *fv;
	struct shadow_vcpu v[2];
	u64 op;
	int i, err;

	rng = seed * 0x9e3779b97f4a7c15ULL | 1;
	fv = new_vm(0);
	build_guest(fv);
	reported = 0;
	for (i = 0; i < 2; i++) {
		shadow_vcpu_init(&v[i], &fv->sm, (unsigned int)i, &shadow_format_x86_64, true,
				 true);
		shadow_new_root(&v[i], gpa(as_cr3[i]), &err);
		CHECK_EQ(err, 0);
	}
	for (op = 0; op < ops && !reported; op++) {
		one_op(fv, v, 2);
		check_all(fv, v, 2);
	}
	printf("    seed %llu, %llu ops, %llu guest tables, %llu emulated table writes, faults: %llu "
	       "fixed, %llu #PF, %llu emulate, %llu MMIO, %llu retry, %llu error\n",
	       (unsigned long long)seed, (unsigned long long)op, (unsigned long long)nr_tables,
	       (unsigned long long)fv->sm.stats.emulated_writes,
	       (unsigned long long)fault_results[0], (unsigned long long)fault_results[1],
	       (unsigned long long)fault_results[2], (unsigned long long)fault_results[3],
	       (unsigned long long)fault_results[4], (unsigned long long)fault_results[5]);
	end_vm(fv, v, 2);
}

/* rmap lists against a model: one-word form, descriptor chains, removal in any order. */
static void test_rmap_lists(void)
{
	struct page_pool *pool = host_pool_create(64);
	struct rmap_desc_pool dp;
	struct rmap_head heads[4] = { { 0 } };
	static u64 sptes[64];
	bool in[4][64] = { { false } };
	unsigned long want;
	struct rmap_iter it;
	u64 *p, op;
	int h, i;

	rng = seed * 7 + 3;
	rmap_pool_init(&dp, pool);
	for (op = 0; op < 20000; op++) {
		h = (int)(rnd() % 4);
		i = (int)(rnd() % (h == 0 ? 2 : 64)); /* head 0 stays at 0-2 entries */
		if (in[h][i])
			CHECK_EQ(rmap_remove(&dp, &heads[h], &sptes[i]), 0);
		else
			CHECK_EQ(rmap_add(&dp, &heads[h], &sptes[i]), 0);
		in[h][i] = !in[h][i];
		for (want = 0, i = 0; i < 64; i++)
			want += in[h][i];
		CHECK_EQ(rmap_count(&heads[h]), want);
		if (want == 1)
			CHECK_EQ(heads[h].val & 1, 0); /* a single entry is stored in the head */
		for (p = rmap_first(&heads[h], &it); p; p = rmap_next(&it))
			if (!in[h][p - sptes])
				CHECK(!"iteration returned an entry not in the set");
	}
	for (h = 0; h < 4; h++)
		while ((p = rmap_first(&heads[h], &it)))
			rmap_remove(&dp, &heads[h], p);
	CHECK_EQ(dp.in_use, 0);
	CHECK_EQ(rmap_remove(&dp, &heads[0], &sptes[0]), -ENOENT);
	rmap_pool_destroy(&dp);
	CHECK_EQ(pool->in_use, 0);
	host_pool_destroy(pool);
}

/*
 * A guest for the zap cases: 2M pages over all of slot 1 mapped twice (RW
 * with D set, and read-only: two roles, so two shadow leaves per frame), and
 * one 4K table whose 512 entries all map frame SLOT1_BASE + 5 (a long chain).
 */
#define ZAP_RO_GVA    (1ULL << 30)
#define ZAP_CHAIN_GVA (2ULL << 30)

static u64 build_zap_guest(struct fake_vm *fv)
{
	u64 pml4 = fake_alloc_table(fv), pdpt = fake_alloc_table(fv), pd[2], pt, i, k;
	u64 bits = PTE64_P | PTE64_US | PTE64_A;

	*fake_gpa_ptr(fv, pml4 << 12) = bits | PTE64_RW | (pdpt << 12);
	for (k = 0; k < 2; k++) {
		pd[k] = fake_alloc_table(fv);
		*fake_gpa_ptr(fv, (pdpt << 12) + k * 8) = bits | PTE64_RW | (pd[k] << 12);
		for (i = 0; i < fv->slot1_frames / 512; i++)
			*fake_gpa_ptr(fv, (pd[k] << 12) + i * 8) = bits | PTE64_PS |
								   (k ? 0 : PTE64_RW | PTE64_D) |
								   ((SLOT1_BASE + i * 512) << 12);
	}
	pd[0] = fake_alloc_table(fv);
	pt = fake_alloc_table(fv);
	*fake_gpa_ptr(fv, (pdpt << 12) + 16) = bits | PTE64_RW | (pd[0] << 12);
	*fake_gpa_ptr(fv, pd[0] << 12) = bits | PTE64_RW | (pt << 12);
	for (i = 0; i < 512; i++)
		*fake_gpa_ptr(fv, (pt << 12) + i * 8) = bits | PTE64_RW | ((SLOT1_BASE + 5) << 12);
	return pml4 << 12;
}

static void populate_zap_guest(struct fake_vm *fv, struct shadow_vcpu *v)
{
	struct shadow_fault out;
	u64 i;

	for (i = 0; i < fv->slot1_frames; i++) {
		shadow_page_fault(v, i << 12, PFERR_W | PFERR_U, &out);
		shadow_page_fault(v, ZAP_RO_GVA + (i << 12), PFERR_U, &out);
	}
	for (i = 0; i < 512; i++)
		shadow_page_fault(v, ZAP_CHAIN_GVA + (i << 12), PFERR_U, &out);
}

static struct shadow_mmu *hook_sm;
static bool hook_reraise;
/* hook_max_zapped: shadow pages zapped between two points, at most (a cascade must pause). */
static u64 hook_calls, hook_last_zapped, hook_max_zapped;

static void counting_hook(void)
{
	if (hook_sm) {
		u64 z = hook_sm->stats.pages_zapped;

		if (z - hook_last_zapped > hook_max_zapped)
			hook_max_zapped = z - hook_last_zapped;
		hook_last_zapped = z;
	}
	hook_calls++;
	if (hook_reraise)
		*host_resched_word() = 1; /* ask again at once: a point after every batch */
}

/* Zap [@start, +@n) and check the rmap lost exactly those frames' entries. */
static void zap_and_check(struct fake_vm *fv, u64 start, u64 n, unsigned int flags)
{
	u64 nr = SLOT0_FRAMES + fv->slot1_frames, i, expect = 0, gfn;
	u32 *before = malloc(nr * sizeof(*before));

	check_rmap(fv);
	memcpy(before, leaf_count, nr * sizeof(*before));
	for (i = 0; i < nr; i++) {
		gfn = i < SLOT0_FRAMES ? i : SLOT1_BASE + i - SLOT0_FRAMES;
		expect += gfn >= start && gfn - start < n ? before[i] : 0;
	}
	CHECK_EQ(kvm_mmu_rmap_zap(&fv->sm, start, n, flags), expect);
	check_rmap(fv);
	for (i = 0; i < nr; i++) {
		gfn = i < SLOT0_FRAMES ? i : SLOT1_BASE + i - SLOT0_FRAMES;
		if (gfn >= start && gfn - start < n)
			CHECK_EQ(leaf_count[i], 0);
		else if (leaf_count[i] != before[i])
			FAIL_ONCE("gfn %llx outside the zap lost entries", (unsigned long long)gfn);
	}
	free(before);
}

static void test_zap_points(void)
{
	struct fake_vm *fv = new_vm(0);
	struct shadow_vcpu v;
	struct shadow_page *sp;
	u64 calls, i;

	reported = 0;
	shadow_vcpu_init(&v, &fv->sm, 0, &shadow_format_x86_64, true, true);
	shadow_new_root(&v, gpa(build_zap_guest(fv)), NULL);
	populate_zap_guest(fv, &v);
	check_rmap(fv);
	CHECK_EQ(leaf_count[SLOT0_FRAMES + 5], 514);
	CHECK_EQ(leaf_count[SLOT0_FRAMES + 6], 2);

	host_resched_hook = counting_hook;
	hook_reraise = true;
	hook_calls = 0;
	*host_resched_word() = 1;
	zap_and_check(fv, SLOT1_BASE, 6000, 0); /* includes the 514-entry frame */
	printf("    with points: %llu rescheduling points over 6000 frames\n",
	       (unsigned long long)hook_calls);
	CHECK(hook_calls >= 6000);
	CHECK_EQ(fv->sm.stats.resched_points, hook_calls);

	calls = hook_calls;
	*host_resched_word() = 1;
	zap_and_check(fv, SLOT1_BASE + 8000, 6000, RMAP_ZAP_NO_RESCHED);
	CHECK_EQ(hook_calls, calls); /* disabled: none taken though requested */

	/* Write-protect: entries stay, none writable; a write fault makes one writable again. */
	kvm_mmu_rmap_zap(&fv->sm, SLOT1_BASE + 7000, 500, RMAP_ZAP_WRPROT);
	check_rmap(fv);
	for (i = 0; i < 500; i++) {
		struct rmap_iter it;
		u64 *p;

		for (p = rmap_first(head_of(fv, SLOT1_BASE + 7000 + i), &it); p; p = rmap_next(&it))
			CHECK(!(*p & PTE64_RW));
	}
	nr_gvas = 0;
	CHECK_EQ(do_fault(fv, &v, 7000ULL << 12, PFERR_W | PFERR_U), SHADOW_FAULT_FIXED);

	/*
	 * Give back the frames holding the guest tables: their shadow pages go
	 * too, with the subtrees they orphan, and a point between any two pages.
	 */
	hook_sm = &fv->sm;
	hook_last_zapped = fv->sm.stats.pages_zapped;
	hook_max_zapped = 0;
	calls = fv->sm.stats.pages_zapped;
	*host_resched_word() = 1;
	kvm_mmu_rmap_zap(&fv->sm, 0, 64, 0);
	counting_hook();
	hook_sm = NULL;
	printf("    zap of the guest's tables: %llu shadow pages, at most %llu between two points\n",
	       (unsigned long long)(fv->sm.stats.pages_zapped - calls),
	       (unsigned long long)hook_max_zapped);
	CHECK(fv->sm.stats.pages_zapped - calls > 4);
	CHECK(hook_max_zapped <= 2);
	CHECK(fv->sm.orphans == NULL);
	for (sp = fv->sm.active.next; sp != &fv->sm.active; sp = sp->next)
		CHECK(sp->role.direct || sp->gfn >= 64);
	CHECK_EQ(do_fault(fv, &v, 7001ULL << 12, PFERR_U), SHADOW_FAULT_FIXED);
	check_rmap(fv);
	host_resched_hook = NULL;
	hook_reraise = false;
	*host_resched_word() = 0;
	end_vm(fv, &v, 1);
}

/* ---- a zap racing a faulting vCPU and a lockless walker ------------------------------ */

struct race {
	struct fake_vm *fv;
	struct shadow_vcpu v[2];
	u64 stop, poison, wrong, walks, expect_pa[64];
};

static struct race race;

static void race_hook(void)
{
	rcu_quiescent(&race.fv->rcu, 0); /* lock dropped: a natural quiescent point */
	*host_resched_word() = 1;
}

static void *race_faulter(void *arg)
{
	struct shadow_fault out;
	u64 i = 0;

	(void)arg;
	host_set_cpu(1);
	while (!__atomic_load_n(&race.stop, __ATOMIC_ACQUIRE)) {
		i = (i + 97) % race.fv->slot1_frames;
		shadow_page_fault(&race.v[0], i << 12, PFERR_U | (i & 1 ? PFERR_W : 0), &out);
		rcu_quiescent(&race.fv->rcu, 1); /* guest entry */
	}
	rcu_idle_enter(&race.fv->rcu, 1);
	return NULL;
}

static void *race_reader(void *arg)
{
	hpa_t root = *(hpa_t *)arg, pa;
	u64 i = 0;
	int rc;

	host_set_cpu(2);
	while (!__atomic_load_n(&race.stop, __ATOMIC_ACQUIRE)) {
		i = (i + 1) % 64;
		rc = shadow_translate_lockless(&race.fv->sm, root, (i * 211) << 12, &pa, NULL);
		if (rc == -EFAULT)
			race.poison++;
		else if (!rc && pa.val != race.expect_pa[i])
			race.wrong++;
		race.walks++;
		if (i % 8 == 0)
			rcu_quiescent(&race.fv->rcu, 2);
	}
	rcu_idle_enter(&race.fv->rcu, 2);
	return NULL;
}

static void test_zap_race(void)
{
	struct fake_vm *fv = new_vm(3);
	pthread_t f, r;
	hpa_t root;
	u64 i, cr3;

	reported = 0;
	race = (struct race){ .fv = fv };
	host_set_cpu(0);
	cr3 = build_zap_guest(fv);
	for (i = 0; i < 2; i++) {
		shadow_vcpu_init(&race.v[i], &fv->sm, (unsigned int)i + 1, &shadow_format_x86_64,
				 true, true);
		shadow_new_root(&race.v[i], gpa(cr3), NULL);
	}
	root = fv->sm.ops->virt_to_phys(race.v[1].root->spt);
	populate_zap_guest(fv, &race.v[0]);
	for (i = 0; i < 64; i++)
		race.expect_pa[i] = fake_host_pa(fv, SLOT1_BASE + i * 211);
	host_resched_hook = race_hook;
	pthread_create(&f, NULL, race_faulter, NULL);
	pthread_create(&r, NULL, race_reader, &root);
	for (i = 0; i < 20; i++) {
		*host_resched_word() = 1;
		kvm_mmu_rmap_zap(&fv->sm, SLOT1_BASE, fv->slot1_frames, 0);
		/* the guest tables: shadow pages unlinked while roots are loaded go through RCU */
		kvm_mmu_rmap_zap(&fv->sm, 2, 14, 0); /* not the PML4: the roots stay valid */
		rcu_quiescent(&fv->rcu, 0);
	}
	__atomic_store_n(&race.stop, 1, __ATOMIC_RELEASE);
	pthread_join(f, NULL);
	pthread_join(r, NULL);
	host_resched_hook = NULL;
	*host_resched_word() = 0;
	printf("    %llu lockless walks, %llu rescheduling points, %llu pages freed through RCU\n",
	       (unsigned long long)race.walks, (unsigned long long)fv->sm.stats.resched_points,
	       (unsigned long long)fv->sm.stats.pages_freed_rcu);
	CHECK_EQ(race.poison, 0);
	CHECK_EQ(race.wrong, 0);
	CHECK(fv->sm.stats.resched_points > 0);
	check_rmap(fv);
	end_vm(fv, race.v, 2);
}

int main(int argc, char **argv)
{
	int i;

	for (i = 1; i + 1 < argc; i++) {
		if (!strcmp(argv[i], "--seed"))
			seed = strtoull(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--ops"))
			ops = strtoull(argv[i + 1], NULL, 0);
	}
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
	if (ops > 1000)
		ops = 1000;
#endif
	host_set_cpu(0);
	RUN(test_rmap_lists);
	RUN(test_differential);
	RUN(test_zap_points);
	RUN(test_zap_race);
	return harness_done();
}
