/* policy: the permission table of the label's roles, as code:
 *   cae        its own organisation's self-assessments (moving a draft to the
 *              active rules included) and action plan; reads its audits and
 *              decisions
 *   auditor    the audits assigned to them, written while certified and draft;
 *              the documents they link; adds to the audited CAE's library
 *   committee  reads everything, decides, moves any draft to the active rules
 *   admin      manages the platform and reads everything; never writes an
 *              assessment's findings nor decides
 * A person may hold several roles: u is the one their session acts in, and
 * a CAE membership may be its team's responsible one (u->responsible).
 * Uses date for the certification's end. */
#include "policy.h"

#include <string.h>

#include "date.h"

static bool is(const store_user *u, const char *role)
{
    return strcmp(u->role, role) == 0;
}

static bool own_org(const store_user *u, long long org)
{
    return is(u, "cae") && u->org_id == org;
}

static bool assigned(const store_user *u, const store_assessment *a)
{
    return is(u, "auditor") && strcmp(a->kind, "audit") == 0 && a->auditor_id == u->id;
}

bool policy_certified(const store_user *u, const char *today)
{
    return u->certified_until[0] && strcmp(u->certified_until, today) >= 0;
}

/* The assigned auditor, certified today: the one who writes an audit's findings. */
static bool writes_audit(const store_user *u, const store_assessment *a)
{
    char today[DATE_LEN + 1];
    date_today(today);
    return assigned(u, a) && policy_certified(u, today);
}

static bool allowed(const store_user *u, policy_action action, const policy_target *t)
{
    const store_assessment *a = t ? t->assessment : NULL;
    long long org = a ? a->org_id : t ? t->org_id : 0;
    bool manager = is(u, "admin");
    bool overseer = manager || is(u, "committee");
    switch (action) {
    case POLICY_ADMINISTER:
        return manager;
    case POLICY_USERS_READ:
        return overseer; /* the committee picks auditors */
    case POLICY_ORG_READ:
        return overseer || is(u, "auditor") || own_org(u, org);
    case POLICY_SELF_ASSESS:
        return own_org(u, org);
    case POLICY_AUDIT_CREATE:
        return overseer;
    case POLICY_ASSESSMENT_READ:
        /* An auditor reads the CAE's submitted self-assessments beside their
         * audit; a draft stays the CAE's own. */
        return overseer || own_org(u, org) || (a && assigned(u, a)) ||
               (a && is(u, "auditor") && strcmp(a->kind, "self_assessment") == 0 &&
                strcmp(a->status, "draft") != 0 && t && t->auditing_org);
    case POLICY_ASSESSMENT_EDIT:
        if (!a)
            return false;
        /* Findings are written by those who answer for them; an
         * administrator administers the platform, and writes none. */
        if (strcmp(a->kind, "audit") == 0)
            return writes_audit(u, a);
        return own_org(u, org);
    case POLICY_DECIDE:
        return is(u, "committee");
    case POLICY_DRAFT_MIGRATE:
        /* Whether it is still a draft is the service's to check, inside its
         * transaction (409). */
        return a &&
               (is(u, "committee") || (own_org(u, org) && strcmp(a->kind, "self_assessment") == 0));
    case POLICY_ACTIONS_READ:
        return overseer || own_org(u, org);
    case POLICY_ACTIONS_EDIT: /* the plan is the CAE's own: others read it */
        return own_org(u, org);
    case POLICY_NETWORK_READ:
        return true;
    case POLICY_RULES_MANAGE:
        return overseer;
    case POLICY_ROLE_CONFIRM: /* granting the committee role takes two people */
        return is(u, "committee");
    case POLICY_DOCUMENTS_READ:
        /* An auditor reads a document (every version of it) an audit of
         * theirs links, or that they uploaded; never the whole library. */
        return overseer || own_org(u, org) || (is(u, "auditor") && t && t->linked);
    case POLICY_DOCUMENTS_EDIT: /* the library is the CAE's own: others read it */
        return own_org(u, org);
    case POLICY_DOCUMENTS_ADD: {
        /* The auditor of a draft audit adds what the CAE sent them during
         * the audit, and their own notes, to link them to their findings. */
        char today[DATE_LEN + 1];
        date_today(today);
        return own_org(u, org) || (is(u, "auditor") && t && t->auditing_draft &&
                                   policy_certified(u, today));
    }
    case POLICY_TEAM_MANAGE: /* the CAE's responsible member, or an administrator */
        return manager || (own_org(u, org) && u->responsible);
    case POLICY_INVITE: /* a committee role so given still waits for confirmation */
        return overseer;
    }
    return false;
}

int policy_check(const store_user *u, policy_action action, const policy_target *target, err *e)
{
    /* Two messages are split over lines: not a missing comma. */
    /* NOLINTBEGIN(bugprone-suspicious-missing-comma) */
    static const char *const what[] = {
        [POLICY_ADMINISTER] = "only an administrator may do this",
        [POLICY_USERS_READ] = "only the committee or an administrator lists users",
        [POLICY_ORG_READ] = "this organisation is not yours",
        [POLICY_SELF_ASSESS] = "only the CAE's own members start its self-assessments",
        [POLICY_AUDIT_CREATE] = "only the committee or an administrator opens an audit",
        [POLICY_ASSESSMENT_READ] = "this assessment is not yours to read",
        [POLICY_ASSESSMENT_EDIT] = "this assessment is not yours to edit",
        [POLICY_DECIDE] = "only the committee decides",
        [POLICY_DRAFT_MIGRATE] = "only the CAE, for its own self-assessment, or the committee "
                                 "moves a draft to the active rules",
        [POLICY_ACTIONS_READ] = "this action plan is not yours to read",
        [POLICY_ACTIONS_EDIT] = "this action plan is not yours to edit",
        [POLICY_NETWORK_READ] = "",
        [POLICY_RULES_MANAGE] = "only the committee or an administrator manages the rules",
        [POLICY_ROLE_CONFIRM] = "only a committee member confirms a committee role",
        [POLICY_DOCUMENTS_READ] = "these documents are not yours to read",
        [POLICY_DOCUMENTS_EDIT] = "only the CAE's own members change or delete its documents",
        [POLICY_DOCUMENTS_ADD] = "only the CAE's own members, or the certified auditor of its "
                                 "draft audit, add documents to its library",
        [POLICY_TEAM_MANAGE] = "only the CAE's responsible member or an administrator manages "
                               "its team",
        [POLICY_INVITE] = "only an administrator or the committee invites someone (a CAE's "
                          "responsible member, a colleague to their CAE)",
    };
    /* NOLINTEND(bugprone-suspicious-missing-comma) */
    const store_assessment *a = target ? target->assessment : NULL;
    if (u->disabled) /* its sessions are gone; a request already in flight stops here */
        return err_set(e, ERR_FORBIDDEN, "this account is disabled");
    if (allowed(u, action, target))
        return ERR_OK;
    if (action == POLICY_ASSESSMENT_EDIT && a && assigned(u, a))
        return err_set(e, ERR_FORBIDDEN,
                       "your auditor certification is not valid today (valid until %s): only a "
                       "certified auditor writes an audit",
                       u->certified_until[0] ? u->certified_until : "never given");
    return err_set(e, ERR_FORBIDDEN, "%s", what[action]);
}
