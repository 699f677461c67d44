/* plugins/wasip1.c — the corners of WASI preview1 that fsops leaves out, from
 * plain C (wasi-libc, and the raw imports where libc would not pass a bad
 * argument): rights, directory descriptors, hard links, sockets' errors, and
 * every call with bad fds, bad pointers and bad flags. Each check prints
 * "ok NAME" or "FAIL NAME: what"; the exit status is the number of failures.
 *
 *   wasip1 rights DIR       fd_fdstat_get reports rights; calls without them
 *                           are refused; fd_renumber moves them; inheriting
 *                           rights bound what is opened beneath
 *   wasip1 dirfd DIR        a directory fd is not read, written or sought;
 *                           fd_prestat_dir_name with a small buffer; path_open
 *                           of "." with various rights (on a read-only
 *                           mount, DIR must hold dsub/file with "data")
 *   wasip1 links DIR [FLAG] hard links (FLAG no-hard-links: ENOTSUP, OPFS;
 *                           no-symlinks: skip linking a symbolic link;
 *                           read-only: EROFS)
 *   wasip1 xdev DIR1 DIR2   a hard link or rename across mounts is EXDEV
 *   wasip1 sockets DIR [read-only]
 *                           sock_* and shutdown()/send()/recv()/accept():
 *                           EBADF or ENOTSOCK, never a trap (read-only: DIR
 *                           holds sock.txt)
 *   wasip1 badargs DIR      every preview1 call with bad fds, pointers and
 *                           flags: an errno each (a trap ends the run: the
 *                           last "ok" line says where)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

static int failures;
static char path_buf[4][512];

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

/* A raw call returning an errno: passes when it is `want`. */
#define ERRNO_IS(name, call, want)                                               \
    do {                                                                         \
        int r_ = (int)(call);                                                    \
        CHECK(name, r_ == (want), "returned errno %d, wanted %d", r_, want);     \
    } while (0)

/* A libc call: passes when it returns -1 with errno `want`. */
#define FAILS(name, call, want)                                                  \
    do {                                                                         \
        errno = 0;                                                               \
        long r_ = (long)(call);                                                  \
        CHECK(name, r_ == -1 && errno == (want), "returned %ld, wanted errno %d", r_, want); \
    } while (0)

/* The imports themselves, with integer arguments, so that any value can be
 * passed (libc's wrappers take typed pointers and measure paths with strlen). */
#define IMPORT(name) __attribute__((__import_module__("wasi_snapshot_preview1"), __import_name__(#name)))
int32_t raw_args_get(int32_t, int32_t) IMPORT(args_get);
int32_t raw_args_sizes_get(int32_t, int32_t) IMPORT(args_sizes_get);
int32_t raw_environ_get(int32_t, int32_t) IMPORT(environ_get);
int32_t raw_environ_sizes_get(int32_t, int32_t) IMPORT(environ_sizes_get);
int32_t raw_clock_res_get(int32_t, int32_t) IMPORT(clock_res_get);
int32_t raw_clock_time_get(int32_t, int64_t, int32_t) IMPORT(clock_time_get);
int32_t raw_fd_advise(int32_t, int64_t, int64_t, int32_t) IMPORT(fd_advise);
int32_t raw_fd_allocate(int32_t, int64_t, int64_t) IMPORT(fd_allocate);
int32_t raw_fd_close(int32_t) IMPORT(fd_close);
int32_t raw_fd_datasync(int32_t) IMPORT(fd_datasync);
int32_t raw_fd_fdstat_get(int32_t, int32_t) IMPORT(fd_fdstat_get);
int32_t raw_fd_fdstat_set_flags(int32_t, int32_t) IMPORT(fd_fdstat_set_flags);
int32_t raw_fd_fdstat_set_rights(int32_t, int64_t, int64_t) IMPORT(fd_fdstat_set_rights);
int32_t raw_fd_filestat_get(int32_t, int32_t) IMPORT(fd_filestat_get);
int32_t raw_fd_filestat_set_size(int32_t, int64_t) IMPORT(fd_filestat_set_size);
int32_t raw_fd_filestat_set_times(int32_t, int64_t, int64_t, int32_t) IMPORT(fd_filestat_set_times);
int32_t raw_fd_pread(int32_t, int32_t, int32_t, int64_t, int32_t) IMPORT(fd_pread);
int32_t raw_fd_prestat_get(int32_t, int32_t) IMPORT(fd_prestat_get);
int32_t raw_fd_prestat_dir_name(int32_t, int32_t, int32_t) IMPORT(fd_prestat_dir_name);
int32_t raw_fd_pwrite(int32_t, int32_t, int32_t, int64_t, int32_t) IMPORT(fd_pwrite);
int32_t raw_fd_read(int32_t, int32_t, int32_t, int32_t) IMPORT(fd_read);
int32_t raw_fd_readdir(int32_t, int32_t, int32_t, int64_t, int32_t) IMPORT(fd_readdir);
int32_t raw_fd_renumber(int32_t, int32_t) IMPORT(fd_renumber);
int32_t raw_fd_seek(int32_t, int64_t, int32_t, int32_t) IMPORT(fd_seek);
int32_t raw_fd_sync(int32_t) IMPORT(fd_sync);
int32_t raw_fd_tell(int32_t, int32_t) IMPORT(fd_tell);
int32_t raw_fd_write(int32_t, int32_t, int32_t, int32_t) IMPORT(fd_write);
int32_t raw_path_create_directory(int32_t, int32_t, int32_t) IMPORT(path_create_directory);
int32_t raw_path_filestat_get(int32_t, int32_t, int32_t, int32_t, int32_t) IMPORT(path_filestat_get);
int32_t raw_path_filestat_set_times(int32_t, int32_t, int32_t, int32_t, int64_t, int64_t, int32_t) IMPORT(path_filestat_set_times);
int32_t raw_path_link(int32_t, int32_t, int32_t, int32_t, int32_t, int32_t, int32_t) IMPORT(path_link);
int32_t raw_path_open(int32_t, int32_t, int32_t, int32_t, int32_t, int64_t, int64_t, int32_t, int32_t) IMPORT(path_open);
int32_t raw_path_readlink(int32_t, int32_t, int32_t, int32_t, int32_t, int32_t) IMPORT(path_readlink);
int32_t raw_path_remove_directory(int32_t, int32_t, int32_t) IMPORT(path_remove_directory);
int32_t raw_path_rename(int32_t, int32_t, int32_t, int32_t, int32_t, int32_t) IMPORT(path_rename);
int32_t raw_path_symlink(int32_t, int32_t, int32_t, int32_t, int32_t) IMPORT(path_symlink);
int32_t raw_path_unlink_file(int32_t, int32_t, int32_t) IMPORT(path_unlink_file);
int32_t raw_poll_oneoff(int32_t, int32_t, int32_t, int32_t) IMPORT(poll_oneoff);
int32_t raw_proc_raise(int32_t) IMPORT(proc_raise);
int32_t raw_sched_yield(void) IMPORT(sched_yield);
int32_t raw_random_get(int32_t, int32_t) IMPORT(random_get);
int32_t raw_sock_accept(int32_t, int32_t, int32_t) IMPORT(sock_accept);
int32_t raw_sock_recv(int32_t, int32_t, int32_t, int32_t, int32_t, int32_t) IMPORT(sock_recv);
int32_t raw_sock_send(int32_t, int32_t, int32_t, int32_t, int32_t) IMPORT(sock_send);
int32_t raw_sock_shutdown(int32_t, int32_t) IMPORT(sock_shutdown);

#define P(x) ((int32_t)(uintptr_t)(x))
#define ALL_RIGHTS ((int64_t)((1ull << 29) - 1))
/* Every right but FD_WRITE: asking to write a directory is EISDIR. */
#define DIR_ALL (ALL_RIGHTS & ~(int64_t)__WASI_RIGHTS_FD_WRITE)

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

static const char *read_file(const char *path)
{
    static char buf[256];
    buf[0] = '\0';
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return buf;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = '\0';
    close(fd);
    return buf;
}

/* The preopened fd whose name is `dir` (or -1). */
static int preopen_of(const char *dir)
{
    for (int fd = 3; fd < 64; fd++) {
        __wasi_prestat_t ps;
        if (__wasi_fd_prestat_get(fd, &ps) != 0)
            continue;
        char name[256];
        size_t len = ps.u.dir.pr_name_len;
        if (len >= sizeof name || __wasi_fd_prestat_dir_name(fd, (uint8_t *)name, len) != 0)
            continue;
        name[len] = '\0';
        if (!strcmp(name, dir))
            return fd;
    }
    return -1;
}

static __wasi_fdstat_t fdstat(int fd)
{
    __wasi_fdstat_t st;
    memset(&st, 0xee, sizeof st); /* a failed call shows as nonsense */
    if (__wasi_fd_fdstat_get(fd, &st) != 0)
        st.fs_filetype = 0xee;
    return st;
}

/* path_open with raw rights: the new fd, or -errno. */
static int open_raw(int dirfd, const char *path, int oflags, int64_t base, int64_t inheriting, int fdflags)
{
    int32_t out = -1;
    int r = raw_path_open(dirfd, 0, P(path), (int32_t)strlen(path), oflags, base, inheriting, fdflags, P(&out));
    return r ? -r : out;
}

/* ---- rights -------------------------------------------------------------- */

static void check_rights(const char *d)
{
    int pre = preopen_of(d);
    CHECK("preopen_found", pre >= 3, "no preopen named %s", d);
    __wasi_fdstat_t ps = fdstat(pre);
    const __wasi_rights_t dir_base = __WASI_RIGHTS_PATH_CREATE_DIRECTORY | __WASI_RIGHTS_PATH_CREATE_FILE |
        __WASI_RIGHTS_PATH_LINK_SOURCE | __WASI_RIGHTS_PATH_LINK_TARGET | __WASI_RIGHTS_PATH_OPEN |
        __WASI_RIGHTS_FD_READDIR | __WASI_RIGHTS_PATH_READLINK | __WASI_RIGHTS_PATH_RENAME_SOURCE |
        __WASI_RIGHTS_PATH_RENAME_TARGET | __WASI_RIGHTS_PATH_SYMLINK | __WASI_RIGHTS_PATH_REMOVE_DIRECTORY |
        __WASI_RIGHTS_PATH_UNLINK_FILE | __WASI_RIGHTS_PATH_FILESTAT_GET | __WASI_RIGHTS_PATH_FILESTAT_SET_TIMES |
        __WASI_RIGHTS_FD_FILESTAT_GET | __WASI_RIGHTS_FD_FILESTAT_SET_TIMES;
    const __wasi_rights_t file_all = __WASI_RIGHTS_FD_DATASYNC | __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK |
        __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS | __WASI_RIGHTS_FD_SYNC | __WASI_RIGHTS_FD_TELL | __WASI_RIGHTS_FD_WRITE |
        __WASI_RIGHTS_FD_ADVISE | __WASI_RIGHTS_FD_ALLOCATE | __WASI_RIGHTS_FD_FILESTAT_GET |
        __WASI_RIGHTS_FD_FILESTAT_SET_SIZE | __WASI_RIGHTS_FD_FILESTAT_SET_TIMES | __WASI_RIGHTS_POLL_FD_READWRITE;
    CHECK("preopen_rights", ps.fs_filetype == __WASI_FILETYPE_DIRECTORY && (ps.fs_rights_base & dir_base) == dir_base &&
          (ps.fs_rights_inheriting & (dir_base | file_all)) == (dir_base | file_all) &&
          !(ps.fs_rights_base & (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK)),
          "base %llx inheriting %llx", (unsigned long long)ps.fs_rights_base, (unsigned long long)ps.fs_rights_inheriting);

    /* Files report what they were opened for. */
    write_file(at(0, d, "r.txt"), "rights");
    int rd = open(at(0, d, "r.txt"), O_RDONLY);
    __wasi_fdstat_t fs = fdstat(rd);
    CHECK("file_rights_read_only", fs.fs_filetype == __WASI_FILETYPE_REGULAR_FILE && (fs.fs_rights_base & __WASI_RIGHTS_FD_READ) &&
          (fs.fs_rights_base & __WASI_RIGHTS_FD_SEEK) && !(fs.fs_rights_base & __WASI_RIGHTS_FD_WRITE) && fs.fs_rights_inheriting == 0,
          "base %llx inheriting %llx", (unsigned long long)fs.fs_rights_base, (unsigned long long)fs.fs_rights_inheriting);
    FAILS("file_ftruncate_read_only", ftruncate(rd, 0), EBADF);
    close(rd);
    int wr = open(at(0, d, "r.txt"), O_WRONLY | O_APPEND);
    fs = fdstat(wr);
    CHECK("file_rights_write_only", (fs.fs_rights_base & __WASI_RIGHTS_FD_WRITE) && !(fs.fs_rights_base & __WASI_RIGHTS_FD_READ) &&
          (fs.fs_flags & __WASI_FDFLAGS_APPEND), "base %llx flags %x", (unsigned long long)fs.fs_rights_base, fs.fs_flags);
    close(wr);

    /* A directory opened with only fd_seek: a directory cannot have it, and seeking it is EBADF. */
    mkdir(at(0, d, "rsub"), 0755);
    int sk = open_raw(pre, "rsub", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_SEEK, 0, 0);
    CHECK("dir_open_seek_right", sk >= 0, "path_open errno %d", -sk);
    __wasi_filesize_t pos;
    ERRNO_IS("dir_seek_badf", __wasi_fd_seek(sk, 0, __WASI_WHENCE_CUR, &pos), __WASI_ERRNO_BADF);
    fs = fdstat(sk);
    CHECK("dir_has_no_seek_right", fs.fs_filetype == __WASI_FILETYPE_DIRECTORY && (fs.fs_rights_base & __WASI_RIGHTS_FD_SEEK) == 0 &&
          fs.fs_rights_inheriting == 0, "base %llx", (unsigned long long)fs.fs_rights_base);
    /* No PATH_OPEN in its base rights: nothing opens beneath it. */
    write_file(at(0, d, "rsub/f"), "beneath");
    CHECK("dir_without_path_open", open_raw(sk, "f", 0, __WASI_RIGHTS_FD_READ, 0, 0) == -__WASI_ERRNO_NOTCAPABLE, "opened beneath");
    close(sk);

    /* O_TRUNC needs path_filestat_set_size on the directory. */
    int dir = open_raw(pre, "rsub", __WASI_OFLAGS_DIRECTORY, DIR_ALL, ALL_RIGHTS, 0);
    int t = open_raw(dir, "f", __WASI_OFLAGS_TRUNC, 0, 0, 0);
    CHECK("trunc_with_right", t >= 0, "errno %d", -t);
    close(t);
    write_file(at(0, d, "rsub/f"), "kept");
    __wasi_fdstat_t ds = fdstat(dir);
    CHECK("dir_drop_rights", __wasi_fd_fdstat_set_rights(dir, ds.fs_rights_base & ~__WASI_RIGHTS_PATH_FILESTAT_SET_SIZE,
          ds.fs_rights_inheriting) == 0 && !(fdstat(dir).fs_rights_base & __WASI_RIGHTS_PATH_FILESTAT_SET_SIZE), "set_rights");
    CHECK("trunc_without_right", open_raw(dir, "f", __WASI_OFLAGS_TRUNC, 0, 0, 0) == -__WASI_ERRNO_NOTCAPABLE &&
          strcmp(read_file(at(0, d, "rsub/f")), "kept") == 0, "content '%s'", read_file(at(0, d, "rsub/f")));
    ERRNO_IS("rights_never_gained", __wasi_fd_fdstat_set_rights(dir, ALL_RIGHTS, ALL_RIGHTS), __WASI_ERRNO_NOTCAPABLE);
    ds = fdstat(dir);
    CHECK("dir_drop_more_rights", __wasi_fd_fdstat_set_rights(dir, ds.fs_rights_base & ~(__WASI_RIGHTS_PATH_CREATE_FILE |
          __WASI_RIGHTS_PATH_UNLINK_FILE | __WASI_RIGHTS_PATH_CREATE_DIRECTORY | __WASI_RIGHTS_FD_READDIR), ds.fs_rights_inheriting) == 0,
          "set_rights");
    CHECK("creat_without_right", open_raw(dir, "new", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_WRITE, 0, 0) == -__WASI_ERRNO_NOTCAPABLE &&
          access(at(0, d, "rsub/new"), F_OK) != 0, "created");
    FAILS("unlink_without_right", unlinkat(dir, "f", 0), ENOTCAPABLE);
    FAILS("mkdir_without_right", mkdirat(dir, "sub2", 0755), ENOTCAPABLE);
    errno = 0;
    DIR *listing = fdopendir(dir); /* takes the fd; wasi-libc reads the first entries here */
    struct dirent *entry = listing ? readdir(listing) : NULL;
    CHECK("readdir_without_right", entry == NULL && errno == ENOTCAPABLE, "listed '%s'", entry ? entry->d_name : "");
    if (listing)
        closedir(listing);
    else
        close(dir);

    /* Dropping FD_READ and FD_WRITE from a file: reads and writes are EBADF. */
    int rw = open_raw(pre, "r.txt", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL, 0, 0);
    char c;
    CHECK("file_read_with_right", read(rw, &c, 1) == 1, "read");
    CHECK("file_drop_rights", __wasi_fd_fdstat_set_rights(rw, __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL, 0) == 0, "set_rights");
    FAILS("file_read_right_dropped", read(rw, &c, 1), EBADF);
    FAILS("file_write_right_dropped", write(rw, "x", 1), EBADF);
    CHECK("file_seek_right_kept", lseek(rw, 0, SEEK_SET) == 0, "seek");
    FAILS("file_stat_without_right", fstat(rw, &(struct stat){0}), ENOTCAPABLE);
    close(rw);

    /* Seeking needs FD_SEEK; asking where one is (lseek by 0 from the current
     * position, fd_tell) needs only FD_TELL, as wasi-common. wasi-libc's
     * lseek turns ENOTCAPABLE into ESPIPE (a file it may not seek is, to a
     * POSIX program, one that cannot be sought). */
    __wasi_filesize_t where;
    int nos = open_raw(pre, "r.txt", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_TELL, 0, 0);
    ERRNO_IS("file_seek_without_right", __wasi_fd_seek(nos, 2, __WASI_WHENCE_SET, &where), __WASI_ERRNO_NOTCAPABLE);
    FAILS("file_lseek_without_right_espipe", lseek(nos, 2, SEEK_SET), ESPIPE);
    __wasi_iovec_t one = {(uint8_t *)&c, 1};
    int32_t nread;
    ERRNO_IS("file_pread_without_seek_right", raw_fd_pread(nos, P(&one), 1, 0, P(&nread)), __WASI_ERRNO_NOTCAPABLE);
    CHECK("file_tell_with_tell_right", lseek(nos, 0, SEEK_CUR) == 0 && read(nos, &c, 1) == 1 && lseek(nos, 0, SEEK_CUR) == 1,
          "position");
    close(nos);
    int not = open_raw(pre, "r.txt", 0, __WASI_RIGHTS_FD_READ, 0, 0);
    ERRNO_IS("file_tell_without_right", __wasi_fd_seek(not, 0, __WASI_WHENCE_CUR, &where), __WASI_ERRNO_NOTCAPABLE);
    FAILS("file_lseek_tell_without_right_espipe", lseek(not, 0, SEEK_CUR), ESPIPE);
    ERRNO_IS("file_fd_tell_without_right", __wasi_fd_tell(not, &where), __WASI_ERRNO_NOTCAPABLE);
    close(not);

    /* A directory's inheriting rights bound what is opened beneath it. */
    const int64_t ro_inherit = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL | __WASI_RIGHTS_FD_FILESTAT_GET |
                               __WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_FD_READDIR;
    int ro = open_raw(pre, "rsub", __WASI_OFLAGS_DIRECTORY, DIR_ALL, ro_inherit, 0);
    ds = fdstat(ro);
    CHECK("dir_inheriting_reported", ds.fs_rights_inheriting == (uint64_t)ro_inherit, "inheriting %llx", (unsigned long long)ds.fs_rights_inheriting);
    int f = openat(ro, "f", O_RDWR);
    fs = fdstat(f);
    CHECK("inherit_bounds_file", f >= 0 && (fs.fs_rights_base & ~(uint64_t)ro_inherit) == 0 && (fs.fs_rights_base & __WASI_RIGHTS_FD_READ),
          "base %llx", (unsigned long long)fs.fs_rights_base);
    FAILS("inherit_no_write", write(f, "x", 1), EBADF);
    CHECK("inherit_read", read(f, &c, 1) == 1 && c == 'k', "read");
    close(f);
    int raw = open_raw(ro, "f", 0, ALL_RIGHTS, ALL_RIGHTS, 0);
    fs = fdstat(raw);
    CHECK("inherit_bounds_raw_open", raw >= 0 && (fs.fs_rights_base & ~(uint64_t)ro_inherit) == 0, "base %llx", (unsigned long long)fs.fs_rights_base);
    close(raw);
    mkdir(at(0, d, "rsub/deeper"), 0755);
    int sub = open_raw(ro, "deeper", __WASI_OFLAGS_DIRECTORY, DIR_ALL, ALL_RIGHTS, 0);
    ds = fdstat(sub);
    CHECK("inherit_bounds_dir", sub >= 0 && (ds.fs_rights_base & ~(uint64_t)ro_inherit) == 0 && (ds.fs_rights_inheriting & ~(uint64_t)ro_inherit) == 0,
          "base %llx inheriting %llx", (unsigned long long)ds.fs_rights_base, (unsigned long long)ds.fs_rights_inheriting);
    CHECK("inherit_no_create_beneath", open_raw(sub, "x", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_WRITE, 0, 0) == -__WASI_ERRNO_NOTCAPABLE, "created");
    close(sub);
    close(ro);

    /* fd_renumber moves filetype, flags and both rights sets; the source is closed. */
    int from = open_raw(pre, "ren1", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_FILESTAT_GET, 0,
                        __WASI_FDFLAGS_APPEND);
    int to = open_raw(pre, "ren2", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_READ, 0, 0);
    __wasi_fdstat_t before = fdstat(from);
    CHECK("renumber", __wasi_fd_renumber(from, to) == 0, "renumber %d -> %d", from, to);
    ERRNO_IS("renumber_source_closed", __wasi_fd_close(from), __WASI_ERRNO_BADF);
    __wasi_fdstat_t after = fdstat(to);
    CHECK("renumber_moves_fdstat", after.fs_filetype == before.fs_filetype && after.fs_flags == before.fs_flags &&
          after.fs_rights_base == before.fs_rights_base && after.fs_rights_inheriting == before.fs_rights_inheriting,
          "before %d/%x/%llx/%llx after %d/%x/%llx/%llx", before.fs_filetype, before.fs_flags, (unsigned long long)before.fs_rights_base,
          (unsigned long long)before.fs_rights_inheriting, after.fs_filetype, after.fs_flags, (unsigned long long)after.fs_rights_base,
          (unsigned long long)after.fs_rights_inheriting);
    CHECK("renumbered_writes_source_file", write(to, "R", 1) == 1 && strcmp(read_file(at(0, d, "ren1")), "R") == 0 &&
          strcmp(read_file(at(0, d, "ren2")), "") == 0, "ren1 '%s'", read_file(at(0, d, "ren1")));
    int dfrom = open_raw(pre, "rsub", __WASI_OFLAGS_DIRECTORY, dir_base, ro_inherit, 0);
    before = fdstat(dfrom);
    CHECK("renumber_dir_over_file", __wasi_fd_renumber(dfrom, to) == 0, "renumber");
    after = fdstat(to);
    CHECK("renumber_moves_dir_fdstat", after.fs_filetype == __WASI_FILETYPE_DIRECTORY && after.fs_rights_base == before.fs_rights_base &&
          after.fs_rights_inheriting == before.fs_rights_inheriting, "type %d", after.fs_filetype);
    ERRNO_IS("renumber_to_closed_fd", __wasi_fd_renumber(to, 900), __WASI_ERRNO_BADF);
    ERRNO_IS("renumber_from_closed_fd", __wasi_fd_renumber(900, to), __WASI_ERRNO_BADF);
    close(to);
}

/* ---- directory descriptors ------------------------------------------------ */

static void dir_ops(const char *who, int fd)
{
    char name[64], buf[8] = "abcdefg";
    __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf};
    __wasi_ciovec_t ciov = {(const uint8_t *)buf, sizeof buf};
    __wasi_size_t n;
    __wasi_filesize_t pos;
#define DIRFAIL(op, call)                                                        \
    snprintf(name, sizeof name, "%s_%s_ebadf", who, op);                         \
    ERRNO_IS(name, call, __WASI_ERRNO_BADF)
    DIRFAIL("fd_read", __wasi_fd_read(fd, &iov, 1, &n));
    DIRFAIL("fd_pread", __wasi_fd_pread(fd, &iov, 1, 0, &n));
    DIRFAIL("fd_write", __wasi_fd_write(fd, &ciov, 1, &n));
    DIRFAIL("fd_pwrite", __wasi_fd_pwrite(fd, &ciov, 1, 0, &n));
    DIRFAIL("fd_seek_cur", __wasi_fd_seek(fd, 0, __WASI_WHENCE_CUR, &pos));
    DIRFAIL("fd_seek_set", __wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
    DIRFAIL("fd_seek_end", __wasi_fd_seek(fd, 0, __WASI_WHENCE_END, &pos));
    DIRFAIL("fd_tell", __wasi_fd_tell(fd, &pos));
    DIRFAIL("fd_allocate", __wasi_fd_allocate(fd, 0, 0));
    DIRFAIL("fd_filestat_set_size", __wasi_fd_filestat_set_size(fd, 0));
    DIRFAIL("fd_advise", __wasi_fd_advise(fd, 0, 0, __WASI_ADVICE_NORMAL));
    DIRFAIL("fd_fdstat_set_flags", __wasi_fd_fdstat_set_flags(fd, 0));
#undef DIRFAIL
    snprintf(name, sizeof name, "%s_libc_read_write_seek", who);
    errno = 0;
    int e1 = read(fd, buf, 1) == -1 ? errno : 0;
    int e2 = write(fd, buf, 1) == -1 ? errno : 0;
    int e3 = lseek(fd, 0, SEEK_SET) == -1 ? errno : 0;
    CHECK(name, e1 == EBADF && e2 == EBADF && e3 == EBADF, "errnos %d %d %d", e1, e2, e3);
    snprintf(name, sizeof name, "%s_fsync_ok", who);
    CHECK(name, fsync(fd) == 0, "fsync of a directory");
    __wasi_filestat_t st;
    snprintf(name, sizeof name, "%s_filestat", who);
    CHECK(name, __wasi_fd_filestat_get(fd, &st) == 0 && st.filetype == __WASI_FILETYPE_DIRECTORY, "type %d", st.filetype);
}

static void check_dirfd(const char *d)
{
    int pre = preopen_of(d);
    mkdir(at(0, d, "dsub"), 0755);
    write_file(at(0, d, "dsub/file"), "data");
    int dir = open(at(0, d, "dsub"), O_RDONLY | O_DIRECTORY);
    CHECK("open_dir", dir >= 0, "open");
    dir_ops("dir", dir);
    dir_ops("preopen", pre);
    CHECK("dir_unchanged", strcmp(read_file(at(0, d, "dsub/file")), "data") == 0, "file '%s'", read_file(at(0, d, "dsub/file")));

    /* fd_prestat_dir_name */
    __wasi_prestat_t ps = {0};
    CHECK("prestat_get", __wasi_fd_prestat_get(pre, &ps) == 0, "fd_prestat_get");
    size_t len = ps.u.dir.pr_name_len;
    char name[256];
    memset(name, '#', sizeof name);
    ERRNO_IS("prestat_dir_name_empty_buffer", raw_fd_prestat_dir_name(pre, P(name), 0), __WASI_ERRNO_NAMETOOLONG);
    ERRNO_IS("prestat_dir_name_short_buffer", raw_fd_prestat_dir_name(pre, P(name), (int32_t)len - 1), __WASI_ERRNO_NAMETOOLONG);
    CHECK("prestat_dir_name_short_writes_nothing", name[0] == '#', "wrote '%c'", name[0]);
    CHECK("prestat_dir_name_larger_buffer", raw_fd_prestat_dir_name(pre, P(name), (int32_t)len + 1) == 0 &&
          memcmp(name, d, len) == 0 && name[len] == '#', "got '%.*s'", (int)len, name);
    ERRNO_IS("prestat_dir_name_not_preopen", raw_fd_prestat_dir_name(dir, P(name), sizeof name), __WASI_ERRNO_NOTDIR);
    ERRNO_IS("prestat_get_not_preopen", __wasi_fd_prestat_get(dir, &ps), __WASI_ERRNO_BADF);
    ERRNO_IS("prestat_dir_name_closed_fd", raw_fd_prestat_dir_name(900, P(name), sizeof name), __WASI_ERRNO_BADF);

    /* path_open of "." from the preopen */
    __wasi_fdstat_t st = fdstat(pre);
    int fd = open_raw(pre, ".", 0, st.fs_rights_base, st.fs_rights_inheriting, 0);
    CHECK("open_dot_same_rights", fd >= 0, "errno %d", -fd);
    close(fd);
    fd = open_raw(pre, ".", 0, 0, 0, 0);
    CHECK("open_dot_no_rights", fd >= 0, "errno %d", -fd);
    close(fd);
    fd = open_raw(pre, ".", __WASI_OFLAGS_DIRECTORY, 0, 0, 0);
    CHECK("open_dot_directory_no_rights", fd >= 0 && fdstat(fd).fs_rights_base == 0, "errno %d", -fd);
    close(fd);
    fd = open_raw(pre, ".", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READ, 0, 0);
    CHECK("open_dot_directory_read", fd >= 0 && fdstat(fd).fs_filetype == __WASI_FILETYPE_DIRECTORY, "errno %d", -fd);
    close(fd);
    CHECK("open_dot_directory_read_write_isdir", open_raw(pre, ".", __WASI_OFLAGS_DIRECTORY,
          __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0, 0) == -__WASI_ERRNO_ISDIR, "not EISDIR");
    int r = open_raw(pre, "dsub", 0, __WASI_RIGHTS_FD_WRITE, 0, 0);
    CHECK("open_dir_write_isdir", r == -__WASI_ERRNO_ISDIR, "got %d", r);
    CHECK("open_directory_creat_inval", open_raw(pre, "dsub", __WASI_OFLAGS_DIRECTORY | __WASI_OFLAGS_CREAT, 0, 0, 0) == -__WASI_ERRNO_INVAL,
          "not EINVAL");
    int file = open(at(0, d, "dsub/file"), O_RDONLY);
    r = open_raw(file, "x", 0, 0, 0, 0);
    CHECK("open_beneath_file_notdir", r == -__WASI_ERRNO_NOTDIR, "got %d (fd %d)", r, file);
    char dirbuf[128];
    __wasi_size_t used;
    ERRNO_IS("readdir_on_file_badf", __wasi_fd_readdir(file, (uint8_t *)dirbuf, sizeof dirbuf, 0, &used), __WASI_ERRNO_BADF);
    ERRNO_IS("path_call_on_file_badf", raw_path_create_directory(file, P("x"), 1), __WASI_ERRNO_BADF);
    close(file);
    close(dir);
}

/* ---- hard links ----------------------------------------------------------- */

static int same_times(const struct stat *a, const struct stat *b)
{
    return a->st_atim.tv_sec == b->st_atim.tv_sec && a->st_atim.tv_nsec == b->st_atim.tv_nsec &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
           a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

static void check_links(const char *d, int no_hard_links, int no_symlinks, int read_only)
{
    if (read_only) {
        FAILS("link_read_only", link(at(0, d, "readme.txt"), at(1, d, "again.txt")), EROFS);
        CHECK("link_read_only_made_nothing", access(at(0, d, "again.txt"), F_OK) != 0, "made");
        return;
    }
    write_file(at(0, d, "a"), "shared");
    if (no_hard_links) {
        FAILS("link_unsupported", link(at(0, d, "a"), at(1, d, "b")), ENOTSUP);
        CHECK("link_unsupported_made_nothing", access(at(0, d, "b"), F_OK) != 0, "made");
        return;
    }
    CHECK("link", link(at(0, d, "a"), at(1, d, "b")) == 0, "link a b");
    struct stat sa, sb;
    CHECK("link_same_inode", stat(at(0, d, "a"), &sa) == 0 && stat(at(1, d, "b"), &sb) == 0 && sa.st_ino == sb.st_ino &&
          sa.st_dev == sb.st_dev && sa.st_size == 6 && sb.st_size == 6, "ino %llu %llu", (unsigned long long)sa.st_ino,
          (unsigned long long)sb.st_ino);
    CHECK("link_nlink_2", sa.st_nlink == 2 && sb.st_nlink == 2, "nlink %llu %llu", (unsigned long long)sa.st_nlink,
          (unsigned long long)sb.st_nlink);
    CHECK("link_same_times", same_times(&sa, &sb), "times differ");
    int fa = open(at(0, d, "a"), O_RDONLY), fb = open(at(1, d, "b"), O_RDONLY);
    __wasi_filestat_t fsa, fsb;
    CHECK("link_fd_filestat_equal", __wasi_fd_filestat_get(fa, &fsa) == 0 && __wasi_fd_filestat_get(fb, &fsb) == 0 &&
          fsa.ino == fsb.ino && fsa.nlink == fsb.nlink && fsa.atim == fsb.atim && fsa.mtim == fsb.mtim && fsa.ctim == fsb.ctim &&
          fsa.size == fsb.size && fsa.filetype == fsb.filetype, "filestats differ");
    close(fa);
    close(fb);
    int w = open(at(1, d, "b"), O_WRONLY | O_APPEND);
    write(w, "+", 1);
    close(w);
    CHECK("link_write_through_other_name", strcmp(read_file(at(0, d, "a")), "shared+") == 0, "a has '%s'", read_file(at(0, d, "a")));
    struct timespec times[2] = {{1000000000, 0}, {1100000000, 0}};
    utimensat(AT_FDCWD, at(0, d, "a"), times, 0);
    CHECK("link_times_shared", stat(at(1, d, "b"), &sb) == 0 && sb.st_mtim.tv_sec == 1100000000, "mtime %lld", (long long)sb.st_mtim.tv_sec);

    mkdir(at(0, d, "ldir"), 0755);
    CHECK("link_across_directories", link(at(0, d, "a"), at(1, d, "ldir/c")) == 0 && stat(at(0, d, "ldir/c"), &sb) == 0 &&
          sb.st_ino == sa.st_ino && sb.st_nlink == 3, "nlink %llu", (unsigned long long)sb.st_nlink);
    CHECK("unlink_one_keeps_others", unlink(at(0, d, "a")) == 0 && strcmp(read_file(at(0, d, "b")), "shared+") == 0 &&
          stat(at(1, d, "ldir/c"), &sb) == 0 && sb.st_nlink == 2, "nlink %llu", (unsigned long long)sb.st_nlink);
    CHECK("unlink_second_keeps_last", unlink(at(0, d, "b")) == 0 && stat(at(1, d, "ldir/c"), &sb) == 0 && sb.st_nlink == 1 &&
          strcmp(read_file(at(0, d, "ldir/c")), "shared+") == 0, "nlink %llu", (unsigned long long)sb.st_nlink);

    write_file(at(0, d, "e"), "e");
    write_file(at(0, d, "exists"), "x");
    FAILS("link_target_exists", link(at(0, d, "e"), at(1, d, "exists")), EEXIST);
    FAILS("link_to_itself", link(at(0, d, "e"), at(1, d, "e")), EEXIST);
    FAILS("link_target_is_dir", link(at(0, d, "e"), at(1, d, "ldir")), EEXIST);
    FAILS("link_a_directory", link(at(0, d, "ldir"), at(1, d, "dirlink")), EPERM);
    FAILS("link_missing_source", link(at(0, d, "none"), at(1, d, "n2")), ENOENT);
    FAILS("link_trailing_slash", link(at(0, d, "e"), at(1, d, "slash/")), ENOENT);
    int pre = preopen_of(d);
    ERRNO_IS("link_follow_inval", raw_path_link(pre, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, P("e"), 1, pre, P("f2"), 2), __WASI_ERRNO_INVAL);
    CHECK("link_errors_made_nothing", access(at(0, d, "n2"), F_OK) != 0 && access(at(1, d, "f2"), F_OK) != 0 &&
          access(at(2, d, "dirlink"), F_OK) != 0 && stat(at(3, d, "e"), &sa) == 0 && sa.st_nlink == 1, "nlink %llu",
          (unsigned long long)sa.st_nlink);
    if (!no_symlinks) {
        symlink("e", at(0, d, "sym"));
        CHECK("link_a_symlink_not_followed", link(at(0, d, "sym"), at(1, d, "sym2")) == 0 && lstat(at(2, d, "sym2"), &sb) == 0 &&
              S_ISLNK(sb.st_mode) && sb.st_nlink == 2, "mode %o nlink %llu", sb.st_mode, (unsigned long long)sb.st_nlink);
        symlink("nowhere", at(0, d, "dangling"));
        CHECK("link_a_dangling_symlink", link(at(0, d, "dangling"), at(1, d, "dangling2")) == 0, "link");
    }
    /* An open file whose other name is removed stays readable. */
    int keep = open(at(0, d, "ldir/c"), O_RDONLY);
    link(at(0, d, "ldir/c"), at(1, d, "c2"));
    unlink(at(0, d, "ldir/c"));
    char buf[16] = "";
    CHECK("open_fd_survives_unlink", read(keep, buf, sizeof buf - 1) == 7 && !strcmp(buf, "shared+"), "read '%s'", buf);
    close(keep);
}

static void check_xdev(const char *d1, const char *d2)
{
    write_file(at(0, d1, "x"), "x");
    FAILS("link_across_mounts", link(at(0, d1, "x"), at(1, d2, "x")), EXDEV);
    FAILS("rename_across_mounts", rename(at(0, d1, "x"), at(1, d2, "x")), EXDEV);
    CHECK("across_mounts_made_nothing", access(at(0, d2, "x"), F_OK) != 0 && access(at(1, d1, "x"), F_OK) == 0, "moved");
}

/* ---- sockets -------------------------------------------------------------- */

static void check_sockets(const char *d, int read_only)
{
    /* On a read-only mount the image holds sock.txt, opened for reading. */
    int file = read_only ? open(at(0, d, "sock.txt"), O_RDONLY) : open(at(0, d, "sock.txt"), O_RDWR | O_CREAT, 0644);
    CHECK("socket_test_file", file >= 0, "open sock.txt");
    int pre = preopen_of(d);
    int fds[] = {1, pre, file};
    const char *kinds[] = {"stdout", "dir", "file"};
    char name[64], buf[4];
    for (int i = 0; i < 3; i++) {
        int fd = fds[i];
        snprintf(name, sizeof name, "shutdown_%s_enotsock", kinds[i]);
        FAILS(name, shutdown(fd, SHUT_RD), ENOTSOCK);
        snprintf(name, sizeof name, "send_%s_enotsock", kinds[i]);
        FAILS(name, send(fd, "x", 1, 0), ENOTSOCK);
        snprintf(name, sizeof name, "recv_%s_enotsock", kinds[i]);
        FAILS(name, recv(fd, buf, 1, 0), ENOTSOCK);
        snprintf(name, sizeof name, "accept_%s_enotsock", kinds[i]);
        FAILS(name, accept(fd, NULL, NULL), ENOTSOCK);
    }
    FAILS("shutdown_closed_ebadf", shutdown(900, SHUT_RDWR), EBADF);
    FAILS("send_closed_ebadf", send(900, "x", 1, 0), EBADF);
    FAILS("recv_closed_ebadf", recv(900, buf, 1, 0), EBADF);
    FAILS("accept_closed_ebadf", accept(900, NULL, NULL), EBADF);
    int32_t out;
    ERRNO_IS("sock_shutdown_raw_closed", raw_sock_shutdown(900, __WASI_SDFLAGS_RD), __WASI_ERRNO_BADF);
    ERRNO_IS("sock_shutdown_raw_file", raw_sock_shutdown(file, __WASI_SDFLAGS_WR), __WASI_ERRNO_NOTSOCK);
    ERRNO_IS("sock_accept_raw_closed", raw_sock_accept(900, 0, P(&out)), __WASI_ERRNO_BADF);
    ERRNO_IS("sock_recv_raw_file", raw_sock_recv(file, 0, 0, 0, P(&out), P(&out)), __WASI_ERRNO_NOTSOCK);
    ERRNO_IS("sock_send_raw_file", raw_sock_send(file, 0, 0, 0, P(&out)), __WASI_ERRNO_NOTSOCK);
    char c;
    CHECK("file_still_usable", read_only ? pread(file, &c, 1, 0) == 1 : write(file, "ok", 2) == 2, "I/O after the socket calls");
    close(file);
}

/* ---- every call with bad arguments ---------------------------------------- */

/* An errno that is not success: what every bad call must give (and return at all). */
#define REFUSED(name, call, want)                                                \
    do {                                                                         \
        int r_ = (int)(call);                                                    \
        CHECK(name, (want) ? r_ == (want) : r_ != 0, "returned %d, wanted %d", r_, want); \
    } while (0)

static void check_badargs(const char *d)
{
    const int32_t BADFD = 900, NEGFD = -1;
    int32_t end = (int32_t)(__builtin_wasm_memory_size(0) * 65536);
    const int32_t FAR = (int32_t)0xfffffff0, EDGE = end - 1; /* past the end; straddling it */
    const int32_t FLAGS = 0x7fffffff;
    int pre = preopen_of(d);
    write_file(at(0, d, "bad.txt"), "0123456789");
    int file = open(at(0, d, "bad.txt"), O_RDWR);
    static char buf[64];
    static int32_t iov[2];
    iov[0] = P(buf);
    iov[1] = sizeof buf;
    static int32_t bad_iov[2];
    bad_iov[0] = EDGE;
    bad_iov[1] = 16;
    int32_t out32;
    int64_t out64;
    static char big[512];

    /* bad fds: EBADF from every call that takes one */
    REFUSED("bad_fd_fd_advise", raw_fd_advise(BADFD, 0, 0, 0), EBADF);
    REFUSED("bad_fd_fd_allocate", raw_fd_allocate(BADFD, 0, 1), EBADF);
    REFUSED("bad_fd_fd_close", raw_fd_close(NEGFD), EBADF);
    REFUSED("bad_fd_fd_datasync", raw_fd_datasync(BADFD), EBADF);
    REFUSED("bad_fd_fd_fdstat_get", raw_fd_fdstat_get(BADFD, P(big)), EBADF);
    REFUSED("bad_fd_fd_fdstat_set_flags", raw_fd_fdstat_set_flags(BADFD, 0), EBADF);
    REFUSED("bad_fd_fd_fdstat_set_rights", raw_fd_fdstat_set_rights(BADFD, 0, 0), EBADF);
    REFUSED("bad_fd_fd_filestat_get", raw_fd_filestat_get(NEGFD, P(big)), EBADF);
    REFUSED("bad_fd_fd_filestat_set_size", raw_fd_filestat_set_size(BADFD, 0), EBADF);
    REFUSED("bad_fd_fd_filestat_set_times", raw_fd_filestat_set_times(BADFD, 0, 0, 0), EBADF);
    REFUSED("bad_fd_fd_pread", raw_fd_pread(BADFD, P(iov), 1, 0, P(&out32)), EBADF);
    REFUSED("bad_fd_fd_prestat_get", raw_fd_prestat_get(BADFD, P(big)), EBADF);
    REFUSED("bad_fd_fd_prestat_dir_name", raw_fd_prestat_dir_name(BADFD, P(big), sizeof big), EBADF);
    REFUSED("bad_fd_fd_pwrite", raw_fd_pwrite(BADFD, P(iov), 1, 0, P(&out32)), EBADF);
    REFUSED("bad_fd_fd_read", raw_fd_read(BADFD, P(iov), 1, P(&out32)), EBADF);
    REFUSED("bad_fd_fd_readdir", raw_fd_readdir(BADFD, P(big), sizeof big, 0, P(&out32)), EBADF);
    REFUSED("bad_fd_fd_renumber", raw_fd_renumber(BADFD, file), EBADF);
    REFUSED("bad_fd_fd_seek", raw_fd_seek(NEGFD, 0, 0, P(&out64)), EBADF);
    REFUSED("bad_fd_fd_sync", raw_fd_sync(BADFD), EBADF);
    REFUSED("bad_fd_fd_tell", raw_fd_tell(BADFD, P(&out64)), EBADF);
    REFUSED("bad_fd_fd_write", raw_fd_write(BADFD, P(iov), 1, P(&out32)), EBADF);
    REFUSED("bad_fd_path_create_directory", raw_path_create_directory(BADFD, P("x"), 1), EBADF);
    REFUSED("bad_fd_path_filestat_get", raw_path_filestat_get(BADFD, 0, P("x"), 1, P(big)), EBADF);
    REFUSED("bad_fd_path_filestat_set_times", raw_path_filestat_set_times(BADFD, 0, P("x"), 1, 0, 0, 0), EBADF);
    REFUSED("bad_fd_path_link", raw_path_link(pre, 0, P("bad.txt"), 7, BADFD, P("y"), 1), EBADF);
    REFUSED("bad_fd_path_open", raw_path_open(BADFD, 0, P("x"), 1, 0, 0, 0, 0, P(&out32)), EBADF);
    REFUSED("bad_fd_path_readlink", raw_path_readlink(BADFD, P("x"), 1, P(big), sizeof big, P(&out32)), EBADF);
    REFUSED("bad_fd_path_remove_directory", raw_path_remove_directory(BADFD, P("x"), 1), EBADF);
    REFUSED("bad_fd_path_rename", raw_path_rename(pre, P("bad.txt"), 7, BADFD, P("y"), 1), EBADF);
    REFUSED("bad_fd_path_symlink", raw_path_symlink(P("x"), 1, BADFD, P("y"), 1), EBADF);
    REFUSED("bad_fd_path_unlink_file", raw_path_unlink_file(NEGFD, P("x"), 1), EBADF);
    REFUSED("bad_fd_sock_accept", raw_sock_accept(BADFD, 0, P(&out32)), EBADF);
    REFUSED("bad_fd_sock_recv", raw_sock_recv(BADFD, P(iov), 1, 0, P(&out32), P(&out32)), EBADF);
    REFUSED("bad_fd_sock_send", raw_sock_send(BADFD, P(iov), 1, 0, P(&out32)), EBADF);
    REFUSED("bad_fd_sock_shutdown", raw_sock_shutdown(BADFD, 1), EBADF);

    /* bad pointers: EFAULT, and the call did nothing */
    const int32_t bad[] = {FAR, EDGE};
    for (int i = 0; i < 2; i++) {
        int32_t p = bad[i];
        char n[80];
#define BADPTR(call_name, call)                                                  \
        snprintf(n, sizeof n, "bad_ptr%d_%s", i, call_name);                     \
        REFUSED(n, call, EFAULT)
        BADPTR("args_get", raw_args_get(p, P(big)));
        BADPTR("args_get_buf", raw_args_get(P(big), p));
        BADPTR("args_sizes_get", raw_args_sizes_get(p, P(&out32)));
        BADPTR("environ_get", raw_environ_get(P(big), p));
        BADPTR("environ_sizes_get", raw_environ_sizes_get(P(&out32), p));
        BADPTR("clock_res_get", raw_clock_res_get(0, p));
        BADPTR("clock_time_get", raw_clock_time_get(1, 0, p));
        BADPTR("fd_fdstat_get", raw_fd_fdstat_get(file, p));
        BADPTR("fd_filestat_get", raw_fd_filestat_get(file, p));
        BADPTR("fd_pread_iovs", raw_fd_pread(file, p, 1, 0, P(&out32)));
        BADPTR("fd_pread_iov_buffer", raw_fd_pread(file, P(bad_iov), 1, 0, P(&out32)));
        BADPTR("fd_pread_nread", raw_fd_pread(file, P(iov), 1, 0, p));
        BADPTR("fd_prestat_get", raw_fd_prestat_get(pre, p));
        BADPTR("fd_prestat_dir_name", raw_fd_prestat_dir_name(pre, p, 200));
        BADPTR("fd_pwrite_iovs", raw_fd_pwrite(file, p, 1, 0, P(&out32)));
        BADPTR("fd_pwrite_nwritten", raw_fd_pwrite(file, P(iov), 1, 0, p));
        BADPTR("fd_read_iovs", raw_fd_read(file, p, 1, P(&out32)));
        BADPTR("fd_read_iov_count", raw_fd_read(file, P(iov), 0x7fffffff, P(&out32)));
        BADPTR("fd_read_nread", raw_fd_read(file, P(iov), 1, p));
        BADPTR("fd_readdir_buf", raw_fd_readdir(pre, p, 100, 0, P(&out32)));
        BADPTR("fd_readdir_bufused", raw_fd_readdir(pre, P(big), sizeof big, 0, p));
        BADPTR("fd_seek", raw_fd_seek(file, 3, 0, p));
        BADPTR("fd_tell", raw_fd_tell(file, p));
        BADPTR("fd_write_iovs", raw_fd_write(file, p, 1, P(&out32)));
        BADPTR("fd_write_nwritten", raw_fd_write(file, P(iov), 1, p));
        BADPTR("path_create_directory", raw_path_create_directory(pre, p, 8));
        BADPTR("path_filestat_get_path", raw_path_filestat_get(pre, 0, p, 8, P(big)));
        BADPTR("path_filestat_get_out", raw_path_filestat_get(pre, 0, P("bad.txt"), 7, p));
        BADPTR("path_filestat_set_times", raw_path_filestat_set_times(pre, 0, p, 8, 0, 0, 0));
        BADPTR("path_link_old", raw_path_link(pre, 0, p, 8, pre, P("y"), 1));
        BADPTR("path_link_new", raw_path_link(pre, 0, P("bad.txt"), 7, pre, p, 8));
        BADPTR("path_open_path", raw_path_open(pre, 0, p, 8, 0, 0, 0, 0, P(&out32)));
        BADPTR("path_open_out", raw_path_open(pre, 0, P("made.txt"), 8, __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_WRITE, 0, 0, p));
        BADPTR("path_readlink_path", raw_path_readlink(pre, p, 8, P(big), sizeof big, P(&out32)));
        BADPTR("path_readlink_buf", raw_path_readlink(pre, P("bad.txt"), 7, p, 100, P(&out32)));
        BADPTR("path_readlink_nread", raw_path_readlink(pre, P("bad.txt"), 7, P(big), sizeof big, p));
        BADPTR("path_remove_directory", raw_path_remove_directory(pre, p, 8));
        BADPTR("path_rename_old", raw_path_rename(pre, p, 8, pre, P("y"), 1));
        BADPTR("path_rename_new", raw_path_rename(pre, P("bad.txt"), 7, pre, p, 8));
        BADPTR("path_symlink_target", raw_path_symlink(p, 8, pre, P("y"), 1));
        BADPTR("path_symlink_path", raw_path_symlink(P("x"), 1, pre, p, 8));
        BADPTR("path_unlink_file", raw_path_unlink_file(pre, p, 8));
        BADPTR("poll_oneoff_in", raw_poll_oneoff(p, P(big), 1, P(&out32)));
        BADPTR("poll_oneoff_out", raw_poll_oneoff(P(big), p, 1, P(&out32)));
        BADPTR("poll_oneoff_nevents", raw_poll_oneoff(P(big), P(big + 256), 1, p));
        BADPTR("random_get", raw_random_get(p, 64));
#undef BADPTR
    }
    CHECK("bad_ptr_made_nothing", access(at(0, d, "made.txt"), F_OK) != 0, "path_open created a file it could not report");
    CHECK("bad_ptr_moved_nothing", lseek(file, 0, SEEK_CUR) == 0 && strcmp(read_file(at(0, d, "bad.txt")), "0123456789") == 0,
          "position %lld content '%s'", (long long)lseek(file, 0, SEEK_CUR), read_file(at(0, d, "bad.txt")));
    int next = open(at(0, d, "bad.txt"), O_RDONLY);
    CHECK("bad_ptr_opened_nothing", next == file + 1, "next fd %d after %d", next, file);
    close(next);

    /* bad flags and enums: EINVAL */
    REFUSED("bad_flags_clock_res_get", raw_clock_res_get(FLAGS, P(&out64)), EINVAL);
    REFUSED("bad_flags_clock_time_get", raw_clock_time_get(-1, 0, P(&out64)), EINVAL);
    REFUSED("bad_flags_fd_advise", raw_fd_advise(file, 0, 0, FLAGS), EINVAL);
    REFUSED("bad_flags_fd_fdstat_set_flags", raw_fd_fdstat_set_flags(file, FLAGS), EINVAL);
    REFUSED("bad_flags_fd_fdstat_set_rights", raw_fd_fdstat_set_rights(file, -1, 0), EINVAL);
    REFUSED("bad_flags_fd_filestat_set_times", raw_fd_filestat_set_times(file, 0, 0, FLAGS), EINVAL);
    REFUSED("bad_flags_fd_seek_whence", raw_fd_seek(file, 0, 7, P(&out64)), EINVAL);
    REFUSED("bad_flags_fd_seek_negative", raw_fd_seek(file, -5, __WASI_WHENCE_SET, P(&out64)), EINVAL);
    REFUSED("bad_flags_path_filestat_get", raw_path_filestat_get(pre, FLAGS, P("bad.txt"), 7, P(big)), EINVAL);
    REFUSED("bad_flags_path_filestat_set_times", raw_path_filestat_set_times(pre, 0, P("bad.txt"), 7, 0, 0, FLAGS), EINVAL);
    REFUSED("bad_flags_path_link", raw_path_link(pre, FLAGS, P("bad.txt"), 7, pre, P("y"), 1), EINVAL);
    REFUSED("bad_flags_path_open_oflags", raw_path_open(pre, 0, P("bad.txt"), 7, FLAGS, 0, 0, 0, P(&out32)), EINVAL);
    REFUSED("bad_flags_path_open_dirflags", raw_path_open(pre, FLAGS, P("bad.txt"), 7, 0, 0, 0, 0, P(&out32)), EINVAL);
    REFUSED("bad_flags_path_open_fdflags", raw_path_open(pre, 0, P("bad.txt"), 7, 0, 0, 0, FLAGS, P(&out32)), EINVAL);
    REFUSED("bad_flags_path_open_rights", raw_path_open(pre, 0, P("bad.txt"), 7, 0, -1, -1, 0, P(&out32)), EINVAL);
    REFUSED("bad_flags_proc_raise", raw_proc_raise(FLAGS), EINVAL);
    REFUSED("proc_raise_notsup", raw_proc_raise(15), ENOTSUP);
    REFUSED("bad_flags_sock_accept", raw_sock_accept(file, FLAGS, P(&out32)), EINVAL);
    REFUSED("bad_flags_sock_recv", raw_sock_recv(file, P(iov), 1, FLAGS, P(&out32), P(&out32)), EINVAL);
    REFUSED("bad_flags_sock_send", raw_sock_send(file, P(iov), 1, FLAGS, P(&out32)), EINVAL);
    REFUSED("bad_flags_sock_shutdown", raw_sock_shutdown(file, FLAGS), EINVAL);
    /* A subscription of no known type, and none at all. */
    memset(big, 0, sizeof big);
    big[8] = 9;
    REFUSED("bad_flags_poll_oneoff_tag", raw_poll_oneoff(P(big), P(big + 256), 1, P(&out32)), EINVAL);
    REFUSED("poll_oneoff_no_subscriptions", raw_poll_oneoff(P(big), P(big + 256), 0, P(&out32)), EINVAL);
    /* Bad values that are not flags: a path that is not UTF-8, an offset past any file. */
    REFUSED("bad_utf8_path", raw_path_open(pre, 0, P("\xff\xfe"), 2, 0, 0, 0, 0, P(&out32)), EILSEQ);
    REFUSED("huge_pwrite_offset", raw_fd_pwrite(file, P(iov), 1, INT64_MAX, P(&out32)), EFBIG);
    REFUSED("huge_pread_offset", raw_fd_pread(file, P(iov), 1, -1, P(&out32)), EINVAL);
    REFUSED("huge_allocate", raw_fd_allocate(file, INT64_MAX - 1, 1), EFBIG);
    REFUSED("huge_set_size", raw_fd_filestat_set_size(file, -1), EFBIG);
    ERRNO_IS("huge_readdir_cookie", raw_fd_readdir(pre, P(big), sizeof big, -1, P(&out32)), 0);
    CHECK("huge_readdir_cookie_lists_nothing", out32 == 0, "listed %d bytes", out32);
    ERRNO_IS("sched_yield", raw_sched_yield(), 0);
    CHECK("still_working_after_bad_calls", strcmp(read_file(at(0, d, "bad.txt")), "0123456789") == 0, "content");
    close(file);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *mode = argc > 1 ? argv[1] : "";
    const char *dir = argc > 2 ? argv[2] : "";
    int no_hard_links = 0, no_symlinks = 0, read_only = 0;
    for (int i = 3; i < argc; i++) {
        no_hard_links |= !strcmp(argv[i], "no-hard-links");
        no_symlinks |= !strcmp(argv[i], "no-symlinks");
        read_only |= !strcmp(argv[i], "read-only");
    }
    if (!strcmp(mode, "rights"))
        check_rights(dir);
    else if (!strcmp(mode, "dirfd"))
        check_dirfd(dir);
    else if (!strcmp(mode, "links"))
        check_links(dir, no_hard_links, no_symlinks, read_only);
    else if (!strcmp(mode, "xdev") && argc > 3)
        check_xdev(dir, argv[3]);
    else if (!strcmp(mode, "sockets"))
        check_sockets(dir, read_only);
    else if (!strcmp(mode, "badargs"))
        check_badargs(dir);
    else {
        fprintf(stderr, "usage: wasip1 rights|dirfd|links|sockets|badargs DIR [FLAG...] | wasip1 xdev DIR1 DIR2\n");
        return 100;
    }
    return failures;
}
