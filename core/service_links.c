/* service_links: evidence entries that name a CAE's documents. An answer's
 * evidence is a list of texts and links {"document", "version", "pages"};
 * a link is checked inside the answer's write (the document is the
 * assessment's organisation's, not deleted, the version exists), told
 * (document.linked), described when read, and pinned to the exact version
 * when the assessment is submitted. Uses store_library and evaluation. */
#include "service_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evaluation.h"
#include "events.h"

/* A whole number member, 0 when absent or null (a link's "latest"). */
static long long number(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? (long long)v->valuedouble : 0;
}

int svc_evidence_field(const cJSON *body, cJSON **out, err *e)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, "evidence");
    *out = cJSON_CreateArray();
    if (!*out)
        return err_set(e, ERR_FAIL, "out of memory");
    if (!v || cJSON_IsNull(v))
        return ERR_OK;
    int rc = ERR_OK;
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) > svc_text_items("evidence"))
        rc = bad(e, "evidence", "must be a list of at most %d texts or document links",
                 svc_text_items("evidence"));
    int i = 0;
    for (const cJSON *x = rc == ERR_OK ? v->child : NULL; x && rc == ERR_OK; x = x->next, i++) {
        char at[64];
        snprintf(at, sizeof at, "evidence[%d]", i);
        evaluation_link link;
        cJSON *item = NULL;
        if (cJSON_IsString(x)) {
            if ((rc = svc_check_text(x->valuestring, at, MAX_TEXT, e)) == ERR_OK)
                item = cJSON_CreateString(x->valuestring);
        } else if ((rc = evaluation_link_check(x, svc_path_of(at, (char[96]){0}), &link, e)) ==
                   ERR_OK) {
            item = evaluation_link_json(&link);
        }
        if (rc == ERR_OK && !(item && cJSON_AddItemToArray(*out, item))) {
            cJSON_Delete(item);
            rc = err_set(e, ERR_FAIL, "out of memory");
        }
    }
    if (rc != ERR_OK) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    return rc;
}

/* The version a link names (0: the latest) of a document of org, not
 * deleted: *document and *version their rows (caller deletes). ERR_INPUT
 * at at.document or at.version (at: the entry's path) otherwise. */
static int resolve(store *db, long long org, const cJSON *link, const char *at,
                   cJSON **document, cJSON **version, err *e)
{
    long long id = number(link, "document"), v = number(link, "version");
    char path[96];
    *document = *version = NULL;
    snprintf(path, sizeof path, "%s.document", at);
    int rc = store_document_get(db, id, document, e);
    if (rc == ERR_NOT_FOUND || (rc == ERR_OK && number(*document, "organisation_id") != org))
        rc = err_at(e, path, "no document %lld in this organisation's library (deleted, or "
                    "never there)", id);
    snprintf(path, sizeof path, "%s.version", at);
    if (rc == ERR_OK && (rc = store_document_version_get(db, id, v, version, e)) == ERR_NOT_FOUND)
        rc = err_at(e, path, "document %lld has no version %lld", id, v);
    if (rc != ERR_OK) {
        cJSON_Delete(*document);
        cJSON_Delete(*version);
        *document = *version = NULL;
    }
    return rc;
}

/* Whether the evidence list (JSON text, may be NULL) links document id at
 * version v (0: the latest). */
static bool links(const cJSON *evidence, long long id, long long v)
{
    const cJSON *x;
    cJSON_ArrayForEach(x, evidence)
    {
        if (cJSON_IsObject(x) && number(x, "document") == id && number(x, "version") == v)
            return true;
    }
    return false;
}

/* document.linked: never the bytes, their digest. */
static int emit_linked(store *db, const svc_link_write *w, const cJSON *link,
                       const cJSON *document, const cJSON *version, err *e)
{
    cJSON *data = cJSON_CreateObject();
    cJSON_AddStringToObject(data, "criterion", w->criterion);
    cJSON_AddNumberToObject(data, "document_id", (double)number(link, "document"));
    cJSON_AddItemToObject(data, "title", cJSON_Duplicate(cJSON_GetObjectItem(document, "title"), 1));
    cJSON_AddItemToObject(data, "version", cJSON_Duplicate(cJSON_GetObjectItem(link, "version"), 1));
    cJSON_AddNumberToObject(data, "resolved_version", (double)number(version, "version"));
    cJSON_AddItemToObject(data, "sha256", cJSON_Duplicate(cJSON_GetObjectItem(version, "sha256"), 1));
    int rc = events_emit(db, "document.linked", w->org, w->assessment, data, e);
    cJSON_Delete(data);
    return rc;
}

int svc_links_check(store *db, const svc_link_write *w, const cJSON *evidence, const char *before,
                    err *e)
{
    cJSON *then = before ? cJSON_Parse(before) : NULL;
    const cJSON *old = cJSON_GetObjectItemCaseSensitive(then, "evidence");
    int rc = ERR_OK, i = 0;
    for (const cJSON *x = evidence ? evidence->child : NULL; x && rc == ERR_OK; x = x->next, i++) {
        if (!cJSON_IsObject(x))
            continue;
        char at[32];
        snprintf(at, sizeof at, "$.evidence[%d]", i);
        cJSON *document, *version;
        rc = resolve(db, w->org, x, at, &document, &version, e);
        if (rc == ERR_OK && !links(old, number(x, "document"), number(x, "version")))
            rc = emit_linked(db, w, x, document, version, e);
        cJSON_Delete(document);
        cJSON_Delete(version);
    }
    cJSON_Delete(then);
    return rc;
}

/* Adds to link what a reader lists it with: the document's title, the
 * version it resolves to now and that version's sha256, size, type and
 * date; "available": false when it resolves to nothing any more. */
static void describe(store *db, long long org, cJSON *link)
{
    cJSON *document, *version;
    err e = ERR_INIT;
    bool ok = resolve(db, org, link, "$", &document, &version, &e) == ERR_OK;
    err_clear(&e);
    cJSON_AddBoolToObject(link, "available", ok);
    if (!ok)
        return;
    cJSON_AddItemToObject(link, "title", cJSON_Duplicate(cJSON_GetObjectItem(document, "title"), 1));
    cJSON_AddNumberToObject(link, "resolved_version", (double)number(version, "version"));
    static const char *const copied[] = {"sha256", "size", "type", "created_at"};
    for (size_t k = 0; k < sizeof copied / sizeof *copied; k++)
        cJSON_AddItemToObject(link, copied[k],
                              cJSON_Duplicate(cJSON_GetObjectItem(version, copied[k]), 1));
    cJSON_Delete(document);
    cJSON_Delete(version);
}

void svc_links_describe(store *db, long long org, cJSON *answer)
{
    cJSON *x;
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(answer, "evidence"))
    {
        if (cJSON_IsObject(x))
            describe(db, org, x);
    }
}

/* One answer's links pinned (version: the exact one), and their frozen
 * descriptions appended to *frozen; ERR_CONFLICT for a link that resolves
 * to nothing. */
static int freeze_answer(store *db, long long org, long long id, cJSON *answer, cJSON *frozen,
                         err *e)
{
    const char *criterion = cJSON_GetStringValue(cJSON_GetObjectItem(answer, "criterion"));
    cJSON *evidence = cJSON_GetObjectItemCaseSensitive(answer, "evidence");
    bool pinned = false;
    cJSON *x;
    cJSON_ArrayForEach(x, evidence)
    {
        if (!cJSON_IsObject(x))
            continue;
        cJSON *document, *version;
        if (resolve(db, org, x, "$", &document, &version, e) != ERR_OK) {
            char why[256];
            snprintf(why, sizeof why, "%s", err_msg(e));
            return err_set(e, ERR_CONFLICT, "criterion %s links a document no longer there (%s)",
                           criterion, why);
        }
        long long v = number(version, "version");
        pinned = pinned || !number(x, "version");
        cJSON_ReplaceItemInObject(x, "version", cJSON_CreateNumber((double)v));
        cJSON *f = cJSON_CreateObject();
        cJSON_AddNumberToObject(f, "document", (double)number(x, "document"));
        cJSON_AddNumberToObject(f, "version", (double)v);
        cJSON_AddItemToObject(f, "sha256", cJSON_Duplicate(cJSON_GetObjectItem(version, "sha256"), 1));
        cJSON_AddItemToObject(f, "title", cJSON_Duplicate(cJSON_GetObjectItem(document, "title"), 1));
        cJSON_AddNumberToObject(f, "size", (double)number(version, "size"));
        cJSON_AddItemToObject(f, "type", cJSON_Duplicate(cJSON_GetObjectItem(version, "type"), 1));
        cJSON_AddItemToObject(f, "pages", cJSON_Duplicate(cJSON_GetObjectItem(x, "pages"), 1));
        cJSON_AddItemToArray(frozen, f);
        cJSON_Delete(document);
        cJSON_Delete(version);
    }
    if (!pinned)
        return ERR_OK;
    char *text = cJSON_PrintUnformatted(evidence);
    int rc = text ? store_answer_evidence_set(db, id, criterion, text, e)
                  : err_set(e, ERR_FAIL, "out of memory");
    free(text);
    return rc;
}

int svc_links_freeze(store *db, const store_assessment *a, cJSON *evaluation, err *e)
{
    cJSON *doc, *answer;
    if (store_assessment_json(db, a->id, &doc, e))
        return e->code;
    cJSON *documents = cJSON_CreateObject();
    int rc = documents ? ERR_OK : err_set(e, ERR_FAIL, "out of memory");
    cJSON_ArrayForEach(answer, cJSON_GetObjectItem(doc, "answers"))
    {
        cJSON *frozen = cJSON_CreateArray();
        if (rc == ERR_OK)
            rc = freeze_answer(db, a->org_id, a->id, answer, frozen, e);
        const char *c = cJSON_GetStringValue(cJSON_GetObjectItem(answer, "criterion"));
        if (rc == ERR_OK && cJSON_GetArraySize(frozen) > 0 && c)
            cJSON_AddItemToObject(documents, c, frozen);
        else
            cJSON_Delete(frozen);
    }
    cJSON_Delete(doc);
    /* None linked: the evaluation stays the rules' own, as `evaluate` gives it. */
    if (rc == ERR_OK && documents->child)
        cJSON_AddItemToObject(evaluation, "documents", documents);
    else
        cJSON_Delete(documents);
    return rc;
}
