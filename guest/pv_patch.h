/*
 * pv_patch.h - the boot-time patcher of pv call sites.
 *
 * A backend gives, per op, a template: either instruction bytes to write
 * inline, or none, meaning "direct call to the op's current pv_ops slot".
 * The patcher checks that the template fits the site and clobbers no more
 * than the site allows, writes it, and pads the rest of the site with one
 * multi-byte NOP. A site it cannot patch keeps its indirect call, which is
 * always correct, and says why.
 *
 * Environment: guest kernel at boot, interrupts off, one CPU; pure logic,
 * also compiled into the host tests.
 */
/* SPDX-License-Identifier: MIT */
#ifndef GUEST_PV_PATCH_H
#define GUEST_PV_PATCH_H

#include <stdint.h>
#include "pv_ops.h"

struct pv_template {
	const uint8_t *bytes;   /* inline sequence; NULL: direct call */
	const uint8_t *end;     /* one past its last byte */
	uint16_t clobbers;      /* PV_REG_* the sequence changes */
	const char *why;        /* the reason, for the patch report */
};

struct pv_backend {
	const char *name;
	struct pv_template tmpl[PV_NR_OPS];
};

enum pv_choice {
	PV_CHOICE_INLINE,       /* the template's bytes, then padding */
	PV_CHOICE_CALL,         /* call rel32 to the slot, then padding */
	PV_CHOICE_KEEP,         /* left as the indirect call */
};

enum pv_patch_err {
	PV_PATCH_OK = 0,
	PV_PATCH_EOP = -1,      /* op number out of range */
	PV_PATCH_ELEN = -2,     /* template or padding does not fit the site */
	PV_PATCH_ECLOB = -3,    /* template clobbers what the site keeps */
	PV_PATCH_ERANGE = -4,   /* call target beyond rel32 reach */
};

struct pv_patch_result {
	enum pv_choice choice;
	unsigned written;       /* instruction bytes, padding excluded */
	const char *why;
};

/* Longest NOP: one instruction is at most 15 bytes (SDM vol. 2A, 2.3.11). */
#define PV_NOP_MAX 15

/* Write one NOP instruction of exactly len (1..PV_NOP_MAX) bytes. */
void pv_nop_fill(uint8_t *p, unsigned len);

/*
 * Patch one site. mem is where its bytes live now (site->addr in the
 * guest; a buffer in host tests); call_target is the op's current slot.
 * On failure nothing is written and res says KEEP and why.
 */
int pv_patch_site(uint8_t *mem, const struct pv_site *site,
		  const struct pv_template *t, uint64_t call_target,
		  struct pv_patch_result *res);

/* The current target of op's slot in ops. */
uint64_t pv_slot_target(const struct pv_ops *ops, unsigned op);

const char *pv_choice_name(enum pv_choice c);

/* The native backend: each op's native instructions (pv_native.c). */
extern const struct pv_backend pv_native_backend;

/*
 * The hypervisor backend's templates for a hypervisor of abi_version
 * (major << 16 | minor), into b (pv_hv_tmpl.c). A template without bytes
 * is a direct call to the op's slot: pv_hv.c points cpuid's and, from
 * PV_HV_ABI_APIC, apic_eoi's at its thunks.
 */
#define PV_HV_ABI_APIC  3       /* the virtual APIC: PV EOI, timer_arm */
#define PV_HV_ABI_SMP   4       /* send_ipi_mask, flush_tlb_others, wait, kick */
void pv_hv_templates(struct pv_backend *b, uint32_t abi_version);

#endif
