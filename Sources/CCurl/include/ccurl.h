// libcurl, loaded with dlopen on the first download rather than linked: linking it (as
// FoundationNetworking does) loads libcurl and some thirty libraries of its own at every start of
// every command, about 8 ms, although only commands that reach an index over HTTP ever download.
#ifndef MLENV_CCURL_H
#define MLENV_CCURL_H

#include <stddef.h>

typedef struct mlenv_http_request {
    const char *url;
    const char *headers;        // extra request headers, one per line ("Name: value\n..."), or NULL
    const char *user_agent;     // or NULL
    const char *ca_file;        // PEM bundle of trusted CAs, or NULL for the system store
    const char *ca_path;        // a hashed CA directory to use instead of libcurl's default bundle (when ca_file is NULL), or NULL
    const char *netrc_file;     // a netrc file to take credentials from, or NULL for none
    const char *body_path;      // when set, the body is written to this file instead of memory
    long timeout_seconds;
    int compressed;             // ask for a compressed transfer (never for byte ranges)
    unsigned long long max_bytes; // the body may not exceed this many bytes (0: no limit)
} mlenv_http_request;

typedef struct mlenv_http_response {
    long status;            // HTTP status, 0 when no answer arrived
    unsigned char *body;    // malloc'd, `length` bytes (NULL when empty or written to body_path)
    size_t length;          // bytes received (also when written to body_path)
    char *content_type;     // malloc'd, or NULL
    char *headers;          // malloc'd header block of the final response ("Name: value\r\n..."), or NULL
    char *effective_url;    // malloc'd URL of the final response (after redirects), or NULL
    char error[256];        // why no answer arrived, when `status` is 0
} mlenv_http_response;

/// Performs one GET. Returns 0 when an answer (of any status) arrived, -1 otherwise with
/// `error` set. Only http and https are followed, also across redirects. Safe to call from
/// several threads at once.
int mlenv_http_perform(const mlenv_http_request *request, mlenv_http_response *response);

/// Frees what `mlenv_http_perform` allocated in `response`.
void mlenv_http_response_free(mlenv_http_response *response);

#endif
