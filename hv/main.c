/*
 * main.c - the hypervisor's boot sequence and its run loop.
 *
 *   COM1 and COM2 -> CPU tables -> Multiboot info and options -> VMX
 *   capabilities, the watchdog -> memory: the hypervisor's pages, then the
 *   guest's RAM -> the guest image and its Multiboot info -> EPT -> the
 *   CPUs (smp.c: each AP sets up its own vCPU, hv_vcpu_setup, and waits
 *   for the guest's start-up IPI) -> VMXON, VMCS on this CPU -> the
 *   guest's ACPI tables -> run -> every CPU's end (smp_report) ->
 *   statistics -> the machine ends with the guest's status, or the
 *   hypervisor's (hv.h, enum hv_status), and a last line that says whose
 *
 * Memory: the largest free stretch of RAM below 4 GiB (free of this image,
 * the Multiboot modules and the first MiB) holds first the hypervisor's
 * pages (bitmaps, EPT tables; each CPU's VMXON region, VMCS, MSR bitmap
 * and areas, and an AP's stack), then the guest's RAM,
 * 2 MiB aligned. The EPT maps only that RAM into
 * the guest: every other host page is out of its reach.
 *
 * Environment: hypervisor, the boot CPU (hv_vcpu_setup: each CPU),
 * interrupts off throughout.
 */
/* SPDX-License-Identifier: MIT */
#include "acpi.h"
#include "ept.h"
#include "guest_load.h"
#include "hv.h"
#include "lib.h"
#include "multiboot.h"
#include "options.h"
#include "x86.h"

#define MIB             (1ul << 20)
#define SIZE_2M         (2 * MIB)
#define LOW_END         MIB
#define FOUR_GIB        (1ul << 32)
#define CPU_POOL_PAGES  (4 + AP_STACK_PAGES)    /* VMXON, VMCS, MSR bitmap, MSR areas */
#define HV_POOL_PAGES   (96 + CPU_POOL_PAGES * HV_MAX_CPUS)

extern char _load_start[], _bss_end[];

struct guest_mem guest_mem;
static struct boot_info hv_boot;
static struct vmx_caps caps;
static struct vmx_controls controls;
extern uint64_t boot_tsc;               /* boot/entry64.asm */
static struct ept ept;
static uint64_t eptp, io_bitmaps;
static uint32_t guest_entry, guest_info_gpa;

static uint64_t pool_next, pool_end;

static const char *hv_status_name(unsigned status)
{
	switch (status) {
	case HV_STATUS_GUEST_FAULT: return "guest stopped";
	case HV_STATUS_ENTRY_FAILED: return "VM entry failed";
	case HV_STATUS_REFUSED: return "refused";
	case HV_STATUS_BAD_BOOT: return "bad boot";
	case HV_STATUS_PANIC: return "panic";
	}
	return "?";
}

/*
 * The last line of every run, on both channels (console.c), then the
 * machine's end (shared/lib/machine.c): tools/run passes a hosted run only
 * when COM2 ends with "exit: status=0 (the guest's)".
 */
void hv_exit(unsigned status)
{
	kprintf("exit: status=%u (hypervisor: %s)\n", status, hv_status_name(status));
	console_flush();
	machine_stop(status);
}

void hv_exit_guest(unsigned guest_status)
{
	if (guest_status <= HV_GUEST_STATUS_MAX) {
		kprintf("exit: status=%u (the guest's)\n", guest_status);
		console_flush();
		machine_stop(guest_status);
	}
	kprintf("exit: status=%u (the guest's %u: above %u, it cannot pass unchanged)\n",
		HV_STATUS_GUEST_HIGH, guest_status, HV_GUEST_STATUS_MAX);
	console_flush();
	machine_stop(HV_STATUS_GUEST_HIGH);
}

static void fail_boot(unsigned status, const char *what, const char *err)
{
	kprintf("hv: error: %s: %s\n", what, err);
	hv_exit(status);
}

static const void *phys(uint64_t addr, uint64_t len, void *ctx)
{
	(void)ctx;
	if (addr == 0 || addr + len < addr || addr + len > FOUR_GIB)
		return 0;
	return (const void *)addr;
}

/* One page of the hypervisor's pool, zeroed; 0 when the pool is spent. */
static uint64_t pool_page(void *ctx)
{
	uint64_t pa = pool_next;

	(void)ctx;
	if (pa + 4096 > pool_end)
		return 0;
	pool_next += 4096;
	memset((void *)pa, 0, 4096);
	return pa;
}

static uint64_t *ept_table(uint64_t pa, void *ctx)
{
	(void)ctx;
	return (uint64_t *)pa;
}

/* Is [a, b) clear of this image and every module? Returns where it is not. */
static uint64_t first_taken(uint64_t a, uint64_t b)
{
	uint64_t hit = b;
	unsigned i;

	if ((uint64_t)_load_start < b && (uint64_t)_bss_end > a && (uint64_t)_load_start < hit)
		hit = (uint64_t)_load_start > a ? (uint64_t)_load_start : a;
	for (i = 0; i < hv_boot.nr_modules; i++) {
		uint64_t ms = hv_boot.modules[i].start & ~0xffful, me = hv_boot.modules[i].end;
		if (ms < b && me > a && ms < hit)
			hit = ms > a ? ms : a;
	}
	return hit;
}

static uint64_t taken_end(uint64_t at)
{
	uint64_t end = at;
	unsigned i;

	if (at >= (uint64_t)_load_start && at < (uint64_t)_bss_end)
		end = (uint64_t)_bss_end;
	for (i = 0; i < hv_boot.nr_modules; i++)
		if (at >= (hv_boot.modules[i].start & ~0xffful) && at < hv_boot.modules[i].end &&
		    hv_boot.modules[i].end > end)
			end = hv_boot.modules[i].end;
	return (end + 4095) & ~4095ul;
}

/* The largest stretch of usable RAM below 4 GiB that nothing occupies. */
static void largest_free(uint64_t *base, uint64_t *len)
{
	unsigned i;

	*base = *len = 0;
	for (i = 0; i < hv_boot.nr_usable; i++) {
		uint64_t a = hv_boot.usable[i].base, e = a + hv_boot.usable[i].len;

		if (a < LOW_END)
			a = LOW_END;
		if (e > FOUR_GIB)
			e = FOUR_GIB;
		a = (a + 4095) & ~4095ul;
		while (a < e) {
			uint64_t t = first_taken(a, e);
			if (t - a > *len) {
				*base = a;
				*len = t - a;
			}
			if (t >= e)
				break;
			a = taken_end(t);
		}
	}
}

/* Is [pa, pa + len) usable RAM that nothing occupies (an AP's start-up
 * page, smp.c)? */
int hv_ram_free(uint64_t pa, uint64_t len)
{
	unsigned i;

	if (first_taken(pa, pa + len) != pa + len)
		return 0;
	for (i = 0; i < hv_boot.nr_usable; i++)
		if (pa >= hv_boot.usable[i].base &&
		    pa + len <= hv_boot.usable[i].base + hv_boot.usable[i].len)
			return 1;
	return 0;
}

/* The options (options.h), cut from a copy: hv_boot keeps the line whole. */
static struct hv_options opts;

static void parse_options(const char *line)
{
	static char buf[BOOT_CMDLINE_MAX];
	char err[160];

	_Static_assert(sizeof(buf) == sizeof(hv_boot.cmdline), "the whole line fits");
	memcpy(buf, line, sizeof(buf));
	if (hv_options_parse(buf, &opts, err, sizeof(err)))
		fail_boot(HV_STATUS_BAD_BOOT, "bad option", err);
	if (opts.break_vmcs && !strcmp(opts.break_vmcs, "ap-panic"))
		smp_break_ap_panic = 1;
	else if (opts.break_vmcs)
		kprintf("hv: breaking the VMCS's %s on purpose (break=)\n", opts.break_vmcs);
	stats_time = opts.stats_time;
	if (opts.abi_set) {
		hv_abi_version = opts.abi_version;
		kprintf("hv: claiming ABI version %u.%u (abi=)\n", opts.abi_version >> 16,
			opts.abi_version & 0xffff);
	}
}

static void pic_mask_all(void)
{
	/* The hypervisor owns the machine's 8259s: masked, they stay quiet. */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

/*
 * The guest's firmware tables: an RSDP, an RSDT and an MADT listing its
 * vCPUs' local APICs, where a BIOS puts them (GUEST_ACPI_GPA, in the
 * reserved [GUEST_LOW_END, 1 MiB) of its memory map), so that it finds
 * its CPUs as on any machine (shared/lib/acpi.c reads them back).
 */
static void guest_acpi_tables(void)
{
	uint32_t ids[HV_MAX_CPUS];
	char list[HV_MAX_CPUS * 11 + 1];
	size_t used = 0;
	unsigned i, n = 0;

	list[0] = 0;
	for (i = 0; i < hv_nr_vcpus; i++) {
		if (hv_vcpus[i]->smp.state == VCPU_OFF)
			continue;
		ids[n++] = hv_vcpus[i]->apic.id;
		used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%u", n > 1 ? "," : "",
					 hv_vcpus[i]->apic.id);
	}
	for (i = 0; i < n && ids[i] <= 254; i++)
		;
	if (i < n || !acpi_build_cpus(guest_mem.base + GUEST_ACPI_GPA, GUEST_ACPI_GPA,
				      GUEST_ACPI_SIZE, ids, n, APIC_BASE_DEFAULT)) {
		kprintf("hv: guest: no ACPI tables (APIC IDs %s: one needs an x2APIC entry)\n",
			list);
		return;
	}
	kprintf("hv: guest: ACPI tables at 0x%x: an MADT with %u CPU%s, APIC ID%s %s\n",
		GUEST_ACPI_GPA, n, n == 1 ? "" : "s", n == 1 ? "" : "s", list);
}

static void setup_guest(uint32_t *entry, uint32_t *info_gpa)
{
	const struct boot_module *img = &hv_boot.modules[0];
	struct mb_module_src mods[BOOT_MAX_MODULES];
	struct mb_image im;
	uint64_t base, len, g;
	char err[160];
	unsigned i;

	largest_free(&base, &len);
	pool_next = base;
	pool_end = base + HV_POOL_PAGES * 4096ul;
	g = (pool_end + SIZE_2M - 1) & ~(SIZE_2M - 1);
	if (g >= base + len || base + len - g < 4 * MIB)
		fail_boot(HV_STATUS_BAD_BOOT, "memory", "less than 4 MiB of RAM left for the guest");
	guest_mem.host_pa = g;
	guest_mem.base = (uint8_t *)g;
	guest_mem.size = (base + len - g) & ~(SIZE_2M - 1);
	if (guest_mem.size > opts.mem_max)      /* mem=, a whole number of 2 MiB */
		guest_mem.size = opts.mem_max;
	if (guest_mem.size > HV_MMIO_WINDOW)      /* RAM stays below the MMIO window */
		guest_mem.size = HV_MMIO_WINDOW;

	if (mb_load_image((const uint8_t *)(uint64_t)img->start, img->end - img->start,
			  &guest_mem, &im, err, sizeof(err)))
		fail_boot(HV_STATUS_BAD_BOOT, "cannot load the guest image (module 1)", err);
	for (i = 1; i < hv_boot.nr_modules; i++) {
		mods[i - 1].data = (const uint8_t *)(uint64_t)hv_boot.modules[i].start;
		mods[i - 1].len = hv_boot.modules[i].end - hv_boot.modules[i].start;
		mods[i - 1].cmdline = hv_boot.modules[i].cmdline;
	}
	/*
	 * The guest's line goes on as its loader gave it, image path or not:
	 * only the guest knows its own options without '=' (bootcmd.h).
	 */
	if (mb_build_info(&guest_mem, img->cmdline, mods, hv_boot.nr_modules - 1,
			  im.load_start, im.load_end, info_gpa, err, sizeof(err)))
		fail_boot(HV_STATUS_BAD_BOOT, "cannot build the guest's Multiboot info", err);
	*entry = im.entry;
	kprintf("hv: guest: %s image, entry 0x%x, loaded 0x%x-0x%x, %u module(s) handed on, "
		"info block at 0x%x\n", im.format, im.entry, im.load_start, im.load_end,
		hv_boot.nr_modules - 1, *info_gpa);
	kprintf("hv: guest: RAM %lu MiB at host 0x%lx; hypervisor pool at 0x%lx (%u pages)\n",
		guest_mem.size >> 20, guest_mem.host_pa, base, HV_POOL_PAGES);
	kprintf("hv: guest: cmdline '%s'\n", img->cmdline);
}

/* The guest's RAM and nothing else: its local APIC is virtual (apic.c). */
static void setup_ept(void)
{
	ept.alloc = pool_page;
	ept.table = ept_table;
	ept.large_pages = !!(caps.ept_vpid & EPT_CAP_2M);
	if (ept_init(&ept) ||
	    ept_map(&ept, 0, guest_mem.host_pa, guest_mem.size, EPT_RWX | EPT_MEM_WB))
		fail_boot(HV_STATUS_BAD_BOOT, "EPT", "out of pool pages for EPT tables");
	kprintf("hv: ept: %lu MiB mapped with %u tables (%s pages), nothing else\n",
		ept.mapped >> 20, ept.tables, ept.large_pages ? "2 MiB" : "4 KiB");
	eptp = ept_pointer(&ept);
}

/* Each CPU's own pages, from the pool on the boot CPU. */
static void vcpu_pages(struct vcpu *v)
{
	unsigned i;

	v->pages.vmxon = pool_page(0);
	v->pages.vmcs = pool_page(0);
	v->pages.msr_bitmap = pool_page(0);
	v->pages.msr_areas = pool_page(0);
	for (i = 0; i < AP_STACK_PAGES; i++)
		v->pages.stack_top = pool_page(0) + 4096;
	if (!v->pages.vmxon || !v->pages.vmcs || !v->pages.msr_bitmap || !v->pages.msr_areas ||
	    v->pages.stack_top == 4096)
		fail_boot(HV_STATUS_BAD_BOOT, "pool", "out of pool pages");
}

int hv_vcpu_setup(struct vcpu *v)
{
	if (vmx_enable(&caps, v->pages.vmxon))
		return -1;
	*(volatile uint32_t *)v->pages.vmcs = caps.revision;
	if (vmx_clear(v->pages.vmcs) || vmx_ptrld(v->pages.vmcs)) {
		kprintf("hv: error: VMCS: VMCLEAR/VMPTRLD failed on CPU %u\n", v->index);
		return -1;
	}
	v->caps = &caps;
	v->ctl = &controls;
	v->host_xcr0 = cpu_xsave_init(&v->xcr0_allowed);
	vmcs_setup(v, eptp, io_bitmaps, v->pages.msr_bitmap, guest_entry, guest_info_gpa);
	msr_init(v, (uint8_t *)v->pages.msr_bitmap, v->pages.msr_areas);
	apic_init(v);
	smp_vcpu_peers(v);
	vcpu_exit_slow_update(v);
	return 0;
}

/* Run the vCPU on this CPU until it stops; a failed VMLAUNCH or VMRESUME
 * is reported and stops it. */
void hv_vcpu_run(struct vcpu *v)
{
	switch (vmx_run(&v->regs)) {
	case 1:
		vmcs_report_entry_failure(v, 1);
		break;
	case 2:
		v->launched = 1;
		vmcs_report_entry_failure(v, 1);
		break;
	}
}

void kmain(uint32_t magic, uint32_t info_addr);

void kmain(uint32_t magic, uint32_t info_addr)
{
	uint64_t io_bitmap_b;
	struct vcpu *v, *first;
	char err[160];
	unsigned i;

	console_init();
	cpu_init(0);
	kprintf("hv: minimal VMX hypervisor\n");
	if (multiboot_parse(magic, info_addr, phys, 0, &hv_boot, err, sizeof(err)))
		fail_boot(HV_STATUS_BAD_BOOT, "bad Multiboot information", err);
	kprintf("hv: cmdline '%s', %u module(s), %lu MiB usable\n", hv_boot.cmdline,
		hv_boot.nr_modules, hv_boot.usable_bytes >> 20);
	parse_options(hv_boot.cmdline);
	if (!hv_boot.nr_modules)
		fail_boot(HV_STATUS_BAD_BOOT, "no guest",
			  "the guest image must be the first Multiboot module");

	if (vmx_probe(&caps) || vmx_controls(&caps, &controls))
		hv_exit(HV_STATUS_REFUSED);
	if (watchdog_init(&opts, &caps, &controls, err, sizeof(err)))
		fail_boot(HV_STATUS_BAD_BOOT, "watchdog", err);

	setup_guest(&guest_entry, &guest_info_gpa);
	io_bitmaps = pool_page(0);
	io_bitmap_b = pool_page(0);
	ASSERT(io_bitmap_b == io_bitmaps + 4096);       /* A and B, adjacent */
	if (!io_bitmaps || !io_bitmap_b)
		fail_boot(HV_STATUS_BAD_BOOT, "pool", "out of pool pages");
	io_init((uint8_t *)io_bitmaps, (uint8_t *)io_bitmaps + 4096);
	setup_ept();
	pic_mask_all();
	apic_host_init();

	smp_discover(&opts);
	for (i = 0; i < hv_nr_vcpus; i++)
		vcpu_pages(hv_vcpus[i]);
	smp_start_aps();
	v = hv_vcpus[0];
	if (hv_vcpu_setup(v))
		hv_exit(HV_STATUS_REFUSED);
	guest_acpi_tables();
	if (opts.break_vmcs && opts.break_vmcs[0] == 'g')
		vmcs_write(GUEST_RFLAGS, 0);            /* bit 1 must be 1 (27.3.1.4) */
	else if (opts.break_vmcs && opts.break_vmcs[0] == 'h')
		vmcs_write(HOST_TR_SELECTOR, 0);        /* must not be 0 (27.2.3) */
	kprintf("hv: entering the guest\n");
	hv_setup_tsc = rdtsc() - boot_tsc;
	hv_setup_console_tsc = uart_wait_tsc;
	audit_snapshot();
	watchdog_arm();
	smp_running(v);

	hv_vcpu_run(v);
	smp_vcpu_ended(v);
	smp_report();
	first = smp_first_stop();
	kprintf("hv: %s\n", first->stop_reason);
	/* A guest value left in root mode is the hypervisor's own failure,
	 * whatever the guest said. */
	if (audit_check()) {
		first->status = HV_STATUS_PANIC;
		first->guest_status = 0;
	}
	stats_print();
	apic_stats_print(hv_vcpus, hv_nr_vcpus);
	if (first->guest_status)
		hv_exit_guest(first->status);
	hv_exit(first->status);
}
