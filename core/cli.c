/* cli: command dispatch and option parsing (getopt_long), rendering of
 * results on stdout and of errors on stderr. No SQL and no Lua here: each
 * command calls the module that owns the work. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "api.h"
#include "commit.h"
#include "demo.h"
#include "err.h"
#include "evaluation.h"
#include "events.h"
#include "hook.h"
#include "plugin.h"
#include "render.h"
#include "reqlog.h"
#include "http.h"
#include "ljson.h"
#include "service.h"
#include "store.h"
#include "files.h"
#include "rules.h"
#include "diff.h"
#include "document.h"
#include "ruleset.h"
#include "ruletest.h"
#include "text.h"
#include "verify.h"
#include "whatif.h"

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
    "  serve [--listen ADDR:PORT] [--db PATH] [--rules DIR] [--web DIR] [--threads N]\n"
    "        [--webhook-allow CIDR,...] [--webhook-retry S,S,...] [--tick-seconds N]\n"
    "        [--plugins DIR] [--scripts DIR] [--connection-timeout S] [--request-timeout S]\n"
    "        [--max-connections-per-client N]\n"
    "                                            serve the platform (default 127.0.0.1:8080)\n"
    "  init [--db PATH]                          create or migrate the database\n"
    "  demo [--db PATH] [--rules DIR]            fill an empty database with demo data\n"
    "  org add --name NAME [--legal-form F] [--city C] [--region R] [--member-since DATE]\n"
    "                                            add an organisation; prints its id last\n"
    "  user add --email E --name N --role cae|auditor|committee|admin [--org ID]\n"
    "           [--certified-until DATE] --password-stdin\n"
    "                                            add a user; prints its id last\n"
    "  db backup FILE [--db PATH]                online backup, safe while serving\n"
    "  rules activate [--rules DIR | --ruleset HASH] --note TEXT [--label VERSION] [--db PATH]\n"
    "                                            test, show the what-if, then activate\n"
    "  rules rollback --note TEXT [--rules DIR] [--db PATH]\n"
    "                                            activate again the rule set active before\n"
    "  rules history [--db PATH]                 every activation\n"
    "  rules show HASH [--db PATH]               the files of a stored rule set\n"
    "  rules diff A B [--format json|text]       A and B: a rules folder or a stored hash\n"
    "  whatif [--rules DIR] [--format json|text] outcomes that candidate rules would change\n"
    "  assessments migrate --to HASH [--org ID]  move the drafts to a rule set\n"
    "  verify [--db PATH] [--record FILE]        replay every decision, check the chains\n"
    "  export-decision ID [--out FILE]           one decision's record, checkable alone\n"
    "  webhook add --url URL [--events TYPE,...] [--secret-stdin]\n"
    "                                            a webhook endpoint; prints its secret once\n"
    "  webhook log [--id N]                      every delivery attempt\n"
    "  tick [--db PATH]                          emit the time-based events due today\n"
    "  plugins list [--plugins DIR]              the plugins, their hooks and state\n"
    "  report list | report NAME [--param K=V]... [--format text|csv|json|html]\n"
    "         [--separator C] [--out FILE] [--scripts DIR] [--plugins DIR]\n"
    "                                            run an admin report script\n"
    "  document audit-report|certificate ID --out FILE.pdf\n"
    "                                            the audit report or the label certificate\n"
    "  version                                   print the version\n"
    "\n"
    "options for commands that run rules:\n"
    "  --rules DIR             rules folder (default: rules)\n"
    "  --max-instructions N    Lua instructions per call (default 50000000)\n"
    "  --max-memory MIB        memory per Lua state in MiB (default 64)\n"
    "  --db PATH               the database (default var/labelcoop.db)\n"
    "\n"
    "options for serve:\n"
    "  --connection-timeout S  close a connection silent for S seconds (default 30)\n"
    "  --request-timeout S     close a connection whose request headers are not whole S\n"
    "                          seconds after it opened or was last answered, or whose body\n"
    "                          is not whole S seconds after its headers (default 60)\n"
    "  --max-connections-per-client N\n"
    "                          connections open at once from one address (default 64)\n"
    "\n"
    "exit codes: 0 done, 1 a check failed, 2 bad input, 3 rules error\n";

typedef struct opts {
    const char *rules, *answers, *format, *db, *listen, *web;
    const char *name, *email, *role, *certified_until, *legal_form, *city, *region, *member_since;
    const char *note, *label, *to, *record, *out, *url, *events, *webhook_allow, *webhook_retry;
    const char *plugins, *scripts, *ruleset;
    char separator;
    cJSON *params; /* --param k=v, owned */
    long long org, threads, id, tick_seconds, connection_timeout, request_timeout;
    long long per_client; /* connections at once from one address */
    int password_stdin, secret_stdin;
    host_limits limits;
    int rest; /* index of the first argument after the options */
} opts;

enum {
    OPT_RULES = 256,
    OPT_ANSWERS,
    OPT_FORMAT,
    OPT_MAX_INSN,
    OPT_MAX_MEM,
    OPT_HELP,
    OPT_DB,
    OPT_LISTEN,
    OPT_WEB,
    OPT_THREADS,
    OPT_NAME,
    OPT_EMAIL,
    OPT_ROLE,
    OPT_ORG,
    OPT_CERTIFIED,
    OPT_PASSWORD_STDIN,
    OPT_LEGAL_FORM,
    OPT_CITY,
    OPT_REGION,
    OPT_MEMBER_SINCE,
    OPT_NOTE,
    OPT_LABEL,
    OPT_TO,
    OPT_RECORD,
    OPT_OUT,
    OPT_URL,
    OPT_EVENTS,
    OPT_SECRET_STDIN,
    OPT_ID,
    OPT_WEBHOOK_ALLOW,
    OPT_WEBHOOK_RETRY,
    OPT_TICK,
    OPT_CONN_TIMEOUT,
    OPT_REQ_TIMEOUT,
    OPT_PLUGINS,
    OPT_PARAM,
    OPT_SEPARATOR,
    OPT_SCRIPTS,
    OPT_PER_CLIENT,
    OPT_RULESET,
    OPT_ANY_FORMAT, /* not an option: marks a command whose --format is open */
};

static int fail(int code, const char *msg)
{
    fprintf(stderr, "labelcoop: %s\n", msg);
    return code;
}

static int fail_err(err *e)
{
    int code = e->code ? err_exit_code(e->code) : ERR_FAIL;
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

static bool allows(const int *allowed, int opt)
{
    for (; *allowed; allowed++)
        if (*allowed == opt)
            return true;
    return false;
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
        {"db", required_argument, NULL, OPT_DB},
        {"listen", required_argument, NULL, OPT_LISTEN},
        {"web", required_argument, NULL, OPT_WEB},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"name", required_argument, NULL, OPT_NAME},
        {"email", required_argument, NULL, OPT_EMAIL},
        {"role", required_argument, NULL, OPT_ROLE},
        {"org", required_argument, NULL, OPT_ORG},
        {"certified-until", required_argument, NULL, OPT_CERTIFIED},
        {"password-stdin", no_argument, NULL, OPT_PASSWORD_STDIN},
        {"legal-form", required_argument, NULL, OPT_LEGAL_FORM},
        {"city", required_argument, NULL, OPT_CITY},
        {"region", required_argument, NULL, OPT_REGION},
        {"member-since", required_argument, NULL, OPT_MEMBER_SINCE},
        {"note", required_argument, NULL, OPT_NOTE},
        {"label", required_argument, NULL, OPT_LABEL},
        {"to", required_argument, NULL, OPT_TO},
        {"record", required_argument, NULL, OPT_RECORD},
        {"out", required_argument, NULL, OPT_OUT},
        {"url", required_argument, NULL, OPT_URL},
        {"events", required_argument, NULL, OPT_EVENTS},
        {"secret-stdin", no_argument, NULL, OPT_SECRET_STDIN},
        {"id", required_argument, NULL, OPT_ID},
        {"webhook-allow", required_argument, NULL, OPT_WEBHOOK_ALLOW},
        {"webhook-retry", required_argument, NULL, OPT_WEBHOOK_RETRY},
        {"tick-seconds", required_argument, NULL, OPT_TICK},
        {"connection-timeout", required_argument, NULL, OPT_CONN_TIMEOUT},
        {"request-timeout", required_argument, NULL, OPT_REQ_TIMEOUT},
        {"plugins", required_argument, NULL, OPT_PLUGINS},
        {"param", required_argument, NULL, OPT_PARAM},
        {"separator", required_argument, NULL, OPT_SEPARATOR},
        {"scripts", required_argument, NULL, OPT_SCRIPTS},
        {"max-connections-per-client", required_argument, NULL, OPT_PER_CLIENT},
        {"ruleset", required_argument, NULL, OPT_RULESET},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->tick_seconds = -1;
    o->connection_timeout = 30;
    o->request_timeout = 60;
    o->per_client = 64;
    o->rules = "rules";
    o->db = "var/labelcoop.db";
    o->listen = "127.0.0.1:8080";
    o->web = "web";
    o->plugins = "plugins";
    o->scripts = "scripts";
    optind = 0; /* glibc: a full reset, commands parse their own argv */
    opterr = 0;
    int c;
    /* GNU getopt moves the positional arguments after the options. */
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
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
            /* json and text everywhere; a command listing OPT_ANY_FORMAT takes
             * more (reports: csv, html, xlsx, and what plugins add). */
            if (strcmp(optarg, "json") && strcmp(optarg, "text") &&
                !(allows(allowed, OPT_ANY_FORMAT) && optarg[0]))
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
        case OPT_THREADS:
            if (parse_count(optarg, 1, 64, &o->threads))
                return fail(ERR_INPUT, "--threads must be a whole number from 1 to 64");
            break;
        case OPT_ORG:
            if (parse_count(optarg, 1, (long long)1 << 53, &o->org))
                return fail(ERR_INPUT, "--org must be an organisation id");
            break;
        case OPT_PASSWORD_STDIN:
            o->password_stdin = 1;
            break;
        case OPT_SECRET_STDIN:
            o->secret_stdin = 1;
            break;
        case OPT_SEPARATOR:
            if (!(o->separator = render_separator(optarg)))
                return fail(ERR_INPUT, "--separator must be ',', ';' or a tab");
            break;
        case OPT_PARAM: {
            const char *eq = strchr(optarg, '=');
            if (!eq || eq == optarg)
                return fail(ERR_INPUT, "--param must be NAME=VALUE");
            if (!o->params)
                o->params = cJSON_CreateObject();
            char key[128];
            snprintf(key, sizeof key, "%.*s", (int)(eq - optarg), optarg);
            cJSON_DeleteItemFromObject(o->params, key);
            cJSON_AddStringToObject(o->params, key, eq + 1);
            break;
        }
        case OPT_ID:
            if (parse_count(optarg, 1, (long long)1 << 53, &o->id))
                return fail(ERR_INPUT, "--id must be a positive whole number");
            break;
        case OPT_TICK:
            if (parse_count(optarg, 0, 86400, &o->tick_seconds))
                return fail(ERR_INPUT, "--tick-seconds must be a whole number from 0 to 86400");
            break;
        case OPT_CONN_TIMEOUT:
            if (parse_count(optarg, 1, 3600, &o->connection_timeout))
                return fail(ERR_INPUT, "--connection-timeout: seconds, from 1 to 3600");
            break;
        case OPT_REQ_TIMEOUT:
            if (parse_count(optarg, 1, 3600, &o->request_timeout))
                return fail(ERR_INPUT, "--request-timeout: seconds, from 1 to 3600");
            break;
        case OPT_PER_CLIENT:
            if (parse_count(optarg, 1, HTTP_MAX_CONNECTIONS, &o->per_client))
                return fail(ERR_INPUT, "--max-connections-per-client: a whole number from 1 to "
                                       "1000");
            break;
        default: {
            /* The plain string options, stored by their slot. */
            const char **slot = c == OPT_DB              ? &o->db
                                : c == OPT_LISTEN        ? &o->listen
                                : c == OPT_WEB           ? &o->web
                                : c == OPT_NAME          ? &o->name
                                : c == OPT_EMAIL         ? &o->email
                                : c == OPT_ROLE          ? &o->role
                                : c == OPT_CERTIFIED     ? &o->certified_until
                                : c == OPT_LEGAL_FORM    ? &o->legal_form
                                : c == OPT_CITY          ? &o->city
                                : c == OPT_REGION        ? &o->region
                                : c == OPT_MEMBER_SINCE  ? &o->member_since
                                : c == OPT_NOTE          ? &o->note
                                : c == OPT_LABEL         ? &o->label
                                : c == OPT_TO            ? &o->to
                                : c == OPT_RECORD        ? &o->record
                                : c == OPT_OUT           ? &o->out
                                : c == OPT_URL           ? &o->url
                                : c == OPT_EVENTS        ? &o->events
                                : c == OPT_WEBHOOK_ALLOW ? &o->webhook_allow
                                : c == OPT_WEBHOOK_RETRY ? &o->webhook_retry
                                : c == OPT_PLUGINS       ? &o->plugins
                                : c == OPT_SCRIPTS       ? &o->scripts
                                : c == OPT_RULESET       ? &o->ruleset
                                                         : NULL;
            if (slot)
                *slot = optarg;
        }
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
    printf("%-6s %-44s %5s %9s %11s %7s\n", "field", "name", "total", "mandatory", "recommended",
           "advised");
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

/* ---- the platform ---------------------------------------------------------- */

/* Creates the folders above a database file, as `make run` expects var/. */
static int make_parent(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0755) != 0 && errno != EEXIST)
            return fail(ERR_INPUT, "cannot create the database's folder");
        *p = '/';
    }
    return ERR_OK;
}

static int open_db(const opts *o, store **db)
{
    err e = ERR_INIT;
    struct stat st;
    if (stat(o->db, &st) == 0 && !S_ISREG(st.st_mode)) {
        fprintf(stderr, "labelcoop: --db %s: not a file (a database file is expected)\n", o->db);
        return ERR_INPUT;
    }
    if (make_parent(o->db) != ERR_OK)
        return ERR_INPUT;
    if (store_open(o->db, db, &e) != ERR_OK)
        return fail_err(&e);
    return ERR_OK;
}

static int report(err *e)
{
    return fail_err(e);
}

static int cmd_init(const opts *o)
{
    store *db;
    int rc = open_db(o, &db);
    if (rc != ERR_OK)
        return rc;
    printf("database %s at schema version %d\n", o->db, store_schema_version(db));
    store_close(db);
    return ERR_OK;
}

static void add_text(cJSON *o, const char *key, const char *v)
{
    if (v)
        cJSON_AddStringToObject(o, key, v);
}

static int cmd_org_add(const opts *o)
{
    if (!o->name)
        return fail(ERR_INPUT, "org add: --name NAME is required");
    store *db;
    int rc = open_db(o, &db);
    if (rc != ERR_OK)
        return rc;
    cJSON *body = cJSON_CreateObject(), *out = NULL;
    add_text(body, "name", o->name);
    add_text(body, "legal_form", o->legal_form);
    add_text(body, "city", o->city);
    add_text(body, "region", o->region);
    add_text(body, "member_since", o->member_since);
    service s = {.db = db};
    err e = ERR_INIT;
    rc = service_org_add(&s, body, &out, &e);
    cJSON_Delete(body);
    store_close(db);
    if (rc != ERR_OK)
        return report(&e);
    printf("organisation %.0f\n", cJSON_GetNumberValue(cJSON_GetObjectItem(out, "id")));
    cJSON_Delete(out);
    return ERR_OK;
}

/* The first line of standard input, without its line ending; caller frees. */
static char *read_password(void)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, stdin);
    if (n < 0) {
        free(line);
        return NULL;
    }
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    return line;
}

static int cmd_user_add(const opts *o)
{
    if (!o->email || !o->name || !o->role || !o->password_stdin)
        return fail(ERR_INPUT, "user add: --email, --name, --role and --password-stdin are "
                               "required");
    char *password = read_password();
    if (!password)
        return fail(ERR_INPUT, "user add: no password on standard input");
    store *db;
    int rc = open_db(o, &db);
    if (rc != ERR_OK) {
        sodium_memzero(password, strlen(password));
        free(password);
        return rc;
    }
    cJSON *body = cJSON_CreateObject(), *out = NULL;
    add_text(body, "email", o->email);
    add_text(body, "name", o->name);
    add_text(body, "role", o->role);
    add_text(body, "certified_until", o->certified_until);
    add_text(body, "password", password);
    if (o->org)
        cJSON_AddNumberToObject(body, "organisation_id", (double)o->org);
    sodium_memzero(password, strlen(password));
    free(password);
    service s = {.db = db};
    err e = ERR_INIT;
    rc = service_user_add(&s, body, &out, &e);
    cJSON *pw = cJSON_GetObjectItem(body, "password");
    sodium_memzero(pw->valuestring, strlen(pw->valuestring));
    cJSON_Delete(body);
    store_close(db);
    if (rc != ERR_OK)
        return report(&e);
    printf("user %.0f\n", cJSON_GetNumberValue(cJSON_GetObjectItem(out, "id")));
    cJSON_Delete(out);
    return ERR_OK;
}

static int cmd_backup(const opts *o, const char *file)
{
    store *db;
    int rc = open_db(o, &db);
    if (rc != ERR_OK)
        return rc;
    err e = ERR_INIT;
    rc = store_backup(db, file, &e);
    store_close(db);
    if (rc != ERR_OK)
        return report(&e);
    printf("backup of %s written to %s\n", o->db, file);
    return ERR_OK;
}

static int cmd_demo(const opts *o)
{
    store *db;
    int rc = open_db(o, &db);
    if (rc != ERR_OK)
        return rc;
    err e = ERR_INIT;
    bool activated;
    ruleset_cache *cache = ruleset_cache_new(&o->limits);
    service s = {.db = db, .rulesets = cache};
    cJSON *logins = NULL;
    rc = ruleset_bootstrap(db, o->rules, &o->limits, &activated, &e);
    if (rc == ERR_OK)
        rc = ruleset_active(cache, db, NULL, &s.rules, &e);
    if (rc == ERR_OK)
        rc = demo_seed(&s, &logins, &e);
    ruleset_cache_free(cache);
    store_close(db);
    if (rc == ERR_CONFLICT) {
        printf("%s: %s\n", o->db, err_msg(&e));
        err_clear(&e);
        return ERR_OK;
    }
    if (rc != ERR_OK)
        return report(&e);
    printf("Demo data created in %s. Logins (shown this once):\n", o->db);
    const cJSON *l;
    cJSON_ArrayForEach(l, logins)
    {
        printf("  %-10s %-26s %s\n", cJSON_GetStringValue(cJSON_GetObjectItem(l, "role")),
               cJSON_GetStringValue(cJSON_GetObjectItem(l, "email")),
               cJSON_GetStringValue(cJSON_GetObjectItem(l, "password")));
    }
    cJSON_Delete(logins);
    return ERR_OK;
}

/* SIGHUP: the workers read the active rule set from the database again (a
 * repair made in the database behind labelcoop's back is then seen), and
 * whether it loads is said on stderr. The log is stderr: no file to reopen.
 * A rules folder is never activated here: activation runs the rule specs,
 * through `rules activate` or POST /rulesets. */
static void reload_rules(const opts *o)
{
    store *db;
    rules *r;
    err e = ERR_INIT;
    api_reload();
    if (store_open(o->db, &db, &e) != ERR_OK) {
        fprintf(stderr, "SIGHUP: %s\n", err_msg(&e));
        err_clear(&e);
        return;
    }
    ruleset_cache *cache = ruleset_cache_new(&o->limits);
    if (!cache)
        fprintf(stderr, "SIGHUP: out of memory\n");
    else if (ruleset_active(cache, db, NULL, &r, &e) != ERR_OK)
        reqlog_stderr("SIGHUP: %s", err_msg(&e)); /* the server's log: one line */
    else
        fprintf(stderr, "SIGHUP: the active rule set %s loads; the folder %s is not activated "
                        "(`labelcoop rules activate` does)\n",
                rules_hash(r), o->rules);
    ruleset_cache_free(cache);
    err_clear(&e);
    store_close(db);
}

/* Set once a stop's drain is over (http_stop): the scripts still running
 * in the workers then stop at their next instruction. */
static atomic_int serve_stopping;

static int cmd_serve(const opts *o)
{
    if (make_parent(o->db) != ERR_OK)
        return ERR_INPUT;
    api_config config = {
        .db_path = o->db,
        .rules_dir = o->rules,
        .limits = o->limits,
        .auth = {.idle_seconds = 30 * 60, .lifetime_seconds = 12 * 3600},
    };
    config.limits.interrupt = &serve_stopping;
    err e = ERR_INIT;
    if (api_init(&config, &e) != ERR_OK)
        return report(&e);
    /* Blocked here, so the server's threads inherit the mask and the signals
     * reach sigwait below. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* glibc gives freed memory back to the system as soon as 128 KiB lie free
     * at the top of a thread's heap, and faults it in again at the next
     * request: a server keeps up to 64 MiB of it instead. */
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    /* Past a file size limit (RLIMIT_FSIZE), a write then fails with EFBIG and
     * SQLite reports it (503) instead of the signal killing the server. */
    signal(SIGXFSZ, SIG_IGN);
    char settings[4200];
    snprintf(settings, sizeof settings, "%s/settings.json", o->plugins);
    config.plugins_dir = o->plugins;
    config.plugin_settings = settings;
    config.scripts_dir = o->scripts;
    hook_config hooks;
    hook_defaults(&hooks, o->db);
    hooks.allow = o->webhook_allow;
    hooks.plugins_dir = o->plugins;
    hooks.plugin_settings = settings;
    if (o->tick_seconds >= 0)
        hooks.tick_seconds = (int)o->tick_seconds;
    if (o->webhook_retry && hook_parse_delays(o->webhook_retry, &hooks) != 0)
        return fail(ERR_INPUT, "--webhook-retry: expected seconds, e.g. 0,5,300,1800");
    /* Answer writes, the most frequent, share transactions (see commit.h). */
    if (commit_open(o->db, &config.commits, &e) != ERR_OK)
        return report(&e);
    if (hook_start(&hooks, &config.hooks, &e) != ERR_OK) {
        commit_close(config.commits);
        return report(&e);
    }
    http_config hc = {o->listen,
                      o->web,
                      (unsigned)(o->threads ? o->threads : 4),
                      1 << 20,
                      (unsigned)o->connection_timeout,
                      (unsigned)o->request_timeout,
                      (unsigned)o->per_client,
                      &serve_stopping};
    http_server *server;
    if (http_start(&hc, api_handle, &config, &server, &e) != ERR_OK) {
        hook_stop(config.hooks);
        commit_close(config.commits);
        return report(&e);
    }
    printf("listening on http://%.*s:%d\n", (int)strcspn(o->listen, ":"), o->listen,
           http_port(server));
    fflush(stdout);
    int sig = 0;
    while (sigwait(&sigs, &sig) == 0 && sig == SIGHUP)
        reload_rules(o);
    fprintf(stderr, "signal %d: stopping\n", sig);
    document_stop(); /* a long PDF being drawn is given up: it never holds the stop */
    http_stop(server);
    hook_stop(config.hooks);
    api_shutdown();
    commit_close(config.commits);
    return ERR_OK;
}

/* ---- the rules lifecycle ------------------------------------------------------- */

/* A rule set named by a folder, or by a hash stored in the database. */
static int open_rules_arg(const opts *o, const char *arg, store **db, ruleset_cache *cache,
                          rules **r, bool *owned)
{
    struct stat st;
    err e = ERR_INIT;
    *owned = false;
    if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode)) {
        opts dir = *o;
        dir.rules = arg;
        *owned = true;
        return load_rules(&dir, r);
    }
    if (!*db && open_db(o, db) != ERR_OK)
        return ERR_INPUT;
    if (ruleset_get(cache, *db, arg, r, &e) != ERR_OK) {
        fprintf(stderr, "labelcoop: %s: neither a rules folder nor a stored rule set (%s)\n", arg,
                err_msg(&e));
        err_clear(&e);
        return ERR_INPUT;
    }
    return ERR_OK;
}

static int cmd_rules_diff(const opts *o, const char *a, const char *b)
{
    store *db = NULL;
    ruleset_cache *cache = ruleset_cache_new(&o->limits);
    rules *ra = NULL, *rb = NULL;
    bool own_a = false, own_b = false;
    int rc = open_rules_arg(o, a, &db, cache, &ra, &own_a);
    if (rc == ERR_OK)
        rc = open_rules_arg(o, b, &db, cache, &rb, &own_b);
    if (rc == ERR_OK) {
        cJSON *d = diff_rules(ra, rb);
        if (o->format && strcmp(o->format, "json") == 0) {
            rc = print_json(d);
        } else {
            char *text = diff_text(d);
            fputs(text ? text : "", stdout);
            free(text);
            cJSON_Delete(d);
        }
    }
    if (own_a)
        rules_free(ra);
    if (own_b)
        rules_free(rb);
    ruleset_cache_free(cache);
    store_close(db);
    return rc;
}

/* Opens the database and the active rule set, activating the folder's rules
 * on a database that never had any. */
static int open_active(const opts *o, store **db, ruleset_cache **cache, rules **active)
{
    err e = ERR_INIT;
    bool activated;
    *cache = NULL;
    *active = NULL;
    int rc = open_db(o, db);
    if (rc != ERR_OK)
        return rc;
    *cache = ruleset_cache_new(&o->limits);
    if (ruleset_bootstrap(*db, o->rules, &o->limits, &activated, &e) != ERR_OK ||
        ruleset_active(*cache, *db, NULL, active, &e) != ERR_OK) {
        ruleset_cache_free(*cache);
        store_close(*db);
        *cache = NULL;
        *db = NULL;
        return report(&e);
    }
    return ERR_OK;
}

static int print_whatif(const opts *o, cJSON *report_json)
{
    if (o->format && strcmp(o->format, "json") == 0)
        return print_json(report_json);
    char *text = whatif_text(report_json);
    fputs(text ? text : "", stdout);
    free(text);
    cJSON_Delete(report_json);
    return ERR_OK;
}

/* What candidate rules are weighed against, as the server's what-if: the
 * active rule set or, when it does not load, the latest activated that does
 * (said on stderr, with why the active one does not); *active NULL when no
 * rule set was ever activated, or none loads. *loads: the active one does. */
static int baseline(store *db, ruleset_cache *cache, rules **active, bool *loads, err *e)
{
    char *broken = NULL;
    int rc = ruleset_baseline(cache, db, NULL, active, &broken, e);
    *loads = !broken;
    if (broken)
        fprintf(stderr, "labelcoop: %s\n", broken);
    if (broken && *active)
        fprintf(stderr,
                "labelcoop: compared with rule set %s instead, the latest activated that "
                "loads\n",
                rules_hash(*active));
    free(broken);
    if (rc == ERR_NOT_FOUND) { /* the first rule set: nothing to weigh it against */
        err_clear(e);
        rc = ERR_OK;
    }
    return rc;
}

static int cmd_whatif(const opts *o)
{
    store *db;
    rules *active = NULL, *candidate;
    bool activated, loads;
    err e = ERR_INIT;
    int rc = open_db(o, &db);
    if (rc != ERR_OK)
        return rc;
    ruleset_cache *cache = ruleset_cache_new(&o->limits);
    if (ruleset_bootstrap(db, o->rules, &o->limits, &activated, &e) == ERR_OK &&
        baseline(db, cache, &active, &loads, &e) == ERR_OK && !active)
        err_set(&e, ERR_RULES, "no stored rule set loads: nothing to weigh the rules against");
    rc = e.code != ERR_OK ? report(&e) : load_rules(o, &candidate);
    if (rc == ERR_OK) {
        cJSON *out;
        rc = whatif_run(db, active, candidate, &out, &e) == ERR_OK ? print_whatif(o, out)
                                                                   : report(&e);
        rules_free(candidate);
    }
    ruleset_cache_free(cache);
    store_close(db);
    return rc;
}

static int keep_spec(const char *path)
{
    return strncmp(path, "spec/", 5) == 0;
}

/* The rule specs of the rules folder (DIR/spec), run against the candidate:
 * the folder itself, or a stored rule set's files with the folder's specs.
 * Nothing runs when the folder has no spec/ (as `rules test` would refuse). */
static int run_specs(const opts *o, const rules *candidate, bool stored, err *e)
{
    char spec_dir[4200];
    snprintf(spec_dir, sizeof spec_dir, "%s/spec", o->rules);
    struct stat st;
    if (stat(spec_dir, &st) != 0)
        return ERR_OK;
    fflush(stdout);
    if (!stored)
        return ruletest_child(o->rules, &o->limits, e);
    files_tree specs;
    if (files_tree_read(o->rules, ".lua", keep_spec, &specs, e) != ERR_OK)
        return e->code;
    int rc = ruletest_tree(rules_files(candidate), &specs, &o->limits, e);
    files_tree_free(&specs);
    return rc;
}

/* The what-if against what is active, then the activation. */
static int activate(const opts *o, store *db, ruleset_cache *cache, rules *candidate, err *e)
{
    rules *active = NULL;
    long long id = 0;
    bool loads;
    if (baseline(db, cache, &active, &loads, e) != ERR_OK)
        return e->code;
    if (loads && active && strcmp(rules_hash(active), rules_hash(candidate)) == 0) {
        printf("rule set %s is already the active one\n", rules_hash(candidate));
        return ERR_OK;
    }
    if (active) {
        cJSON *out = NULL;
        if (whatif_run(db, active, candidate, &out, e) != ERR_OK)
            return e->code;
        char *text = whatif_text(out);
        fputs(text ? text : "", stdout);
        free(text);
        cJSON_Delete(out);
    }
    if (ruleset_activate(db, candidate, o->label, o->note, 0, &id, e) != ERR_OK)
        return e->code;
    printf("activated rule set %s (activation %lld)\n", rules_hash(candidate), id);
    return ERR_OK;
}

/* `rules activate`: the folder's rules, or with --ruleset a stored rule
 * set (what restores service when the active one no longer loads). */
static int cmd_rules_activate(const opts *o)
{
    if (!o->note || !o->note[0])
        return fail(ERR_INPUT, "rules activate: --note TEXT is required (why this change)");
    store *db;
    int rc = open_db(o, &db);
    if (rc != ERR_OK)
        return rc;
    ruleset_cache *cache = ruleset_cache_new(&o->limits);
    rules *candidate = NULL;
    err e = ERR_INIT;
    if (o->ruleset) {
        rc = ruleset_get(cache, db, o->ruleset, &candidate, &e);
        if (rc == ERR_NOT_FOUND)
            err_set(&e, ERR_INPUT, "rules activate: --ruleset %s: no such stored rule set",
                    o->ruleset);
    } else if ((rc = load_rules(o, &candidate)) != ERR_OK) {
        candidate = NULL; /* reported */
    }
    if (rc == ERR_OK && (rc = run_specs(o, candidate, o->ruleset != NULL, &e)) == ERR_FAIL) {
        fprintf(stderr, "%s\n", err_msg(&e)); /* busted's report */
        err_set(&e, ERR_FAIL, "rules activate: the rule specs fail; nothing was activated");
    }
    if (rc == ERR_OK)
        rc = activate(o, db, cache, candidate, &e);
    if (e.code)
        rc = report(&e);
    if (!o->ruleset)
        rules_free(candidate);
    ruleset_cache_free(cache);
    store_close(db);
    return rc;
}

/* `rules rollback`: the rule set of the activation before the active one,
 * activated again as `rules activate --ruleset` does. */
static int cmd_rules_rollback(const opts *o)
{
    if (!o->note || !o->note[0])
        return fail(ERR_INPUT, "rules rollback: --note TEXT is required (why this change)");
    if (o->ruleset)
        return fail(ERR_INPUT, "rules rollback: takes no --ruleset (see rules activate)");
    store *db;
    int rc = open_db(o, &db);
    if (rc != ERR_OK)
        return rc;
    char hash[65];
    err e = ERR_INIT;
    rc = ruleset_previous(db, hash, &e);
    store_close(db);
    if (rc != ERR_OK)
        return report(&e);
    printf("rolling back to rule set %s\n", hash);
    opts back = *o;
    back.ruleset = hash;
    return cmd_rules_activate(&back);
}

static int cmd_rules_history(const opts *o)
{
    store *db;
    int rc = open_db(o, &db);
    if (rc != ERR_OK)
        return rc;
    cJSON *list;
    err e = ERR_INIT;
    rc = store_ruleset_history(db, &list, &e);
    store_close(db);
    if (rc != ERR_OK)
        return report(&e);
    if (o->format && strcmp(o->format, "json") == 0)
        return print_json(list);
    const cJSON *a;
    cJSON_ArrayForEach(a, list)
    {
        const char *label = cJSON_GetStringValue(cJSON_GetObjectItem(a, "label"));
        const char *by = cJSON_GetStringValue(cJSON_GetObjectItem(a, "activated_by_email"));
        printf("%3.0f  %s  %s  %-10s %-24s %s\n",
               cJSON_GetNumberValue(cJSON_GetObjectItem(a, "id")),
               cJSON_GetStringValue(cJSON_GetObjectItem(a, "activated_at")),
               cJSON_GetStringValue(cJSON_GetObjectItem(a, "ruleset")), label ? label : "-",
               by ? by : "(command line)", cJSON_GetStringValue(cJSON_GetObjectItem(a, "note")));
    }
    cJSON_Delete(list);
    return ERR_OK;
}

static int cmd_rules_show(const opts *o, const char *hash)
{
    store *db;
    int rc = open_db(o, &db);
    if (rc != ERR_OK)
        return rc;
    files_tree tree;
    err e = ERR_INIT;
    rc = store_ruleset_files(db, hash, &tree, &e);
    store_close(db);
    if (rc != ERR_OK)
        return report(&e);
    for (size_t i = 0; i < tree.count; i++)
        printf("==> %s <==\n%s%s", tree.paths[i], tree.data[i],
               tree.lens[i] && tree.data[i][tree.lens[i] - 1] == '\n' ? "" : "\n");
    files_tree_free(&tree);
    return ERR_OK;
}

static int cmd_verify(const opts *o)
{
    cJSON *rep = NULL;
    err e = ERR_INIT;
    int rc;
    if (o->record) {
        char *text;
        size_t len;
        cJSON *doc;
        if (files_read(o->record, &text, &len, &e) != ERR_OK)
            return report(&e);
        rc = ljson_parse(text, len, &doc, &e);
        free(text);
        if (rc != ERR_OK)
            return report(&e);
        rc = verify_export_check(doc, &o->limits, &rep, &e);
        cJSON_Delete(doc);
    } else {
        store *db;
        if ((rc = open_db(o, &db)) != ERR_OK)
            return rc;
        ruleset_cache *cache = ruleset_cache_new(&o->limits);
        rc = verify_database(db, cache, &rep, &e);
        ruleset_cache_free(cache);
        store_close(db);
    }
    if (rc != ERR_OK)
        return report(&e);
    bool ok = cJSON_IsTrue(cJSON_GetObjectItem(rep, "ok"));
    if (o->format && strcmp(o->format, "json") == 0) {
        print_json(rep);
        return ok ? ERR_OK : ERR_FAIL;
    }
    const cJSON *p;
    cJSON_ArrayForEach(p, cJSON_GetObjectItem(rep, "problems"))
    {
        const cJSON *id = cJSON_GetObjectItem(p, "decision");
        printf("%s %.0f: %s\n", id ? "decision" : "journal row",
               cJSON_GetNumberValue(id ? id : cJSON_GetObjectItem(p, "journal")),
               cJSON_GetStringValue(cJSON_GetObjectItem(p, "problem")));
    }
    printf("%s: %.0f decisions replayed", ok ? "verified" : "FAILED",
           cJSON_GetNumberValue(cJSON_GetObjectItem(rep, "decisions")));
    if (cJSON_GetObjectItem(rep, "journal_rows"))
        printf(", %.0f journal rows checked",
               cJSON_GetNumberValue(cJSON_GetObjectItem(rep, "journal_rows")));
    printf("\n");
    cJSON_Delete(rep);
    return ok ? ERR_OK : ERR_FAIL;
}

/* Writes len bytes of text to path, or to stdout without one. A path that
 * cannot be opened is bad input (exit 2, as for `db backup`), named; a
 * write that fails once it is open (a full disk) is a failure (exit 1). */
static int write_out(const char *cmd, const char *path, const char *text, size_t len)
{
    char msg[4400];
    FILE *f = path ? fopen(path, "wb") : stdout;
    if (!f) {
        snprintf(msg, sizeof msg, "%s: --out %s: cannot be written (%s)", cmd, path,
                 strerror(errno));
        return fail(ERR_INPUT, msg);
    }
    bool ok = fwrite(text, 1, len, f) == len;
    ok = (path ? fclose(f) : fflush(f)) == 0 && ok;
    if (ok)
        return ERR_OK;
    snprintf(msg, sizeof msg, "%s: writing %s failed (%s)", cmd, path ? path : "to stdout",
             strerror(errno));
    return fail(ERR_FAIL, msg);
}

static int cmd_export_decision(const opts *o, const char *id_text)
{
    long long id;
    if (parse_count(id_text, 1, (long long)1 << 53, &id))
        return fail(ERR_INPUT, "export-decision: expected a decision id");
    store *db;
    int rc = open_db(o, &db);
    if (rc != ERR_OK)
        return rc;
    cJSON *out;
    err e = ERR_INIT;
    rc = verify_export(db, id, &out, &e);
    store_close(db);
    if (rc != ERR_OK)
        return report(&e);
    char *text = cJSON_Print(out);
    cJSON_Delete(out);
    size_t len = text ? strlen(text) : 0;
    char *line = text ? realloc(text, len + 2) : NULL;
    if (!line) {
        free(text);
        return fail(ERR_FAIL, "export-decision: out of memory");
    }
    memcpy(line + len, "\n", 2);
    rc = write_out("export-decision", o->out, line, len + 1);
    free(line);
    return rc;
}

static int cmd_migrate(const opts *o)
{
    if (!o->to)
        return fail(ERR_INPUT, "assessments migrate: --to HASH is required");
    store *db;
    ruleset_cache *cache;
    rules *active;
    int rc = open_active(o, &db, &cache, &active);
    if (rc != ERR_OK)
        return rc;
    service s = {.db = db, .rules = active, .rulesets = cache};
    cJSON *out;
    err e = ERR_INIT;
    rc = service_migrate(&s, o->to, o->org, &out, &e) == ERR_OK ? print_json(out) : report(&e);
    ruleset_cache_free(cache);
    store_close(db);
    return rc;
}

static const int rules_opts[] = {OPT_RULES, OPT_FORMAT, OPT_MAX_INSN, OPT_MAX_MEM,
                                 OPT_DB,    OPT_NOTE,   OPT_LABEL,    OPT_RULESET, 0};
static const int whatif_opts[] = {OPT_RULES, OPT_FORMAT, OPT_MAX_INSN, OPT_MAX_MEM, OPT_DB, 0};
static const int verify_opts[] = {OPT_DB, OPT_RECORD, OPT_FORMAT, OPT_MAX_INSN, OPT_MAX_MEM, 0};
static const int export_opts[] = {OPT_DB, OPT_OUT, 0};
static const int migrate_opts[] = {OPT_DB, OPT_TO, OPT_ORG, OPT_RULES, 0};
static const int eval_opts[] = {OPT_RULES, OPT_ANSWERS, OPT_FORMAT, OPT_MAX_INSN, OPT_MAX_MEM, 0};

static const int db_opts[] = {OPT_DB, 0};
/* ---- webhooks and the scheduler --------------------------------------------------- */

static int cmd_webhook_add(const opts *o)
{
    if (!o->url)
        return fail(ERR_INPUT, "webhook add: --url URL is required");
    store *db;
    int rc = open_db(o, &db);
    if (rc != ERR_OK)
        return rc;
    cJSON *body = cJSON_CreateObject(), *out = NULL;
    cJSON_AddStringToObject(body, "url", o->url);
    if (o->events && strcmp(o->events, "*") != 0) {
        cJSON *list = cJSON_AddArrayToObject(body, "events");
        char buf[2048];
        snprintf(buf, sizeof buf, "%s", o->events);
        char *save = NULL;
        for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
            cJSON_AddItemToArray(list, cJSON_CreateString(t));
    }
    char *secret = o->secret_stdin ? read_password() : NULL;
    if (secret)
        cJSON_AddStringToObject(body, "secret", secret);
    service s = {.db = db};
    err e = ERR_INIT;
    rc = service_webhook_add(&s, body, &out, &e);
    if (secret) {
        sodium_memzero(secret, strlen(secret));
        free(secret);
    }
    cJSON_Delete(body);
    store_close(db);
    if (rc != ERR_OK)
        return report(&e);
    printf("webhook %.0f -> %s\n", cJSON_GetNumberValue(cJSON_GetObjectItem(out, "id")), o->url);
    if (!o->secret_stdin) /* the only time it is shown */
        printf("secret %s\n", cJSON_GetStringValue(cJSON_GetObjectItem(out, "secret")));
    cJSON_Delete(out);
    return ERR_OK;
}

static int cmd_webhook_log(const opts *o)
{
    store *db;
    int rc = open_db(o, &db);
    if (rc != ERR_OK)
        return rc;
    service s = {.db = db};
    err e = ERR_INIT;
    cJSON *hooks = NULL;
    bool found = false;
    rc = service_webhook_list(&s, &hooks, &e);
    const cJSON *w;
    cJSON_ArrayForEach(w, hooks)
    {
        long long id = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(w, "id"));
        if (rc != ERR_OK || (o->id && id != o->id))
            continue;
        found = true;
        cJSON *log = NULL;
        if ((rc = service_webhook_log(&s, id, &log, &e)) != ERR_OK)
            break;
        const char *reason = cJSON_GetStringValue(cJSON_GetObjectItem(w, "disabled_reason"));
        printf("webhook %lld %s%s%s\n", id, cJSON_GetStringValue(cJSON_GetObjectItem(w, "url")),
               reason ? " (disabled: " : "", reason ? reason : "");
        if (reason)
            printf(")\n");
        const cJSON *a;
        cJSON_ArrayForEach(a, log)
        {
            const cJSON *status = cJSON_GetObjectItem(a, "status");
            const char *error = cJSON_GetStringValue(cJSON_GetObjectItem(a, "error"));
            char code[8] = "---";
            if (cJSON_IsNumber(status))
                snprintf(code, sizeof code, "%d", (int)status->valuedouble);
            printf("  %s  event %.0f %-22s %s %5.0f ms  %s\n",
                   cJSON_GetStringValue(cJSON_GetObjectItem(a, "at")),
                   cJSON_GetNumberValue(cJSON_GetObjectItem(a, "event_id")),
                   cJSON_GetStringValue(cJSON_GetObjectItem(a, "type")), code,
                   cJSON_GetNumberValue(cJSON_GetObjectItem(a, "duration_ms")), error ? error : "");
        }
        cJSON_Delete(log);
    }
    cJSON_Delete(hooks);
    store_close(db);
    if (rc == ERR_OK && o->id && !found)
        err_set(&e, ERR_INPUT, "webhook log: --id %lld: no such webhook", o->id), rc = ERR_INPUT;
    return rc == ERR_OK ? ERR_OK : report(&e);
}

static int cmd_plugins_list(const opts *o)
{
    char settings[4200];
    snprintf(settings, sizeof settings, "%s/settings.json", o->plugins);
    plugin_set *set;
    cJSON *problems;
    err e = ERR_INIT;
    if (plugin_load(o->plugins, settings, NULL, &set, &problems, &e) != ERR_OK)
        return report(&e);
    cJSON *list = plugin_list(set);
    plugin_free(set);
    const cJSON *x;
    cJSON_ArrayForEach(x, problems) reqlog_stderr("not loaded: %s", x->valuestring);
    int rc = cJSON_GetArraySize(problems) ? ERR_RULES : ERR_OK;
    cJSON_Delete(problems);
    if (o->format && strcmp(o->format, "json") == 0) {
        print_json(list);
        return rc;
    }
    cJSON_ArrayForEach(x, list)
    {
        char *hooks = cJSON_PrintUnformatted(cJSON_GetObjectItem(x, "hooks"));
        printf("%-20s %-8s %4.0f  %-8s %s  %s\n",
               cJSON_GetStringValue(cJSON_GetObjectItem(x, "name")),
               cJSON_GetStringValue(cJSON_GetObjectItem(x, "version")),
               cJSON_GetNumberValue(cJSON_GetObjectItem(x, "priority")),
               cJSON_IsTrue(cJSON_GetObjectItem(x, "enabled")) ? "enabled" : "disabled",
               hooks ? hooks : "[]", cJSON_GetStringValue(cJSON_GetObjectItem(x, "description")));
        free(hooks);
    }
    cJSON_Delete(list);
    return rc;
}

static int cmd_document(const opts *o, const char *kind, const char *id_text)
{
    long long id;
    if (parse_count(id_text, 1, (long long)1 << 53, &id))
        return fail(ERR_INPUT, "document: expected an assessment id");
    if (!o->out)
        return fail(ERR_INPUT, "document: --out FILE.pdf is required");
    store *db;
    ruleset_cache *cache;
    rules *active;
    int rc = open_active(o, &db, &cache, &active);
    if (rc != ERR_OK)
        return rc;
    service s = {.db = db, .rules = active, .rulesets = cache};
    err e = ERR_INIT;
    rc = service_document(&s, id, kind, o->out, &e);
    ruleset_cache_free(cache);
    store_close(db);
    if (rc != ERR_OK)
        return report(&e);
    printf("%s of assessment %lld written to %s\n", kind, id, o->out);
    return ERR_OK;
}

/* ---- reports -------------------------------------------------------------------------- */

/* Atomic, lock-free, so safe in a handler: the signal may land on the
 * sandbox's watchdog thread while the report runs on this one. */
static atomic_int interrupted;

static void on_interrupt(int sig)
{
    (void)sig;
    atomic_store(&interrupted, 1);
}

/* A bar on standard error, only when it is a terminal. */
static void draw_progress(void *ud, double done, double total)
{
    (void)ud;
    if (!isatty(STDERR_FILENO) || total <= 0)
        return;
    int width = 40, full = (int)(width * (done > total ? 1 : done / total));
    fprintf(stderr, "\r[");
    for (int i = 0; i < width; i++)
        fputc(i < full ? '#' : ' ', stderr);
    fprintf(stderr, "] %3.0f%%", 100 * (done > total ? 1 : done / total));
    if (done >= total)
        fputc('\n', stderr);
    fflush(stderr);
}

static int cmd_report_list(const opts *o)
{
    store *db;
    ruleset_cache *cache;
    rules *active;
    int rc = open_active(o, &db, &cache, &active);
    if (rc != ERR_OK)
        return rc;
    service s = {.db = db, .rules = active, .rulesets = cache};
    cJSON *list;
    err e = ERR_INIT;
    rc = service_reports(&s, o->scripts, &list, &e);
    ruleset_cache_free(cache);
    store_close(db);
    if (rc != ERR_OK)
        return report(&e);
    if (o->format && strcmp(o->format, "json") == 0)
        return print_json(list);
    const cJSON *r;
    cJSON_ArrayForEach(r, list)
    {
        printf("%-20s %s\n", cJSON_GetStringValue(cJSON_GetObjectItem(r, "name")),
               cJSON_GetStringValue(cJSON_GetObjectItem(r, "title")));
        const cJSON *p;
        cJSON_ArrayForEach(p, cJSON_GetObjectItem(r, "params"))
        {
            const char *label = cJSON_GetStringValue(cJSON_GetObjectItem(p, "label"));
            printf("%-20s   --param %s=%s  %s\n", "",
                   cJSON_GetStringValue(cJSON_GetObjectItem(p, "name")),
                   cJSON_GetStringValue(cJSON_GetObjectItem(p, "type")), label ? label : "");
        }
    }
    cJSON_Delete(list);
    return ERR_OK;
}

static int cmd_report(const opts *o, const char *name)
{
    store *db;
    ruleset_cache *cache;
    rules *active;
    int rc = open_active(o, &db, &cache, &active);
    if (rc != ERR_OK)
        return rc;
    struct sigaction sa = {.sa_handler = on_interrupt}, old;
    sigaction(SIGINT, &sa, &old);
    /* Plugins may add formats (report_format). */
    char settings[4200];
    snprintf(settings, sizeof settings, "%s/settings.json", o->plugins);
    plugin_set *plugins = NULL;
    cJSON *problems = NULL;
    err pe = ERR_INIT;
    plugin_load(o->plugins, settings, NULL, &plugins, &problems, &pe);
    cJSON_Delete(problems);
    err_clear(&pe);
    service s = {.db = db,
                 .rules = active,
                 .rulesets = cache,
                 .plugins = plugins,
                 .progress = draw_progress,
                 .interrupt = &interrupted,
                 .limits = &o->limits};
    char *out = NULL, *type = NULL;
    size_t len = 0;
    err e = ERR_INIT;
    cJSON *none = cJSON_CreateObject();
    rc = service_report(&s, o->scripts, name, o->params ? o->params : none,
                        o->format ? o->format : "text", o->separator, &out, &len, &type, &e);
    cJSON_Delete(none);
    sigaction(SIGINT, &old, NULL);
    plugin_free(plugins);
    ruleset_cache_free(cache);
    store_close(db);
    if (rc != ERR_OK)
        return atomic_load(&interrupted) ? fail(ERR_FAIL, "report interrupted") : report(&e);
    rc = write_out("report", o->out, out, len);
    free(out);
    free(type);
    return rc;
}

static int cmd_tick(const opts *o)
{
    store *db;
    int rc = open_db(o, &db);
    if (rc != ERR_OK)
        return rc;
    hook_config c;
    hook_defaults(&c, o->db);
    char today[DATE_LEN + 1];
    date_today(today);
    int emitted = 0;
    err e = ERR_INIT;
    rc = events_tick(db, &c.events, today, &emitted, &e);
    store_close(db);
    if (rc != ERR_OK)
        return report(&e);
    printf("tick %s: %d events emitted\n", today, emitted);
    return ERR_OK;
}

static const int serve_opts[] = {
    OPT_DB,       OPT_LISTEN,  OPT_RULES,        OPT_WEB,           OPT_THREADS,
    OPT_MAX_INSN, OPT_MAX_MEM, OPT_TICK,         OPT_WEBHOOK_ALLOW, OPT_WEBHOOK_RETRY,
    OPT_PLUGINS,  OPT_SCRIPTS, OPT_CONN_TIMEOUT, OPT_REQ_TIMEOUT,   OPT_PER_CLIENT,
    0};
static const int report_opts[] = {OPT_DB,       OPT_RULES,     OPT_SCRIPTS,    OPT_PARAM,
                                  OPT_FORMAT,   OPT_SEPARATOR, OPT_OUT,        OPT_PLUGINS,
                                  OPT_MAX_INSN, OPT_MAX_MEM,   OPT_ANY_FORMAT, 0};
static const int plugins_opts[] = {OPT_PLUGINS, OPT_FORMAT, 0};
static const int webhook_opts[] = {OPT_DB, OPT_URL, OPT_EVENTS, OPT_SECRET_STDIN, OPT_ID, 0};
static const int demo_opts[] = {OPT_DB, OPT_RULES, 0};
static const int org_opts[] = {OPT_DB,           OPT_NAME, OPT_LEGAL_FORM, OPT_CITY, OPT_REGION,
                               OPT_MEMBER_SINCE, 0};
static const int user_opts[] = {OPT_DB,  OPT_EMAIL,     OPT_NAME,           OPT_ROLE,
                                OPT_ORG, OPT_CERTIFIED, OPT_PASSWORD_STDIN, 0};

/* Parses options for a command that takes no other argument than those. */
static int parse_only(int argc, char **argv, const int *allowed, opts *o, int positional)
{
    int rc = parse_opts(argc, argv, allowed, o);
    if (rc != ERR_OK)
        return rc;
    if (argc - o->rest != positional) {
        fprintf(stderr, "labelcoop: %s: expected %d argument%s before the options\n", argv[0],
                positional, positional == 1 ? "" : "s");
        return ERR_INPUT;
    }
    return ERR_OK;
}

/* "org add", "user add", "db backup": a noun, a verb, then options. */
static int cmd_noun(int argc, char **argv)
{
    const char *noun = argv[0];
    const char *verb = argc > 1 ? argv[1] : "";
    opts o;
    if (strcmp(noun, "org") == 0 && strcmp(verb, "add") == 0)
        return parse_only(argc - 1, argv + 1, org_opts, &o, 0) != ERR_OK ? ERR_INPUT
                                                                         : cmd_org_add(&o);
    if (strcmp(noun, "user") == 0 && strcmp(verb, "add") == 0)
        return parse_only(argc - 1, argv + 1, user_opts, &o, 0) != ERR_OK ? ERR_INPUT
                                                                          : cmd_user_add(&o);
    if (strcmp(noun, "webhook") == 0 && strcmp(verb, "add") == 0)
        return parse_only(argc - 1, argv + 1, webhook_opts, &o, 0) != ERR_OK ? ERR_INPUT
                                                                             : cmd_webhook_add(&o);
    if (strcmp(noun, "webhook") == 0 && strcmp(verb, "log") == 0)
        return parse_only(argc - 1, argv + 1, webhook_opts, &o, 0) != ERR_OK ? ERR_INPUT
                                                                             : cmd_webhook_log(&o);
    if (strcmp(noun, "document") == 0 &&
        (strcmp(verb, "audit-report") == 0 || strcmp(verb, "certificate") == 0))
        return parse_only(argc - 1, argv + 1, export_opts, &o, 1) != ERR_OK
                   ? ERR_INPUT
                   : cmd_document(&o, verb, argv[1 + o.rest]);
    if (strcmp(noun, "db") == 0 && strcmp(verb, "backup") == 0) {
        /* The file may come before or after the options. */
        int rc = parse_opts(argc - 1, argv + 1, db_opts, &o);
        if (rc != ERR_OK)
            return rc;
        if (argc - 1 - o.rest != 1)
            return fail(ERR_INPUT, "db backup: expected one FILE");
        return cmd_backup(&o, argv[1 + o.rest]);
    }
    fprintf(stderr, "labelcoop: unknown command '%s%s%s'\n%s", noun, *verb ? " " : "", verb, usage);
    return ERR_INPUT;
}

static int cmd_rules(int argc, char **argv)
{
    if (argc < 2)
        return fail(ERR_INPUT, "rules: expected check, list, test, activate, rollback, history, "
                               "show or diff");
    opts o;
    int rc = parse_opts(argc - 1, argv + 1, rules_opts, &o);
    if (rc != ERR_OK)
        return rc;
    const char *sub = argv[1];
    int positional = argc - 1 - o.rest;
    if (strcmp(sub, "test") == 0)
        return cmd_rules_test(&o, argc - 1, argv + 1);
    if (strcmp(sub, "show") == 0 && positional == 1)
        return cmd_rules_show(&o, argv[1 + o.rest]);
    if (strcmp(sub, "diff") == 0 && positional == 2)
        return cmd_rules_diff(&o, argv[1 + o.rest], argv[2 + o.rest]);
    if (strcmp(sub, "show") == 0 || strcmp(sub, "diff") == 0)
        return fail(ERR_INPUT, "usage: rules show HASH | rules diff A B (a folder or a hash each)");
    if (o.rest < argc - 1) {
        fprintf(stderr, "labelcoop: rules %s: unexpected argument '%s'\n", sub, argv[1 + o.rest]);
        return ERR_INPUT;
    }
    if (strcmp(sub, "check") == 0)
        return cmd_rules_check(&o);
    if (strcmp(sub, "list") == 0)
        return cmd_rules_list(&o);
    if (strcmp(sub, "activate") == 0)
        return cmd_rules_activate(&o);
    if (strcmp(sub, "rollback") == 0)
        return cmd_rules_rollback(&o);
    if (strcmp(sub, "history") == 0)
        return cmd_rules_history(&o);
    fprintf(stderr, "labelcoop: rules: unknown subcommand '%s'\n", sub);
    return ERR_INPUT;
}

static int run(int argc, char **argv)
{
    if (sodium_init() < 0)
        return fail(ERR_FAIL, "libsodium failed to initialise");
    /* Before any thread starts, as libcurl requires. */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return fail(ERR_FAIL, "libcurl failed to initialise");
    atexit(curl_global_cleanup);
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
    opts o;
    if (strcmp(cmd, "serve") == 0)
        return parse_only(argc - 1, argv + 1, serve_opts, &o, 0) != ERR_OK ? ERR_INPUT
                                                                           : cmd_serve(&o);
    if (strcmp(cmd, "init") == 0)
        return parse_only(argc - 1, argv + 1, db_opts, &o, 0) != ERR_OK ? ERR_INPUT : cmd_init(&o);
    if (strcmp(cmd, "demo") == 0)
        return parse_only(argc - 1, argv + 1, demo_opts, &o, 0) != ERR_OK ? ERR_INPUT
                                                                          : cmd_demo(&o);
    if (strcmp(cmd, "whatif") == 0)
        return parse_only(argc - 1, argv + 1, whatif_opts, &o, 0) != ERR_OK ? ERR_INPUT
                                                                            : cmd_whatif(&o);
    if (strcmp(cmd, "verify") == 0)
        return parse_only(argc - 1, argv + 1, verify_opts, &o, 0) != ERR_OK ? ERR_INPUT
                                                                            : cmd_verify(&o);
    if (strcmp(cmd, "export-decision") == 0)
        return parse_only(argc - 1, argv + 1, export_opts, &o, 1) != ERR_OK
                   ? ERR_INPUT
                   : cmd_export_decision(&o, argv[1 + o.rest]);
    if (strcmp(cmd, "assessments") == 0 && argc > 2 && strcmp(argv[2], "migrate") == 0)
        return parse_only(argc - 2, argv + 2, migrate_opts, &o, 0) != ERR_OK ? ERR_INPUT
                                                                             : cmd_migrate(&o);
    if (strcmp(cmd, "plugins") == 0 && argc > 2 && strcmp(argv[2], "list") == 0)
        return parse_only(argc - 2, argv + 2, plugins_opts, &o, 0) != ERR_OK ? ERR_INPUT
                                                                             : cmd_plugins_list(&o);
    if (strcmp(cmd, "report") == 0) {
        /* "report list" or "report NAME", then options. */
        const char *what = argc > 2 ? argv[2] : "";
        if (!*what || what[0] == '-')
            return fail(ERR_INPUT, "report: expected list or a report's name");
        int rc = parse_only(argc - 2, argv + 2, report_opts, &o, 0);
        if (rc == ERR_OK)
            rc = strcmp(what, "list") == 0 ? cmd_report_list(&o) : cmd_report(&o, what);
        cJSON_Delete(o.params);
        return rc;
    }
    if (strcmp(cmd, "tick") == 0)
        return parse_only(argc - 1, argv + 1, db_opts, &o, 0) != ERR_OK ? ERR_INPUT : cmd_tick(&o);
    if (strcmp(cmd, "org") == 0 || strcmp(cmd, "user") == 0 || strcmp(cmd, "db") == 0 ||
        strcmp(cmd, "webhook") == 0 || strcmp(cmd, "document") == 0)
        return cmd_noun(argc - 1, argv + 1);
    if (strcmp(cmd, "evaluate") == 0) {
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

/* Every command's status goes through one mapping to the documented exit
 * codes: a service's "not found" or "unavailable" never leaks out as 4 or 8. */
int cli_main(int argc, char **argv)
{
    return err_exit_code(run(argc, argv));
}
