// SPDX-License-Identifier: MIT
/*
 * Zap latency through the shadow MMU's reverse map (make bench-rmap).
 *
 * A guest maps 4 GiB (1M frames) with 2M pages; the shadow MMU shadows all of
 * it in 4K entries (one rmap entry per frame).  rmap_zap_range() then zaps
 * the 1M frames while a timer thread requests a reschedule every 10 us, as
 * the scheduler tick would: the longest stretch between two rescheduling
 * points, side by side with the same zap with the points disabled (the
 * baseline, measured in the same run).  The host's own stalls are measured
 * too (an empty loop over as long as the zap took): no zap can do better.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../host/test_shadow_env.h"
#include "resched_probe.h"

#define FRAMES	(1ULL << 20)
#define TICK_NS 10000ULL

/* PML4 -> PDPT -> 4 PDs of 512 2M pages: gva 0..4G maps slot 1 (gfn SLOT1_BASE..). */
static u64 build_guest(struct fake_vm *fv)
{
	u64 pml4 = fake_alloc_table(fv), pdpt = fake_alloc_table(fv), pd, i, k;
	u64 bits = PTE64_P | PTE64_RW | PTE64_US | PTE64_A;

	*fake_gpa_ptr(fv, pml4 << 12) = bits | (pdpt << 12);
	for (k = 0; k < FRAMES / (512 * 512); k++) {
		pd = fake_alloc_table(fv);
		*fake_gpa_ptr(fv, (pdpt << 12) + k * 8) = bits | (pd << 12);
		for (i = 0; i < 512; i++)
			*fake_gpa_ptr(fv, (pd << 12) + i * 8) =
				bits | PTE64_PS | PTE64_D |
				((SLOT1_BASE + (k * 512 + i) * 512) << 12);
	}
	return pml4 << 12;
}

/* Fault every page in; faults per microsecond. */
static double populate(struct shadow_vcpu *v)
{
	struct shadow_fault out;
	u64 i, t = bench_now_ns();

	for (i = 0; i < FRAMES; i++)
		if (shadow_page_fault(v, i << 12, PFERR_W | PFERR_U, &out) != SHADOW_FAULT_FIXED) {
			fprintf(stderr, "bench_rmap: fault at %llx failed\n",
				(unsigned long long)i);
			exit(1);
		}
	return (double)FRAMES * 1000.0 / (double)(bench_now_ns() - t);
}

struct zap_result {
	struct resched_stats st;
	u64 zapped;
};

static struct zap_result zap_once(struct fake_vm *fv, unsigned int flags)
{
	struct zap_result res = { 0 };

	resched_probe_begin();
	res.zapped = kvm_mmu_rmap_zap(&fv->sm, SLOT1_BASE, FRAMES, flags);
	resched_probe_end(&res.st, NULL);
	return res;
}

static void row(const char *what, double with, double without, const char *goal)
{
	printf("%-44s %12.2f  %-22s %10.2f  %s\n", what, with, "", without, goal);
}

int main(void)
{
	struct fake_vm *fv = fake_vm_create(FRAMES / 512 + 256, FRAMES, 0);
	struct zap_result with, without;
	struct shadow_vcpu v;
	double rate;
	u64 noise, noise_over;

	host_set_cpu(0);
	shadow_vcpu_init(&v, &fv->sm, 0, &shadow_format_x86_64, true, true);
	shadow_new_root(&v, gpa(build_guest(fv)), NULL);
	host_resched_hook = resched_probe_point;
	resched_probe_start(host_resched_word(), TICK_NS);
	rate = populate(&v);
	with = zap_once(fv, 0);
	populate(&v);
	without = zap_once(fv, RMAP_ZAP_NO_RESCHED);
	noise = host_noise_count_ns(with.st.total_ns, &noise_over);
	resched_probe_stop();
	host_resched_hook = NULL;

	printf("%-44s %12s  %-22s %10s\n", "rmap zap benchmark (host, shadow MMU)", "with points",
	       "", "no points");
	row("zap 1M frames via rmap: longest stretch, us", with.st.max_gap_ns / 1e3,
	    without.st.max_gap_ns / 1e3, "goal <= 50 us with points");
	row("  p99 stretch, us", with.st.p99_gap_ns / 1e3, without.st.p99_gap_ns / 1e3, "");
	row("  longest wait from a request to its point, us", with.st.max_response_ns / 1e3,
	    without.st.max_response_ns / 1e3, "");
	row("  longest stretch in the zap's own CPU time, us", with.st.max_gap_cpu_ns / 1e3,
	    without.st.max_gap_cpu_ns / 1e3, "");
	row("  the requesting thread's longest stall, us", with.st.max_requester_stall_ns / 1e3,
	    without.st.max_requester_stall_ns / 1e3, "");
	row("  stretches over 50 us", (double)with.st.gaps_over_50us,
	    (double)without.st.gaps_over_50us, "");
	row("  rescheduling points", (double)with.st.points, (double)without.st.points, "");
	row("  total, ms", with.st.total_ns / 1e6, without.st.total_ns / 1e6, "");
	row("  entries zapped", (double)with.zapped, (double)without.zapped, "");
	printf("    reschedule requested every %.0f us; host noise (an empty loop over %.1f ms): "
	       "longest stall %.1f us, %llu stalls over 50 us; faults to populate: %.2f/us\n",
	       TICK_NS / 1e3, with.st.total_ns / 1e6, noise / 1e3, (unsigned long long)noise_over,
	       rate);
	shadow_put_root(&v);
	if (fake_vm_destroy(fv))
		printf("    leak: pages or descriptors left after destroy\n");
	return 0;
}
