/*
 * vmx_ctl.c - compute a VMX control word from its capability MSR.
 *
 * SDM vol. 3D, appendix A.3-A.5: the low 32 bits of a capability MSR are
 * the allowed-0 settings (a 1 there: the control must be 1), the high 32
 * bits the allowed-1 settings (a 0 there: the control must be 0).
 *
 * Environment: hypervisor at boot; pure logic, also in the host tests.
 */
/* SPDX-License-Identifier: MIT */
#include "hv.h"

int vmx_ctl_adjust(uint64_t cap_msr, uint32_t want, uint32_t need,
		   uint32_t *out, uint32_t *missing)
{
	uint32_t must_be_1 = (uint32_t)cap_msr;         /* allowed-0 settings */
	uint32_t may_be_1 = (uint32_t)(cap_msr >> 32);  /* allowed-1 settings */
	uint32_t lacking = need & ~may_be_1;

	*out = (want | need | must_be_1) & may_be_1;
	*missing = lacking & -lacking;                  /* lowest missing bit */
	return lacking ? -1 : 0;
}
