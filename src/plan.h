/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bpf.h"

/* One filesystem operation, applied inside the new root in command-line order. */
enum fs_op_kind {
        FS_BIND,       /* src (host path) onto dest */
        FS_REMOUNT_RO, /* dest */
        FS_TMPFS,      /* dest, perms, size */
        FS_DIR,        /* dest, perms */
        FS_SYMLINK,    /* src is the link text, dest the link */
        FS_PROC,       /* dest */
        FS_DEV,        /* dest */
        FS_FILE,       /* fd's data copied into a new file dest, perms */
        FS_BIND_DATA,  /* fd's data in a private file bound on dest, perms */
        FS_BIND_FD,    /* the object fd refers to, bound on dest */
        FS_CHMOD,      /* perms applied to dest */
        FS_MQUEUE,     /* dest */
        FS_OVERLAY,    /* layers (+ src as upper, work) on dest */
        FS_SYS,        /* a read-only sysfs on dest */
        FS_MASK,       /* hide dest: an empty read-only file or directory */
};

enum overlay_kind {
        OVERLAY_RW,  /* --overlay: writes go to src, with work as workdir */
        OVERLAY_TMP, /* --tmp-overlay: writes go to cocoon's private tmpfs */
        OVERLAY_RO,  /* --ro-overlay */
};

enum {
        BIND_READONLY = 1 << 0,
        BIND_DEVICES = 1 << 1, /* --dev-bind: keep device access, no nodev */
        BIND_TRY = 1 << 2,     /* -try: a missing source is skipped */
};

#define PERMS_UNSET ((mode_t) -1)

/* --landlock-read, --landlock-write, --landlock-exec */
enum landlock_rights { LANDLOCK_READ, LANDLOCK_WRITE, LANDLOCK_EXEC };

struct landlock_path {
        char *path; /* inside the sandbox */
        enum landlock_rights rights;
        const char *flag;
};

/* One line of an id map: COUNT ids from INSIDE up stand for those from
 * OUTSIDE up (--uid-map, --gid-map, --map-users). */
struct id_range {
        uint32_t inside, outside, count;
};

/* An id map of at most IDMAP_MAX_LINES lines, the kernel's limit. */
#define IDMAP_MAX_LINES 340
struct id_map {
        struct id_range *lines;
        size_t n;
};

struct port_range {
        unsigned first, last;
};

/* --allow-host HOST[:PORT] (proxy.h) */
struct allow_host {
        char *host;    /* lower case; for a wildcard, the part after "*." */
        unsigned port; /* 0: 80 and 443 */
        bool wildcard; /* "*.host": any name below host, not host itself */
        bool ip;       /* an IP literal, in its canonical text */
};

/* --net: where the sandbox's network comes from */
enum net_mode {
        NET_DEFAULT, /* as --share-net / --unshare-net left it */
        NET_PASTA,   /* a network namespace of its own, connected through pasta (netpasta.h) */
};

/* --forward tcp:HOSTPORT[:SANDBOXPORT] and udp: */
struct net_forward {
        bool udp;
        unsigned host_port, sandbox_port;
};
#define NET_MAX_FORWARDS 64

/* --rlimit NAME=SOFT[:HARD] */
struct rlimit_setting {
        int resource;
        uint64_t soft, hard; /* RLIM_INFINITY for unlimited */
};

struct fs_op {
        enum fs_op_kind kind;
        unsigned flags;
        char *src;
        char *dest;
        mode_t perms;  /* PERMS_UNSET: the kind's default */
        uint64_t size; /* tmpfs size in bytes, 0: kernel default */
        int fd;        /* FS_FILE, FS_BIND_DATA, FS_BIND_FD */
        enum overlay_kind overlay;
        char **layers; /* FS_OVERLAY: host paths, bottom layer first */
        size_t n_layers;
        char *work;       /* FS_OVERLAY with OVERLAY_RW */
        const char *flag; /* the option that made it, for messages */
};

/* Everything the launch needs, filled in by the parser and validated once.
 * Nothing changes it after validation. */
struct plan {
        /* namespaces */
        int clone_flags;       /* CLONE_NEW* to create */
        bool unshare_user_try; /* --unshare-user-try */
        bool unshare_cgroup_try;

        /* network beyond the namespace (--net, --forward) */
        enum net_mode net_mode;
        struct net_forward *forwards;
        size_t n_forwards;

        /* identity */
        uid_t caller_uid;
        uint64_t caller_caps;     /* the caller's permitted capabilities */
        uint64_t caller_bounding; /* a root caller's bounding set, which it keeps */
        gid_t caller_gid;
        bool uid_set, gid_set;
        uid_t uid; /* inside */
        gid_t gid;
        char *hostname;
        /* many ids (idmap.c): --map-users auto, or exact --uid-map and
         * --gid-map lines; validation fills both maps either way, and sets
         * maps_wide when they go beyond the caller's own ids: then the
         * monitor writes them, with newuidmap and newgidmap or as root */
        bool map_users_auto;
        struct id_map uid_map, gid_map;
        bool maps_wide;

        /* --allow-host: the monitor's proxy serves the sandbox's network
         * namespace, which has nothing but loopback */
        struct allow_host *allow_hosts;
        size_t n_allow_hosts;

        /* environment: the final environ of the command */
        char **env;
        size_t n_env;
        char *chdir_path;
        char *caller_cwd;

        /* filesystem */
        struct fs_op *ops;
        size_t n_ops;

        /* joining existing namespaces; -1 when not given */
        int userns_fd;
        int userns2_fd;
        int pidns_fd;
        bool disable_userns;
        bool assert_userns_disabled;

        /* coordination with the caller; fds are -1 when not given */
        char **lock_files; /* paths inside the sandbox, locked while it runs */
        size_t n_lock_files;
        int sync_fd;
        int block_fd;
        int userns_block_fd;
        int info_fd;
        int json_status_fd;

        /* seccomp: programs from fds (--seccomp keeps the last one given) */
        struct bpf_prog seccomp_fd_prog; /* --seccomp */
        struct bpf_prog *added_progs;    /* --add-seccomp-fd, in order */
        size_t n_added_progs;
        char **profiles; /* --seccomp-profile FILE or "default", in order */
        size_t n_profiles;
        char *seccomp_export; /* --seccomp-export FILE */
        /* filled by validation, which moves the programs above into it:
         * every program to load, in order, the terminal guard first */
        struct bpf_prog *programs;
        size_t n_programs;

        /* --report, --report-fd, --learn (report.h). Validation then fills
         * in program_ours (per program: compiled by cocoon, so the report
         * sees what it refuses) and the programs loaded instead of
         * programs: ours with their refusals left to the listener's
         * program, which comes last (notifybpf.h). */
        bool report_summary;
        int report_fd;
        char *learn_path;
        int learn_fd; /* opened when parsed */
        bool *program_ours;
        struct bpf_prog *report_programs;
        size_t n_report_programs;

        /* /proc and /sys masks lifted by --unmask ("all" lifts every one) */
        char **unmask;
        size_t n_unmask;

        /* Landlock */
        bool landlock;                /* rules derived from the operations */
        bool not_a_security_boundary; /* some setup failures only warn, as in bwrap 0.12 */
        bool landlock_best_effort;    /* skip what the kernel lacks, with a warning */
        struct landlock_path *landlock_paths;
        size_t n_landlock_paths;
        struct port_range *connect_tcp, *bind_tcp;
        size_t n_connect_tcp, n_bind_tcp;
        bool scope_abstract_unix;
        bool scope_signals;

        /* resource limits */
        struct rlimit_setting *rlimits;
        size_t n_rlimits;
        uint64_t memory_max;      /* bytes, 0: none (cgroup v2) */
        uint64_t pids_max;        /* 0: none */
        unsigned cpu_max_percent; /* of one CPU, 0: none */
        unsigned timeout;         /* seconds, 0: none */

        /* time namespace */
        bool unshare_time;
        long long monotonic_offset, boottime_offset; /* seconds */

        /* SELinux labels (ignored where SELinux is off, as bwrap does) */
        char *exec_label;
        char *file_label;

        /* process */
        bool new_session;
        bool die_with_parent;
        bool as_pid_1;
        bool caps_given; /* --cap-add or --cap-drop was used */
        uint64_t caps;   /* the command's capabilities when caps_given */
        /* the capabilities whose last --cap-add or --cap-drop added or
         * dropped them: caps again, from another starting set (idmap.c) */
        uint64_t caps_edit_add, caps_edit_drop;

        /* the command */
        char **argv;
        size_t argc;
        char *argv0;

        /* Choices that are risky or change nothing, one line each (advice.c):
         * printed before the sandbox runs, and by --explain. */
        char **warnings;
        size_t n_warnings;
        int explain; /* --explain: 1 for text, 2 for JSON; nothing is made */

        /* restricted hosts (check.c, fallback.c) */
        int check;              /* --check: 1 for text, 2 for JSON; nothing is made */
        bool fallback_landlock; /* --fallback landlock */
        unsigned require;       /* --require: parts the fallback must enforce, 1 << enum fallback_part */
};

void plan_init(struct plan *p);
void plan_free(struct plan *p);
struct fs_op *plan_add_op(struct plan *p, enum fs_op_kind kind, const char *flag);
/* The mode an operation gives what it makes at its destination: --perms, or
 * the kind's default (--tmpfs and --dir 0755, --file 0666, the data binds
 * 0600). 0 for the kinds that take no --perms. */
mode_t plan_op_mode(const struct fs_op *op);
/* The mode of the missing parents an operation makes, as bwrap makes them:
 * 0755, less the group bits when plan_op_mode() has none for the group, and
 * less the others' bits when it has none for others. So parents of a bind,
 * a --symlink, --proc, --dev or a data bind are 0700, and those of a --dir
 * or --tmpfs 0755 unless --perms says otherwise. */
mode_t plan_op_parent_mode(const struct fs_op *op);

/* Whether the operation is of a kind that mounts something on its
 * destination, rather than making or changing a file (a -try bind may still
 * mount nothing, when its source is missing). */
bool plan_op_mounts(const struct fs_op *op);

/* Add a warning line (the same line once). */
void plan_warn(struct plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Environment edits on plan->env. */
void plan_setenv(struct plan *p, const char *name, const char *value);
void plan_unsetenv(struct plan *p, const char *name);
void plan_clearenv(struct plan *p);
const char *plan_getenv(const struct plan *p, const char *name);

/* Whether the sandbox has a user namespace of its own (made or joined). */
bool plan_in_userns(const struct plan *p);
/* Whether the kernel itself keeps the host's settings (/proc/sys, /sys) out
 * of the sandbox's reach: a user namespace of its own whose ids are not the
 * host's root. Only then may --unmask make them writable. */
bool plan_tunables_guarded(const struct plan *p);
/* The capabilities the command will hold: those given, else a root caller's
 * own as long as the command runs as uid 0 (exec under any other uid leaves
 * it none). */
uint64_t plan_command_caps(const struct plan *p);
/* Whether the finished mount tree must be locked (see userns_nest): the
 * command will hold CAP_SYS_ADMIN in the user namespace we make, and with it
 * over the sandbox's mounts, whose read-only flags it could clear. */
bool plan_locks_mounts(const struct plan *p);
/* The namespaces the sandbox is created with: the plan's, less the network
 * namespace where the locked mounts make it later (see userns_nest). */
int plan_clone_flags(const struct plan *p);
/* Whether, without a pid namespace of its own, the sandbox must go when the
 * monitor does (--die-with-parent): a reaper then kills what is left. */
bool plan_reaper_cleans_up(const struct plan *p);
/* Whether bwrap would run an init above the command (a pid namespace,
 * --lock-file or --sync-fd, without --as-pid-1). */
bool plan_bwrap_has_init(const struct plan *p);
/* Whether a reaper runs above the command (pid 1, with a pid namespace). */
bool plan_needs_reaper(const struct plan *p);
/* Whether the sandbox is observed (--report, --report-fd, --learn). */
bool plan_reports(const struct plan *p);
/* The command's environment: the plan's, with PWD set to cwd, where the
 * command starts (a new array; the strings are the plan's). */
char **plan_command_env(const struct plan *p, const char *cwd);
