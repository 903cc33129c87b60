// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "test_shadow_env.h"

static void *fake_phys_to_virt(hpa_t pa)
{
	return (void *)(uintptr_t)pa.val;
}

static hpa_t fake_virt_to_phys(void *va)
{
	return hpa((u64)(uintptr_t)va);
}

u64 *fake_gpa_ptr(struct fake_vm *fv, u64 gpa)
{
	return gpa < SLOT0_FRAMES * PAGE_SIZE ? &fv->mem[gpa / sizeof(u64)] : NULL;
}

static int fake_read_gpa(void *vm, gpa_t gpa, u64 *val)
{
	u64 *p = fake_gpa_ptr(vm, gpa.val);

	if (!p)
		return -1;
	*val = __atomic_load_n(p, __ATOMIC_RELAXED);
	return 0;
}

static int fake_write_gpa(void *vm, gpa_t gpa, u64 val)
{
	u64 *p = fake_gpa_ptr(vm, gpa.val);

	if (!p)
		return -1;
	__atomic_store_n(p, val, __ATOMIC_RELAXED);
	return 0;
}

static int fake_cmpxchg_gpa(void *vm, gpa_t gpa, u64 old, u64 new)
{
	u64 *p = fake_gpa_ptr(vm, gpa.val);

	if (!p)
		return -EFAULT;
	return __atomic_compare_exchange_n(p, &old, new, false, __ATOMIC_RELAXED,
					   __ATOMIC_RELAXED) ?
		       0 :
		       1;
}

static int fake_gfn_lookup(void *vm, u64 gfn, struct shadow_gfn *out)
{
	struct fake_vm *fv = vm;

	/* An error inside a slot still names the frame's rmap head (the ops contract). */
	if (gfn < SLOT0_FRAMES) {
		*out = (struct shadow_gfn){ HOST_PFN_BASE + gfn, true, &fv->rmap0[gfn],
					    SLOT0_FRAMES - gfn };
		return fv->gfn_lookup_error;
	}
	if (gfn >= SLOT1_BASE && gfn - SLOT1_BASE < fv->slot1_frames) {
		*out = (struct shadow_gfn){ HOST_PFN_BASE + gfn, !fv->slot1_readonly,
					    &fv->rmap1[gfn - SLOT1_BASE],
					    fv->slot1_frames - (gfn - SLOT1_BASE) };
		return fv->gfn_lookup_error;
	}
	out->contig = gfn < SLOT1_BASE ? SLOT1_BASE - gfn : 0;
	return -1;
}

static void fake_tlb_flush(void *vm)
{
	struct fake_vm *fv = vm;

	fv->tlb_flushes++;
}

const struct shadow_ops fake_shadow_ops = {
	.phys_to_virt = fake_phys_to_virt,
	.virt_to_phys = fake_virt_to_phys,
	.read_gpa = fake_read_gpa,
	.write_gpa = fake_write_gpa,
	.cmpxchg_gpa = fake_cmpxchg_gpa,
	.gfn_lookup = fake_gfn_lookup,
	.tlb_flush = fake_tlb_flush,
};

struct fake_vm *fake_vm_create(u64 pool_pages, u64 slot1_frames, unsigned int nr_cpus)
{
	struct fake_vm *fv = calloc(1, sizeof(*fv));

	fv->pool = host_pool_create(pool_pages);
	fv->meta = calloc(fv->pool->nr_pages, sizeof(*fv->meta));
	fv->mem = aligned_alloc(PAGE_SIZE, SLOT0_FRAMES * PAGE_SIZE);
	memset(fv->mem, 0, SLOT0_FRAMES * PAGE_SIZE);
	fv->rmap0 = calloc(SLOT0_FRAMES, sizeof(*fv->rmap0));
	fv->rmap1 = calloc(slot1_frames ? slot1_frames : 1, sizeof(*fv->rmap1));
	fv->slot1_frames = slot1_frames;
	fv->next_table = 1; /* gfn 0 stays a data frame */
	if (nr_cpus)
		rcu_init(&fv->rcu, nr_cpus, 1 << 20);
	shadow_init(&fv->sm, &fake_shadow_ops, fv, fv->pool, fv->meta, nr_cpus ? &fv->rcu : NULL);
	return fv;
}

u64 fake_vm_destroy(struct fake_vm *fv)
{
	u64 left = shadow_destroy(&fv->sm);

	if (fv->sm.rcu)
		rcu_barrier(&fv->rcu, host_cpu());
	left += fv->pool->in_use;
	host_pool_destroy(fv->pool);
	free(fv->meta);
	free(fv->mem);
	free(fv->rmap0);
	free(fv->rmap1);
	free(fv);
	return left;
}

u64 fake_alloc_table(struct fake_vm *fv)
{
	if (fv->next_table >= SLOT0_FRAMES / 2) /* the upper half stays data */
		return 0;
	memset(&fv->mem[fv->next_table * 512], 0, PAGE_SIZE);
	return fv->next_table++;
}

u64 fake_host_pa(const struct fake_vm *fv, u64 gfn)
{
	if (gfn < SLOT0_FRAMES || (gfn >= SLOT1_BASE && gfn - SLOT1_BASE < fv->slot1_frames))
		return (HOST_PFN_BASE + gfn) << PAGE_SHIFT;
	return 0;
}

void ref_walk(struct fake_vm *fv, u64 cr3, u64 gva, u32 ec, struct ref *r)
{
	static const u64 rsvd_large[4] = { 0, GENMASK(29, 13), GENMASK(20, 13), 0 };
	u64 table = cr3 & PTE64_ADDR, e = 0, *p, mask;
	u32 acc_bits = ec & (PFERR_W | PFERR_U | PFERR_I);
	int lvl;

	memset(r, 0, sizeof(*r));
	r->acc = 7;
	for (lvl = 0; lvl < 4; lvl++) {
		r->gpte_gpa[lvl] = table + ((gva >> (39 - 9 * lvl)) & 511) * 8;
		p = fake_gpa_ptr(fv, r->gpte_gpa[lvl]);
		if (!p) {
			r->rc = -1;
			return;
		}
		e = *p;
		r->leaf = lvl;
		if (!(e & 1)) {
			r->rc = 1;
			r->ec = acc_bits;
			return;
		}
		if ((lvl == 0 && (e & BIT(7))) || ((e & BIT(7)) && (e & rsvd_large[lvl]))) {
			r->rc = 1;
			r->ec = acc_bits | PFERR_P | PFERR_RSVD;
			return;
		}
		if (!(e & BIT(1)))
			r->acc &= ~SH_ACC_W;
		if (!(e & BIT(2)))
			r->acc &= ~SH_ACC_U;
		if (e & BIT(63))
			r->acc &= ~SH_ACC_X;
		if (lvl == 3 || (lvl && (e & BIT(7))))
			break;
		table = e & PTE64_ADDR;
	}
	mask = (1ULL << (39 - 9 * lvl)) - 1;
	r->gpa = (e & PTE64_ADDR & ~mask) | (gva & mask);
	r->ec = acc_bits | PFERR_P;
	/* CR0.WP = 1, EFER.NXE = 1, no SMEP/SMAP */
	r->rc = ((ec & PFERR_U) && !(r->acc & SH_ACC_U)) ||
		((ec & PFERR_W) && !(r->acc & SH_ACC_W)) ||
		((ec & PFERR_I) && !(r->acc & SH_ACC_X));
}
