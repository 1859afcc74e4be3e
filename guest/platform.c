/*
 * platform.c - what the guest runs on (CPUID's hypervisor leaves), and the
 * native end of a run (shared/lib/machine.c says how a run ends).
 *
 * Environment: guest kernel.
 */
/* SPDX-License-Identifier: MIT */
#include "abi/hv_abi.h"
#include "guest.h"
#include "lib.h"
#include "x86.h"

/* The native end of a run (kind-1 pv op): the machine's own. */
void native_exit(unsigned status)
{
	machine_exit(status);
}

struct hv_info platform_hv;

void platform_detect(struct hv_info *hv)
{
	uint32_t a, b, c, d;

	memset(hv, 0, sizeof(*hv));
	cpuid(1, 0, &a, &b, &c, &d);
	hv->present = !!(c & (1u << HV_ABI_CPUID_PRESENT_BIT));
	if (!hv->present)
		return;
	cpuid(HV_ABI_CPUID_BASE, 0, &a, &b, &c, &d);
	hv->max_leaf = a;
	memcpy(hv->signature + 0, &b, 4);
	memcpy(hv->signature + 4, &c, 4);
	memcpy(hv->signature + 8, &d, 4);
	hv->signature[12] = 0;
	hv->kvm = !memcmp(hv->signature, "KVMKVMKVM\0\0\0", 12);
	if (b != HV_ABI_SIGNATURE_EBX || c != HV_ABI_SIGNATURE_ECX || d != HV_ABI_SIGNATURE_EDX)
		return;
	if (hv->max_leaf >= HV_ABI_CPUID_VERSION) {
		cpuid(HV_ABI_CPUID_VERSION, 0, &a, &b, &c, &d);
		hv->version = a;
	}
	/* Another major version: no hypercalls at all (hv_abi.h). */
	hv->ours = hv->version >> 16 == HV_ABI_VERSION_MAJOR;
	hv->other_abi = !hv->ours;
}
