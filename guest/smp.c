/*
 * smp.c - the machine's CPUs: which ones the firmware lists, from ACPI's
 * MADT (shared/lib/acpi.c), read once at boot while the early identity
 * map still covers the firmware's tables (mm_init maps RAM alone).
 *
 * One line says what was found: "smp: cpus=N apic-ids=... (ACPI MADT at
 * ...)" or, without a usable MADT, "smp: cpus=1 online=1 (no MADT: why)".
 *
 * smp_boot_aps() then starts the others the architectural way, the same
 * on bare metal and hosted (SDM vol. 3A, 9.4.4.1): an INIT IPI, at least
 * 10 ms, a start-up IPI with the vector of boot/ap_boot.asm's page, and a
 * second one if the AP has not shown up. Each AP takes the kernel's GDT,
 * counts itself in smp.online and parks (HLT, woken by an interrupt).
 * "smp: cpus=N online=M" says how many run; an AP that does not come is
 * named with how long it was waited for.
 *
 * Then the boot CPU sends the APs calls (smp_call: the send_ipi_mask pv
 * op), shoots TLB entries down (native_flush_tlb_others, the native form
 * of that op) and everyone takes spinlocks whose waiters use the wait and
 * kick ops (smp.h).
 *
 * Environment: guest kernel at boot: smp_discover before mm_init (the
 * early map), smp_boot_aps after lapic_init (its timer measures the
 * waits), on the boot CPU; ap_main on each AP.
 */
/* SPDX-License-Identifier: MIT */
#include "guest.h"
#include "lapic.h"
#include "lib.h"
#include "mm.h"
#include "pv.h"
#include "selftest.h"
#include "smp.h"
#include "trap.h"
#include "x86.h"

struct smp_info smp;

/* The early map: the first 4 GiB, identity (entry64.asm). */
static const void *early_map(uint64_t pa, size_t len)
{
	if (pa == 0 || pa + len < pa || pa + len > 0x100000000ull)
		return NULL;
	return (const void *)pa;
}

void smp_discover(void)
{
	char ids[160];
	size_t used = 0;
	const char *why;
	uint32_t a, b, c, d, self;
	unsigned i, listed = 0;

	smp.cpus = smp.online = 1;
	if (acpi_find_cpus(early_map, &smp.acpi, &why)) {
		kprintf("smp: cpus=1 online=1 (no MADT: %s)\n", why);
		return;
	}
	smp.have_madt = 1;
	smp.cpus = smp.acpi.count;
	ids[0] = 0;
	for (i = 0; i < smp.acpi.count && used + 12 < sizeof(ids); i++)
		used += (size_t)snprintf(ids + used, sizeof(ids) - used, "%s%u", i ? "," : "",
					 smp.acpi.apic_id[i]);
	if (i < smp.acpi.count)
		snprintf(ids + used, sizeof(ids) - used, ",...");
	/* The boot CPU is among them: its initial APIC ID (CPUID.1:EBX[31:24]). */
	cpuid(1, 0, &a, &b, &c, &d);
	self = b >> 24;
	for (i = 0; i < smp.acpi.count; i++)
		listed |= smp.acpi.apic_id[i] == self;
	kprintf("smp: cpus=%u apic-ids=%s (ACPI MADT at 0x%lx)%s\n", smp.cpus, ids,
		(unsigned long)smp.acpi.madt_pa,
		listed ? "" : " (the boot CPU's APIC ID is not among them)");
	if (smp.acpi.dropped)
		kprintf("smp: %u more CPUs past the %u this kernel keeps\n", smp.acpi.dropped,
			ACPI_MAX_CPUS);
}

/* ---- starting the APs ---------------------------------------------------- */

#define CR4_PCIDE       (1ul << 17)
#define MSR_IA32_EFER   0xc0000080u
#define EFER_LMA        (1ul << 10)     /* read-only: the CPU sets it */

static uint64_t read_cr(int n)
{
	uint64_t v = 0;

	switch (n) {
	case 0: asm volatile("movq %%cr0, %0" : "=r"(v)); break;
	case 3: asm volatile("movq %%cr3, %0" : "=r"(v)); break;
	case 4: asm volatile("movq %%cr4, %0" : "=r"(v)); break;
	}
	return v;
}

struct percpu percpu[ACPI_MAX_CPUS];

/* The call in flight (one at a time: the boot CPU makes them). */
static struct {
	void (*fn)(unsigned index);
	volatile unsigned done;
	long sent;              /* what send_ipi_mask answered */
} call;

uint32_t smp_self_apic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

static unsigned this_index(void)
{
	uint32_t id = smp_self_apic_id();
	unsigned i;

	for (i = 0; i < smp.acpi.count; i++)
		if (percpu[i].apic_id == id)
			return i;
	return 0;
}

/* SMP_CALL_VECTOR on an AP (ap_isr.asm's ap_call, interrupts off). */
void smp_call_ipi(void);
void smp_call_ipi(void)
{
	unsigned i = this_index();

	percpu[i].calls++;
	if (call.fn)
		call.fn(i);
	__atomic_add_fetch(&call.done, 1, __ATOMIC_SEQ_CST);
}

/* An AP, on its own stack: its tables and APIC, counted; then it sleeps
 * until an interrupt, and again. */
static void ap_main(unsigned index)
{
	percpu[index].online_tsc = rdtsc();
	gdt_load_ap();
	idt_load_ap();
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_SVR, SVR_ENABLE | 0xff);
	percpu[index].online = 1;
	__atomic_add_fetch(&smp.online, 1, __ATOMIC_SEQ_CST);
	for (;;)
		asm volatile("sti; hlt; cli" ::: "memory");
}

/* An IPI to one APIC ID; 0 once the APIC has sent it (delivery status
 * idle), -1 when it is still pending after a while. */
static int ipi(uint32_t apic_id, uint32_t icr_lo)
{
	lapic_ipi(apic_id, icr_lo);
	return lapic_ipi_idle() ? 0 : -1;
}

/* Halt until *count reaches want, at most ticks APIC timer ticks; 1 if it did. */
static int wait_count(volatile unsigned *count, unsigned want, unsigned ticks)
{
	uint64_t until = lapic_ticks + ticks;

	while (*count < want && lapic_ticks < until) {
		pv_safe_halt();
		pv_irq_disable();
	}
	return *count >= want;
}

/* Wait until an AP more than was is online (online only grows). */
static int came_online(unsigned was, unsigned ticks)
{
	return wait_count(&smp.online, was + 1, ticks);
}

/*
 * The waits are in the guest's APIC timer ticks (LAPIC_TIMER_COUNT bus
 * clocks at divide 16: 16 ms at a 100 MHz bus). Two ticks are more than
 * one whole tick, so the INIT's 10 ms hold below a 160 MHz bus clock.
 */
#define INIT_WAIT_TICKS         2
#define SIPI_WAIT_TICKS         1
#define AP_WAIT_TICKS           50

/* "smp: cpus=N online=M", and how long the APs took from the start-up
 * IPI to ap_main (real mode to long mode on their own; the waits are the
 * boot CPU's): TSC ticks, instructions under Bochs. */
static void smp_report_online(void)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	unsigned i;

	for (i = 0; i < smp.acpi.count; i++) {
		uint64_t t = percpu[i].online_tsc - percpu[i].sipi_tsc;

		if (!percpu[i].sipi_tsc || !percpu[i].online_tsc)
			continue;
		lo = t < lo ? t : lo;
		hi = t > hi ? t : hi;
	}
	if (hi)
		kprintf("smp: cpus=%u online=%u (start-up IPI to ap_main: %lu-%lu TSC ticks)\n",
			smp.cpus, smp.online, lo, hi);
	else
		kprintf("smp: cpus=%u online=%u\n", smp.cpus, smp.online);
}

void smp_boot_aps(void)
{
	struct ap_boot_data *d = ap_boot_copy_data();
	uint32_t self = lapic_read(LAPIC_ID) >> 24;
	volatile uint64_t *pte = mm_pte(AP_BOOT_PA);
	unsigned i;

	if (!smp.have_madt)
		return;                         /* smp_discover said cpus=1 online=1 */
	if (smp.cpus == 1) {
		kprintf("smp: cpus=1 online=1\n");
		return;
	}
	if (!pte || !(*pte & PTE_P)) {
		kprintf("smp: cpus=%u online=1 (page 0x%x, where APs start, is not RAM this "
			"kernel maps)\n", smp.cpus, AP_BOOT_PA);
		return;
	}
	if (!timer_counts()) {
		kprintf("smp: cpus=%u online=1 (the APIC timer does not count: no way to "
			"time the start-up IPIs)\n", smp.cpus);
		return;
	}
	memcpy((void *)(uintptr_t)AP_BOOT_PA, ap_boot_start, (size_t)(ap_boot_end - ap_boot_start));
	d->cr0 = read_cr(0);
	d->cr3 = read_cr(3);
	d->cr4 = read_cr(4) & ~CR4_PCIDE;       /* only in IA-32e mode */
	d->efer = rdmsr(MSR_IA32_EFER) & ~EFER_LMA;
	d->entry = (uint64_t)(uintptr_t)ap_main;
	idt_build_ap(SMP_CALL_VECTOR);
	for (i = 0; i < smp.acpi.count; i++)
		percpu[i].apic_id = smp.acpi.apic_id[i];
	for (i = 0; i < smp.acpi.count; i++) {
		uint32_t id = smp.acpi.apic_id[i];
		unsigned was = smp.online;

		if (id == self) {
			percpu[i].online = 1;
			continue;
		}
		if (id > 63) {
			kprintf("smp: APIC ID %u not started: beyond the 64-bit APIC ID masks "
				"of the IPI and TLB ops\n", id);
			continue;
		}
		d->stack = mm_alloc_frame() + PAGE_SIZE;
		d->index = i;
		if (ipi(id, ICR_DM_INIT | ICR_ASSERT)) {
			kprintf("smp: APIC ID %u not started: the INIT IPI stayed pending\n", id);
			continue;
		}
		came_online(was, INIT_WAIT_TICKS);      /* 10 ms: it must not come yet */
		percpu[i].sipi_tsc = rdtsc();
		if (ipi(id, ICR_DM_STARTUP | ICR_ASSERT | AP_BOOT_VECTOR) ||
		    (!came_online(was, SIPI_WAIT_TICKS) &&
		     (ipi(id, ICR_DM_STARTUP | ICR_ASSERT | AP_BOOT_VECTOR) ||
		      !came_online(was, AP_WAIT_TICKS))))
			kprintf("smp: APIC ID %u did not start: no sign of it %u ticks after "
				"INIT, SIPI, SIPI\n", id, INIT_WAIT_TICKS + SIPI_WAIT_TICKS +
				AP_WAIT_TICKS);
	}
	smp_report_online();
}

/* ---- calls on other CPUs ------------------------------------------------- */

uint64_t smp_others(void)
{
	uint32_t self = smp_self_apic_id();
	uint64_t mask = 0;
	unsigned i;

	for (i = 0; i < smp.acpi.count; i++)
		if (percpu[i].online && percpu[i].apic_id != self)
			mask |= 1ull << i;
	return mask;
}

uint64_t smp_apic_mask(uint64_t index_mask)
{
	uint64_t ids = 0;
	unsigned i;

	for (i = 0; i < smp.acpi.count; i++)
		if ((index_mask >> i & 1) && percpu[i].apic_id < 64)
			ids |= 1ull << percpu[i].apic_id;
	return ids;
}

/*
 * How long the caller polls for the APs' answers: an AP takes the IPI
 * within microseconds, so the caller spins (as Linux's csd_lock_wait
 * does) rather than halt, which would wait for the next timer tick, or
 * for ever with the timer stopped (bench.c). The bound only ends a wait
 * for an AP that is gone.
 */
#define SMP_CALL_POLLS  (1u << 26)

static int poll_count(volatile unsigned *count, unsigned want)
{
	unsigned n;

	for (n = 0; *count < want && n < SMP_CALL_POLLS; n++)
		cpu_relax();
	return *count >= want;
}

/*
 * One IPI to each CPU in ids through the op; a hypervisor that refuses
 * the hypercall it promised (a negative answer) gets the ICR writes
 * instead, said once, so that a call still reaches its CPUs.
 */
static long send_ipi_mask(uint64_t ids, unsigned vector)
{
	static int said;
	long r = pv_send_ipi_mask(ids, vector);

	if (r < 0) {
		if (!said++)
			kprintf("smp: send_ipi_mask answered %ld: sending the IPIs natively\n", r);
		r = native_send_ipi_mask(ids, vector);
	}
	return r;
}

unsigned smp_call_start(uint64_t mask, void (*fn)(unsigned index))
{
	uint64_t ids = 0;
	unsigned i, want = 0;

	call.fn = fn;
	call.sent = 0;
	__atomic_store_n(&call.done, 0, __ATOMIC_SEQ_CST);
	for (i = 0; i < smp.acpi.count; i++)
		if ((mask >> i & 1) && percpu[i].online && percpu[i].apic_id < 64) {
			ids |= 1ull << percpu[i].apic_id;
			want++;
		}
	if (ids)
		call.sent = send_ipi_mask(ids, SMP_CALL_VECTOR);
	return want;
}

unsigned smp_call_wait(unsigned want)
{
	poll_count(&call.done, want);
	call.fn = 0;
	return call.done;
}

unsigned smp_call(uint64_t mask, void (*fn)(unsigned index))
{
	return smp_call_wait(smp_call_start(mask, fn));
}

/*
 * The flush_tlb_others op's native form (pv.h): an SMP call whose function
 * reloads CR3. That drops every TLB entry this kernel makes: it maps
 * nothing global (no CR4.PGE), so nothing survives a CR3 load (vol. 3A,
 * 5.10.4.1). Returns when each CPU in the mask has done it; boot CPU only.
 */
static void flush_call(unsigned index)
{
	(void)index;
	pv_flush_tlb_all();
}

long native_flush_tlb_others(uint64_t apic_mask)
{
	uint32_t self = smp_self_apic_id();
	uint64_t mask = 0;
	unsigned i;

	for (i = 0; i < smp.acpi.count; i++)
		if (percpu[i].online && percpu[i].apic_id != self && percpu[i].apic_id < 64 &&
		    (apic_mask >> percpu[i].apic_id & 1))
			mask |= 1ull << i;
	return mask ? smp_call(mask, flush_call) : 0;
}

/* ---- the spinlock's slow path (smp.h) ------------------------------------ */

void spin_lock_slow(struct spinlock *l)
{
	uint32_t id = smp_self_apic_id();
	uint64_t me = id < 64 ? 1ull << id : 0;         /* 0: cannot sleep, spins */
	unsigned n;

	for (;;) {
		for (n = 0; n < SPIN_LOCK_SPINS && l->locked; n++)
			cpu_relax();
		if (!l->locked && !__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
			return;
		if (n < SPIN_LOCK_SPINS || !me)
			continue;               /* it was free a moment: spin again */
		__atomic_fetch_or(&l->waiters, me, __ATOMIC_SEQ_CST);
		if (!__atomic_exchange_n(&l->locked, 1, __ATOMIC_SEQ_CST)) {
			__atomic_fetch_and(&l->waiters, ~me, __ATOMIC_SEQ_CST);
			return;
		}
		percpu[this_index()].lock_waits++;
		pv_wait();
		__atomic_fetch_and(&l->waiters, ~me, __ATOMIC_SEQ_CST);
	}
}

void spin_kick_waiter(struct spinlock *l)
{
	uint64_t w = l->waiters, after;
	uint32_t self = smp_self_apic_id();

	if (!w)
		return;                 /* it woke by itself meanwhile */
	after = self < 63 ? w & ~((2ull << self) - 1) : 0;
	percpu[this_index()].lock_kicks++;
	pv_kick((uint32_t)__builtin_ctzll(after ? after : w));
}

/* ---- self-tests (selftest.c's smp.*) ------------------------------------- */

static int need_aps(void)
{
	if (smp.online < 2)
		SKIP("one CPU online (cpus=%u): nothing to test across CPUs", smp.cpus);
	return 0;
}

static void count_call(unsigned index)
{
	(void)index;
}

/* This CPU's own SMP_CALL_VECTOR, in test_smp_ipi's mask with the APs. */
static volatile unsigned self_calls;

static int count_self_call(struct trap_frame *f)
{
	self_calls += f->vector == SMP_CALL_VECTOR;
	return 1;                       /* a fixed interrupt: it wants its EOI */
}

/*
 * A fixed IPI to each AP alone, then to all of them as a mask (smp_call:
 * the send_ipi_mask op): each runs the call once per IPI it was sent, no
 * other CPU does, and the op counts each CPU it reached. Last, one mask
 * with this CPU in it too: every CPU, this one included, takes it once.
 */
int test_smp_ipi(void)
{
	uint64_t others = smp_others(), before[ACPI_MAX_CPUS];
	uint32_t self = smp_self_apic_id();
	unsigned i, j, n = 0;
	long sent;
	int all;

	if (need_aps())
		return SKIPPED;
	for (i = 0; i < smp.acpi.count; i++)
		before[i] = percpu[i].calls;
	for (i = 0; i < smp.acpi.count; i++) {
		if (!(others >> i & 1))
			continue;
		CHECK(smp_call(1ull << i, count_call) == 1, "APIC ID %u did not answer its IPI",
		      percpu[i].apic_id);
		CHECK(call.sent == 1, "send_ipi_mask to APIC ID %u: reached %ld", percpu[i].apic_id,
		      call.sent);
		for (j = 0; j < smp.acpi.count; j++)
			CHECK(percpu[j].calls == before[j] + (j == i), "IPI to APIC ID %u: CPU %u "
			      "ran %lu calls, want %lu", percpu[i].apic_id, percpu[j].apic_id,
			      percpu[j].calls - before[j], (uint64_t)(j == i));
		before[i]++;
		n++;
	}
	CHECK(smp_call(others, count_call) == n, "a mask of %u CPUs: %u answered", n, call.done);
	CHECK(call.sent == n, "send_ipi_mask to a mask of %u CPUs: reached %ld", n, call.sent);
	for (i = 0; i < smp.acpi.count; i++) {
		CHECK(percpu[i].calls == before[i] + (others >> i & 1), "the mask's IPI: CPU %u "
		      "ran %lu", percpu[i].apic_id, percpu[i].calls - before[i]);
		before[i] = percpu[i].calls;
	}

	CHECK(self < 64, "this CPU's APIC ID %u is beyond a mask", self);
	self_calls = 0;
	irq_test_handler = count_self_call;
	call.fn = count_call;
	__atomic_store_n(&call.done, 0, __ATOMIC_SEQ_CST);
	sent = pv_send_ipi_mask(smp_apic_mask(others) | 1ull << self, SMP_CALL_VECTOR);
	pv_irq_enable();                /* this CPU's own: taken here */
	all = poll_count(&call.done, n) && poll_count(&self_calls, 1);
	pv_irq_disable();
	irq_test_handler = 0;
	call.fn = 0;
	CHECK(sent == n + 1, "send_ipi_mask to %u CPUs with this one: reached %ld", n + 1, sent);
	CHECK(all, "with this CPU in the mask: %u of %u APs answered, this CPU took %u",
	      call.done, n, self_calls);
	CHECK(self_calls == 1, "this CPU took its own IPI %u times", self_calls);
	for (i = 0; i < smp.acpi.count; i++)
		CHECK(percpu[i].calls == before[i] + (others >> i & 1), "the mask with this CPU: "
		      "CPU %u ran %lu", percpu[i].apic_id, percpu[i].calls - before[i]);
	return 0;
}

/* Every CPU adds LOCK_ROUNDS to one counter under the lock, each step a
 * read, two pauses and a write: without the lock, steps of two CPUs that
 * interleave lose counts (the control below, run once, shows they do).
 * Two, so that Bochs, which switches CPUs every 16 instructions (its
 * cpu: quantum), lands a switch between a read and its write whatever
 * the phase the loops start in. */
#define LOCK_ROUNDS 2000
static struct spinlock test_lock;
static volatile uint64_t test_counter;
static int lock_off;

static void add_rounds(unsigned index)
{
	unsigned k;

	(void)index;
	for (k = 0; k < LOCK_ROUNDS; k++) {
		uint64_t v;

		if (!lock_off)
			spin_lock(&test_lock);
		v = test_counter;
		asm volatile("pause; pause" ::: "memory");
		test_counter = v + 1;
		if (!lock_off)
			spin_unlock(&test_lock);
	}
}

/* The APs' calls run while the boot CPU adds its own rounds. */
static unsigned lock_round(void)
{
	unsigned want = smp_call_start(smp_others(), add_rounds);

	add_rounds(0);
	return smp_call_wait(want) + 1;
}

static void lock_once(unsigned index)
{
	(void)index;
	spin_lock(&test_lock);
	test_counter++;
	spin_unlock(&test_lock);
}

/* Whether pv_wait sleeps until a kick (the hypervisor's SMP ABI), or spins. */
static int wait_sleeps(void)
{
	return !strcmp(pv_ops.init.backend, "hv") && (platform_hv.version & 0xffff) >= 4;
}

/*
 * The contended path: this CPU holds the lock until every AP has gone past
 * its spins to pv_wait at least once, then lets go. Each AP then takes the
 * lock once; none is left registered. Where pv_wait sleeps, the kicks are
 * exact: this CPU's unlock kicks one AP, each AP's unlock the next, the
 * last finds none, so n APs wait once each and n kicks wake them. Last,
 * this CPU kicks itself and then waits: the kick is kept, the wait
 * returns (a lost one would hang here).
 */
static int lock_contended(void)
{
	uint64_t others = smp_others(), waits0[ACPI_MAX_CPUS], waits = 0, kicks = 0, kicks0 = 0;
	unsigned i, want, got, waited, polls;

	for (i = 0; i < smp.acpi.count; i++) {
		waits0[i] = percpu[i].lock_waits;
		kicks0 += percpu[i].lock_kicks;
	}
	test_counter = 0;
	spin_lock(&test_lock);
	want = smp_call_start(others, lock_once);
	for (polls = 0, waited = 0; waited < want && polls < SMP_CALL_POLLS; polls++) {
		cpu_relax();
		for (i = 0, waited = 0; i < smp.acpi.count; i++)
			waited += (others >> i & 1) && percpu[i].lock_waits > waits0[i];
	}
	spin_unlock(&test_lock);
	got = smp_call_wait(want);
	for (i = 0; i < smp.acpi.count; i++) {
		waits += percpu[i].lock_waits - waits0[i];
		kicks += percpu[i].lock_kicks;
	}
	kicks -= kicks0;
	/* A kick that comes before the wait is kept: this CPU's own returns at once. */
	pv_kick(smp_self_apic_id());
	pv_wait();
	kprintf("smp: lock contended: %u APs waited %lu times, %lu kicks (wait %s)\n", want,
		waits, kicks, wait_sleeps() ? "sleeps" : "spins");
	CHECK(waited == want, "only %u of %u APs reached pv_wait while the lock was held",
	      waited, want);
	CHECK(got == want, "%u of %u APs took the lock after it was let go", got, want);
	CHECK(test_counter == want, "%lu increments under the lock, want %u", test_counter, want);
	CHECK(test_lock.waiters == 0, "waiters 0x%lx left registered", test_lock.waiters);
	if (wait_sleeps())
		CHECK(waits == want && kicks == want, "%lu waits and %lu kicks, want %u of each",
		      waits, kicks, want);
	return 0;
}

int test_smp_lock(void)
{
	unsigned cpus;

	if (need_aps())
		return SKIPPED;
	test_counter = 0;
	lock_off = 0;
	cpus = lock_round();
	CHECK(cpus == smp.online, "%u of %u CPUs ran their rounds", cpus, smp.online);
	CHECK(test_counter == (uint64_t)cpus * LOCK_ROUNDS, "%u CPUs under the lock: %lu, want %lu",
	      cpus, test_counter, (uint64_t)cpus * LOCK_ROUNDS);
	test_counter = 0;
	lock_off = 1;
	cpus = lock_round();
	kprintf("smp: lock control: without the lock %u CPUs counted %lu of %lu\n", cpus,
		test_counter, (uint64_t)cpus * LOCK_ROUNDS);
	lock_off = 0;
	return lock_contended();
}

/* Each AP reads a page through MM_TEST_VA (its TLB keeps the mapping);
 * the boot CPU moves the page to another frame and shoots the entry down
 * on every CPU with the flush_tlb_others op; each then reads the new frame. */
static void read_test_va(unsigned index)
{
	percpu[index].seen = *(volatile uint64_t *)MM_TEST_VA;
}

int test_smp_shootdown(void)
{
	static uint64_t a, b;
	uint64_t others = smp_others();
	unsigned i, n = 0;
	long flushed;

	if (need_aps())
		return SKIPPED;
	if (!a) {
		a = mm_alloc_frame();
		b = mm_alloc_frame();
		*(uint64_t *)a = 0x5a5a5a5a0000000aul;
		*(uint64_t *)b = 0x5a5a5a5a0000000bul;
	}
	for (i = 0; i < smp.acpi.count; i++)
		n += others >> i & 1;
	mm_map_4k(MM_TEST_VA, a, PTE_W);
	pv_flush_tlb_one(MM_TEST_VA);
	CHECK(smp_call(others, read_test_va) == n, "the first read: %u of %u", call.done, n);
	for (i = 0; i < smp.acpi.count; i++)
		CHECK(!(others >> i & 1) || percpu[i].seen == 0x5a5a5a5a0000000aul,
		      "CPU %u read 0x%lx through the first mapping", percpu[i].apic_id,
		      percpu[i].seen);
	*mm_pte(MM_TEST_VA) = b | PTE_P | PTE_W;
	pv_flush_tlb_one(MM_TEST_VA);
	flushed = pv_flush_tlb_others(smp_apic_mask(others));
	CHECK(flushed == n, "the shootdown (flush_tlb_others): %ld of %u", flushed, n);
	CHECK(smp_call(others, read_test_va) == n, "the second read: %u of %u", call.done, n);
	for (i = 0; i < smp.acpi.count; i++)
		CHECK(!(others >> i & 1) || percpu[i].seen == 0x5a5a5a5a0000000bul,
		      "CPU %u read 0x%lx after the shootdown, want the new frame's",
		      percpu[i].apic_id, percpu[i].seen);
	return 0;
}
