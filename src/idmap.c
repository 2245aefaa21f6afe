/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Many ids: the maps --map-users auto and --uid-map/--gid-map describe,
 * checked before anything is made. What the kernel would refuse, and what
 * newuidmap would refuse for want of subordinate ids, is refused here with
 * a line that says how to fix it. */
#include "idmap.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "plan.h"
#include "subid.h"
#include "util.h"

/* The last id a map may reach: (uint32_t) -1 is no id. */
#define LAST_ID UINT64_C(4294967294)

static void map_append(struct id_map *map, uint32_t inside, uint32_t outside, uint32_t count)
{
        map->lines = xrealloc(map->lines, sizeof *map->lines * (map->n + 1));
        map->lines[map->n++] = (struct id_range){inside, outside, count};
}

int idmap_add_line(struct id_map *map, const char *s, const char **why)
{
        _cleanup_free_ char *copy = xstrdup(s);
        char *in = strtok(copy, ":"), *out = strtok(NULL, ":"), *count = strtok(NULL, ":");
        uint64_t a, b, c;

        if (!in || !out || !count || strtok(NULL, ":") || parse_u64(in, 10, &a) < 0 || parse_u64(out, 10, &b) < 0 ||
            parse_u64(count, 10, &c) < 0 || s[0] == ':' || strstr(s, "::") || s[strlen(s) - 1] == ':')
                return *why = "is not IN:OUT:COUNT (three decimal numbers)", -1;
        if (c == 0)
                return *why = "maps no ids: COUNT must be at least 1", -1;
        if (a > LAST_ID || b > LAST_ID || c > LAST_ID + 1 || a + c - 1 > LAST_ID || b + c - 1 > LAST_ID)
                return *why = "runs past the last id, 4294967294", -1;
        if (map->n == IDMAP_MAX_LINES)
                return *why = "is one line too many: the kernel takes at most 340 lines per map", -1;
        map_append(map, (uint32_t) a, (uint32_t) b, (uint32_t) c);
        return 0;
}

static bool overlap(uint32_t a, uint32_t na, uint32_t b, uint32_t nb)
{
        return (uint64_t) a < (uint64_t) b + nb && (uint64_t) b < (uint64_t) a + na;
}

/* The kernel refuses a map whose ranges overlap on either side. */
static int check_overlaps(const struct id_map *map, const char *flag)
{
        for (size_t i = 0; i < map->n; i++)
                for (size_t j = 0; j < i; j++) {
                        const struct id_range *x = &map->lines[j], *y = &map->lines[i];
                        bool in = overlap(x->inside, x->count, y->inside, y->count);

                        if (in || overlap(x->outside, x->count, y->outside, y->count))
                                return log_error("%s: %u:%u:%u and %u:%u:%u overlap %s", flag, x->inside, x->outside,
                                                 x->count, y->inside, y->outside, y->count, in ? "inside" : "outside"),
                                       -1;
                }
        return 0;
}

/* The inside id that outside id `id` has in map; false when unmapped. */
static bool inside_of(const struct id_map *map, uint32_t id, uint32_t *in)
{
        for (size_t i = 0; i < map->n; i++)
                if (id >= map->lines[i].outside && id - map->lines[i].outside < map->lines[i].count)
                        return *in = map->lines[i].inside + (id - map->lines[i].outside), true;
        return false;
}

static bool is_mapped(const struct id_map *map, uint32_t in)
{
        for (size_t i = 0; i < map->n; i++)
                if (in >= map->lines[i].inside && in - map->lines[i].inside < map->lines[i].count)
                        return true;
        return false;
}

struct subids {
        const char *file, *kind, *option; /* "/etc/subuid", "user", "--add-subuids" */
        const char *user;                 /* the caller's name, or its number */
        struct subid_range *r;
        size_t n;
};

static int read_subids(struct subids *s, const char *flag, const char *name, uid_t uid)
{
        int r = subid_read(s->file, name, uid, &s->r, &s->n);

        if (r < 0)
                return log_errno(r, "%s: can't read %s", flag, s->file), -1;
        return 0;
}

static int no_subids(const struct subids *s, const char *flag)
{
        uint64_t start = subid_free_start(s->file);

        return log_error("%s: no subordinate %s ids for %s in %s (add a range with usermod %s %llu-%llu %s, as "
                         "root)",
                         flag, s->kind, s->user, s->file, s->option, (unsigned long long) start,
                         (unsigned long long) start + 65535, s->user),
               -1;
}

/* --map-users auto: the caller's own id is 0 inside, its ranges 1 up. */
static int map_auto(struct id_map *map, uint32_t own, const struct subids *s, const char *flag)
{
        uint64_t next = 1;

        if (s->n == 0)
                return no_subids(s, flag);
        map_append(map, 0, own, 1);
        for (size_t i = 0; i < s->n && map->n < IDMAP_MAX_LINES; i++) {
                if (next + s->r[i].count - 1 > LAST_ID)
                        break;
                map_append(map, (uint32_t) next, s->r[i].first, s->r[i].count);
                next += s->r[i].count;
        }
        return 0;
}

/* An unprivileged caller may map its own id and its subordinate ids, no
 * other: what newuidmap and newgidmap would refuse, said before. */
static int check_granted(const struct id_map *map, uint32_t own, const struct subids *s, const char *flag)
{
        for (size_t i = 0; i < map->n; i++) {
                const struct id_range *l = &map->lines[i];
                bool ok = l->count == 1 && l->outside == own;

                for (size_t j = 0; !ok && j < s->n; j++)
                        ok = l->outside >= s->r[j].first &&
                             (uint64_t) l->outside + l->count <= (uint64_t) s->r[j].first + s->r[j].count;
                if (ok)
                        continue;
                if (s->n == 0)
                        return no_subids(s, flag);
                return log_error("%s: %u:%u:%u maps %s ids that %s grants %s no range of", flag, l->inside, l->outside,
                                 l->count, s->kind, s->file, s->user),
                       -1;
        }
        return 0;
}

/* Where a map of the caller's own id alone, which the sandbox writes for
 * itself, will do. */
static bool only_own(const struct id_map *map, uint32_t own)
{
        return map->n == 1 && map->lines[0].count == 1 && map->lines[0].outside == own;
}

/* Settle one of the two maps, and the id the command runs as. */
static int settle_one(struct plan *p, struct id_map *map, struct subids *s, bool uid)
{
        const char *flag = p->map_users_auto ? "--map-users" : uid ? "--uid-map" : "--gid-map";
        uint32_t own = uid ? p->caller_uid : p->caller_gid, setup;
        bool set = uid ? p->uid_set : p->gid_set;
        uint32_t *id = uid ? &p->uid : &p->gid;

        if (p->map_users_auto && map_auto(map, own, s, flag) < 0)
                return -1;
        if (map->n == 0) /* only the other map was given: this one is the usual */
                map_append(map, set ? *id : own, own, 1);
        if (check_overlaps(map, flag) < 0)
                return -1;
        if (p->caller_uid != 0 && check_granted(map, own, s, flag) < 0)
                return -1;
        if (!inside_of(map, own, &setup))
                return log_error("%s: the map must include your own %s %u (as IN:%u:1)", flag, uid ? "uid" : "gid", own,
                                 own),
                       -1;
        if (!set)
                *id = setup;
        else if (!is_mapped(map, *id))
                return log_error("%s: %u is not mapped inside (see %s)", uid ? "--uid" : "--gid", *id, flag), -1;
        return 0;
}

int idmap_settle(struct plan *p)
{
        const char *flag = p->map_users_auto ? "--map-users" : p->uid_map.n ? "--uid-map" : "--gid-map";
        struct subids su = {"/etc/subuid", "user", "--add-subuids", NULL, NULL, 0};
        struct subids sg = {"/etc/subgid", "group", "--add-subgids", NULL, NULL, 0};
        _cleanup_free_ char *number = xasprintf("%u", (unsigned) p->caller_uid);
        _cleanup_free_ char *name = NULL;
        int r = -1;

        if (!p->map_users_auto && !p->uid_map.n && !p->gid_map.n)
                return 0;
        if (p->map_users_auto && (p->uid_map.n || p->gid_map.n))
                return log_error("--map-users: can't be combined with --uid-map or --gid-map"), -1;
        if (p->userns_fd >= 0)
                return log_error("%s: can't be combined with --userns, whose maps are written already", flag), -1;
        if (p->userns_block_fd >= 0)
                return log_error("%s: can't be combined with --userns-block-fd, where the caller writes the maps",
                                 flag),
                       -1;
        if (p->pidns_fd >= 0 && (p->clone_flags & CLONE_NEWPID))
                return log_error("%s: can't be combined with --pidns and --unshare-pid", flag), -1;
        p->clone_flags |= CLONE_NEWUSER;

        name = subid_user_name(p->caller_uid);
        su.user = sg.user = name ? name : number;
        if (p->caller_uid != 0 || p->map_users_auto)
                if (read_subids(&su, flag, name, p->caller_uid) < 0 || read_subids(&sg, flag, name, p->caller_uid) < 0)
                        goto out;
        if (settle_one(p, &p->uid_map, &su, true) < 0 || settle_one(p, &p->gid_map, &sg, false) < 0)
                goto out;
        p->uid_set = p->gid_set = true;
        p->maps_wide = !only_own(&p->uid_map, p->caller_uid) || !only_own(&p->gid_map, p->caller_gid);
        r = 0;
        if (p->maps_wide && p->caps_given) /* the edits start from root's set inside, not the caller's */
                p->caps = ((p->uid == 0 ? IDMAP_ROOT_CAPS : 0) & ~p->caps_edit_drop) | p->caps_edit_add;
        if (!p->maps_wide) /* the sandbox writes them itself, as without these options */
                goto out;
        if (p->caller_uid != 0 && (access(NEWUIDMAP, X_OK) < 0 || access(NEWGIDMAP, X_OK) < 0)) {
                log_error("%s: %s is missing (install the package uidmap)", flag,
                          access(NEWUIDMAP, X_OK) < 0 ? NEWUIDMAP : NEWGIDMAP);
                r = -1;
        }
out:
        free(su.r);
        free(sg.r);
        return r;
}
