// SPDX-License-Identifier: MIT
/*
 * Command-line parser.  cmdline_parse() splits the line into words (blanks
 * separate, double quotes group) and hands NAME and VALUE of each to the
 * handler in cmdline_options[].  New options are new table entries.
 */
#include "boot/cmdline.h"
#include "lib/string.h"

/**
 * struct cmdline_option - one command-line option.
 * @name:      the text before '='
 * @has_value: NAME=VALUE (true) or a bare NAME (false)
 * @set:       apply @val (NULL for a bare option) to @cfg; returns NULL on
 *             success, else the reason the value is bad (for the message)
 */
struct cmdline_option {
	const char *name;
	bool has_value;
	const char *(*set)(struct hv_config *cfg, const char *val);
};

/* com1..com4|PORT[,BAUD] into *@port and *@baud: both or neither; NULL or why not. */
static const char *cmdline_serial(const char *val, u16 *port_out, u32 *baud_out)
{
	static const struct {
		const char *name;
		u16 port;
	} ports[] = { { "com1", 0x3f8 }, { "com2", 0x2f8 }, { "com3", 0x3e8 }, { "com4", 0x2e8 } };
	const char *comma = strchr(val, ',');
	size_t nlen = comma ? (size_t)(comma - val) : strlen(val);
	u64 port = 0, baud = *baud_out;
	const char *end;
	bool found = false;

	for (size_t i = 0; i < ARRAY_SIZE(ports); i++) {
		if (strlen(ports[i].name) == nlen && !strncmp(val, ports[i].name, nlen)) {
			port = ports[i].port;
			found = true;
		}
	}
	if (!found) {
		if (str_to_u64(val, &end, 0, &port) || end != val + nlen)
			return "port must be com1..com4 or a number";
		if (port == 0 || port > 0xfff8)
			return "I/O port out of range (1..0xfff8)";
	}
	if (comma) {
		if (str_to_u64(comma + 1, &end, 10, &baud) || *end)
			return "baud rate must be a decimal number";
		/* The 16550 divisor is 115200 / baud: it must be a whole number >= 1. */
		if (baud == 0 || baud > 115200 || 115200 % baud)
			return "baud rate must divide 115200 (e.g. 9600, 38400, 115200)";
	}
	*port_out = (u16)port;
	*baud_out = (u32)baud;
	return NULL;
}

/* console=com1..com4|PORT[,BAUD]: applied only if both parts are valid. */
static const char *cmdline_console(struct hv_config *cfg, const char *val)
{
	return cmdline_serial(val, &cfg->console_port, &cfg->console_baud);
}

/* gdb=com1..com4|PORT[,BAUD]: the GDB stub's serial port (vmx/gdb/, docs/gdb.md). */
static const char *cmdline_gdb(struct hv_config *cfg, const char *val)
{
	u16 port;
	u32 baud = CMDLINE_DEFAULT_BAUD;
	const char *why = cmdline_serial(val, &port, &baud);

	if (why)
		return why;
	cfg->gdb_port = port;
	cfg->gdb_baud = baud;
	return NULL;
}

static const char *cmdline_loglevel(struct hv_config *cfg, const char *val)
{
	static const char *const names[] = {
		[LOG_ERR] = "err", [LOG_WARN] = "warn", [LOG_INFO] = "info", [LOG_DEBUG] = "debug",
	};
	const char *end;
	u64 n;

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(val, names[i])) {
			cfg->loglevel = (enum log_level)i;
			return NULL;
		}
	}
	if (str_to_u64(val, &end, 10, &n) || *end || n > LOG_DEBUG)
		return "expected err, warn, info, debug or 0..3";
	cfg->loglevel = (enum log_level)n;
	return NULL;
}

static const char *cmdline_maxcpus(struct hv_config *cfg, const char *val)
{
	const char *end;
	u64 n;

	if (str_to_u64(val, &end, 10, &n) || *end)
		return "expected a decimal number";
	if (n == 0 || n > 65536)
		return "must be 1..65536";
	cfg->maxcpus = (unsigned int)n;
	return NULL;
}

static const char *cmdline_nosmp(struct hv_config *cfg, const char *val)
{
	cfg->nosmp = true;
	return NULL;
}

/* vm=...: kept as text; vmx/vm/vm_config.c parses and checks it when VMs start. */
static const char *cmdline_vm(struct hv_config *cfg, const char *val)
{
	if (cfg->vm_count == HV_MAX_VMS)
		return "too many vm= options (at most 8)";
	str_copy(cfg->vm_opts[cfg->vm_count++], val, CMDLINE_WORD_MAX);
	return NULL;
}

/* debug.fault=ud|pf|gp|stack|nmi: a debugging aid that checks the exception paths. */
static const char *cmdline_debug_fault(struct hv_config *cfg, const char *val)
{
	if (!strcmp(val, "ud"))
		cfg->debug_fault = CMDLINE_FAULT_UD;
	else if (!strcmp(val, "pf"))
		cfg->debug_fault = CMDLINE_FAULT_PF;
	else if (!strcmp(val, "gp"))
		cfg->debug_fault = CMDLINE_FAULT_GP;
	else if (!strcmp(val, "stack"))
		cfg->debug_fault = CMDLINE_FAULT_STACK;
	else if (!strcmp(val, "nmi"))
		cfg->debug_fault = CMDLINE_FAULT_NMI;
	else
		return "expected ud, pf, gp, stack or nmi";
	return NULL;
}

/* debug.nosipi=APICID: arch/x86/smp.c skips that CPU's start-up IPIs. */
static const char *cmdline_debug_nosipi(struct hv_config *cfg, const char *val)
{
	const char *end;
	u64 n;

	if (str_to_u64(val, &end, 0, &n) || *end || n > 0xffffffffu)
		return "expected an APIC id (a 32-bit number)";
	cfg->debug_nosipi = true;
	cfg->debug_nosipi_apic = (u32)n;
	return NULL;
}

/* trace=on|off: the per-CPU event rings (vmx/stats/trace.h); off measures their cost. */
static const char *cmdline_trace(struct hv_config *cfg, const char *val)
{
	if (!strcmp(val, "on"))
		cfg->trace_off = false;
	else if (!strcmp(val, "off"))
		cfg->trace_off = true;
	else
		return "expected on or off";
	return NULL;
}

/* debug.rsdpscan: arch/x86/acpi.c ignores the loader's RSDP copy. */
static const char *cmdline_debug_rsdpscan(struct hv_config *cfg, const char *val)
{
	cfg->debug_rsdp_scan = true;
	return NULL;
}

static const struct cmdline_option cmdline_options[] = {
	{ "console", true, cmdline_console },
	{ "gdb", true, cmdline_gdb },
	{ "loglevel", true, cmdline_loglevel },
	{ "maxcpus", true, cmdline_maxcpus },
	{ "nosmp", false, cmdline_nosmp },
	{ "trace", true, cmdline_trace },
	{ "vm", true, cmdline_vm },
	{ "debug.fault", true, cmdline_debug_fault },
	{ "debug.nosipi", true, cmdline_debug_nosipi },
	{ "debug.rsdpscan", false, cmdline_debug_rsdpscan },
};

void cmdline_defaults(struct hv_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->console_port = CMDLINE_DEFAULT_PORT;
	cfg->console_baud = CMDLINE_DEFAULT_BAUD;
	cfg->loglevel = LOG_INFO;
}

/* Apply one word (quotes already removed); false after a message if rejected. */
static bool cmdline_apply(struct hv_config *cfg, char *word)
{
	char *eq = strchr(word, '=');
	const char *val = NULL, *why;

	if (eq) {
		*eq = '\0';
		val = eq + 1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(cmdline_options); i++) {
		const struct cmdline_option *o = &cmdline_options[i];

		if (strcmp(word, o->name))
			continue;
		if (o->has_value && (!val || !*val))
			why = "needs a value (NAME=VALUE)";
		else if (!o->has_value && val)
			why = "takes no value";
		else
			why = o->set(cfg, val);
		if (!why)
			return true;
		if (eq)
			*eq = '=';
		pr_warn("cmdline: \"%s\" ignored: %s\n", word, why);
		return false;
	}
	if (eq)
		*eq = '=';
	pr_warn("cmdline: unknown option \"%s\" ignored\n", word);
	return false;
}

static bool cmdline_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int cmdline_parse(const char *s, struct hv_config *cfg)
{
	char word[CMDLINE_WORD_MAX];
	unsigned int rejected = 0;
	bool first = true;

	if (!s)
		return 0;
	for (;;) {
		size_t n = 0;
		bool quoted = false, too_long = false;
		const char *start;

		while (cmdline_blank(*s))
			s++;
		if (!*s)
			break;
		start = s;
		for (; *s && (quoted || !cmdline_blank(*s)); s++) {
			if (*s == '"') {
				quoted = !quoted;
				continue;
			}
			if (n + 1 < sizeof(word))
				word[n++] = *s;
			else
				too_long = true;
		}
		word[n] = '\0';
		if (too_long) {
			pr_warn("cmdline: word of %zu characters starting \"%.32s\" is longer than %d, "
				"ignored\n", (size_t)(s - start), start, CMDLINE_WORD_MAX - 1);
			rejected++;
		} else if (quoted) {
			pr_warn("cmdline: unterminated quote in \"%s\", ignored\n", word);
			rejected++;
		} else if (first && strchr(word, '/') && !strchr(word, '=')) {
			/* The image path some loaders put first. */
		} else if (n && !cmdline_apply(cfg, word)) {
			rejected++;
		}
		first = false;
	}
	cfg->errors += rejected;
	return (int)rejected;
}
