/*
 * cmdline.h - the guest's command-line options.
 *
 *   pv=auto|native|nopatch   pv backend: auto picks the hypervisor's when
 *                            present, native otherwise; nopatch keeps the
 *                            indirect calls (the unpatched baseline)
 *   pv.report                one line per patched site
 *   tests=all|none|A,B,...   self-tests to run (default all)
 *   bench=none|all|A,B,...   benchmarks to run (default none)
 *   bench.iters=N            iterations per benchmark (default 10000)
 *
 * Some loaders put the image's path or URI first (QEMU, iPXE, the
 * hypervisor passing on its own loader's line), GRUB 2 puts only the
 * arguments on a module's line: shared/lib/bootcmd.h's rule, told that
 * pv.report is an option, decides whether the first word is that path;
 * it is kept in image. Numbers above their limit are refused, not cut.
 *
 * Environment: guest kernel at boot; pure logic, also in the host tests.
 */
/* SPDX-License-Identifier: MIT */
#ifndef GUEST_CMDLINE_H
#define GUEST_CMDLINE_H

#include <stddef.h>
#include <stdint.h>

enum pv_mode { PV_MODE_AUTO, PV_MODE_NATIVE, PV_MODE_NOPATCH };

#define CMDLINE_MAX 512
#define BENCH_ITERS_DEFAULT 10000u
#define BENCH_ITERS_MAX 100000000u

struct guest_opts {
	enum pv_mode pv;
	int pv_report;
	const char *tests;      /* "all", "none" or a comma list */
	const char *bench;
	uint32_t bench_iters;
	const char *image;      /* the loader's first word, or "" */
};

/*
 * Parse line (changed in place: words are cut with NULs) into o.
 * Returns 0, or -1 with a one-line reason in err.
 */
int cmdline_parse(char *line, struct guest_opts *o, char *err, size_t errlen);

/* Whether name is selected by list ("all", "none", or "a,b,c"). */
int cmdline_list_has(const char *list, const char *name);

/*
 * Check that every name in list is one of names[0..n); returns 0, or -1
 * and the first unknown name in err.
 */
int cmdline_list_check(const char *list, const char *const *names, size_t n,
		       char *err, size_t errlen);

const char *pv_mode_name(enum pv_mode m);

#endif
