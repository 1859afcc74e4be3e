/*
 * vmx.h - Intel VMX: MSRs, VMCS fields, control bits, exit reasons, and the
 * VMX instructions, with the SDM's names and in its order.
 *
 * Section numbers are those of the Intel SDM vol. 3C (2024): chapter 25,
 * "Virtual Machine Control Structures"; 27, "VM Entries"; 28, "VM Exits";
 * 31, "VMX Instruction Reference"; appendix A, "VMX Capability Reporting".
 *
 * Environment: hypervisor, root mode (the instruction wrappers); the
 * constants are also used by host tests.
 */
/* SPDX-License-Identifier: MIT */
#ifndef HV_VMX_H
#define HV_VMX_H

#include <stdint.h>

#ifndef BIT
#define BIT(n) (1ul << (n))
#endif

/* CPUID.1:ECX.VMX (SDM vol. 3C, 24.6). */
#define CPUID_1_ECX_VMX                 (1u << 5)

/* ---- MSRs (SDM vol. 4, table 2-2; vol. 3D, appendix A) ---------------- */
#define MSR_IA32_FEATURE_CONTROL        0x03a
#define FEATURE_CONTROL_LOCK            BIT(0)
#define FEATURE_CONTROL_VMXON_IN_SMX    BIT(1)
#define FEATURE_CONTROL_VMXON_OUTSIDE_SMX BIT(2)
#define MSR_IA32_SYSENTER_CS            0x174
#define MSR_IA32_PAT                    0x277
#define MSR_IA32_VMX_BASIC              0x480
#define VMX_BASIC_TRUE_CTLS             BIT(55)
#define MSR_IA32_VMX_PINBASED_CTLS      0x481
#define MSR_IA32_VMX_PROCBASED_CTLS     0x482
#define MSR_IA32_VMX_EXIT_CTLS          0x483
#define MSR_IA32_VMX_ENTRY_CTLS         0x484
#define MSR_IA32_VMX_MISC               0x485
#define MSR_IA32_VMX_CR0_FIXED0         0x486
#define MSR_IA32_VMX_CR0_FIXED1         0x487
#define MSR_IA32_VMX_CR4_FIXED0         0x488
#define MSR_IA32_VMX_CR4_FIXED1         0x489
#define MSR_IA32_VMX_PROCBASED_CTLS2    0x48b
#define MSR_IA32_VMX_EPT_VPID_CAP       0x48c
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS 0x48d
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48e
#define MSR_IA32_VMX_TRUE_EXIT_CTLS     0x48f
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS    0x490
#define MSR_IA32_EFER                   0xc0000080
#define EFER_LME                        BIT(8)
#define EFER_LMA                        BIT(10)

/* IA32_VMX_MISC (A.6) */
#define VMX_MISC_PREEMPTION_RATE(m)     ((m) & 0x1f)
#define VMX_MISC_ACTIVITY_HLT           BIT(6)

/* IA32_VMX_EPT_VPID_CAP (A.10) */
#define EPT_CAP_WALK_4                  BIT(6)
#define EPT_CAP_UC                      BIT(8)
#define EPT_CAP_WB                      BIT(14)
#define EPT_CAP_2M                      BIT(16)
#define EPT_CAP_1G                      BIT(17)
#define EPT_CAP_INVEPT                  BIT(20)
#define EPT_CAP_AD                      BIT(21)
#define EPT_CAP_INVEPT_SINGLE           BIT(25)
#define EPT_CAP_INVEPT_ALL              BIT(26)
#define VPID_CAP_INVVPID                BIT(32)
#define VPID_CAP_INVVPID_SINGLE         BIT(41)

/* ---- VMCS fields (appendix B), from vmcs_fields.def -------------------- */
enum vmcs_field {
#define VMCS_FIELD(name, enc) name = enc,
#include "vmcs_fields.def"
#undef VMCS_FIELD
};

/* ---- Pin-based VM-execution controls (25.6.1, table 25-5) -------------- */
#define PIN_EXTERNAL_INTERRUPT_EXITING  BIT(0)
#define PIN_NMI_EXITING                 BIT(3)
#define PIN_VIRTUAL_NMIS                BIT(5)
#define PIN_PREEMPTION_TIMER            BIT(6)
#define PIN_POSTED_INTERRUPTS           BIT(7)

/* ---- Primary processor-based controls (25.6.2, table 25-6) ------------ */
#define CPU_INTERRUPT_WINDOW_EXITING    BIT(2)
#define CPU_USE_TSC_OFFSETTING          BIT(3)
#define CPU_HLT_EXITING                 BIT(7)
#define CPU_INVLPG_EXITING              BIT(9)
#define CPU_MWAIT_EXITING               BIT(10)
#define CPU_RDPMC_EXITING               BIT(11)
#define CPU_RDTSC_EXITING               BIT(12)
#define CPU_CR3_LOAD_EXITING            BIT(15)
#define CPU_CR3_STORE_EXITING           BIT(16)
#define CPU_CR8_LOAD_EXITING            BIT(19)
#define CPU_CR8_STORE_EXITING           BIT(20)
#define CPU_USE_TPR_SHADOW              BIT(21)
#define CPU_NMI_WINDOW_EXITING          BIT(22)
#define CPU_MOV_DR_EXITING              BIT(23)
#define CPU_UNCONDITIONAL_IO_EXITING    BIT(24)
#define CPU_USE_IO_BITMAPS              BIT(25)
#define CPU_MONITOR_TRAP_FLAG           BIT(27)
#define CPU_USE_MSR_BITMAPS             BIT(28)
#define CPU_MONITOR_EXITING             BIT(29)
#define CPU_PAUSE_EXITING               BIT(30)
#define CPU_ACTIVATE_SECONDARY_CONTROLS BIT(31)

/* ---- Secondary processor-based controls (25.6.2, table 25-7) ---------- */
#define SECONDARY_VIRTUALIZE_APIC_ACCESSES BIT(0)
#define SECONDARY_ENABLE_EPT            BIT(1)
#define SECONDARY_DESCRIPTOR_TABLE_EXITING BIT(2)
#define SECONDARY_ENABLE_RDTSCP         BIT(3)
#define SECONDARY_ENABLE_VPID           BIT(5)
#define SECONDARY_WBINVD_EXITING        BIT(6)
#define SECONDARY_UNRESTRICTED_GUEST    BIT(7)
#define SECONDARY_ENABLE_INVPCID        BIT(12)
#define SECONDARY_ENABLE_XSAVES         BIT(20)

/* ---- VM-exit controls (25.7.1, table 25-13) ---------------------------- */
#define EXIT_SAVE_DEBUG_CONTROLS        BIT(2)
#define EXIT_HOST_ADDRESS_SPACE_SIZE    BIT(9)
#define EXIT_ACK_INTERRUPT_ON_EXIT      BIT(15)
#define EXIT_SAVE_IA32_PAT              BIT(18)
#define EXIT_LOAD_IA32_PAT              BIT(19)
#define EXIT_SAVE_IA32_EFER             BIT(20)
#define EXIT_LOAD_IA32_EFER             BIT(21)
#define EXIT_SAVE_PREEMPTION_TIMER      BIT(22)

/* ---- VM-entry controls (25.8.1, table 25-15) --------------------------- */
#define ENTRY_LOAD_DEBUG_CONTROLS       BIT(2)
#define ENTRY_IA32E_MODE_GUEST          BIT(9)
#define ENTRY_LOAD_IA32_PAT             BIT(14)
#define ENTRY_LOAD_IA32_EFER            BIT(15)

/*
 * ---- Event injection (25.8.3, table 25-17), and the IDT-vectoring
 * information of an exit during event delivery (25.9.3, table 25-20):
 * the same layout.
 */
#define INTR_INFO_VECTOR(i)             ((i) & 0xff)
#define INTR_INFO_TYPE(i)               ((i) & (7u << 8))
#define INTR_INFO_VALID                 BIT(31)
#define INTR_INFO_DELIVER_ERROR_CODE    BIT(11)
#define INTR_INFO_NMI_UNBLOCKED_IRET    BIT(12)
#define INTR_TYPE_EXT_INTERRUPT         (0u << 8)
#define INTR_TYPE_NMI                   (2u << 8)
#define INTR_TYPE_HW_EXCEPTION          (3u << 8)
#define INTR_TYPE_SW_INTERRUPT          (4u << 8)
#define INTR_TYPE_PRIV_SW_EXCEPTION     (5u << 8)
#define INTR_TYPE_SW_EXCEPTION          (6u << 8)

/* Pending debug exceptions (25.4.2, table 25-4): BS, a single step. */
#define PENDING_DBG_BS                  BIT(14)

/* ---- Guest activity state (25.4.2, table 25-3) ------------------------- */
#define ACTIVITY_ACTIVE                 0
#define ACTIVITY_HLT                    1
#define ACTIVITY_WAIT_SIPI              3       /* 25.4.2, table 25-3 */

/* ---- Basic exit reasons (appendix C), from exit_reasons.def ----------- */
enum exit_reason {
#define EXIT_REASON(n, name, handler) EXIT_REASON_##name = n,
#include "exit_reasons.def"
#undef EXIT_REASON
	EXIT_REASON_MAX = 65,           /* table size: reasons 0..64 */
};
#define EXIT_REASON_ENTRY_FAILURE       BIT(31)

/* EPT paging-structure entries (30.3.2, tables 30-1 to 30-6). */
#define EPT_R                           BIT(0)
#define EPT_W                           BIT(1)
#define EPT_X                           BIT(2)
#define EPT_RWX                         (EPT_R | EPT_W | EPT_X)
#define EPT_MT_SHIFT                    3               /* leaf memory type, 5:3 */
#define EPT_MEM_UC                      (0ul << EPT_MT_SHIFT)
#define EPT_MEM_WB                      (6ul << EPT_MT_SHIFT)
#define EPT_LARGE                       BIT(7)
#define EPT_ADDR_MASK                   0x000ffffffffff000ul

/* EPTP (25.6.11, table 25-9): memory type, walk length - 1. */
#define EPTP_MT_WB                      6ul
#define EPTP_WALK_4                     (3ul << 3)

/* EPT-violation exit qualification (28.2.1, table 28-7). */
#define EPT_QUAL_READ                   BIT(0)
#define EPT_QUAL_WRITE                  BIT(1)
#define EPT_QUAL_FETCH                  BIT(2)
#define EPT_QUAL_GLA_VALID              BIT(7)
#define EPT_QUAL_GLA_TRANSLATED         BIT(8)  /* with bit 7: not a page walk */

/* ---- VMX instructions (chapter 31) ------------------------------------- */
/*
 * Each returns 0 on success, 1 on VMfailInvalid (CF) or VMfailValid (ZF);
 * after VMfailValid, VM_INSTRUCTION_ERROR says why (31.4).
 *
 * Host tests (HV_HOST_TEST) get vmread, vmwrite and invvpid from a VMCS
 * stand-in instead (tests/host/vmcs_stub.c).
 */
#ifdef HV_HOST_TEST
uint64_t vmread(enum vmcs_field f);
int vmwrite(enum vmcs_field f, uint64_t v);
void invvpid_single(uint16_t vpid);
#else
static inline int vmx_on(uint64_t pa)
{
	uint8_t r;
	asm volatile("vmxon %1\n\tsetbe %0" : "=qm"(r) : "m"(pa) : "cc", "memory");
	return r;
}

static inline int vmx_clear(uint64_t pa)
{
	uint8_t r;
	asm volatile("vmclear %1\n\tsetbe %0" : "=qm"(r) : "m"(pa) : "cc", "memory");
	return r;
}

static inline int vmx_ptrld(uint64_t pa)
{
	uint8_t r;
	asm volatile("vmptrld %1\n\tsetbe %0" : "=qm"(r) : "m"(pa) : "cc", "memory");
	return r;
}

static inline uint64_t vmread(enum vmcs_field f)
{
	uint64_t v;
	asm volatile("vmread %1, %0" : "=r"(v) : "r"((uint64_t)f) : "cc");
	return v;
}

/* Returns nonzero on failure (unsupported field, no current VMCS). */
static inline int vmwrite(enum vmcs_field f, uint64_t v)
{
	uint8_t r;
	asm volatile("vmwrite %2, %1\n\tsetbe %0" : "=qm"(r) : "r"((uint64_t)f), "rm"(v) : "cc");
	return r;
}

struct invept_desc {
	uint64_t eptp, reserved;
};

static inline void invept_single(uint64_t eptp)
{
	struct invept_desc d = { eptp, 0 };
	asm volatile("invept %0, %1" : : "m"(d), "r"(1ul) : "cc", "memory");
}

/* INVVPID type 1 (31.3): every linear mapping of one VPID, globals too. */
static inline void invvpid_single(uint16_t vpid)
{
	struct { uint64_t vpid, addr; } d = { vpid, 0 };
	asm volatile("invvpid %0, %1" : : "m"(d), "r"(1ul) : "cc", "memory");
}
#endif /* HV_HOST_TEST */

#endif
