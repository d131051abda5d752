#!/usr/bin/env python3
"""Test and benchmark helper: writes CEP 16 sharded repodata beside a channel's repodata.json.

    scripts/make-shards.py CHANNEL_DIR [--subdir linux-64 --subdir noarch] [--shards-base ./shards/] [--base-url ./]

For each subdir: one shard per package name (`packages` and `packages.conda` of that name, md5
and sha256 as bytes), zstd-compressed by the `zstd` program and stored as
`<subdir>/<shards-base><sha256 of the compressed shard>.msgpack.zst`, and the shard index
`<subdir>/repodata_shards.msgpack.zst` ({version: 1, info: {base_url: "./", shards_base_url,
subdir, created_at}, shards: {name: sha256 bytes}}). Stdlib only (a small MessagePack encoder
below); repodata.json is left where it is, so a test can check it is not fetched.
"""
import argparse
import hashlib
import json
import os
import struct
import subprocess
import sys
import tempfile


def pack(value, out):
    """MessagePack encoding of JSON-like values and bytes."""
    if value is None:
        out.append(0xC0)
    elif value is True:
        out.append(0xC3)
    elif value is False:
        out.append(0xC2)
    elif isinstance(value, int):
        if 0 <= value < 0x80:
            out.append(value)
        elif -32 <= value < 0:
            out.append(value & 0xFF)
        elif 0 <= value < 1 << 64:
            out += b"\xcf" + struct.pack(">Q", value)
        else:
            out += b"\xd3" + struct.pack(">q", value)
    elif isinstance(value, float):
        out += b"\xcb" + struct.pack(">d", value)
    elif isinstance(value, str):
        data = value.encode()
        if len(data) < 32:
            out.append(0xA0 | len(data))
        else:
            out += b"\xdb" + struct.pack(">I", len(data))
        out += data
    elif isinstance(value, (bytes, bytearray)):
        out += b"\xc6" + struct.pack(">I", len(value)) + value
    elif isinstance(value, list):
        out += b"\xdd" + struct.pack(">I", len(value))
        for item in value:
            pack(item, out)
    elif isinstance(value, dict):
        out += b"\xdf" + struct.pack(">I", len(value))
        for key, item in value.items():
            pack(key, out)
            pack(item, out)
    else:
        raise TypeError(f"cannot pack {type(value)}")
    return out


def zstd(data):
    with tempfile.TemporaryDirectory() as scratch:
        source = os.path.join(scratch, "data")
        with open(source, "wb") as f:
            f.write(data)
        subprocess.run(["zstd", "-q", "-f", source, "-o", source + ".zst"], check=True)
        with open(source + ".zst", "rb") as f:
            return f.read()


def binary_digests(record):
    record = dict(record)
    for key in ("md5", "sha256"):
        if isinstance(record.get(key), str):
            try:
                record[key] = bytes.fromhex(record[key])
            except ValueError:
                pass
    return record


def shard_subdir(directory, shards_base, base_url="./"):
    with open(os.path.join(directory, "repodata.json"), "rb") as f:
        repodata = json.load(f)
    by_name = {}
    for section in ("packages", "packages.conda"):
        for filename, record in (repodata.get(section) or {}).items():
            shard = by_name.setdefault(record.get("name"), {"packages": {}, "packages.conda": {}, "removed": []})
            shard[section][filename] = binary_digests(record)
    target = os.path.normpath(os.path.join(directory, shards_base))
    os.makedirs(target, exist_ok=True)
    hashes = {}
    names = sorted(n for n in by_name if isinstance(n, str))
    with tempfile.TemporaryDirectory() as scratch:
        # One zstd run for every shard of the subdir.
        paths = []
        for i, name in enumerate(names):
            paths.append(os.path.join(scratch, f"{i}"))
            with open(paths[-1], "wb") as f:
                f.write(bytes(pack(by_name[name], bytearray())))
        if paths:
            subprocess.run(["zstd", "-q", "-f", *paths], check=True)
        for name, path in zip(names, paths):
            with open(path + ".zst", "rb") as f:
                compressed = f.read()
            digest = hashlib.sha256(compressed).digest()
            with open(os.path.join(target, digest.hex() + ".msgpack.zst"), "wb") as f:
                f.write(compressed)
            hashes[name] = digest
    subdir = os.path.basename(os.path.normpath(directory))
    index = {"version": 1, "info": {"base_url": base_url, "shards_base_url": shards_base, "subdir": subdir,
                                    "created_at": "2026-01-01T00:00:00Z"}, "shards": hashes}
    with open(os.path.join(directory, "repodata_shards.msgpack.zst"), "wb") as f:
        f.write(zstd(bytes(pack(index, bytearray()))))
    return len(hashes)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("channel")
    parser.add_argument("--subdir", action="append", default=None)
    parser.add_argument("--shards-base", default="./shards/")
    parser.add_argument("--base-url", default="./", help="where the index says package files are (tests: a foreign base)")
    args = parser.parse_args()
    for subdir in args.subdir or ["linux-64", "noarch"]:
        directory = os.path.join(args.channel, subdir)
        if os.path.exists(os.path.join(directory, "repodata.json")):
            print(f"{subdir}: {shard_subdir(directory, args.shards_base, args.base_url)} shards", file=sys.stderr)


if __name__ == "__main__":
    main()
