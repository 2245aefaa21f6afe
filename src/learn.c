/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --learn: a profile from the report's events (learn.h). */
#include "learn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

char *learn_quote(const char *word)
{
        bool plain = *word != '\0';

        for (const char *c = word; *c; c++) {
                if (*c == '\'' || *c == '\\' || (unsigned char) *c < 0x20 || (unsigned char) *c >= 0x7f)
                        return NULL;
                if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._,:@+=-", *c))
                        plain = false;
        }
        return plain ? xstrdup(word) : xasprintf("'%s'", word);
}

/* Whether line was written before: once each. */
static bool seen_before(const struct report_event *ev, size_t i)
{
        for (size_t j = 0; j < i; j++)
                if (ev[j].learn == ev[i].learn && ev[j].suggest && strcmp(ev[j].suggest, ev[i].suggest) == 0)
                        return true;
        return false;
}

int learn_write(int fd, const char *path, const struct report_event *ev, const unsigned long *count, size_t n)
{
        FILE *f;
        size_t calls = 0;
        int dup_fd = dup(fd);

        if (dup_fd < 0 || !(f = fdopen(dup_fd, "w"))) {
                if (dup_fd >= 0)
                        close(dup_fd);
                return -1;
        }
        fprintf(f,
                "# %s: written by cocoon --learn, from what the command was refused.\n"
                "# Read it before you use it (--profile %s): every line widens the sandbox.\n",
                path, path);
        for (size_t i = 0; i < n; i++) {
                const struct report_event *e = &ev[i];

                if (e->kind == REPORT_SECCOMP) {
                        calls += e->err != ENOSYS; /* a fallback, not a need */
                        continue;
                }
                if (!e->suggest || e->learn == LEARN_NONE || seen_before(ev, i))
                        continue;
                fprintf(f, "\n# %s\n", e->cause);
                if (e->learn == LEARN_ADD)
                        fprintf(f, "%s\n", e->suggest);
                else if (e->learn == LEARN_REVIEW)
                        fprintf(f, "# review: this lets the command %s\n%s\n",
                                e->kind == REPORT_NETWORK ? "reach more of the network" : "write", e->suggest);
                else
                        fprintf(f, "# %s\n", e->suggest);
        }
        if (calls) {
                fprintf(f, "\n# seccomp: the profile refused these system calls (no option allows one call):\n");
                for (size_t i = 0; i < n; i++)
                        if (ev[i].kind == REPORT_SECCOMP && ev[i].err != ENOSYS)
                                fprintf(f, "#   %s (%lu times)\n", ev[i].syscall ? ev[i].syscall : "?", count[i]);
                fprintf(f, "# To allow them, copy the profile (cocoon's default is seccomp-default.json in its\n"
                           "# sources), add their names to a rule with \"action\": \"SCMP_ACT_ALLOW\", and give\n"
                           "# it as --seccomp-profile FILE instead.\n");
        }
        return fclose(f) == 0 ? 0 : -1;
}
