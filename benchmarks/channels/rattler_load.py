"""Load a local conda channel with py-rattler and print one JSON line (run by run.py in .venv).

usage: rattler_load.py CHANNEL_DIR [sparse|repodata]

sparse:   SparseRepoData(...).load_all_records() per subdir (prefers .conda over .tar.bz2 for the
          same build, as mlenv does): every record parsed into a RepoDataRecord.
repodata: RepoData.from_path(...).into_repo_data(channel) per subdir.
"""

import json
import os
import sys
import time

SUBDIRS = ("linux-64", "noarch")

t_start = time.perf_counter()
from rattler import Channel, RepoData, SparseRepoData  # noqa: E402

t_imported = time.perf_counter()

root = os.path.abspath(sys.argv[1])
method = sys.argv[2] if len(sys.argv) > 2 else "sparse"
channel = Channel(root)
records = []
for subdir in SUBDIRS:
    path = os.path.join(root, subdir, "repodata.json")
    if not os.path.exists(path):
        continue
    if method == "sparse":
        sparse = SparseRepoData(channel, subdir, path)
        records.extend(sparse.load_all_records())
        sparse.close()
    else:
        records.extend(RepoData.from_path(path).into_repo_data(channel))
t_loaded = time.perf_counter()

print(json.dumps({
    "records": len(records),
    "names": len({r.name.normalized for r in records}),
    "import_seconds": round(t_imported - t_start, 4),
    "seconds": round(t_loaded - t_imported, 4),
}))
