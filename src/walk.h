/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The component-by-component walk behind safepath.h, for paths that have
 * symlinks on the way or parts to create. Only safepath.c uses it. */

#include <stdbool.h>
#include <sys/types.h>

struct link_policy;

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
