// SPDX-License-Identifier: MIT
/*
 * The arm64 half of regleak: CPU state must not leak between two VMs that
 * share a physical CPU (the whole story: tests/guest/x86_64/regleak.c).
 *
 * Each round writes every class, then spins on HC_TIME_NS until
 * HC_VCPU_INFO(3) moved (the vCPU was switched out and is back), then
 * checks.  A class is either "switched" (the value written must read back,
 * at once and after the other VM ran) or "hidden" (its feature is absent
 * from the ID registers and every access must be an undefined instruction
 * exception); which one follows from the ID registers the guest sees, so a
 * feature the hypervisor later switches needs no change here.
 *
 * arm64 classes (the audit is in arch/arm64/README.md):
 *   el1          control: TPIDR_EL0, TPIDRRO_EL0, CONTEXTIDR_EL1,
 *                CNTV_CVAL_EL0, PAR_EL1, the APDB key (switched long ago)
 *   debug-bp     DBGBVR<n>/DBGBCR<n>_EL1 of every breakpoint (BRPs)
 *   debug-wp     DBGWVR<n>/DBGWCR<n>_EL1 of every watchpoint (WRPs)
 *   debug-ctl    MDSCR_EL1 (TDCC, MDE), the OS Lock (OSLAR_EL1 /
 *                OSLSR_EL1.OSLK), the OS Double Lock (OSDLR_EL1.DLK); not
 *                MDCCINT_EL1, which QEMU implements as a no-op (an MRS of it
 *                leaves its destination register as it was)
 *   ptimer       CNTP_CVAL_EL0, CNTP_CTL_EL0 (ENABLE, IMASK: never firing)
 *   csselr       CSSELR_EL1
 *   tpidr2       TPIDR2_EL0: switched where the CPU has SME (hidden), or
 *                UNDEF where it has not
 *   disr         DISR_EL1 (with RAS; the hypervisor's VDISR_EL2)
 *   pmu          hidden (ID_AA64DFR0.PMUVer 0): PMCR, PMSELR, PMEVCNTR0,
 *                PMEVTYPER0, PMCCNTR, PMCCFILTR, PMCNTENSET, PMINTENSET,
 *                PMOVSSET, PMUSERENR UNDEF; switched otherwise
 *   lor          hidden (ID_AA64MMFR1.LO 0): LORSA/LOREA/LORN/LORC UNDEF
 *   scxtnum      SCXTNUM_EL0/EL1: hidden unless ID_AA64PFR0.CSV2 >= 2 (or
 *                CSV2_frac >= 2), then switched
 * and the physical timer's interrupt across switches:
 *   ptimer-irq-own      armed 1.5 ms ahead just after a switch, it fires
 *                       while the other VM runs; its PPI 30 must reach this
 *                       VM once per round, after the switch back
 *   ptimer-irq-foreign  no PPI 30 while this VM's own timer is not firing
 *
 * Bare, there is one VM and no switch: shared-cpu fails.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "gic_arm64.h"
#include "guest.h"

#define ROUNDS	       40
#define IRQ_ROUNDS     10
#define ROUND_LIMIT_NS 200000000ULL /* give up waiting for a switch */

static uint64_t seed;

/* splitmix64: well spread values from (seed, round, register). */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t own_value(unsigned int round, unsigned int reg)
{
	return mix(seed ^ mix((uint64_t)round << 16 | reg));
}

/*
 * Spin on HC_TIME_NS (each read an exit, where the tick's reschedule
 * happens) until HC_VCPU_INFO(3) says the tick switched this vCPU out for
 * another thread of its CPU and it is back.  False after ROUND_LIMIT_NS
 * without a switch.
 */
static bool give_up_cpu(void)
{
	long before = hc_vcpu_info(3);
	uint64_t start = hc_time_ns();

	while (hc_time_ns() - start < ROUND_LIMIT_NS)
		if (hc_vcpu_info(3) != before)
			return before >= 0;
	return false;
}

/* One register: how to reach it, and which bits keep what is written. */
struct reg {
	const char *name;
	uint64_t (*read)(void);
	void (*write)(uint64_t val);
	uint64_t mask;	/* bits that hold a written value */
	uint64_t fixed; /* bits always written set (a safe setting) */
};

/* A class: its registers and, per round, what this VM wrote and read. */
struct reg_class {
	const char *name;
	const struct reg *regs;
	unsigned int nr;
	/* true: switched (values must stay); false: hidden (accesses must UNDEF). */
	bool (*switched)(void);
	/* How many of @regs exist on this CPU (breakpoints), or NULL: all. */
	unsigned int (*count)(void);
};

#define MAX_REGS 32

struct class_state {
	uint64_t expect[MAX_REGS];
	bool undef[MAX_REGS]; /* the access is expected to UNDEF */
	int mode;	      /* either-way classes: what round 0 found (1 values, 0 UNDEF) */
	unsigned int bad;     /* registers found wrong, all rounds */
	unsigned int bad_rounds;
	int last_bad_round;
	bool reported;
};

/* ---- registers ----------------------------------------------------------------------------- */

#define SYSREG(id, enc)                                                          \
	static uint64_t id##_read(void)                                          \
	{                                                                        \
		uint64_t v;                                                      \
		__asm__ volatile("mrs %0, " #enc : "=r"(v));                     \
		return v;                                                        \
	}                                                                        \
	static void id##_write(uint64_t v)                                       \
	{                                                                        \
		__asm__ volatile("msr " #enc ", %0; isb" : : "r"(v) : "memory"); \
	}

#define REG(id, mask, fixed)                            \
	{                                               \
#id, id##_read, id##_write, mask, fixed \
	}
#define BITS(hi, lo) (((~0ULL) >> (63 - (hi))) & ~((1ULL << (lo)) - 1))

/* The control class: switched since the first vCPU ran (names the assembler knows). */
SYSREG(tpidr_el0, tpidr_el0)
SYSREG(tpidrro_el0, tpidrro_el0)
SYSREG(contextidr_el1, contextidr_el1)
SYSREG(cntv_cval_el0, cntv_cval_el0)
SYSREG(par_el1, par_el1)
SYSREG(apdbkeylo_el1, S3_0_C2_C2_2)

static const struct reg el1_regs[] = {
	REG(tpidr_el0, ~0ULL, 0),
	REG(tpidrro_el0, ~0ULL, 0),
	REG(contextidr_el1, BITS(31, 0), 0),
	REG(cntv_cval_el0, ~0ULL, 0),
	/* PAR_EL1 with F = 0: PA [47:12], SH, NS (Arm ARM PAR_EL1). */
	REG(par_el1, BITS(47, 12) | BITS(9, 7), 0),
	REG(apdbkeylo_el1, ~0ULL, 0),
};

/*
 * Breakpoints and watchpoints, never enabled (E = 0).  DBGBCR: PMC [2:1],
 * BAS [8:5] (bits 6 and 8 copy 5 and 7 for A64: only 5 and 7 are free),
 * HMC [13], SSC [15:14], LBN [19:16].  DBGWCR: PAC [2:1], LSC [4:3], BAS
 * [12:5], HMC, SSC, LBN, MASK [28:24].  Values: VA bits [47:2] / [47:3].
 */
#define DBGBCR_MASK (BITS(2, 1) | (1ULL << 5) | (1ULL << 7) | BITS(19, 13))
#define DBGWCR_MASK (BITS(12, 1) | BITS(19, 13) | BITS(28, 24))
#define DBG_REGS(n)                              \
	SYSREG(dbgbvr##n##_el1, dbgbvr##n##_el1) \
	SYSREG(dbgbcr##n##_el1, dbgbcr##n##_el1) \
	SYSREG(dbgwvr##n##_el1, dbgwvr##n##_el1) \
	SYSREG(dbgwcr##n##_el1, dbgwcr##n##_el1)
DBG_REGS(0)
DBG_REGS(1)
DBG_REGS(2)
DBG_REGS(3)
DBG_REGS(4)
DBG_REGS(5)
DBG_REGS(6)
DBG_REGS(7)
DBG_REGS(8)
DBG_REGS(9)
DBG_REGS(10)
DBG_REGS(11)
DBG_REGS(12)
DBG_REGS(13)
DBG_REGS(14)
DBG_REGS(15)

#define BP(n) REG(dbgbvr##n##_el1, BITS(47, 2), 0), REG(dbgbcr##n##_el1, DBGBCR_MASK, 0)
#define WP(n) REG(dbgwvr##n##_el1, BITS(47, 3), 0), REG(dbgwcr##n##_el1, DBGWCR_MASK, 0)

static const struct reg bp_regs[] = {
	BP(0), BP(1), BP(2),  BP(3),  BP(4),  BP(5),  BP(6),  BP(7),
	BP(8), BP(9), BP(10), BP(11), BP(12), BP(13), BP(14), BP(15),
};

static const struct reg wp_regs[] = {
	WP(0), WP(1), WP(2),  WP(3),  WP(4),  WP(5),  WP(6),  WP(7),
	WP(8), WP(9), WP(10), WP(11), WP(12), WP(13), WP(14), WP(15),
};

static uint64_t id_aa64dfr0(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, id_aa64dfr0_el1" : "=r"(v));
	return v;
}

/* Two registers per slot; BRPs [15:12] and WRPs [23:20] are the count minus one. */
static unsigned int bp_count(void)
{
	return 2 * (((id_aa64dfr0() >> 12) & 0xf) + 1);
}

static unsigned int wp_count(void)
{
	return 2 * (((id_aa64dfr0() >> 20) & 0xf) + 1);
}

/* The OS Lock is written through OSLAR_EL1.OSLK and read as OSLSR_EL1.OSLK (bit 1). */
static uint64_t oslk_read(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, oslsr_el1" : "=r"(v));
	return (v >> 1) & 1;
}

static void oslk_write(uint64_t v)
{
	__asm__ volatile("msr oslar_el1, %0; isb" : : "r"(v & 1) : "memory");
}

SYSREG(mdscr_el1, mdscr_el1)
SYSREG(osdlr_el1, osdlr_el1)

static const struct reg dbgctl_regs[] = {
	/* MDSCR_EL1: TDCC (12) and MDE (15) only: no SS, and nothing is armed to match. */
	REG(mdscr_el1, (1ULL << 12) | (1ULL << 15), 0),
	{ "oslk", oslk_read, oslk_write, 1, 0 },
	REG(osdlr_el1, 1, 0),
};

/* ENABLE (0) varies, IMASK (1) always set: the timer never asserts its interrupt here. */
SYSREG(cntp_cval_el0, cntp_cval_el0)
SYSREG(cntp_ctl_el0, cntp_ctl_el0)

static const struct reg ptimer_regs[] = {
	REG(cntp_cval_el0, ~0ULL, 0),
	REG(cntp_ctl_el0, 1, 2),
};

/* CSSELR_EL1: InD (0) at Level 0: L1 data or instruction (others may read UNKNOWN). */
SYSREG(csselr_el1, csselr_el1)

static const struct reg csselr_regs[] = {
	REG(csselr_el1, 1, 0),
};

SYSREG(tpidr2_el0, S3_3_C13_C0_5)

static const struct reg tpidr2_regs[] = {
	REG(tpidr2_el0, ~0ULL, 0),
};

/* DISR_EL1 (RAS): A (31), AET (12:10), EA (9), DFSC (5:0); the syndrome format of IDS = 0. */
SYSREG(disr_el1, S3_0_C12_C1_1)

static const struct reg disr_regs[] = {
	REG(disr_el1, (1ULL << 31) | BITS(12, 9) | BITS(5, 0), 0),
};

/*
 * PMU, counting nothing (PMCR_EL0.E stays 0): PMCR's D (3), X (4), DP (5),
 * LC (6); PMSELR_EL0.SEL [4:0] among the counters; PMEVTYPER0's event
 * number; counter 0 and the cycle counter as 32 bits; the enable,
 * interrupt and overflow sets of counter 0 (PMCNTENSET, PMINTENSET,
 * PMOVSSET bit 0); PMCCFILTR's P, U, NSK (31:29); PMUSERENR's EN, SW, CR,
 * ER (3:0).
 */
SYSREG(pmcr_el0, pmcr_el0)
SYSREG(pmselr_el0, pmselr_el0)
SYSREG(pmevcntr0_el0, pmevcntr0_el0)
SYSREG(pmevtyper0_el0, pmevtyper0_el0)
SYSREG(pmccntr_el0, pmccntr_el0)
SYSREG(pmccfiltr_el0, pmccfiltr_el0)

/*
 * The SET registers only set bits: clear all through the CLR twin first.
 * Called armed for one abort (try_write()): an UNDEF of the first MSR ends
 * the write (guest_abort_seen() keeps saying so to the caller), else the
 * second is armed again.
 */
#define SETCLR(id, set, clr)                                                         \
	static uint64_t id##_read(void)                                              \
	{                                                                            \
		uint64_t v;                                                          \
		__asm__ volatile("mrs %0, " #set : "=r"(v));                         \
		return v;                                                            \
	}                                                                            \
	static void id##_write(uint64_t v)                                           \
	{                                                                            \
		__asm__ volatile("msr " #clr ", %0; isb" : : "r"(~0ULL) : "memory"); \
		if (guest_abort_seen(NULL))                                          \
			return;                                                      \
		guest_expect_abort();                                                \
		__asm__ volatile("msr " #set ", %0; isb" : : "r"(v) : "memory");     \
	}

SETCLR(pmcntenset_el0, pmcntenset_el0, pmcntenclr_el0)
SETCLR(pmintenset_el1, pmintenset_el1, pmintenclr_el1)
SETCLR(pmovsset_el0, pmovsset_el0, pmovsclr_el0)
SYSREG(pmuserenr_el0, pmuserenr_el0)

static const struct reg pmu_regs[] = {
	REG(pmcr_el0, BITS(6, 3), 0),
	REG(pmselr_el0, BITS(1, 0), 0),
	REG(pmevcntr0_el0, BITS(31, 0), 0),
	REG(pmevtyper0_el0, BITS(7, 0), 0),
	REG(pmccntr_el0, BITS(31, 0), 0),
	REG(pmccfiltr_el0, BITS(31, 29), 0),
	REG(pmcntenset_el0, 1, 0),
	REG(pmintenset_el1, 1, 0),
	REG(pmovsset_el0, 1, 0),
	REG(pmuserenr_el0, BITS(3, 0), 0),
};

/* LORegions: LORSA/LOREA (address [47:16]), LORN (Num [7:0]), LORC (EN 0, DS [9:2]). */
SYSREG(lorsa_el1, S3_0_C10_C4_0)
SYSREG(lorea_el1, S3_0_C10_C4_1)
SYSREG(lorn_el1, S3_0_C10_C4_2)
SYSREG(lorc_el1, S3_0_C10_C4_3)

static const struct reg lor_regs[] = {
	REG(lorsa_el1, BITS(47, 16), 0),
	REG(lorea_el1, BITS(47, 16), 0),
	REG(lorn_el1, BITS(7, 0), 0),
	REG(lorc_el1, BITS(9, 2), 0),
};

SYSREG(scxtnum_el0, S3_3_C13_C0_7)
SYSREG(scxtnum_el1, S3_0_C13_C0_7)

static const struct reg scxtnum_regs[] = {
	REG(scxtnum_el0, ~0ULL, 0),
	REG(scxtnum_el1, ~0ULL, 0),
};

static uint64_t id_field(uint64_t reg, unsigned int shift)
{
	return (reg >> shift) & 0xf;
}

static bool always(void)
{
	return true;
}

/* PMUVer [11:8]: 0 none, 0xf IMPLEMENTATION DEFINED (not PMUv3). */
static bool pmu_visible(void)
{
	uint64_t v = id_field(id_aa64dfr0(), 8);

	return v && v != 0xf;
}

static bool lor_visible(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, id_aa64mmfr1_el1" : "=r"(v));
	return id_field(v, 16);
}

static bool ras_visible(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, id_aa64pfr0_el1" : "=r"(v));
	return id_field(v, 28);
}

/* FEAT_CSV2_2: CSV2 >= 2; FEAT_CSV2_1p2: CSV2 = 1 and CSV2_frac >= 2. */
static bool scxtnum_visible(void)
{
	uint64_t pfr0, pfr1;

	__asm__ volatile("mrs %0, id_aa64pfr0_el1" : "=r"(pfr0));
	__asm__ volatile("mrs %0, S3_0_C0_C4_1" : "=r"(pfr1));
	return id_field(pfr0, 56) >= 2 || (id_field(pfr0, 56) == 1 && id_field(pfr1, 32) >= 2);
}

#define CLASS(name, regs, switched, count)                                  \
	{                                                                   \
		name, regs, sizeof(regs) / sizeof(regs[0]), switched, count \
	}

static const struct reg_class classes[] = {
	CLASS("el1", el1_regs, always, NULL),
	CLASS("debug-bp", bp_regs, always, bp_count),
	CLASS("debug-wp", wp_regs, always, wp_count),
	CLASS("debug-ctl", dbgctl_regs, always, NULL),
	CLASS("ptimer", ptimer_regs, always, NULL),
	CLASS("csselr", csselr_regs, always, NULL),
	/* SME is hidden, yet TPIDR2_EL0 cannot be trapped without FEAT_FGT: switched or absent. */
	CLASS("tpidr2", tpidr2_regs, NULL, NULL),
	CLASS("disr", disr_regs, ras_visible, NULL),
	CLASS("pmu", pmu_regs, pmu_visible, NULL),
	CLASS("lor", lor_regs, lor_visible, NULL),
	CLASS("scxtnum", scxtnum_regs, scxtnum_visible, NULL),
};

/* An undefined instruction exception (EC 0) taken at EL1 by the access just made. */
static bool undef_seen(void)
{
	struct guest_abort a;

	return guest_abort_seen(&a) && a.kind == GUEST_ABORT_OTHER && a.current_el &&
	       (a.syndrome >> 26) == 0;
}

static bool try_read(const struct reg *r, uint64_t *val)
{
	*val = 0;
	guest_expect_abort();
	*val = r->read();
	return !undef_seen();
}

static bool try_write(const struct reg *r, uint64_t val)
{
	guest_expect_abort();
	r->write(val);
	return !undef_seen();
}

/* ---- the physical timer's interrupt -------------------------------------------------- */

#define PTIMER_INTID 30
#define PRIO	     0xa0

static volatile unsigned int ptimer_own, ptimer_foreign;

static void __attribute__((target("general-regs-only"))) on_irq(unsigned int intid)
{
	uint64_t ctl;

	if (intid != PTIMER_INTID)
		return;
	__asm__ volatile("mrs %0, cntp_ctl_el0" : "=r"(ctl));
	/* Ours: enabled, not masked, ISTATUS (2) set.  Stop it before the EOI (level). */
	if ((ctl & 7) == 5)
		ptimer_own++;
	else
		ptimer_foreign++;
	__asm__ volatile("msr cntp_ctl_el0, xzr; isb" ::: "memory");
}

static uint64_t counter(void)
{
	uint64_t v;

	__asm__ volatile("isb; mrs %0, cntpct_el0" : "=r"(v));
	return v;
}

static uint64_t counter_freq(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}

static void ptimer_irq_rounds(void)
{
	uint64_t ticks = counter_freq() * 3 / 2000, t0; /* 1.5 ms */
	unsigned int r, late = 0;

	gic_set_handler(on_irq);
	gic_dist_init();
	gic_cpu_init();
	gic_irq_enable(PTIMER_INTID, PRIO, 0);
	__asm__ volatile("msr cntp_ctl_el0, xzr; isb" ::: "memory");
	gic_local_irq_enable();
	for (r = 0; r < IRQ_ROUNDS; r++) {
		give_up_cpu(); /* a slice starts: the deadline falls in the other VM's */
		__asm__ volatile("msr cntp_cval_el0, %0; msr cntp_ctl_el0, %1; isb"
				 :
				 : "r"(counter() + ticks), "r"(1UL)
				 : "memory");
		give_up_cpu();
		t0 = hc_time_ns();
		while (ptimer_own < r + 1 && hc_time_ns() - t0 < 20000000ULL)
			;
		late += ptimer_own < r + 1;
		__asm__ volatile("msr cntp_ctl_el0, xzr; isb" ::: "memory");
	}
	/* A few more switches with the timer off: nothing may come. */
	for (r = 0; r < 4; r++)
		give_up_cpu();
	gic_local_irq_disable();
	printf("regleak: PPI %u taken %u times in %u rounds (%u not within 20 ms), %u foreign\n",
	       PTIMER_INTID, ptimer_own, IRQ_ROUNDS, late, ptimer_foreign);
	checkf(ptimer_own == IRQ_ROUNDS, "ptimer-irq-own");
	checkf(ptimer_foreign == 0, "ptimer-irq-foreign");
}

#define NR_CLASSES (sizeof(classes) / sizeof(classes[0]))

static struct class_state state[NR_CLASSES];

static unsigned int class_regs(const struct reg_class *c)
{
	unsigned int n = c->count ? c->count() : c->nr;

	return n < c->nr ? n : c->nr;
}

/* NULL @switched: either behaviour is right, as long as it is the same every time (-1). */
static int class_mode(const struct reg_class *c)
{
	return c->switched ? c->switched() : -1;
}

static void mismatch(const struct reg_class *c, struct class_state *s, unsigned int round,
		     const char *what, const struct reg *r, uint64_t want, uint64_t got)
{
	s->bad++;
	if (s->last_bad_round != (int)round + 1) {
		s->last_bad_round = round + 1;
		s->bad_rounds++;
	}
	if (s->reported)
		return;
	s->reported = true;
	printf("regleak: %s: round %u: %s %s: %#llx, this VM's is %#llx\n", c->name, round, r->name,
	       what, (unsigned long long)got, (unsigned long long)want);
}

/* Write this VM's values for @round and note what each register took. */
static void class_write(const struct reg_class *c, struct class_state *s, unsigned int round)
{
	int mode = class_mode(c);

	for (unsigned int i = 0; i < class_regs(c); i++) {
		const struct reg *r = &c->regs[i];
		uint64_t want = (own_value(round, i) & r->mask) | r->fixed, got;
		bool w = try_write(r, want), rd = try_read(r, &got);

		if (mode < 0) {
			/* Either way, but one way for the whole run. */
			if (round == 0 && i == 0) {
				s->mode = w || rd;
				printf("regleak: %s: %s\n", c->name,
				       s->mode ? "switched" : "UNDEF");
			}
			mode = s->mode;
		}
		s->undef[i] = !mode;
		s->expect[i] = want & r->mask;
		if (!mode && (w || rd))
			mismatch(c, s, round, w ? "wrote without UNDEF" : "read without UNDEF", r,
				 0, got);
		else if (mode && (!w || !rd))
			mismatch(c, s, round, "UNDEF", r, want, 0);
		else if (mode && (got & r->mask) != s->expect[i])
			mismatch(c, s, round, "did not take the value", r, want, got);
	}
}

/* After the switch: each register as this VM left it. */
static void class_check(const struct reg_class *c, struct class_state *s, unsigned int round)
{
	for (unsigned int i = 0; i < class_regs(c); i++) {
		const struct reg *r = &c->regs[i];
		uint64_t got;
		bool rd = try_read(r, &got);

		if (s->undef[i]) {
			if (rd)
				mismatch(c, s, round, "read without UNDEF", r, 0, got);
			continue;
		}
		if (!rd)
			mismatch(c, s, round, "UNDEF", r, s->expect[i], 0);
		else if ((got & r->mask) != s->expect[i])
			mismatch(c, s, round, "holds", r, s->expect[i], got & r->mask);
	}
}

void test_main(void)
{
	unsigned int round, i, switched = 0;

	seed = mix(hc_time_ns());
	printf("regleak: seed %#llx, %u rounds\n", (unsigned long long)seed, ROUNDS);
	for (i = 0; i < NR_CLASSES; i++)
		printf("regleak: %s: %u registers, %s\n", classes[i].name, class_regs(&classes[i]),
		       class_mode(&classes[i]) > 0  ? "switched" :
		       class_mode(&classes[i]) == 0 ? "hidden: UNDEF" :
						      "switched or UNDEF");
	for (round = 0; round < ROUNDS; round++) {
		for (i = 0; i < NR_CLASSES; i++)
			class_write(&classes[i], &state[i], round);
		switched += give_up_cpu();
		for (i = 0; i < NR_CLASSES; i++)
			class_check(&classes[i], &state[i], round);
	}
	printf("regleak: the CPU went to another thread in %u of %u rounds\n", switched, ROUNDS);
	checkf(switched == ROUNDS, "shared-cpu");
	for (i = 0; i < NR_CLASSES; i++) {
		if (state[i].bad)
			printf("regleak: %s: wrong in %u of %u rounds (%u registers in all)\n",
			       classes[i].name, state[i].bad_rounds, ROUNDS, state[i].bad);
		checkf(state[i].bad == 0, "%s", classes[i].name);
	}
	ptimer_irq_rounds();
}
