// libcurl, loaded with dlopen on the first download rather than linked: linking it (as
// FoundationNetworking does) loads libcurl and some thirty libraries of its own at every start of
// every command, about 8 ms, although only `mirror` and `package` ever download.
#ifndef MLENV_CCURL_H
#define MLENV_CCURL_H

#include <stddef.h>

typedef struct mlenv_http_response {
    long status;            // HTTP status, 0 when no answer arrived
    unsigned char *body;    // malloc'd, `length` bytes (NULL when empty)
    size_t length;
    char *content_type;     // malloc'd, or NULL
    char error[256];        // why no answer arrived, when `status` is 0
} mlenv_http_response;

/// GET `url`. `accept`, `range` (e.g. "bytes=-65536") and `user_agent` may be NULL. Returns 0
/// when an answer (of any status) arrived, -1 otherwise with `error` set. Safe to call from
/// several threads at once.
int mlenv_http_get(const char *url, const char *accept, const char *range, const char *user_agent,
                   long timeout_seconds, mlenv_http_response *response);

/// Frees what `mlenv_http_get` allocated in `response`.
void mlenv_http_response_free(mlenv_http_response *response);

#endif
