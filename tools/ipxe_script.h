/*
 * ipxe_script.h - the boot.ipxe writer's interface, for its host test.
 *
 * Build machine only; see ipxe_script.c for what iPXE does to a script
 * line and how values survive it.
 */
/* SPDX-License-Identifier: MIT */
#ifndef TOOLS_IPXE_SCRIPT_H
#define TOOLS_IPXE_SCRIPT_H

#include <stddef.h>
#include <stdio.h>

/* What boot.ipxe sets before it chains netboot.ipxe. */
struct ipxe_boot {
	const char *mode;		/* "hosted" or "native" */
	const char *hv_args;		/* the hypervisor's command line */
	const char *guest_args;		/* the guest's command line */
};

/* The setting a value goes through as bytes; cleared after use. */
#define IPXE_SCRATCH "minivmx-bytes"

/* Why iPXE cannot hand VALUE over as it is, or NULL when it can. */
const char *ipxe_value_refused(const char *value);

/* Whether `set NAME VALUE` stores VALUE as it is. */
int ipxe_value_is_literal(const char *value);

/* The lines that set NAME to VALUE (which must not be refused). */
void ipxe_write_set(FILE *f, const char *name, const char *value);

/*
 * The whole boot.ipxe. Returns 0, or -1 with the reason in why when a
 * value cannot be handed over or the mode is unknown (nothing written).
 */
int ipxe_script_write(FILE *f, const struct ipxe_boot *b, char *why, size_t whylen);

#endif
