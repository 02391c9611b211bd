/* policy: the permission table of the label's roles, as code:
 *   cae        its own organisation's self-assessments and action plan; reads
 *              its audits and decisions
 *   auditor    the audits assigned to them, editable while draft
 *   committee  reads everything, decides
 *   admin      manages the platform and does what the others do, except decide */
#include "policy.h"

#include <string.h>

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
        if (strcmp(a->kind, "audit") == 0)
            return manager || assigned(u, a);
        return manager || own_org(u, org);
    case POLICY_DECIDE:
        return is(u, "committee");
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
    }
    return false;
}

int policy_check(const store_user *u, policy_action action, const policy_target *target, err *e)
{
    static const char *const what[] = {
        [POLICY_ADMINISTER] = "only an administrator may do this",
        [POLICY_USERS_READ] = "only the committee or an administrator lists users",
        [POLICY_ORG_READ] = "this organisation is not yours",
        [POLICY_SELF_ASSESS] = "only the CAE's own members start its self-assessments",
        [POLICY_AUDIT_CREATE] = "only the committee or an administrator opens an audit",
        [POLICY_ASSESSMENT_READ] = "this assessment is not yours to read",
        [POLICY_ASSESSMENT_EDIT] = "this assessment is not yours to edit",
        [POLICY_DECIDE] = "only the committee decides",
        [POLICY_ACTIONS_READ] = "this action plan is not yours to read",
        [POLICY_ACTIONS_EDIT] = "this action plan is not yours to edit",
        [POLICY_NETWORK_READ] = "",
        [POLICY_RULES_MANAGE] = "only the committee or an administrator manages the rules",
        [POLICY_ROLE_CONFIRM] = "only a committee member confirms a committee role",
    };
    if (allowed(u, action, target))
        return ERR_OK;
    return err_set(e, ERR_FORBIDDEN, "%s", what[action]);
}
