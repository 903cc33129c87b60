// SPDX-License-Identifier: MIT
/*
 * The shadow MMU with its pool exhausted (test_shadow_env.c's fake VM, RCU
 * on): what arch/x86_64/stage2_shadow.c relies on to never enter a guest
 * without a root.
 *  - zap_all_frees_unloaded: one vCPU fills the pool with address spaces
 *    while another has a root loaded; after shadow_zap_all() a root loads
 *    at once (what no loaded root reaches is back in the pool), while the
 *    pages under the loaded root wait for the grace period (a walker may
 *    still be in them);
 *  - exhaustion_race: vCPU threads switch between more address spaces than
 *    the pool holds and fault through them, one of them dropping its root
 *    and loading it from nothing each round (a vCPU being started), all
 *    handling a full pool as stage2_shadow.c does (zap, retry, else pass a
 *    quiescent state and retry); every root load ends with a root within a
 *    bound, every lockless walk from a vCPU's root finds the right page or
 *    nothing (never a freed table), nothing leaks;
 *  - min_pool: with the smallest pool shadow_pool_min_pages() allows, full,
 *    a root still loads after a grace period;
 *  - host_oom_ends: a frame the host cannot back (-ENOMEM from the memslot
 *    lookup) is reported as -ENOMEM, for the VM to end; a frame being given
 *    back (-EAGAIN) is a retry; neither maps anything.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "test_shadow_env.h"

/* Address spaces: PML4 -> PDPT -> PD -> NR_PT tables, PT k mapping its first page at 2 MiB * k. */
#define NR_SPACES      60
#define NR_PT	       12
#define SPACE_TABLES   (3 + NR_PT)
#define DATA_GFN(s, k) (SLOT0_FRAMES / 2 + ((s)*NR_PT + (k)) % (SLOT0_FRAMES / 2))

static u64 space_cr3[NR_SPACES];

static u64 gva_of(unsigned int k)
{
	return (u64)k << 21;
}

static void build_spaces(struct fake_vm *fv)
{
	const u64 bits = PTE64_P | PTE64_RW | PTE64_US | PTE64_A | PTE64_D;
	unsigned int s, k;

	for (s = 0; s < NR_SPACES; s++) {
		u64 pml4 = fake_alloc_table(fv), pdpt = fake_alloc_table(fv);
		u64 pd = fake_alloc_table(fv);

		*fake_gpa_ptr(fv, pml4 << 12) = bits | (pdpt << 12);
		*fake_gpa_ptr(fv, pdpt << 12) = bits | (pd << 12);
		for (k = 0; k < NR_PT; k++) {
			u64 pt = fake_alloc_table(fv);

			*fake_gpa_ptr(fv, (pd << 12) + k * 8) = bits | (pt << 12);
			*fake_gpa_ptr(fv, pt << 12) = bits | (DATA_GFN(s, k) << 12);
		}
		space_cr3[s] = pml4 << 12;
	}
}

/* Fault every page of space @s in; false when the pool ran dry (nothing else may fail). */
static bool touch_space(struct shadow_vcpu *v, unsigned int s, unsigned int *errors)
{
	struct shadow_fault out;
	unsigned int k;
	int rc;

	for (k = 0; k < NR_PT; k++) {
		rc = shadow_page_fault(v, gva_of(k), PFERR_U | PFERR_W, &out);
		if (rc == -ENOSPC)
			return false;
		if (rc != SHADOW_FAULT_FIXED)
			++*errors;
	}
	(void)s;
	return true;
}

static void test_zap_all_frees_unloaded(void)
{
	struct fake_vm *fv = fake_vm_create(8 * SPACE_TABLES + 16, 0, 3);
	struct shadow_page *under_a[SPACE_TABLES], *sp;
	struct shadow_vcpu a, b;
	unsigned int s, n = 0, errors = 0, i;
	u64 loaded;
	int err;

	host_set_cpu(0);
	build_spaces(fv);
	shadow_vcpu_init(&a, &fv->sm, 1, &shadow_format_x86_64, true, true);
	shadow_vcpu_init(&b, &fv->sm, 2, &shadow_format_x86_64, true, true);
	CHECK_EQ(shadow_load_root_or_zap(&a, gpa(space_cr3[0])), 0);
	CHECK(touch_space(&a, 0, &errors));
	for (sp = fv->sm.active.next; sp != &fv->sm.active; sp = sp->next)
		if (sp != a.root && n < SPACE_TABLES)
			under_a[n++] = sp;
	CHECK_EQ(n, SPACE_TABLES - 1);
	/* b fills the pool with spaces of its own (cached roots nobody else loads). */
	for (s = 1, err = 0; s < NR_SPACES; s++) {
		shadow_new_root(&b, gpa(space_cr3[s]), &err);
		if (err || !touch_space(&b, s, &errors))
			break;
	}
	printf("    pool of %llu pages full after %u address spaces\n",
	       (unsigned long long)fv->pool->nr_pages, s);
	CHECK(s < NR_SPACES);
	CHECK_EQ(errors, 0);
	/* What stage2_shadow.c does: zap everything, load again; no grace period in between. */
	shadow_zap_all(&fv->sm);
	shadow_new_root(&b, gpa(space_cr3[1]), &err);
	CHECK_EQ(err, 0);
	CHECK(shadow_root_valid(&b));
	CHECK(touch_space(&b, 1, &errors));
	CHECK(fv->sm.stats.pages_freed_at_zap_all > 0);
	/* a's root is loaded: what it reached waits for the grace period, still readable. */
	CHECK(a.root && a.root->invalid && !shadow_root_valid(&a));
	loaded = 0;
	for (i = 0; i < n; i++)
		loaded += under_a[i]->live;
	CHECK_EQ(loaded, n);
	/* Every CPU passes quiescent states: the grace period ends, the callbacks run. */
	for (i = 0; i < 3 * 8; i++)
		rcu_quiescent(&fv->rcu, i % 3);
	loaded = 0;
	for (i = 0; i < n; i++)
		loaded += under_a[i]->live;
	CHECK_EQ(loaded, 0);
	CHECK_EQ(shadow_load_root_or_zap(&a, gpa(space_cr3[0])), 0);
	CHECK(shadow_root_valid(&a));
	shadow_put_root(&a);
	shadow_put_root(&b);
	rcu_idle_enter(&fv->rcu, 1); /* no thread behind CPUs 1 and 2: rcu_barrier must not wait */
	rcu_idle_enter(&fv->rcu, 2);
	CHECK_EQ(fake_vm_destroy(fv), 0);
}

/* ---- the race ------------------------------------------------------------------------- */

#define NR_VCPUS 3
#define ROUNDS	 600
/*
 * How long a root load may wait (stage2_shadow.c's ROOT_WAIT_NS is 2 s): in
 * time, not tries, as a grace period needs every thread to run, and three
 * spinning threads on fewer host CPUs wait for the host's scheduler.
 */
#define MAX_WAIT_NS 10000000000ULL

static u64 now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (u64)t.tv_sec * 1000000000ULL + (u64)t.tv_nsec;
}

struct race {
	struct fake_vm *fv;
	struct shadow_vcpu v[NR_VCPUS];
	u64 waits_max, waits, loads, walks, poison, wrong, no_root, fault_errors;
	unsigned int done;
};

static struct race race;

/* Load space @s's root like stage2_shadow.c's get_root(): zap and retry, then wait and retry. */
static bool load_like_svm(struct shadow_vcpu *v, unsigned int cpu, unsigned int s, u64 *waited)
{
	u64 w, start = now_ns();

	for (w = 0; now_ns() - start < MAX_WAIT_NS; w++) {
		if (!shadow_load_root_or_zap(v, gpa(space_cr3[s])) && shadow_root_valid(v)) {
			*waited = w;
			return true;
		}
		/* What an entry refused for want of a root does: a quiescent state, then yield. */
		rcu_quiescent(&race.fv->rcu, cpu);
		sched_yield();
	}
	return false;
}

static void *race_vcpu(void *arg)
{
	unsigned int id = (unsigned int)(uintptr_t)arg, cpu = id + 1, r, s = id, k;
	struct shadow_vcpu *v = &race.v[id];
	struct shadow_fault out;
	u64 waited = 0, max = 0, waits = 0, walks = 0, poison = 0, wrong = 0, errs = 0;
	hpa_t pa;
	int rc;

	host_set_cpu(cpu);
	for (r = 0; r < ROUNDS; r++) {
		s = (s + 7 * (id + 1)) % NR_SPACES;
		if (id == 0)
			shadow_put_root(v); /* a vCPU started afresh: no root at all */
		if (!load_like_svm(v, cpu, s, &waited)) {
			__atomic_fetch_add(&race.no_root, 1, __ATOMIC_RELAXED);
			break;
		}
		waits += waited;
		max = waited > max ? waited : max;
		for (k = 0; k < NR_PT; k++) {
			rc = shadow_page_fault(v, gva_of(k), PFERR_U | (k & 1 ? PFERR_W : 0), &out);
			if (rc == -ENOSPC)
				shadow_make_room(&race.fv->sm);
			else if (rc != SHADOW_FAULT_FIXED)
				errs++;
			/* Lockless, from the pinned root (a zap may empty it, never free it). */
			rc = shadow_translate_lockless(&race.fv->sm,
						       race.fv->sm.ops->virt_to_phys(v->root->spt),
						       gva_of(k), &pa, NULL);
			walks++;
			if (rc == -EFAULT)
				poison++;
			else if (!rc && pa.val != fake_host_pa(race.fv, DATA_GFN(s, k)))
				wrong++;
			rcu_quiescent(&race.fv->rcu, cpu); /* guest entry */
		}
	}
	__atomic_fetch_add(&race.waits, waits, __ATOMIC_RELAXED);
	__atomic_fetch_add(&race.walks, walks, __ATOMIC_RELAXED);
	__atomic_fetch_add(&race.poison, poison, __ATOMIC_RELAXED);
	__atomic_fetch_add(&race.wrong, wrong, __ATOMIC_RELAXED);
	__atomic_fetch_add(&race.fault_errors, errs, __ATOMIC_RELAXED);
	__atomic_fetch_add(&race.loads, r, __ATOMIC_RELAXED);
	if (max > __atomic_load_n(&race.waits_max, __ATOMIC_RELAXED))
		__atomic_store_n(&race.waits_max, max, __ATOMIC_RELAXED);
	shadow_put_root(v);
	/*
	 * Like a physical CPU with nothing to run: it keeps waking at the tick
	 * and runs the callbacks queued here (kvm/sched.c's idle loop), or the
	 * pages it handed to RCU would stay out of the others' pool.
	 */
	__atomic_fetch_add(&race.done, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&race.done, __ATOMIC_ACQUIRE) < NR_VCPUS) {
		rcu_quiescent(&race.fv->rcu, cpu);
		sched_yield();
	}
	rcu_idle_enter(&race.fv->rcu, cpu);
	return NULL;
}

static void exhaustion_race(u64 pool_pages)
{
	pthread_t t[NR_VCPUS];
	unsigned int i;

	race = (struct race){ .fv = fake_vm_create(pool_pages, 0, NR_VCPUS + 1) };
	host_set_cpu(0);
	build_spaces(race.fv);
	rcu_idle_enter(&race.fv->rcu, 0); /* the main thread reads nothing meanwhile */
	for (i = 0; i < NR_VCPUS; i++)
		shadow_vcpu_init(&race.v[i], &race.fv->sm, i + 1, &shadow_format_x86_64, true,
				 true);
	for (i = 0; i < NR_VCPUS; i++)
		pthread_create(&t[i], NULL, race_vcpu, (void *)(uintptr_t)i);
	for (i = 0; i < NR_VCPUS; i++)
		pthread_join(t[i], NULL);
	rcu_idle_exit(&race.fv->rcu, 0);
	printf("    pool %llu pages: %llu root loads, %llu zap-alls (%llu pages back at once, %llu "
	       "through RCU), waits %llu (at most %llu for one load), %llu lockless walks\n",
	       (unsigned long long)pool_pages, (unsigned long long)race.loads,
	       (unsigned long long)race.fv->sm.stats.zap_alls,
	       (unsigned long long)race.fv->sm.stats.pages_freed_at_zap_all,
	       (unsigned long long)race.fv->sm.stats.pages_freed_rcu,
	       (unsigned long long)race.waits, (unsigned long long)race.waits_max,
	       (unsigned long long)race.walks);
	CHECK_EQ(race.no_root, 0);
	CHECK_EQ(race.loads, NR_VCPUS * ROUNDS);
	CHECK_EQ(race.poison, 0);
	CHECK_EQ(race.wrong, 0);
	CHECK_EQ(race.fault_errors, 0);
	CHECK(race.fv->sm.stats.zap_alls > 0); /* the pool really ran dry */
	CHECK_EQ(race.fv->sm.stats.rmap_missing, 0);
	CHECK_EQ(fake_vm_destroy(race.fv), 0);
}

/*
 * Room for every vCPU's working set (a space: 3 + 2 * NR_PT pages with the
 * gfns pages) a few times over, not for every space: roots cached for the
 * spaces not in use fill it.  (A pool the running vCPUs' working sets fill
 * on their own thrashes: each one's zap empties the others' tables, and who
 * gets a root when is the scheduler's fairness; stage2_shadow.c bounds that
 * wait and ends the VM.)
 */
static void test_exhaustion_race(void)
{
	exhaustion_race(5 * (3 + 2 * NR_PT) + 16);
}

/*
 * A pool of shadow_pool_min_pages(): every vCPU has a root with a path under
 * it, the pool is full; one more root loads once a grace period has passed,
 * the others doing nothing but their quiescent states.
 */
static void test_min_pool(void)
{
	struct fake_vm *fv = fake_vm_create(shadow_pool_min_pages(NR_VCPUS), 0, NR_VCPUS + 1);
	struct shadow_vcpu v[NR_VCPUS];
	struct shadow_fault out;
	unsigned int i, s, w;
	int rc = 0;

	host_set_cpu(0);
	build_spaces(fv);
	for (i = 0; i < NR_VCPUS; i++) {
		shadow_vcpu_init(&v[i], &fv->sm, i + 1, &shadow_format_x86_64, true, true);
		CHECK_EQ(shadow_load_root_or_zap(&v[i], gpa(space_cr3[i])), 0);
		CHECK_EQ(shadow_page_fault(&v[i], gva_of(0), PFERR_U, &out), SHADOW_FAULT_FIXED);
	}
	for (s = NR_VCPUS; s < NR_SPACES && !rc; s++) {
		shadow_new_root(&v[0], gpa(space_cr3[s]), &rc);
		if (!rc)
			rc = shadow_page_fault(&v[0], gva_of(0), PFERR_U, &out) == -ENOSPC ?
				     -ENOSPC :
				     0;
	}
	CHECK_EQ(rc, -ENOSPC);
	for (w = 0; w < 64; w++) {
		if (!shadow_load_root_or_zap(&v[1], gpa(space_cr3[NR_SPACES - 1])) &&
		    shadow_root_valid(&v[1]))
			break;
		for (i = 0; i <= NR_VCPUS; i++)
			rcu_quiescent(&fv->rcu, i);
	}
	printf("    pool of %llu pages: a root after %u rounds of quiescent states\n",
	       (unsigned long long)fv->pool->nr_pages, w);
	CHECK(w < 64);
	CHECK_EQ(shadow_page_fault(&v[1], gva_of(1), PFERR_U, &out), SHADOW_FAULT_FIXED);
	for (i = 0; i < NR_VCPUS; i++) {
		shadow_put_root(&v[i]);
		rcu_idle_enter(&fv->rcu, i + 1);
	}
	CHECK_EQ(fake_vm_destroy(fv), 0);
}

static void test_host_oom_ends(void)
{
	struct fake_vm *fv = fake_vm_create(256, 0, 0);
	struct shadow_vcpu v;
	struct shadow_fault out;

	build_spaces(fv);
	shadow_vcpu_init(&v, &fv->sm, 0, &shadow_format_x86_64, true, true);
	CHECK_EQ(shadow_load_root_or_zap(&v, gpa(space_cr3[0])), 0);
	fv->gfn_lookup_error = -ENOMEM;
	CHECK_EQ(shadow_page_fault(&v, gva_of(0), PFERR_U | PFERR_W, &out), -ENOMEM);
	fv->gfn_lookup_error = -EAGAIN;
	CHECK_EQ(shadow_page_fault(&v, gva_of(0), PFERR_U | PFERR_W, &out), SHADOW_FAULT_RETRY);
	fv->gfn_lookup_error = 0;
	CHECK_EQ(shadow_page_fault(&v, gva_of(0), PFERR_U | PFERR_W, &out), SHADOW_FAULT_FIXED);
	shadow_put_root(&v);
	CHECK_EQ(fake_vm_destroy(fv), 0);
}

int main(void)
{
	host_set_cpu(0);
	RUN(test_zap_all_frees_unloaded);
	RUN(test_exhaustion_race);
	RUN(test_min_pool);
	RUN(test_host_oom_ends);
	return harness_done();
}
