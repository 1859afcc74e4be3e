/*
 * pv_ops.c - the pv_ops template and its boot-time selection and patching.
 *
 * Every slot starts at its native_* function, so an unpatched kernel runs
 * natively through indirect calls. pv_boot() picks a backend from the
 * command line and what CPUID says we run on, patches every recorded site
 * (pv_patch.c) and prints the summary and, on request, the per-site report.
 *
 * Environment: guest kernel at boot, interrupts off, before idt users.
 */
/* SPDX-License-Identifier: MIT */
#include "abi/hv_abi.h"
#include "guest.h"
#include "lib.h"
#include "pv.h"
#include "pv_patch.h"
#include "x86.h"

void native_console_init(void);

#define PV_NATIVE_DECL(group, name, len, clob, nclob) extern const uint8_t native_##name[];
PV_OP_INLINE_LIST(PV_NATIVE_DECL)
#undef PV_NATIVE_DECL

struct pv_ops pv_ops = {
	.init = {
		.console_init = native_console_init,
		.backend = "native",
	},
	.platform = { .exit = native_exit },
#define PV_NATIVE_SLOT(group, name, len, clob, nclob) .group.name = native_##name,
	PV_OP_INLINE_LIST(PV_NATIVE_SLOT)
	PV_OP_CALL_LIST(PV_NATIVE_SLOT)        /* the C functions pv.h declares */
#undef PV_NATIVE_SLOT
};

extern struct pv_site __pv_sites_start[], __pv_sites_end[];

static enum pv_mode pv_mode_used = PV_MODE_NATIVE;
static const struct pv_backend *pv_backend_used = &pv_native_backend;

static void report_site(const struct pv_site *s, const struct pv_patch_result *r)
{
	const uint8_t *p = (const uint8_t *)s->addr;
	char hex[2 * 32 + 1];
	unsigned i;

	for (i = 0; i < s->len && i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", p[i]);
	kprintf("pv.site: op=%s addr=0x%lx len=%u bytes=%s choice=%s written=%u why=%s\n",
		s->op < PV_NR_OPS ? pv_op_info[s->op].name : "?", s->addr,
		s->len, hex, pv_choice_name(r->choice), r->written, r->why);
}

void pv_boot(enum pv_mode mode, int report, const struct hv_info *hv)
{
	const struct pv_backend *b = &pv_native_backend;
	struct pv_site *s;
	unsigned sites = (unsigned)(__pv_sites_end - __pv_sites_start), kept = 0, patched = 0;

	if (hv->present)
		kprintf("pv: hypervisor present: '%s'%s\n", hv->signature,
			hv->ours || hv->other_abi ? " (ours)" : "");
	if (hv->other_abi)
		kprintf("pv: the hypervisor speaks ABI %u.%u, this guest %u.%u: the major "
			"version differs: no hypercalls, falling back to native\n",
			hv->version >> 16, hv->version & 0xffff,
			HV_ABI_VERSION_MAJOR, HV_ABI_VERSION_MINOR);
	if (mode == PV_MODE_AUTO && hv->ours) {
		const struct pv_backend *hb = pv_hv_backend();
		if (hb)
			b = hb;
	}
	pv_mode_used = mode;
	pv_backend_used = b;

	if (mode == PV_MODE_NOPATCH) {
		kprintf("pv: backend=%s sites=%u patched=0 (pv=nopatch: indirect calls kept)\n",
			b->name, sites);
		if (report)
			for (s = __pv_sites_start; s < __pv_sites_end; s++) {
				struct pv_patch_result r = { PV_CHOICE_KEEP, 0, "pv=nopatch" };
				report_site(s, &r);
			}
		return;
	}

	for (s = __pv_sites_start; s < __pv_sites_end; s++) {
		struct pv_patch_result r;
		const struct pv_template *t = s->op < PV_NR_OPS ? &b->tmpl[s->op] : 0;
		static const struct pv_template none = { 0, 0, 0, 0 };

		if (pv_patch_site((uint8_t *)s->addr, s, t ? t : &none,
				  pv_slot_target(&pv_ops, s->op), &r) == PV_PATCH_OK)
			patched++;
		else
			kept++;
		if (report || r.choice == PV_CHOICE_KEEP)
			report_site(s, &r);
	}
	serialize();
	pv_ops.init.backend = b->name;
	kprintf("pv: backend=%s sites=%u patched=%u", b->name, sites, patched);
	if (kept)
		kprintf(" kept=%u", kept);
	kprintf("\n");
}

/*
 * How many NOP instructions a site of op executes beyond the op itself:
 * the benchmark's allowance over a direct build.
 */
unsigned pv_bench_pad(unsigned op)
{
#ifdef PV_DIRECT
	(void)op;
	return 0;                       /* no sites: the native instructions */
#else
	const struct pv_template *t = &pv_backend_used->tmpl[op];
	unsigned body;

	if (pv_mode_used == PV_MODE_NOPATCH)
		body = PV_CALL_INDIRECT_LEN;
	else
		body = t->bytes ? (unsigned)(t->end - t->bytes) : PV_CALL_DIRECT_LEN;
	return pv_op_info[op].site_len > body;
#endif
}
