/*
 * options.c - parse the hypervisor's command line (the options are listed
 * in options.h).
 *
 * Environment: hypervisor at boot; pure logic, also in the host tests.
 */
/* SPDX-License-Identifier: MIT */
#include "options.h"
#include "bootcmd.h"
#include "lib.h"

#define ERR(...) (snprintf(err, errlen, __VA_ARGS__), -1)

#define OPT_ABI_PART_MAX 0xffffu
#define OPT_LIST "(options: mem=N[K|M|G] abi=MAJOR.MINOR break=guest-state|host-state|ap-panic " \
	"watchdog=N|Ns stats=time cpus=N)"

/* The suffix of mem=N[K|M|G], as the number's unit. */
static int opt_mem_unit(const char *s, const char **name, unsigned *shift)
{
	static const struct {
		char upper, lower;
		unsigned shift;
		const char *name;
	} units[] = { { 'K', 'k', 10, "K" }, { 'M', 'm', 20, "M" }, { 'G', 'g', 30, "G" } };
	unsigned i;

	*name = "";
	*shift = 0;
	if (!*s)
		return 0;
	for (i = 0; i < ARRAY_SIZE(units); i++)
		if ((*s == units[i].upper || *s == units[i].lower) && !s[1]) {
			*name = units[i].name;
			*shift = units[i].shift;
			return 0;
		}
	return -1;
}

static int opt_mem(const char *val, struct hv_options *o, char *err, size_t errlen)
{
	const char *end, *unit;
	unsigned shift;
	uint64_t v = 0;
	int r;

	r = bootcmd_number(val, UINT64_MAX, &v, &end);
	if (r == BOOTCMD_NOT_A_NUMBER || opt_mem_unit(end, &unit, &shift))
		return ERR("mem= takes N[K|M|G], got '%s'", val);
	/* The limit in the unit given: it reads as what the user wrote. */
	if (r == BOOTCMD_TOO_LARGE || v > UINT64_MAX >> shift)
		return ERR("mem= takes at most %llu%s, got '%s'",
			   (unsigned long long)(UINT64_MAX >> shift), unit, val);
	v <<= shift;
	if (v < HV_OPT_MEM_UNIT)
		return ERR("mem= takes at least 2M, got '%s'", val);
	if (v % HV_OPT_MEM_UNIT)
		return ERR("mem= takes a whole multiple of 2M (2097152 bytes), got '%s'", val);
	o->mem_max = v;
	return 0;
}

static int opt_abi(const char *val, struct hv_options *o, char *err, size_t errlen)
{
	const char *end;
	uint64_t major = 0, minor = 0;
	int r_major, r_minor = BOOTCMD_NOT_A_NUMBER;

	r_major = bootcmd_number(val, OPT_ABI_PART_MAX, &major, &end);
	if (r_major != BOOTCMD_NOT_A_NUMBER && *end == '.')
		r_minor = bootcmd_number(end + 1, OPT_ABI_PART_MAX, &minor, &end);
	if (r_major == BOOTCMD_NOT_A_NUMBER || r_minor == BOOTCMD_NOT_A_NUMBER || *end)
		return ERR("abi= takes MAJOR.MINOR, got '%s'", val);
	if (r_major || r_minor)
		return ERR("abi= takes MAJOR.MINOR, each at most %u, got '%s'",
			   OPT_ABI_PART_MAX, val);
	o->abi_set = 1;
	o->abi_version = (uint32_t)(major << 16 | minor);
	return 0;
}

static int opt_break(const char *val, struct hv_options *o, char *err, size_t errlen)
{
	if (!strcmp(val, "guest-state"))
		o->break_vmcs = "guest-state";
	else if (!strcmp(val, "host-state"))
		o->break_vmcs = "host-state";
	else if (!strcmp(val, "ap-panic"))
		o->break_vmcs = "ap-panic";
	else
		return ERR("break= takes guest-state|host-state|ap-panic, got '%s'", val);
	return 0;
}

/* watchdog=N (TSC ticks) or watchdog=Ns (seconds). */
static int opt_watchdog(const char *val, struct hv_options *o, char *err, size_t errlen)
{
	const char *end;
	uint64_t v = 0;
	int r, seconds;

	r = bootcmd_number(val, UINT64_MAX, &v, &end);
	seconds = r != BOOTCMD_NOT_A_NUMBER && *end == 's' && !end[1];
	if (r == BOOTCMD_NOT_A_NUMBER || (*end && !seconds))
		return ERR("watchdog= takes N (TSC ticks) or Ns (seconds), got '%s'", val);
	if (seconds && (r == BOOTCMD_TOO_LARGE || v > HV_OPT_WATCHDOG_SECONDS_MAX))
		return ERR("watchdog= takes at most %us, got '%s'",
			   HV_OPT_WATCHDOG_SECONDS_MAX, val);
	if (r == BOOTCMD_TOO_LARGE)
		return ERR("watchdog= takes at most %llu, got '%s'",
			   (unsigned long long)UINT64_MAX, val);
	if (v == 0)
		return ERR("watchdog= takes at least 1, got '%s'", val);
	o->watchdog = v;
	o->watchdog_seconds = seconds;
	return 0;
}

/* stats=time: the statistics time every exit's root mode too. */
static int opt_stats(const char *val, struct hv_options *o, char *err, size_t errlen)
{
	if (strcmp(val, "time"))
		return ERR("stats= takes time, got '%s'", val);
	o->stats_time = 1;
	return 0;
}

/* cpus=N: at most N CPUs, a vCPU on each. */
static int opt_cpus(const char *val, struct hv_options *o, char *err, size_t errlen)
{
	const char *end;
	uint64_t v = 0;
	int r = bootcmd_number(val, UINT64_MAX, &v, &end);

	if (r == BOOTCMD_NOT_A_NUMBER || *end || r == BOOTCMD_TOO_LARGE || v < 1 ||
	    v > HV_OPT_CPUS_MAX)
		return ERR("cpus= takes a count of 1-%u, got '%s'", HV_OPT_CPUS_MAX, val);
	o->cpus = (unsigned)v;
	return 0;
}

static const struct {
	const char *name;
	int (*parse)(const char *val, struct hv_options *o, char *err, size_t errlen);
} opt_table[] = {
	{ "mem", opt_mem },
	{ "abi", opt_abi },
	{ "break", opt_break },
	{ "watchdog", opt_watchdog },
	{ "stats", opt_stats },
	{ "cpus", opt_cpus },
};

int hv_options_parse(char *line, struct hv_options *o, char *err, size_t errlen)
{
	struct bootcmd_split split;
	char *p, *word, *val;
	unsigned i;

	o->mem_max = HV_OPT_MEM_ANY;
	o->abi_set = 0;
	o->abi_version = 0;
	o->break_vmcs = NULL;
	o->watchdog = 0;
	o->watchdog_seconds = 0;
	o->stats_time = 0;
	o->cpus = 0;
	if (errlen)
		err[0] = 0;

	bootcmd_split(line, NULL, &split);
	p = line + (split.options - line);
	while ((word = bootcmd_next_word(&p))) {
		for (val = word; *val && *val != '='; val++)
			;
		for (i = 0; *val && i < ARRAY_SIZE(opt_table); i++)
			if (strlen(opt_table[i].name) == (size_t)(val - word) &&
			    !strncmp(opt_table[i].name, word, (size_t)(val - word)))
				break;
		if (!*val || i == ARRAY_SIZE(opt_table))
			return ERR("unknown option '%s' " OPT_LIST, word);
		if (opt_table[i].parse(val + 1, o, err, errlen))
			return -1;
	}
	return 0;
}
