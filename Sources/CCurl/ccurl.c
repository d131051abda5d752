// See include/ccurl.h. The libcurl ABI is stable (soname libcurl.so.4); the option and info
// numbers below are the values curl.h defines, so no development headers are needed.

#include "ccurl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void CURL;
struct curl_slist;

enum {
    OPT_WRITEDATA = 10001, OPT_URL = 10002, OPT_USERAGENT = 10018, OPT_HTTPHEADER = 10023,
    OPT_ACCEPT_ENCODING = 10102, OPT_WRITEFUNCTION = 20011, OPT_TIMEOUT = 13,
    OPT_FOLLOWLOCATION = 52, OPT_CONNECTTIMEOUT = 78, OPT_NOSIGNAL = 99, OPT_MAXREDIRS = 68,
    OPT_NETRC = 51, OPT_NETRC_FILE = 10118, OPT_CAINFO = 10065, OPT_CAPATH = 10097, OPT_HEADERFUNCTION = 20079, OPT_HEADERDATA = 10029,
    OPT_SHARE = 10100, SHOPT_SHARE = 1, SHOPT_LOCKFUNC = 3, SHOPT_UNLOCKFUNC = 4,
    LOCK_DATA_DNS = 3, LOCK_DATA_SSL_SESSION = 4, LOCK_DATA_LAST = 8,
    OPT_PROTOCOLS_STR = 10318, OPT_REDIR_PROTOCOLS_STR = 10319,
    INFO_RESPONSE_CODE = 0x200002, INFO_CONTENT_TYPE = 0x100012, INFO_EFFECTIVE_URL = 0x100001,
    NETRC_OPTIONAL = 1,
    GLOBAL_DEFAULT = 3,
};

static struct {
    int (*global_init)(long);
    CURL *(*easy_init)(void);
    int (*easy_setopt)(CURL *, int, ...);
    int (*easy_perform)(CURL *);
    int (*easy_getinfo)(CURL *, int, ...);
    void (*easy_cleanup)(CURL *);
    void (*easy_reset)(CURL *);
    const char *(*easy_strerror)(int);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void *(*share_init)(void);
    int (*share_setopt)(void *, int, ...);
    void (*slist_free_all)(struct curl_slist *);
    char load_error[200];
} curl;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;

// One DNS cache and one TLS session cache for every handle of the process: a host is looked up
// once, and a new connection to a host already met resumes its TLS session (no full handshake).
static void *share = NULL;
static pthread_mutex_t share_locks[LOCK_DATA_LAST + 1];

static void share_lock(void *handle, int data, int access, void *user) {
    (void)handle; (void)access; (void)user;
    if (data >= 0 && data <= LOCK_DATA_LAST) pthread_mutex_lock(&share_locks[data]);
}

static void share_unlock(void *handle, int data, void *user) {
    (void)handle; (void)user;
    if (data >= 0 && data <= LOCK_DATA_LAST) pthread_mutex_unlock(&share_locks[data]);
}

static void make_share(void) {
    if (curl.share_init == NULL || curl.share_setopt == NULL) return;
    for (int i = 0; i <= LOCK_DATA_LAST; i++) pthread_mutex_init(&share_locks[i], NULL);
    void *made = curl.share_init();
    if (made == NULL) return;
    if (curl.share_setopt(made, SHOPT_LOCKFUNC, share_lock) != 0 || curl.share_setopt(made, SHOPT_UNLOCKFUNC, share_unlock) != 0) return;
    curl.share_setopt(made, SHOPT_SHARE, (long)LOCK_DATA_DNS);
    curl.share_setopt(made, SHOPT_SHARE, (long)LOCK_DATA_SSL_SESSION);
    share = made;
}

static void load(void) {
    const char *names[] = {"libcurl.so.4", "libcurl-gnutls.so.4", "libcurl.so"};
    void *lib = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && lib == NULL; i++) lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        snprintf(curl.load_error, sizeof curl.load_error, "cannot load libcurl (install the libcurl4 package): %s", dlerror());
        return;
    }
#define SYM(field, name) *(void **)(&curl.field) = dlsym(lib, name)
    SYM(global_init, "curl_global_init");
    SYM(easy_init, "curl_easy_init");
    SYM(easy_setopt, "curl_easy_setopt");
    SYM(easy_perform, "curl_easy_perform");
    SYM(easy_getinfo, "curl_easy_getinfo");
    SYM(easy_cleanup, "curl_easy_cleanup");
    SYM(easy_reset, "curl_easy_reset");
    SYM(easy_strerror, "curl_easy_strerror");
    SYM(slist_append, "curl_slist_append");
    SYM(slist_free_all, "curl_slist_free_all");
    SYM(share_init, "curl_share_init");
    SYM(share_setopt, "curl_share_setopt");
#undef SYM
    if (!curl.global_init || !curl.easy_init || !curl.easy_setopt || !curl.easy_perform || !curl.easy_getinfo
        || !curl.easy_cleanup || !curl.easy_reset || !curl.easy_strerror || !curl.slist_append || !curl.slist_free_all) {
        snprintf(curl.load_error, sizeof curl.load_error, "libcurl lacks a function mlenv needs");
        curl.easy_init = NULL;
        return;
    }
    if (curl.global_init(GLOBAL_DEFAULT) != 0) {
        snprintf(curl.load_error, sizeof curl.load_error, "curl_global_init failed");
        curl.easy_init = NULL;
        return;
    }
    make_share();
}

// Idle handles, kept so that later requests reuse their connections (keep-alive, TLS sessions).
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static CURL *pool[32];
static int pooled = 0;

static CURL *take_handle(void) {
    CURL *handle = NULL;
    pthread_mutex_lock(&pool_lock);
    if (pooled > 0) handle = pool[--pooled];
    pthread_mutex_unlock(&pool_lock);
    if (handle != NULL) {
        curl.easy_reset(handle);
        return handle;
    }
    return curl.easy_init();
}

static void return_handle(CURL *handle) {
    pthread_mutex_lock(&pool_lock);
    if (pooled < (int)(sizeof pool / sizeof pool[0])) {
        pool[pooled++] = handle;
        handle = NULL;
    }
    pthread_mutex_unlock(&pool_lock);
    if (handle != NULL) curl.easy_cleanup(handle);
}

typedef struct {
    unsigned char *data;
    size_t length, capacity;
    unsigned long long limit;
    FILE *file;
    int failed;       // 1: out of memory or a write error, 2: over the limit
} buffer;

static size_t on_data(char *ptr, size_t size, size_t count, void *userdata) {
    buffer *b = userdata;
    size_t n = size * count;
    if (b->limit != 0 && (unsigned long long)(b->length + n) > b->limit) { b->failed = 2; return 0; }
    if (b->file != NULL) {
        if (fwrite(ptr, 1, n, b->file) != n) { b->failed = 1; return 0; }
        b->length += n;
        return n;
    }
    if (b->length + n > b->capacity) {
        size_t capacity = b->capacity ? b->capacity : 65536;
        while (capacity < b->length + n) capacity *= 2;
        unsigned char *grown = realloc(b->data, capacity);
        if (grown == NULL) { b->failed = 1; return 0; }
        b->data = grown;
        b->capacity = capacity;
    }
    memcpy(b->data + b->length, ptr, n);
    b->length += n;
    return n;
}

// The header block of the last response only: a redirect's or a 100 Continue's headers are
// dropped when the next status line arrives. At most 64 KiB are kept.
static size_t on_header(char *ptr, size_t size, size_t count, void *userdata) {
    buffer *h = userdata;
    size_t n = size * count;
    if (n >= 5 && memcmp(ptr, "HTTP/", 5) == 0) h->length = 0;
    if (h->length + n + 1 > 65536) return n;
    if (h->length + n + 1 > h->capacity) {
        size_t capacity = h->capacity ? h->capacity : 4096;
        while (capacity < h->length + n + 1) capacity *= 2;
        unsigned char *grown = realloc(h->data, capacity);
        if (grown == NULL) return n;
        h->data = grown;
        h->capacity = capacity;
    }
    memcpy(h->data + h->length, ptr, n);
    h->length += n;
    h->data[h->length] = 0;
    return n;
}

int mlenv_http_perform(const mlenv_http_request *request, mlenv_http_response *response) {
    memset(response, 0, sizeof *response);
    pthread_once(&load_once, load);
    if (curl.easy_init == NULL) {
        snprintf(response->error, sizeof response->error, "%s", curl.load_error);
        return -1;
    }
    buffer body = {0}, header_block = {0};
    body.limit = request->max_bytes;
    if (request->body_path != NULL) {
        body.file = fopen(request->body_path, "wbe");
        if (body.file == NULL) {
            snprintf(response->error, sizeof response->error, "cannot write %s", request->body_path);
            return -1;
        }
    }
    CURL *handle = take_handle();
    if (handle == NULL) {
        if (body.file != NULL) fclose(body.file);
        snprintf(response->error, sizeof response->error, "curl_easy_init failed");
        return -1;
    }
    struct curl_slist *headers = NULL;
    if (request->headers != NULL) {
        const char *line = request->headers;
        while (*line != 0) {
            const char *end = strchr(line, '\n');
            size_t n = end ? (size_t)(end - line) : strlen(line);
            if (n > 0 && n < 8192) {
                char copy[8192];
                memcpy(copy, line, n);
                copy[n] = 0;
                headers = curl.slist_append(headers, copy);
            }
            if (end == NULL) break;
            line = end + 1;
        }
    }
    curl.easy_setopt(handle, OPT_URL, request->url);
    if (share != NULL) curl.easy_setopt(handle, OPT_SHARE, share);
    curl.easy_setopt(handle, OPT_NOSIGNAL, 1L);
    curl.easy_setopt(handle, OPT_FOLLOWLOCATION, 1L);
    curl.easy_setopt(handle, OPT_MAXREDIRS, 10L);
    curl.easy_setopt(handle, OPT_PROTOCOLS_STR, "http,https");
    curl.easy_setopt(handle, OPT_REDIR_PROTOCOLS_STR, "http,https");
    curl.easy_setopt(handle, OPT_CONNECTTIMEOUT, 30L);
    curl.easy_setopt(handle, OPT_TIMEOUT, request->timeout_seconds);
    if (request->compressed) curl.easy_setopt(handle, OPT_ACCEPT_ENCODING, "");
    if (request->user_agent != NULL) curl.easy_setopt(handle, OPT_USERAGENT, request->user_agent);
    if (request->ca_file != NULL) {
        curl.easy_setopt(handle, OPT_CAINFO, request->ca_file);
    } else if (request->ca_path != NULL) {
        // OpenSSL looks a hashed directory up by issuer, certificate by certificate, instead of
        // parsing the whole bundle for every new connection (about 40 ms of CPU each).
        curl.easy_setopt(handle, OPT_CAINFO, (char *)NULL);
        curl.easy_setopt(handle, OPT_CAPATH, request->ca_path);
    }
    if (request->netrc_file != NULL) {
        curl.easy_setopt(handle, OPT_NETRC, (long)NETRC_OPTIONAL);
        curl.easy_setopt(handle, OPT_NETRC_FILE, request->netrc_file);
    }
    if (headers != NULL) curl.easy_setopt(handle, OPT_HTTPHEADER, headers);
    curl.easy_setopt(handle, OPT_WRITEFUNCTION, on_data);
    curl.easy_setopt(handle, OPT_WRITEDATA, &body);
    curl.easy_setopt(handle, OPT_HEADERFUNCTION, on_header);
    curl.easy_setopt(handle, OPT_HEADERDATA, &header_block);
    int code = curl.easy_perform(handle);
    int result = 0;
    if (body.file != NULL && fclose(body.file) != 0 && body.failed == 0) body.failed = 1;
    if (code != 0 || body.failed) {
        const char *reason = body.failed == 2 ? "the answer is larger than the limit for this kind of file"
                           : body.failed ? (body.file ? "cannot write the answer to disk" : "out of memory")
                           : curl.easy_strerror(code);
        snprintf(response->error, sizeof response->error, "%s", reason);
        free(body.data);
        free(header_block.data);
        result = -1;
    } else {
        long status = 0;
        char *type = NULL, *effective = NULL;
        curl.easy_getinfo(handle, INFO_RESPONSE_CODE, &status);
        curl.easy_getinfo(handle, INFO_CONTENT_TYPE, &type);
        curl.easy_getinfo(handle, INFO_EFFECTIVE_URL, &effective);
        response->status = status;
        response->body = body.data;
        response->length = body.length;
        response->content_type = type ? strdup(type) : NULL;
        response->effective_url = effective ? strdup(effective) : NULL;
        response->headers = (char *)header_block.data;
    }
    if (headers != NULL) curl.slist_free_all(headers);
    return_handle(handle);
    return result;
}

void mlenv_http_response_free(mlenv_http_response *response) {
    free(response->body);
    free(response->content_type);
    free(response->headers);
    free(response->effective_url);
    response->body = NULL;
    response->content_type = NULL;
    response->headers = NULL;
    response->effective_url = NULL;
}
