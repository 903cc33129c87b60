// SPDX-License-Identifier: MIT
/*
 * The arm64 half of debugging guests (kvm/arch/debug.h, "debugging
 * guests"): the register file in GDB's numbering, the target description,
 * debug exceptions routed to EL2, single step, breakpoint registers, and a
 * software walk of the guest's stage 1 tables.
 *
 * Routing (Arm ARM D2 "AArch64 Self-hosted Debug"): with MDCR_EL2.TDE = 1
 * the debug target exception level of EL1 and EL0 is EL2, so breakpoint
 * instructions (EC 0x3C), breakpoint register matches (EC 0x30) and
 * software step (EC 0x32) of the guest come here whatever its PSTATE.D and
 * MDSCR_EL1.KDE say ("debug exceptions are enabled at an Exception level
 * lower than the debug target").  TDE also makes TDA/TDOSA/TDRA act as 1:
 * the guest's own debug register accesses trap while it is debugged (and
 * come back as unhandled: the debugger owns them then).
 *
 * Hardware breakpoints use the real DBGBVR<n>_EL1/DBGBCR<n>_EL1 of the CPU
 * (not emulation by trapping): while a vCPU is debugged the CPU holds the
 * debugger's whole set of debug registers, loaded at each entry (its
 * breakpoints, no watchpoints, OS Lock and Double Lock open), and the
 * guest's own set waits in memory (el1_regs.c does not save or load it),
 * to come back with the next full load (el1_dirty).  The debugger's
 * breakpoints match at EL1 and EL0 only, never at EL2, and the next vCPU to
 * run on the CPU loads its own set over them.
 */
#include <errno.h>
#include <string.h>

#include "kvm/arch/debug.h"
#include "kvm/arch/vcpu.h"

#include "arch_priv.h"
#include "debug.h"
#include "platform.h"
#include "sysreg.h"

/* Arm ARM MDCR_EL2.TDE (bit 8), MDSCR_EL1.SS (bit 0) and .MDE (bit 15), SPSR_EL2.SS (bit 21). */
#define MDCR_EL2_TDE BIT(8)
#define MDSCR_SS     BIT(0)
#define MDSCR_MDE    BIT(15)
#define PSR_SS	     BIT(21)

/* Exception classes of debug exceptions from a lower level (Arm ARM ESR_EL2). */
#define EC_BREAKPT_LOW 0x30
#define EC_SOFTSTP_LOW 0x32
#define EC_BRK64       0x3c

/*
 * DBGBCR<n>_EL1 (Arm ARM): E (bit 0) enabled, PMC (2:1) = 0b11 match at EL1
 * and EL0, BAS (8:5) = 0b1111 (required for A64 instructions), BT (23:20) =
 * 0 unlinked address match, HMC = SSC = 0.
 */
#define DBGBCR_EXEC_EL1_EL0 (BIT(0) | 3ULL << 1 | 0xfULL << 5)

/* BRK #0: what GDB itself inserts on aarch64 (Arm ARM C6 "BRK"). */
#define AARCH64_BRK0 0xd4200000u

static u64 mdcr_host[MAX_CPUS];
static bool mdcr_tde[MAX_CPUS];
static unsigned int hw_slots;

void debug_cpu_init(u64 mdcr)
{
	u64 dfr0 = read_sysreg(id_aa64dfr0_el1);

	mdcr_host[arch_cpu_id()] = mdcr;
	/* ID_AA64DFR0_EL1.BRPs (15:12): breakpoints minus one. */
	hw_slots = ((dfr0 >> 12) & 0xf) + 1;
	if (hw_slots > ARCH_MAX_HW_BREAKPOINTS)
		hw_slots = ARCH_MAX_HW_BREAKPOINTS;
	/*
	 * The OS Lock is set at cold reset and, while set, no breakpoint,
	 * watchpoint or step exception is generated (Arm ARM OSLSR_EL1.OSLK,
	 * D2 "The OS Lock").  Nothing will save our debug state for us: open it.
	 */
	write_sysreg(oslar_el1, 0);
	isb();
}

/* Interrupts masked, the guest's EL1 registers loaded, right before the entry. */
void debug_guest_enter(struct arch_vcpu *v, unsigned int cpu)
{
	struct arch_vcpu_debug *d = &v->dbg;
	struct arch_dbg_regs hw;
	u64 mdscr;
	unsigned int i;

	if (d->on != mdcr_tde[cpu]) {
		write_sysreg(mdcr_el2, mdcr_host[cpu] | (d->on ? MDCR_EL2_TDE : 0));
		mdcr_tde[cpu] = d->on;
	}
	v->pstate &= ~PSR_SS;
	if (!d->on)
		return;
	d->guest_mdscr = v->el1.mdscr;
	mdscr = v->el1.mdscr & ~(MDSCR_SS | MDSCR_MDE);
	if (d->step) {
		/*
		 * Active-not-pending: MDSCR_EL1.SS = 1 and PSTATE.SS = 1 after the
		 * ERET, so one instruction runs, then the step exception (Arm ARM
		 * D2 "Software Step exceptions", the state machine).
		 */
		mdscr |= MDSCR_SS;
		v->pstate |= PSR_SS;
	}
	if (d->nr_hw)
		mdscr |= MDSCR_MDE; /* breakpoint exceptions need MDE (Arm ARM MDSCR_EL1) */
	memset(&hw, 0, sizeof(hw));
	for (i = 0; i < d->nr_hw; i++) {
		hw.bvr[i] = d->hw[i] & ~3ULL;
		hw.bcr[i] = DBGBCR_EXEC_EL1_EL0;
	}
	el1_dbg_load(&hw);
	write_sysreg(mdscr_el1, mdscr);
}

/* After the EL1 registers were saved: give the guest back its MDSCR_EL1. */
void debug_guest_exit(struct arch_vcpu *v)
{
	struct arch_vcpu_debug *d = &v->dbg;

	v->pstate &= ~PSR_SS;
	if (!d->on)
		return;
	v->el1.mdscr = d->guest_mdscr;
	/* The CPU holds our MDSCR_EL1 and debug registers: the next entry must load the guest's. */
	v->el1_dirty = true;
}

bool debug_decode(struct arch_vcpu *v, unsigned int ec, struct vcpu_exit *exit)
{
	(void)v;
	switch (ec) {
	case EC_BRK64:
		/* ELR_EL2 is the BRK itself (Arm ARM "Preferred exception return address"). */
		exit->debug = DEBUG_SW_BREAKPOINT;
		break;
	case EC_BREAKPT_LOW:
		exit->debug = DEBUG_HW_BREAKPOINT;
		break;
	case EC_SOFTSTP_LOW:
		/* ELR_EL2 is the next instruction to step. */
		exit->debug = DEBUG_STEP;
		break;
	default:
		return false;
	}
	exit->reason = EXIT_DEBUG;
	return true;
}

unsigned int arch_hw_breakpoint_slots(void)
{
	return hw_slots;
}

u32 arch_sw_breakpoint_insn(unsigned int *size)
{
	*size = 4;
	return AARCH64_BRK0;
}

void arch_sync_icache(void)
{
	/*
	 * The new instruction reached the point of unification through the
	 * data cache (all our RAM is Write-Back, coherent); stale copies may
	 * sit in any CPU's instruction cache (Arm ARM D7 "Instruction cache
	 * maintenance", "Concurrent modification and execution").
	 */
	dsb(ish);
	__asm__ volatile("ic ialluis" : : : "memory");
	dsb(ish);
	isb();
}

/* ---- registers in GDB's numbering ------------------------------------------------ */

/*
 * The order of arch_gdb_target_xml(): x0..x30, sp, pc, cpsr (32 bits),
 * v0..v31 (128 bits), fpsr, fpcr (32 bits).  GDB's aarch64 support finds
 * them by these names in the features org.gnu.gdb.aarch64.core and
 * org.gnu.gdb.aarch64.fpu (GDB manual, "AArch64 Features").
 */
#define GDB_REG_SP   31
#define GDB_REG_PC   32
#define GDB_REG_CPSR 33
#define GDB_REG_V0   34
#define GDB_REG_FPSR 66
#define GDB_REG_FPCR 67
#define GDB_NR_REGS  68

unsigned int arch_gdb_nr_regs(void)
{
	return GDB_NR_REGS;
}

/* The stack pointer the guest uses now: SP_EL1 in EL1h, SP_EL0 otherwise (PSTATE.SP). */
static u64 *cur_sp(struct arch_vcpu *v)
{
	return (v->pstate & PSR_MODE_MASK) == PSR_MODE_EL1h ? &v->el1.sp_el1 : &v->sp_el0;
}

unsigned int arch_gdb_get_reg(const struct arch_vcpu *v, unsigned int n, u8 *buf)
{
	struct arch_vcpu *w = (struct arch_vcpu *)v; /* cur_sp() only picks a field */
	u32 r32;
	u64 r64;

	/* Little-endian guest and host: the bytes of the value are its memory order. */
	if (n < 31 || n == GDB_REG_SP || n == GDB_REG_PC) {
		r64 = n < 31 ? v->x[n] : n == GDB_REG_SP ? *cur_sp(w) : v->pc;
		memcpy(buf, &r64, 8);
		return 8;
	}
	if (n >= GDB_REG_V0 && n < GDB_REG_V0 + 32) {
		memcpy(buf, v->v[n - GDB_REG_V0], 16);
		return 16;
	}
	switch (n) {
	case GDB_REG_CPSR:
		r32 = (u32)(v->pstate & ~PSR_SS);
		break;
	case GDB_REG_FPSR:
		r32 = (u32)v->fpsr;
		break;
	case GDB_REG_FPCR:
		r32 = (u32)v->fpcr;
		break;
	default:
		return 0;
	}
	memcpy(buf, &r32, 4);
	return 4;
}

/* A mode the guest may be put in: AArch64 EL0t, EL1t or EL1h, never EL2 (it would run as us). */
static bool guest_mode_ok(u64 pstate)
{
	u64 m = pstate & (PSR_MODE_MASK | PSR_MODE_32);

	return m == PSR_MODE_EL0t || m == PSR_MODE_EL1t || m == PSR_MODE_EL1h;
}

/* Only PSTATE has values the guest cannot take; the rest is any bit pattern. */
int arch_gdb_check_reg(const struct arch_vcpu *v, unsigned int n, const u8 *buf)
{
	u32 r32;

	(void)v;
	if (n != GDB_REG_CPSR)
		return 0;
	memcpy(&r32, buf, 4);
	return guest_mode_ok(r32) ? 0 : -EINVAL;
}

unsigned int arch_gdb_set_reg(struct arch_vcpu *v, unsigned int n, const u8 *buf)
{
	u32 r32;
	u64 r64;

	if (n < 31 || n == GDB_REG_SP || n == GDB_REG_PC) {
		memcpy(&r64, buf, 8);
		if (n < 31)
			v->x[n] = r64;
		else if (n == GDB_REG_PC)
			v->pc = r64;
		else
			*cur_sp(v) = r64;
		if (n == GDB_REG_SP)
			v->el1_dirty = true; /* SP_EL1 is an EL1 register */
		return 8;
	}
	if (n >= GDB_REG_V0 && n < GDB_REG_V0 + 32) {
		memcpy(v->v[n - GDB_REG_V0], buf, 16);
		return 16;
	}
	if (n != GDB_REG_CPSR && n != GDB_REG_FPSR && n != GDB_REG_FPCR)
		return 0;
	memcpy(&r32, buf, 4);
	if (n == GDB_REG_CPSR) {
		/* Flags and masks as asked; a mode the guest cannot be in was refused by the check. */
		if (guest_mode_ok(r32))
			v->pstate = r32 & ~PSR_SS;
	} else if (n == GDB_REG_FPSR) {
		v->fpsr = r32;
	} else {
		v->fpcr = r32;
	}
	return 4;
}

/*
 * Written for this hypervisor after the GDB manual's "Target Description
 * Format" and "AArch64 Features": the core and fpu features with the
 * register names GDB requires, in arch_gdb_get_reg()'s order.
 */
static const char target_xml[] =
	"<?xml version=\"1.0\"?>\n"
	"<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
	"<target version=\"1.0\">\n"
	"<architecture>aarch64</architecture>\n"
	"<feature name=\"org.gnu.gdb.aarch64.core\">\n"
	"<reg name=\"x0\" bitsize=\"64\" type=\"int\" regnum=\"0\"/>\n"
	"<reg name=\"x1\" bitsize=\"64\" type=\"int\"/>\n<reg name=\"x2\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"x3\" bitsize=\"64\" type=\"int\"/>\n<reg name=\"x4\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"x5\" bitsize=\"64\" type=\"int\"/>\n<reg name=\"x6\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"x7\" bitsize=\"64\" type=\"int\"/>\n<reg name=\"x8\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"x9\" bitsize=\"64\" type=\"int\"/>\n<reg name=\"x10\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"x11\" bitsize=\"64\" type=\"int\"/>\n<reg name=\"x12\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"x13\" bitsize=\"64\" type=\"int\"/>\n<reg name=\"x14\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"x15\" bitsize=\"64\" type=\"int\"/>\n<reg name=\"x16\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"x17\" bitsize=\"64\" type=\"int\"/>\n<reg name=\"x18\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"x19\" bitsize=\"64\" type=\"int\"/>\n<reg name=\"x20\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"x21\" bitsize=\"64\" type=\"int\"/>\n<reg name=\"x22\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"x23\" bitsize=\"64\" type=\"int\"/>\n<reg name=\"x24\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"x25\" bitsize=\"64\" type=\"int\"/>\n<reg name=\"x26\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"x27\" bitsize=\"64\" type=\"int\"/>\n<reg name=\"x28\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"x29\" bitsize=\"64\" type=\"int\"/>\n<reg name=\"x30\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"sp\" bitsize=\"64\" type=\"data_ptr\"/>\n"
	"<reg name=\"pc\" bitsize=\"64\" type=\"code_ptr\"/>\n"
	"<reg name=\"cpsr\" bitsize=\"32\" type=\"int\"/>\n"
	"</feature>\n"
	"<feature name=\"org.gnu.gdb.aarch64.fpu\">\n"
	"<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>\n"
	"<vector id=\"v2u\" type=\"uint64\" count=\"2\"/>\n"
	"<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>\n"
	"<vector id=\"v4u\" type=\"uint32\" count=\"4\"/>\n"
	"<vector id=\"v8u\" type=\"uint16\" count=\"8\"/>\n"
	"<vector id=\"v16u\" type=\"uint8\" count=\"16\"/>\n"
	"<union id=\"vq\">\n"
	"<field name=\"d\" type=\"v2d\"/><field name=\"u64\" type=\"v2u\"/>"
	"<field name=\"s\" type=\"v4f\"/><field name=\"u32\" type=\"v4u\"/>"
	"<field name=\"h\" type=\"v8u\"/><field name=\"b\" type=\"v16u\"/>"
	"<field name=\"q\" type=\"uint128\"/>\n"
	"</union>\n"
	"<reg name=\"v0\" bitsize=\"128\" type=\"vq\" regnum=\"34\"/>\n"
	"<reg name=\"v1\" bitsize=\"128\" type=\"vq\"/>\n<reg name=\"v2\" bitsize=\"128\" type=\"vq\"/>\n"
	"<reg name=\"v3\" bitsize=\"128\" type=\"vq\"/>\n<reg name=\"v4\" bitsize=\"128\" type=\"vq\"/>\n"
	"<reg name=\"v5\" bitsize=\"128\" type=\"vq\"/>\n<reg name=\"v6\" bitsize=\"128\" type=\"vq\"/>\n"
	"<reg name=\"v7\" bitsize=\"128\" type=\"vq\"/>\n<reg name=\"v8\" bitsize=\"128\" type=\"vq\"/>\n"
	"<reg name=\"v9\" bitsize=\"128\" type=\"vq\"/>\n<reg name=\"v10\" bitsize=\"128\" type=\"vq\"/>\n"
	"<reg name=\"v11\" bitsize=\"128\" type=\"vq\"/>\n<reg name=\"v12\" bitsize=\"128\" type=\"vq\"/>\n"
	"<reg name=\"v13\" bitsize=\"128\" type=\"vq\"/>\n<reg name=\"v14\" bitsize=\"128\" type=\"vq\"/>\n"
	"<reg name=\"v15\" bitsize=\"128\" type=\"vq\"/>\n<reg name=\"v16\" bitsize=\"128\" type=\"vq\"/>\n"
	"<reg name=\"v17\" bitsize=\"128\" type=\"vq\"/>\n<reg name=\"v18\" bitsize=\"128\" type=\"vq\"/>\n"
	"<reg name=\"v19\" bitsize=\"128\" type=\"vq\"/>\n<reg name=\"v20\" bitsize=\"128\" type=\"vq\"/>\n"
	"<reg name=\"v21\" bitsize=\"128\" type=\"vq\"/>\n<reg name=\"v22\" bitsize=\"128\" type=\"vq\"/>\n"
	"<reg name=\"v23\" bitsize=\"128\" type=\"vq\"/>\n<reg name=\"v24\" bitsize=\"128\" type=\"vq\"/>\n"
	"<reg name=\"v25\" bitsize=\"128\" type=\"vq\"/>\n<reg name=\"v26\" bitsize=\"128\" type=\"vq\"/>\n"
	"<reg name=\"v27\" bitsize=\"128\" type=\"vq\"/>\n<reg name=\"v28\" bitsize=\"128\" type=\"vq\"/>\n"
	"<reg name=\"v29\" bitsize=\"128\" type=\"vq\"/>\n<reg name=\"v30\" bitsize=\"128\" type=\"vq\"/>\n"
	"<reg name=\"v31\" bitsize=\"128\" type=\"vq\"/>\n"
	"<reg name=\"fpsr\" bitsize=\"32\" type=\"int\"/>\n"
	"<reg name=\"fpcr\" bitsize=\"32\" type=\"int\"/>\n"
	"</feature>\n"
	"</target>\n";

const char *arch_gdb_target_xml(void)
{
	return target_xml;
}

/* ---- the guest's stage 1, walked in software --------------------------------------- */

/*
 * Arm ARM D8 "The AArch64 Virtual Memory System Architecture" (VMSAv8-64),
 * translation regime EL1&0: VA bit 55 picks TTBR0_EL1 or TTBR1_EL1; TCR_EL1
 * gives each half its size (T0SZ 5:0 / T1SZ 21:16), walk disable (EPD0 bit
 * 7 / EPD1 bit 23), granule (TG0 15:14: 0 4K, 1 64K, 2 16K; TG1 31:30: 1
 * 16K, 2 4K, 3 64K) and top byte ignore (TBI0 bit 37 / TBI1 bit 38).  Each
 * level resolves granule - 3 bits; descriptors: bit 0 valid, bit 1 table
 * (levels 0-2) or page (level 3), else block.  Output addresses bits 47:g
 * (no 52-bit addresses: FEAT_LPA is not what QEMU's guests here use).
 */
#define SCTLR_M	   BIT(0)
#define DESC_VALID BIT(0)
#define DESC_TABLE BIT(1)

static unsigned int granule_shift(u64 tcr, bool upper)
{
	unsigned int tg = upper ? (tcr >> 30) & 3 : (tcr >> 14) & 3;

	if (upper)
		return tg == 1 ? 14 : tg == 3 ? 16 : 12;
	return tg == 1 ? 16 : tg == 2 ? 14 : 12;
}

int arch_vcpu_translate(const struct arch_vcpu *v, u64 gva, u64 *gpa, u64 *len,
			int (*read64)(void *ctx, u64 gpa, u64 *val), void *ctx)
{
	const struct arch_el1_regs *r = &v->el1;
	bool upper = gva >> 55 & 1;
	unsigned int g, stride, ia, level, start, shift, bits;
	u64 tcr = r->tcr, table, desc, top;

	if (!(r->sctlr & SCTLR_M)) {
		/* Stage 1 off: VA = IPA (Arm ARM D8 "The effects of disabling address translation"). */
		if (gva >> 48)
			return -EFAULT;
		*gpa = gva;
		*len = 0x1000 - (gva & 0xfff);
		return 0;
	}
	ia = 64 - (unsigned int)(upper ? (tcr >> 16) & 63 : tcr & 63);
	if (ia < 16 || ia > 48 || (tcr & (upper ? BIT(23) : BIT(7))))
		return -EFAULT;
	/* Bits ia..63 must all equal bit 55, except the top byte when it is ignored. */
	top = (tcr & (upper ? BIT(38) : BIT(37))) ? gva & GENMASK(55, 0) : gva;
	if (upper ? (top | GENMASK(ia - 1, 0)) != ((tcr & BIT(38)) ? GENMASK(55, 0) : ~0ULL) :
		    top >> ia)
		return -EFAULT;
	g = granule_shift(tcr, upper);
	stride = g - 3;
	start = 4 - (ia - g + stride - 1) / stride;
	/* The top table may hold fewer entries than a granule's; its base is only 64-byte aligned. */
	table = (upper ? r->ttbr1 : r->ttbr0) & GENMASK(47, 6);
	for (level = start; level <= 3; level++) {
		u64 idx;

		shift = g + (3 - level) * stride;
		bits = level == start ? ia - shift : stride;
		idx = (gva >> shift) & ((1ULL << bits) - 1);
		if (read64(ctx, table + idx * 8, &desc) || !(desc & DESC_VALID))
			return -EFAULT;
		if (level < 3 && (desc & DESC_TABLE)) {
			table = desc & GENMASK(47, g);
			continue;
		}
		if (level == 3 && !(desc & DESC_TABLE))
			return -EFAULT; /* reserved encoding at the last level */
		if (level == 0 || (level == 1 && g == 16))
			return -EFAULT; /* no such block sizes without FEAT_LPA/LPA2 */
		*gpa = (desc & GENMASK(47, shift)) | (gva & ((1ULL << shift) - 1));
		*len = (1ULL << shift) - (gva & ((1ULL << shift) - 1));
		return 0;
	}
	return -EFAULT;
}
