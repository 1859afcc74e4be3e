/*
 * bootcmd.h - where the options of a boot command line begin, one rule for
 * both kernels; and decimal numbers in options, read without overflow.
 *
 * Loaders disagree on whether a command line starts with the image's own
 * path or URI:
 *
 *   loader                            kernel's line          module's line
 *   QEMU -kernel K -append A          "K A"                  -
 *   QEMU -initrd "F ARGS"             -                      "F ARGS"
 *   GRUB 2 multiboot /hv.elf ARGS     "/hv.elf ARGS" or,     -
 *                                     by version, "ARGS"
 *   GRUB 2 module /guest.elf ARGS     -                      "ARGS"
 *   iPXE kernel/module URI ARGS       "tftp://10.0.2.2/hv.elf ARGS"
 *                                     "http://h/guest.elf?x=y ARGS" (both)
 *   Bochs boot sector (tools/run)     "PATH ARGS"            "PATH ARGS"
 *   this hypervisor, for its guest    the guest module's line as its own
 *                                     loader gave it, unchanged
 *
 * So each kernel looks at the first word of its line (words are split at
 * blanks: space, tab, CR, LF) and takes it for the image's path or URI when
 *
 *   - it has a '/' before any '=': a path with a directory ("/hv.elf",
 *     "build/guest.elf") or a URI, query included ("tftp://10.0.2.2/x",
 *     "http://h:8080/guest.elf?a=b"); or
 *   - it has neither '/' nor '=' ("guest.elf") and is not one of the
 *     calling kernel's bare option words, its options without '=' (the
 *     guest's "pv.report"; the hypervisor has none).
 *
 * Otherwise the first word is an option: one with '=' and no '/' before
 * it ("mem=64M", "tests=a/b"), or a bare option word. Only the first word
 * is ever taken for the image; every later word is an option.
 *
 * What the rule cannot tell: an image whose bare file name is one of the
 * kernel's bare option words counts as that option; and a first word with
 * neither '/' nor '=' under a loader that gives no path (a mistyped bare
 * option) counts as the image, skipped rather than refused.
 *
 * Environment: either kernel at boot; pure logic, also in the host tests.
 */
/* SPDX-License-Identifier: MIT */
#ifndef SHARED_LIB_BOOTCMD_H
#define SHARED_LIB_BOOTCMD_H

#include <stddef.h>
#include <stdint.h>

/* A command line, cut by the rule above; both pointers point into it. */
struct bootcmd_split {
	const char *image;      /* the image's path or URI, or NULL */
	size_t image_len;       /* its length (the word is not NUL-terminated) */
	const char *options;    /* the first option word, or the line's NUL */
};

/* Whether c separates words: space, tab, CR or LF. */
int bootcmd_is_blank(char c);

/*
 * The next word at *p, NUL-terminated in place (the line is the caller's
 * copy), with *p moved past it; NULL at the line's end.
 */
char *bootcmd_next_word(char **p);

/*
 * Apply the rule to line. bare_options is the calling kernel's list of
 * options without '=', ended by NULL; NULL for none.
 */
void bootcmd_split(const char *line, const char *const *bare_options,
		   struct bootcmd_split *out);

#define BOOTCMD_NOT_A_NUMBER    (-1)
#define BOOTCMD_TOO_LARGE       (-2)

/*
 * Read the decimal digits at s (no sign, no spaces) as a number of at most
 * max into *out, and set *end past the last digit. Returns 0,
 * BOOTCMD_NOT_A_NUMBER when s does not start with a digit, or
 * BOOTCMD_TOO_LARGE when the number is above max (it may be far above
 * 2^64: nothing wraps).
 */
int bootcmd_number(const char *s, uint64_t max, uint64_t *out, const char **end);

#endif
