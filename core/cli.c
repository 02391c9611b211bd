/* cli: command dispatch and option parsing (getopt_long), rendering of
 * results on stdout and of errors on stderr. No SQL and no Lua here: each
 * command calls the module that owns the work. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "err.h"
#include "evaluation.h"
#include "files.h"
#include "rules.h"
#include "ruletest.h"
#include "text.h"

static const char usage[] =
    "usage: labelcoop <command> [options]\n"
    "\n"
    "commands:\n"
    "  rules check [--rules DIR]                 load and validate the rules, print counts\n"
    "  rules list  [--rules DIR] [--format json|text]\n"
    "                                            the référentiel, in declaration order\n"
    "  rules test  [--rules DIR] [-- BUSTED-ARGS] run the rule specs (DIR/spec)\n"
    "  evaluate --answers FILE|- [--rules DIR] [--format json|text]\n"
    "                                            evaluate answers under the rules\n"
    "  version                                   print the version\n"
    "\n"
    "options for commands that run rules:\n"
    "  --rules DIR             rules folder (default: rules)\n"
    "  --max-instructions N    Lua instructions per call (default 50000000)\n"
    "  --max-memory MIB        memory per Lua state in MiB (default 64)\n"
    "\n"
    "exit codes: 0 done, 1 a check failed, 2 bad input, 3 rules error\n";

typedef struct opts {
    const char *rules;
    const char *answers;
    const char *format;
    host_limits limits;
    int rest; /* index of the first argument after the options */
} opts;

enum { OPT_RULES = 256, OPT_ANSWERS, OPT_FORMAT, OPT_MAX_INSN, OPT_MAX_MEM, OPT_HELP };

static int fail(int code, const char *msg)
{
    fprintf(stderr, "labelcoop: %s\n", msg);
    return code;
}

static int fail_err(err *e)
{
    int code = e->code ? e->code : ERR_FAIL;
    fail(code, err_msg(e));
    err_clear(e);
    return code;
}

static int parse_count(const char *s, long long min, long long max, long long *out)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* Parses the options of a command; allowed lists the OPT_ values it takes. */
static int parse_opts(int argc, char **argv, const int *allowed, opts *o)
{
    static const struct option longopts[] = {
        {"rules", required_argument, NULL, OPT_RULES},
        {"answers", required_argument, NULL, OPT_ANSWERS},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"max-instructions", required_argument, NULL, OPT_MAX_INSN},
        {"max-memory", required_argument, NULL, OPT_MAX_MEM},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->rules = "rules";
    optind = 0; /* glibc: a full reset, commands parse their own argv */
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
        const int *a = allowed;
        while (*a && *a != c)
            a++;
        if (c == OPT_HELP) {
            fputs(usage, stdout);
            exit(0);
        }
        if (c == '?' || c == ':' || !*a) {
            fprintf(stderr, "labelcoop: %s: unknown or incomplete option '%s'\n%s", argv[0],
                    argv[optind - 1], usage);
            return ERR_INPUT;
        }
        long long v;
        switch (c) {
        case OPT_RULES:
            o->rules = optarg;
            break;
        case OPT_ANSWERS:
            o->answers = optarg;
            break;
        case OPT_FORMAT:
            if (strcmp(optarg, "json") && strcmp(optarg, "text"))
                return fail(ERR_INPUT, "--format must be json or text");
            o->format = optarg;
            break;
        case OPT_MAX_INSN:
            if (parse_count(optarg, 1000, 1000000000000LL, &v))
                return fail(ERR_INPUT, "--max-instructions must be a whole number from 1000 up");
            o->limits.instructions = v;
            break;
        case OPT_MAX_MEM:
            if (parse_count(optarg, 1, 65536, &v))
                return fail(ERR_INPUT, "--max-memory must be a number of MiB from 1 to 65536");
            o->limits.memory = (size_t)v << 20;
            break;
        }
    }
    o->rest = optind;
    return ERR_OK;
}

static int print_json(cJSON *doc)
{
    char *text = doc ? cJSON_Print(doc) : NULL;
    cJSON_Delete(doc);
    if (!text)
        return fail(ERR_FAIL, "out of memory");
    puts(text);
    free(text);
    return ERR_OK;
}

static int load_rules(const opts *o, rules **r)
{
    err e = ERR_INIT;
    if (rules_load(o->rules, &o->limits, r, &e) != ERR_OK) {
        fprintf(stderr, "labelcoop: %s: the rules do not load:\n", o->rules);
        fprintf(stderr, "%s\n", err_msg(&e));
        int code = e.code;
        err_clear(&e);
        return code;
    }
    return ERR_OK;
}

static int cmd_rules_check(const opts *o)
{
    rules *r;
    int rc = load_rules(o, &r);
    if (rc != ERR_OK)
        return rc;
    int total[LEVEL_COUNT] = {0};
    printf("rules %s: valid\n\n", o->rules);
    printf("%-6s %-44s %5s %9s %11s %7s\n", "field", "name", "total", "mandatory",
           "recommended", "advised");
    for (int f = 0; f < rules_field_count(r); f++) {
        int n[LEVEL_COUNT] = {0}, all = 0;
        for (int i = 0; i < rules_criterion_count(r); i++) {
            const rules_criterion *c = rules_criterion_at(r, i);
            if (c->field_index == f)
                n[c->level]++, all++;
        }
        for (int l = 0; l < LEVEL_COUNT; l++)
            total[l] += n[l];
        const rules_field *fd = rules_field_at(r, f);
        size_t w = text_width(fd->name);
        printf("%-6s %s%*s %5d %9d %11d %7d\n", fd->id, fd->name, (int)(w < 44 ? 44 - w : 0), "",
               all, n[0], n[1], n[2]);
    }
    printf("%-6s %-44s %5d %9d %11d %7d\n\n", "all", "", rules_criterion_count(r), total[0],
           total[1], total[2]);
    printf("ruleset %s\n", rules_hash(r));
    rules_free(r);
    return ERR_OK;
}

static int cmd_rules_list(const opts *o)
{
    rules *r;
    int rc = load_rules(o, &r);
    if (rc != ERR_OK)
        return rc;
    if (o->format && strcmp(o->format, "json") == 0) {
        rc = print_json(rules_to_json(r));
    } else {
        for (int i = 0; i < rules_criterion_count(r); i++) {
            const rules_criterion *c = rules_criterion_at(r, i);
            printf("%-8s %-12s %s\n", c->id, rules_level_name(c->level), c->statement);
        }
        printf("ruleset %s\n", rules_hash(r));
    }
    rules_free(r);
    return rc;
}

static int cmd_rules_test(const opts *o, int argc, char **argv)
{
    rules *r;
    int rc = load_rules(o, &r); /* a clear message before busted's own */
    if (rc != ERR_OK)
        return rc;
    printf("ruleset %s\n", rules_hash(r));
    fflush(stdout);
    rules_free(r);
    return ruletest_run(o->rules, &o->limits, argc - o->rest, argv + o->rest);
}

static int cmd_evaluate(const opts *o)
{
    if (!o->answers)
        return fail(ERR_INPUT, "evaluate: --answers FILE (or - for standard input) is required");
    err e = ERR_INIT;
    char *text = NULL;
    size_t len = 0;
    int rc = strcmp(o->answers, "-") == 0 ? files_read_stream(stdin, "stdin", &text, &len, &e)
                                          : files_read(o->answers, &text, &len, &e);
    if (rc != ERR_OK)
        return fail_err(&e);
    rules *r;
    rc = load_rules(o, &r);
    if (rc != ERR_OK) {
        free(text);
        return rc;
    }
    unsigned char *answers = malloc((size_t)rules_criterion_count(r) + 1);
    rules_input in;
    cJSON *result = NULL;
    if (!answers)
        rc = err_set(&e, ERR_FAIL, "out of memory");
    else if ((rc = evaluation_parse(r, text, len, &in, answers, &e)) != ERR_OK)
        err_set(&e, rc, "%s: %s", strcmp(o->answers, "-") ? o->answers : "stdin", err_msg(&e));
    else
        rc = rules_evaluate(r, &in, &result, &e);
    free(text);
    free(answers);
    rules_free(r);
    if (rc != ERR_OK)
        return fail_err(&e);
    if (o->format && strcmp(o->format, "text") == 0) {
        char *out = evaluation_text(result);
        cJSON_Delete(result);
        if (!out)
            return fail(ERR_FAIL, "out of memory");
        fputs(out, stdout);
        free(out);
        return ERR_OK;
    }
    return print_json(result);
}

static const int rules_opts[] = {OPT_RULES, OPT_FORMAT, OPT_MAX_INSN, OPT_MAX_MEM, 0};
static const int eval_opts[] = {OPT_RULES,    OPT_ANSWERS, OPT_FORMAT,
                                OPT_MAX_INSN, OPT_MAX_MEM, 0};

static int cmd_rules(int argc, char **argv)
{
    if (argc < 2)
        return fail(ERR_INPUT, "rules: expected check, list or test");
    opts o;
    int rc = parse_opts(argc - 1, argv + 1, rules_opts, &o);
    if (rc != ERR_OK)
        return rc;
    const char *sub = argv[1];
    if (strcmp(sub, "test") == 0)
        return cmd_rules_test(&o, argc - 1, argv + 1);
    if (o.rest < argc - 1) {
        fprintf(stderr, "labelcoop: rules %s: unexpected argument '%s'\n", sub,
                argv[1 + o.rest]);
        return ERR_INPUT;
    }
    if (strcmp(sub, "check") == 0)
        return cmd_rules_check(&o);
    if (strcmp(sub, "list") == 0)
        return cmd_rules_list(&o);
    fprintf(stderr, "labelcoop: rules: unknown subcommand '%s' (check, list, test)\n", sub);
    return ERR_INPUT;
}

int cli_main(int argc, char **argv)
{
    if (sodium_init() < 0)
        return fail(ERR_FAIL, "libsodium failed to initialise");
    if (argc < 2) {
        fputs(usage, stderr);
        return ERR_INPUT;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        fputs(usage, stdout);
        return ERR_OK;
    }
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("labelcoop %s\n", LABELCOOP_VERSION);
        return ERR_OK;
    }
    if (strcmp(cmd, "rules") == 0)
        return cmd_rules(argc - 1, argv + 1);
    if (strcmp(cmd, "evaluate") == 0) {
        opts o;
        int rc = parse_opts(argc - 1, argv + 1, eval_opts, &o);
        if (rc != ERR_OK)
            return rc;
        if (o.rest < argc - 1) {
            fprintf(stderr, "labelcoop: evaluate: unexpected argument '%s'\n", argv[1 + o.rest]);
            return ERR_INPUT;
        }
        return cmd_evaluate(&o);
    }
    fprintf(stderr, "labelcoop: unknown command '%s'\n%s", cmd, usage);
    return ERR_INPUT;
}
