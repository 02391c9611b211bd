/* service_documents: the audit report and the certificate as PDF (drawn
 * once per frozen assessment when the server keeps them), the public check
 * of a verification code, and the admin reports. Uses document, report,
 * format. */
#include "service_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "date.h"
#include "document.h"
#include "files.h"
#include "plugin.h"
#include "format.h"
#include "report.h"
#include "reqlog.h"
#include "text.h"

/* How long a PDF request waits for a drawing place before its 503. */
#define PDF_WAIT_MS 10000

/* ---- documents ---------------------------------------------------------------------- */

/* The criteria of r with the assessment's findings merged in, and the fields. */
static void add_findings(cJSON *data, const rules *r, const cJSON *answers)
{
    cJSON *criteria = cJSON_AddArrayToObject(data, "criteria");
    for (int i = 0; i < rules_criterion_count(r); i++) {
        const rules_criterion *c = rules_criterion_at(r, i);
        cJSON *o = rules_criterion_json(c);
        const cJSON *a, *found = NULL;
        cJSON_ArrayForEach(a, answers)
        {
            const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(a, "criterion"));
            if (id && strcmp(id, c->id) == 0)
                found = a;
        }
        static const char *const copied[] = {"status", "comment", "evidence"};
        for (int k = 0; k < 3; k++) {
            const cJSON *v = found ? cJSON_GetObjectItem(found, copied[k]) : NULL;
            cJSON_AddItemToObject(o, copied[k], v ? cJSON_Duplicate(v, 1) : cJSON_CreateNull());
        }
        cJSON_AddItemToArray(criteria, o);
    }
    cJSON *fields = cJSON_AddArrayToObject(data, "fields");
    for (int i = 0; i < rules_field_count(r); i++) {
        cJSON *f = cJSON_CreateObject();
        cJSON_AddStringToObject(f, "id", rules_field_at(r, i)->id);
        cJSON_AddStringToObject(f, "name", rules_field_at(r, i)->name);
        cJSON_AddItemToArray(fields, f);
    }
}

/* What a document shows of assessment id; *out is the caller's. */
static int document_data(service *s, long long id, cJSON **out, err *e)
{
    *out = NULL;
    store_assessment a;
    rules *r;
    cJSON *assessment = NULL, *org = NULL, *evaluation = NULL;
    if (svc_load(s, id, POLICY_ASSESSMENT_READ, &a, e) || svc_rules_of(s, &a, &r, e) ||
        store_assessment_json(s->db, id, &assessment, e))
        return e->code;
    int rc = store_org_get(s->db, a.org_id, &org, e);
    if (rc == ERR_OK)
        rc = strcmp(a.status, "draft") == 0
                 ? service_evaluation(s, id, &evaluation, e)
                 : store_assessment_evaluation(s->db, id, &evaluation, e);
    if (rc != ERR_OK) {
        cJSON_Delete(assessment);
        cJSON_Delete(org);
        return rc;
    }
    cJSON *data = cJSON_CreateObject();
    cJSON_AddItemToObject(data, "organisation", org);
    cJSON_AddItemToObject(data, "evaluation", evaluation ? evaluation : cJSON_CreateNull());
    store_user auditor;
    err ignored = ERR_INIT;
    if (a.auditor_id && store_user_get(s->db, a.auditor_id, &auditor, &ignored) == ERR_OK) {
        cJSON *au = cJSON_AddObjectToObject(data, "auditor");
        cJSON_AddStringToObject(au, "name", auditor.name);
        cJSON_AddStringToObject(au, "email", auditor.email);
    } else {
        cJSON_AddNullToObject(data, "auditor");
    }
    err_clear(&ignored);
    cJSON_AddItemToObject(data, "stakeholders",
                          cJSON_DetachItemFromObject(assessment, "stakeholders"));
    cJSON *decisions = cJSON_GetObjectItem(assessment, "decisions");
    int n = cJSON_GetArraySize(decisions);
    cJSON_AddItemToObject(data, "decision",
                          n ? cJSON_DetachItemFromArray(decisions, n - 1) : cJSON_CreateNull());
    cJSON *answer; /* the documents seen: title, version, SHA-256 */
    cJSON_ArrayForEach(answer, cJSON_GetObjectItem(assessment, "answers"))
    {
        svc_links_describe(s->db, a.org_id, answer);
    }
    add_findings(data, r, cJSON_GetObjectItem(assessment, "answers"));
    cJSON_DeleteItemFromObject(assessment, "answers");
    cJSON_DeleteItemFromObject(assessment, "decisions");
    cJSON_DeleteItemFromObject(assessment, "evaluation");
    cJSON_AddItemToObject(data, "assessment", assessment);
    cJSON_AddStringToObject(data, "ruleset", a.ruleset);
    *out = data;
    return ERR_OK;
}

/* The data of document kind of assessment id, checked; *out the caller's. */
static int document_of(service *s, long long id, const char *kind, cJSON **out, err *e)
{
    *out = NULL;
    cJSON *data;
    bool certificate = strcmp(kind, "certificate") == 0;
    if (!certificate && strcmp(kind, "audit-report") != 0)
        return err_set(e, ERR_INPUT, "documents are \"audit-report\" and \"certificate\"");
    if (document_data(s, id, &data, e))
        return e->code;
    const cJSON *decision = cJSON_GetObjectItem(data, "decision");
    const char *outcome = cJSON_GetStringValue(cJSON_GetObjectItem(decision, "outcome"));
    if (certificate && (!outcome || strcmp(outcome, "awarded") != 0)) {
        cJSON_Delete(data);
        return err_set(e, ERR_CONFLICT, "assessment %lld has no awarded decision: no certificate",
                       id);
    }
    *out = data;
    return ERR_OK;
}

static int draw_document(const char *kind, const cJSON *data, const char *path, err *e)
{
    return strcmp(kind, "certificate") == 0 ? document_certificate(data, path, e)
                                            : document_audit_report(data, path, e);
}

int service_document(service *s, long long id, const char *kind, const char *path, err *e)
{
    cJSON *data;
    if (document_of(s, id, kind, &data, e))
        return e->code;
    int rc = draw_document(kind, data, path, e);
    cJSON_Delete(data);
    return rc;
}

/* The PDF of data drawn into *pdf (caller frees), through a temporary file. */
static int draw_bytes(const char *kind, const cJSON *data, char **pdf, size_t *len, err *e)
{
    char path[] = "/tmp/labelcoop-doc-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return err_set(e, ERR_FAIL, "cannot create a temporary file");
    close(fd);
    int rc = draw_document(kind, data, path, e);
    if (rc == ERR_OK)
        rc = files_read(path, pdf, len, e);
    unlink(path);
    return rc;
}

/* The key a frozen assessment's document is kept under: its kind and the
 * hash of all it shows, so any change (a decision, an auditor's new name)
 * names another document. "" for a draft, which changes too often to keep. */
static void document_key(const char *kind, const cJSON *data, char *key, size_t size)
{
    const char *status = cJSON_GetStringValue(
        cJSON_GetObjectItem(cJSON_GetObjectItem(data, "assessment"), "status"));
    char *text = status && strcmp(status, "draft") != 0 ? cJSON_PrintUnformatted(data) : NULL;
    char hex[65];
    key[0] = '\0';
    if (text) {
        text_sha256_hex(text, hex);
        snprintf(key, size, "%s:%s", kind, hex);
    }
    free(text);
}

int service_document_pdf(service *s, long long id, const char *kind, char **pdf, size_t *len,
                         err *e)
{
    *pdf = NULL;
    *len = 0;
    cJSON *data;
    char key[96] = "";
    if (document_of(s, id, kind, &data, e))
        return e->code;
    store_snapshot_end(s->db); /* all is read: not held over the drawing (up to seconds) */
    if (s->pdfs)
        document_key(kind, data, key, sizeof key);
    int rc = ERR_OK;
    if (key[0] && docstore_get(s->pdfs, key, pdf, len)) {
        cJSON_Delete(data);
        return ERR_OK;
    }
    if (s->pdfs && !docstore_drawing(s->pdfs, PDF_WAIT_MS)) {
        rc = err_set(e, ERR_UNAVAILABLE,
                     "other documents are still being drawn after %d s: try again in a moment",
                     PDF_WAIT_MS / 1000);
    } else {
        rc = draw_bytes(kind, data, pdf, len, e);
        if (s->pdfs)
            docstore_drawn(s->pdfs);
    }
    if (rc == ERR_OK && key[0]) {
        /* Another request may have drawn it meanwhile: every request gets the
         * copy kept, so a frozen document has one set of bytes. */
        docstore_put(s->pdfs, key, *pdf, *len);
        char *kept;
        size_t kept_len;
        if (docstore_get(s->pdfs, key, &kept, &kept_len)) {
            free(*pdf);
            *pdf = kept;
            *len = kept_len;
        }
    }
    cJSON_Delete(data);
    return rc;
}

int service_verify_code(service *s, const char *code, cJSON **out, err *e)
{
    *out = NULL;
    cJSON *d = NULL;
    int rc = strlen(code) == 64 ? store_decision_by_code(s->db, code, &d, e) : ERR_NOT_FOUND;
    if (rc != ERR_OK && rc != ERR_NOT_FOUND)
        return rc;
    err_clear(e);
    char today[DATE_LEN + 1];
    date_today(today);
    const char *outcome = cJSON_GetStringValue(cJSON_GetObjectItem(d, "outcome"));
    const char *until = cJSON_GetStringValue(cJSON_GetObjectItem(d, "valid_until"));
    bool valid =
        d && outcome && strcmp(outcome, "awarded") == 0 && until && strcmp(until, today) >= 0;
    *out = d ? d : cJSON_CreateObject();
    cJSON_AddBoolToObject(*out, "known", d != NULL);
    cJSON_AddBoolToObject(*out, "valid", valid);
    return ERR_OK;
}

/* ---- reports ------------------------------------------------------------------------ */

/* A CAE member runs only reports for CAEs, on their own CAE; auditors none. */
static int report_scope(service *s, long long *own, err *e)
{
    *own = 0;
    if (!s->who)
        return ERR_OK;
    const char *role = s->who->user.role;
    if (strcmp(role, "cae") == 0)
        *own = s->who->user.org_id;
    else if (strcmp(role, "auditor") == 0)
        return err_set(e, ERR_FORBIDDEN, "reports are for the committee, administrators and CAEs");
    return ERR_OK;
}

int service_reports(service *s, const char *scripts_dir, cJSON **out, err *e)
{
    *out = NULL;
    long long own;
    cJSON *problems = NULL;
    if (report_scope(s, &own, e) || report_list(scripts_dir, own > 0, out, &problems, e))
        return e->code;
    const cJSON *p;
    cJSON_ArrayForEach(p, problems) reqlog_stderr("report not loaded: %s", p->valuestring);
    cJSON_Delete(problems);
    return ERR_OK;
}

int service_report(service *s, const char *scripts_dir, const char *name, const cJSON *params,
                   const char *format, char separator, char **out, size_t *len, char **type, err *e)
{
    *out = *type = NULL;
    report_request rq = {.scripts_dir = scripts_dir,
                         .name = name,
                         .params = params,
                         .progress = s->progress,
                         .progress_ud = s->progress_ud};
    if (s->limits)
        rq.limits = *s->limits;
    rq.limits.interrupt = s->interrupt;
    cJSON *doc = NULL;
    if (report_scope(s, &rq.own_org, e) || report_run(s->db, s->rules, &rq, &doc, e))
        return e->code;
    const char *builtin;
    int rc = format_report(doc, format, separator, out, len, &builtin, e);
    if (rc == ERR_OK) {
        *type = strdup(builtin);
    } else if (rc == ERR_INPUT && s->plugins &&
               plugin_report_format(s->plugins, format, doc, out, type) == ERR_OK) {
        err_clear(e); /* a plugin's format */
        *len = strlen(*out);
        rc = ERR_OK;
    }
    cJSON_Delete(doc);
    return rc;
}
