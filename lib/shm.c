/* lib/shm.c — named shared memory between processes: shm_open + mmap, with
 * errors as negative errno values like the rest of the library.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "sabq/shm.h"

static int map_fd(sabq_shm *shm, int fd, size_t size)
{
    void *addr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    int err = errno;
    close(fd);
    if (addr == MAP_FAILED)
        return -err;
    shm->addr = addr;
    shm->size = size;
    return 0;
}

/* Portable shm_open names: "/" followed by 1..NAME_MAX bytes without "/". */
static int valid_name(const char *name)
{
    if (!name || name[0] != '/' || name[1] == '\0')
        return 0;
    for (const char *c = name + 1; *c; c++)
        if (*c == '/' || c - name > 255)
            return 0;
    return 1;
}

int sabq_shm_create(sabq_shm *shm, const char *name, size_t size)
{
    if (!shm || !valid_name(name) || size == 0)
        return -EINVAL;
    int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
        return -errno;
    if (ftruncate(fd, (off_t)size) != 0) {
        int err = errno;
        close(fd);
        shm_unlink(name);
        return -err;
    }
    int rc = map_fd(shm, fd, size);
    if (rc < 0)
        shm_unlink(name);
    return rc;
}

int sabq_shm_open(sabq_shm *shm, const char *name)
{
    struct stat st;
    if (!shm || !valid_name(name))
        return -EINVAL;
    int fd = shm_open(name, O_RDWR, 0);
    if (fd < 0)
        return -errno;
    int fstat_rc = fstat(fd, &st);
    if (fstat_rc != 0 || st.st_size <= 0) {
        int err = fstat_rc != 0 ? errno : EINVAL; /* an empty object holds no ring */
        close(fd);
        return -err;
    }
    return map_fd(shm, fd, (size_t)st.st_size);
}

int sabq_shm_close(sabq_shm *shm)
{
    if (!shm || !shm->addr)
        return -EINVAL;
    if (munmap(shm->addr, shm->size) != 0)
        return -errno;
    shm->addr = NULL;
    shm->size = 0;
    return 0;
}

int sabq_shm_unlink(const char *name)
{
    if (!valid_name(name))
        return -EINVAL;
    return shm_unlink(name) == 0 ? 0 : -errno;
}
