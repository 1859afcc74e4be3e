/* tools/nested_vmlinux.c: a vmlinux ELF as one flat image for a PVH boot.
 *
 * Runs on the build host for tools/nested. Reads an x86-64 vmlinux (the
 * ELF that a bzImage carries compressed; trailing bytes after it, such as
 * the relocation table the decompressor appends, are ignored) and writes
 * its loadable segments as one flat image from the lowest physical
 * address up, gaps filled with zeros, so that boot/linux_boot.asm can read
 * it from disk in one piece to where it runs. Prints on stdout the three
 * numbers boot/nested_disk.asm takes, as NASM defines:
 *
 *   -DPVH_LOAD=0x...  -DPVH_END=0x...  -DPVH_ENTRY=0x...
 *
 * the physical load address, the end of the segments' memory (bss
 * included), and the 32-bit PVH entry from the Xen note
 * XEN_ELFNOTE_PHYS32_ENTRY (18), which Linux has with CONFIG_PVH. A
 * kernel without that note, segments above 4 GiB or overlapping, or a
 * file that is no ELF64 x86-64 executable is refused with the reason.
 *
 * Usage: nested_vmlinux VMLINUX FLAT-IMAGE-OUT
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define MAX_SEGMENTS 16

static const char *in_name;

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "nested_vmlinux: %s: ", in_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static unsigned char *read_file(const char *name, size_t *len)
{
	FILE *f = fopen(name, "rb");
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (!f)
		die("cannot open: %s", strerror(errno));
	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 1 << 24;
			buf = realloc(buf, cap);
			if (!buf)
				die("out of memory");
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got);
	if (ferror(f))
		die("read error: %s", strerror(errno));
	fclose(f);
	*len = n;
	return buf;
}

/* The PHYS32_ENTRY value in the PT_NOTE segment at [off, off + size). */
static int find_pvh_entry(const unsigned char *img, size_t len, uint64_t off,
			  uint64_t size, uint64_t *entry)
{
	uint64_t p = off, end = off + size;

	if (end > len || end < off)
		die("a note segment lies outside the file");
	while (p + sizeof(Elf64_Nhdr) <= end) {
		Elf64_Nhdr nh;
		uint64_t name_at, desc_at, next;

		memcpy(&nh, img + p, sizeof(nh));
		name_at = p + sizeof(nh);
		desc_at = name_at + ((nh.n_namesz + 3) & ~3u);
		next = desc_at + ((nh.n_descsz + 3) & ~3u);
		if (next > end)
			die("a note runs past its segment");
		if (nh.n_type == XEN_ELFNOTE_PHYS32_ENTRY && nh.n_namesz == 4 &&
		    !memcmp(img + name_at, "Xen", 4) &&
		    (nh.n_descsz == 4 || nh.n_descsz == 8)) {
			uint64_t v = 0;

			memcpy(&v, img + desc_at, nh.n_descsz);
			*entry = v;
			return 1;
		}
		p = next;
	}
	return 0;
}

int main(int argc, char **argv)
{
	Elf64_Ehdr eh;
	Elf64_Phdr load[MAX_SEGMENTS];
	unsigned char *img;
	size_t len;
	uint64_t lo = UINT64_MAX, hi_file = 0, hi_mem = 0, entry = 0;
	int nload = 0, have_entry = 0, i;
	FILE *out;

	if (argc != 3) {
		fprintf(stderr, "usage: nested_vmlinux VMLINUX FLAT-IMAGE-OUT\n");
		return 2;
	}
	in_name = argv[1];
	img = read_file(argv[1], &len);
	if (len < sizeof(eh))
		die("too short for an ELF header");
	memcpy(&eh, img, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_machine != EM_X86_64 ||
	    eh.e_type != ET_EXEC)
		die("not an x86-64 ELF64 executable (is it a vmlinux?)");
	if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phoff > len ||
	    (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) > len - eh.e_phoff)
		die("bad program header table");

	for (i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, img + eh.e_phoff + (size_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_NOTE && !have_entry)
			have_entry = find_pvh_entry(img, len, ph.p_offset, ph.p_filesz, &entry);
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		if (nload == MAX_SEGMENTS)
			die("more than %d loadable segments", MAX_SEGMENTS);
		if (ph.p_filesz > ph.p_memsz || ph.p_offset > len ||
		    ph.p_filesz > len - ph.p_offset)
			die("segment %d lies outside the file", i);
		if (ph.p_paddr + ph.p_memsz > 0xffffffffULL || ph.p_paddr + ph.p_memsz < ph.p_paddr)
			die("segment %d is not below 4 GiB (paddr 0x%" PRIx64 ")", i, ph.p_paddr);
		load[nload++] = ph;
		if (ph.p_paddr < lo)
			lo = ph.p_paddr;
		if (ph.p_paddr + ph.p_filesz > hi_file)
			hi_file = ph.p_paddr + ph.p_filesz;
		if (ph.p_paddr + ph.p_memsz > hi_mem)
			hi_mem = ph.p_paddr + ph.p_memsz;
	}
	if (!nload)
		die("no loadable segments");
	if (!have_entry)
		die("no XEN_ELFNOTE_PHYS32_ENTRY note: the kernel has no PVH entry (CONFIG_PVH)");
	for (i = 0; i < nload; i++) {
		int j;

		for (j = i + 1; j < nload; j++)
			if (load[i].p_paddr < load[j].p_paddr + load[j].p_memsz &&
			    load[j].p_paddr < load[i].p_paddr + load[i].p_memsz)
				die("loadable segments overlap in physical memory");
	}
	if (entry < lo || entry >= hi_file)
		die("the PVH entry 0x%" PRIx64 " is outside the image", entry);

	{
		size_t flat_len = (size_t)(hi_file - lo);
		unsigned char *flat = calloc(1, flat_len);

		if (!flat)
			die("out of memory");
		for (i = 0; i < nload; i++)
			memcpy(flat + (load[i].p_paddr - lo), img + load[i].p_offset,
			       (size_t)load[i].p_filesz);
		out = fopen(argv[2], "wb");
		if (!out || fwrite(flat, 1, flat_len, out) != flat_len || fclose(out)) {
			in_name = argv[2];
			die("cannot write: %s", strerror(errno));
		}
		free(flat);
	}
	printf("-DPVH_LOAD=0x%" PRIx64 " -DPVH_END=0x%" PRIx64 " -DPVH_ENTRY=0x%" PRIx64 "\n",
	       lo, hi_mem, entry);
	free(img);
	return 0;
}
