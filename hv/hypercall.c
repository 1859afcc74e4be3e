/*
 * hypercall.c - the hypercalls: one handler per line of shared/abi/abi.def,
 * dispatched by number from a designated-initializer table.
 *
 * Convention (shared/abi/hv_abi.h): number in RAX, arguments in RDI, RSI,
 * RDX, result in RAX. From any ring but 0 the answer is -HV_EPERM; an
 * unknown number gets -HV_ENOSYS; a buffer outside the guest's RAM gets
 * -HV_EFAULT. Nothing a guest passes here can hurt the hypervisor, and no
 * handler's work grows with a size the guest passes: console_write writes
 * at most HV_CONSOLE_WRITE_MAX bytes a call, shared_page fills one page.
 *
 * Environment: hypervisor, root mode, on a VMCALL exit.
 */
/* SPDX-License-Identifier: MIT */
#include "abi/hv_abi.h"
#include "hv.h"
#include "hypercall.h"
#include "lib.h"

uint32_t hv_abi_version = HV_ABI_VERSION;

/* Guest-physical [gpa, gpa+len) inside the guest's RAM? */
static int guest_range_ok(uint64_t gpa, uint64_t len)
{
	return gpa < guest_mem.size && len <= guest_mem.size - gpa;
}

static int64_t hc_null(struct vcpu *v)
{
	(void)v;
	return HV_OK;
}

static int64_t hc_exit_count(struct vcpu *v)
{
	uint64_t r = v->regs.rdi;
	return r < EXIT_REASON_MAX ? (int64_t)stats_reason_count((uint32_t)r) : -HV_EINVAL;
}

static int64_t hc_port_count(struct vcpu *v)
{
	uint64_t p = v->regs.rdi;
	return p <= 0xffff ? (int64_t)stats_port_count((uint16_t)p) : -HV_EINVAL;
}

static int64_t hc_exits_total(struct vcpu *v)
{
	(void)v;
	return (int64_t)stats_exits_total();
}

static int64_t hc_hypercall_count(struct vcpu *v)
{
	return (int64_t)stats_hypercall_count(v->regs.rdi);
}

static int64_t hc_console_write(struct vcpu *v)
{
	uint64_t gpa = v->regs.rdi, len = v->regs.rsi;

	/* The whole buffer must be the guest's; a call writes its first part. */
	if (!guest_range_ok(gpa, len))
		return -HV_EFAULT;
	if (len > HV_CONSOLE_WRITE_MAX)
		len = HV_CONSOLE_WRITE_MAX;
	console_guest_write((const char *)guest_mem.base + gpa, len);
	return (int64_t)len;
}

/* The two halts return 0 when the guest wakes. */
static int64_t hc_halt(struct vcpu *v)
{
	vcpu_halt(v);
	return HV_OK;
}

static int64_t hc_safe_halt(struct vcpu *v)
{
	/* STI; HLT as one step: IF set and the HLT state entered together, so
	 * no interrupt can slip in between (27.3.1.5: it wakes the guest). */
	vmcs_write(GUEST_RFLAGS, vmread(GUEST_RFLAGS) | RFLAGS_IF);
	return hc_halt(v);
}

/*
 * The CPUID leaves a guest asks for at run time, answered from its shared
 * page; written again whenever an answer changes (leaf 1's OSXSAVE with
 * CR4, leaf 0xD with XCR0: cr.c calls this), so the page never goes stale.
 */
void hypercall_shared_cpuid_refresh(struct vcpu *v)
{
	static const uint32_t leaves[][2] = {
		{ 0, 0 }, { 1, 0 }, { 6, 0 }, { 7, 0 }, { 0xd, 0 }, { 0xd, 1 },
		{ 0x40000000u, 0 }, { 0x40000001u, 0 },
		{ 0x80000000u, 0 }, { 0x80000001u, 0 }, { 0x80000007u, 0 }, { 0x80000008u, 0 },
	};
	struct hv_shared_page *sp;
	unsigned i;

	if (!v->shared_page)
		return;
	sp = (struct hv_shared_page *)(guest_mem.base + v->shared_page_gpa);
	memset(sp, 0, sizeof(sp->abi_version) + sizeof(sp->cpuid_count) + sizeof(sp->cpuid));
	for (i = 0; i < ARRAY_SIZE(leaves); i++) {
		uint32_t r[4];

		cpuid_guest_view(v, leaves[i][0], leaves[i][1], r);
		sp->cpuid[i] = (struct hv_cpuid_leaf){ leaves[i][0], leaves[i][1],
						       r[0], r[1], r[2], r[3] };
	}
	sp->cpuid_count = ARRAY_SIZE(leaves);
	sp->abi_version = hv_abi_version;
}

static int64_t hc_shared_page(struct vcpu *v)
{
	uint64_t gpa = v->regs.rdi;

	if (gpa & 4095 || !guest_range_ok(gpa, 4096))
		return -HV_EFAULT;
	apic_pv_eoi_flush(v);                   /* a PV EOI flag on the old page */
	v->shared_page = 1;
	v->shared_page_gpa = gpa;
	hypercall_shared_cpuid_refresh(v);
	return HV_OK;
}
_Static_assert(12 <= HV_SHARED_CPUID_MAX, "the cached leaves fit the shared page");

/* The virtual local APIC's (apic.c). */
static int64_t hc_apic_eoi(struct vcpu *v)
{
	return apic_hc_eoi(v);
}

static int64_t hc_timer_arm(struct vcpu *v)
{
	return apic_hc_timer_arm(v);
}

/* SMP (smp.c): IPIs, remote TLB flushes, waits and kicks between vCPUs. */
static int64_t hc_send_ipi_mask(struct vcpu *v)
{
	return smp_hc_send_ipi_mask(v);
}

static int64_t hc_flush_tlb_others(struct vcpu *v)
{
	return smp_hc_flush_tlb_others(v);
}

static int64_t hc_wait(struct vcpu *v)
{
	return smp_hc_wait(v);
}

static int64_t hc_kick(struct vcpu *v)
{
	return smp_hc_kick(v);
}

/* Every number abi.def defines has its handler (hypercall.h dispatches). */
hypercall_fn *const hypercall_table[HC_COUNT] = {
#define HYPERCALL(nr, name, nargs, what) [nr] = hc_##name,
#include "abi/abi.def"
};
