/*
 * smp.c - the guest's vCPUs among themselves (being written: the SMP
 * hypercalls answer -HV_ENOSYS until the hypervisor runs a vCPU per CPU).
 */
/* SPDX-License-Identifier: MIT */
#include "abi/hv_abi.h"
#include "hv.h"

int64_t smp_hc_send_ipi_mask(struct vcpu *v) { (void)v; return -HV_ENOSYS; }
int64_t smp_hc_flush_tlb_others(struct vcpu *v) { (void)v; return -HV_ENOSYS; }
int64_t smp_hc_wait(struct vcpu *v) { (void)v; return -HV_ENOSYS; }
int64_t smp_hc_kick(struct vcpu *v) { (void)v; return -HV_ENOSYS; }
