// libsolvext (compressed-file reading and testcase writing), loaded with dlopen on first use
// rather than linked: linking it loads librpm, Lua, SQLite, libgcrypt and a dozen more libraries
// at every start of every command, about 3.5 ms, although only a compressed repodata file or
// `--debug-solver` ever needs it. The libsolv it opens is the one already loaded (same soname).
#ifndef MLENV_CSOLVEXT_H
#define MLENV_CSOLVEXT_H

#include <stdio.h>
#include <solv/solver.h>
#include <solv/testcase.h>  // TESTCASE_RESULT_* (the functions are called through the pointers)

/// `solv_xfopen(path, mode)`: a FILE that decompresses by the file's extension, or NULL (with
/// `mlenv_solvext_error()` saying why when libsolvext itself could not be loaded).
FILE *mlenv_solv_xfopen(const char *path, const char *mode);

/// `testcase_write(solver, directory, resultflags, NULL, NULL)`: nonzero on success.
int mlenv_testcase_write(Solver *solver, const char *directory, int resultflags);

/// Why libsolvext could not be loaded, or NULL when it was (or has not been tried).
const char *mlenv_solvext_error(void);

#endif
