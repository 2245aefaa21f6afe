/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Options that observe the sandbox: --report, --report-fd, --learn (report.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "opts.h"

#include "util.h"

int opt_report(struct parse_state *st, char **a)
{
        (void) a;
        st->plan->report_summary = true;
        return 0;
}

int opt_report_fd(struct parse_state *st, char **a)
{
        if (st->plan->report_fd >= 0)
                warn_given_again(st);
        return fd_arg(st, a[0], FD_WRITE, &st->plan->report_fd);
}

/* The file is made now, so that a path that can't be written is an error
 * before anything runs; it is filled in when the sandbox ends. */
int opt_learn(struct parse_state *st, char **a)
{
        struct plan *p = st->plan;
        int fd;

        if (want_path(st, "the profile to write", a[0]) < 0)
                return -1;
        if (p->learn_path)
                return fail(st, "given twice: one profile is written");
        fd = open(a[0], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0644);
        if (fd < 0)
                return fail(st, "can't write %s: %s", a[0], strerror(errno));
        p->learn_fd = fd;
        p->learn_path = xstrdup(a[0]);
        return 0;
}
