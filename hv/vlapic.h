/*
 * vlapic.h - the guest's virtual local APIC: the model, as pure functions.
 *
 * One local APIC as the SDM defines it (vol. 3A, chapter 11, "Advanced
 * Programmable Interrupt Controller"), with its three states (disabled,
 * xAPIC, x2APIC), its registers, its priority logic, its timer and the
 * policy for what the guest's IPIs may do. It touches no hardware: the
 * caller hands in each MMIO or MSR access and the guest's TSC ("now", in
 * guest TSC ticks), and reads back what to inject and when the timer
 * needs it next.
 *
 * Wired to the vCPU by apic.c (MMIO, MSRs, CR8, injection, the timer).
 *
 * Choices this model makes where the SDM leaves them to the processor:
 *  - Version register: 0x14 (integrated APIC), max LVT entry 5 (six
 *    entries: timer, thermal, PMC, LINT0, LINT1, error; no CMCI, so 0x2f0
 *    and MSR 0x82f are reserved), bit 24 "suppress EOI broadcast" clear:
 *    there is no I/O APIC to broadcast to, so SVR bit 12 is reserved.
 *  - The APIC ID is the one the caller gives at init, read-only in both
 *    modes (writing the xAPIC ID is model-specific, 11.4.6; writes are
 *    ignored); the xAPIC ID is its low 8 bits.
 *  - The TSC-deadline timer mode is always available (the caller decides
 *    whether CPUID says so); x2APIC is available when the caller says.
 *  - xAPIC page: only 4-byte accesses at 16-byte-aligned offsets are
 *    supported (11.4.1: others are model-specific or undefined); any other
 *    form returns VLAPIC_STOP with a reason and the caller stops the guest.
 *    A reserved offset reads 0, ignores writes and sets ESR bit 7 (illegal
 *    register address), as hardware does. Writes to read-only registers
 *    are ignored. APR and the remote read register read 0.
 *  - IPIs (see vlapic_ipi_verdict), among the guest's CPUs (peers; a
 *    model without them is a one-CPU guest): fixed IPIs reach every CPU
 *    of the guest their destination names, the sender's own IRR at once,
 *    the others' through the caller (out_mask: apic.c and smp.c carry
 *    them); those that reach no CPU of the guest are dropped and counted
 *    (ipi_dropped, last_drop_reason) as on a machine without that CPU.
 *    Lowest-priority IPIs go to the first CPU their destination names (the
 *    choice is the processor's, 11.6.2.4). INIT and start-up IPIs start
 *    the guest's CPUs that wait for one (waiting: the caller's mask): an
 *    INIT to one that waits leaves it waiting, a start-up IPI to one that
 *    runs is ignored (dropped and counted), as hardware does. An INIT to
 *    a CPU that runs, an INIT or start-up IPI that reaches no CPU of the
 *    guest, and every NMI and SMI stop the guest with a reason: none may
 *    reach hardware. INIT level de-assert, which processors since the
 *    Pentium 4 ignore (11.6.1), is dropped and counted. Reserved delivery
 *    modes stop the guest. (Some processors refuse lowest-priority IPIs
 *    and set ESR bit 4, "redirectable IPI", 11.5.3; this model does not.)
 *  - Software-disabled (SVR[8] = 0): vectors already in IRR stay pending
 *    and deliverable (11.4.7.2: "pending interrupts in the IRR and ISR
 *    registers are held and require masking or handling by the CPU");
 *    new fixed interrupts are not accepted, and every LVT entry is masked.
 *
 * The timer's input clock: the bus clock, tsc_per_bus_tick guest TSC
 * ticks per bus-clock tick (an integer >= 1 the caller sets); the counter
 * drops by one every divisor * tsc_per_bus_tick TSC ticks. Every call
 * that takes now first brings the timer up to now (an expiry that is due
 * is taken then), so what the guest reads is what hardware shows at now.
 *
 * Environment: hypervisor (root mode, on the vCPU's own CPU) and the host
 * tests.
 * Pure logic: no inline assembly, no VMCS, no globals.
 */
/* SPDX-License-Identifier: MIT */
#ifndef HV_VLAPIC_H
#define HV_VLAPIC_H

#include <stdint.h>

#ifndef BIT
#define BIT(n) (1ul << (n))
#endif

/* IA32_APIC_BASE (SDM vol. 3A, 11.4.4; 11.12.1). */
#define MSR_IA32_APIC_BASE_NR   0x1b
#define APIC_BASE_BSP           BIT(8)
#define APIC_BASE_EXTD          BIT(10)
#define APIC_BASE_EN            BIT(11)
#define APIC_BASE_ADDR_MASK     (~0xffful)
#define APIC_BASE_DEFAULT       0xfee00000ul
#define MSR_IA32_TSC_DEADLINE   0x6e0   /* 11.5.4.1 */

/* xAPIC register offsets in the 4 KiB page (11.4.1, table 11-1). */
#define APIC_ID                 0x020
#define APIC_VERSION            0x030
#define APIC_TPR                0x080
#define APIC_APR                0x090
#define APIC_PPR                0x0a0
#define APIC_EOI                0x0b0
#define APIC_RRD                0x0c0
#define APIC_LDR                0x0d0
#define APIC_DFR                0x0e0
#define APIC_SVR                0x0f0
#define APIC_ISR                0x100   /* 8 registers, 0x10 apart */
#define APIC_TMR                0x180
#define APIC_IRR                0x200
#define APIC_ESR                0x280
#define APIC_LVT_CMCI           0x2f0   /* not modelled: reserved here */
#define APIC_ICR_LO             0x300
#define APIC_ICR_HI             0x310
#define APIC_LVT_TIMER          0x320
#define APIC_LVT_THERMAL        0x330
#define APIC_LVT_PMC            0x340
#define APIC_LVT_LINT0          0x350
#define APIC_LVT_LINT1          0x360
#define APIC_LVT_ERROR          0x370
#define APIC_TIMER_ICR          0x380   /* initial count */
#define APIC_TIMER_CCR          0x390   /* current count */
#define APIC_TIMER_DCR          0x3e0   /* divide configuration */

/* x2APIC MSRs: 0x800 + offset / 16 (11.12.1.2, table 11-6). */
#define X2APIC_MSR_FIRST        0x800
#define X2APIC_MSR_LAST         0x8ff
#define X2APIC_MSR(off)         (X2APIC_MSR_FIRST + ((off) >> 4))
#define X2APIC_SELF_IPI         0x83f   /* x2APIC only */

/* Version register (11.4.8). */
#define APIC_VERSION_INTEGRATED 0x14
#define APIC_VERSION_EOI_SUPPR  BIT(24)
#define VLAPIC_LVT_COUNT        6
#define VLAPIC_VERSION          (APIC_VERSION_INTEGRATED | ((VLAPIC_LVT_COUNT - 1) << 16))

/* SVR (11.9); bit 12 is reserved here (no EOI suppression). */
#define APIC_SVR_VECTOR         0xffu
#define APIC_SVR_ENABLE         BIT(8)
#define APIC_SVR_FOCUS          BIT(9)
#define APIC_SVR_WRITABLE       (APIC_SVR_VECTOR | APIC_SVR_ENABLE | APIC_SVR_FOCUS)

/* DFR (11.6.2.2): the model in bits 31:28, bits 27:0 read as ones. */
#define APIC_DFR_FLAT           0xffffffffu
#define APIC_DFR_CLUSTER        0x0fffffffu

/* ESR (11.5.3). */
#define APIC_ESR_SEND_CS        BIT(0)
#define APIC_ESR_RECV_CS        BIT(1)
#define APIC_ESR_SEND_ACCEPT    BIT(2)
#define APIC_ESR_RECV_ACCEPT    BIT(3)
#define APIC_ESR_REDIR_IPI      BIT(4)
#define APIC_ESR_SEND_ILLEGAL   BIT(5)
#define APIC_ESR_RECV_ILLEGAL   BIT(6)
#define APIC_ESR_ILLEGAL_REG    BIT(7)

/* LVT entries (11.5.1). */
#define APIC_LVT_VECTOR         0xffu
#define APIC_LVT_DELIVERY       (7u << 8)
#define APIC_LVT_STATUS         BIT(12) /* read-only */
#define APIC_LVT_POLARITY       BIT(13) /* LINT0/1 only */
#define APIC_LVT_REMOTE_IRR     BIT(14) /* LINT0/1 only, read-only */
#define APIC_LVT_LEVEL          BIT(15) /* LINT0/1 only */
#define APIC_LVT_MASKED         BIT(16)
#define APIC_LVT_TIMER_MODE     (3u << 17)      /* timer only */
#define APIC_TIMER_ONESHOT      (0u << 17)
#define APIC_TIMER_PERIODIC     (1u << 17)
#define APIC_TIMER_TSC_DEADLINE (2u << 17)
#define APIC_TIMER_RESERVED     (3u << 17)

/* Index of an LVT entry: (offset - APIC_LVT_TIMER) / 16. */
enum vlapic_lvt {
	VLAPIC_LVT_TIMER, VLAPIC_LVT_THERMAL, VLAPIC_LVT_PMC,
	VLAPIC_LVT_LINT0, VLAPIC_LVT_LINT1, VLAPIC_LVT_ERROR,
};

/* Divide configuration (11.5.4): bits 0, 1 and 3. */
#define APIC_DCR_WRITABLE       0xbu

/* ICR (11.6.1; x2APIC: 11.12.9). */
#define APIC_ICR_VECTOR         0xffu
#define APIC_ICR_DELIVERY_SHIFT 8
#define APIC_ICR_LOGICAL        BIT(11)
#define APIC_ICR_STATUS         BIT(12) /* xAPIC: read-only; x2APIC: ignored */
#define APIC_ICR_ASSERT         BIT(14)
#define APIC_ICR_LEVEL          BIT(15)
#define APIC_ICR_SHORTHAND_SHIFT 18
#define APIC_ICR_XAPIC_LO_WRITABLE 0x000ccfffu
#define APIC_ICR_XAPIC_HI_WRITABLE 0xff000000u
#define APIC_ICR_X2APIC_WRITABLE   0xffffffff000ccfffull

enum vlapic_delivery {
	APIC_DM_FIXED = 0, APIC_DM_LOWEST = 1, APIC_DM_SMI = 2, APIC_DM_RESERVED3 = 3,
	APIC_DM_NMI = 4, APIC_DM_INIT = 5, APIC_DM_STARTUP = 6, APIC_DM_EXTINT = 7,
};

enum vlapic_shorthand {
	APIC_SH_NONE = 0, APIC_SH_SELF = 1, APIC_SH_ALL = 2, APIC_SH_OTHERS = 3,
};

enum vlapic_mode {
	VLAPIC_DISABLED,        /* EN = 0, EXTD = 0 */
	VLAPIC_XAPIC,           /* EN = 1, EXTD = 0 */
	VLAPIC_X2APIC,          /* EN = 1, EXTD = 1 */
};

/* What an access did; the caller acts on anything but VLAPIC_OK. */
enum vlapic_status {
	VLAPIC_OK,
	VLAPIC_GP,              /* inject #GP(0), the access did nothing */
	VLAPIC_ABSENT,          /* MMIO: the page is not the APIC now (disabled
				 * or x2APIC mode, 11.12.1.2): absent memory */
	VLAPIC_STOP,            /* stop the guest: vl->stop_reason says why */
};

#define VLAPIC_NONE             (-1)            /* no vector */
#define VLAPIC_NO_DEADLINE      UINT64_MAX      /* the timer needs no event */

struct vlapic {
	/* Set by vlapic_init, constant afterwards. */
	uint32_t id;                    /* x2APIC ID; xAPIC ID = low 8 bits */
	uint32_t tsc_per_bus_tick;      /* guest TSC ticks per bus-clock tick, >= 1 */
	uint8_t x2apic_supported;       /* EXTD may be set */
	uint8_t maxphyaddr;             /* base address bits above are reserved */

	uint64_t base;                  /* IA32_APIC_BASE as the guest reads it */
	uint32_t tpr, ldr, dfr, svr;    /* ldr, dfr: the xAPIC registers */
	uint32_t isr[8], tmr[8], irr[8];/* bit n of word i: vector 32 * i + n */
	uint32_t esr;                   /* what ESR reads: latched by a write */
	uint32_t esr_pending;           /* errors since the last ESR write */
	uint64_t icr;                   /* xAPIC: high half in bits 63:32 */
	uint32_t lvt[VLAPIC_LVT_COUNT];

	/* The timer (11.5.4). */
	uint32_t timer_initial;         /* initial count register */
	uint32_t timer_dcr;             /* divide configuration register */
	uint8_t timer_armed;            /* one-shot or periodic counting */
	uint64_t timer_deadline;        /* ...and the TSC at which it reaches 0 */
	uint64_t tsc_deadline;          /* IA32_TSC_DEADLINE; 0: disarmed */
	uint64_t timer_fired;           /* expiries, periods skipped included */

	/*
	 * The guest's CPUs, for IPIs (the caller's; NULL: this one alone):
	 * peers[self] is this model; waiting, which of them wait for a
	 * start-up IPI. The model reads the others' IDs and destination
	 * registers, never writes them.
	 */
	const struct vlapic *const *peers;
	unsigned npeers, self;
	const volatile uint32_t *waiting;
	/* An IPI the caller carries to other CPUs: out_mask over peers[]. */
	uint32_t out_mask;
	uint8_t out_vector, out_action; /* enum vlapic_action */

	/* The IPI policy's record. */
	uint64_t ipi_delivered, ipi_dropped;
	const char *last_drop_reason;
	const char *stop_reason;        /* set when a call returns VLAPIC_STOP */
};

/* The power-up state (11.4.7.1): xAPIC mode at 0xfee00000. */
void vlapic_init(struct vlapic *vl, uint32_t id, int bsp, uint32_t tsc_per_bus_tick,
		 int x2apic_supported, unsigned maxphyaddr);

enum vlapic_mode vlapic_mode(const struct vlapic *vl);

/*
 * WRMSR to IA32_APIC_BASE: VLAPIC_OK or VLAPIC_GP (11.12.5). The
 * BSP flag is the caller's (writes to it are ignored); the
 * base address may change within maxphyaddr: the caller decides whether
 * it maps the page elsewhere. Reads: vl->base.
 */
enum vlapic_status vlapic_set_base(struct vlapic *vl, uint64_t value);

/* The xAPIC page: offset within it, size in bytes. */
enum vlapic_status vlapic_mmio_read(struct vlapic *vl, uint32_t offset, unsigned size,
				    uint32_t *value, uint64_t now);
enum vlapic_status vlapic_mmio_write(struct vlapic *vl, uint32_t offset, unsigned size,
				     uint32_t value, uint64_t now);

/*
 * RDMSR/WRMSR of 0x800-0x8ff (x2APIC mode only) and IA32_TSC_DEADLINE
 * (any mode; reads 0 and ignores writes unless the timer is in
 * TSC-deadline mode). VLAPIC_OK, VLAPIC_GP, or VLAPIC_STOP from an IPI.
 * Any other MSR is #GP; the SDM reserves all of 0x800-0xbff (11.12.1.2),
 * so the caller may route 0x900-0xbff here as well.
 */
enum vlapic_status vlapic_msr_read(struct vlapic *vl, uint32_t msr, uint64_t *value,
				   uint64_t now);
enum vlapic_status vlapic_msr_write(struct vlapic *vl, uint32_t msr, uint64_t value,
				    uint64_t now);

/* PPR, computed from TPR and the highest vector in service (11.8.3.1). */
uint32_t vlapic_ppr(const struct vlapic *vl);

/*
 * A fixed interrupt arrives (level: level-triggered, sets TMR). 1 when
 * accepted into IRR; 0 when refused: APIC disabled or software-disabled,
 * or an illegal vector 0-15 (ESR bit 6, the error LVT fires).
 */
int vlapic_set_irr(struct vlapic *vl, unsigned vector, int level);

/* MOV to and from CR8 (11.8.6.1): TPR[7:4]. A write with any of bits
 * 63:4 set is VLAPIC_GP and changes nothing. */
enum vlapic_status vlapic_cr8_write(struct vlapic *vl, uint64_t cr8);
uint64_t vlapic_cr8_read(const struct vlapic *vl);

/* The xAPIC page's guest-physical address (the base's bits above 11;
 * vlapic_set_base keeps them below MAXPHYADDR). */
static inline uint64_t vlapic_page(const struct vlapic *vl)
{
	return vl->base & APIC_BASE_ADDR_MASK;
}

/* Anything in IRR; is vector level-triggered (its TMR bit)? */
int vlapic_irr_pending(const struct vlapic *vl);
int vlapic_vector_level(const struct vlapic *vl, unsigned vector);

/* The vector to inject now (its class above PPR's), or VLAPIC_NONE. */
int vlapic_highest_deliverable(const struct vlapic *vl);

/*
 * The CPU takes the interrupt (INTA): vector moves from IRR to ISR and is
 * returned; if it is no longer deliverable (TPR raised since), the APIC
 * answers with the spurious vector instead and nothing moves (11.9).
 */
int vlapic_ack(struct vlapic *vl, unsigned vector);

/* EOI: the highest vector in service retires; it, or VLAPIC_NONE. */
int vlapic_eoi(struct vlapic *vl);

/* The guest TSC at which vlapic_timer_expire has work, or VLAPIC_NO_DEADLINE. */
uint64_t vlapic_timer_next_deadline(const struct vlapic *vl);

/*
 * The guest TSC at which an expiry would change what the APIC delivers:
 * VLAPIC_NO_DEADLINE while the timer's LVT entry is masked or its vector
 * is pending already. Expiries before it need no event: the next call
 * that takes now counts them.
 */
uint64_t vlapic_timer_event_deadline(const struct vlapic *vl);

/*
 * Take the timer's expiry if due at now: the LVT timer vector goes to IRR
 * unless masked; periodic re-arms at its grid (deadline + k * period,
 * never now + period), one-shot and TSC-deadline disarm. Returns how many
 * expiries were due (periods that elapsed unobserved count; one vector).
 */
unsigned vlapic_timer_expire(struct vlapic *vl, uint64_t now);

/* The initial-count register written with count, in either mode (as
 * the hypervisor backend's timer_arm hypercall does): ignored in
 * TSC-deadline mode, 0 stops the timer. */
void vlapic_timer_arm(struct vlapic *vl, uint32_t count, uint64_t now);

/* An ICR, field by field (11.6.1). */
struct vlapic_icr {
	uint8_t vector;
	uint8_t delivery;               /* enum vlapic_delivery */
	uint8_t logical;                /* destination mode */
	uint8_t assert;                 /* level: 1 assert, 0 de-assert */
	uint8_t level;                  /* trigger mode: 1 level, 0 edge */
	uint8_t shorthand;              /* enum vlapic_shorthand */
	uint8_t x2apic;                 /* decoded as x2APIC (32-bit destination) */
	uint32_t dest;                  /* xAPIC: bits 63:56; x2APIC: bits 63:32 */
};

struct vlapic_icr vlapic_icr_decode(uint64_t icr, int x2apic);

/*
 * Which of the guest's CPUs an IPI from cpus[self] reaches, as a bit mask
 * over cpus[0..n-1] (n <= 32): shorthand, physical ID or broadcast,
 * logical flat or cluster (xAPIC) or cluster (x2APIC).
 */
uint32_t vlapic_ipi_targets(const struct vlapic *const cpus[], unsigned n, unsigned self,
			    const struct vlapic_icr *d);

enum vlapic_action {
	VLAPIC_DELIVER,                 /* the vector to each target's IRR */
	VLAPIC_DROP,                    /* counted, with the reason */
	VLAPIC_STOP_GUEST,              /* "hv: guest stopped: <reason>" */
	VLAPIC_INIT,                    /* targets wait for a start-up IPI still */
	VLAPIC_STARTUP,                 /* targets start at the vector's page */
};

struct vlapic_verdict {
	enum vlapic_action action;
	const char *reason;             /* DROP and STOP_GUEST */
	uint32_t targets;               /* over cpus[]: DELIVER, INIT, STARTUP */
};

/*
 * The IPI policy (see the top of this file): what an ICR write from
 * cpus[self] does among the guest's n CPUs, waiting being those that wait
 * for a start-up IPI.
 */
struct vlapic_verdict vlapic_ipi_verdict(const struct vlapic *const cpus[], unsigned n,
					 unsigned self, const struct vlapic_icr *d,
					 uint32_t waiting);

/* A fixed interrupt another CPU sent: into IRR as an IPI is accepted
 * (11.6.1, 11.5.3). */
void vlapic_accept_ipi(struct vlapic *vl, unsigned vector);

#endif
