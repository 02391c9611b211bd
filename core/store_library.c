/* store_library: a CAE's evidence documents and their versions; the bytes
 * are the documents folder's (filestore), named here by their SHA-256.
 * Its statements' text first, then their wrappers; helpers in
 * store_internal.h. */
#include <sqlite3.h>

#include "store_internal.h"

/* A document's columns, and its latest version's (d, v). */
#define LATEST                                                                                     \
    "SELECT d.id, d.organisation_id, d.title, d.created_at, d.created_by, v.version, v.sha256,"  \
    " v.size, v.type, v.filename, v.created_at AS updated_at"                                    \
    " FROM documents d JOIN document_versions v ON v.document_id = d.id"                          \
    " AND v.version = (SELECT max(w.version) FROM document_versions w WHERE w.document_id = d.id)"

/* Few of Q_COUNT, which bugprone-suspicious-missing-comma takes for a list
 * of single literals where one lacks its comma: each is one statement. */
const char *const store_sql_library[Q_COUNT] = {
    /* NOLINTNEXTLINE(bugprone-suspicious-missing-comma) */
    [Q_DOCUMENT_ADD] = "INSERT INTO documents (organisation_id, title, created_at, created_by)"
                       " VALUES (?1, ?2, ?3, ?4)",
    [Q_DOCUMENT_GET] = LATEST
                       " WHERE d.id = ?1 AND d.deleted_at IS NULL",
    [Q_DOCUMENT_LIST] = LATEST
                        " WHERE d.organisation_id = ?1 AND d.deleted_at IS NULL ORDER BY d.id",
    [Q_DOCUMENT_DELETE] = "UPDATE documents SET deleted_at = ?2, deleted_by = ?3"
                          " WHERE id = ?1 AND deleted_at IS NULL",
    [Q_DOCUMENT_NEXT_VERSION] = "SELECT coalesce(max(version), 0) + 1 FROM document_versions"
                                " WHERE document_id = ?1",
    [Q_DOCUMENT_VERSION_ADD] = "INSERT INTO document_versions (document_id, version, sha256, size,"
                               " type, filename, created_at, created_by)"
                               " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [Q_DOCUMENT_VERSIONS] = "SELECT version, sha256, size, type, filename, created_at, created_by"
                            " FROM document_versions WHERE document_id = ?1 ORDER BY version",
    [Q_DOCUMENT_VERSION_GET] = "SELECT v.version, v.sha256, v.size, v.type, v.filename,"
                               " v.created_at, v.created_by FROM document_versions v"
                               " JOIN documents d ON d.id = v.document_id"
                               " WHERE v.document_id = ?1 AND d.deleted_at IS NULL"
                               " AND v.version = coalesce(?2, (SELECT max(w.version)"
                               "   FROM document_versions w WHERE w.document_id = ?1))",
    /* What an organisation's library holds on disk: each file once. */
    [Q_DOCUMENT_ORG_BYTES] = "SELECT coalesce(sum(size), 0) FROM (SELECT DISTINCT v.sha256, v.size"
                             " FROM document_versions v JOIN documents d ON d.id = v.document_id"
                             " WHERE d.organisation_id = ?1 AND d.deleted_at IS NULL"
                             " AND v.sha256 <> ?2)",
    [Q_DOCUMENT_SHA256_USED] = "SELECT count(*) FROM document_versions v"
                               " JOIN documents d ON d.id = v.document_id"
                               " WHERE v.sha256 = ?1 AND d.deleted_at IS NULL",
    /* An assessment whose submission froze document ?1 (its frozen
     * evaluation, or the evaluation a decision kept, names it), else 0. */
    [Q_DOCUMENT_FROZEN_IN] =
        "SELECT coalesce((SELECT id FROM (SELECT a.id FROM assessments a,"
        "   json_each(a.evaluation, '$.documents') c, json_each(c.value) j"
        "   WHERE a.organisation_id = ?2 AND a.status <> 'draft' AND json_valid(a.evaluation)"
        "   AND json_extract(j.value, '$.document') = ?1"
        " UNION ALL SELECT d.assessment_id FROM decisions d,"
        "   json_each(d.evaluation, '$.documents') c, json_each(c.value) j"
        "   WHERE d.organisation_id = ?2 AND json_valid(d.evaluation)"
        "   AND json_extract(j.value, '$.document') = ?1) LIMIT 1), 0)",
    /* Drafts' evidence entries naming document ?1 dropped, in order. */
    [Q_DOCUMENT_UNLINK_DRAFTS] =
        "UPDATE answers SET evidence = (SELECT json_group_array(j.value)"
        "   FROM json_each(answers.evidence) j WHERE j.type <> 'object'"
        "   OR json_extract(j.value, '$.document') IS NOT ?1)"
        " WHERE assessment_id IN (SELECT id FROM assessments WHERE organisation_id = ?2"
        "   AND status = 'draft') AND json_valid(evidence)"
        " AND EXISTS (SELECT 1 FROM json_each(answers.evidence) j WHERE j.type = 'object'"
        "   AND json_extract(j.value, '$.document') = ?1)",
    /* Whether document ?1 is auditor ?2's: an audit assigned to them links
     * it (any version, any state), or they uploaded a version of it. */
    [Q_DOCUMENT_AUDITORS] =
        "SELECT EXISTS (SELECT 1 FROM assessments a JOIN answers an ON an.assessment_id = a.id,"
        "   json_each(an.evidence) j WHERE a.auditor_id = ?2 AND a.kind = 'audit'"
        "   AND json_valid(an.evidence) AND j.type = 'object'"
        "   AND json_extract(j.value, '$.document') = ?1)"
        " OR EXISTS (SELECT 1 FROM document_versions WHERE document_id = ?1 AND created_by = ?2)"
        /* what the CAE linked in its self-assessments, beside the findings */
        " OR EXISTS (SELECT 1 FROM assessments au JOIN assessments sa"
        "   ON sa.organisation_id = au.organisation_id AND sa.kind = 'self_assessment'"
        "   JOIN answers an ON an.assessment_id = sa.id, json_each(an.evidence) j"
        "   WHERE au.auditor_id = ?2 AND au.kind = 'audit' AND json_valid(an.evidence)"
        "   AND j.type = 'object' AND json_extract(j.value, '$.document') = ?1)",
    [Q_AUDITING_DRAFT] = "SELECT count(*) FROM assessments WHERE auditor_id = ?1"
                         " AND organisation_id = ?2 AND kind = 'audit' AND status = 'draft'",
    [Q_DOCUMENT_LINKS] =
        "SELECT an.assessment_id, a.kind, a.status, an.criterion,"
        "  json_extract(j.value, '$.version') AS version, json_extract(j.value, '$.pages') AS pages"
        " FROM answers an JOIN assessments a ON a.id = an.assessment_id, json_each(an.evidence) j"
        " WHERE a.organisation_id = ?1 AND json_valid(an.evidence) AND j.type = 'object'"
        "   AND json_extract(j.value, '$.document') = ?2"
        " ORDER BY an.assessment_id, an.criterion",
    [Q_ANSWER_EVIDENCE_SET] = "UPDATE answers SET evidence = ?3"
                              " WHERE assessment_id = ?1 AND criterion = ?2",
};

int store_document_add(store *s, long long org, const char *title, const char *at, long long user,
                       long long *id, err *e)
{
    return query_insert(s, Q_DOCUMENT_ADD, ARGS(A_INT(org), A_TEXT(title), A_TEXT(at), A_ID(user)),
                        "document", id, e);
}

int store_document_get(store *s, long long id, cJSON **out, err *e)
{
    return query_json(s, Q_DOCUMENT_GET, ARGS(A_INT(id)), true, "document", out, e);
}

int store_document_list(store *s, long long org, cJSON **out, err *e)
{
    return query_json(s, Q_DOCUMENT_LIST, ARGS(A_INT(org)), false, "documents", out, e);
}

int store_document_delete(store *s, long long id, const char *at, long long user, err *e)
{
    return query_exec(s, Q_DOCUMENT_DELETE, ARGS(A_INT(id), A_TEXT(at), A_ID(user)), true,
                      "document", e);
}

int store_document_version_add(store *s, const store_doc_version *v, long long *version, err *e)
{
    if (query_count(s, Q_DOCUMENT_NEXT_VERSION, ARGS(A_INT(v->document)), version, e))
        return e->code;
    return query_exec(s, Q_DOCUMENT_VERSION_ADD,
                      ARGS(A_INT(v->document), A_INT(*version), A_TEXT(v->sha256),
                           A_INT(v->size), A_TEXT(v->type), A_TEXT(v->filename), A_TEXT(v->at),
                           A_ID(v->user)),
                      false, "document version", e);
}

int store_document_links(store *s, long long org, long long id, cJSON **out, err *e)
{
    return query_json(s, Q_DOCUMENT_LINKS, ARGS(A_INT(org), A_INT(id)), false, "document links",
                      out, e);
}

int store_document_versions(store *s, long long id, cJSON **out, err *e)
{
    return query_json(s, Q_DOCUMENT_VERSIONS, ARGS(A_INT(id)), false, "document versions", out,
                      e);
}

int store_document_version_get(store *s, long long id, long long version, cJSON **out, err *e)
{
    return query_json(s, Q_DOCUMENT_VERSION_GET, ARGS(A_INT(id), A_ID(version)), true,
                      "document version", out, e);
}

int store_document_org_bytes(store *s, long long org, const char *sha256, long long *bytes, err *e)
{
    return query_count(s, Q_DOCUMENT_ORG_BYTES, ARGS(A_INT(org), A_TEXT(sha256)), bytes, e);
}

int store_document_sha256_used(store *s, const char *sha256, long long *n, err *e)
{
    return query_count(s, Q_DOCUMENT_SHA256_USED, ARGS(A_TEXT(sha256)), n, e);
}

int store_document_frozen_in(store *s, long long id, long long org, long long *assessment,
                             err *e)
{
    return query_count(s, Q_DOCUMENT_FROZEN_IN, ARGS(A_INT(id), A_INT(org)), assessment, e);
}

int store_document_unlink_drafts(store *s, long long id, long long org, err *e)
{
    return query_exec(s, Q_DOCUMENT_UNLINK_DRAFTS, ARGS(A_INT(id), A_INT(org)), false,
                      "answers", e);
}

int store_answer_evidence_set(store *s, long long assessment, const char *criterion,
                              const char *evidence_json, err *e)
{
    return query_exec(s, Q_ANSWER_EVIDENCE_SET,
                      ARGS(A_INT(assessment), A_TEXT(criterion), A_TEXT(evidence_json)), true,
                      "answer", e);
}

int store_document_auditors(store *s, long long id, long long auditor, bool *yes, err *e)
{
    long long n = 0;
    int rc = query_count(s, Q_DOCUMENT_AUDITORS, ARGS(A_INT(id), A_INT(auditor)), &n, e);
    *yes = n > 0;
    return rc;
}

int store_auditing_draft(store *s, long long auditor, long long org, bool *yes, err *e)
{
    long long n = 0;
    int rc = query_count(s, Q_AUDITING_DRAFT, ARGS(A_INT(auditor), A_INT(org)), &n, e);
    *yes = n > 0;
    return rc;
}
