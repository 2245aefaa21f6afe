/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mountutil.h"

#include <stdio.h>
#include <string.h>

#include "mountattr.h"
#include "syscalls.h"
#include "util.h"

static const char *proc_dir = "/proc";
static bool no_setattr;

void mount_set_proc_dir(const char *dir)
{
        proc_dir = dir;
}

/* mount_setattr itself: 0, a negative errno, or -ENOSYS (at once, once it
 * answered that). */
static int setattr(int fd, uint64_t attrs, int recursive)
{
        if (no_setattr)
                return -ENOSYS;
        if (sys_mount_setattr(fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), attrs, 0) == 0)
                return 0;
        no_setattr = errno == ENOSYS;
        return -errno;
}

int mount_set_attrs(int fd, uint64_t attrs, int recursive)
{
        int r;

        if (!attrs)
                return 0;
        r = setattr(fd, attrs, recursive);
        /* Without mount_setattr: remounts, checked (mountattr.h). */
        if (r == -ENOSYS)
                r = mountattr_remount(proc_dir, fd, attrs, recursive);
        return r;
}

int mount_clone_attach(int dirfd, const char *path, uint64_t attrs, int to_fd, const char *to_path)
{
        return mount_clone_attach_lenient(dirfd, path, attrs, to_fd, to_path, NULL);
}

int mount_clone_attach_lenient(int dirfd, const char *path, uint64_t attrs, int to_fd, const char *to_path,
                               int *submount_error)
{
        _cleanup_close_ int tree = -1;
        unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | (*path ? 0 : AT_EMPTY_PATH);
        int r;

        tree = sys_open_tree(dirfd, path, flags);
        if (tree < 0)
                return -errno;
        /* Attributes go on the clone before anything can see it; without
         * mount_setattr only a remount gives them, and a remount works on
         * attached mounts alone: after the move, then, before the sandbox
         * exists (a failure ends the launch). With submount_error, a refusal
         * for the submounts leaves them as they are, and only the top gets
         * the attributes (--not-a-security-boundary). */
        r = attrs ? setattr(tree, attrs, 1) : 0;
        if (r < 0 && r != -ENOSYS && submount_error) {
                *submount_error = r;
                r = setattr(tree, attrs, 0);
        }
        if (r < 0 && r != -ENOSYS)
                return r;
        if (sys_move_mount(tree, "", to_fd, to_path,
                           MOVE_MOUNT_F_EMPTY_PATH | (*to_path ? 0 : MOVE_MOUNT_T_EMPTY_PATH)) < 0)
                return -errno;
        if (r == -ENOSYS) {
                r = mountattr_remount(proc_dir, tree, attrs, true);
                if (r < 0 && submount_error) {
                        *submount_error = r;
                        r = mountattr_remount(proc_dir, tree, attrs, false);
                }
                if (r < 0)
                        return r;
        }
        return take_fd(&tree);
}

int mount_clone_onto(int dirfd, const char *path, uint64_t attrs, int to_fd, const char *to_path)
{
        int tree = mount_clone_attach(dirfd, path, attrs, to_fd, to_path);

        if (tree < 0)
                return tree;
        close(tree);
        return 0;
}

static char error_detail[512];

const char *mount_error_detail(void)
{
        return error_detail;
}

/* Keep the last error message the kernel logged on a filesystem context. */
static int save_detail(int fs, int err)
{
        char buf[512];
        ssize_t n;

        error_detail[0] = '\0';
        while ((n = read(fs, buf, sizeof buf - 1)) > 0) {
                buf[n] = '\0';
                if (n > 2 && buf[0] == 'e' && buf[1] == ' ')
                        memcpy(error_detail, buf + 2, (size_t) n - 1); /* with its NUL */
        }
        /* One line: some messages end in a newline or a blank. */
        for (size_t len = strlen(error_detail); len && (error_detail[len - 1] == '\n' || error_detail[len - 1] == ' ');)
                error_detail[--len] = '\0';
        return -err;
}

int mount_new_onto(const char *fstype, const char *const *options, uint64_t attrs, int to_fd)
{
        _cleanup_close_ int fs = -1, mnt = -1;

        fs = sys_fsopen(fstype, FSOPEN_CLOEXEC);
        if (fs < 0)
                return -errno;
        /* Name the source after the type, as mount(8) users expect to see it. */
        if (sys_fsconfig(fs, FSCONFIG_SET_STRING, "source", fstype, 0) < 0)
                return -errno;
        for (; options && *options; options++) {
                _cleanup_free_ char *key = xstrdup(*options);
                char *value = strchr(key, '=');
                int r;

                if (value) {
                        *value++ = '\0';
                        r = sys_fsconfig(fs, FSCONFIG_SET_STRING, key, value, 0);
                } else {
                        r = sys_fsconfig(fs, FSCONFIG_SET_FLAG, key, NULL, 0);
                }
                if (r < 0)
                        return save_detail(fs, errno);
        }
        if (sys_fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return save_detail(fs, errno);
        mnt = sys_fsmount(fs, FSMOUNT_CLOEXEC, (unsigned) attrs);
        if (mnt < 0)
                return -errno;
        if (sys_move_mount(mnt, "", to_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return -errno;
        return 0;
}
