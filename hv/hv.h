/*
 * hv.h - the hypervisor's one virtual CPU and the pieces that run it.
 *
 *   main.c       boot: Multiboot info, options, memory, VMX, guest, run
 *   vmx.c        capabilities, controls, VMXON
 *   vmcs.c       VMCS host, guest and control state; entry-failure report
 *   ept.c        the EPT builder (guest-physical -> host-physical)
 *   guest_load.c the guest's Multiboot loader and its info block
 *   options.c    the command line (options.h)
 *   vmexit.c     the VM-exit dispatch table and its handlers
 *   hypercall.c  the hypercall dispatch table (shared/abi/abi.def)
 *   io.c         port I/O: COM1, port 0x80, the exit ports, absent ports
 *   mmio.c       absent MMIO (mmio_decode.c: the moves it understands)
 *   msr.c        the MSR bitmap and RDMSR/WRMSR
 *   stats.c      exit accounting
 *   halt.c       can anything end a HLT? (halt_view.c reads the machine)
 *   watchdog.c   the run's time limit (watchdog=), the first exit's bookkeeping
 *   vmentry.asm  VMLAUNCH, the VM-exit entry point, VMRESUME
 *
 * Environment: hypervisor, root mode, one CPU, interrupts off throughout.
 */
/* SPDX-License-Identifier: MIT */
#ifndef HV_HV_H
#define HV_HV_H

#include <stddef.h>
#include <stdint.h>
#include "vmx.h"

#define CR0_PE          BIT(0)
#define CR0_ET          BIT(4)
#define CR0_NE          BIT(5)
#define CR0_PG          BIT(31)
#define CR4_PAE         BIT(5)
#define CR4_VMXE        BIT(13)
#define RFLAGS_FIXED    BIT(1)

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
	uint64_t tsc_exit;              /* TSC when the exit reached us */
	uint64_t tsc_entry;             /* TSC just before VMLAUNCH/VMRESUME */
};

/* What an exit handler sees: the exit's facts, read once. */
struct vcpu {
	struct guest_regs regs;         /* first: vmexit_handler finds the vcpu */
	uint32_t exit_reason;           /* basic reason, bits 15:0 */
	uint64_t qual;                  /* exit qualification */
	uint64_t hypercall_nr;          /* of a VMCALL exit */
	uint64_t rip;
	uint32_t insn_len;
	int launched;
	/* The end of the run: first reason kept (guest_kill). */
	int stopped;
	int guest_status;               /* status is the guest's own (0-255) */
	unsigned status;
	char stop_reason[160];
	/* CR0/CR4 the guest believes it has (the read shadows). */
	uint64_t cr0_shadow, cr4_shadow;
	uint64_t cr0_mask, cr4_mask;
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

/* vmcs.c */
void vmcs_setup(struct vcpu *v, uint64_t eptp, uint64_t io_bitmaps_pa,
		uint64_t msr_bitmap_pa, uint32_t entry, uint32_t info_gpa);
void vmcs_dump_guest(void);
void vmcs_report_entry_failure(struct vcpu *v, int launch_failed);
const char *vmx_instruction_error_name(uint32_t e);

/*
 * vmentry.asm: run the guest until vmexit_handler() says stop (returns 0),
 * or VMLAUNCH (1) or VMRESUME (2) fails.
 */
int vmx_run(struct guest_regs *regs);
/* vmexit.c, called by vmentry.asm after every exit: nonzero ends the run. */
int vmexit_handler(struct guest_regs *regs);

/* halt_view.c: 1 when nothing can wake the halting guest (it is stopped). */
int vcpu_halt_stuck(struct vcpu *v);

/* vmexit.c */
void vmexit_dispatch(struct vcpu *v);
void vcpu_halt(struct vcpu *v);
unsigned guest_cpl(void);
void cpuid_guest_view(uint32_t leaf, uint32_t sub, uint32_t r[4]);
extern uint32_t hv_abi_version;         /* what CPUID 0x40000001 says */

/* hypercall.c */
void hypercall_dispatch(struct vcpu *v);
void vcpu_skip_insn(struct vcpu *v);
void vcpu_inject_gp(struct vcpu *v);
void guest_kill(struct vcpu *v, unsigned status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void guest_exit_request(struct vcpu *v, unsigned status, const char *how);

/* mmio.c: [HV_MMIO_WINDOW, 4 GiB) less the local APIC is absent MMIO. */
#define HV_MMIO_WINDOW 0xc0000000ul
int mmio_absent_gpa(uint64_t gpa);
int mmio_absent_access(struct vcpu *v);
uint64_t *vcpu_gpr(struct vcpu *v, unsigned n);

/* io.c, msr.c */
void io_init(uint8_t *bitmap_a, uint8_t *bitmap_b);
void io_exit(struct vcpu *v);
void msr_init(uint8_t *bitmap);
void msr_read(struct vcpu *v);
void msr_write(struct vcpu *v);

/* watchdog.c */
struct hv_options;
/* vmexit_handler sends an exit to vcpu_exit_slow when its TSC is past this. */
extern uint64_t vcpu_slow_exit_tsc;
int watchdog_init(const struct hv_options *o, const struct vmx_caps *c,
		  const struct vmx_controls *ctl, char *err, size_t errlen);
void watchdog_arm(void);
void vcpu_exit_slow(struct vcpu *v);
void watchdog_timer_exit(struct vcpu *v);

/* stats.c */
struct hv_stats {
	uint64_t exits;
	uint64_t by_reason[EXIT_REASON_MAX];
	uint64_t root_tsc[EXIT_REASON_MAX];     /* TSC spent in root mode */
	uint64_t setup_tsc;                     /* hv entry to first VMLAUNCH */
	uint64_t setup_console_tsc;             /* of which waiting on COM1 */
	uint64_t hypercalls[16];                /* by number; the last: others */
	uint64_t hypercall_tsc[16];             /* their root-mode TSC */
	uint64_t mmio_absent;                   /* accesses to absent MMIO */
};
extern struct hv_stats hv_stats;
void stats_count_exit(struct vcpu *v);
void stats_count_port(uint16_t port);
uint64_t stats_port_count(uint16_t port);
void stats_print(void);
const char *exit_reason_name(uint32_t reason);

/* cpu.c */
void cpu_init(void);
uint64_t hv_tss_base(void);

/* main.c: end the run with a status of the hypervisor's or of the guest's. */
void hv_exit(unsigned status) __attribute__((noreturn));
void hv_exit_guest(unsigned guest_status) __attribute__((noreturn));

/* console.c: the hypervisor's lines on COM1 and COM2, the guest's on COM1. */
void console_init(void);
void console_putc_raw(char c);
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
