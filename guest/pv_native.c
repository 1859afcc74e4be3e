/*
 * pv_native.c - the native backend of the hot pv ops.
 *
 * native_<op> is the op's native instruction sequence (PV_NATIVE_<op> in
 * pv_ops.h) followed by RET: the target of an unpatched site, and, between
 * its two labels, the template the native backend writes into every site.
 * Each preserves every register but its result, so it keeps the callee-save
 * contract of its sites.
 *
 * Environment: guest kernel; also built into the host tests (templates).
 */
/* SPDX-License-Identifier: MIT */
#include "pv_patch.h"

#define PV_NATIVE_FN(group, name, len, clob, nclob)                     \
	asm(".pushsection .text.pv_native,\"ax\"\n"                     \
	    ".globl native_" #name ", native_" #name "_end\n"           \
	    "native_" #name ":\n\t"                                     \
	    ".intel_syntax noprefix\n\t"                                \
	    PV_NATIVE_##name "\n"                                       \
	    ".att_syntax prefix\n"                                      \
	    "native_" #name "_end:\n\t"                                 \
	    "ret\n"                                                     \
	    ".popsection");                                             \
	extern const uint8_t native_##name[], native_##name##_end[];
PV_OP_INLINE_LIST(PV_NATIVE_FN)
#undef PV_NATIVE_FN

const struct pv_backend pv_native_backend = {
	.name = "native",
	.tmpl = {
#define PV_NATIVE_TMPL(group, name, len, clob, nclob)                   \
		[PV_OP_##name] = { native_##name, native_##name##_end,  \
				   nclob, "native instruction" },
		PV_OP_INLINE_LIST(PV_NATIVE_TMPL)
#undef PV_NATIVE_TMPL
#define PV_NATIVE_CALL(group, name, len, clob, nclob)                   \
		[PV_OP_##name] = { 0, 0, nclob, "native function" },
		PV_OP_CALL_LIST(PV_NATIVE_CALL)
#undef PV_NATIVE_CALL
	},
};

const struct pv_op_info pv_op_info[PV_NR_OPS] = {
#define PV_INFO(group, name, len, clob, nclob)                          \
	[PV_OP_##name] = { #name, PV_OP_OFFSET(group, name), len, clob },
	PV_OP_LIST(PV_INFO)
#undef PV_INFO
};
