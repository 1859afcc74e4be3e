/*
 * vmcs_stub.c - a small VMCS and CPU stand-in for host tests of the
 * hypervisor's exit handlers (built with -DHV_HOST_TEST).
 *
 * vmread/vmwrite reach an array indexed by field encoding; cpuid, rdmsr,
 * wrmsr, xgetbv, xsetbv and rdtsc answer from tables the test sets and
 * record what the code under test asked of the "hardware", so that a test
 * can assert that a guest's MSR write never reached it. The rest of the
 * hypervisor that the handlers call (guest memory, the shared page, the
 * console, panic) is reduced to what the tests need.
 *
 * Environment: build host.
 */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmcs_stub.h"

uint64_t stub_vmcs[STUB_VMCS_FIELDS];
int stub_vmwrite_fail_field = -1;
struct stub_cpuid stub_cpuid_table[STUB_CPUID_MAX];
unsigned stub_cpuid_count;
struct stub_msr stub_msrs[STUB_MSR_MAX];
unsigned stub_msr_count;
unsigned stub_hw_msr_writes;
uint32_t stub_hw_msr_last_write;
uint64_t stub_xcr0 = 1;
unsigned stub_xsetbv_calls;
uint64_t stub_tsc = 1000000;
unsigned stub_invvpid_calls;
unsigned stub_shared_refreshes;
int stats_time;                 /* stats.c's, off */
char stub_console[8192];

uint32_t hv_abi_version = 0x10000;
struct guest_mem guest_mem;

uint64_t vmread(enum vmcs_field f)
{
	return (unsigned)f < STUB_VMCS_FIELDS ? stub_vmcs[f] : 0;
}

int vmwrite(enum vmcs_field f, uint64_t v)
{
	if ((int)f == stub_vmwrite_fail_field || (unsigned)f >= STUB_VMCS_FIELDS)
		return 1;
	stub_vmcs[f] = v;
	return 0;
}

void invvpid_single(uint16_t vpid)
{
	(void)vpid;
	stub_invvpid_calls++;
}

uint64_t rdtsc(void)
{
	return stub_tsc;
}

void cpuid(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	unsigned i;

	*a = *b = *c = *d = 0;
	for (i = 0; i < stub_cpuid_count; i++)
		if (stub_cpuid_table[i].leaf == leaf && stub_cpuid_table[i].sub == sub) {
			*a = stub_cpuid_table[i].r[0];
			*b = stub_cpuid_table[i].r[1];
			*c = stub_cpuid_table[i].r[2];
			*d = stub_cpuid_table[i].r[3];
		}
}

void stub_set_cpuid(uint32_t leaf, uint32_t sub, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	unsigned i;

	for (i = 0; i < stub_cpuid_count; i++)
		if (stub_cpuid_table[i].leaf == leaf && stub_cpuid_table[i].sub == sub)
			break;
	if (i == stub_cpuid_count) {
		if (stub_cpuid_count == STUB_CPUID_MAX)
			abort();
		stub_cpuid_count++;
	}
	stub_cpuid_table[i] = (struct stub_cpuid){ leaf, sub, { a, b, c, d } };
}

static struct stub_msr *msr_slot(uint32_t msr, int create)
{
	unsigned i;

	for (i = 0; i < stub_msr_count; i++)
		if (stub_msrs[i].index == msr)
			return &stub_msrs[i];
	if (!create || stub_msr_count == STUB_MSR_MAX)
		return 0;
	stub_msrs[stub_msr_count] = (struct stub_msr){ msr, 0 };
	return &stub_msrs[stub_msr_count++];
}

uint64_t rdmsr(uint32_t msr)
{
	struct stub_msr *m = msr_slot(msr, 0);

	return m ? m->value : 0;
}

void wrmsr(uint32_t msr, uint64_t v)
{
	msr_slot(msr, 1)->value = v;
	stub_hw_msr_writes++;
	stub_hw_msr_last_write = msr;
}

void stub_set_msr(uint32_t msr, uint64_t v)
{
	msr_slot(msr, 1)->value = v;
}

uint64_t xgetbv(uint32_t index)
{
	return index == 0 ? stub_xcr0 : 0;
}

void xsetbv(uint32_t index, uint64_t v)
{
	if (index == 0)
		stub_xcr0 = v;
	stub_xsetbv_calls++;
}

void hypercall_shared_cpuid_refresh(struct vcpu *v)
{
	(void)v;
	stub_shared_refreshes++;
}

/* One vCPU: a stop stops nothing else. */
void smp_stop_all(struct vcpu *v)
{
	(void)v;
}

int vcpu_halt_stuck(struct vcpu *v)
{
	(void)v;
	return 0;
}

/* The virtual APIC (apic.c) is tested on its own (test_vlapic): here the
 * MSRs and CR8 it owns answer as an APIC in its reset state would. */

int apic_msr(struct vcpu *v, uint32_t msr, int write, uint64_t *val)
{
	(void)v;
	if (!write && msr == MSR_IA32_APIC_BASE_NR)
		*val = APIC_BASE_DEFAULT | APIC_BASE_EN | APIC_BASE_BSP;
	return write || msr != MSR_IA32_APIC_BASE_NR;
}

void apic_cr8_write(struct vcpu *v, uint64_t val)
{
	(void)v, (void)val;
}

uint64_t apic_cr8_read(struct vcpu *v)
{
	(void)v;
	return 0;
}

void vcpu_unhandled_exit(struct vcpu *v)
{
	guest_kill(v, HV_STATUS_GUEST_FAULT, "unhandled VM exit %u", v->exit_reason);
}

void vmcs_write_failed(enum vmcs_field f, uint64_t v)
{
	fprintf(stderr, "vmcs_stub: VMWRITE of 0x%x <- 0x%llx failed\n", (unsigned)f,
		(unsigned long long)v);
	abort();
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	size_t n = strlen(stub_console);
	int r;

	va_start(ap, fmt);
	r = vsnprintf(stub_console + n, sizeof(stub_console) - n, fmt, ap);
	va_end(ap);
	return r;
}

void panic_at(void *caller, const char *fmt, ...)
{
	va_list ap;

	(void)caller;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	abort();
}

void stub_reset(void)
{
	memset(stub_vmcs, 0, sizeof(stub_vmcs));
	stub_vmwrite_fail_field = -1;
	stub_cpuid_count = 0;
	stub_msr_count = 0;
	stub_hw_msr_writes = 0;
	stub_hw_msr_last_write = 0;
	stub_xcr0 = 1;
	stub_xsetbv_calls = 0;
	stub_invvpid_calls = 0;
	stub_shared_refreshes = 0;
	stub_console[0] = 0;
}
