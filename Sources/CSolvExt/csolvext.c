// See include/csolvext.h.

#include "csolvext.h"

#include <dlfcn.h>
#include <pthread.h>

static struct {
    FILE *(*xfopen)(const char *, const char *);
    int (*testcase_write)(Solver *, const char *, int, Queue *, const char *);
    char error[200];
    int failed;
} ext;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;

static void load(void) {
    const char *names[] = {"libsolvext.so.1", "libsolvext.so"};
    void *lib = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && lib == NULL; i++) lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        snprintf(ext.error, sizeof ext.error, "cannot load libsolvext (install the libsolvext1 package): %s", dlerror());
        ext.failed = 1;
        return;
    }
    *(void **)(&ext.xfopen) = dlsym(lib, "solv_xfopen");
    *(void **)(&ext.testcase_write) = dlsym(lib, "testcase_write");
    if (!ext.xfopen || !ext.testcase_write) {
        snprintf(ext.error, sizeof ext.error, "libsolvext lacks solv_xfopen or testcase_write");
        ext.failed = 1;
    }
}

FILE *mlenv_solv_xfopen(const char *path, const char *mode) {
    pthread_once(&load_once, load);
    return ext.failed ? NULL : ext.xfopen(path, mode);
}

int mlenv_testcase_write(Solver *solver, const char *directory, int resultflags) {
    pthread_once(&load_once, load);
    return ext.failed ? 0 : ext.testcase_write(solver, directory, resultflags, NULL, NULL);
}

const char *mlenv_solvext_error(void) { return ext.failed ? ext.error : NULL; }
