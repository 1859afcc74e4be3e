/*
 * main.c - the guest kernel's boot sequence, from the Multiboot entry to
 * the end of the run.
 *
 *   console -> IDT -> Multiboot info -> command line -> pv_ops patching
 *   -> page tables -> local APIC timer -> self-tests -> benchmarks -> exit
 *
 * Environment: guest kernel, one CPU, called once from entry.asm with
 * interrupts off.
 */
/* SPDX-License-Identifier: MIT */
#include "guest.h"
#include "lapic.h"
#include "lib.h"
#include "mm.h"
#include "pv.h"
#include "smp.h"
#include "trap.h"

struct boot_info boot_info;
struct guest_opts guest_opts;
static char cmdline_copy[BOOT_CMDLINE_MAX];

/* Before mm_init the early map covers the first 4 GiB, identity. */
static const void *early_phys(uint64_t addr, uint64_t len, void *ctx)
{
	(void)ctx;
	if (addr == 0 || addr + len < addr || addr + len > 0x100000000ull)
		return 0;
	return (const void *)addr;
}

static const char *region_type(uint32_t type)
{
	switch (type) {
	case 1: return "available";
	case 2: return "reserved";
	case 3: return "acpi-reclaimable";
	case 4: return "acpi-nvs";
	case 5: return "bad";
	}
	return "other";
}

static void print_boot_info(const struct boot_info *bi)
{
	unsigned i;

	kprintf("mem: loader='%s' flags=0x%x mem_lower=%u KiB mem_upper=%u KiB\n",
		bi->loader, bi->flags, bi->mem_lower, bi->mem_upper);
	for (i = 0; i < bi->nr_map; i++)
		kprintf("mem: map base=0x%016lx len=0x%016lx type=%u %s\n",
			bi->map[i].base, bi->map[i].len, bi->map[i].type,
			region_type(bi->map[i].type));
	kprintf("mem: usable=%lu KiB in %u ranges\n", bi->usable_bytes >> 10,
		bi->nr_usable);
	for (i = 0; i < bi->nr_modules; i++)
		kprintf("mem: module %u 0x%x-0x%x '%s'\n", i, bi->modules[i].start,
			bi->modules[i].end, bi->modules[i].cmdline);
}

/* what: NULL when err says it all. */
static __attribute__((noreturn)) void usage_error(const char *what, const char *err)
{
	if (what)
		kprintf("cmdline: error: %s: %s\n", what, err);
	else
		kprintf("cmdline: error: %s\n", err);
	kprintf("cmdline: options: pv=auto|native|nopatch pv.report "
		"tests=all|none|NAME,... bench=none|all|NAME,... bench.iters=N\n");
	guest_exit(GUEST_STATUS_USAGE);
}

void kmain(uint32_t magic, uint32_t info_addr);

void kmain(uint32_t magic, uint32_t info_addr)
{
	char err[160];
	int failed;

	pv_ops.init.console_init();
	gdt_init();
	idt_init();
	kprintf("guest: paravirtual guest kernel%s\n",
#ifdef PV_DIRECT
		" (direct build: native instructions, no pv_ops sites)"
#else
		""
#endif
		);

	switch (multiboot_parse(magic, info_addr, early_phys, 0, &boot_info, err,
				sizeof(err))) {
	case 0:
		break;
	case MB_PARSE_CMDLINE_TOO_LONG:         /* the user's to fix, not the loader's */
		usage_error(NULL, err);
		break;
	default:
		kprintf("guest: bad Multiboot information: %s\n", err);
		guest_exit(GUEST_STATUS_BOOT);
	}
	memcpy(cmdline_copy, boot_info.cmdline, sizeof(cmdline_copy));
	kprintf("guest: cmdline '%s'\n", boot_info.cmdline);
	if (cmdline_parse(cmdline_copy, &guest_opts, err, sizeof(err)))
		usage_error("bad option", err);
	if (selftest_check(guest_opts.tests, err, sizeof(err)))
		usage_error("tests=", err);
	if (bench_check(guest_opts.bench, err, sizeof(err)))
		usage_error("bench=", err);
	platform_detect(&platform_hv);
	pv_boot(guest_opts.pv, guest_opts.pv_report, &platform_hv);
	/* After patching: under the hypervisor, one exit per line, not per byte. */
	print_boot_info(&boot_info);
	smp_discover();                 /* the MADT, while the early map has it */

	mm_init(&boot_info);
	if (lapic_init())
		guest_exit(GUEST_STATUS_BOOT);
	smp_boot_aps();

	failed = selftest_run(guest_opts.tests);
	if (strcmp(guest_opts.bench, "none"))
		bench_run(guest_opts.bench, guest_opts.bench_iters);
	guest_exit(failed ? GUEST_STATUS_TEST_FAILED : GUEST_STATUS_OK);
}
