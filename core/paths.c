/* paths: the default folders, found from where the program runs. One rule:
 * an installed program has its data in ../share/labelcoop beside its bin/
 * folder; the check is that the rules are there, so a build folder that
 * happens to be called bin never passes for an installation. */
#include "paths.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The folder of share/labelcoop for the running program, into share; false
 * when the program is not installed. */
static bool installed_share(char *share, size_t size)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return false;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash || slash - exe < 4 || strncmp(slash - 4, "/bin", 4) != 0)
        return false;
    slash[-4] = '\0'; /* the prefix */
    char rules[PATH_MAX + 32];
    if ((size_t)snprintf(share, size, "%s/share/labelcoop", exe) >= size ||
        (size_t)snprintf(rules, sizeof rules, "%s/rules/award.lua", share) >= sizeof rules)
        return false;
    return access(rules, R_OK) == 0;
}

static void set(char *out, const char *dir, const char *name)
{
    snprintf(out, PATH_MAX, "%s%s%s", dir, dir[0] ? "/" : "", name);
}

void paths_defaults(paths *p)
{
    char share[PATH_MAX - 16];
    p->installed = installed_share(share, sizeof share);
    const char *dir = p->installed ? share : "";
    set(p->rules, dir, "rules");
    set(p->web, dir, "web");
    set(p->scripts, dir, "scripts");
    set(p->plugins, dir, "plugins");
    set(p->mail, dir, "mail");
    snprintf(p->db, sizeof p->db, "%s", p->installed ? PATHS_STATE_DB : "var/labelcoop.db");
}
