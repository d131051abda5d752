#!/usr/bin/env python3
"""Mutation fuzzing of the bundle reader through the mlenv binary: `mlenv validate BUNDLE --run`.

    python3 fuzz/bundle/fuzz_tar.py [--mlenv .build/debug/mlenv] [--seconds 600] [--seed 1]

TarArchive.extract (libarchive through CArchive's dlopen shim), the MANIFEST.json check, the
inventory walk and the lock checks run in-process in mlenv, so this drives the real binary.
Seeds are well-formed bundles built here (right sha256 and md5 everywhere, so a bundle that
survives mutation goes on to the lock checks); `--python-executable /bin/false` stops the run
before any install. Each input is a mutation of a seed or of a kept input: bytes of the
uncompressed tar (flips, insertions, truncation, repeats), bytes of the gzip stream, or the
bundle rebuilt with hostile entries (`..` and absolute names, links, devices, FIFOs, long and
non-UTF-8 names, duplicate and conflicting entries, a mutated MANIFEST.json or lock file, a
compression bomb).

A failure is: death by signal or an exit status other than 0, 1, 2; a run over --timeout
seconds; or a file left behind outside the run's scratch directory (each run gets its own
TMPDIR and working directory under one run directory, which must hold nothing else after it).
Failing inputs go to fuzz/bundle/crashes/tar/ with the command; inputs that give a new
(status, message shape) are kept in fuzz/bundle/corpus/tar/. Exit 1 when any failure.
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))


def sha256(b):
    return hashlib.sha256(b).hexdigest()


def seed_files(rng, variant):
    """The files of a well-formed bundle (relative to its top directory)."""
    wheel = bytes(rng.randrange(256) for _ in range(300))
    conda = bytes(rng.randrange(256) for _ in range(200))
    mlmodel = open(os.path.join(ROOT, "fixtures", "models", "sklearn-iris", "MLmodel"), "rb").read()
    files = {
        "README.md": b"# Offline bundle\n",
        "Dockerfile": b"FROM scratch\n",
        "model/MLmodel": mlmodel,
        "inference/score.py": b"def init():\n    pass\n",
        "pkgs/wheels/a-1.0-py3-none-any.whl": wheel,
        "env/requirements.bundle.txt": b"a==1.0 \\\n    --hash=sha256:" + sha256(wheel).encode() + b"\n",
    }
    if variant % 2:
        files["pkgs/conda/x-1.0-0.conda"] = conda
        files["env/conda-linux-64.bundle.lock"] = (b"@EXPLICIT\npkgs/conda/x-1.0-0.conda#" + hashlib.md5(conda).hexdigest().encode() + b"\n")
    manifest = {
        "mlenv": "0.1", "model": "iris", "deployment": "azureml-online",
        "environment": "conda" if variant % 3 == 2 else "virtualenv", "python": "3.11",
        "files": {path: sha256(data) for path, data in sorted(files.items())},
    }
    files["MANIFEST.json"] = (json.dumps(manifest, indent=2) + "\n").encode()
    return files


def make_tar(entries, compress):
    """entries: list of (name, kind, data, linkname)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for name, kind, data, link in entries:
            info = tarfile.TarInfo(name)
            info.mtime = 315532800
            info.type = kind
            info.linkname = link or ""
            if kind == tarfile.REGTYPE:
                info.size = len(data)
                info.mode = 0o644
                tar.addfile(info, io.BytesIO(data))
            else:
                info.mode = 0o755
                tar.addfile(info)
    data = raw.getvalue()
    return gzip.compress(data, mtime=0) if compress else data


def seed_entries(files, top="bundle"):
    dirs = sorted({"/".join(p.split("/")[:i]) for p in files for i in range(1, p.count("/") + 1)})
    out = [(top, tarfile.DIRTYPE, b"", None)]
    out += [(f"{top}/{d}", tarfile.DIRTYPE, b"", None) for d in dirs]
    out += [(f"{top}/{p}", tarfile.REGTYPE, files[p], None) for p in sorted(files)]
    return out


TOKENS = [b"null", b"[]", b"{}", b"[" * 300, b'"../x"', b'"/etc/passwd"', b'"files"', b"\x00", b"\xff\xfe",
          b"9" * 40, b"\n", b"#", b"pkgs/../../x#", b'"a\\u0000b"', b"\"" + b"x" * 5000 + b"\""]


def mutate_bytes(b, rng):
    b = bytearray(b)
    for _ in range(rng.randint(1, 6)):
        if not b:
            b += rng.choice(TOKENS)
            continue
        i = rng.randrange(len(b))
        op = rng.randrange(7)
        if op == 0:
            b[i] = rng.randrange(256)
        elif op == 1:
            b[i] ^= 1 << rng.randrange(8)
        elif op == 2:
            b[i:i] = rng.choice(TOKENS)
        elif op == 3:
            del b[rng.randrange(len(b)):]
        elif op == 4:
            j = min(len(b), i + rng.randint(1, 512))
            b[i:i] = b[i:j] * rng.randint(1, 4)
        elif op == 5:
            j = min(len(b), i + rng.randint(1, 64))
            del b[i:j]
        else:
            # A tar header field: size, mode, type flag, checksum, link name (offsets within 512).
            block = i - i % 512
            field = rng.choice([(124, 12), (100, 8), (156, 1), (148, 8), (157, 100), (0, 100), (345, 155)])
            lo = block + field[0]
            if lo < len(b):
                b[lo:lo + field[1]] = bytes(rng.randrange(256) for _ in range(field[1]))[: max(0, len(b) - lo)]
    return bytes(b)


HOSTILE_NAMES = ["../escaped", "bundle/../../escaped", "/ABS/escaped", "bundle/./x", "bundle//x", "bundle/a\nb",
                 "bundle/" + "d/" * 60 + "deep", "bundle/" + "n" * 300, "bundle/\udcff\udcfe", "", ".", "bundle/..",
                 "bundle/MANIFEST.json/x", "other/MANIFEST.json", "bundle/inference/yaml.py", "./bundle/x"]


def mutate_structure(files, rng, run_dir):
    files = dict(files)
    entries = seed_entries(files)
    for _ in range(rng.randint(1, 3)):
        op = rng.randrange(11)
        name = rng.choice(HOSTILE_NAMES).replace("/ABS", run_dir)
        if op == 0:
            entries.append((name, tarfile.REGTYPE, b"x", None))
        elif op == 1:
            entries.append((rng.choice([name, "bundle/link"]), rng.choice([tarfile.SYMTYPE, tarfile.LNKTYPE]), b"",
                            rng.choice(["../../escaped", run_dir + "/escaped", "bundle/MANIFEST.json", "/etc/passwd", "."])))
        elif op == 2:
            entries.append(("bundle/" + rng.choice(["fifo", "dev", "model/MLmodel"]), rng.choice([tarfile.FIFOTYPE, tarfile.CHRTYPE, tarfile.BLKTYPE]), b"", None))
        elif op in (3, 4) and not entries:
            entries.append((name, tarfile.REGTYPE, b"", None))
        elif op == 3:
            i = rng.randrange(len(entries))
            entries.insert(rng.randrange(len(entries) + 1), entries[i])
        elif op == 4:
            # A file where a directory is, or the reverse.
            i = rng.randrange(len(entries))
            n, kind, data, link = entries[i]
            entries.append((n, tarfile.DIRTYPE if kind == tarfile.REGTYPE else tarfile.REGTYPE, b"y", None))
        elif op == 5:
            entries = [e for e in entries if e[0] != "bundle/MANIFEST.json"]
            entries.append(("bundle/MANIFEST.json", tarfile.REGTYPE, mutate_bytes(files["MANIFEST.json"], rng), None))
        elif op == 6:
            key = rng.choice(["env/requirements.bundle.txt", "env/conda-linux-64.bundle.lock"])
            text = files.get(key, b"@EXPLICIT\n")
            text += rng.choice([b"pkgs/../../escaped#0\n", b"pkgs/conda/missing.conda\n", b"pkgs/#\n", b"pkgs/" + b"a" * 5000 + b"\n",
                                b"--hash=sha256:" + b"0" * 64 + b"\n", b"pkgs/conda/x-1.0-0.conda#" + b"g" * 32 + b"\n", b"\xff\n"])
            entries = [e for e in entries if e[0] != "bundle/" + key]
            entries.append(("bundle/" + key, tarfile.REGTYPE, text, None))
        elif op == 7:
            m = json.loads(files["MANIFEST.json"])
            m["files"] = rng.choice([{}, [], None, {"../x": "0" * 64}, {k: 1 for k in m["files"]},
                                     dict(m["files"], **{"bundle/extra": "0" * 64}), {rng.choice(HOSTILE_NAMES): "a" * 64}])
            entries = [e for e in entries if e[0] != "bundle/MANIFEST.json"]
            entries.append(("bundle/MANIFEST.json", tarfile.REGTYPE, json.dumps(m).encode(), None))
        elif op == 8:
            entries.append(("second/README.md", tarfile.REGTYPE, b"z", None))
        elif op == 9:
            # A compression bomb: zeros, far past 16 times the archive's size.
            entries.append(("bundle/pkgs/wheels/zeros.whl", tarfile.REGTYPE, bytes(rng.choice([1, 90, 120]) << 20), None))
        else:
            entries = entries[: rng.randrange(len(entries) + 1)]
    return entries


def signature(rc, err):
    first = (err.strip().splitlines() or [""])[0]
    shape = re.sub(r"[0-9a-f]{8,}|\d+|'[^']*'|/[^\s:]+", "_", first)[:120]
    return f"{rc}:{shape}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mlenv", default=os.path.join(ROOT, ".build", "debug", "mlenv"))
    ap.add_argument("--seconds", type=float, default=600)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=30)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    corpus_dir = os.path.join(HERE, "corpus", "tar")
    crash_dir = os.path.join(HERE, "crashes", "tar")
    os.makedirs(corpus_dir, exist_ok=True)
    os.makedirs(crash_dir, exist_ok=True)
    base = tempfile.mkdtemp(prefix="bundle-tar-fuzz-")
    run_dir = os.path.join(base, "run")

    seeds = [seed_files(random.Random(v), v) for v in range(6)]
    corpus = [open(os.path.join(corpus_dir, f), "rb").read() for f in sorted(os.listdir(corpus_dir))]
    for v, files in enumerate(seeds):
        corpus.append(make_tar(seed_entries(files), compress=v % 2 == 0))
    seen = set()
    runs = failures = 0
    start = time.time()
    statuses = {}
    while time.time() - start < args.seconds:
        choice = rng.randrange(10)
        if choice < 4:
            parent = rng.choice(corpus)
            raw = parent
            if parent[:2] == b"\x1f\x8b" and rng.random() < 0.8:
                try:
                    raw = gzip.decompress(parent)
                except (OSError, EOFError, zlib.error):
                    pass
            data = mutate_bytes(raw, rng)
            if rng.random() < 0.5:
                data = gzip.compress(data, mtime=0)
        elif choice < 5:
            data = mutate_bytes(rng.choice(corpus), rng)  # the gzip stream itself
        else:
            files = rng.choice(seeds)
            data = make_tar(mutate_structure(files, rng, run_dir), compress=rng.random() < 0.5)

        shutil.rmtree(run_dir, ignore_errors=True)
        os.makedirs(os.path.join(run_dir, "tmp"))
        os.makedirs(os.path.join(run_dir, "cwd"))
        bundle = os.path.join(base, "bundle.tar.gz")
        with open(bundle, "wb") as f:
            f.write(data)
        cmd = [args.mlenv, "validate", bundle, "--run", "--python-executable", "/bin/false", "--format", "json"]
        env = dict(os.environ, TMPDIR=os.path.join(run_dir, "tmp"), MLENV_SOURCES="embedded")
        problem = None
        t0 = time.time()
        try:
            p = subprocess.run(cmd, cwd=os.path.join(run_dir, "cwd"), env=env, capture_output=True, timeout=args.timeout)
            rc, err = p.returncode, p.stderr.decode("utf-8", "replace")
            if rc < 0:
                problem = f"killed by signal {-rc}"
            elif rc not in (0, 1, 2):
                problem = f"exit status {rc}"
        except subprocess.TimeoutExpired:
            rc, err = "timeout", ""
            problem = f"no answer after {args.timeout} s"
        left = []
        for dirpath, dirnames, filenames in os.walk(run_dir):
            for n in dirnames + filenames:
                rel = os.path.relpath(os.path.join(dirpath, n), run_dir)
                if rel not in ("tmp", "cwd"):
                    left.append(rel)
        if problem is None and left:
            problem = "left files outside its scratch directory: " + ", ".join(sorted(left)[:5])
        runs += 1
        statuses[rc] = statuses.get(rc, 0) + 1
        if problem:
            failures += 1
            name = os.path.join(crash_dir, f"input-{sha256(data)[:16]}.tar")
            with open(name, "wb") as f:
                f.write(data)
            with open(name + ".txt", "w") as f:
                f.write(f"{problem}\n{' '.join(cmd)}\n{err[-4000:]}\n")
            print(f"FAIL ({problem}): {name}", flush=True)
        sig = signature(rc, err)
        if sig not in seen:
            seen.add(sig)
            corpus.append(data)
            with open(os.path.join(corpus_dir, f"input-{sha256(data)[:16]}"), "wb") as f:
                f.write(data)
        if runs % 200 == 0:
            el = time.time() - start
            print(f"#{runs} {el:.0f}s exec/s {runs / el:.1f} shapes {len(seen)} corpus {len(corpus)} failures {failures}", flush=True)
        _ = t0
    el = time.time() - start
    shutil.rmtree(base, ignore_errors=True)
    print(f"Done: {runs} runs in {el:.0f} s, exec/s {runs / el:.1f}, message shapes {len(seen)}, corpus {len(corpus)}, "
          f"failures {failures}, statuses {statuses}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
