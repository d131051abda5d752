// libarchive, loaded with dlopen on first use rather than linked: linking it loads libarchive
// and its compression, crypto and XML libraries at every start of every command, about 1.3 ms,
// although only wheel reading and bundles need it. Each `mlenv_archive_*` function calls the
// `archive_*` function of the same name; the constructors return NULL when libarchive cannot
// be loaded (`mlenv_archive_load_error()` says why), so nothing else is ever called then.
#ifndef MLENV_CARCHIVE_H
#define MLENV_CARCHIVE_H

#include <archive.h>
#include <archive_entry.h>

// Constructors: they load the library on first use.
#define MLENV_ARCHIVE_CONSTRUCTORS(X) \
    X(struct archive *, archive_read_new, (void), ()) \
    X(struct archive *, archive_write_new, (void), ()) \
    X(struct archive *, archive_write_disk_new, (void), ()) \
    X(struct archive_entry *, archive_entry_new, (void), ())

// Everything else, called only with what a constructor returned.
#define MLENV_ARCHIVE_FUNCTIONS(X) \
    X(int, archive_read_free, (struct archive *a), (a)) \
    X(int, archive_read_support_format_zip, (struct archive *a), (a)) \
    X(int, archive_read_support_format_zip_streamable, (struct archive *a), (a)) \
    X(int, archive_read_support_format_tar, (struct archive *a), (a)) \
    X(int, archive_read_support_format_gnutar, (struct archive *a), (a)) \
    X(int, archive_read_support_filter_none, (struct archive *a), (a)) \
    X(int, archive_read_support_filter_gzip, (struct archive *a), (a)) \
    X(int, archive_read_open_filename, (struct archive *a, const char *path, size_t block), (a, path, block)) \
    X(int, archive_read_open_memory, (struct archive *a, const void *bytes, size_t size), (a, bytes, size)) \
    X(int, archive_read_next_header, (struct archive *a, struct archive_entry **entry), (a, entry)) \
    X(la_ssize_t, archive_read_data, (struct archive *a, void *buffer, size_t size), (a, buffer, size)) \
    X(int, archive_read_data_skip, (struct archive *a), (a)) \
    X(const char *, archive_error_string, (struct archive *a), (a)) \
    X(int, archive_write_free, (struct archive *a), (a)) \
    X(int, archive_write_set_format_pax_restricted, (struct archive *a), (a)) \
    X(int, archive_write_set_format_zip, (struct archive *a), (a)) \
    X(int, archive_write_add_filter_gzip, (struct archive *a), (a)) \
    X(int, archive_write_set_filter_option, (struct archive *a, const char *m, const char *o, const char *v), (a, m, o, v)) \
    X(int, archive_write_set_bytes_in_last_block, (struct archive *a, int bytes), (a, bytes)) \
    X(int, archive_write_open_filename, (struct archive *a, const char *path), (a, path)) \
    X(int, archive_write_header, (struct archive *a, struct archive_entry *entry), (a, entry)) \
    X(la_ssize_t, archive_write_data, (struct archive *a, const void *bytes, size_t size), (a, bytes, size)) \
    X(int, archive_write_close, (struct archive *a), (a)) \
    X(int, archive_write_disk_set_options, (struct archive *a, int flags), (a, flags)) \
    X(int, archive_write_finish_entry, (struct archive *a), (a)) \
    X(const char *, archive_entry_hardlink, (struct archive_entry *e), (e)) \
    X(void, archive_entry_free, (struct archive_entry *e), (e)) \
    X(const char *, archive_entry_pathname, (struct archive_entry *e), (e)) \
    X(mode_t, archive_entry_filetype, (struct archive_entry *e), (e)) \
    X(mode_t, archive_entry_perm, (struct archive_entry *e), (e)) \
    X(void, archive_entry_set_pathname, (struct archive_entry *e, const char *path), (e, path)) \
    X(void, archive_entry_set_size, (struct archive_entry *e, la_int64_t size), (e, size)) \
    X(void, archive_entry_set_filetype, (struct archive_entry *e, unsigned int type), (e, type)) \
    X(void, archive_entry_set_perm, (struct archive_entry *e, mode_t perm), (e, perm)) \
    X(void, archive_entry_set_mtime, (struct archive_entry *e, time_t seconds, long nanoseconds), (e, seconds, nanoseconds)) \
    X(void, archive_entry_set_uid, (struct archive_entry *e, la_int64_t uid), (e, uid)) \
    X(void, archive_entry_set_gid, (struct archive_entry *e, la_int64_t gid), (e, gid))

#define MLENV_ARCHIVE_DECLARE(ret, name, params, args) ret mlenv_##name params;
MLENV_ARCHIVE_CONSTRUCTORS(MLENV_ARCHIVE_DECLARE)
MLENV_ARCHIVE_FUNCTIONS(MLENV_ARCHIVE_DECLARE)
#undef MLENV_ARCHIVE_DECLARE

/// Why libarchive could not be loaded, or NULL when it was (or has not been tried).
/// Moves `from` to `to` unless `to` exists (atomically: renameat2 RENAME_NOREPLACE). 0, or -1
/// with errno (EEXIST when `to` appeared).
int mlenv_rename_noreplace(const char *from, const char *to);

const char *mlenv_archive_load_error(void);

/// libarchive's message for the last error on `a`, never NULL: archive_error_string returns
/// NULL when libarchive failed without setting one (some damaged gzip streams do), and every
/// caller builds an error message from it.
const char *mlenv_archive_error_text(struct archive *a);

#endif
