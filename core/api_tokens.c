/* api_tokens: the routes of invitations and forgotten passwords. The
 * single-use token travels in the path (the e-mailed link's), which the
 * request log never writes (routes flagged SECRET in api.c). Uses service. */
#include "api_internal.h"

#include "service.h"

int api_invitation_add(call *c, cJSON **out, err *e)
{
    c->status = 201;
    return service_invitation_add(&c->svc, c->body, out, e);
}

int api_invitations(call *c, cJSON **out, err *e)
{
    return service_invitation_list(&c->svc, out, e);
}

int api_invitation_revoke(call *c, cJSON **out, err *e)
{
    (void)out;
    c->status = 204;
    return service_invitation_revoke(&c->svc, c->ids[0], e);
}

/* The account made, and logged in as a login is. */
int api_invitation_accept(call *c, cJSON **out, err *e)
{
    char token[AUTH_TOKEN_LEN + 1];
    cJSON *user = NULL;
    if (service_invitation_accept(&c->svc, c->strs[0], c->body, &user, token, e))
        return e->code;
    double id = cJSON_GetNumberValue(cJSON_GetObjectItem(user, "id"));
    *out = api_session_answer(c, token, user, (long long)id);
    return ERR_OK;
}

int api_reset_request(call *c, cJSON **out, err *e)
{
    c->status = 202;
    return service_password_reset_request(&c->svc, c->body, out, e);
}

int api_reset(call *c, cJSON **out, err *e)
{
    return service_password_reset(&c->svc, c->strs[0], c->body, out, e);
}
