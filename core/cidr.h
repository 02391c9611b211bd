/* cidr: address lists such as "127.0.0.1/32,10.0.0.0/8,::1" (a bare address
 * is a /32 or a /128), for the webhooks' allowlist, the trusted proxies and
 * who may read the metrics. Functions over inet_pton. */
#ifndef LABELCOOP_CIDR_H
#define LABELCOOP_CIDR_H

#include <stdbool.h>
#include <sys/socket.h>

#include "err.h"

/* Whether addr lies in one of list's networks (NULL or "": none). */
bool cidr_listed(const struct sockaddr *addr, const char *list);
/* The same for an address written as text ("203.0.113.9", "2001:db8::1");
 * false for text that is no address. */
bool cidr_listed_text(const char *address, const char *list);
/* Whether text is an IPv4 or IPv6 address. */
bool cidr_address(const char *text);
/* ERR_INPUT "what: 'item' is not an address or a network" for the first
 * item of list that is neither. */
int cidr_check_list(const char *list, const char *what, err *e);

#endif
