/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Options that coordinate with the caller: fds to sync, block, report on; namespaces to join; lock files. */
#include <stdlib.h>

#include "opts.h"

#include "util.h"

int opt_lock_file(struct parse_state *st, char **a)
{
        struct plan *p = st->plan;

        if (want_path(st, "the lock file", a[0]) < 0)
                return -1;
        p->lock_files = xrealloc(p->lock_files, sizeof(char *) * (p->n_lock_files + 1));
        p->lock_files[p->n_lock_files++] = xstrdup(a[0]);
        return 0;
}

/* The fd options keep one fd each: bwrap warns when one is given again. */
static int single_fd(struct parse_state *st, const char *arg, enum fd_use use, int *field)
{
        if (*field >= 0)
                warn_given_again(st);
        return fd_arg(st, arg, use, field);
}

int opt_sync_fd(struct parse_state *st, char **a)
{
        return single_fd(st, a[0], FD_ANY, &st->plan->sync_fd);
}

int opt_block_fd(struct parse_state *st, char **a)
{
        return single_fd(st, a[0], FD_READ, &st->plan->block_fd);
}

int opt_userns_block_fd(struct parse_state *st, char **a)
{
        return single_fd(st, a[0], FD_READ, &st->plan->userns_block_fd);
}

int opt_info_fd(struct parse_state *st, char **a)
{
        return single_fd(st, a[0], FD_WRITE, &st->plan->info_fd);
}

int opt_json_status_fd(struct parse_state *st, char **a)
{
        return single_fd(st, a[0], FD_WRITE, &st->plan->json_status_fd);
}

int opt_userns(struct parse_state *st, char **a)
{
        return single_fd(st, a[0], FD_USERNS, &st->plan->userns_fd);
}

int opt_userns2(struct parse_state *st, char **a)
{
        return single_fd(st, a[0], FD_USERNS, &st->plan->userns2_fd);
}

int opt_pidns(struct parse_state *st, char **a)
{
        return single_fd(st, a[0], FD_PIDNS, &st->plan->pidns_fd);
}
