/* SPDX-License-Identifier: MIT */
/*
 * System register fields the EL2 boot path sets, and C accessors.  Usable
 * from assembly (constants only) and C.
 *
 * References are to the Arm Architecture Reference Manual for A-profile
 * (DDI 0487, "Arm ARM").  Registers are cited by name ("Arm ARM SCTLR_EL2"):
 * their section numbers move between editions, the names do not, and the
 * same text is in the System Register XML (DDI 0601).  The translation
 * system is "The AArch64 Virtual Memory System Architecture" (chapter D8 in
 * editions J.a/K.a, D5 in earlier ones).
 */
#ifndef ARCH_ARM64_SYSREG_H
#define ARCH_ARM64_SYSREG_H

#ifdef __ASSEMBLER__
#define _UL(x) x
#else
#define _UL(x) x##UL
#endif

/* CurrentEL: EL in bits [3:2] (Arm ARM CurrentEL). */
#define CURRENTEL_EL2 _UL(0x8)

/*
 * Arm ARM HCR_EL2.  At boot only RW: EL1 runs AArch64.  E2H and
 * TGE stay 0 so EL2 keeps its own single-stage, non-VHE translation regime,
 * which is what the rest of this file (TCR_EL2, SCTLR_EL2 layouts) assumes.
 */
#define HCR_EL2_RW   (_UL(1) << 31)
#define HCR_EL2_BOOT HCR_EL2_RW

/*
 * Arm ARM CPTR_EL2, format with E2H == 0: bits 13, 12, 9 and 7:0 are RES1
 * (12 is TSM and 8 is TZ when SME/SVE exist: 1 traps them, which we want, the
 * hypervisor is built for plain Armv8.0 SIMD).  TFP (bit 10) = 0 lets EL2 use
 * FP/SIMD: newlib's string and printf code uses the SIMD registers.
 */
#define CPTR_EL2_RES1 _UL(0x000032ff)
#define CPTR_EL2_TZ   (_UL(1) << 8)
#define CPTR_EL2_TFP  (_UL(1) << 10)
#define CPTR_EL2_BOOT (CPTR_EL2_RES1 | CPTR_EL2_TZ)

/*
 * Arm ARM SCTLR_EL2, format with E2H == 0.  RES1 bits 29, 28, 23, 22,
 * 18, 16, 11, 5, 4 (later extensions give some a meaning; 1 is the Armv8.0
 * behaviour).  M: stage 1 MMU, C: data caches, SA: SP alignment check,
 * I: instruction caches.  A (alignment check) stays 0: compiled code and
 * newlib's memcpy make unaligned accesses to Normal memory.  WXN and EE 0.
 */
#define SCTLR_EL2_RES1	  _UL(0x30c50830)
#define SCTLR_EL2_M	  (_UL(1) << 0)
#define SCTLR_EL2_A	  (_UL(1) << 1)
#define SCTLR_EL2_C	  (_UL(1) << 2)
#define SCTLR_EL2_SA	  (_UL(1) << 3)
#define SCTLR_EL2_I	  (_UL(1) << 12)
#define SCTLR_EL2_MMU_OFF SCTLR_EL2_RES1
#define SCTLR_EL2_MMU_ON  (SCTLR_EL2_RES1 | SCTLR_EL2_M | SCTLR_EL2_C | SCTLR_EL2_SA | SCTLR_EL2_I)

/*
 * Arm ARM MAIR_EL2: one byte per AttrIndx.
 *   0: Device-nGnRE (0x04)  MMIO
 *   1: Normal, Inner/Outer Write-Back, Read/Write-Allocate, non-transient (0xff)
 *   2: Normal, Inner/Outer Non-cacheable (0x44)
 *   3: Device-nGnRnE (0x00)
 */
#define MT_DEVICE_nGnRE	 0
#define MT_NORMAL	 1
#define MT_NORMAL_NC	 2
#define MT_DEVICE_nGnRnE 3
#define MAIR_EL2_BOOT	 _UL(0x000044ff04)

/*
 * Arm ARM TCR_EL2, format with E2H == 0: RES1 bits 31 and 23.
 * T0SZ = 25: 39-bit VA, so a 4K-granule walk starts at level 1 with 1 GiB
 * entries (Arm ARM D8, "Translation granule" and "VMSAv8-64 translation
 * table lookups").  Walks are Inner Shareable, Inner/Outer Write-Back
 * Write-Allocate, so page tables written through the cache are seen by the
 * walker of every CPU without cleaning.
 * PS (bits 18:16) is copied from ID_AA64MMFR0_EL1.PARange at boot, capped at
 * 48 bits (52 needs FEAT_LPA2 descriptors).
 */
#define TCR_EL2_RES1	   ((_UL(1) << 31) | (_UL(1) << 23))
#define TCR_EL2_T0SZ_39	   _UL(25)
#define TCR_EL2_IRGN0_WBWA (_UL(1) << 8)
#define TCR_EL2_ORGN0_WBWA (_UL(1) << 10)
#define TCR_EL2_SH0_INNER  (_UL(3) << 12)
#define TCR_EL2_TG0_4K	   (_UL(0) << 14)
#define TCR_EL2_PS_SHIFT   16
#define TCR_EL2_BOOT                                                                \
	(TCR_EL2_RES1 | TCR_EL2_T0SZ_39 | TCR_EL2_IRGN0_WBWA | TCR_EL2_ORGN0_WBWA | \
	 TCR_EL2_SH0_INNER | TCR_EL2_TG0_4K)
#define PARANGE_48 _UL(5)

/* The EL2 identity map: 39-bit VA, level 1 entries of 1 GiB, level 2 of 2 MiB. */
#define EL2_VA_BITS  39
#define EL2_L1_SHIFT 30
#define EL2_L2_SHIFT 21

/*
 * VMSAv8-64 stage 1 block/table descriptors, 4K granule (Arm ARM D8,
 * "Translation table descriptor formats").
 *   bits 1:0   0b01 block, 0b11 table (or page at level 3)
 *   AttrIndx   bits 4:2, index into MAIR_EL2
 *   AP[1]      bit 6: older editions make it RES1 in a regime with a single
 *              privilege level such as EL2; with AP[2] = 0 it is read/write
 *              in every edition, so we set it
 *   SH         bits 9:8, 0b11 Inner Shareable (ignored for Device)
 *   AF         bit 10, set: we do not use access-flag faults
 *   XN         bit 54 (the EL2 regime has a single execute-never bit)
 */
#define PTE_VALID	(_UL(1) << 0)
#define PTE_TABLE	(_UL(3) << 0)
#define PTE_BLOCK	(_UL(1) << 0)
#define PTE_ATTRINDX(i) (((i)&_UL(7)) << 2)
#define PTE_AP1		(_UL(1) << 6)
#define PTE_SH_INNER	(_UL(3) << 8)
#define PTE_AF		(_UL(1) << 10)
#define PTE_XN		(_UL(1) << 54)
#define PTE_TYPE_MASK	_UL(3)
#define PTE_ADDR_MASK	_UL(0x0000fffffffff000)

#define PTE_EL2_NORMAL_BLOCK (PTE_BLOCK | PTE_ATTRINDX(MT_NORMAL) | PTE_AP1 | PTE_SH_INNER | PTE_AF)
#define PTE_EL2_DEVICE_BLOCK (PTE_BLOCK | PTE_ATTRINDX(MT_DEVICE_nGnRE) | PTE_AP1 | PTE_AF | PTE_XN)

/* MPIDR_EL1 affinity fields Aff3 (39:32) and Aff2..Aff0 (23:0) (Arm ARM MPIDR_EL1). */
#define MPIDR_AFF_MASK _UL(0xff00ffffff)

/* Arm ARM ESR_EL2: EC bits 31:26, IL bit 25, ISS bits 24:0. */
#define ESR_EC_SHIFT 26
#define ESR_EC_MASK  _UL(0x3f)
#define ESR_IL	     (_UL(1) << 25)
#define ESR_ISS_MASK _UL(0x1ffffff)

/*
 * Arm ARM HCR_EL2 once guests may run (E2H = TGE = 0):
 *   VM     stage 2 translation for EL1&0
 *   SWIO   set/way invalidates become clean+invalidate (the guest cannot
 *          discard lines that hold another VM's or our data)
 *   PTW    a guest stage 1 walk that lands on stage 2 Device memory faults
 *   FMO, IMO, AMO  physical FIQ/IRQ/SError go to EL2 (and EL1 sees virtual ones)
 *   FB     TLB and I-cache maintenance of the guest broadcast in the Inner
 *          Shareable domain: a vCPU may move between physical CPUs
 *   BSU    barriers upgraded to Inner Shareable, for the same reason
 *   TWI, TWE  WFI/WFE trap (EC 0x01): a waiting vCPU gives up its CPU
 *   TID3   reads of the ID registers of group 3 trap (EC 0x18): the guest
 *          sees the features we switch, not all the CPU has (id_regs.c)
 *   TSC    SMC traps (EC 0x17): PSCI over SMC is ours to emulate
 *   RW     EL1 is AArch64
 * Every bit of it acts on EL1&0 only, or routes interrupts to EL2 (which the
 * hypervisor wants too: with IMO clear an IRQ targets EL1 and is never taken
 * at EL2, and the tick must reach us there).  So each CPU sets it once
 * (arch_cpu_init) and keeps it, guest or not: no write per entry and exit,
 * and no TLB flush that an implementation may tie to a change of HCR_EL2.VM
 * (QEMU does), which would also hide a missing TLBI.
 */
#define HCR_EL2_VM     (_UL(1) << 0)
#define HCR_EL2_SWIO   (_UL(1) << 1)
#define HCR_EL2_PTW    (_UL(1) << 2)
#define HCR_EL2_FMO    (_UL(1) << 3)
#define HCR_EL2_IMO    (_UL(1) << 4)
#define HCR_EL2_AMO    (_UL(1) << 5)
#define HCR_EL2_FB     (_UL(1) << 9)
#define HCR_EL2_BSU_IS (_UL(1) << 10)
#define HCR_EL2_TWI    (_UL(1) << 13)
#define HCR_EL2_TWE    (_UL(1) << 14)
#define HCR_EL2_TID3   (_UL(1) << 18)
#define HCR_EL2_TSC    (_UL(1) << 19)
#define HCR_EL2_APK    (_UL(1) << 40)
#define HCR_EL2_API    (_UL(1) << 41)
#define HCR_EL2_GUEST                                                                          \
	(HCR_EL2_RW | HCR_EL2_IMO | HCR_EL2_FMO | HCR_EL2_AMO | HCR_EL2_VM | HCR_EL2_SWIO |    \
	 HCR_EL2_PTW | HCR_EL2_FB | HCR_EL2_BSU_IS | HCR_EL2_TWI | HCR_EL2_TWE | HCR_EL2_TSC | \
	 HCR_EL2_TID3)
/*
 * Added to HCR_EL2_GUEST where FEAT_PAuth exists (arch_cpu_init; the bits
 * are RES0 without it):
 *   APK    EL1 accesses to the key registers (APIAKeyLo_EL1 ...) do not trap
 *   API    PACIA/AUTIA/... at EL0 and EL1 do not trap (with API = 0 they
 *          trap to EL2 whenever SCTLR_EL1.EnIA/EnIB/EnDA/EnDB enable them)
 * The guest's keys are switched with its EL1 registers (vcpu.c).  The keys
 * are the same registers EL2 would use (E2H = 0), so EL2 must not sign
 * anything: SCTLR_EL2.EnIA/EnIB/EnDA/EnDB stay 0, and arch_vcpu.h refuses a
 * build with -mbranch-protection=pac-ret.
 */
#define HCR_EL2_PAUTH (HCR_EL2_APK | HCR_EL2_API)

/*
 * Traps of guest-writable state that is not switched per vCPU (arch_cpu_init,
 * sysreg_trap.c; the bits exist on every Armv8.1+ CPU with the feature, and
 * are RES0 without it, where the registers do not exist either):
 *   TIDCP  IMPLEMENTATION DEFINED registers (op0 3, CRn 11 and 15): UNDEF
 *   TACR   ACTLR_EL1, the physical CPU's IMPLEMENTATION DEFINED controls: RAZ/WI
 *   TLOR   LORegions (LORSA_EL1 ...; ID_AA64MMFR1.LO is hidden): UNDEF
 *   TERR   RAS error records (ERRIDR_EL1, ERRSELR_EL1, ERX*): RAZ/WI, no records
 * SCXTNUM_EL0/EL1 trap while EnSCXT (bit 53) stays 0: UNDEF (id_regs.c caps
 * CSV2 so that FEAT_CSV2_2 is not advertised).
 */
#define HCR_EL2_TIDCP	(_UL(1) << 20)
#define HCR_EL2_TACR	(_UL(1) << 21)
#define HCR_EL2_TLOR	(_UL(1) << 35)
#define HCR_EL2_TERR	(_UL(1) << 36)
#define HCR_EL2_ISOLATE (HCR_EL2_TIDCP | HCR_EL2_TACR)

/*
 * Arm ARM VTCR_EL2 (stage 2 control), 4K granule: T0SZ bits 5:0, SL0 bits 7:6
 * (with TG0 = 4K: 0 = start at level 2, 1 = level 1, 2 = level 0), walks
 * Inner Shareable and Write-Back Write-Allocate like TCR_EL2, PS bits 18:16,
 * VS (bit 19) = 0: 8-bit VMIDs.  Bit 31 is RES1.
 */
#define VTCR_EL2_RES1	    (_UL(1) << 31)
#define VTCR_EL2_SL0_SHIFT  6
#define VTCR_EL2_IRGN0_WBWA (_UL(1) << 8)
#define VTCR_EL2_ORGN0_WBWA (_UL(1) << 10)
#define VTCR_EL2_SH0_INNER  (_UL(3) << 12)
#define VTCR_EL2_TG0_4K	    (_UL(0) << 14)
#define VTCR_EL2_PS_SHIFT   16
#define VTCR_EL2_COMMON                                                                   \
	(VTCR_EL2_RES1 | VTCR_EL2_IRGN0_WBWA | VTCR_EL2_ORGN0_WBWA | VTCR_EL2_SH0_INNER | \
	 VTCR_EL2_TG0_4K)
#define VTTBR_VMID_SHIFT 48

/* Arm ARM CNTHCTL_EL2 (E2H == 0): EL1PCTEN, EL1PCEN: EL1/EL0 reach the physical counter, timer. */
#define CNTHCTL_EL1PCTEN (_UL(1) << 0)
#define CNTHCTL_EL1PCEN	 (_UL(1) << 1)
/* Arm ARM CNTHP_CTL_EL2 / CNTx_CTL_EL0: ENABLE, IMASK, ISTATUS. */
#define CNT_CTL_ENABLE	(_UL(1) << 0)
#define CNT_CTL_IMASK	(_UL(1) << 1)
#define CNT_CTL_ISTATUS (_UL(1) << 2)

/*
 * Arm ARM MDCR_EL2: HPMN bits 4:0, the number of event counters EL1 and EL0
 * may use; TPMCR (5) and TPM (6) trap every PMU register access of EL1 and
 * EL0 (the PMU is not switched: hidden, UNDEF); TPMS (14) traps the
 * Statistical Profiling Extension's registers, TTRF (19) TRFCR_EL1.  E2PB
 * (13:12) and E2TB (25:24) stay 0: the profiling and trace buffers belong
 * to EL2, their EL1 registers trap.
 */
#define MDCR_EL2_HPMN_MASK _UL(0x1f)
#define MDCR_EL2_TPMCR	   (_UL(1) << 5)
#define MDCR_EL2_TPM	   (_UL(1) << 6)
#define MDCR_EL2_TPMS	   (_UL(1) << 14)
#define MDCR_EL2_TTRF	   (_UL(1) << 19)

/*
 * Arm ARM CPTR_EL2 (E2H = 0), beyond CPTR_EL2_BOOT: TTA (20) traps the trace
 * unit's System registers, TAM (30) the Activity Monitors'.  Each is RES0
 * where the feature is absent: set only where the ID registers show it.
 */
#define CPTR_EL2_TTA (_UL(1) << 20)
#define CPTR_EL2_TAM (_UL(1) << 30)

/* SPSR/PSTATE (Arm ARM "SPSR_EL2", AArch64 format): M[3:0] and the DAIF masks. */
#define PSR_MODE_MASK _UL(0xf)
#define PSR_MODE_EL0t _UL(0x0)
#define PSR_MODE_EL1t _UL(0x4)
#define PSR_MODE_EL1h _UL(0x5)
#define PSR_MODE_EL2h _UL(0x9)
#define PSR_MODE_32   (_UL(1) << 4)
#define PSR_F	      (_UL(1) << 6)
#define PSR_I	      (_UL(1) << 7)
#define PSR_A	      (_UL(1) << 8)
#define PSR_D	      (_UL(1) << 9)
#define PSR_DAIF      (PSR_D | PSR_A | PSR_I | PSR_F)
/* BTYPE (bits 11:10): 0 after any instruction that is not a branch (Arm ARM "PSTATE.BTYPE"). */
#define PSR_BTYPE_MASK (_UL(3) << 10)

/* Arm ARM SCTLR_EL1 reset value with the MMU and caches off (RES1 bits of Armv8.0..8.2). */
#define SCTLR_EL1_RESET _UL(0x30d00800)

/* Exception classes the guest exit path decodes (Arm ARM ESR_EL2.EC). */
#define EC_UNKNOWN  0x00
#define EC_WFX	    0x01
#define EC_HVC64    0x16
#define EC_SMC64    0x17
#define EC_SYS64    0x18
#define EC_IABT_LOW 0x20
#define EC_IABT_CUR 0x21
#define EC_DABT_LOW 0x24
#define EC_DABT_CUR 0x25
#define EC_SERROR   0x2f

/*
 * Data/instruction abort ISS (Arm ARM ESR_EL2, "ISS encoding for an exception
 * from a Data Abort"): ISV 24, SAS 23:22, SSE 21, SRT 20:16, SF 15, FnV 10,
 * S1PTW 7, WnR 6, xFSC 5:0.
 */
#define ISS_DABT_ISV	   (_UL(1) << 24)
#define ISS_DABT_SAS_SHIFT 22
#define ISS_DABT_SSE	   (_UL(1) << 21)
#define ISS_DABT_SRT_SHIFT 16
#define ISS_DABT_SF	   (_UL(1) << 15)
#define ISS_ABT_FNV	   (_UL(1) << 10)
#define ISS_ABT_S1PTW	   (_UL(1) << 7)
#define ISS_DABT_WNR	   (_UL(1) << 6)
#define ISS_FSC_MASK	   _UL(0x3f)
#define ISS_FSC_TYPE_MASK  _UL(0x3c)
#define FSC_PERM	   _UL(0x0c)
#define FSC_SEA		   _UL(0x10) /* synchronous external abort, not on a walk */
/*
 * ISS for EC 0x18, a trapped MSR/MRS/SYS (Arm ARM ESR_EL2, "ISS encoding
 * for an exception from MSR, MRS, or System instruction execution in
 * AArch64 state"): Op0 21:20, Op2 19:17, Op1 16:14, CRn 13:10, Rt 9:5,
 * CRm 4:1, Direction 0 (1 = read, MRS).
 */
#define ISS_SYS_MASK 0x3ffc1e /* Op0, Op2, Op1, CRn, CRm */
#define ISS_SYS(op0, op1, crn, crm, op2) \
	((op0) << 20 | (op2) << 17 | (op1) << 14 | (crn) << 10 | (crm) << 1)
#define ISS_SYS_READ	  (_UL(1) << 0)
#define ISS_SYS_CRM_SHIFT 1
#define ISS_SYS_RT_SHIFT  5
#define ISS_SYS_OP2_SHIFT 17
/* ISS of EC 0x01, a trapped WFI or WFE (Arm ARM ESR_EL2): TI bit 0 set for WFE. */
#define ISS_WFX_TI_WFE (_UL(1) << 0)
/* HPFAR_EL2.FIPA, bits 47:4: IPA bits 55:12 of a stage 2 fault. */
#define HPFAR_FIPA_MASK _UL(0x0000fffffffffff0)
/* PAR_EL1 after AT: F (bit 0) = failed; PA bits 47:12. */
#define PAR_F (_UL(1) << 0)

#ifndef __ASSEMBLER__

#include <stdint.h>

#define read_sysreg(reg)                                       \
	({                                                     \
		uint64_t __v;                                  \
		__asm__ volatile("mrs %0, " #reg : "=r"(__v)); \
		__v;                                           \
	})

#define write_sysreg(reg, val) \
	__asm__ volatile("msr " #reg ", %0" : : "r"((uint64_t)(val)) : "memory")

#define isb()	 __asm__ volatile("isb" : : : "memory")
#define dsb(opt) __asm__ volatile("dsb " #opt : : : "memory")

#endif /* !__ASSEMBLER__ */

#endif
