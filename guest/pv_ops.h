/*
 * pv_ops.h - the paravirt op template, its op list and the call-site record.
 *
 * Three kinds of pv op, as in Linux paravirt_ops:
 *  1. simple indirect calls through the template (init, platform):
 *     cold ops, called as plain C function pointers;
 *  2. hot ops reached through patchable call sites (PV_OP_LIST): every site
 *     is recorded {addr, len, op, clobbers} in section .pv_sites and at boot
 *     pv_patch rewrites it to the chosen backend's bytes;
 *  3. the same sites written in NASM (PV_SITE in pv_site.inc) for the
 *     interrupt entry and exit paths.
 *
 * Register contract of a kind-2 site: arguments in RDI, RSI (so a patched
 * site needs no shuffling; cpuid alone takes EAX, ECX and answers in EAX,
 * EBX, ECX, EDX, as the instruction does), result in RAX, and only the registers in the
 * op's site clobber mask may change. The template functions reached by an
 * unpatched site therefore preserve every other register (callee-save
 * thunks, like Linux's PV_CALLEE_SAVE), except the ops of PV_OP_CALL_LIST
 * (console_write, send_ipi_mask, flush_tlb_others), whose native forms are
 * C functions: they follow the C ABI, and their sites say so.
 *
 * Environment: guest kernel, any context. Also compiled into host tests.
 */
/* SPDX-License-Identifier: MIT */
#ifndef GUEST_PV_OPS_H
#define GUEST_PV_OPS_H

#include <stddef.h>
#include <stdint.h>

/* Register numbers as in the ModRM encoding (Intel SDM vol. 2A, 2.1.5). */
#define PV_REG_RAX  (1u << 0)
#define PV_REG_RCX  (1u << 1)
#define PV_REG_RDX  (1u << 2)
#define PV_REG_RBX  (1u << 3)
#define PV_REG_RSI  (1u << 6)
#define PV_REG_RDI  (1u << 7)
#define PV_REG_R8   (1u << 8)
#define PV_REG_R9   (1u << 9)
#define PV_REG_R10  (1u << 10)
#define PV_REG_R11  (1u << 11)
#define PV_CLOB_NONE  0u
#define PV_CLOB_RAX   PV_REG_RAX
#define PV_CLOB_RAX_RDX (PV_REG_RAX | PV_REG_RDX)
#define PV_CLOB_CPUID (PV_REG_RAX | PV_REG_RBX | PV_REG_RCX | PV_REG_RDX)
/* Caller-saved registers of the SysV AMD64 C ABI. */
#define PV_CLOB_C_ABI (PV_REG_RAX | PV_REG_RCX | PV_REG_RDX | PV_REG_RSI | \
		       PV_REG_RDI | PV_REG_R8 | PV_REG_R9 | PV_REG_R10 | PV_REG_R11)

/* Length of the unpatched site's `call *pv_ops+off(%rip)` (FF /2, RIP-rel). */
#define PV_CALL_INDIRECT_LEN 6
/* Length of a `call rel32` (E8 cd). */
#define PV_CALL_DIRECT_LEN 5

/*
 * The native instruction sequence of each inline op, in Intel syntax (no
 * '%', so the same text serves basic and extended asm): it is
 * the body of native_<op> (pv_native.c), the native backend's patch template,
 * and what a PV_DIRECT build writes at the site. One text, three uses.
 *
 * The local APIC is reached through its alias at the top of the address
 * space (mm.c maps virtual 0xFFFFFFFFFEE00000 to the APIC's physical base)
 * so that a sign-extended disp32 reaches it and EOI is one instruction.
 */
#define PV_NATIVE_save_fl       "pushfq; pop rax"
#define PV_NATIVE_restore_fl    "push rdi; popfq"
#define PV_NATIVE_irq_disable   "cli"
#define PV_NATIVE_irq_enable    "sti"
#define PV_NATIVE_safe_halt     "sti; hlt"
#define PV_NATIVE_halt          "hlt"
#define PV_NATIVE_read_cr2      "mov rax, cr2"
#define PV_NATIVE_read_cr3      "mov rax, cr3"
#define PV_NATIVE_write_cr3     "mov cr3, rdi"
#define PV_NATIVE_flush_tlb_one "invlpg [rdi]"
#define PV_NATIVE_flush_tlb_all "mov rax, cr3; mov cr3, rax"
#define PV_NATIVE_io_delay      "out 0x80, al"
#define PV_NATIVE_apic_eoi      "mov dword ptr [0xfffffffffee000b0], 0"
#define PV_NATIVE_timer_arm     "mov dword ptr [0xfffffffffee00380], edi"
#define PV_NATIVE_clock_read    "rdtsc; shl rdx, 32; or rax, rdx"
#define PV_NATIVE_cpuid         "cpuid"
/* A contended lock's waiter: natively it spins, so wait is one PAUSE and
 * kick is nothing at all (the spinner sees the lock free by itself). */
#define PV_NATIVE_wait          "pause"
#define PV_NATIVE_kick          ""

/*
 * Hot ops, one line each:
 *   X(group, name, site length, site clobbers, native template clobbers)
 * Site length is the room every site of the op reserves: the indirect call
 * (6 bytes), or the longest template any backend writes there (a hypercall
 * sequence `mov $NR, %eax; vmcall` is 8 bytes), whichever is more. Ops whose
 * site may become a hypercall let RAX be clobbered.
 */
#define PV_OP_INLINE_LIST(X) \
	X(irq,     save_fl,        6, PV_CLOB_RAX,     PV_CLOB_RAX)     \
	X(irq,     restore_fl,     6, PV_CLOB_NONE,    PV_CLOB_NONE)    \
	X(irq,     irq_disable,    6, PV_CLOB_NONE,    PV_CLOB_NONE)    \
	X(irq,     irq_enable,     6, PV_CLOB_NONE,    PV_CLOB_NONE)    \
	X(irq,     safe_halt,      8, PV_CLOB_RAX,     PV_CLOB_NONE)    \
	X(irq,     halt,           8, PV_CLOB_RAX,     PV_CLOB_NONE)    \
	X(mmu,     read_cr2,       6, PV_CLOB_RAX,     PV_CLOB_RAX)     \
	X(mmu,     read_cr3,       6, PV_CLOB_RAX,     PV_CLOB_RAX)     \
	X(mmu,     write_cr3,      8, PV_CLOB_RAX,     PV_CLOB_NONE)    \
	X(mmu,     flush_tlb_one,  8, PV_CLOB_RAX,     PV_CLOB_NONE)    \
	X(mmu,     flush_tlb_all,  8, PV_CLOB_RAX,     PV_CLOB_RAX)     \
	X(cpu,     io_delay,       8, PV_CLOB_RAX,     PV_CLOB_NONE)    \
	X(apic,    apic_eoi,      11, PV_CLOB_RAX,     PV_CLOB_NONE)    \
	X(apic,    timer_arm,      8, PV_CLOB_RAX,     PV_CLOB_NONE)    \
	X(time,    clock_read,     9, PV_CLOB_RAX_RDX, PV_CLOB_RAX_RDX) \
	X(cpu,     cpuid,          6, PV_CLOB_CPUID,   PV_CLOB_CPUID)   \
	X(lock,    wait,           8, PV_CLOB_RAX,     PV_CLOB_NONE)    \
	X(lock,    kick,           8, PV_CLOB_RAX,     PV_CLOB_NONE)

/*
 * Hot ops whose native form is a C function: patched to a direct call.
 * send_ipi_mask and flush_tlb_others take a mask of APIC IDs (bit n: the
 * CPU whose APIC ID is n, 0-63), as their hypercalls do.
 */
#define PV_OP_CALL_LIST(X) \
	X(console, console_write,  8, PV_CLOB_C_ABI,   PV_CLOB_C_ABI)   \
	X(apic,    send_ipi_mask,  8, PV_CLOB_C_ABI,   PV_CLOB_C_ABI)   \
	X(mmu,     flush_tlb_others, 8, PV_CLOB_C_ABI, PV_CLOB_C_ABI)

#define PV_OP_LIST(X) PV_OP_INLINE_LIST(X) PV_OP_CALL_LIST(X)

enum pv_op {
#define PV_ENUM(group, name, len, clob, nclob) PV_OP_##name,
	PV_OP_LIST(PV_ENUM)
#undef PV_ENUM
	PV_NR_OPS
};

/* An entry point that keeps its op's register contract (see above). */
typedef const void *pv_thunk_t;

/* The template: one slot per op, grouped as the hardware units are. */
struct pv_ops {
	struct pv_init_ops {            /* kind 1: simple indirect calls */
		void (*console_init)(void);
		const char *backend;    /* "native", "hv" */
	} init;
	struct pv_platform_ops {        /* kind 1 */
		void (*exit)(unsigned status) __attribute__((noreturn));
	} platform;
	struct pv_irq_ops {
		pv_thunk_t save_fl, restore_fl, irq_disable, irq_enable;
		pv_thunk_t safe_halt, halt;
	} irq;
	struct pv_mmu_ops {
		pv_thunk_t read_cr2, read_cr3, write_cr3;
		pv_thunk_t flush_tlb_one, flush_tlb_all;
		/* every TLB entry on the other CPUs in mask; how many did it */
		long (*flush_tlb_others)(uint64_t apic_mask);
	} mmu;
	struct pv_cpu_ops {
		pv_thunk_t io_delay, cpuid;
	} cpu;
	struct pv_apic_ops {
		pv_thunk_t apic_eoi, timer_arm;
		/* a fixed IPI of vector to each CPU in mask; how many it reached */
		long (*send_ipi_mask)(uint64_t apic_mask, unsigned long vector);
	} apic;
	struct pv_time_ops {
		pv_thunk_t clock_read;
	} time;
	struct pv_lock_ops {            /* a contended spinlock's waiter */
		pv_thunk_t wait, kick;
	} lock;
	struct pv_console_ops {
		long (*console_write)(const char *buf, size_t len);
	} console;
};

#define PV_OP_OFFSET(group, name) offsetof(struct pv_ops, group.name)

/* One record per call site, in .pv_sites (16 bytes; see guest.ld). */
struct pv_site {
	uint64_t addr;          /* first byte of the site */
	uint8_t  len;           /* bytes reserved at the site */
	uint8_t  op;            /* enum pv_op */
	uint16_t clobbers;      /* PV_REG_* the site lets the op change */
	uint32_t reserved;
};
_Static_assert(sizeof(struct pv_site) == 16, "pv_site is 16 bytes (guest.ld, pv_site.inc)");

/* Static facts of each op, indexed by enum pv_op (pv_native.c). */
struct pv_op_info {
	const char *name;
	uint16_t offset;        /* of its slot in struct pv_ops */
	uint8_t  site_len;
	uint16_t site_clobbers;
};
extern const struct pv_op_info pv_op_info[PV_NR_OPS];

extern struct pv_ops pv_ops;

#endif
