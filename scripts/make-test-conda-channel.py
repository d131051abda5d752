#!/usr/bin/env python3
"""Builds a small, real conda channel for the conda-path validation test (no conda channel is
reachable from here, so the test makes its own packages):

  linux-64/python-X.Y.Z-h0_mlenv_host.conda   "python": the host's CPython, venv style
  noarch/pip-V-pyh0_mlenv.tar.bz2              "pip": the pip wheel bundled with the host's
                                               ensurepip, as a noarch: python package (in the
                                               older .tar.bz2 format, so both formats install)
  linux-64/repodata.json, noarch/repodata.json  the records, with md5, sha256 and size

The trick, said plainly: a real CPython as a conda package is tens of megabytes and only
conda channels have one. The "python" package here holds bin/python3.11 as a symbolic link to
the host's interpreter plus a pyvenv.cfg at the prefix root (what `python -m venv` writes), so
the installed prefix is a Python environment of its own (sys.prefix is the prefix, pip installs
into the prefix's lib/pythonX.Y/site-packages), while the interpreter's code is the host's. Everything
else is real: the archives (a .conda is a zip of metadata.json + info-*.tar.zst +
pkg-*.tar.zst, a .tar.bz2 one tar of info/ and the files; conda-package-handling writes both), the index.json / paths.json / link.json metadata, the
noarch: python layout the installer relocates, and the repodata the resolver reads.

Usage: make-test-conda-channel.py --python /path/to/python3.11 --out CHANNEL_DIR
Runs with a Python that has conda-package-handling (scripts/python-tools: .venv-rattler).
"""

import argparse
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

from conda_package_handling import api as cph

TIMESTAMP = 1700000000000  # fixed: the same inputs give the same packages


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def md5(path):
    with open(path, "rb") as f:
        return hashlib.md5(f.read()).hexdigest()


def write_paths_json(root):
    """info/paths.json: every file under root (but info/), as conda-build writes it."""
    paths = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root)
            if rel.startswith("info" + os.sep):
                continue
            if os.path.islink(full):
                paths.append({"_path": rel, "path_type": "softlink"})
            else:
                paths.append({"_path": rel, "path_type": "hardlink", "sha256": sha256(full), "size_in_bytes": os.path.getsize(full)})
    with open(os.path.join(root, "info", "paths.json"), "w") as f:
        json.dump({"paths": paths, "paths_version": 1}, f, indent=2, sort_keys=True)
    with open(os.path.join(root, "info", "files"), "w") as f:
        f.write("".join(p["_path"] + "\n" for p in paths))


def build(root, index, out_dir, extension=".conda"):
    os.makedirs(os.path.join(root, "info"), exist_ok=True)
    with open(os.path.join(root, "info", "index.json"), "w") as f:
        json.dump(index, f, indent=2, sort_keys=True)
    write_paths_json(root)
    name = f"{index['name']}-{index['version']}-{index['build']}{extension}"
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        for n in filenames:
            files.append(os.path.relpath(os.path.join(dirpath, n), root))
    os.makedirs(out_dir, exist_ok=True)
    cph.create(root, sorted(files), name, out_folder=out_dir)
    return os.path.join(out_dir, name)


def python_package(host, work, channel):
    info = json.loads(subprocess.check_output([host, "-c", "import json, sys, os; print(json.dumps({'version': '%d.%d.%d' % sys.version_info[:3], 'minor': '%d.%d' % sys.version_info[:2], 'exe': os.path.realpath(sys.executable)}))"]))
    root = os.path.join(work, "python")
    os.makedirs(os.path.join(root, "bin"))
    site = os.path.join(root, "lib", "python" + info["minor"], "site-packages")
    os.makedirs(site)
    with open(os.path.join(site, "README.mlenv-test"), "w") as f:
        f.write("site-packages of a test python package that runs the host's interpreter (see pyvenv.cfg)\n")
    os.symlink(info["exe"], os.path.join(root, "bin", "python" + info["minor"]))
    os.symlink("python" + info["minor"], os.path.join(root, "bin", "python3"))
    os.symlink("python" + info["minor"], os.path.join(root, "bin", "python"))
    with open(os.path.join(root, "pyvenv.cfg"), "w") as f:
        f.write(f"home = {os.path.dirname(info['exe'])}\ninclude-system-site-packages = false\nversion = {info['version']}\n")
    index = {"name": "python", "version": info["version"], "build": "h0_mlenv_host", "build_number": 0,
             "depends": [], "subdir": "linux-64", "arch": "x86_64", "platform": "linux",
             "license": "PSF-2.0", "timestamp": TIMESTAMP}
    return build(root, index, os.path.join(channel, "linux-64")), index


def pip_package(host, work, channel):
    bundled = subprocess.check_output([host, "-c", "import ensurepip, os; print(os.path.dirname(ensurepip.__file__))"], text=True).strip()
    wheels = glob.glob(os.path.join(bundled, "_bundled", "pip-*.whl"))
    if len(wheels) != 1:
        sys.exit(f"expected one pip wheel in {bundled}/_bundled, found {wheels}")
    version = os.path.basename(wheels[0]).split("-")[1]
    root = os.path.join(work, "pip")
    with zipfile.ZipFile(wheels[0]) as z:
        z.extractall(os.path.join(root, "site-packages"))
    os.makedirs(os.path.join(root, "info"))
    with open(os.path.join(root, "info", "link.json"), "w") as f:
        json.dump({"noarch": {"type": "python", "entry_points": ["pip = pip._internal.cli.main:main"]},
                   "package_metadata_version": 1}, f, indent=2, sort_keys=True)
    index = {"name": "pip", "version": version, "build": "pyh0_mlenv", "build_number": 0,
             "depends": ["python >=3.7"], "subdir": "noarch", "noarch": "python",
             "license": "MIT", "timestamp": TIMESTAMP}
    return build(root, index, os.path.join(channel, "noarch"), ".tar.bz2"), index


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", required=True, help="the host interpreter the python package runs")
    parser.add_argument("--out", required=True, help="the channel directory to create")
    args = parser.parse_args()
    if os.path.exists(args.out):
        sys.exit(f"{args.out} exists")
    work = tempfile.mkdtemp(prefix="mlenv-conda-pkgs-")
    try:
        built = [python_package(args.python, work, args.out), pip_package(args.python, work, args.out)]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    repodata = {subdir: {"packages": {}, "packages.conda": {}} for subdir in ("linux-64", "noarch")}
    for path, index in built:
        record = dict(index, md5=md5(path), sha256=sha256(path), size=os.path.getsize(path))
        key = "packages.conda" if path.endswith(".conda") else "packages"
        repodata[index["subdir"]][key][os.path.basename(path)] = record
    for subdir, packages in repodata.items():
        with open(os.path.join(args.out, subdir, "repodata.json"), "w") as f:
            json.dump(dict(packages, info={"subdir": subdir}, repodata_version=1), f, indent=2, sort_keys=True)
    print(json.dumps({os.path.basename(p): i["subdir"] for p, i in built}))


if __name__ == "__main__":
    main()
