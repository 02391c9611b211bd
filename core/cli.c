/* cli: the command and option tables, their parsing (getopt_long) and
 * usages, the settings file (--config) and `config check`. The commands are
 * in cli_platform.c (the platform's data), cli_rules.c (rules, decisions)
 * and cli_serve.c (serve). Results on stdout, errors on stderr. No SQL and
 * no Lua here: each command calls the module that owns the work. */
#include "cli.h"
#include "cli_internal.h"

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "auth.h"
#include "cidr.h"
#include "clamd.h"
#include "config.h"
#include "err.h"
#include "format.h"
#include "http.h"
#include "listener.h"
#include "paths.h"
#include "version.h"
#include "webhook.h"


/* Option ids: indexes into cli_options[]; 0 ends a command's list. */
enum {
    OPT_RULES = 1,
    OPT_ANSWERS,
    OPT_FORMAT,
    OPT_MAX_INSN,
    OPT_MAX_MEM,
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
    OPT_CONFIG,
    OPT_SESSION_IDLE,
    OPT_SESSION_LIFETIME,
    OPT_MAX_BODY,
    OPT_LOGIN_CLIENT,
    OPT_LOGIN_ACCOUNT,
    OPT_LOGIN_WINDOW,
    OPT_BACKUP_DIR,
    OPT_BACKUP_KEEP,
    OPT_PUBLIC_URL,
    OPT_TRUSTED_PROXY,
    OPT_METRICS_ALLOW,
    OPT_LOG_FORMAT,
    OPT_DOCUMENTS,
    OPT_CLAMD,
    OPT_MAX_DOCUMENT,
    OPT_MAX_ORG_DOCUMENTS,
    OPT_TITLE,
    OPT_WITH_DOCUMENTS,
    OPT_SMTP_URL,
    OPT_SMTP_TLS,
    OPT_SMTP_USER,
    OPT_SMTP_PASSWORD_FILE,
    OPT_SMTP_CA_FILE,
    OPT_MAIL_FROM,
    OPT_STATUS,
    OPT_MAIL_RETRY,
    OPT_MAIL_TEMPLATES,
    OPT_COUNT,
    OPT_ANY_FORMAT = OPT_COUNT, /* not an option: marks a command whose --format is open */
};

/* getopt's value for an option: above every character, so 'h' stays -h. */
#define OPT_GETOPT_BASE 256

int cli_fail(int code, const char *msg)
{
    fprintf(stderr, "labelcoop: %s\n", msg);
    return code;
}

int cli_fail_err(err *e)
{
    int code = e->code ? err_exit_code(e->code) : ERR_FAIL;
    cli_fail(code, err_msg(e));
    err_clear(e);
    return code;
}

int cli_parse_count(const char *s, long long min, long long max, long long *out)
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

/* ---- the option table ---------------------------------------------------------- */

typedef enum {
    ARG_FLAG,  /* no argument: the int at slot becomes 1 */
    ARG_TEXT,  /* the argument itself, borrowed from argv */
    ARG_COUNT, /* a whole number from min to max, a long long at slot */
    ARG_OTHER, /* parsed and stored by the option's own function */
} arg_kind;

typedef struct cli_option cli_option;
struct cli_option {
    const char *name;
    arg_kind kind;
    size_t slot; /* where in opts the value goes */
    long long min, max;
    const char *invalid; /* the message for a value refused */
    int (*parse)(const cli_option *opt, const char *arg, const int *allowed, opts *o);
    const char *metavar, *help;
};

/* json and text everywhere; a command listing OPT_ANY_FORMAT takes more
 * (reports: csv, html, xlsx, and what plugins add). */
static int parse_format(const cli_option *opt, const char *arg, const int *allowed, opts *o)
{
    (void)opt;
    if (strcmp(arg, "json") && strcmp(arg, "text") && !(allows(allowed, OPT_ANY_FORMAT) && arg[0]))
        return ERR_INPUT;
    o->format = arg;
    return ERR_OK;
}

static int parse_memory(const cli_option *opt, const char *arg, const int *allowed, opts *o)
{
    (void)allowed;
    long long v;
    if (cli_parse_count(arg, opt->min, opt->max, &v))
        return ERR_INPUT;
    o->limits.memory = (size_t)v << 20;
    return ERR_OK;
}

static int parse_separator(const cli_option *opt, const char *arg, const int *allowed, opts *o)
{
    (void)opt, (void)allowed;
    if (!(o->separator = format_separator(arg)))
        return ERR_INPUT;
    return ERR_OK;
}

/* --param NAME=VALUE, the last one of a name winning. */
static int parse_param(const cli_option *opt, const char *arg, const int *allowed, opts *o)
{
    (void)opt, (void)allowed;
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg)
        return ERR_INPUT;
    if (!o->params)
        o->params = cJSON_CreateObject();
    char key[128];
    snprintf(key, sizeof key, "%.*s", (int)(eq - arg), arg);
    cJSON_DeleteItemFromObject(o->params, key);
    cJSON_AddStringToObject(o->params, key, eq + 1);
    return ERR_OK;
}

#define SLOT(field) offsetof(opts, field)
#define TEXT(name, field, meta, help) {name, ARG_TEXT, SLOT(field), 0, 0, NULL, NULL, meta, help}
#define FLAG(name, field, help) {name, ARG_FLAG, SLOT(field), 0, 0, NULL, NULL, NULL, help}
/* A count's refusal is said from its bounds (option_refusal). */
#define COUNT(name, field, min, max, meta, help)                                                  \
    {name, ARG_COUNT, SLOT(field), min, max, NULL, NULL, meta, help}
#define OTHER(name, parse, min, max, invalid, meta, help)                                         \
    {name, ARG_OTHER, 0, min, max, invalid, parse, meta, help}
#define ID_MAX ((long long)1 << 53)

static const cli_option cli_options[OPT_COUNT] = {
    [OPT_RULES] = TEXT("rules", rules, "DIR", "rules folder (default: rules)"),
    [OPT_ANSWERS] = TEXT("answers", answers, "FILE|-", "the answers (- for standard input)"),
    [OPT_FORMAT] = OTHER("format", parse_format, 0, 0, "--format must be json or text", "F",
                         "json or text (reports: also csv, html and plugins' formats)"),
    [OPT_MAX_INSN] = COUNT("max-instructions", limits.instructions, 1000, 1000000000000LL, "N",
                           "Lua instructions per call (default 50000000)"),
    [OPT_MAX_MEM] = OTHER("max-memory", parse_memory, 1, 65536,
                          "--max-memory must be a number of MiB from 1 to 65536", "MIB",
                          "memory per Lua state in MiB (default 64)"),
    [OPT_DB] = TEXT("db", db, "PATH", "the database (default var/labelcoop.db)"),
    [OPT_LISTEN] = TEXT("listen", listen, "ADDR:PORT", "where to listen (default 127.0.0.1:8080)"),
    [OPT_WEB] = TEXT("web", web, "DIR", "the pages served (default web)"),
    [OPT_THREADS] = COUNT("threads", threads, 1, 64, "N",
                          "worker threads (default 4)"),
    [OPT_NAME] = TEXT("name", name, "NAME", "the name"),
    [OPT_EMAIL] = TEXT("email", email, "E", "the e-mail address, the login"),
    [OPT_ROLE] = TEXT("role", role, "ROLE", "cae, auditor, committee or admin"),
    [OPT_ORG] = COUNT("org", org, 1, ID_MAX, "ID",
                      "an organisation's id"),
    [OPT_CERTIFIED] = TEXT("certified-until", certified_until, "DATE", "an auditor's certificate"),
    [OPT_PASSWORD_STDIN] = FLAG("password-stdin", password_stdin,
                                "read the password from the first line of standard input"),
    [OPT_LEGAL_FORM] = TEXT("legal-form", legal_form, "F", "the legal form"),
    [OPT_CITY] = TEXT("city", city, "C", "the city"),
    [OPT_REGION] = TEXT("region", region, "R", "the region"),
    [OPT_MEMBER_SINCE] = TEXT("member-since", member_since, "DATE", "member of the network since"),
    [OPT_NOTE] = TEXT("note", note, "TEXT", "why this change (kept in the history)"),
    [OPT_LABEL] = TEXT("label", label, "VERSION", "a version label for the rule set"),
    [OPT_TO] = TEXT("to", to, "HASH", "the rule set to move to"),
    [OPT_RECORD] = TEXT("record", record, "FILE", "check one exported decision instead"),
    [OPT_WITH_DOCUMENTS] = FLAG("with-documents", with_documents,
                                "the documents the decision saw too, in FILE.documents/ "
                                "(needs --out FILE)"),
    [OPT_OUT] = TEXT("out", out, "FILE", "write there (default: standard output)"),
    [OPT_URL] = TEXT("url", url, "URL", "the endpoint"),
    [OPT_EVENTS] = TEXT("events", events, "TYPE,...", "the event types sent (default: all)"),
    [OPT_SECRET_STDIN] = FLAG("secret-stdin", secret_stdin,
                              "read the signing secret from standard input"),
    [OPT_ID] = COUNT("id", id, 1, ID_MAX, "N",
                     "only this webhook"),
    [OPT_WEBHOOK_ALLOW] = TEXT("webhook-allow", webhook_allow, "CIDR,...",
                               "private addresses webhooks may reach"),
    [OPT_WEBHOOK_RETRY] = TEXT("webhook-retry", webhook_retry, "S,S,...",
                               "delays between delivery attempts, in seconds"),
    [OPT_TICK] = COUNT("tick-seconds", tick_seconds, 0, 86400, "N",
                       "seconds between daily ticks (0: none)"),
    [OPT_CONN_TIMEOUT] = COUNT("connection-timeout", connection_timeout, 1, 3600, "S",
                               "close a connection silent for S seconds (default 30)"),
    [OPT_REQ_TIMEOUT] = COUNT("request-timeout", request_timeout, 1, 3600, "S",
                              "close a connection whose request headers are not whole S seconds "
                              "after it opened or was last answered, or whose body is not whole "
                              "S seconds after its headers (default 60)"),
    [OPT_PLUGINS] = TEXT("plugins", plugins, "DIR", "plugins folder (default: plugins)"),
    [OPT_PARAM] = OTHER("param", parse_param, 0, 0, "--param must be NAME=VALUE", "K=V",
                        "a report parameter, repeatable"),
    [OPT_SEPARATOR] = OTHER("separator", parse_separator, 0, 0,
                            "--separator must be ',', ';' or a tab", "C", "the CSV separator"),
    [OPT_SCRIPTS] = TEXT("scripts", scripts, "DIR", "report scripts folder (default: scripts)"),
    [OPT_PER_CLIENT] = COUNT("max-connections-per-client", per_client, 1, HTTP_MAX_CONNECTIONS, "N",
                             "connections open at once from one address (default 64)"),
    [OPT_RULESET] = TEXT("ruleset", ruleset, "HASH", "a stored rule set instead of the folder"),
    [OPT_CONFIG] = TEXT("config", config, "FILE",
                        "settings, one 'option = value' a line (default: $LABELCOOP_CONFIG)"),
    [OPT_SESSION_IDLE] = COUNT("session-idle", session_idle, 1, 31536000, "S",
                               "a session unused for S seconds ends (default 1800)"),
    [OPT_SESSION_LIFETIME] = COUNT("session-lifetime", session_lifetime, 1, 31536000, "S",
                                   "no session lasts longer than S seconds (default 43200)"),
    [OPT_MAX_BODY] = COUNT("max-body", max_body, 1024, 1LL << 30, "BYTES",
                           "larger request bodies get 413 (default 1048576)"),
    [OPT_LOGIN_CLIENT] = COUNT("login-failures-per-client", login_client, 1, 1000000,
                               "N", "failed logins from one address before 429 (default 20)"),
    [OPT_LOGIN_ACCOUNT] = COUNT("login-failures-per-account", login_account, 1, 1000, "N",
                                "failed logins on one account before 429 (default 5)"),
    [OPT_BACKUP_DIR] = TEXT("backup-dir", backup_dir, "DIR",
                            "a copy of the database there each day (default: none)"),
    [OPT_BACKUP_KEEP] = COUNT("backup-keep", backup_keep, 1, 3650, "N",
                              "the daily copies kept (default 7)"),
    [OPT_PUBLIC_URL] = TEXT("public-url", public_url, "URL",
                            "the platform's address, https://label.example.org (CSRF origin, "
                            "Secure cookies)"),
    [OPT_TRUSTED_PROXY] = TEXT("trusted-proxy", trusted_proxy, "CIDR,...",
                               "reverse proxies whose X-Forwarded-For/-Proto are believed"),
    [OPT_METRICS_ALLOW] = TEXT("metrics-allow", metrics_allow, "CIDR,...",
                               "who may read /metrics (default 127.0.0.0/8,::1)"),
    [OPT_LOG_FORMAT] = TEXT("log-format", log_format, "F",
                            "text or json: the shape of the log's lines (default text)"),
    [OPT_LOGIN_WINDOW] = COUNT("login-window", login_window, 1, 86400, "S",
                               "how long failed logins count (default 900)"),
    [OPT_DOCUMENTS] = TEXT("documents", documents, "DIR",
                           "the evidence documents' folder (default: the database's path "
                           "followed by .documents)"),
    [OPT_CLAMD] = TEXT("clamd", clamd, "unix:PATH",
                       "scan each uploaded document with ClamAV's clamd at this socket: an "
                       "infected file gets 422, clamd unreachable 503 (default: unscanned)"),
    [OPT_MAX_DOCUMENT] = COUNT("max-document", max_document, 1024, 1LL << 40, "BYTES",
                               "larger documents get 413 (default 20971520)"),
    [OPT_MAX_ORG_DOCUMENTS] = COUNT("max-documents-per-org", max_org_documents, 1024, 1LL << 50,
                                    "BYTES",
                                    "one organisation's documents, in all (default 1073741824)"),
    [OPT_TITLE] = TEXT("title", title, "TITLE", "a document's title"),
    [OPT_SMTP_URL] = TEXT("smtp-url", smtp_url, "URL",
                          "send e-mail there: smtp://host:587 or smtps://host:465 "
                          "(default: no e-mail sent, messages wait in the outbox)"),
    [OPT_SMTP_TLS] = TEXT("smtp-tls", smtp_tls, "MODE",
                          "starttls (required), tls or none (default: tls for smtps://, "
                          "starttls for smtp://)"),
    [OPT_SMTP_USER] = TEXT("smtp-user", smtp_user, "USER", "the SMTP login (default: no AUTH)"),
    [OPT_SMTP_PASSWORD_FILE] = TEXT("smtp-password-file", smtp_password_file, "FILE",
                                    "the SMTP password: this file's first line"),
    [OPT_SMTP_CA_FILE] = TEXT("smtp-ca-file", smtp_ca_file, "FILE",
                              "certificates the SMTP server's is checked against "
                              "(default: the system's)"),
    [OPT_MAIL_FROM] = TEXT("mail-from", mail_from, "ADDR", "the sender of e-mail, name@domain"),
    [OPT_MAIL_RETRY] = TEXT("mail-retry", mail_retry, "S,S,...",
                            "delays between e-mail attempts after a temporary failure, in "
                            "seconds (default 60,300,1800,7200,18000,36000,36000,36000)"),
    [OPT_MAIL_TEMPLATES] = TEXT("mail-templates", mail_templates, "DIR",
                                "e-mail templates folder (default: mail)"),
    [OPT_STATUS] = TEXT("status", status, "S", "pending, sent or failed"),
};

/* What is said of a value an option refuses: its own words, or a count's
 * bounds and unit (the metavariable: S seconds, BYTES, N, ID). */
static const char *option_refusal(const cli_option *opt, char *buf, size_t size)
{
    static const char *const units[][2] = {
        {"S", "seconds"}, {"BYTES", "bytes"}, {"ID", "an id"}, {"N", "a whole number"}};
    if (opt->invalid)
        return opt->invalid;
    const char *unit = "a whole number";
    for (size_t i = 0; i < sizeof units / sizeof *units; i++)
        if (strcmp(opt->metavar, units[i][0]) == 0)
            unit = units[i][1];
    snprintf(buf, size, "--%s: %s, from %lld to %lld", opt->name, unit, opt->min, opt->max);
    return buf;
}

/* Stores one option's argument where the table says, checked as it says;
 * ERR_INPUT for a value refused, which the caller says (with the file:line
 * of a settings file). */
static int option_store(const cli_option *opt, const char *arg, const int *allowed, opts *o)
{
    char *at = (char *)o + opt->slot;
    long long v;
    switch (opt->kind) {
    case ARG_FLAG:
        *(int *)at = 1;
        return ERR_OK;
    case ARG_TEXT:
        *(const char **)at = arg;
        return ERR_OK;
    case ARG_COUNT:
        if (cli_parse_count(arg, opt->min, opt->max, &v))
            return ERR_INPUT;
        *(long long *)at = v;
        return ERR_OK;
    default:
        return opt->parse(opt, arg, allowed, o);
    }
}

static void opts_defaults(opts *o)
{
    static paths where; /* the defaults' text, for the whole run */
    paths_defaults(&where);
    memset(o, 0, sizeof *o);
    o->tick_seconds = 60;
    o->threads = 4;
    o->limits.instructions = SANDBOX_DEFAULT_INSTRUCTIONS;
    o->limits.memory = SANDBOX_DEFAULT_MEMORY;
    o->connection_timeout = 30;
    o->request_timeout = 60;
    o->per_client = 64;
    o->session_idle = 30 * 60;
    o->session_lifetime = 12 * 3600;
    o->max_body = 1 << 20;
    o->login_client = AUTH_FAILURES_PER_CLIENT;
    o->login_account = AUTH_FAILURES_PER_ACCOUNT;
    o->login_window = AUTH_WINDOW_SECONDS;
    o->backup_keep = 7;
    o->max_document = 20LL << 20;
    o->max_org_documents = 1LL << 30;
    o->metrics_allow = "127.0.0.0/8,::1";
    o->log_format = "text";
    o->rules = where.rules;
    o->db = where.db;
    o->listen = "127.0.0.1:8080";
    o->web = where.web;
    o->plugins = where.plugins;
    o->scripts = where.scripts;
    o->mail_templates = where.mail;
}

int cli_print_json(cJSON *doc)
{
    char *text = doc ? cJSON_Print(doc) : NULL;
    cJSON_Delete(doc);
    if (!text)
        return cli_fail(ERR_FAIL, "out of memory");
    puts(text);
    free(text);
    return ERR_OK;
}

/* ---- the command table ----------------------------------------------------------- */

typedef struct cli_command {
    const char *noun, *verb; /* verb: NULL for a one-word command; "NAME": any word */
    const char *synopsis;    /* what follows the name on the usage line */
    const char *help;        /* one line */
    const int *opts;         /* the options it takes, 0 ends the list */
    int nargs;               /* the positional arguments it takes; -1: any, passed on */
    const char *bad_args;    /* the message when their count is wrong; NULL: one naming it */
    int (*run)(const opts *o);
} cli_command;

/* Each command's options. Those that take --db or a folder also take
 * --config, so that an administrator's command finds the server's files. */
static const int rules_opts[] = {OPT_RULES, OPT_FORMAT,  OPT_MAX_INSN, OPT_MAX_MEM, OPT_DB,
                                 OPT_NOTE,  OPT_LABEL,   OPT_RULESET,  OPT_CONFIG,  0};
static const int whatif_opts[] = {OPT_RULES, OPT_FORMAT, OPT_MAX_INSN, OPT_MAX_MEM,
                                  OPT_DB,    OPT_CONFIG, 0};
static const int verify_opts[] = {OPT_DB,      OPT_RECORD, OPT_FORMAT,    OPT_MAX_INSN,
                                  OPT_MAX_MEM, OPT_CONFIG, OPT_DOCUMENTS, 0};
static const int export_opts[] = {OPT_DB, OPT_OUT, OPT_CONFIG, OPT_DOCUMENTS, OPT_WITH_DOCUMENTS, 0};
static const int migrate_opts[] = {OPT_DB, OPT_TO, OPT_ORG, OPT_RULES, OPT_CONFIG, 0};
static const int eval_opts[] = {OPT_RULES,   OPT_ANSWERS, OPT_FORMAT, OPT_MAX_INSN,
                                OPT_MAX_MEM, OPT_CONFIG,  0};
static const int db_opts[] = {OPT_DB, OPT_CONFIG, 0};
static const int backup_opts[] = {OPT_DB, OPT_DOCUMENTS, OPT_CONFIG, 0};
static const int restore_opts[] = {OPT_DB, OPT_DOCUMENTS, OPT_MAX_INSN, OPT_MAX_MEM, OPT_CONFIG, 0};
static const int no_opts[] = {0};
static const int serve_opts[] = {
    OPT_CONFIG,        OPT_DB,           OPT_LISTEN,          OPT_RULES,
    OPT_WEB,           OPT_SCRIPTS,      OPT_PLUGINS,         OPT_THREADS,
    OPT_MAX_INSN,      OPT_MAX_MEM,      OPT_TICK,            OPT_WEBHOOK_ALLOW,
    OPT_WEBHOOK_RETRY, OPT_CONN_TIMEOUT, OPT_REQ_TIMEOUT,     OPT_PER_CLIENT,
    OPT_MAX_BODY,      OPT_SESSION_IDLE, OPT_SESSION_LIFETIME, OPT_LOGIN_CLIENT,
    OPT_LOGIN_ACCOUNT, OPT_LOGIN_WINDOW, OPT_BACKUP_DIR,   OPT_BACKUP_KEEP,
    OPT_PUBLIC_URL,    OPT_TRUSTED_PROXY, OPT_METRICS_ALLOW, OPT_LOG_FORMAT,
    OPT_DOCUMENTS,     OPT_MAX_DOCUMENT, OPT_MAX_ORG_DOCUMENTS, OPT_CLAMD,
    OPT_SMTP_URL,      OPT_SMTP_TLS,     OPT_SMTP_USER,       OPT_SMTP_PASSWORD_FILE,
    OPT_SMTP_CA_FILE,  OPT_MAIL_FROM,    OPT_MAIL_RETRY,      OPT_MAIL_TEMPLATES,
    0};
static const int report_opts[] = {OPT_DB,      OPT_RULES,     OPT_SCRIPTS,    OPT_PARAM,
                                  OPT_FORMAT,  OPT_SEPARATOR, OPT_OUT,        OPT_PLUGINS,
                                  OPT_MAX_INSN, OPT_MAX_MEM,  OPT_ANY_FORMAT, OPT_CONFIG, 0};
static const int plugins_opts[] = {OPT_PLUGINS, OPT_FORMAT, OPT_CONFIG, 0};
static const int webhook_opts[] = {OPT_DB, OPT_URL,    OPT_EVENTS, OPT_SECRET_STDIN,
                                   OPT_ID, OPT_CONFIG, 0};
static const int demo_opts[] = {OPT_DB, OPT_RULES, OPT_CONFIG, 0};
static const int org_opts[] = {OPT_DB,           OPT_NAME,   OPT_LEGAL_FORM, OPT_CITY, OPT_REGION,
                               OPT_MEMBER_SINCE, OPT_CONFIG, 0};
static const int user_opts[] = {OPT_DB,        OPT_EMAIL,          OPT_NAME,   OPT_ROLE, OPT_ORG,
                                OPT_CERTIFIED, OPT_PASSWORD_STDIN, OPT_CONFIG, 0};

static const int user_role_opts[] = {OPT_DB, OPT_EMAIL, OPT_ROLE, OPT_ORG, OPT_CERTIFIED,
                                     OPT_CONFIG, 0};

static const int library_opts[] = {OPT_DB,    OPT_ORG,          OPT_TITLE,     OPT_CLAMD,
                                   OPT_FORMAT, OPT_DOCUMENTS, OPT_MAX_DOCUMENT,
                                   OPT_MAX_ORG_DOCUMENTS, OPT_CONFIG, 0};

static const int mail_log_opts[] = {OPT_DB, OPT_STATUS, OPT_FORMAT, OPT_CONFIG, 0};
static const int mail_preview_opts[] = {OPT_MAIL_TEMPLATES, OPT_CONFIG, 0};

static const char rules_args[] =
    "usage: rules show HASH | rules diff A B (a folder or a hash each)";

/* The settings a file may hold: serve's options but --config itself. */
static bool is_setting(int id)
{
    return id != OPT_CONFIG && allows(serve_opts, id);
}

/* ---- config check ------------------------------------------------------------------ */

/* A setting's value as the settings file would hold it; "" when unset. */
static void setting_text(int id, const opts *o, char *buf, size_t size)
{
    const cli_option *opt = &cli_options[id];
    const char *at = (const char *)o + opt->slot;
    if (id == OPT_MAX_MEM)
        snprintf(buf, size, "%zu", o->limits.memory >> 20);
    else if (opt->kind == ARG_COUNT)
        snprintf(buf, size, "%lld", *(const long long *)at);
    else
        snprintf(buf, size, "%s", *(const char *const *)at ? *(const char *const *)at : "");
}

int cli_public_origin(const char *url, char *origin, size_t size, err *e)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL, *user = NULL, *query = NULL,
         *fragment = NULL;
    int rc = ERR_OK;
    if (!u || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
        rc = err_set(e, ERR_INPUT, "public-url = %s: not an absolute URL", url);
    else if (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0)
        rc = err_set(e, ERR_INPUT, "public-url = %s: http or https only", url);
    else if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
             curl_url_get(u, CURLUPART_QUERY, &query, 0) == CURLUE_OK ||
             curl_url_get(u, CURLUPART_FRAGMENT, &fragment, 0) == CURLUE_OK ||
             (curl_url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK && strcmp(path, "/") != 0))
        rc = err_set(e, ERR_INPUT, "public-url = %s: the origin alone (scheme, host, port), "
                                   "the platform being served at its root", url);
    else if (curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK)
        snprintf(origin, size, "%s://%s:%s", scheme, host, port);
    else
        snprintf(origin, size, "%s://%s", scheme, host);
    curl_free(scheme), curl_free(host), curl_free(port), curl_free(path);
    curl_free(user), curl_free(query), curl_free(fragment);
    curl_url_cleanup(u);
    return rc;
}

int cli_mail_config(const opts *o, mail_config *c, char *password, size_t size, err *e)
{
    memset(c, 0, sizeof *c);
    password[0] = '\0';
    const char *given = o->smtp_tls       ? "smtp-tls"
                        : o->smtp_user    ? "smtp-user"
                        : o->mail_from    ? "mail-from"
                        : o->smtp_ca_file ? "smtp-ca-file"
                                          : NULL;
    if (!o->smtp_url)
        return given ? err_set(e, ERR_INPUT, "%s: needs smtp-url", given) : ERR_OK;
    if (mail_config_check(o->smtp_url, o->smtp_tls, o->smtp_user, o->mail_from, c, e) != ERR_OK)
        return e->code;
    if (!o->smtp_user != !o->smtp_password_file)
        return err_set(e, ERR_INPUT, "smtp-user and smtp-password-file go together");
    if (o->smtp_password_file &&
        mail_read_password(o->smtp_password_file, password, size, e) != ERR_OK)
        return e->code;
    if (o->smtp_ca_file && access(o->smtp_ca_file, R_OK) != 0)
        return err_set(e, ERR_INPUT, "smtp-ca-file = %s: cannot be read", o->smtp_ca_file);
    c->password = o->smtp_password_file ? password : NULL;
    c->ca_file = o->smtp_ca_file;
    return ERR_OK;
}

int cli_settings_invalid(const opts *o)
{
    int problems = 0;
    struct stat st;
    err e = ERR_INIT;
    char origin[512];
    if (listener_check(o->listen, &e) != ERR_OK)
        problems++, cli_fail_err(&e);
    if (strcmp(o->log_format, "text") != 0 && strcmp(o->log_format, "json") != 0)
        problems++, fprintf(stderr, "labelcoop: log-format = %s: text or json\n", o->log_format);
    if (o->public_url && cli_public_origin(o->public_url, origin, sizeof origin, &e) != ERR_OK)
        problems++, cli_fail_err(&e);
    if (o->trusted_proxy && cidr_check_list(o->trusted_proxy, "trusted-proxy", &e) != ERR_OK)
        problems++, cli_fail_err(&e);
    if (cidr_check_list(o->metrics_allow, "metrics-allow", &e) != ERR_OK)
        problems++, cli_fail_err(&e);
    char clamd[128];
    if (o->clamd && clamd_parse(o->clamd, clamd, sizeof clamd, &e) != ERR_OK)
        problems++, cli_fail_err(&e);
    if (o->backup_dir && (stat(o->backup_dir, &st) != 0 || !S_ISDIR(st.st_mode)))
        problems++, fprintf(stderr, "labelcoop: backup-dir = %s: not a folder\n", o->backup_dir);
    mail_config mail;
    char password[512];
    if (cli_mail_config(o, &mail, password, sizeof password, &e) != ERR_OK)
        problems++, cli_fail_err(&e);
    sodium_memzero(password, sizeof password);
    webhook_config hooks;
    webhook_defaults(&hooks, o->db);
    if (o->webhook_retry && webhook_parse_delays(o->webhook_retry, &hooks) != 0)
        problems++, fprintf(stderr, "labelcoop: webhook-retry = %s: expected seconds, e.g. "
                                    "0,5,300,1800\n", o->webhook_retry);
    if (o->mail_retry && webhook_parse_mail_delays(o->mail_retry, &hooks) != 0)
        problems++, fprintf(stderr, "labelcoop: mail-retry = %s: expected seconds, e.g. "
                                    "60,300,1800\n", o->mail_retry);
    return problems;
}

/* What serve would refuse or trip on at start: the values' checks, and the
 * folders that are not there. */
static int settings_problems(const opts *o)
{
    static const int folders[] = {OPT_RULES,   OPT_WEB, OPT_SCRIPTS,
                                  OPT_PLUGINS, OPT_MAIL_TEMPLATES, 0};
    int problems = cli_settings_invalid(o);
    struct stat st;
    for (const int *id = folders; *id; id++) {
        const char *dir = *(const char *const *)((const char *)o + cli_options[*id].slot);
        if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
            problems++, fprintf(stderr, "labelcoop: %s = %s: not a folder\n",
                                cli_options[*id].name, dir);
    }
    return problems;
}

/* The effective settings, as a settings file: the defaults, then the file,
 * then the command line. */
static int cmd_config_check(const opts *o)
{
    if (settings_problems(o))
        return ERR_INPUT;
    printf("# labelcoop %s: the effective settings (defaults, then %s, then the command line)\n",
           version_number, o->config ? o->config : "no settings file");
    for (const int *id = serve_opts; *id; id++) {
        if (!is_setting(*id))
            continue;
        char value[4200];
        setting_text(*id, o, value, sizeof value);
        printf("%s%s = %s\n", value[0] ? "" : "# ", cli_options[*id].name, value);
    }
    return ERR_OK;
}

/* Every command, in the order `labelcoop --help` lists them. */
static const cli_command cli_commands[] = {
    {"rules", "check", "[--rules DIR]", "load and validate the rules, print counts", rules_opts,
     0, NULL, cli_cmd_rules_check},
    {"rules", "list", "[--rules DIR] [--format json|text]",
     "the référentiel, in declaration order", rules_opts, 0, NULL, cli_cmd_rules_list},
    {"rules", "test", "[--rules DIR] [-- BUSTED-ARGS]", "run the rule specs (DIR/spec)",
     rules_opts, -1, NULL, cli_cmd_rules_test},
    {"rules", "activate", "[--rules DIR | --ruleset HASH] --note TEXT [--label VERSION]",
     "test, show the what-if, then activate", rules_opts, 0, NULL, cli_cmd_rules_activate},
    {"rules", "rollback", "--note TEXT [--rules DIR] [--db PATH]",
     "activate again the rule set active before", rules_opts, 0, NULL, cli_cmd_rules_rollback},
    {"rules", "history", "[--db PATH]", "every activation", rules_opts, 0, NULL,
     cli_cmd_rules_history},
    {"rules", "show", "HASH [--db PATH]", "the files of a stored rule set", rules_opts, 1,
     rules_args, cli_cmd_rules_show},
    {"rules", "diff", "A B [--format json|text]", "A and B: a rules folder or a stored hash",
     rules_opts, 2, rules_args, cli_cmd_rules_diff},
    {"evaluate", NULL, "--answers FILE|- [--rules DIR] [--format json|text]",
     "evaluate answers under the rules", eval_opts, 0, NULL, cli_cmd_evaluate},
    {"serve", NULL, "[--listen ADDR:PORT] [--db PATH] [options]", "serve the platform",
     serve_opts, 0, NULL, cli_cmd_serve},
    {"init", NULL, "[--db PATH]", "create or migrate the database", db_opts, 0, NULL, cli_cmd_init},
    {"demo", NULL, "[--db PATH] [--rules DIR]", "fill an empty database with demo data",
     demo_opts, 0, NULL, cli_cmd_demo},
    {"org", "add", "--name NAME [--legal-form F] [--city C] [--region R] [--member-since DATE]",
     "add an organisation; prints its id last", org_opts, 0, NULL, cli_cmd_org_add},
    {"user", "add",
     "--email E --name N --role ROLE [--org ID] [--certified-until DATE] --password-stdin",
     "add a user; prints its id last", user_opts, 0, NULL, cli_cmd_user_add},
    {"user", "role", "--email E --role ROLE [--org ID] [--certified-until DATE]",
     "give an existing person another role, at once", user_role_opts, 0, NULL,
     cli_cmd_user_role},
    {"db", "backup", "FILE [--db PATH]", "online backup, with the documents, safe while serving",
     backup_opts, 1,
     "db backup: expected one FILE", cli_cmd_backup},
    {"db", "restore", "FILE [--db PATH]", "replace the database with a checked copy (server stopped)",
     restore_opts, 1, "db restore: expected one FILE", cli_cmd_restore},
    {"whatif", NULL, "[--rules DIR] [--format json|text]",
     "outcomes that candidate rules would change", whatif_opts, 0, NULL, cli_cmd_whatif},
    {"assessments", "migrate", "--to HASH [--org ID]", "move the drafts to a rule set",
     migrate_opts, 0, NULL, cli_cmd_migrate},
    {"verify", NULL, "[--db PATH] [--record FILE]", "replay every decision, check the chains",
     verify_opts, 0, NULL, cli_cmd_verify},
    {"export-decision", NULL, "ID [--out FILE [--with-documents]]",
     "one decision's record (and documents), checkable alone",
     export_opts, 1, NULL, cli_cmd_export_decision},
    {"webhook", "add", "--url URL [--events TYPE,...] [--secret-stdin]",
     "a webhook endpoint; prints its secret once", webhook_opts, 0, NULL, cli_cmd_webhook_add},
    {"webhook", "log", "[--id N]", "every delivery attempt", webhook_opts, 0, NULL,
     cli_cmd_webhook_log},
    {"mail", "log", "[--status pending|sent|failed] [--format json|text]",
     "the e-mail outbox: what was sent, is pending or failed, and why", mail_log_opts, 0, NULL,
     cli_cmd_mail_log},
    {"mail", "preview", "KIND [--mail-templates DIR]",
     "an e-mail template rendered with its sample data", mail_preview_opts, 1,
     "mail preview: expected one KIND (audit_assigned, invitation, password_reset...)",
     cli_cmd_mail_preview},
    {"tick", NULL, "[--db PATH]", "emit the time-based events due today", db_opts, 0, NULL,
     cli_cmd_tick},
    {"plugins", "list", "[--plugins DIR]", "the plugins, their hooks and state", plugins_opts, 0,
     NULL, cli_cmd_plugins_list},
    {"report", "list", "[--scripts DIR] [--format json|text]",
     "the admin report scripts and their parameters", report_opts, 0, NULL, cli_cmd_report_list},
    {"report", "NAME", "[--param K=V]... [--format text|csv|json|html] [--out FILE]",
     "run an admin report script", report_opts, 0, NULL, cli_cmd_report},
    {"document", "audit-report", "ID --out FILE.pdf", "the audit report of an assessment",
     export_opts, 1, NULL, cli_cmd_document},
    {"document", "certificate", "ID --out FILE.pdf", "the label certificate of an assessment",
     export_opts, 1, NULL, cli_cmd_document},
    {"document", "upload", "--org ID --title TITLE FILE",
     "add a file to an organisation's documents; prints its id last", library_opts, 1,
     "document upload: expected one FILE", cli_cmd_document_upload},
    {"document", "list", "--org ID [--format json|text]", "an organisation's documents",
     library_opts, 0, NULL, cli_cmd_document_list},
    {"config", "check", "[--config FILE] [serve's options]",
     "check the settings, print the effective ones", serve_opts, 0, NULL, cmd_config_check},
    {"version", NULL, "", "print the version", no_opts, 0, NULL, cli_cmd_version},
};

#define CLI_COMMANDS (sizeof cli_commands / sizeof cli_commands[0])
#define CLI_HELP (-1) /* --help was asked and answered: exit 0 */

static const char exit_codes[] = "exit codes: 0 done, 1 a check failed, 2 bad input, "
                                 "3 rules error\n";

/* A verb in capitals stands for any word (report NAME). */
static bool verb_matches(const char *verb, const char *word)
{
    if (verb[0] >= 'A' && verb[0] <= 'Z')
        return word[0] && word[0] != '-';
    return strcmp(verb, word) == 0;
}

/* "  rules check [--rules DIR]        load and validate..." */
static void usage_line(FILE *f, const cli_command *c)
{
    char line[200];
    snprintf(line, sizeof line, "%s%s%s %s", c->noun, c->verb ? " " : "", c->verb ? c->verb : "",
             c->synopsis);
    if (strlen(line) <= 42)
        fprintf(f, "  %-42s %s\n", line, c->help);
    else
        fprintf(f, "  %s\n  %-42s %s\n", line, "", c->help);
}

static void usage_all(FILE *f)
{
    fputs("usage: labelcoop <command> [options]\n"
          "       labelcoop <command> --help   a command's own usage and options\n\n"
          "commands:\n",
          f);
    for (size_t i = 0; i < CLI_COMMANDS; i++)
        usage_line(f, &cli_commands[i]);
    fprintf(f, "\n%s", exit_codes);
}

/* The sub-commands of a noun ("rules", "report"). */
static void usage_noun(FILE *f, const char *noun)
{
    fprintf(f, "usage: labelcoop %s <subcommand> [options]\n\nsubcommands:\n", noun);
    for (size_t i = 0; i < CLI_COMMANDS; i++)
        if (strcmp(cli_commands[i].noun, noun) == 0)
            usage_line(f, &cli_commands[i]);
    fprintf(f, "\n%s", exit_codes);
}

/* One command: its usage line, what it does, each option it takes. */
static void usage_command(FILE *f, const cli_command *c)
{
    fprintf(f, "usage: labelcoop %s%s%s %s\n\n%s\n", c->noun, c->verb ? " " : "",
            c->verb ? c->verb : "", c->synopsis, c->help);
    if (c->opts[0])
        fputs("\noptions:\n", f);
    for (const int *id = c->opts; *id; id++) {
        const cli_option *opt = &cli_options[*id];
        if (*id == OPT_ANY_FORMAT)
            continue;
        char name[64];
        snprintf(name, sizeof name, "--%s%s%s", opt->name, opt->metavar ? " " : "",
                 opt->metavar ? opt->metavar : "");
        fprintf(f, "  %-30s %s\n", name, opt->help);
    }
    fprintf(f, "\n%s", exit_codes);
}

/* ---- the settings file ---------------------------------------------------------- */

static int option_named(const char *name)
{
    for (int id = OPT_RULES; id < OPT_COUNT; id++)
        if (strcmp(cli_options[id].name, name) == 0)
            return id;
    return 0;
}

/* --config FILE, or else $LABELCOOP_CONFIG, for a command that takes it: a
 * first pass over argv that only looks for it. */
static const char *settings_path(const cli_command *cmd, int argc, char **argv,
                                 const struct option *longopts)
{
    if (!allows(cmd->opts, OPT_CONFIG))
        return NULL;
    const char *path = NULL;
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1)
        if (c == OPT_GETOPT_BASE + OPT_CONFIG)
            path = optarg;
    if (!path && (path = getenv("LABELCOOP_CONFIG")) && !*path)
        path = NULL;
    return path;
}

/* Each line of the settings file, checked and stored as its option would be;
 * the command line, read after, overrides it. A command other than serve
 * takes from it the settings it has options for (the database, the rules)
 * and passes over the others. The file stays open in o for the values. */
static int settings_apply(const cli_command *cmd, int argc, char **argv,
                          const struct option *longopts, opts *o)
{
    const char *path = settings_path(cmd, argc, argv, longopts);
    if (!path)
        return ERR_OK;
    err e = ERR_INIT;
    if (config_read(path, &o->settings, &e) != ERR_OK)
        return cli_fail_err(&e);
    o->config = o->settings.path;
    for (int i = 0; i < o->settings.n; i++) {
        const config_entry *s = &o->settings.entries[i];
        int id = option_named(s->key);
        if (!id || !is_setting(id)) {
            fprintf(stderr, "labelcoop: %s:%d: unknown setting '%s' (see labelcoop serve --help)\n",
                    o->settings.path, s->line, s->key);
            return ERR_INPUT;
        }
        char why[160];
        if (allows(cmd->opts, id) && option_store(&cli_options[id], s->value, cmd->opts, o)) {
            fprintf(stderr, "labelcoop: %s:%d: %s\n", o->settings.path, s->line,
                    option_refusal(&cli_options[id], why, sizeof why));
            return ERR_INPUT;
        }
    }
    return ERR_OK;
}

/* Parses the options of a command, argv[0] being its last word; the
 * positional arguments are left in o->args. CLI_HELP when --help was asked. */
static int parse_opts(const cli_command *cmd, int argc, char **argv, opts *o)
{
    struct option longopts[OPT_COUNT + 1];
    int n = 0;
    for (int id = OPT_RULES; id < OPT_COUNT; id++)
        longopts[n++] = (struct option){cli_options[id].name,
                                        cli_options[id].kind == ARG_FLAG ? no_argument
                                                                          : required_argument,
                                        NULL, OPT_GETOPT_BASE + id};
    longopts[n++] = (struct option){"help", no_argument, NULL, 'h'};
    longopts[n] = (struct option){NULL, 0, NULL, 0};
    opts_defaults(o);
    int rc = settings_apply(cmd, argc, argv, longopts, o);
    if (rc != ERR_OK)
        return rc;
    optind = 0; /* glibc: a full reset, commands parse their own argv */
    opterr = 0;
    int c;
    /* GNU getopt moves the positional arguments after the options. */
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'h') {
            usage_command(stdout, cmd);
            return CLI_HELP;
        }
        int id = c - OPT_GETOPT_BASE;
        if (id >= OPT_RULES && id < OPT_COUNT && !allows(cmd->opts, id)) {
            /* getopt took its argument: argv[optind - 1] would name that. */
            fprintf(stderr, "labelcoop: %s: --%s is not an option of this command\n", argv[0],
                    cli_options[id].name);
            usage_command(stderr, cmd);
            return ERR_INPUT;
        }
        if (id < OPT_RULES || id >= OPT_COUNT) {
            fprintf(stderr, "labelcoop: %s: unknown or incomplete option '%s'\n", argv[0],
                    argv[optind - 1]);
            usage_command(stderr, cmd);
            return ERR_INPUT;
        }
        char why[160];
        if (option_store(&cli_options[id], optarg, cmd->opts, o) != ERR_OK)
            return cli_fail(ERR_INPUT, option_refusal(&cli_options[id], why, sizeof why));
    }
    o->args = argv + optind;
    o->nargs = argc - optind;
    return ERR_OK;
}

/* The positional arguments: as many as the command takes. */
static int check_args(const cli_command *c, const opts *o)
{
    if (c->nargs < 0 || o->nargs == c->nargs)
        return ERR_OK;
    if (c->bad_args)
        return cli_fail(ERR_INPUT, c->bad_args);
    const char *verb = o->verb ? o->verb : "";
    if (c->nargs == 0)
        fprintf(stderr, "labelcoop: %s%s%s: unexpected argument '%s'\n", c->noun, *verb ? " " : "",
                verb, o->args[0]);
    else
        fprintf(stderr, "labelcoop: %s%s%s: expected %d argument%s before the options\n", c->noun,
                *verb ? " " : "", verb, c->nargs, c->nargs == 1 ? "" : "s");
    return ERR_INPUT;
}

/* The command argv names: a one-word command, or a noun and its verb (NULL
 * with the reason said on stderr, or the noun's usage asked with --help). */
static const cli_command *find_command(int argc, char **argv, int *rc)
{
    const char *noun = argv[1], *verb = argc > 2 ? argv[2] : "";
    bool known = false;
    *rc = ERR_INPUT;
    for (size_t i = 0; i < CLI_COMMANDS; i++) {
        const cli_command *c = &cli_commands[i];
        if (strcmp(c->noun, noun) != 0)
            continue;
        known = true;
        if (!c->verb || strcmp(c->verb, verb) == 0)
            return c;
    }
    for (size_t i = 0; known && i < CLI_COMMANDS; i++) /* then "report NAME" */
        if (strcmp(cli_commands[i].noun, noun) == 0 && verb_matches(cli_commands[i].verb, verb))
            return &cli_commands[i];
    if (!known) {
        fprintf(stderr, "labelcoop: unknown command '%s'\n", noun);
        usage_all(stderr);
    } else if (strcmp(verb, "--help") == 0 || strcmp(verb, "-h") == 0) {
        usage_noun(stdout, noun);
        *rc = CLI_HELP;
    } else {
        if (*verb && verb[0] != '-')
            fprintf(stderr, "labelcoop: %s: unknown subcommand '%s'\n", noun, verb);
        else
            fprintf(stderr, "labelcoop: %s: expected a subcommand\n", noun);
        usage_noun(stderr, noun);
    }
    return NULL;
}

static int run(int argc, char **argv)
{
    if (sodium_init() < 0)
        return cli_fail(ERR_FAIL, "libsodium failed to initialise");
    /* Before any thread starts, as libcurl requires. */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return cli_fail(ERR_FAIL, "libcurl failed to initialise");
    atexit(curl_global_cleanup);
    if (argc < 2) {
        usage_all(stderr);
        return ERR_INPUT;
    }
    const char *word = argv[1];
    if (strcmp(word, "help") == 0 || strcmp(word, "--help") == 0 || strcmp(word, "-h") == 0) {
        usage_all(stdout);
        return ERR_OK;
    }
    if (strcmp(word, "--version") == 0)
        return cli_cmd_version(NULL);
    int rc;
    const cli_command *c = find_command(argc, argv, &rc);
    if (!c)
        return rc == CLI_HELP ? ERR_OK : rc;
    int words = c->verb ? 2 : 1;
    opts o;
    rc = parse_opts(c, argc - words, argv + words, &o);
    o.verb = c->verb ? argv[2] : NULL;
    if (rc == ERR_OK)
        rc = check_args(c, &o);
    if (rc == ERR_OK)
        rc = c->run(&o);
    cJSON_Delete(o.params);
    config_free(&o.settings);
    return rc == CLI_HELP ? ERR_OK : rc;
}

/* Every command's status goes through one mapping to the documented exit
 * codes: a service's "not found" or "unavailable" never leaks out as 4 or 8. */
int cli_main(int argc, char **argv)
{
    return err_exit_code(run(argc, argv));
}
