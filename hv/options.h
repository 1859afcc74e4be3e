/*
 * options.h - the hypervisor's command-line options.
 *
 *   mem=N[K|M|G]     the most RAM the guest gets (default: all there is),
 *                    a whole multiple of 2 MiB (its RAM comes in 2 MiB
 *                    pieces) and at least 2M
 *   abi=MAJOR.MINOR  the ABI version CPUID reports, each part at most
 *                    65535 (testing aid: guests' fallback)
 *   break=guest-state|host-state|ap-panic
 *                    spoil the VMCS so that VM entry fails (testing aid:
 *                    the entry-failure report), or make CPU 1 panic once
 *                    it is up (testing aid: a panic on an AP)
 *   cpus=N           the most CPUs the guest gets, a vCPU on each (smp.c),
 *                    1-HV_OPT_CPUS_MAX; default: every CPU the firmware's
 *                    MADT lists, up to that. The rest are left alone: not
 *                    started, and no IPI of the guest's reaches them.
 *   watchdog=N|Ns    stop the guest, with the reason and the statistics,
 *                    once N TSC ticks (or N seconds, at the TSC's rate
 *                    measured against the PIT) have passed since its first
 *                    VM entry (watchdog.c); at least 1, seconds at most
 *                    HV_OPT_WATCHDOG_SECONDS_MAX. Default: none. Under
 *                    Bochs with "clock: sync=none" a TSC tick is one
 *                    instruction.
 *
 * The line is the hypervisor's own, as its loader gave it: a leading image
 * path or URI is skipped by shared/lib/bootcmd.h's rule (the hypervisor
 * has no options without '='). Strict: an unknown option, a bad value or a
 * number past its limit is an error that stops the boot, never a default.
 *
 * Environment: hypervisor at boot; pure logic, also in the host tests.
 */
/* SPDX-License-Identifier: MIT */
#ifndef HV_OPTIONS_H
#define HV_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#define HV_OPT_MEM_UNIT         (2ull << 20)
#define HV_OPT_MEM_ANY          UINT64_MAX      /* no mem= given */
#define HV_OPT_WATCHDOG_SECONDS_MAX 1000000u    /* 11.5 days */
#define HV_OPT_CPUS_MAX         16u             /* hv.h's HV_MAX_CPUS */

struct hv_options {
	uint64_t mem_max;               /* bytes, or HV_OPT_MEM_ANY */
	int abi_set;
	uint32_t abi_version;           /* MAJOR << 16 | MINOR, when abi_set */
	const char *break_vmcs;         /* "guest-state", "host-state", "ap-panic" or NULL */
	uint64_t watchdog;              /* 0: none; else TSC ticks or seconds */
	int watchdog_seconds;           /* watchdog is in seconds */
	int stats_time;                 /* stats=time: root-mode TSC per exit */
	unsigned cpus;                  /* cpus=N; 0: every CPU listed */
};

/*
 * Parse line (changed in place: words are cut with NULs) into o.
 * Returns 0, or -1 with a one-line reason in err.
 */
int hv_options_parse(char *line, struct hv_options *o, char *err, size_t errlen);

#endif
