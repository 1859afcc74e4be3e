/*
 * vmcs_stub.h - the VMCS and CPU stand-in of vmcs_stub.c, for host tests
 * of the hypervisor's exit handlers. Environment: build host.
 */
/* SPDX-License-Identifier: MIT */
#ifndef TESTS_HOST_VMCS_STUB_H
#define TESTS_HOST_VMCS_STUB_H

#include <stdint.h>
#include "hv.h"

#define STUB_VMCS_FIELDS 0x8000         /* encodings are below 0x7000 */
#define STUB_CPUID_MAX   64
#define STUB_MSR_MAX     512

struct stub_cpuid {
	uint32_t leaf, sub, r[4];
};
struct stub_msr {
	uint32_t index;
	uint64_t value;
};

extern uint64_t stub_vmcs[STUB_VMCS_FIELDS];
extern int stub_vmwrite_fail_field;
extern unsigned stub_hw_msr_writes;             /* WRMSRs that reached "hardware" */
extern uint32_t stub_hw_msr_last_write;
extern uint64_t stub_xcr0;                      /* the "hardware" XCR0 */
extern unsigned stub_xsetbv_calls;
extern uint64_t stub_tsc;
extern unsigned stub_invvpid_calls;
extern unsigned stub_shared_refreshes;
extern char stub_console[8192];

void stub_reset(void);
void stub_set_cpuid(uint32_t leaf, uint32_t sub, uint32_t a, uint32_t b, uint32_t c, uint32_t d);
void stub_set_msr(uint32_t msr, uint64_t v);

#endif
