/* plugins/fsops.c — exercises the WASI preview1 file surface from plain C
 * (wasi-libc), one named check at a time, for the coordinator's file-system
 * tests. Each check prints "ok NAME" or "FAIL NAME: what, errno"; the exit
 * status is the number of failures.
 *
 *   fsops rw DIR       every call and its errors in a writable directory
 *   fsops ro DIR       a read-only mount: reading works, every change is EROFS
 *   fsops quota DIR    a mount limited to maxBytes 8192, maxFiles 6,
 *                      maxFileSize 4096, maxOpenFiles 4
 *   fsops escape DIR   no path or link reaches outside DIR ('evil' is a link
 *                      the host put there, pointing out)
 *   fsops poll         poll() on stdin: a timeout first, then data the host writes
 *   fsops tree DIR     walks DIR: "files N bytes B sum S" (S: a sum of FNV-1a
 *                      hashes of each file's path below DIR and of its bytes)
 *   fsops log DIR HOW  writes DIR/log.txt, then ends HOW: exit3 | trap
 *   fsops stream DIR N writes DIR/part-K.txt for K < N, closing each, and
 *                      after the first waits for a line on stdin
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

static int failures;
static char path_buf[4][PATH_MAX];

#define CHECK(name, cond, ...)                                                   \
    do {                                                                         \
        if (cond) {                                                              \
            printf("ok %s\n", name);                                             \
        } else {                                                                 \
            int e_ = errno;                                                      \
            printf("FAIL %s: ", name);                                           \
            printf(__VA_ARGS__);                                                 \
            printf(" (errno %d %s)\n", e_, strerror(e_));                        \
            failures++;                                                          \
        }                                                                        \
    } while (0)

/* Expects `call` to fail with errno `want` (or `alt`, when POSIX allows two). */
#define FAILS(name, call, want, alt)                                             \
    do {                                                                         \
        errno = 0;                                                               \
        long r_ = (long)(call);                                                  \
        CHECK(name, r_ < 0 && (errno == (want) || errno == (alt)),               \
              "returned %ld, wanted errno %d", r_, want);                        \
    } while (0)

static const char *at(int slot, const char *dir, const char *name)
{
    snprintf(path_buf[slot], sizeof path_buf[slot], "%s/%s", dir, name);
    return path_buf[slot];
}

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, text, strlen(text));
    close(fd);
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* The whole file, NUL-terminated, in a static buffer ("" on error). */
static const char *read_file(const char *path)
{
    static char buf[8192];
    buf[0] = '\0';
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return buf;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = '\0';
    close(fd);
    return buf;
}

static void check_files(const char *d)
{
    const char *a = at(0, d, "a.txt");
    int fd = open(a, O_WRONLY | O_CREAT | O_EXCL, 0644);
    CHECK("open_create_excl", fd >= 0, "open O_CREAT|O_EXCL");
    CHECK("write", write(fd, "hello", 5) == 5, "write 5 bytes");
    close(fd);
    FAILS("open_excl_exists", open(a, O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST, EEXIST);
    CHECK("read_back", strcmp(read_file(a), "hello") == 0, "read '%s'", read_file(a));

    fd = open(a, O_RDONLY);
    char buf[16];
    CHECK("read_at_end", read(fd, buf, sizeof buf) == 5 && read(fd, buf, sizeof buf) == 0, "read to end then 0");
    FAILS("write_on_read_only_fd", write(fd, "x", 1), EBADF, EBADF);
    close(fd);
    fd = open(a, O_WRONLY);
    FAILS("read_on_write_only_fd", read(fd, buf, 1), EBADF, EBADF);
    close(fd);
    FAILS("read_bad_fd", read(999, buf, 1), EBADF, EBADF);
    FAILS("close_bad_fd", close(999), EBADF, EBADF);

    fd = open(a, O_WRONLY | O_APPEND);
    lseek(fd, 0, SEEK_SET);
    CHECK("append_ignores_offset", write(fd, "!", 1) == 1 && strcmp(read_file(a), "hello!") == 0, "got '%s'", read_file(a));
    int fd2 = open(a, O_WRONLY | O_APPEND);
    write(fd2, "?", 1);
    write(fd, "#", 1);
    CHECK("two_appenders", strcmp(read_file(a), "hello!?#") == 0, "got '%s'", read_file(a));
    close(fd2);
    close(fd);

    fd = open(a, O_RDWR);
    CHECK("pwrite_hole", pwrite(fd, "Z", 1, 12) == 1, "pwrite at 12");
    struct stat st;
    fstat(fd, &st);
    CHECK("hole_size", st.st_size == 13, "size %lld", (long long)st.st_size);
    char hole[13];
    CHECK("pread_hole_zeros", pread(fd, hole, 13, 0) == 13 && hole[8] == 0 && hole[11] == 0 && hole[12] == 'Z', "hole bytes");
    CHECK("pread_keeps_offset", lseek(fd, 0, SEEK_CUR) == 0, "offset %lld", (long long)lseek(fd, 0, SEEK_CUR));
    CHECK("seek_end", lseek(fd, -1, SEEK_END) == 12, "SEEK_END-1");
    CHECK("seek_cur", lseek(fd, -2, SEEK_CUR) == 10, "SEEK_CUR-2");
    FAILS("seek_negative", lseek(fd, -100, SEEK_SET), EINVAL, EINVAL);
    CHECK("ftruncate_shrink", ftruncate(fd, 3) == 0 && fstat(fd, &st) == 0 && st.st_size == 3, "size %lld", (long long)st.st_size);
    CHECK("ftruncate_grow", ftruncate(fd, 100) == 0 && fstat(fd, &st) == 0 && st.st_size == 100, "size %lld", (long long)st.st_size);
    CHECK("grown_reads_zero", pread(fd, buf, 4, 3) == 4 && buf[0] == 0 && buf[3] == 0, "zeros after truncate-grow");
    CHECK("fsync", fsync(fd) == 0 && fdatasync(fd) == 0, "fsync");
    CHECK("fadvise", posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL) == 0, "fadvise");
    CHECK("fallocate_grows", posix_fallocate(fd, 0, 500) == 0 && fstat(fd, &st) == 0 && st.st_size == 500, "size %lld", (long long)st.st_size);
    close(fd);

    fd = open(a, O_WRONLY | O_TRUNC);
    CHECK("open_trunc", fstat(fd, &st) == 0 && st.st_size == 0, "size %lld", (long long)st.st_size);
    close(fd);

    time_t now = time(NULL);
    CHECK("stat_real_mtime", stat(a, &st) == 0 && S_ISREG(st.st_mode) && st.st_ino != 0 &&
          st.st_mtim.tv_sec > now - 30 && st.st_mtim.tv_sec <= now + 30,
          "mtime %lld now %lld", (long long)st.st_mtim.tv_sec, (long long)now);
    struct timespec times[2] = {{1000000000, 123456789}, {1200000000, 987654321}};
    CHECK("utimensat", utimensat(AT_FDCWD, a, times, 0) == 0 && stat(a, &st) == 0 &&
          st.st_atim.tv_sec == 1000000000 && st.st_atim.tv_nsec == 123456789 &&
          st.st_mtim.tv_sec == 1200000000 && st.st_mtim.tv_nsec == 987654321,
          "atime %lld.%ld mtime %lld.%ld", (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
          (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    fd = open(a, O_RDONLY);
    /* Called directly: this wasi-libc's futimens() refuses UTIME_NOW/UTIME_OMIT itself. */
    CHECK("set_times_now_keeps_other", __wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_ATIM_NOW) == 0 &&
          fstat(fd, &st) == 0 && st.st_atim.tv_sec > now - 30 && st.st_mtim.tv_sec == 1200000000,
          "atime %lld mtime %lld", (long long)st.st_atim.tv_sec, (long long)st.st_mtim.tv_sec);
    FAILS("set_times_time_and_now", (errno = __wasi_fd_filestat_set_times(fd, 5, 0, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW)) ? -1 : 0, EINVAL, EINVAL);
    close(fd);

    /* Appends are cheap: 1 MiB in 4 KiB writes. */
    const char *big = at(1, d, "big.bin");
    fd = open(big, O_WRONLY | O_CREAT | O_APPEND, 0644);
    static char block[4096];
    memset(block, 'b', sizeof block);
    int okw = 1;
    for (int i = 0; i < 256; i++)
        okw &= write(fd, block, sizeof block) == (ssize_t)sizeof block;
    close(fd);
    CHECK("append_1MiB", okw && stat(big, &st) == 0 && st.st_size == 1 << 20, "size %lld", (long long)st.st_size);
    unlink(big);
}

static void check_dirs(const char *d)
{
    const char *sub = at(0, d, "sub");
    CHECK("mkdir", mkdir(sub, 0755) == 0, "mkdir sub");
    FAILS("mkdir_exists", mkdir(sub, 0755), EEXIST, EEXIST);
    FAILS("mkdir_missing_parent", mkdir(at(1, d, "nope/x"), 0755), ENOENT, ENOENT);
    write_file(at(1, d, "sub/f"), "f");
    FAILS("rmdir_not_empty", rmdir(sub), ENOTEMPTY, EEXIST);
    FAILS("rmdir_file", rmdir(at(1, d, "sub/f")), ENOTDIR, ENOTDIR);
    FAILS("rmdir_missing", rmdir(at(1, d, "gone")), ENOENT, ENOENT);
    FAILS("unlink_dir", unlink(sub), EISDIR, EPERM);
    FAILS("unlink_missing", unlink(at(1, d, "gone")), ENOENT, ENOENT);
    FAILS("open_missing", open(at(1, d, "gone"), O_RDONLY), ENOENT, ENOENT);
    FAILS("path_through_file", open(at(1, d, "sub/f/x"), O_RDONLY), ENOTDIR, ENOTDIR);
    FAILS("o_directory_on_file", open(at(1, d, "sub/f"), O_RDONLY | O_DIRECTORY), ENOTDIR, ENOTDIR);
    FAILS("open_dir_for_write", open(sub, O_WRONLY), EISDIR, EISDIR);
    CHECK("unlink_file", unlink(at(1, d, "sub/f")) == 0, "unlink sub/f");
    CHECK("rmdir", rmdir(sub) == 0, "rmdir sub");

    /* readdir lists every entry once, and telldir/seekdir resume where they left. */
    const char *ls = at(0, d, "ls");
    mkdir(ls, 0755);
    char name[64];
    for (int i = 0; i < 50; i++) {
        snprintf(name, sizeof name, "%s/file-%02d", ls, i);
        write_file(name, "x");
    }
    DIR *dir = opendir(ls);
    int seen[50] = {0}, dots = 0, others = 0;
    long mark = -1;
    char after_mark[64] = "";
    struct dirent *e;
    for (int k = 0; (e = readdir(dir)); k++) {
        int i;
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            dots++;
        else if (sscanf(e->d_name, "file-%d", &i) == 1 && i >= 0 && i < 50)
            seen[i]++;
        else
            others++;
        if (k == 20)
            mark = telldir(dir);
        else if (k == 21)
            snprintf(after_mark, sizeof after_mark, "%s", e->d_name);
    }
    int all_once = 1;
    for (int i = 0; i < 50; i++)
        all_once &= seen[i] == 1;
    CHECK("readdir_all_once", all_once && dots == 2 && others == 0, "dots %d others %d", dots, others);
    seekdir(dir, mark);
    e = readdir(dir);
    CHECK("seekdir_resumes", e && strcmp(e->d_name, after_mark) == 0, "got '%s' want '%s'", e ? e->d_name : "(null)", after_mark);
    closedir(dir);
    /* removing entries while reading does not make the others disappear */
    dir = opendir(ls);
    int listed = 0;
    while ((e = readdir(dir))) {
        if (e->d_name[0] == '.')
            continue;
        listed++;
        snprintf(name, sizeof name, "%s/%s", ls, e->d_name);
        unlink(name);
    }
    closedir(dir);
    CHECK("readdir_while_unlinking", listed == 50 && rmdir(ls) == 0, "listed %d", listed);
}

static void check_rename(const char *d)
{
    mkdir(at(0, d, "r1"), 0755);
    mkdir(at(0, d, "r2"), 0755);
    write_file(at(0, d, "r1/f"), "one");
    CHECK("rename_same_dir", rename(at(0, d, "r1/f"), at(1, d, "r1/g")) == 0 && strcmp(read_file(at(2, d, "r1/g")), "one") == 0, "r1/f -> r1/g");
    CHECK("rename_across_dirs", rename(at(0, d, "r1/g"), at(1, d, "r2/h")) == 0 && strcmp(read_file(at(2, d, "r2/h")), "one") == 0, "r1/g -> r2/h");
    write_file(at(0, d, "r2/i"), "two");
    CHECK("rename_replaces_file", rename(at(0, d, "r2/i"), at(1, d, "r2/h")) == 0 && strcmp(read_file(at(2, d, "r2/h")), "two") == 0 &&
          access(at(3, d, "r2/i"), F_OK) != 0, "r2/i over r2/h");
    FAILS("rename_missing", rename(at(0, d, "r2/none"), at(1, d, "r2/x")), ENOENT, ENOENT);
    FAILS("rename_file_over_dir", rename(at(0, d, "r2/h"), at(1, d, "r1")), EISDIR, EISDIR);
    FAILS("rename_dir_over_nonempty", rename(at(0, d, "r1"), at(1, d, "r2")), ENOTEMPTY, EEXIST);
    mkdir(at(0, d, "r1/inner"), 0755);
    FAILS("rename_dir_beneath_itself", rename(at(0, d, "r1"), at(1, d, "r1/inner/r1")), EINVAL, EINVAL);
    CHECK("rename_dir", rename(at(0, d, "r1"), at(1, d, "r3")) == 0 && access(at(2, d, "r3/inner"), F_OK) == 0, "r1 -> r3");
}

static void check_links(const char *d)
{
    write_file(at(0, d, "target.txt"), "through the link");
    CHECK("symlink", symlink("target.txt", at(0, d, "link")) == 0, "symlink link -> target.txt");
    char buf[64];
    ssize_t n = readlink(at(0, d, "link"), buf, sizeof buf);
    CHECK("readlink", n == 10 && memcmp(buf, "target.txt", 10) == 0, "readlink gave %zd", n);
    n = readlink(at(0, d, "link"), buf, 4);
    CHECK("readlink_truncates", n == 4 && memcmp(buf, "targ", 4) == 0, "readlink with 4 bytes gave %zd", n);
    FAILS("readlink_not_link", readlink(at(0, d, "target.txt"), buf, sizeof buf), EINVAL, EINVAL);
    CHECK("open_through_link", strcmp(read_file(at(0, d, "link")), "through the link") == 0, "read '%s'", read_file(at(0, d, "link")));
    struct stat st;
    CHECK("lstat_link", lstat(at(0, d, "link"), &st) == 0 && S_ISLNK(st.st_mode), "lstat mode %o", st.st_mode);
    CHECK("stat_follows", stat(at(0, d, "link"), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 16, "stat size %lld", (long long)st.st_size);
    FAILS("nofollow_on_link", open(at(0, d, "link"), O_RDONLY | O_NOFOLLOW), ELOOP, ELOOP);
    symlink("loop-b", at(0, d, "loop-a"));
    symlink("loop-a", at(0, d, "loop-b"));
    FAILS("link_loop", open(at(0, d, "loop-a"), O_RDONLY), ELOOP, ELOOP);
    symlink("missing", at(0, d, "dangling"));
    FAILS("dangling_link", open(at(0, d, "dangling"), O_RDONLY), ENOENT, ENOENT);
    FAILS("symlink_exists", symlink("x", at(0, d, "link")), EEXIST, EEXIST);
    mkdir(at(0, d, "deep"), 0755);
    symlink("../target.txt", at(0, d, "deep/up"));
    CHECK("relative_link_up", strcmp(read_file(at(0, d, "deep/up")), "through the link") == 0, "deep/up");
    CHECK("unlink_link_keeps_target", unlink(at(0, d, "link")) == 0 && access(at(1, d, "target.txt"), F_OK) == 0, "unlink link");
}

static void check_fds(const char *d)
{
    int a = open(at(0, d, "fd-a"), O_WRONLY | O_CREAT, 0644);
    int b = open(at(0, d, "fd-b"), O_WRONLY | O_CREAT, 0644);
    close(a);
    int c = open(at(0, d, "fd-c"), O_WRONLY | O_CREAT, 0644);
    CHECK("lowest_fd_reused", c == a, "closed %d, next open got %d", a, c);
    write(b, "B", 1);
    CHECK("renumber", __wasi_fd_renumber(b, c) == 0, "renumber %d -> %d", b, c);
    CHECK("renumbered_writes", write(c, "C", 1) == 1 && strcmp(read_file(at(0, d, "fd-b")), "BC") == 0, "fd-b has '%s'", read_file(at(0, d, "fd-b")));
    FAILS("renumber_source_closed", write(b, "x", 1), EBADF, EBADF);
    close(c);
    int many[64], opened = 0;
    for (int i = 0; i < 64; i++)
        if ((many[i] = open(at(0, d, "fd-a"), O_RDONLY)) >= 0)
            opened++;
    for (int i = 0; i < 64; i++)
        close(many[i]);
    CHECK("many_fds", opened == 64, "opened %d of 64", opened);
    int again = open(at(0, d, "fd-a"), O_RDONLY);
    CHECK("numbers_come_back", again == many[0], "got %d, first was %d", again, many[0]);
    close(again);
}

static int rw(const char *d)
{
    check_files(d);
    check_dirs(d);
    check_rename(d);
    check_links(d);
    check_fds(d);
    return failures;
}

static int ro(const char *d)
{
    struct stat st;
    CHECK("ro_read", strlen(read_file(at(0, d, "readme.txt"))) > 0, "readme.txt readable");
    CHECK("ro_stat", stat(at(0, d, "readme.txt"), &st) == 0, "stat");
    FAILS("ro_create", open(at(0, d, "new"), O_WRONLY | O_CREAT, 0644), EROFS, EROFS);
    FAILS("ro_write_open", open(at(0, d, "readme.txt"), O_WRONLY), EROFS, EROFS);
    FAILS("ro_trunc", open(at(0, d, "readme.txt"), O_RDONLY | O_TRUNC), EROFS, EROFS);
    FAILS("ro_mkdir", mkdir(at(0, d, "dir"), 0755), EROFS, EROFS);
    FAILS("ro_unlink", unlink(at(0, d, "readme.txt")), EROFS, EROFS);
    FAILS("ro_rename", rename(at(0, d, "readme.txt"), at(1, d, "x")), EROFS, EROFS);
    FAILS("ro_symlink", symlink("readme.txt", at(0, d, "l")), EROFS, EROFS);
    struct timespec t[2] = {{1, 0}, {1, 0}};
    FAILS("ro_utimens", utimensat(AT_FDCWD, at(0, d, "readme.txt"), t, 0), EROFS, EROFS);
    return failures;
}

static int quota(const char *d)
{
    static char block[4096];
    memset(block, 'q', sizeof block);
    int fd = open(at(0, d, "big"), O_WRONLY | O_CREAT, 0644);
    CHECK("quota_file_at_limit", write(fd, block, 4096) == 4096, "4096 bytes fit maxFileSize");
    FAILS("quota_file_too_big", write(fd, "x", 1), EFBIG, EFBIG);
    close(fd);
    struct stat st;
    CHECK("quota_nothing_moved", stat(at(0, d, "big"), &st) == 0 && st.st_size == 4096, "size %lld", (long long)st.st_size);
    fd = open(at(0, d, "big2"), O_WRONLY | O_CREAT, 0644);
    CHECK("quota_second_file", write(fd, block, 4096) == 4096, "8192 bytes in the mount");
    close(fd);
    fd = open(at(0, d, "third"), O_WRONLY | O_CREAT, 0644);
    FAILS("quota_mount_full", write(fd, "x", 1), ENOSPC, ENOSPC);
    close(fd);
    unlink(at(0, d, "third"));
    unlink(at(0, d, "big2"));
    fd = open(at(0, d, "big"), O_WRONLY);
    CHECK("quota_space_returns", ftruncate(fd, 100) == 0, "shrink");
    close(fd);
    int made = 0;
    char name[32];
    for (int i = 0; i < 10; i++) {
        snprintf(name, sizeof name, "n%d", i);
        int f = open(at(0, d, name), O_WRONLY | O_CREAT, 0644);
        if (f < 0)
            break;
        made++;
        close(f);
    }
    CHECK("quota_max_files", made == 5 && errno == ENOSPC, "made %d more files (the mount holds 6)", made);
    int fds[8], opened = 0;
    for (int i = 0; i < 8; i++) {
        if ((fds[i] = open(at(0, d, "big"), O_RDONLY)) < 0)
            break;
        opened++;
    }
    CHECK("quota_max_open", opened == 4 && errno == EMFILE, "opened %d", opened);
    for (int i = 0; i < opened; i++)
        close(fds[i]);
    fd = open(at(0, d, "big"), O_RDONLY);
    CHECK("quota_open_after_close", fd >= 0, "open again");
    close(fd);
    return failures;
}

static int escape(const char *d)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/../outside.txt", d);
    FAILS("escape_dotdot", open(p, O_RDONLY), ENOTCAPABLE, EPERM);
    snprintf(p, sizeof p, "%s/sub/../../outside.txt", d);
    mkdir(at(0, d, "sub"), 0755);
    FAILS("escape_deep_dotdot", open(p, O_RDONLY), ENOTCAPABLE, EPERM);
    FAILS("escape_absolute", open("/etc/passwd", O_RDONLY), ENOENT, ENOTCAPABLE);
    FAILS("escape_host_link", open(at(0, d, "evil/secret.txt"), O_RDONLY), ENOTCAPABLE, EPERM);
    FAILS("escape_create_absolute_link", symlink("/etc", at(0, d, "abs")), ENOTCAPABLE, EPERM);
    symlink("../..", at(0, d, "up"));
    FAILS("escape_through_own_link", open(at(0, d, "up/outside.txt"), O_RDONLY), ENOTCAPABLE, EPERM);
    FAILS("escape_mkdir_outside", mkdir(at(0, d, "up/made"), 0755), ENOTCAPABLE, EPERM);
    FAILS("escape_rename_outside", rename(at(0, d, "sub"), at(1, d, "up/moved")), ENOTCAPABLE, EPERM);
    snprintf(p, sizeof p, "%s/sub/..", d);
    struct stat st;
    CHECK("dotdot_within_is_fine", stat(p, &st) == 0 && S_ISDIR(st.st_mode), "stat sub/..");
    return failures;
}

static int poll_stdin(void)
{
    struct pollfd p = {.fd = 0, .events = POLLIN};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int r = poll(&p, 1, 100);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
    CHECK("poll_times_out", r == 0 && ms >= 95, "poll returned %d after %.1f ms", r, ms);
    printf("waiting\n");
    fflush(stdout);
    r = poll(&p, 1, 10000);
    CHECK("poll_sees_data", r == 1 && (p.revents & POLLIN), "poll returned %d revents %x", r, p.revents);
    char line[64] = "";
    ssize_t n = read(0, line, sizeof line - 1);
    line[n > 0 ? n : 0] = '\0';
    CHECK("poll_then_read", n > 0 && strcmp(line, "ping\n") == 0, "read '%s'", line);
    struct pollfd out = {.fd = 1, .events = POLLOUT};
    CHECK("poll_stdout_writable", poll(&out, 1, 0) == 1 && (out.revents & POLLOUT), "POLLOUT");
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct timespec nap = {0, 50 * 1000 * 1000};
    nanosleep(&nap, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
    CHECK("nanosleep", ms >= 49, "slept %.1f ms", ms);
    return failures;
}

static uint32_t fnv1a(const void *data, size_t len, uint32_t h)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static long tree_files, tree_bytes;
static uint32_t tree_sum;

static void walk(const char *root, const char *rel)
{
    char full[PATH_MAX];
    snprintf(full, sizeof full, "%s%s%s", root, *rel ? "/" : "", rel);
    DIR *dir = opendir(full);
    if (!dir) {
        printf("FAIL tree: opendir %s: %s\n", full, strerror(errno));
        failures++;
        return;
    }
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char child[PATH_MAX];
        snprintf(child, sizeof child, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", root, child);
        struct stat st;
        if (lstat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            walk(root, child);
        } else if (S_ISREG(st.st_mode)) {
            int fd = open(path, O_RDONLY);
            uint32_t h = 0x811c9dc5u;
            static char buf[65536];
            ssize_t n;
            while ((n = read(fd, buf, sizeof buf)) > 0) {
                h = fnv1a(buf, (size_t)n, h);
                tree_bytes += n;
            }
            close(fd);
            tree_sum += fnv1a(child, strlen(child), 0x811c9dc5u) + h;
            tree_files++;
        }
    }
    closedir(dir);
}

static int tree(const char *d)
{
    walk(d, "");
    printf("files %ld bytes %ld sum %u\n", tree_files, tree_bytes, (unsigned)tree_sum);
    return failures;
}

static int log_then(const char *d, const char *how)
{
    write_file(at(0, d, "log.txt"), "started\nworking\n");
    if (!strcmp(how, "trap"))
        __builtin_trap();
    return 3;
}

static int stream(const char *d, int n)
{
    char name[64], text[64];
    for (int k = 0; k < n; k++) {
        snprintf(name, sizeof name, "part-%d.txt", k);
        snprintf(text, sizeof text, "part %d\n", k);
        write_file(at(0, d, name), text);
        if (k == 0) {
            char line[16];
            if (!fgets(line, sizeof line, stdin)) /* the host saw part-0 while we run */
                return 1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *mode = argc > 1 ? argv[1] : "";
    const char *dir = argc > 2 ? argv[2] : "";
    if (!strcmp(mode, "rw"))
        return rw(dir);
    if (!strcmp(mode, "ro"))
        return ro(dir);
    if (!strcmp(mode, "quota"))
        return quota(dir);
    if (!strcmp(mode, "escape"))
        return escape(dir);
    if (!strcmp(mode, "poll"))
        return poll_stdin();
    if (!strcmp(mode, "tree"))
        return tree(dir);
    if (!strcmp(mode, "log") && argc > 3)
        return log_then(dir, argv[3]);
    if (!strcmp(mode, "stream") && argc > 3)
        return stream(dir, atoi(argv[3]));
    fprintf(stderr, "usage: fsops rw|ro|quota|escape|tree DIR | fsops poll | fsops log DIR exit3|trap | fsops stream DIR N\n");
    return 100;
}
