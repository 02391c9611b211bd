/* cli_internal: what the command line's files share (private to core/cli*.c):
 * the parsed options, the environment a command opens, the helpers that say
 * an error on stderr and give its exit code, and the commands each file
 * defines for the table in cli.c. */
#ifndef LABELCOOP_CLI_INTERNAL_H
#define LABELCOOP_CLI_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "mail.h"
#include "err.h"
#include "sandbox.h"
#include "ruleset.h"
#include "service.h"
#include "store.h"

/* The options of every command, parsed into one struct. */
typedef struct opts {
    const char *rules, *answers, *format, *db, *listen, *web;
    const char *name, *email, *role, *certified_until, *legal_form, *city, *region, *member_since;
    const char *note, *label, *to, *record, *out, *url, *events, *webhook_allow, *webhook_retry;
    const char *plugins, *scripts, *ruleset;
    const char *config;    /* the settings file read, or NULL */
    const char *backup_dir, *public_url, *trusted_proxy, *metrics_allow, *log_format;
    const char *documents, *title; /* the documents folder (NULL: beside the database) */
    const char *clamd;             /* "unix:PATH" of clamd, scanning uploads; NULL: none */
    const char *smtp_url, *smtp_tls, *smtp_user, *smtp_password_file, *smtp_ca_file, *mail_from;
    const char *status, *mail_retry, *mail_templates; /* mail log --status; serve --mail-retry */
    config_file settings;  /* its text, which the settings point into; owned */
    char separator;
    cJSON *params; /* --param k=v, owned */
    long long org, threads, id, tick_seconds, connection_timeout, request_timeout;
    long long per_client; /* connections at once from one address */
    long long session_idle, session_lifetime, max_body; /* seconds, seconds, bytes */
    long long login_client, login_account, login_window; /* failures, failures, seconds */
    long long backup_keep;
    long long max_document, max_org_documents; /* bytes */
    int password_stdin, secret_stdin, with_documents;
    bool may_create; /* init and demo: a database that is not there is made */
    sandbox_limits limits;
    const char *verb; /* the word after the noun: "check", a report's name */
    char **args;      /* the positional arguments, borrowed from argv */
    int nargs;
} opts;

/* What a command works on: the database, a rule set cache, and the service
 * over them, as a request's but with no session. */
typedef struct cli_env {
    store *db;
    ruleset_cache *cache;
    service s;
} cli_env;

typedef enum {
    ENV_DB,     /* the database alone */
    ENV_CACHE,  /* and a rule set cache */
    ENV_ACTIVE, /* and the active rule set (the folder's, on a database that never had one) */
} env_need;

/* Errors, said once on stderr; each returns the exit code. */
int cli_fail(int code, const char *msg);
int cli_fail_err(err *e);

/* A whole number from min to max; -1 otherwise. */
int cli_parse_count(const char *s, long long min, long long max, long long *out);
/* Prints doc on stdout and frees it. */
int cli_print_json(cJSON *doc);
/* Writes len bytes to path, or to stdout without one; cmd names the failure. */
int cli_write_out(const char *cmd, const char *path, const char *text, size_t len);

int cli_make_parent(const char *path);
/* The settings whose values serve refuses at start, beyond each option's
 * own check (a public URL, proxies, the backup folder, retry delays): each
 * said on stderr; their count. */
int cli_settings_invalid(const opts *o);
/* The e-mail settings of o, checked (ERR_INPUT naming one otherwise), the
 * password read into password (which c points to; the caller wipes it);
 * c->url NULL when no e-mail is configured. */
int cli_mail_config(const opts *o, mail_config *c, char *password, size_t size, err *e);
/* The origin "https://host[:port]" of a public URL, into origin; ERR_INPUT
 * for one that is no absolute http(s) URL or has a path, a query or a user. */
int cli_public_origin(const char *url, char *origin, size_t size, err *e);
/* Before a database is opened: its folder made, and a copy of it taken when
 * it is to be migrated (said on stderr). */
int cli_prepare_db(const char *path);
int cli_open_db(const opts *o, store **db);
int cli_env_open(const opts *o, env_need need, cli_env *env);
/* The documents folder and limits of o: --documents, or the database's
 * path followed by ".documents" (into dir, which it points to). */
void cli_library(const opts *o, service_library_config *c, char *dir, size_t size);
void cli_env_close(cli_env *env);

/* cli_rules.c: the rule sets and what is checked against them. */
int cli_cmd_rules_check(const opts *o);
int cli_cmd_rules_list(const opts *o);
int cli_cmd_rules_test(const opts *o);
int cli_cmd_evaluate(const opts *o);
int cli_cmd_rules_diff(const opts *o);
int cli_cmd_whatif(const opts *o);
int cli_cmd_rules_activate(const opts *o);
int cli_cmd_rules_rollback(const opts *o);
int cli_cmd_rules_history(const opts *o);
int cli_cmd_rules_show(const opts *o);
int cli_cmd_verify(const opts *o);
int cli_cmd_export_decision(const opts *o);
int cli_cmd_migrate(const opts *o);

/* cli_platform.c: the platform's commands. */
int cli_cmd_init(const opts *o);
int cli_cmd_org_add(const opts *o);
int cli_cmd_user_add(const opts *o);
int cli_cmd_user_role(const opts *o);
int cli_cmd_backup(const opts *o);
int cli_cmd_restore(const opts *o);
int cli_cmd_demo(const opts *o);
int cli_cmd_webhook_add(const opts *o);
int cli_cmd_webhook_log(const opts *o);
int cli_cmd_plugins_list(const opts *o);
int cli_cmd_document(const opts *o);
int cli_cmd_report_list(const opts *o);
int cli_cmd_report(const opts *o);
int cli_cmd_tick(const opts *o);
int cli_cmd_version(const opts *o);

/* cli_library.c: the evidence documents. */
int cli_cmd_document_upload(const opts *o);
int cli_cmd_document_list(const opts *o);

/* cli_mail.c: the e-mail outbox and templates. */
int cli_cmd_mail_log(const opts *o);
int cli_cmd_mail_preview(const opts *o);

/* cli_serve.c */
int cli_cmd_serve(const opts *o);

#endif
