/*
 * hv.h - the hypervisor's virtual CPUs and the pieces that run them.
 *
 *   main.c       boot: Multiboot info, options, memory, VMX, guest, run
 *   vmx.c        capabilities, controls, VMXON
 *   vmcs.c       VMCS host, guest and control state; entry-failure report
 *   ept.c        the EPT builder (guest-physical -> host-physical)
 *   guest_load.c the guest's Multiboot loader and its info block
 *   options.c    the command line (options.h)
 *   vmexit.c     the VM-exit dispatch table and the small handlers
 *   vcpu.c       the guest's CPU: registers, CPL, injection, how a run ends
 *   cpuid.c      the CPUID policy and the vCPU's answer cache
 *   cr.c         CR0/CR3/CR4 and XCR0 (XSETBV): the rules and the exits
 *   hypercall.c  the hypercall dispatch table (shared/abi/abi.def)
 *   io.c         port I/O: COM1, the exit ports (io.h: absent ports,
 *                port 0x80 among them, inline in the dispatch)
 *   mmio.c       absent MMIO (mmio_decode.c: the moves it understands;
 *                guest_paging.c: reading the instruction)
 *   msr.c        the MSR policy (deny by default) and RDMSR/WRMSR
 *   stats.c      exit accounting
 *   audit.c      root mode's registers, at boot and after the run
 *   halt.c       can anything end a HLT? (halt_view.c reads the machine)
 *   vlapic.c     the guest's local APIC: the model (vlapic.h, pure)
 *   apic.c       ...on the vCPU: its MMIO, MSRs and CR8, interrupt
 *                injection, PV EOI; the machine's APIC kept from the guest
 *   watchdog.c   the run's time limit (watchdog=)
 *   smp.c        a vCPU on every CPU: bring-up, the guest's INIT-SIPI-SIPI,
 *                IPIs, TLB flushes and wait/kick between vCPUs, the stop
 *   vmentry.asm  VMLAUNCH, the VM-exit entry point, VMRESUME; the two
 *                register frames; a cached CPUID answered without C
 *
 * Environment: hypervisor, root mode, a vCPU pinned to each CPU, interrupts
 * off throughout (but an AP's wait for the guest's start-up IPI).
 */
/* SPDX-License-Identifier: MIT */
#ifndef HV_HV_H
#define HV_HV_H

#include <stddef.h>
#include <stdint.h>
#include "vlapic.h"
#include "vmx.h"
#include "x86.h"

/* Control register and RFLAGS bits (SDM vol. 3A, 2.3, 2.5). */
#define CR0_PE          BIT(0)
#define CR0_MP          BIT(1)
#define CR0_EM          BIT(2)
#define CR0_TS          BIT(3)
#define CR0_ET          BIT(4)
#define CR0_NE          BIT(5)
#define CR0_WP          BIT(16)
#define CR0_AM          BIT(18)
#define CR0_NW          BIT(29)
#define CR0_CD          BIT(30)
#define CR0_PG          BIT(31)
#define CR3_NOFLUSH     BIT(63)         /* with CR4.PCIDE */
#define CR4_VME         BIT(0)
#define CR4_PVI         BIT(1)
#define CR4_TSD         BIT(2)
#define CR4_DE          BIT(3)
#define CR4_PSE         BIT(4)
#define CR4_PAE         BIT(5)
#define CR4_MCE         BIT(6)
#define CR4_PGE         BIT(7)
#define CR4_PCE         BIT(8)
#define CR4_OSFXSR      BIT(9)
#define CR4_OSXMMEXCPT  BIT(10)
#define CR4_UMIP        BIT(11)
#define CR4_LA57        BIT(12)
#define CR4_VMXE        BIT(13)
#define CR4_SMXE        BIT(14)
#define CR4_FSGSBASE    BIT(16)
#define CR4_PCIDE       BIT(17)
#define CR4_OSXSAVE     BIT(18)
#define CR4_SMEP        BIT(20)
#define CR4_SMAP        BIT(21)
#define CR4_PKE         BIT(22)
#define CR4_CET         BIT(23)
#define RFLAGS_FIXED    BIT(1)
#define RFLAGS_TF       BIT(8)
#define RFLAGS_RF       BIT(16)
#define RFLAGS_VM       BIT(17)

/* XCR0 state components (vol. 1, 13.1). */
#define XFEATURE_X87            BIT(0)
#define XFEATURE_SSE            BIT(1)
#define XFEATURE_AVX            BIT(2)
#define XFEATURE_BNDREGS        BIT(3)
#define XFEATURE_BNDCSR         BIT(4)
#define XFEATURE_MPX            (XFEATURE_BNDREGS | XFEATURE_BNDCSR)
#define XFEATURE_AVX512         (BIT(5) | BIT(6) | BIT(7))  /* opmask, ZMM_Hi256, Hi16_ZMM */
#define XFEATURE_PKRU           BIT(9)
#define XFEATURE_XTILECFG       BIT(17)
#define XFEATURE_XTILEDATA      BIT(18)
#define XFEATURE_AMX            (XFEATURE_XTILECFG | XFEATURE_XTILEDATA)

#define HV_VPID                 1       /* the guest's VPID (each vCPU's, on its own CPU) */
#define HV_MAX_CPUS             16      /* CPUs the hypervisor runs vCPUs on */

/*
 * The machine's status at the end of a run, and whose it is. QEMU's
 * isa-debug-exit ends QEMU with (status << 1) | 1, so 0-127 reach a
 * script. The guest's own status (the byte it wrote to port 0xf4) passes
 * unchanged when it is 0-HV_GUEST_STATUS_MAX; a larger one becomes
 * HV_STATUS_GUEST_HIGH; the hypervisor's own are 120 and up, which no
 * guest status can become. None of the hypervisor's is 0: only a guest
 * that said 0 makes a run succeed. The final line says whose it is
 * (main.c: "exit: status=N (the guest's)", "(hypervisor: WHAT)").
 */
enum hv_status {
	HV_GUEST_STATUS_MAX = 99,       /* guest statuses 0-99 pass unchanged */
	HV_STATUS_GUEST_HIGH = 100,     /* the guest said 100-255 */
	HV_STATUS_GUEST_FAULT = 120,    /* guest stopped: EPT violation, watchdog, ... */
	HV_STATUS_ENTRY_FAILED = 121,   /* VMLAUNCH/VMRESUME failed */
	HV_STATUS_REFUSED = 122,        /* no VMX, EPT, unrestricted guest */
	HV_STATUS_BAD_BOOT = 123,       /* no guest module, bad image, ... */
	HV_STATUS_PANIC = 124,          /* a fault in the hypervisor itself */
};

/* Preemption-timer period, in timer ticks (TSC >> IA32_VMX_MISC[4:0]). */
#define HV_PREEMPTION_TICKS     0x4000000u

struct vmx_caps {
	uint64_t basic, misc, ept_vpid;
	uint64_t pin, proc, proc2, exit, entry;        /* capability MSRs */
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	uint32_t revision;
};

struct vmx_controls {
	uint32_t pin, proc, proc2, exit, entry;
};

/*
 * Guest general registers, saved and loaded by vmentry.asm (RSP and RIP
 * live in the VMCS; CR2 is not switched by VMX and the root mode never
 * faults, so it stays the guest's). Offsets reach the assembly through
 * hv_offsets.c.
 */
struct guest_regs {
	uint64_t rax, rcx, rdx, rbx, rbp, rsi, rdi;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
};

/* An entry of the MSR-load/store areas (25.7.2, table 25-15). */
struct msr_entry {
	uint32_t index, reserved;
	uint64_t value;
};

/* MSRs the guest has only in the vCPU (msr.c). */
struct vcpu_msrs {
	uint64_t mtrr_cap, mtrr_def;
	uint64_t mtrr_var[32];                  /* base/mask pairs, VCNT of them */
	uint64_t mtrr_fixed[11];
	unsigned mtrr_vcnt;
	uint64_t misc_enable, tsc_adjust, ucode_rev;
};

/*
 * A CPUID answer the guest had (cpuid.c's cache, read by vmentry.asm):
 * 32 bytes, so a slot's offset is its number shifted by 5.
 */
struct cpuid_cache_entry {
	uint32_t leaf, sub;
	uint32_t eax, ebx, ecx, edx;
	uint32_t unused[2];
};
#define CPUID_CACHE_SLOTS       32
/* The slot of a leaf: basic leaves 0-31 in their own, the hypervisor's
 * (0x4000000x) and the extended ones (0x8000000x) folded in by bits 31:27. */
static inline unsigned cpuid_cache_slot(uint32_t leaf)
{
	return (leaf ^ (leaf >> 27)) & (CPUID_CACHE_SLOTS - 1);
}

/*
 * stats.c. Each exit is charged to one slot, which its handler names in
 * v->stat_slot: the basic exit reason, or for a VMCALL its hypercall's
 * (numbers from 15 up share the last). The hot path is then an index,
 * two adds and no branch; the VMCALL reason's figures are the sum of its
 * hypercalls' slots.
 */
#define STAT_REASON_SLOTS       128     /* basic reasons, masked to 7 bits */
#define STAT_HC_SLOTS           16
#define STAT_HC_SLOT(nr)        (STAT_REASON_SLOTS + ((nr) < STAT_HC_SLOTS - 1 ? \
				 (unsigned)(nr) : STAT_HC_SLOTS - 1))
#define STAT_SLOTS              (STAT_REASON_SLOTS + STAT_HC_SLOTS)
/* Port I/O exits per port (stats.c), the hinted slot's compare inline. */
struct port_stat {
	uint32_t key;                   /* the port + 1; 0: a free slot */
	uint64_t count;
};
#define PORT_SLOTS 64
/* One vCPU's; stats_print() adds them up (and hv_stats_setup's). */
struct hv_stats {
	uint64_t count[STAT_SLOTS];
	uint64_t tsc[STAT_SLOTS];               /* TSC spent in root mode */
	uint64_t mmio_absent;                   /* accesses to absent MMIO */
	/* The ports' counts in first-seen order; one more slot no port
	 * matches, where the hint of a port that found no room points. */
	struct port_stat ports[PORT_SLOTS + 1];
	uint8_t port_hint[256];                 /* the slot each low byte last used */
	unsigned nports;
	uint64_t ports_other;
};
/* The machine's: hv entry to first VM entry, of which waiting on COM1. */
extern uint64_t hv_setup_tsc, hv_setup_console_tsc;
/* stats=time (options.c): also the root-mode TSC of every exit, by reason
 * (two TSC reads an exit; a CPUID is then always answered in C). Exits
 * are counted either way. An int: vmentry.asm reads it. */
extern int stats_time;

/*
 * A vCPU among the others (smp.c): what other CPUs hand it, and what they
 * read of it. Written by other CPUs where marked volatile.
 */
enum vcpu_run_state {
	VCPU_OFF,                       /* its CPU never came up */
	VCPU_WAIT_SIPI,                 /* up in root mode, the guest's CPU waits for a start-up IPI */
	VCPU_STARTING,                  /* a start-up IPI came: entering the guest */
	VCPU_RUNNING,                   /* in the guest, or in root mode on its exits */
	VCPU_PARKED,                    /* its run ended: halted for good */
};
struct vcpu_smp {
	uint32_t host_apic_id;          /* the machine's CPU it runs on: kicks go there */
	volatile int state;             /* enum vcpu_run_state */
	volatile int failed;            /* its CPU came but could not enter VMX operation */
	volatile int sipi_claimed;      /* a start-up IPI came (the first one counts) */
	uint32_t sipi_vector;           /* ...with this vector (STARTING) */
	volatile uint32_t posted[8];    /* fixed IPIs from other vCPUs, not yet in IRR */
	volatile int posted_any;
	volatile int kick;              /* a kick no wait has taken yet */
	volatile int halted;            /* entered in the HLT state: flushes wait for its entry */
	volatile uint64_t flush_req, flush_done;        /* remote TLB flushes asked, done */
	uint64_t up_tsc;                /* its CPU ready in root mode */
	/* At the end of its run: where the guest's CPU was (smp_report). */
	uint64_t end_rip, end_rflags;
	uint32_t end_activity;
};

/* apic.c's counts, per vCPU. */
struct apic_stats {
	uint64_t injected, timer, mmio, msr, hc_eoi, hc_timer, pv_eoi, host_interrupts, kicks;
};

/* What an exit handler sees: the exit's facts, read once. */
struct vcpu {
	struct guest_regs regs;         /* first: vmexit_handler finds the vcpu */
	/*
	 * The TSC at which an exit must look at this vCPU's events: the
	 * watchdog's deadline, its timer, or 0 when something changed what
	 * its APIC has to deliver (vcpu_request_events; another CPU's IPI
	 * too). The hot path pays one compare for all of them.
	 */
	uint64_t event_tsc;
	struct hv_stats stats;          /* its exits (stats.c) */
	unsigned index;                 /* vCPU n runs on the machine's CPU n (smp.c) */
	struct vcpu_smp smp;
	struct {                        /* its CPU's own, from main.c's pool */
		uint64_t vmxon, vmcs, msr_bitmap, msr_areas, stack_top;
	} pages;
	uint32_t exit_reason;           /* basic reason, bits 15:0 */
	uint32_t stat_slot;             /* what stats.c charges it to */
	uint64_t exit_tsc;              /* with stats=time: when C took it */
	uint64_t qual;                  /* exit qualification */
	uint64_t rip;
	uint64_t rflags;                /* read once per exit */
	uint32_t insn_len;
	uint32_t idt_vectoring;         /* an event the exit interrupted */
	int launched;
	int all_regs;                   /* regs holds RBP, R12-R15 too (vmentry.asm) */
	/* The end of the run: first reason kept (guest_kill). */
	int stopped;
	int guest_status;               /* status is the guest's own (0-255) */
	unsigned status;
	char stop_reason[160];
	/* CR0/CR4 the guest believes it has (the read shadows). */
	uint64_t cr0_shadow, cr4_shadow;
	uint64_t cr0_mask, cr4_mask;
	uint64_t cr4_valid;             /* CR4 bits the guest's CPU has */
	unsigned maxphyaddr;
	/* XCR0: the guest's while it runs, the hypervisor's in root mode. */
	uint64_t xcr0, host_xcr0, xcr0_allowed;
	int xcr0_differs;               /* xcr0 != host_xcr0: switch at exits */
	/* xcr0_differs or stats=time: the hot exits (vmentry.asm's CPUID,
	 * vmexit_hypercall, vmexit_io) go vmexit_run's whole way. */
	int exit_slow;
	/* MSRs: the guest's half of the MSR areas, and the virtual ones. */
	struct msr_entry *msr_guest_area;
	unsigned msr_area_count;
	int has_tsc_adjust;
	struct vcpu_msrs vmsr;
	/* The guest's shared page (hypercall shared_page), once it has one. */
	int shared_page;
	uint64_t shared_page_gpa;
	/* The guest's local APIC (apic.c); PV EOI flag set by us, not yet seen
	 * cleared or taken back. */
	struct vlapic apic;
	int pv_eoi_armed;
	struct apic_stats apic_stats;
	struct cpuid_cache_entry cpuid_cache[CPUID_CACHE_SLOTS];
	uint32_t proc_ctl;              /* primary processor-based controls now */
	const struct vmx_caps *caps;
	const struct vmx_controls *ctl;
};

/* Guest-physical memory, contiguous in host memory (ept.c maps it). */
struct guest_mem {
	uint8_t *base;                  /* host address of guest-physical 0 */
	uint64_t size;                  /* bytes of guest RAM */
	uint64_t host_pa;               /* host-physical address of gpa 0 */
};

/* vmx.c */
int vmx_ctl_adjust(uint64_t cap_msr, uint32_t want, uint32_t need,
		   uint32_t *out, uint32_t *missing);
int vmx_probe(struct vmx_caps *c);
int vmx_controls(const struct vmx_caps *c, struct vmx_controls *ctl);
int vmx_enable(const struct vmx_caps *c, uint64_t vmxon_pa);

/* vmcs.c. A VMWRITE the hypervisor gets wrong is its own bug: every one
 * is checked, and a failure ends the machine naming the field. */
void vmcs_write_failed(enum vmcs_field f, uint64_t v) __attribute__((noreturn, cold));
#ifdef HV_HOST_TEST
static inline void vmcs_write(enum vmcs_field f, uint64_t v)
{
	if (__builtin_expect(vmwrite(f, v), 0))
		vmcs_write_failed(f, v);
}
#else
/* The check is the branch on VMWRITE's own flags (CF or ZF: VMfail,
 * 31.2): one instruction more than the write, on every exit path. */
static inline void vmcs_write(enum vmcs_field f, uint64_t v)
{
	asm goto("vmwrite %1, %0\n\tjbe %l[failed]"
		 :: "r"((uint64_t)f), "rm"(v) : "cc" : failed);
	return;
failed:
	vmcs_write_failed(f, v);
}
#endif
void vmcs_setup(struct vcpu *v, uint64_t eptp, uint64_t io_bitmaps_pa,
		uint64_t msr_bitmap_pa, uint32_t entry, uint32_t info_gpa);
void vmcs_start_real(struct vcpu *v, unsigned vector);
void vmcs_dump_guest(void);
void vmcs_report_entry_failure(struct vcpu *v, int launch_failed);
const char *vmx_instruction_error_name(uint32_t e);

/*
 * vmentry.asm: run the guest until an exit handler says stop (returns 0),
 * or VMLAUNCH (1) or VMRESUME (2) fails.
 */
int vmx_run(struct guest_regs *regs);
/*
 * vmexit.c, called by vmentry.asm after every exit. vmexit_handler runs
 * with the guest's RAX-RDX, RSI, RDI, R8-R11 in regs and its RBP, R12-R15
 * still in the CPU; it answers VMEXIT_ALL_REGS, having changed nothing,
 * for an exit whose handler may name any register, and the stub stores
 * the rest and calls vmexit_handler_all_regs.
 */
enum { VMEXIT_RESUME, VMEXIT_STOP, VMEXIT_ALL_REGS };
int vmexit_handler(struct guest_regs *regs, uint32_t reason);
int vmexit_hypercall(struct guest_regs *regs);  /* VMCALL's, on its own */
int vmexit_io(struct guest_regs *regs);         /* and port I/O's */
int vmexit_handler_all_regs(struct guest_regs *regs);

/* halt_view.c: 1 when nothing can wake the halting guest (it is stopped). */
int vcpu_halt_stuck(struct vcpu *v);

/* vmexit.c */
void vcpu_unhandled_exit(struct vcpu *v);

/* vcpu.c */
void vcpu_complete_insn_slow(struct vcpu *v, uint64_t intr) __attribute__((cold));
/*
 * The guest's instruction is done (the hypervisor did its work): go on at
 * next_rip as the CPU would after it. vcpu_skip_insn() is this with the
 * exit's instruction length (28.2.5); mmio.c gives its own. Inline: every
 * instruction exit ends here; an STI/MOV SS shadow or a single step takes
 * the rest (vcpu.c).
 */
static inline void vcpu_complete_insn(struct vcpu *v, uint64_t next_rip)
{
	uint64_t intr = vmread(GUEST_INTERRUPTIBILITY);

	vmcs_write(GUEST_RIP, next_rip);
	if (__builtin_expect((intr & 3) || (v->rflags & RFLAGS_TF), 0))
		vcpu_complete_insn_slow(v, intr);
}
int vcpu_vector_is_fault(unsigned vector);
void vcpu_inject_fault(struct vcpu *v, unsigned vector, int error_code);
void vcpu_inject_gp(struct vcpu *v);
void vcpu_inject_ud(struct vcpu *v);
void vcpu_reinject_vectoring(struct vcpu *v);
/*
 * Pure: the CPL (vol. 3A, 5.5): 0 in real mode, 3 in virtual-8086 mode,
 * else the RPL of CS, which is always the CPL (a far transfer to
 * conforming code too sets it to the CPL). SS.DPL is not used: 64-bit
 * code at rings 1 and 2 may run with a null SS, whose DPL says nothing.
 * Inline: the hypercall path asks it before its handler.
 */
static inline unsigned vcpu_cpl_rule(uint64_t cr0, uint64_t rflags, uint16_t cs_sel)
{
	if (!(cr0 & CR0_PE))
		return 0;
	if (rflags & RFLAGS_VM)
		return 3;
	return cs_sel & 3;
}
/*
 * The guest's CPL by vcpu_cpl_rule(), reading CR0 only when it must:
 * outside virtual-8086 mode a CS.RPL of 0 means CPL 0 in any mode (in real
 * mode the CPL is 0 anyway), every hypercall's case. rflags: this exit's.
 */
static inline unsigned guest_cpl(uint64_t rflags)
{
	uint16_t cs = (uint16_t)vmread(GUEST_CS_SELECTOR);

	if (!(cs & 3) && !(rflags & RFLAGS_VM))
		return 0;
	return vcpu_cpl_rule(vmread(GUEST_CR0), rflags, cs);
}
uint64_t *vcpu_gpr(struct vcpu *v, unsigned n);
uint64_t vcpu_gpr_read(struct vcpu *v, unsigned n);
void vcpu_gpr_write(struct vcpu *v, unsigned n, uint64_t val);
void vcpu_halt(struct vcpu *v);
void guest_kill(struct vcpu *v, unsigned status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void guest_exit_request(struct vcpu *v, unsigned status, const char *how);

/* cpuid.c */
struct cpuid_guest {                    /* what the answers mirror */
	uint64_t cr4;
	int apic_enabled;               /* IA32_APIC_BASE's global enable */
};
void cpuid_policy(uint32_t leaf, uint32_t sub, const struct cpuid_guest *g, uint32_t r[4]);
void cpuid_guest_view(struct vcpu *v, uint32_t leaf, uint32_t sub, uint32_t r[4]);
void cpuid_cache_flush(struct cpuid_cache_entry cache[CPUID_CACHE_SLOTS]);
const struct cpuid_cache_entry *cpuid_cache_find(const struct cpuid_cache_entry
						 cache[CPUID_CACHE_SLOTS],
						 uint32_t leaf, uint32_t sub);
void cpuid_cache_put(struct cpuid_cache_entry cache[CPUID_CACHE_SLOTS], uint32_t leaf,
		     uint32_t sub, const uint32_t r[4]);
void cpuid_guest_state_changed(struct vcpu *v);
void cpuid_exit(struct vcpu *v);
extern uint32_t hv_abi_version;         /* what CPUID 0x40000001 says */

/* cr.c: the guest's state a CR write is judged against. */
struct cr_state {
	uint64_t cr0, cr3, cr4, efer;
	int cs_l;                       /* CS.L: 64-bit code (in IA-32e mode) */
	uint64_t cr4_valid;
	unsigned maxphyaddr;
};
uint64_t cr0_canonical(uint64_t val);
unsigned cr0_write_fault(const struct cr_state *s, uint64_t val);
unsigned cr4_write_fault(const struct cr_state *s, uint64_t val);
unsigned cr3_write_fault(const struct cr_state *s, uint64_t val);
int cr_pae_legacy(uint64_t cr0, uint64_t cr4, uint64_t efer);
int pdpte_valid(uint64_t e, unsigned maxphyaddr);
uint64_t xcr0_allowed(uint64_t cpu_xcr0);
unsigned xsetbv_fault(uint32_t index, uint64_t val, uint64_t allowed, unsigned cpl,
		      int osxsave);
void cr_access_exit(struct vcpu *v);
void xsetbv_exit(struct vcpu *v);

/* An instruction exit's instruction is done: past it (vcpu.c). */
static inline void vcpu_skip_insn(struct vcpu *v)
{
	vcpu_complete_insn(v, v->rip + v->insn_len);
}

/* Around every exit: root mode runs with its own XCR0 only (free while
 * the guest's is the same). */
static inline void vcpu_xcr0_to_host(const struct vcpu *v)
{
	if (v->xcr0_differs)
		xsetbv(0, v->host_xcr0);
}

void vcpu_exit_slow_update(struct vcpu *v);    /* vcpu.c */

static inline void vcpu_xcr0_to_guest(const struct vcpu *v)
{
	if (v->xcr0_differs)
		xsetbv(0, v->xcr0);
}

/* hypercall.c (hypercall.h: the dispatch, inline on the hot path) */
void hypercall_shared_cpuid_refresh(struct vcpu *v);

/*
 * mmio.c: what answers at a guest-physical address the EPT leaves
 * unmapped. read/write: size bytes at gpa; 0 when done, nonzero when they
 * injected a fault or stopped the guest (the instruction is not
 * completed). [HV_MMIO_WINDOW, 4 GiB) is absent MMIO, but for the guest's
 * xAPIC page (apic.c) while it is in xAPIC mode.
 */
#define HV_MMIO_WINDOW 0xc0000000ul
struct mmio_device {
	const char *name;               /* in stop reasons: "absent MMIO at gpa ..." */
	int (*read)(struct vcpu *v, uint64_t gpa, unsigned size, uint64_t *val);
	int (*write)(struct vcpu *v, uint64_t gpa, unsigned size, uint64_t val);
};
extern const struct mmio_device mmio_absent;
int mmio_absent_gpa(uint64_t gpa);
/* An EPT violation at dev's address, not a fetch: the instruction is
 * decoded and completed against dev, or gets the fault the CPU would
 * raise, or the guest is stopped saying why. */
void mmio_access(struct vcpu *v, uint64_t gpa, const struct mmio_device *dev);

/* apic.c */
extern const struct mmio_device apic_mmio;
void apic_host_init(void);
void apic_host_init_ap(void);
int apic_host_send(uint32_t apic_id, uint32_t icr_lo);
void apic_host_kick(uint32_t apic_id);
void apic_host_timer_arm(uint64_t tsc_ticks);
void apic_host_timer_stop(void);
void apic_host_eoi(void);
uint32_t apic_host_id(void);
void apic_init(struct vcpu *v);
int apic_mmio_gpa(const struct vcpu *v, uint64_t gpa);
int apic_msr(struct vcpu *v, uint32_t msr, int write, uint64_t *val);
void apic_cr8_write(struct vcpu *v, uint64_t val);
uint64_t apic_cr8_read(struct vcpu *v);
int64_t apic_hc_eoi(struct vcpu *v);
void apic_pv_eoi_flush(struct vcpu *v);
int64_t apic_hc_timer_arm(struct vcpu *v);
uint64_t apic_deliver(struct vcpu *v, uint64_t now);
void apic_stats_print(struct vcpu *const vcpus[], unsigned n);

/* The vCPU's next exit looks at its events (struct vcpu, event_tsc). */
static inline void vcpu_request_events(struct vcpu *v)
{
	__atomic_store_n(&v->event_tsc, 0, __ATOMIC_RELAXED);
}
void vcpu_events(struct vcpu *v, uint64_t now);
uint64_t *vcpu_gpr(struct vcpu *v, unsigned n);

/* io.c */
void io_init(uint8_t *bitmap_a, uint8_t *bitmap_b);
void io_exit(struct vcpu *v);

/* msr.c: one line of the MSR policy. */
enum msr_how { MSR_DENY, MSR_PASS, MSR_EMULATE };
struct msr_rule {
	uint32_t first, last;
	uint8_t read, write;            /* enum msr_how */
	int (*emulate)(struct vcpu *v, uint32_t msr, int write, uint64_t *val);
	const char *why;
};
const struct msr_rule *msr_rule_for(uint32_t msr);
const struct msr_rule *msr_rules_table(unsigned *n);
int mtrr_type_valid(uint64_t t);
int mtrr_write_valid(uint32_t msr, uint64_t val, unsigned maxphyaddr);
void msr_init(struct vcpu *v, uint8_t *bitmap, uint64_t area_pa);
void msr_read_exit(struct vcpu *v);
void msr_write_exit(struct vcpu *v);
uint64_t msr_guest_value(const struct vcpu *v, uint32_t msr);

/* watchdog.c */
struct hv_options;
/* The watchdog's deadline (host TSC), UINT64_MAX without one. */
extern uint64_t watchdog_deadline_tsc;
/* The VMX-preemption timer to exit by the host TSC deadline; 0 when there
 * is no such timer (the caller waits itself). */
int preemption_timer_set(uint64_t deadline, uint64_t now);
int watchdog_init(const struct hv_options *o, const struct vmx_caps *c,
		  const struct vmx_controls *ctl, char *err, size_t errlen);
void watchdog_arm(void);
uint64_t watchdog_tsc_hz(void);
void watchdog_expired(struct vcpu *v);
void watchdog_timer_exit(struct vcpu *v);

/* Count the exit just handled and its root-mode TSC (inline: every exit
 * pays for it); returns the TSC it read. */
static inline uint64_t stats_count_exit(struct vcpu *v)
{
	uint64_t now = rdtsc();

	v->stats.count[v->stat_slot]++;
	if (__builtin_expect(stats_time, 0))
		v->stats.tsc[v->stat_slot] += now - v->exit_tsc;
	return now;
}
/* With stats=time, where an exit's root-mode time starts. */
static inline void stats_exit_begins(struct vcpu *v)
{
	if (__builtin_expect(stats_time, 0))
		v->exit_tsc = rdtsc();
}
/* Root-mode TSC spent after the count, on the same exit (its events). */
static inline void stats_add_root_tsc(struct vcpu *v, uint64_t spent)
{
	if (stats_time)
		v->stats.tsc[v->stat_slot] += spent;
}
uint64_t stats_reason_count(uint32_t reason);
uint64_t stats_hypercall_count(uint64_t nr);
void stats_count_port_slow(struct hv_stats *s, uint16_t port) __attribute__((cold));
static inline void stats_count_port(struct hv_stats *s, uint16_t port)
{
	struct port_stat *p = &s->ports[s->port_hint[port & 0xff]];

	if (__builtin_expect(p->key == port + 1u, 1))
		p->count++;
	else
		stats_count_port_slow(s, port);
}
uint64_t stats_port_count(uint16_t port);
void stats_print(void);
uint64_t stats_exits_total(void);
const char *exit_reason_name(uint32_t reason);

/*
 * smp.c: a vCPU on every CPU. hv_vcpus[0..hv_nr_vcpus) are the guest's
 * CPUs, vCPU n on the machine's CPU n (0: the boot CPU), pinned.
 */
extern struct vcpu *hv_vcpus[HV_MAX_CPUS];
extern unsigned hv_nr_vcpus;
#define HV_KICK_VECTOR          0xf2    /* the hypervisor's IPI between its CPUs */
struct hv_options;
void smp_discover(const struct hv_options *o);
int smp_others_run(const struct vcpu *v);
void smp_start_aps(void);
void smp_events(struct vcpu *v);
void smp_halted_changed(struct vcpu *v, int halted);
extern volatile int smp_stopping;
/* At the start of an exit's events: has another CPU handed this vCPU
 * anything? Plain loads: on most exits nothing. */
static inline int smp_events_pending(const struct vcpu *v)
{
	return smp_stopping | v->smp.posted_any | (v->smp.flush_req != v->smp.flush_done);
}
/* At their end: halted or not, as the entry will be; a change is told to
 * the CPUs that flush this vCPU's TLB (Dekker's, with smp.c). */
static inline void smp_events_done(struct vcpu *v)
{
	int halted = vmread(GUEST_ACTIVITY_STATE) == ACTIVITY_HLT;

	if (__builtin_expect(halted != v->smp.halted, 0))
		smp_halted_changed(v, halted);
}
void smp_carry_ipi(struct vcpu *v);
void smp_stop_all(struct vcpu *v);
struct vcpu *smp_first_stop(void);
void smp_vcpu_ended(struct vcpu *v);
void smp_vcpu_peers(struct vcpu *v);
void smp_running(struct vcpu *v);
void smp_report(void);
void smp_report_states(int at_panic);
unsigned smp_this_cpu(void);
extern int smp_break_ap_panic;          /* break=ap-panic (options.h) */
/* The SMP hypercalls (abi.def 11-14). */
int64_t smp_hc_send_ipi_mask(struct vcpu *v);
int64_t smp_hc_flush_tlb_others(struct vcpu *v);
int64_t smp_hc_wait(struct vcpu *v);
int64_t smp_hc_kick(struct vcpu *v);

/* audit.c: root mode's guest-reachable registers, at boot and at the end. */
void audit_snapshot(void);
int audit_check(void);

/* cpu.c */
void cpu_init(unsigned index);
uint64_t cpu_xsave_init(uint64_t *allowed);
uint64_t hv_tss_base(void);

/* main.c: a vCPU's VMX on the CPU that calls it (VMXON, its VMCS); 0 or
 * -1 with the reason printed. */
int hv_vcpu_setup(struct vcpu *v);
void hv_vcpu_run(struct vcpu *v);
int hv_ram_free(uint64_t pa, uint64_t len);
#define AP_STACK_PAGES          4

/* main.c: end the run with a status of the hypervisor's or of the guest's. */
void hv_exit(unsigned status) __attribute__((noreturn));
void hv_exit_guest(unsigned guest_status) __attribute__((noreturn));

/* console.c: the hypervisor's lines on COM1 and COM2, the guest's on COM1. */
void console_init(void);
void console_putc_raw(char c);
void console_guest_write(const char *buf, size_t len);
void console_flush(void);

/*
 * The three tiers of failure: ASSERT() for the hypervisor's own
 * invariants, panic() when one breaks (it names the caller and ends the
 * machine with HV_STATUS_PANIC), guest_kill() for anything the guest did
 * (vmexit.c): that never takes the hypervisor down.
 */
void panic_at(void *caller, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));
#define panic(...) panic_at(__builtin_return_address(0), __VA_ARGS__)
#define ASSERT(cond) \
	do { if (!(cond)) panic("assertion failed: %s (%s:%d)", #cond, __FILE__, __LINE__); } while (0)

extern struct guest_mem guest_mem;
extern uint64_t hv_tsc_at_entry;

#endif
