// SPDX-License-Identifier: MIT
/*
 * The virtual GICv3's interrupt state and its delivery (the contract is in
 * vgic.h; the registers are in vgic_mmio.c).
 *
 * An interrupt is pending while its latch is set (an edge, an SGI, a write
 * to ISPENDR) or, if level-sensitive, while its input wire is high (IHI
 * 0069 4.1 "Interrupt lifecycle").  Before each entry the vCPU's pending
 * or active interrupts that the distributor forwards (enabled, group
 * enabled: 4.1.1, 12.9.4 GICD_CTLR) are sorted, active ones first so that
 * the guest can always complete what it acknowledged, then by priority
 * (4.8), and the first arch_vgic_nr_slots() go to the hardware.  While the
 * hardware holds an interrupt its pending latch belongs to the hardware;
 * a new edge meanwhile sets the latch again, which is then a second,
 * separate pending event.  After the exit the hardware's state comes back:
 * still pending (the latch returns), active (acknowledged), or gone
 * (acknowledged and deactivated).
 */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "kvm/arch/virq.h"
#include "vcpu.h"
#include "vgic.h"

/* GICD_CTLR with DS = 1 (IHI 0069 12.9.4): EnableGrp0 bit 0, EnableGrp1 bit 1. */
#define CTLR_ENABLE_G0 BIT(0)
#define CTLR_ENABLE_G1 BIT(1)

static struct vgic_cpu *vgic_cpu_of(struct vcpu *v)
{
	return &v->vm->vgic->cpu[v->index];
}

struct vgic_irq *vgic_get_irq(struct vgic *vg, unsigned int cpu, unsigned int intid)
{
	if (intid < VGIC_NR_PRIVATE)
		return cpu < vg->nr_cpus ? &vg->cpu[cpu].priv[intid] : NULL;
	if (intid < VGIC_NR_IRQS)
		return &vg->spi[intid - VGIC_NR_PRIVATE];
	return NULL;
}

/* IROUTER.Interrupt_Routing_Mode = 0: Aff3.Aff2.Aff1.Aff0 name one PE (IHI 0069 12.9.22). */
void vgic_spi_route(struct vgic *vg, struct vgic_irq *irq, u64 irouter)
{
	u64 aff0 = irouter & 0xff, aff1 = (irouter >> 8) & 0xff;
	u64 index = aff1 << 8 | aff0;

	/* 1-of-N is not offered (GICD_TYPER.No1N): IRM reads as zero. */
	irq->irouter = irouter & (GENMASK(23, 0) | GENMASK(39, 32));
	/* A route to a PE that does not exist delivers nowhere (and is kept as written). */
	irq->target = (irouter >> 32) & 0xff || (irouter >> 16) & 0xff || index >= vg->nr_cpus ?
			      0xff :
			      index;
}

static bool vgic_group_enabled(const struct vgic *vg, const struct vgic_irq *irq)
{
	return vg->ctlr & (irq->group1 ? CTLR_ENABLE_G1 : CTLR_ENABLE_G0);
}

/* Pending and forwarded by the distributor to its vCPU. */
static bool vgic_irq_forwarded(const struct vgic *vg, const struct vgic_irq *irq)
{
	return vgic_irq_pending(irq) && irq->enabled && vgic_group_enabled(vg, irq);
}

void vgic_irq_changed(struct vgic *vg, unsigned int cpu, struct vgic_irq *irq)
{
	if (cpu < vg->nr_cpus && vgic_irq_forwarded(vg, irq))
		vg->kick |= BIT(cpu);
}

/*
 * Make a vCPU look at its interrupts: wake it from a WFI, and make its
 * physical CPU leave the guest so the next entry carries them.
 */
static void vgic_kick(struct vcpu *t)
{
	struct sched_thread *cur = sched_current();

	if (cur == &t->thread || vcpu_power(t) != VCPU_ON)
		return;
	sched_wake(&t->thread);
	if (t->thread.cpu != arch_cpu_id())
		arch_cpu_kick(t->thread.cpu);
}

void vgic_kick_marked(struct vgic *vg)
{
	u64 mask;
	unsigned int i;

	spin_lock(&vg->lock);
	mask = vg->kick;
	vg->kick = 0;
	spin_unlock(&vg->lock);
	for (i = 0; mask; i++, mask >>= 1)
		if (mask & 1)
			vgic_kick(vg->vm->vcpus[i]);
}

void vgic_set_spi(struct vm *vm, unsigned int spi, bool level)
{
	struct vgic *vg = vm->vgic;
	struct vgic_irq *irq;

	if (!vg || spi >= VGIC_NR_SPIS)
		return;
	spin_lock(&vg->lock);
	irq = &vg->spi[spi];
	/* An edge-triggered SPI latches on the rising edge (IHI 0069 4.1.2). */
	if (irq->edge && level && !irq->level)
		irq->latch = true;
	irq->level = level;
	vgic_irq_changed(vg, irq->target, irq);
	spin_unlock(&vg->lock);
	vgic_kick_marked(vg);
}

void vgic_inject_ppi(struct vcpu *v, unsigned int intid, bool level)
{
	struct vgic *vg = v->vm->vgic;
	struct vgic_irq *irq;

	if (!vg || intid < 16 || intid >= VGIC_NR_PRIVATE)
		return;
	spin_lock(&vg->lock);
	irq = &vg->cpu[v->index].priv[intid];
	if (irq->level != level) {
		if (irq->edge && level)
			irq->latch = true;
		irq->level = level;
		vgic_irq_changed(vg, v->index, irq);
	}
	spin_unlock(&vg->lock);
	vgic_kick_marked(vg);
}

void vgic_send_sgi(struct vcpu *from, unsigned int intid, bool broadcast, u64 targets)
{
	struct vgic *vg = from->vm->vgic;
	unsigned int i;

	if (!vg || intid >= 16)
		return;
	if (broadcast)
		targets = (vg->nr_cpus < 64 ? BIT(vg->nr_cpus) - 1 : ~0ULL) & ~BIT(from->index);
	vg->cpu[from->index].sgis_sent++;
	spin_lock(&vg->lock);
	for (i = 0; i < vg->nr_cpus && i < 64; i++) {
		struct vgic_irq *irq = &vg->cpu[i].priv[intid];

		if (!(targets & BIT(i)))
			continue;
		irq->latch = true;
		vgic_irq_changed(vg, i, irq);
	}
	spin_unlock(&vg->lock);
	vgic_kick_marked(vg);
}

/* ---- delivery ---------------------------------------------------------------------------- */

struct vgic_pick {
	struct vgic_irq *irq;
	u32 intid;
};

/* @a goes before @b: active first, then higher priority, then lower INTID. */
static bool vgic_before(const struct vgic_pick *a, const struct vgic_pick *b)
{
	if (a->irq->active != b->irq->active)
		return a->irq->active;
	if (a->irq->priority != b->irq->priority)
		return a->irq->priority < b->irq->priority;
	return a->intid < b->intid;
}

/* Keep the best @max of what is offered, sorted; returns how many were offered in all. */
static void vgic_consider(struct vgic *vg, struct vgic_irq *irq, u32 intid, struct vgic_pick *best,
			  unsigned int *n, unsigned int max, unsigned int *offered)
{
	struct vgic_pick p = { irq, intid };
	unsigned int i;

	if (irq->in_lr || !(irq->active || vgic_irq_forwarded(vg, irq)))
		return;
	(*offered)++;
	i = *n < max ? (*n)++ : max;
	if (i == max) {
		if (!vgic_before(&p, &best[max - 1]))
			return;
		i = max - 1;
	}
	while (i > 0 && vgic_before(&p, &best[i - 1])) {
		best[i] = best[i - 1];
		i--;
	}
	best[i] = p;
}

/* The timers' outputs are wires into their PPIs, sampled whenever the vCPU's are looked at. */
static void vgic_sample_timers(struct vcpu *v)
{
	vgic_inject_ppi(v, ARCH_VTIMER_INTID, arch_vcpu_timer_level(&v->arch));
	vgic_inject_ppi(v, ARCH_PTIMER_INTID, arch_vcpu_ptimer_level(&v->arch));
}

void vgic_vcpu_flush(struct vcpu *v)
{
	struct vgic *vg = v->vm->vgic;
	struct vgic_pick best[VGIC_MAX_SLOTS];
	unsigned int max, n = 0, offered = 0, i;
	struct vgic_cpu *c;

	if (!vg)
		return;
	c = vgic_cpu_of(v);
	vgic_sample_timers(v);
	max = arch_vgic_nr_slots();
	if (max > VGIC_MAX_SLOTS)
		max = VGIC_MAX_SLOTS;
	spin_lock(&vg->lock);
	for (i = 0; i < VGIC_NR_PRIVATE; i++)
		vgic_consider(vg, &c->priv[i], i, best, &n, max, &offered);
	for (i = 0; i < VGIC_NR_SPIS; i++)
		if (vg->spi[i].target == v->index)
			vgic_consider(vg, &vg->spi[i], VGIC_NR_PRIVATE + i, best, &n, max,
				      &offered);
	for (i = 0; i < n; i++) {
		struct vgic_irq *irq = best[i].irq;
		bool pending = vgic_irq_forwarded(vg, irq);

		c->lr[i] = (struct arch_virq){
			.intid = best[i].intid,
			.priority = irq->priority,
			.state = (pending ? ARCH_VIRQ_PENDING : 0) |
				 (irq->active ? ARCH_VIRQ_ACTIVE : 0),
			.group1 = irq->group1,
			/* A level wire may still be high when the guest is done: look again. */
			.notify_eoi = !irq->edge,
		};
		c->lr_latch[i] = pending && irq->latch;
		if (pending)
			irq->latch = false;
		irq->in_lr = true;
	}
	c->nr_lr = n;
	spin_unlock(&vg->lock);
	arch_vgic_flush(&v->arch, c->lr, n, offered > n);
}

void vgic_vcpu_sync(struct vcpu *v)
{
	struct vgic *vg = v->vm->vgic;
	struct arch_virq back[VGIC_MAX_SLOTS];
	struct vgic_cpu *c;
	unsigned int i, n;

	if (!vg)
		return;
	c = vgic_cpu_of(v);
	n = arch_vgic_sync(&v->arch, back);
	if (n > c->nr_lr)
		n = c->nr_lr;
	spin_lock(&vg->lock);
	for (i = 0; i < n; i++) {
		struct vgic_irq *irq = vgic_get_irq(vg, v->index, c->lr[i].intid);

		if (!irq)
			continue;
		irq->in_lr = false;
		irq->active = back[i].state & ARCH_VIRQ_ACTIVE;
		if ((back[i].state & ARCH_VIRQ_PENDING) && c->lr_latch[i])
			irq->latch = true;
		if ((c->lr[i].state & ARCH_VIRQ_PENDING) && !(back[i].state & ARCH_VIRQ_PENDING))
			c->irqs_delivered++;
	}
	/* Anything the flush took but the hardware did not give back stays as it was. */
	for (; i < c->nr_lr; i++) {
		struct vgic_irq *irq = vgic_get_irq(vg, v->index, c->lr[i].intid);

		if (irq) {
			irq->in_lr = false;
			irq->latch |= c->lr_latch[i];
		}
	}
	c->nr_lr = 0;
	spin_unlock(&vg->lock);
}

bool vgic_vcpu_should_wake(struct vcpu *v)
{
	struct vgic *vg = v->vm->vgic;
	struct vgic_cpu *c;
	bool wake = false;
	unsigned int i;

	if (!vg)
		return true;
	c = vgic_cpu_of(v);
	vgic_sample_timers(v);
	spin_lock(&vg->lock);
	for (i = 0; i < VGIC_NR_IRQS && !wake; i++) {
		struct vgic_irq *irq =
			i < VGIC_NR_PRIVATE ? &c->priv[i] : &vg->spi[i - VGIC_NR_PRIVATE];

		if (i >= VGIC_NR_PRIVATE && irq->target != v->index)
			continue;
		wake = vgic_irq_forwarded(vg, irq) &&
		       arch_vgic_would_signal(&v->arch, irq->priority, irq->group1);
	}
	spin_unlock(&vg->lock);
	return wake;
}

/* ---- life cycle -------------------------------------------------------------------------- */

/*
 * Reset values (IHI 0069 12.9, 12.11): everything disabled, inactive, not
 * pending, Group 0, priority 0; SGIs edge-triggered (their GICR_ICFGR0 bits
 * are read-only), PPIs and SPIs level-sensitive; SPIs routed to vCPU 0;
 * redistributors asleep until the guest wakes them through GICR_WAKER.
 */
static int vgic_create(struct vm *vm, u64 dist_base, u64 redist_base)
{
	unsigned int nr = vm->nr_vcpus, i, j;
	size_t size = sizeof(struct vgic) + nr * sizeof(struct vgic_cpu);
	struct vgic *vg;
	int ret;

	if (!nr || nr > VM_MAX_VCPUS)
		return -EINVAL;
	vg = memalign(64, size);
	if (!vg)
		return -ENOMEM;
	memset(vg, 0, size);
	vg->lock = (struct spinlock)SPINLOCK_INIT;
	vg->vm = vm;
	vg->nr_cpus = nr;
	vg->dist_base = dist_base;
	vg->redist_base = redist_base;
	for (i = 0; i < VGIC_NR_SPIS; i++)
		vgic_spi_route(vg, &vg->spi[i], 0);
	for (i = 0; i < nr; i++) {
		vg->cpu[i].asleep = true;
		for (j = 0; j < 16; j++)
			vg->cpu[i].priv[j].edge = true;
	}
	ret = vgic_mmio_register(vm, vg);
	if (ret) {
		free(vg);
		return ret;
	}
	vm->vgic = vg;
	return 0;
}

static void vgic_destroy(struct vm *vm)
{
	free(vm->vgic);
	vm->vgic = NULL;
}

static const struct vm_irqchip vgic_irqchip = {
	.set_line = vgic_set_spi,
	.vcpu_flush = vgic_vcpu_flush,
	.vcpu_sync = vgic_vcpu_sync,
	.vcpu_should_wake = vgic_vcpu_should_wake,
	.send_ipi = vgic_send_sgi,
};

static int vgic_dev_create(struct vm *vm, const struct vdev_config *cfg, void **state)
{
	int ret = vgic_create(vm, cfg->base, GUEST_GICR_BASE);

	if (ret)
		return ret;
	vm->irqchip = &vgic_irqchip;
	*state = vm->vgic;
	return 0;
}

static void vgic_dev_destroy(struct vm *vm, void *state)
{
	(void)state;
	vm->irqchip = NULL;
	vgic_destroy(vm);
}

const struct vdev_class vdev_vgic = {
	.name = "vgic",
	.create = vgic_dev_create,
	.destroy = vgic_dev_destroy,
};
