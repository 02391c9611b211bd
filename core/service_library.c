/* service_library: a CAE's library of evidence documents (not the PDFs the
 * platform draws: those are service_documents.c). An upload's bytes are in
 * the documents folder's temporary file already; here they are finished
 * (flushed, hashed, typed) before the write transaction, then, inside it,
 * the organisation's total is checked, the file moved to its name and the
 * rows written, journaled and told (document.uploaded). Uses filestore. */
#include "service_internal.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "date.h"
#include "events.h"

/* The configuration, or ERR_UNAVAILABLE when this platform has none. */
static int library_of(service *s, const service_library_config **c, err *e)
{
    *c = s->library;
    return *c ? ERR_OK : err_set(e, ERR_UNAVAILABLE, "no documents folder is configured");
}

/* Whether the caller may do action on org's library, or on its document
 * (0: none): an auditor's rights hang on the audits they have. */
static int allow(service *s, policy_action action, long long org, long long document, err *e)
{
    if (!s->who) /* the command line */
        return ERR_OK;
    const store_user *u = &s->who->user;
    policy_target t = {.org_id = org};
    if (strcmp(u->role, "auditor") == 0 && document &&
        store_document_auditors(s->db, document, u->id, &t.linked, e))
        return e->code;
    if (strcmp(u->role, "auditor") == 0 && action == POLICY_DOCUMENTS_ADD &&
        store_auditing_draft(s->db, u->id, org, &t.auditing_draft, e))
        return e->code;
    return policy_check(u, action, &t, e);
}

/* A document not deleted, the caller allowed action on its organisation. */
static int load(service *s, long long id, policy_action action, cJSON **doc, err *e)
{
    *doc = NULL;
    int rc = store_document_get(s->db, id, doc, e);
    if (rc == ERR_NOT_FOUND)
        return err_set(e, ERR_NOT_FOUND, "no document %lld", id);
    long long org = rc == ERR_OK ? (long long)cJSON_GetNumberValue(
                                       cJSON_GetObjectItem(*doc, "organisation_id"))
                                 : 0;
    if (rc == ERR_OK)
        rc = allow(s, action, org, id, e);
    if (rc != ERR_OK) {
        cJSON_Delete(*doc);
        *doc = NULL;
    }
    return rc;
}

static long long number(const cJSON *o, const char *key)
{
    return (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(o, key));
}

/* One upload's version, written inside the caller's transaction. */
typedef struct upload {
    long long org, document; /* document 0: a new one, titled title */
    const char *title, *filename;
    filestore_upload *file;
    char at[DATE_TIME_LEN + 1];
    long long version;
    bool created; /* the file was not in the folder before */
} upload;

/* The organisation's total with this file, checked inside the write. */
static int check_total(service *s, const upload *up, err *e)
{
    long long held;
    long long size = (long long)filestore_size(up->file);
    if (store_document_org_bytes(s->db, up->org, filestore_sha256(up->file), &held, e))
        return e->code;
    if (held + size > s->library->max_org)
        return err_set(e, ERR_TOO_LARGE,
                       "the organisation's documents would hold %lld bytes, over its %lld",
                       held + size, s->library->max_org);
    return ERR_OK;
}

/* The answer, the journal's image and the event's data of an upload. */
static cJSON *upload_json(const upload *up)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double)up->document);
    cJSON_AddNumberToObject(o, "organisation_id", (double)up->org);
    cJSON_AddStringToObject(o, "title", up->title);
    cJSON_AddNumberToObject(o, "version", (double)up->version);
    cJSON_AddStringToObject(o, "sha256", filestore_sha256(up->file));
    cJSON_AddNumberToObject(o, "size", (double)filestore_size(up->file));
    cJSON_AddStringToObject(o, "type", filestore_type(up->file));
    cJSON_AddStringToObject(o, "filename", up->filename);
    cJSON_AddStringToObject(o, "created_at", up->at);
    return o;
}

/* The rows of one upload, its file put in place first: the file is on disk
 * and flushed before the row that names it commits. */
static int write_upload(service *s, upload *up, cJSON **out, err *e)
{
    store_doc_version v = {.size = (long long)filestore_size(up->file),
                           .user = svc_actor(s),
                           .sha256 = filestore_sha256(up->file),
                           .type = filestore_type(up->file),
                           .filename = up->filename,
                           .at = up->at};
    cJSON *still = NULL; /* a new version's document, not deleted meanwhile */
    int rc = up->document ? store_document_get(s->db, up->document, &still, e)
                          : allow(s, POLICY_DOCUMENTS_ADD, up->org, 0, e); /* an audit's state now */
    cJSON_Delete(still);
    if (rc == ERR_NOT_FOUND)
        rc = err_set(e, ERR_NOT_FOUND, "no document %lld", up->document);
    if (rc == ERR_OK)
        rc = check_total(s, up, e);
    if (rc == ERR_OK)
        rc = filestore_keep(up->file, &up->created, e);
    if (rc == ERR_OK && !up->document)
        rc = store_document_add(s->db, up->org, up->title, up->at, v.user, &up->document, e);
    v.document = up->document;
    if (rc == ERR_OK)
        rc = store_document_version_add(s->db, &v, &up->version, e);
    if (rc == ERR_OK)
        *out = upload_json(up);
    if (rc == ERR_OK)
        rc = svc_journal(s, up->version == 1 ? "document.upload" : "document.version", "document",
                         up->document, NULL, *out, e);
    if (rc == ERR_OK) {
        cJSON *data = cJSON_Duplicate(*out, true);
        cJSON_DeleteItemFromObject(data, "organisation_id"); /* events_emit adds it */
        cJSON_DeleteItemFromObject(data, "id");
        cJSON_AddNumberToObject(data, "document_id", (double)up->document);
        rc = events_emit(s->db, "document.uploaded", up->org, 0, data, e);
        cJSON_Delete(data);
    }
    return rc;
}

/* Finishes the bytes (outside the transaction: flushing takes time),
 * checks their type, then writes the upload in one transaction. */
static int run_upload(service *s, upload *up, cJSON **out, err *e)
{
    if (!up->filename || !up->filename[0])
        up->filename = "document";
    if (svc_check_text(up->filename, "filename", 255, e) || filestore_finish(up->file, e) ||
        filestore_check_type(filestore_type(up->file), e))
        return e->code;
    date_now(up->at);
    if (store_begin(s->db, e))
        return e->code;
    int rc = write_upload(s, up, out, e);
    if (rc != ERR_OK && up->created) /* still under the write lock: nobody named it */
        filestore_remove(s->library->dir, filestore_sha256(up->file), NULL);
    /* A commit that fails past this point leaves the file, named by nobody:
     * harmless, and stored again as it is by the next upload of its bytes. */
    rc = svc_finish(s, rc, e);
    if (rc != ERR_OK) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    return rc;
}

int service_library_add(service *s, long long org, const char *title, const char *filename,
                        filestore_upload *u, cJSON **out, err *e)
{
    *out = NULL;
    const service_library_config *c;
    if (library_of(s, &c, e) || allow(s, POLICY_DOCUMENTS_ADD, org, 0, e))
        return e->code;
    if (!title || !title[0])
        return bad(e, "title", "is required");
    if (svc_check_text(title, "title", MAX_NAME, e))
        return e->code;
    cJSON *org_json = NULL;
    int rc = store_org_get(s->db, org, &org_json, e);
    cJSON_Delete(org_json);
    if (rc != ERR_OK)
        return rc == ERR_NOT_FOUND ? err_set(e, ERR_NOT_FOUND, "no organisation %lld", org) : rc;
    upload up = {.org = org, .title = title, .filename = filename, .file = u};
    return run_upload(s, &up, out, e);
}

int service_library_version(service *s, long long id, const char *filename, filestore_upload *u,
                            cJSON **out, err *e)
{
    *out = NULL;
    const service_library_config *c;
    cJSON *doc;
    if (library_of(s, &c, e) || load(s, id, POLICY_DOCUMENTS_EDIT, &doc, e))
        return e->code;
    upload up = {.org = number(doc, "organisation_id"),
                 .document = id,
                 .title = cJSON_GetStringValue(cJSON_GetObjectItem(doc, "title")),
                 .filename = filename,
                 .file = u};
    int rc = run_upload(s, &up, out, e);
    cJSON_Delete(doc);
    return rc;
}

int service_library_list(service *s, long long org, cJSON **out, err *e)
{
    *out = NULL;
    const service_library_config *c;
    if (library_of(s, &c, e) || svc_allow(s, POLICY_DOCUMENTS_READ, org, NULL, e) ||
        svc_org_exists(s, org, e))
        return e->code;
    return store_document_list(s->db, org, out, e);
}

int service_library_get(service *s, long long id, cJSON **out, err *e)
{
    *out = NULL;
    const service_library_config *c;
    cJSON *versions;
    if (library_of(s, &c, e) || load(s, id, POLICY_DOCUMENTS_READ, out, e))
        return e->code;
    if (store_document_versions(s->db, id, &versions, e)) {
        cJSON_Delete(*out);
        *out = NULL;
        return e->code;
    }
    cJSON_AddItemToObject(*out, "versions", versions);
    return ERR_OK;
}

int service_library_open(service *s, long long id, long long version, int *fd, cJSON **out,
                         err *e)
{
    *out = NULL;
    *fd = -1;
    const service_library_config *c;
    cJSON *doc;
    if (library_of(s, &c, e) || load(s, id, POLICY_DOCUMENTS_READ, &doc, e))
        return e->code;
    cJSON_Delete(doc);
    int rc = store_document_version_get(s->db, id, version, out, e);
    if (rc == ERR_NOT_FOUND)
        return err_set(e, ERR_NOT_FOUND, "document %lld has no version %lld", id, version);
    size_t size;
    const char *sha256 = cJSON_GetStringValue(cJSON_GetObjectItem(*out, "sha256"));
    if (rc == ERR_OK && (rc = filestore_open(c->dir, sha256, fd, &size, e)) == ERR_NOT_FOUND)
        rc = err_set(e, ERR_FAIL, "document %lld version %lld: its file %.12s is missing from %s",
                     id, number(*out, "version"), sha256, c->dir);
    if (rc == ERR_OK && (long long)size != number(*out, "size")) {
        close(*fd);
        *fd = -1;
        rc = err_set(e, ERR_FAIL, "document %lld version %lld: its file %.12s is %zu bytes, not %lld",
                     id, number(*out, "version"), sha256, size, number(*out, "size"));
    }
    if (rc != ERR_OK) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    return rc;
}

/* Sets aside, inside the deleting transaction, each file of versions that
 * no other document names; *aside lists them. */
static int set_aside(service *s, const cJSON *versions, cJSON *aside, err *e)
{
    const cJSON *v;
    cJSON_ArrayForEach(v, versions)
    {
        const char *sha256 = cJSON_GetStringValue(cJSON_GetObjectItem(v, "sha256"));
        long long used;
        bool listed = false;
        const cJSON *a;
        cJSON_ArrayForEach(a, aside) listed = listed || strcmp(a->valuestring, sha256) == 0;
        if (listed)
            continue;
        if (store_document_sha256_used(s->db, sha256, &used, e))
            return e->code;
        if (used)
            continue;
        if (filestore_set_aside(s->library->dir, sha256, e))
            return e->code;
        cJSON_AddItemToArray(aside, cJSON_CreateString(sha256));
    }
    return ERR_OK;
}

/* Inside the deleting transaction: refused (409) when a submission froze
 * the document (a decision relies, or will, on its bytes); a draft's links
 * to it are dropped, the draft being the CAE's to change. */
static int unlink_or_refuse(service *s, long long id, long long org, err *e)
{
    long long frozen;
    if (store_document_frozen_in(s->db, id, org, &frozen, e))
        return e->code;
    if (frozen)
        return err_set(e, ERR_CONFLICT,
                       "document %lld is linked by assessment %lld, submitted or decided: "
                       "the documents a decision saw are kept",
                       id, frozen);
    return store_document_unlink_drafts(s->db, id, org, e);
}

int service_library_delete(service *s, long long id, err *e)
{
    const service_library_config *c;
    cJSON *doc = NULL, *versions = NULL, *aside = cJSON_CreateArray();
    char at[DATE_TIME_LEN + 1];
    date_now(at);
    if (library_of(s, &c, e) || store_begin(s->db, e)) {
        cJSON_Delete(aside);
        return e->code;
    }
    int rc = load(s, id, POLICY_DOCUMENTS_EDIT, &doc, e);
    if (rc == ERR_OK)
        rc = unlink_or_refuse(s, id, number(doc, "organisation_id"), e);
    if (rc == ERR_OK)
        rc = store_document_versions(s->db, id, &versions, e);
    if (rc == ERR_OK)
        rc = store_document_delete(s->db, id, at, svc_actor(s), e);
    if (rc == ERR_OK)
        rc = svc_journal(s, "document.delete", "document", id, doc, NULL, e);
    if (rc == ERR_OK)
        rc = set_aside(s, versions, aside, e);
    rc = svc_finish(s, rc, e);
    const cJSON *a;
    cJSON_ArrayForEach(a, aside)
    {
        if (rc == ERR_OK)
            filestore_purge(c->dir, a->valuestring);
        else
            filestore_put_back(c->dir, a->valuestring);
    }
    cJSON_Delete(aside);
    cJSON_Delete(versions);
    cJSON_Delete(doc);
    return rc;
}

/* Whether documents not deleted name sha256; on a failure to tell, yes:
 * the file is then put back, never lost. */
static bool named(void *ud, const char *sha256)
{
    service *s = ud;
    long long used = 1;
    err e = ERR_INIT;
    store_document_sha256_used(s->db, sha256, &used, &e);
    err_clear(&e);
    return used > 0;
}

int service_library_sweep(service *s, int *count, err *e)
{
    *count = 0;
    const service_library_config *c;
    /* An upload's temporary file is written to as its bytes come: one left
     * unchanged for an hour is no upload under way. */
    if (library_of(s, &c, e))
        return e->code;
    return filestore_sweep(c->dir, 3600, named, s, count, e);
}
