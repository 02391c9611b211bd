/* Unit tests of policy: who may do what, role by role. */
#include "policy.h"
#include "store.h"
#include "test.h"

/* The permission table, role by role. */
TEST_IMPL(policy_matrix)
{
    store_user cae = {.id = 1, .role = "cae", .org_id = 10};
    store_user auditor = {
        .id = 2, .role = "auditor", .org_id = 20, .certified_until = "9999-12-31"};
    /* the same auditor once their certification ended, or was cleared */
    store_user lapsed = {.id = 2, .role = "auditor", .org_id = 20, .certified_until = "2001-01-01"};
    store_user cleared = {.id = 2, .role = "auditor", .org_id = 20};
    store_user gone = {.id = 1, .role = "cae", .org_id = 10, .disabled = true};
    /* the CAE's responsible member, and one disabled since */
    store_user lead = {.id = 6, .role = "cae", .org_id = 10, .responsible = true};
    store_user lead_gone = {.id = 6, .role = "cae", .org_id = 10, .responsible = true,
                            .disabled = true};
    /* an auditor once responsible in a CAE: the flag is a CAE role's only */
    store_user odd = {.id = 7, .role = "auditor", .org_id = 10, .responsible = true};
    store_user committee = {.id = 3, .role = "committee"};
    store_user admin = {.id = 4, .role = "admin"};
    /* a new account whose committee role awaits confirmation */
    store_user none = {.id = 5, .role = "none", .pending_role = "committee"};
    store_assessment own_self = {.id = 1, .org_id = 10, .kind = "self_assessment"};
    store_assessment audit = {.id = 2, .org_id = 10, .kind = "audit", .auditor_id = 2};
    store_assessment other = {.id = 3, .org_id = 30, .kind = "self_assessment"};
    policy_target t_self = {.assessment = &own_self}, t_audit = {.assessment = &audit};
    policy_target t_other = {.assessment = &other}, org10 = {.org_id = 10};
    policy_target org30 = {.org_id = 30};
    /* an auditor's document: linked by an audit of theirs, or uploaded by them */
    policy_target linked10 = {.org_id = 10, .linked = true};
    /* the caller audits a draft audit of the organisation */
    policy_target drafting10 = {.org_id = 10, .auditing_draft = true};
    store_assessment audited_self = {
        .id = 4, .org_id = 10, .kind = "self_assessment", .status = "submitted"};
    store_assessment audited_draft = {
        .id = 5, .org_id = 10, .kind = "self_assessment", .status = "draft"};
    policy_target t_draft = {.assessment = &audited_draft, .auditing_org = true};
    policy_target t_audited = {.assessment = &audited_self, .auditing_org = true};
    struct {
        const store_user *u;
        policy_action a;
        const policy_target *t;
        int expected;
    } cases[] = {
        {&cae, POLICY_SELF_ASSESS, &org10, ERR_OK},
        {&cae, POLICY_SELF_ASSESS, &org30, ERR_FORBIDDEN},
        {&admin, POLICY_SELF_ASSESS, &org10, ERR_FORBIDDEN},
        {&cae, POLICY_ASSESSMENT_READ, &t_audit, ERR_OK},
        {&cae, POLICY_ASSESSMENT_EDIT, &t_audit, ERR_FORBIDDEN},
        {&cae, POLICY_ASSESSMENT_EDIT, &t_self, ERR_OK},
        {&cae, POLICY_ASSESSMENT_READ, &t_other, ERR_FORBIDDEN},
        {&auditor, POLICY_ASSESSMENT_EDIT, &t_audit, ERR_OK},
        {&auditor, POLICY_ASSESSMENT_READ, &t_self, ERR_FORBIDDEN},
        {&auditor, POLICY_ASSESSMENT_READ, &t_audited, ERR_OK},
        /* A CAE's team: its responsible member's, and the administrator's. */
        {&lead, POLICY_TEAM_MANAGE, &org10, ERR_OK},
        {&lead, POLICY_TEAM_MANAGE, &org30, ERR_FORBIDDEN},
        {&lead_gone, POLICY_TEAM_MANAGE, &org10, ERR_FORBIDDEN},
        {&cae, POLICY_TEAM_MANAGE, &org10, ERR_FORBIDDEN},
        {&odd, POLICY_TEAM_MANAGE, &org10, ERR_FORBIDDEN},
        {&admin, POLICY_TEAM_MANAGE, &org10, ERR_OK},
        {&committee, POLICY_TEAM_MANAGE, &org10, ERR_FORBIDDEN},
        {&auditor, POLICY_ASSESSMENT_READ, &t_draft, ERR_FORBIDDEN},
        {&auditor, POLICY_ASSESSMENT_EDIT, &t_audited, ERR_FORBIDDEN},
        {&committee, POLICY_USERS_READ, NULL, ERR_OK},
        {&cae, POLICY_USERS_READ, NULL, ERR_FORBIDDEN},
        {&committee, POLICY_ASSESSMENT_READ, &t_other, ERR_OK},
        {&committee, POLICY_ASSESSMENT_EDIT, &t_audit, ERR_FORBIDDEN},
        {&committee, POLICY_DECIDE, NULL, ERR_OK},
        {&admin, POLICY_DECIDE, NULL, ERR_FORBIDDEN},
        {&admin, POLICY_ADMINISTER, NULL, ERR_OK},
        {&committee, POLICY_ADMINISTER, NULL, ERR_FORBIDDEN},
        {&cae, POLICY_ACTIONS_EDIT, &org30, ERR_FORBIDDEN},
        {&committee, POLICY_ACTIONS_READ, &org30, ERR_OK},
        {&committee, POLICY_ACTIONS_EDIT, &org30, ERR_FORBIDDEN},
        {&admin, POLICY_ACTIONS_EDIT, &org30, ERR_FORBIDDEN},
        {&cae, POLICY_ACTIONS_EDIT, &org10, ERR_OK},
        /* A draft moves to the active rules by its CAE or the committee. */
        {&cae, POLICY_DRAFT_MIGRATE, &t_self, ERR_OK},
        {&cae, POLICY_DRAFT_MIGRATE, &t_other, ERR_FORBIDDEN},
        {&cae, POLICY_DRAFT_MIGRATE, &t_audit, ERR_FORBIDDEN},
        {&committee, POLICY_DRAFT_MIGRATE, &t_other, ERR_OK},
        {&committee, POLICY_DRAFT_MIGRATE, &t_audit, ERR_OK},
        {&auditor, POLICY_DRAFT_MIGRATE, &t_audit, ERR_FORBIDDEN},
        {&admin, POLICY_DRAFT_MIGRATE, &t_self, ERR_FORBIDDEN},
        {&committee, POLICY_DRAFT_MIGRATE, NULL, ERR_FORBIDDEN},
        /* findings: only their authors write them */
        {&lapsed, POLICY_ASSESSMENT_EDIT, &t_audit, ERR_FORBIDDEN},
        {&cleared, POLICY_ASSESSMENT_EDIT, &t_audit, ERR_FORBIDDEN},
        {&lapsed, POLICY_ASSESSMENT_READ, &t_audit, ERR_OK},
        {&admin, POLICY_ASSESSMENT_EDIT, &t_audit, ERR_FORBIDDEN},
        {&admin, POLICY_ASSESSMENT_EDIT, &t_self, ERR_FORBIDDEN},
        {&committee, POLICY_ASSESSMENT_EDIT, &t_self, ERR_FORBIDDEN},
        {&admin, POLICY_ASSESSMENT_READ, &t_audit, ERR_OK},
        {&gone, POLICY_ASSESSMENT_EDIT, &t_self, ERR_FORBIDDEN},
        {&committee, POLICY_ROLE_CONFIRM, NULL, ERR_OK},
        {&admin, POLICY_ROLE_CONFIRM, NULL, ERR_FORBIDDEN},
        {&none, POLICY_ROLE_CONFIRM, NULL, ERR_FORBIDDEN},
        {&none, POLICY_DECIDE, NULL, ERR_FORBIDDEN},
        {&none, POLICY_USERS_READ, NULL, ERR_FORBIDDEN},
        {&none, POLICY_ORG_READ, &org10, ERR_FORBIDDEN},
        {&none, POLICY_RULES_MANAGE, NULL, ERR_FORBIDDEN},
        /* A CAE's documents: its members write them; committee and
         * administrators read them; an auditor reads those an audit of
         * theirs links (or they uploaded), and adds to the library of the
         * CAE whose draft audit is theirs, while certified. */
        {&cae, POLICY_DOCUMENTS_EDIT, &org10, ERR_OK},
        {&cae, POLICY_DOCUMENTS_READ, &org10, ERR_OK},
        {&cae, POLICY_DOCUMENTS_READ, &org30, ERR_FORBIDDEN},
        {&cae, POLICY_DOCUMENTS_EDIT, &org30, ERR_FORBIDDEN},
        {&committee, POLICY_DOCUMENTS_READ, &org10, ERR_OK},
        {&committee, POLICY_DOCUMENTS_EDIT, &org10, ERR_FORBIDDEN},
        {&admin, POLICY_DOCUMENTS_READ, &org10, ERR_OK},
        {&admin, POLICY_DOCUMENTS_EDIT, &org10, ERR_FORBIDDEN},
        {&auditor, POLICY_DOCUMENTS_READ, &org10, ERR_FORBIDDEN},
        {&auditor, POLICY_DOCUMENTS_READ, &linked10, ERR_OK},
        {&cae, POLICY_DOCUMENTS_READ, &(policy_target){.org_id = 30, .linked = true}, ERR_FORBIDDEN},
        {&auditor, POLICY_DOCUMENTS_EDIT, &linked10, ERR_FORBIDDEN},
        {&auditor, POLICY_DOCUMENTS_ADD, &org10, ERR_FORBIDDEN},
        {&auditor, POLICY_DOCUMENTS_ADD, &drafting10, ERR_OK},
        {&auditor, POLICY_DOCUMENTS_EDIT, &drafting10, ERR_FORBIDDEN},
        {&lapsed, POLICY_DOCUMENTS_ADD, &drafting10, ERR_FORBIDDEN},
        {&cleared, POLICY_DOCUMENTS_ADD, &drafting10, ERR_FORBIDDEN},
        {&cae, POLICY_DOCUMENTS_ADD, &org10, ERR_OK},
        {&cae, POLICY_DOCUMENTS_ADD, &org30, ERR_FORBIDDEN},
        {&committee, POLICY_DOCUMENTS_ADD, &org10, ERR_FORBIDDEN},
        {&committee, POLICY_DOCUMENTS_READ, &linked10, ERR_OK},
        {&gone, POLICY_DOCUMENTS_READ, &org10, ERR_FORBIDDEN},
        /* an invitation: the administration and the committee, any role */
        {&admin, POLICY_INVITE, &org10, ERR_OK},
        {&committee, POLICY_INVITE, NULL, ERR_OK},
        {&cae, POLICY_INVITE, &org10, ERR_FORBIDDEN},
        {&auditor, POLICY_INVITE, NULL, ERR_FORBIDDEN},
        {&none, POLICY_INVITE, NULL, ERR_FORBIDDEN},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        err e = ERR_INIT;
        int got = policy_check(cases[i].u, cases[i].a, cases[i].t, &e);
        if (got != cases[i].expected)
            FAIL_AT("case %zu (%s, action %d): got %d, expected %d", i, cases[i].u->role,
                    cases[i].a, got, cases[i].expected);
        err_clear(&e);
    }
    return 0;
}
