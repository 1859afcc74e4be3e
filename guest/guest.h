/*
 * guest.h - the guest kernel's boot-wide facts: exit status and the pieces
 * kmain ties together.
 *
 * Environment: guest kernel.
 */
/* SPDX-License-Identifier: MIT */
#ifndef GUEST_GUEST_H
#define GUEST_GUEST_H

#include "cmdline.h"
#include "multiboot.h"
#include "pv_ops.h"

/* The status a run ends with (tools/run: 0 and only 0 is success). */
enum guest_status {
	GUEST_STATUS_OK = 0,
	GUEST_STATUS_TEST_FAILED = 1,   /* a self-test failed */
	GUEST_STATUS_USAGE = 2,         /* bad command line */
	GUEST_STATUS_CRASH = 3,         /* unexpected exception or interrupt */
	GUEST_STATUS_BOOT = 4,          /* bad Multiboot info, no APIC, ... */
};

/* End the run: print "exit: status=N" and stop the machine (kind-1 op). */
__attribute__((noreturn)) static inline void guest_exit(unsigned status)
{
	pv_ops.platform.exit(status);
}

extern struct boot_info boot_info;
extern struct guest_opts guest_opts;

/* platform.c */
struct hv_info {
	int present;            /* CPUID.1:ECX[31] */
	int ours;               /* this project's hypervisor, same ABI major */
	int other_abi;          /* this project's hypervisor, another major */
	int kvm;                /* Linux's KVM ("KVMKVMKVM") */
	char signature[13];
	uint32_t max_leaf, version;
};
void platform_detect(struct hv_info *hv);
extern struct hv_info platform_hv;      /* what platform_detect found */
void native_exit(unsigned status) __attribute__((noreturn));

/* pv_ops.c */
void pv_boot(enum pv_mode mode, int report, const struct hv_info *hv);
unsigned pv_bench_pad(unsigned op);

/* console.c: all of buf, in as many console_write ops as the backend needs. */
void console_write(const char *buf, size_t len);

/* workload.c */
void workload_run(void);
int64_t exits_now(void);

/* pv_hv.c: the hypervisor's backend, or NULL when it cannot be had. */
struct pv_backend;
const struct pv_backend *pv_hv_backend(void);

/* selftest.c, bench.c: *_check validates a name list (0 or -1 and err);
 * *_run returns the number of failures. */
int selftest_check(const char *list, char *err, size_t errlen);
int selftest_run(const char *list);
int bench_check(const char *list, char *err, size_t errlen);
int bench_run(const char *list, uint32_t iters);

#endif
