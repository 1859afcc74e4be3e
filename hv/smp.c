/*
 * smp.c - a vCPU on every CPU: the machine's CPUs brought up, the guest's
 * CPUs started as hardware starts them, and what one vCPU hands another.
 *
 * The CPUs. The firmware's MADT (shared/lib/acpi.c) lists them; the boot
 * CPU is vCPU 0 and every other one, up to cpus= (options.h) and
 * HV_MAX_CPUS, is started the architectural way (SDM vol. 3A, 9.4.4.1):
 * INIT, 10 ms, a start-up IPI to boot/ap_boot.asm's page, a second one if
 * it has not come within 200 us, then up to 100 ms for it to arrive. On
 * its own stack it takes the hypervisor's tables (cpu.c), VMXON and its
 * own VMCS (main.c, hv_vcpu_setup): vCPU n is pinned to the machine's CPU
 * n, with no scheduler. All of them share the one EPT. A CPU that does
 * not come, or cannot enter VMX operation, is named and left out of the
 * guest's MADT.
 *
 * The guest's CPUs. vCPU 0 enters the guest as the boot CPU does. Every
 * other waits in root mode (sti; hlt: only the hypervisor's kick wakes
 * it) as a real AP waits for a start-up IPI after reset. The guest's own
 * INIT-SIPI-SIPI through its virtual APIC (vlapic.c's policy,
 * vlapic_ipi_verdict) starts it at the vector's page in real mode
 * (vmcs_start_real; unrestricted guest). An INIT to a CPU of the guest's
 * that runs, and any INIT or start-up IPI to a CPU that is not the
 * guest's, stops the guest; nothing of the guest's reaches a CPU the
 * hypervisor did not give it.
 *
 * Between vCPUs. A vCPU never writes another's VMCS or model: it posts.
 *  - A fixed IPI sets the vector's bit in the target's posted[] and
 *    kicks it: the hypervisor's own IPI (HV_KICK_VECTOR) to its CPU,
 *    which exits ("external-interrupt exiting", apic.c), or wakes from
 *    its root-mode HLT; its next exit's events (smp_events) take the
 *    posted vectors into its APIC, which injects them as its own.
 *  - A remote TLB flush (hypercall flush_tlb_others) raises the target's
 *    flush_req; the target flushes its VPID's translations (INVVPID)
 *    before it runs another guest instruction. A running target is kicked
 *    and waited for. A halted one is not woken (as KVM's PV TLB flush
 *    does for preempted vCPUs): it flushes on the exit that wakes it. The
 *    two sides meet as in Dekker's algorithm: the requester raises
 *    flush_req then reads halted; the target writes halted then reads
 *    flush_req, each with a full fence between.
 *  - wait/kick (KVM's PV unhalt): wait holds the vCPU in root mode, its
 *    CPU halted (sti; hlt), until a kick, an interrupt it can take, its
 *    next event (the host APIC's timer, armed for it) or the machine's
 *    stop; guest interrupts enabled or not. With no other vCPU running to
 *    kick it, a wait is a halt, and one nothing can end stops the guest at
 *    once (halt.c's rule). (Not the guest's HLT state:
 *    with RFLAGS.IF clear, Bochs 2.7 does not wake a guest halted in VMX
 *    non-root operation for an external interrupt that would exit.) A
 *    kick that came first is kept, so the guest's check-then-wait loses
 *    none.
 *  - A stop: the first vCPU to stop (guest_kill, the guest's exit, the
 *    watchdog, an entry failure) is the run's; it kicks all the others,
 *    which stop at their next exit, saying so. The boot CPU then reports
 *    every CPU's state (smp_report) and the statistics of all.
 *
 * Environment: hypervisor, root mode: the boot CPU at boot (smp_discover,
 * smp_start_aps), each AP in ap_main, every vCPU on its exits.
 */
/* SPDX-License-Identifier: MIT */
#include "abi/hv_abi.h"
#include "acpi.h"
#include "ap_boot.h"
#include "hv.h"
#include "lib.h"
#include "options.h"
#include "x86.h"

#define ICR_INIT        (5u << 8)
#define ICR_STARTUP     (6u << 8)
#define ICR_LEVEL       BIT(15)
#define EFER_LMA        BIT(10)
#define FLUSH_WAIT_MAX  (1ul << 36)     /* a target that never flushes: our bug */

static struct vcpu vcpus[HV_MAX_CPUS];
struct vcpu *hv_vcpus[HV_MAX_CPUS];
unsigned hv_nr_vcpus;
static const struct vlapic *vlapics[HV_MAX_CPUS];      /* the models' peers */
static volatile uint32_t waiting_sipi;                 /* vCPUs in VCPU_WAIT_SIPI */
static struct vcpu *volatile first_stop;
volatile int smp_stopping;
#define stopping smp_stopping
int smp_break_ap_panic;

/* ---- the machine's CPUs -------------------------------------------------- */

static const void *phys(uint64_t addr, size_t len)
{
	if (addr == 0 || addr + len < addr || addr + len > (1ul << 32))
		return 0;
	return (const void *)addr;
}

void smp_discover(const struct hv_options *o)
{
	static struct acpi_cpus cpus;
	uint32_t self = apic_host_id();
	unsigned i, n = 1, want = o->cpus ? o->cpus : HV_MAX_CPUS;
	const char *why;

	vcpus[0].smp.host_apic_id = self;
	if (acpi_find_cpus(phys, &cpus, &why)) {
		kprintf("hv: smp: 1 CPU (no MADT: %s)\n", why);
		cpus.count = 0;
	}
	for (i = 0; i < cpus.count && n < want && n < HV_MAX_CPUS; i++)
		if (cpus.apic_id[i] != self)
			vcpus[n++].smp.host_apic_id = cpus.apic_id[i];
	for (i = 0; i < n; i++) {
		vcpus[i].index = i;
		hv_vcpus[i] = &vcpus[i];
		vlapics[i] = &vcpus[i].apic;
	}
	hv_nr_vcpus = n;
	if (cpus.count)
		kprintf("hv: smp: the firmware lists %u CPU%s (ACPI MADT at 0x%lx); the guest gets "
			"%u%s\n", cpus.count, cpus.count == 1 ? "" : "s",
			(unsigned long)cpus.madt_pa, n,
			n < cpus.count ? (o->cpus && o->cpus < cpus.count ? " (cpus=)" :
					  " (HV_MAX_CPUS)") : "");
}

/* Halt this CPU for good (interrupts off: only NMI, INIT or SMI move it). */
static __attribute__((noreturn)) void park(void)
{
	for (;;)
		asm volatile("cli; hlt" ::: "memory");
}

static void wait_tsc(uint64_t ticks)
{
	uint64_t t0 = rdtsc();

	while (rdtsc() - t0 < ticks)
		cpu_relax();
}

static void ap_main(uint32_t index);

/* Why a CPU is not the guest's: said once. */
static void ap_left_out(struct vcpu *v, const char *why)
{
	kprintf("hv: smp: CPU with APIC ID %u %s: left out of the guest\n",
		v->smp.host_apic_id, why);
}

void smp_start_aps(void)
{
	struct ap_boot_data *d = ap_boot_copy_data();
	uint64_t hz, ms, t0, cr0, cr3, cr4, lo = UINT64_MAX, hi = 0;
	unsigned i, online = 1;

	vcpus[0].smp.state = VCPU_RUNNING;
	if (hv_nr_vcpus < 2)
		return;
	if (!hv_ram_free(AP_BOOT_PA, 4096)) {
		kprintf("hv: smp: the start-up page 0x%x is not free RAM: the guest gets 1 CPU\n",
			AP_BOOT_PA);
		hv_nr_vcpus = 1;
		return;
	}
	hz = watchdog_tsc_hz();
	ms = hz ? hz / 1000 : 3000000;          /* no PIT: as if 3 GHz */
	memcpy((void *)(uintptr_t)AP_BOOT_PA, ap_boot_start, (size_t)(ap_boot_end - ap_boot_start));
	asm volatile("mov %%cr0, %0" : "=r"(cr0));
	asm volatile("mov %%cr3, %0" : "=r"(cr3));
	asm volatile("mov %%cr4, %0" : "=r"(cr4));
	d->cr0 = cr0;
	d->cr3 = cr3;
	d->cr4 = cr4;
	d->efer = rdmsr(MSR_IA32_EFER) & ~EFER_LMA;
	d->entry = (uint64_t)ap_main;
	for (i = 1; i < hv_nr_vcpus; i++) {
		struct vcpu *v = &vcpus[i];
		uint32_t id = v->smp.host_apic_id;

		d->stack = v->pages.stack_top;
		d->index = i;
		/* INIT (assert, level), then the start-up IPI's vector: the page. */
		if (apic_host_send(id, ICR_INIT | APIC_ICR_ASSERT | ICR_LEVEL)) {
			ap_left_out(v, "took no INIT (the APIC kept it pending)");
			continue;
		}
		wait_tsc(10 * ms);
		t0 = rdtsc();
		apic_host_send(id, ICR_STARTUP | APIC_ICR_ASSERT | AP_BOOT_VECTOR);
		wait_tsc(ms / 5);
		if (__atomic_load_n(&v->smp.state, __ATOMIC_ACQUIRE) == VCPU_OFF && !v->smp.up_tsc)
			apic_host_send(id, ICR_STARTUP | APIC_ICR_ASSERT | AP_BOOT_VECTOR);
		while (__atomic_load_n(&v->smp.state, __ATOMIC_ACQUIRE) == VCPU_OFF &&
		       !v->smp.failed && rdtsc() - t0 < 100 * ms)
			cpu_relax();
		if (v->smp.failed) {
			ap_left_out(v, "could not enter VMX operation");
		} else if (v->smp.state == VCPU_OFF) {
			ap_left_out(v, "did not come within 100 ms of its start-up IPI");
			v->smp.host_apic_id = ~0u;      /* a late one parks (ap_main) */
		} else {
			online++;
			lo = v->smp.up_tsc - t0 < lo ? v->smp.up_tsc - t0 : lo;
			hi = v->smp.up_tsc - t0 > hi ? v->smp.up_tsc - t0 : hi;
		}
	}
	kprintf("hv: smp: %u CPU%s in VMX operation (start-up IPI to ready: %lu-%lu TSC ticks)\n",
		online, online == 1 ? "" : "s", lo == UINT64_MAX ? 0 : lo, hi);
}

/* The models' view of the others, and which wait for a start-up IPI. */
void smp_vcpu_peers(struct vcpu *v)
{
	v->apic.peers = vlapics;
	v->apic.npeers = hv_nr_vcpus;
	v->apic.self = v->index;
	v->apic.waiting = &waiting_sipi;
}

void smp_running(struct vcpu *v)
{
	__atomic_store_n(&v->smp.state, VCPU_RUNNING, __ATOMIC_RELEASE);
}

/* Wait in root mode for a kick: interrupts on only inside "sti; hlt"
 * (the STI's shadow makes the two one step, so no kick slips between). */
static void wait_for_kick(volatile int *state, int while_is)
{
	while (__atomic_load_n(state, __ATOMIC_ACQUIRE) == while_is && !stopping)
		asm volatile("sti; hlt; cli" ::: "memory");
}

/* An AP, on its own stack, from boot/ap_boot.asm. */
static void ap_main(uint32_t index)
{
	struct vcpu *v = &vcpus[index < HV_MAX_CPUS ? index : 0];
	uint32_t a, b, c, d;

	/* One given up for late, or a stray: not ours. */
	cpuid(1, 0, &a, &b, &c, &d);
	if (index == 0 || index >= hv_nr_vcpus || (v->smp.host_apic_id & 0xff) != b >> 24)
		park();
	cpu_init(index);
	apic_host_init_ap();
	v->smp.up_tsc = rdtsc();
	if (hv_vcpu_setup(v)) {
		__atomic_store_n(&v->smp.failed, 1, __ATOMIC_RELEASE);
		park();
	}
	__atomic_or_fetch(&waiting_sipi, 1u << index, __ATOMIC_SEQ_CST);
	__atomic_store_n(&v->smp.state, VCPU_WAIT_SIPI, __ATOMIC_RELEASE);

	wait_for_kick(&v->smp.state, VCPU_WAIT_SIPI);
	if (v->smp.state == VCPU_STARTING) {
		if (smp_break_ap_panic && index == 1)
			panic("break=ap-panic: CPU %u panics on purpose as its guest CPU starts",
			      index);
		vmcs_start_real(v, v->smp.sipi_vector);
		preemption_timer_set(watchdog_deadline_tsc, rdtsc());
		smp_running(v);
		hv_vcpu_run(v);
	}
	smp_vcpu_ended(v);
	park();
}

/* ---- between vCPUs --------------------------------------------------------- */

/* Make v's next exit look at its events, and make it exit (or wake). */
static void kick(struct vcpu *v)
{
	vcpu_request_events(v);
	if (v != hv_vcpus[smp_this_cpu()])
		apic_host_kick(v->smp.host_apic_id);
}

static int runs(const struct vcpu *v)
{
	int s = __atomic_load_n(&v->smp.state, __ATOMIC_ACQUIRE);

	return s == VCPU_RUNNING || s == VCPU_STARTING;
}

/* Does another vCPU run, one that may send v an IPI or a kick? */
int smp_others_run(const struct vcpu *v)
{
	unsigned i;

	for (i = 0; i < hv_nr_vcpus; i++)
		if (&vcpus[i] != v && runs(&vcpus[i]))
			return 1;
	return 0;
}

static void post_fixed(struct vcpu *from, struct vcpu *to, unsigned vector)
{
	if (to == from) {
		vlapic_accept_ipi(&to->apic, vector);
		vcpu_request_events(to);
		return;
	}
	__atomic_or_fetch(&to->smp.posted[vector / 32], 1u << (vector % 32), __ATOMIC_SEQ_CST);
	__atomic_store_n(&to->smp.posted_any, 1, __ATOMIC_SEQ_CST);
	kick(to);
}

/* The other vCPUs' part of an ICR write (the model left it in out_mask). */
void smp_carry_ipi(struct vcpu *v)
{
	uint32_t mask = v->apic.out_mask;
	unsigned i, vector = v->apic.out_vector;

	v->apic.out_mask = 0;
	for (i = 0; i < hv_nr_vcpus; i++) {
		struct vcpu *t = hv_vcpus[i];

		if (!(mask & (1u << i)))
			continue;
		switch (v->apic.out_action) {
		case VLAPIC_DELIVER:
			if (runs(t))
				post_fixed(v, t, vector);
			break;
		case VLAPIC_STARTUP:
			/* The first start-up IPI claims the CPU and its vector;
			 * a later one, as on hardware, does nothing. */
			if (__atomic_exchange_n(&t->smp.sipi_claimed, 1, __ATOMIC_SEQ_CST))
				break;
			t->smp.sipi_vector = vector;
			__atomic_and_fetch(&waiting_sipi, ~(1u << i), __ATOMIC_SEQ_CST);
			__atomic_store_n(&t->smp.state, VCPU_STARTING, __ATOMIC_RELEASE);
			apic_host_kick(t->smp.host_apic_id);
			break;
		default:                        /* INIT: it waits for a start-up IPI still */
			break;
		}
	}
}

/* This CPU's translations of the guest's, all of them (28.3.3.3: with
 * VPID they outlive exits; without it every entry and exit drops them). */
static void flush_own(struct vcpu *v)
{
	uint64_t req = __atomic_load_n(&v->smp.flush_req, __ATOMIC_ACQUIRE);

	if (req == v->smp.flush_done)
		return;
	if (v->ctl->proc2 & SECONDARY_ENABLE_VPID)
		invvpid_single(HV_VPID);
	__atomic_store_n(&v->smp.flush_done, req, __ATOMIC_RELEASE);
}

static void stop_with_machine(struct vcpu *v)
{
	struct vcpu *f = first_stop;

	if (v->stopped)
		return;
	snprintf(v->stop_reason, sizeof(v->stop_reason), "stopped with the machine (CPU %u "
		 "stopped first)", f ? f->index : 0);
	v->stopped = 1;
	v->status = f ? f->status : HV_STATUS_GUEST_FAULT;
}

/* Vectors other vCPUs posted, into the model's IRR. */
static void take_posted(struct vcpu *v)
{
	unsigned w;

	if (__atomic_exchange_n(&v->smp.posted_any, 0, __ATOMIC_SEQ_CST))
		for (w = 0; w < 8; w++) {
			uint32_t bits = __atomic_exchange_n(&v->smp.posted[w], 0, __ATOMIC_SEQ_CST);

			while (bits) {
				unsigned b = (unsigned)__builtin_ctz(bits);

				bits &= bits - 1;
				vlapic_accept_ipi(&v->apic, w * 32 + b);
			}
		}
}

/* What other CPUs handed this vCPU (smp_events_pending said there is
 * something): the machine's stop, posted IPIs, a TLB flush. */
void smp_events(struct vcpu *v)
{
	if (stopping)
		stop_with_machine(v);
	if (v->smp.posted_any)
		take_posted(v);
	flush_own(v);
}

/* The entry will be halted, or not, unlike the last (smp_events_done). */
void smp_halted_changed(struct vcpu *v, int halted)
{
	if (v->stopped)
		return;                         /* kept as it was for smp_report */
	__atomic_store_n(&v->smp.halted, halted, __ATOMIC_SEQ_CST);
	if (!halted)
		flush_own(v);                   /* a flush that did not wait for it */
}

/* The first stop is the run's: every other vCPU is made to stop too. */
void smp_stop_all(struct vcpu *v)
{
	unsigned i;

	__atomic_compare_exchange_n(&first_stop, &(struct vcpu *){ NULL }, v, 0,
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	if (__atomic_exchange_n(&stopping, 1, __ATOMIC_SEQ_CST))
		return;
	for (i = 0; i < hv_nr_vcpus; i++)
		if (hv_vcpus[i] != v && hv_vcpus[i]->smp.state != VCPU_OFF &&
		    hv_vcpus[i]->smp.state != VCPU_PARKED)
			kick(hv_vcpus[i]);
}

struct vcpu *smp_first_stop(void)
{
	return first_stop ? first_stop : hv_vcpus[0];
}

/* A vCPU's run is over: where its guest CPU was, for smp_report. */
void smp_vcpu_ended(struct vcpu *v)
{
	if (v->smp.state == VCPU_WAIT_SIPI) {
		v->smp.end_activity = ACTIVITY_WAIT_SIPI;
	} else {
		v->smp.end_rip = vmread(GUEST_RIP);
		v->smp.end_rflags = vmread(GUEST_RFLAGS);
		v->smp.end_activity = (uint32_t)vmread(GUEST_ACTIVITY_STATE);
	}
	if (!v->stopped)
		stop_with_machine(v);
	__atomic_store_n(&v->smp.state, VCPU_PARKED, __ATOMIC_SEQ_CST);
}

static const char *end_state(const struct vcpu *v)
{
	/* As it was entered last: the kick that stopped it may have woken it. */
	if (v->smp.end_activity == ACTIVITY_WAIT_SIPI)
		return "waiting for a start-up IPI";
	if (v->smp.halted || v->smp.end_activity == ACTIVITY_HLT)
		return "halted";
	return "running";
}

/*
 * The boot CPU, its own run over: wait (bounded) for the others to stop,
 * then one line for each CPU with more than one. A CPU that does not
 * stop is named; the run ends anyway.
 */
void smp_report(void)
{
	uint64_t t0 = rdtsc(), limit = watchdog_tsc_hz() ? watchdog_tsc_hz() : 1ul << 32;
	unsigned i;

	smp_stop_all(hv_vcpus[0]);
	for (i = 1; i < hv_nr_vcpus; i++)
		while (vcpus[i].smp.state != VCPU_PARKED && vcpus[i].smp.state != VCPU_OFF &&
		       rdtsc() - t0 < limit)
			cpu_relax();
	smp_report_states(0);
}

/*
 * One line for each CPU, with more than one: where its guest CPU was when
 * it stopped, the first stop's reason on that CPU's line. At a panic
 * (at_panic), the others are not waited for: each says what it was doing
 * when the panic came, and how many exits it had.
 */
void smp_report_states(int at_panic)
{
	static const char *const what[] = {
		[VCPU_OFF] = "off", [VCPU_WAIT_SIPI] = "waiting for a start-up IPI",
		[VCPU_STARTING] = "starting", [VCPU_RUNNING] = "running its guest CPU",
		[VCPU_PARKED] = "stopped",
	};
	struct vcpu *f = smp_first_stop();
	unsigned i, s;

	if (hv_nr_vcpus < 2)
		return;
	for (i = 0; i < hv_nr_vcpus; i++) {
		struct vcpu *v = &vcpus[i];
		uint64_t exits = 0;
		int st = v->smp.state;

		for (s = 0; s < STAT_SLOTS; s++)
			exits += v->stats.count[s];
		if (st == VCPU_OFF) {
			kprintf("hv: smp: cpu=%u apic-id=%u off (not the guest's)\n", i,
				v->smp.host_apic_id);
		} else if (at_panic) {
			kprintf("hv: smp: cpu=%u apic-id=%u %s at the panic, exits=%lu\n", i,
				v->apic.id, what[st], exits);
		} else if (st != VCPU_PARKED) {
			kprintf("hv: smp: cpu=%u apic-id=%u did not stop (its CPU does not answer)\n",
				i, v->smp.host_apic_id);
		} else if (v->smp.end_activity == ACTIVITY_WAIT_SIPI) {
			kprintf("hv: smp: cpu=%u apic-id=%u %s exits=0\n", i, v->apic.id,
				end_state(v));
		} else {
			kprintf("hv: smp: cpu=%u apic-id=%u %s at rip 0x%lx rflags 0x%lx exits=%lu%s%s\n",
				i, v->apic.id, end_state(v), v->smp.end_rip, v->smp.end_rflags, exits,
				v == f ? ", stopped first: " : "", v == f ? v->stop_reason : "");
		}
	}
}

/* ---- the SMP hypercalls (abi.def 11-14) ------------------------------------ */

/* The running vCPU with this APIC ID, or NULL. */
static struct vcpu *by_apic_id(uint64_t id)
{
	unsigned i;

	for (i = 0; i < hv_nr_vcpus; i++)
		if (vcpus[i].apic.id == id && runs(&vcpus[i]))
			return &vcpus[i];
	return NULL;
}

int64_t smp_hc_send_ipi_mask(struct vcpu *v)
{
	uint64_t mask = v->regs.rdi, vector = v->regs.rsi;
	int64_t n = 0;
	unsigned i;

	if (vector < 16 || vector > 255)
		return -HV_EINVAL;
	for (i = 0; i < hv_nr_vcpus; i++) {
		struct vcpu *t = &vcpus[i];

		if (t->apic.id < 64 && (mask & (1ul << t->apic.id)) && runs(t)) {
			post_fixed(v, t, (unsigned)vector);
			n++;
		}
	}
	v->apic.ipi_delivered += n > 0;
	return n;
}

int64_t smp_hc_flush_tlb_others(struct vcpu *v)
{
	uint64_t mask = v->regs.rdi, want[HV_MAX_CPUS] = { 0 }, t0 = rdtsc();
	int64_t n = 0;
	unsigned i;

	for (i = 0; i < hv_nr_vcpus; i++) {
		struct vcpu *t = &vcpus[i];

		if (t == v || t->apic.id >= 64 || !(mask & (1ul << t->apic.id)) || !runs(t))
			continue;
		n++;
		want[i] = __atomic_add_fetch(&t->smp.flush_req, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&t->smp.halted, __ATOMIC_SEQ_CST))
			want[i] = 0;            /* flushes before it runs again */
		else
			kick(t);
	}
	for (i = 0; i < hv_nr_vcpus; i++)
		while (want[i] && __atomic_load_n(&vcpus[i].smp.flush_done, __ATOMIC_ACQUIRE) <
				  want[i] && !stopping) {
			uint64_t now = rdtsc();

			flush_own(v);           /* one asked of this vCPU meanwhile */
			if (now >= watchdog_deadline_tsc) {
				watchdog_expired(v);
				return -HV_EINVAL;
			}
			if (now - t0 > FLUSH_WAIT_MAX) {
				guest_kill(v, HV_STATUS_PANIC, "smp: CPU %u did not answer a TLB "
					   "flush within %lu TSC ticks", i, FLUSH_WAIT_MAX);
				return -HV_EINVAL;
			}
			cpu_relax();
		}
	return n;
}

/*
 * The wait hypercall: this CPU halts in root mode until a kick, an IPI the
 * guest can take now (RFLAGS.IF set), the vCPU's next event (event_tsc:
 * its timer, the watchdog) or the machine's stop; meanwhile it answers
 * TLB flushes asked of it. The guest goes on after the VMCALL; its next
 * exit's events deliver what came.
 */
int64_t smp_hc_wait(struct vcpu *v)
{
	int can_take = !!(v->rflags & BIT(9));

	if (__atomic_exchange_n(&v->smp.kick, 0, __ATOMIC_SEQ_CST))
		return HV_OK;                   /* the kick came first */
	/* With no other vCPU to kick it, it is a halt: one nothing can end
	 * stops the guest at once, as HLT's does (halt.c). */
	if (!smp_others_run(v) && vcpu_halt_stuck(v))
		return HV_OK;
	for (;;) {
		uint64_t now = rdtsc(), until = __atomic_load_n(&v->event_tsc, __ATOMIC_ACQUIRE);

		flush_own(v);
		if (__atomic_exchange_n(&v->smp.kick, 0, __ATOMIC_SEQ_CST) || stopping ||
		    (can_take && v->smp.posted_any) || now >= until)
			break;
		apic_host_timer_arm(until - now);
		asm volatile("sti; hlt; cli" ::: "memory");
	}
	apic_host_timer_stop();
	return HV_OK;
}

int64_t smp_hc_kick(struct vcpu *v)
{
	struct vcpu *t = by_apic_id(v->regs.rdi);

	if (!t)
		return -HV_EINVAL;
	__atomic_store_n(&t->smp.kick, 1, __ATOMIC_SEQ_CST);
	if (t != v)
		kick(t);
	return HV_OK;
}
