/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The component-by-component walk behind safepath.h, for paths that have
 * symlinks on the way or parts to create, and the symlink policy it
 * applies. Only safepath.c walks; the policy is everybody's. */

#include <stdbool.h>
#include <sys/types.h>

/* What to do with the symlinks met on the way, and what to report. */
struct link_policy {
        /* Decide about the symlink whose canonical path is link: 0 to follow
         * it wherever it leads, a positive scope to follow it only as far as
         * allows() says, or a negative errno to refuse it. Without a judge
         * every symlink is refused. */
        int (*judge)(void *ctx, const char *link);
        /* Whether a link judged with this scope may lead to the canonical
         * path: where its text, walked through, ends, and wherever the walk
         * makes something on the way. */
        bool (*allows)(void *ctx, int scope, const char *path);
        void *ctx;
        /* A lookup of a path equal to watch leaves the canonical path of
         * what it found in noted (owned here, replaced by the next one). */
        const char *watch;
        char *noted;
        /* After a refusal: the link, where it leads (worked out lexically),
         * and the scope it left (0: the link itself was refused, or it is on
         * procfs or sysfs). Cleared when the next lookup starts. */
        char *refused_link, *refused_target;
        int refused_scope;
};

/* Free what the policy holds (not the policy). */
void link_policy_clear(struct link_policy *links);
/* Forget the last refusal, as each lookup starts. */
void link_policy_forget_refusal(struct link_policy *links);

enum walk_want {
        WANT_OPEN,   /* look up; nothing is created */
        WANT_DIR,    /* mkdir -p: a directory in the end */
        WANT_ENSURE, /* whatever is there, or a new file (a directory with dir) */
        WANT_PARENT, /* the parent, made as needed; the last component is not looked at */
};

struct walk_request {
        int root_fd;
        struct link_policy *links; /* may be NULL: every symlink is refused */
        const char *path;
        enum walk_want want;
        int flags;       /* WANT_OPEN: the flags of the fd to return */
        bool dir;        /* WANT_ENSURE: make a directory, not a file */
        mode_t mode;     /* of the last component, when it is made */
        mode_t pmode;    /* of the directories made on the way */
        char **base_out; /* WANT_PARENT: the last component */
};

/* Walk rest from the root or, given a seed, from seed_fd (taken over; -1
 * for the root): a directory found without symlinks whose canonical path is
 * seed, where the first component of rest was just found missing. Returns an
 * fd, a negative errno, or -EAGAIN when a walk from a seed would have to go
 * back above it (the caller then walks again from the root). */
int root_walk(const struct walk_request *rq, int seed_fd, const char *seed, const char *rest);
