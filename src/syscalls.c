/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "syscalls.h"

static bool no_openat2;

int sys_openat2(int dirfd, const char *path, uint64_t flags, uint64_t resolve)
{
        struct open_how how = {.flags = flags, .resolve = resolve};
        int fd;

        if (no_openat2) {
                errno = ENOSYS;
                return -1;
        }
        /* Not noted for the error message: there is always the walk. */
        fd = (int) syscall(SYS_openat2, dirfd, path, &how, sizeof how);
        if (fd < 0 && errno == ENOSYS)
                no_openat2 = true;
        return fd;
}

bool sys_lacks_openat2(void)
{
        return no_openat2;
}
