/* api_people: the routes of a person's several roles (GET /me, PUT
 * /session/role, /users/{id}/roles) and of a CAE's team
 * (/organisations/{id}/team). Each calls one service function. Uses
 * api_internal.h's call and service. */
#include "api_internal.h"

int api_me(call *c, cJSON **out, err *e)
{
    return service_me(&c->svc, out, e);
}

int api_session_role(call *c, cJSON **out, err *e)
{
    return service_session_role(&c->svc, c->body, out, e);
}

int api_role_add(call *c, cJSON **out, err *e)
{
    c->status = 201;
    return service_role_add(&c->svc, c->ids[0], c->body, out, e);
}

int api_role_update(call *c, cJSON **out, err *e)
{
    return service_role_update(&c->svc, c->ids[0], c->strs[0], c->body, out, e);
}

int api_role_remove(call *c, cJSON **out, err *e)
{
    return service_role_remove(&c->svc, c->ids[0], c->strs[0], out, e);
}

int api_team(call *c, cJSON **out, err *e)
{
    return service_team_list(&c->svc, c->ids[0], out, e);
}

int api_team_update(call *c, cJSON **out, err *e)
{
    return service_team_update(&c->svc, c->ids[0], c->ids[1], c->body, out, e);
}

int api_team_remove(call *c, cJSON **out, err *e)
{
    return service_team_remove(&c->svc, c->ids[0], c->ids[1], out, e);
}
