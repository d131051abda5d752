// See include/carchive.h.

#include "carchive.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#define POINTER(ret, name, params, args) static ret (*p_##name) params;
MLENV_ARCHIVE_CONSTRUCTORS(POINTER)
MLENV_ARCHIVE_FUNCTIONS(POINTER)
#undef POINTER

static char load_error[200];
static int loaded;
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

static void load(void) {
    const char *names[] = {"libarchive.so.13", "libarchive.so"};
    void *lib = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && lib == NULL; i++) lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        snprintf(load_error, sizeof load_error, "cannot load libarchive (install the libarchive13 package): %s", dlerror());
        return;
    }
#define RESOLVE(ret, name, params, args) \
    if ((*(void **)(&p_##name) = dlsym(lib, #name)) == NULL) { \
        snprintf(load_error, sizeof load_error, "libarchive lacks %s", #name); \
        return; \
    }
    MLENV_ARCHIVE_CONSTRUCTORS(RESOLVE)
    MLENV_ARCHIVE_FUNCTIONS(RESOLVE)
#undef RESOLVE
    loaded = 1;
}

#define CONSTRUCT(ret, name, params, args) \
    ret mlenv_##name params { \
        pthread_once(&load_once, load); \
        return loaded ? p_##name args : NULL; \
    }
MLENV_ARCHIVE_CONSTRUCTORS(CONSTRUCT)
#undef CONSTRUCT

#define FORWARD(ret, name, params, args) \
    ret mlenv_##name params { return p_##name args; }
MLENV_ARCHIVE_FUNCTIONS(FORWARD)
#undef FORWARD

const char *mlenv_archive_load_error(void) { return load_error[0] ? load_error : NULL; }

const char *mlenv_archive_error_text(struct archive *a) {
    const char *text = p_archive_error_string(a);
    return text != NULL ? text : "libarchive gave no reason";
}

// renameat2(RENAME_NOREPLACE) through syscall(2): glibc's wrapper is not visible to Swift.
#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif

int mlenv_rename_noreplace(const char *from, const char *to) {
#ifdef SYS_renameat2
    return (int)syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE);
#else
    errno = ENOSYS;
    return -1;
#endif
}
