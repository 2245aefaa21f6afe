/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Overlay mounts, for unprivileged callers too (overlayfs in a user namespace). */
#include "overlay.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "mountutil.h"
#include "owners.h"
#include "plan.h"
#include "rootctx.h"
#include "safepath.h"
#include "syscalls.h"
#include "util.h"

/* overlayfs takes paths. We hand it each layer as the /proc magic link of an
 * fd we opened (resolved as the caller sees it), so nothing it looks up can
 * be redirected, and no ':' or ',' in a host path can confuse its options. */
static char *fd_path(int fd)
{
        char link[ROOTCTX_FD_LINK_MAX];

        rootctx_fd_link(fd, link);
        return xstrdup(link);
}

/* The fds we opened: one per layer, and the upper and work directories with
 * their base. As many as there are layers: there is no limit of ours. */
struct layers {
        int *fds;
        size_t n;
};

static void layers_close(struct layers *l)
{
        for (size_t i = 0; i < l->n; i++)
                close(l->fds[i]);
        free(l->fds);
        l->fds = NULL;
        l->n = 0;
}

/* The longest option value fsconfig takes (the kernel copies at most 256
 * bytes with the NUL). */
#define FSCONFIG_VALUE_MAX 255

static int open_dir(const struct rootfs *rfs, const struct fs_op *op, const char *path, const char *what,
                    struct layers *l)
{
        int fd = rootctx_open_source(rfs, path);
        struct stat st;

        if (fd < 0)
                return log_errno(fd, "%s: can't open %s %s", op->flag, what, path), -1;
        l->fds[l->n++] = fd;
        if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode))
                return log_error("%s: %s %s is not a directory", op->flag, what, path), -1;
        return fd;
}

/* A private upper and work directory on the base tmpfs we stand in. */
static int make_tmp_upper(const struct fs_op *op, struct layers *l, int *upper, int *work)
{
        static unsigned counter;
        char dir[64];
        int base;

        snprintf(dir, sizeof dir, "/tmp-overlay.%u", counter++);
        if (mkdir(dir, 0755) < 0)
                return log_errno(errno, "%s: can't create %s", op->flag, dir), -1;
        base = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (base < 0)
                return log_errno(errno, "%s: can't open %s", op->flag, dir), -1;
        l->fds[l->n++] = base;
        if (mkdirat(base, "upper", 0755) < 0 || mkdirat(base, "work", 0755) < 0)
                return log_errno(errno, "%s: can't create the upper layer", op->flag), -1;
        *upper = openat(base, "upper", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (*upper >= 0)
                l->fds[l->n++] = *upper;
        *work = openat(base, "work", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (*work >= 0)
                l->fds[l->n++] = *work;
        if (*upper < 0 || *work < 0)
                return log_errno(errno, "%s: can't open the upper layer", op->flag), -1;
        return 0;
}

/* The lower layers as mount options: one lowerdir=A:B:C while it fits in an
 * fsconfig value, else one lowerdir+=A per layer (Linux 6.8+), which has no
 * such bound. The kernel lists the top layer first; we were given the bottom
 * one first. Returns the number of options added to opts. */
static size_t lower_options(char **layer_paths, size_t n, const char **opts, char **owned)
{
        size_t total = strlen("lowerdir=");

        for (size_t i = 0; i < n; i++)
                total += strlen(layer_paths[i]) + 1;
        if (total <= FSCONFIG_VALUE_MAX + strlen("lowerdir=")) {
                char *lower = xstrdup("lowerdir=");
                for (size_t i = n; i-- > 0;) {
                        size_t len = strlen(lower);
                        lower = xrealloc(lower, len + strlen(layer_paths[i]) + 2);
                        sprintf(lower + len, "%s%s", i + 1 == n ? "" : ":", layer_paths[i]);
                }
                opts[0] = owned[0] = lower;
                return 1;
        }
        for (size_t i = n, k = 0; i-- > 0; k++)
                opts[k] = owned[k] = xasprintf("lowerdir+=%s", layer_paths[i]);
        return n;
}

int op_overlay(struct rootfs *rfs, const struct fs_op *op)
{
        struct layers l = {.fds = xcalloc(op->n_layers + 3, sizeof(int)), .n = 0};
        _cleanup_free_ char *upper_opt = NULL, *work_opt = NULL;
        _cleanup_close_ int dest = -1;
        const char **opts = xcalloc(op->n_layers + 5, sizeof(char *));
        char **owned = xcalloc(op->n_layers + 1, sizeof(char *)); /* the lower options */
        char **paths = xcalloc(op->n_layers + 1, sizeof(char *));
        size_t n_opts = 0;
        int upper = -1, work = -1, r = -1;
        uint64_t attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;

        for (size_t i = 0; i < op->n_layers; i++) {
                int fd = open_dir(rfs, op, op->layers[i], "--overlay-src", &l);
                if (fd < 0)
                        goto out;
                paths[i] = fd_path(fd);
        }
        n_opts = lower_options(paths, op->n_layers, opts, owned);

        if (op->overlay == OVERLAY_RW) {
                upper = open_dir(rfs, op, op->src, "the upper directory", &l);
                work = upper < 0 ? -1 : open_dir(rfs, op, op->work, "the work directory", &l);
                if (work < 0)
                        goto out;
        } else if (op->overlay == OVERLAY_TMP) {
                if (make_tmp_upper(op, &l, &upper, &work) < 0)
                        goto out;
        } else {
                attrs |= MOUNT_ATTR_RDONLY;
        }
        if (upper >= 0) {
                _cleanup_free_ char *u = fd_path(upper), *w = fd_path(work);
                upper_opt = xasprintf("upperdir=%s", u);
                work_opt = xasprintf("workdir=%s", w);
                opts[n_opts++] = upper_opt;
                opts[n_opts++] = work_opt;
        }
        /* In a user namespace overlayfs keeps its metadata in user.* xattrs. */
        if (rfs->in_userns)
                opts[n_opts++] = "userxattr";
        opts[n_opts] = NULL;

        dest = root_mkdir_p(rfs->newroot_fd, &rfs->links, op->dest, 0755, plan_op_parent_mode(op));
        if (dest < 0) {
                dest_error(rfs, op, dest, "can't create mount point");
                goto out;
        }
        r = mount_new_onto("overlay", opts, attrs, dest);
        if (r < 0) {
                log_errno(r, "%s: can't mount the overlay on %s%s%s", op->flag, op->dest,
                          mount_error_detail()[0] ? ": " : "", mount_error_detail());
                r = -1;
                goto out;
        }
        r = 0;
out:
        layers_close(&l);
        for (size_t i = 0; i < op->n_layers; i++) {
                free(owned[i]);
                free(paths[i]);
        }
        free(owned);
        free(paths);
        free(opts);
        return r;
}
