#!/usr/bin/env python3
"""Differential check: `mlenv spec --batch` against pypa/packaging on generated inputs.

Generates requests (compare, match, parse of versions/specifiers/requirements/markers,
marker evaluation, name normalisation) from packaging's own test vocabulary plus random
spellings and mutations, asks `mlenv spec --batch`, computes the same answers with the
installed `packaging`, and reports every disagreement. Deterministic for a given --seed.

    python3 differential.py --mlenv path/to/mlenv [--count 50000] [--seed 1]

Exit status 0 when every answer agrees (an error on both sides counts as agreement).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys

import packaging
from packaging.markers import InvalidMarker, Marker, UndefinedComparison, UndefinedEnvironmentName, default_environment
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

SEPARATORS = ["", ".", "-", "_"]
PRE = ["a", "b", "rc", "c", "alpha", "beta", "pre", "preview", "A", "RC"]
POST = ["post", "rev", "r", "POST"]
OPS = ["==", "!=", "<=", ">=", "<", ">", "~=", "==="]


def number(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.6:
        return str(rng.randint(0, 12))
    if roll < 0.8:
        return "0" * rng.randint(1, 2) + str(rng.randint(0, 99))
    if roll < 0.95:
        return str(rng.randint(0, 10**6))
    return str(rng.randint(10**19, 10**25))


def version(rng: random.Random, spelled: bool = True) -> str:
    parts = [number(rng) for _ in range(rng.choice([1, 2, 2, 3, 3, 4]))]
    text = ".".join(parts)
    if rng.random() < 0.1:
        text = f"{rng.randint(0, 3)}!{text}"
    sep = (lambda: rng.choice(SEPARATORS)) if spelled else (lambda: "")
    if rng.random() < 0.3:
        text += sep() + rng.choice(PRE if spelled else ["a", "b", "rc"]) + sep() + (number(rng) if rng.random() < 0.8 else "")
    if rng.random() < 0.2:
        if spelled and rng.random() < 0.3:
            text += "-" + number(rng)
        else:
            text += (sep() or ".") + rng.choice(POST if spelled else ["post"]) + (number(rng) if rng.random() < 0.8 else "")
    if rng.random() < 0.2:
        text += (sep() or ".") + ("dev" if rng.random() < 0.9 else "DEV") + (number(rng) if rng.random() < 0.8 else "")
    if rng.random() < 0.1:
        text += "+" + rng.choice(["local", "ubuntu.1", "abc.7", "1.2", "A-b_c"])
    if spelled and rng.random() < 0.05:
        text = "v" + text
    if spelled and rng.random() < 0.05:
        text = " " + text + "\t"
    return text


def mutate(rng: random.Random, text: str) -> str:
    if not text:
        return text
    chars = list(text)
    i = rng.randrange(len(chars))
    roll = rng.random()
    alphabet = "0123456789.-_+!*abcdevpostrc ,;()<>=~@[]'\"é"
    if roll < 0.4:
        chars[i] = rng.choice(alphabet)
    elif roll < 0.7:
        chars.insert(i, rng.choice(alphabet))
    else:
        del chars[i]
    return "".join(chars)


def specifier(rng: random.Random, versions: list[str]) -> str:
    op = rng.choice(OPS)
    v = rng.choice(versions).strip()
    if op in ("==", "!=") and rng.random() < 0.3:
        v = ".".join(v.split("+")[0].split(".")[:2]) + ".*"
    if op == "~=" and "." not in v:
        v += ".0"
    space = " " if rng.random() < 0.2 else ""
    return op + space + v


def specifier_set(rng: random.Random, versions: list[str]) -> str:
    n = rng.choice([0, 1, 1, 2, 2, 3])
    text = ", ".join(specifier(rng, versions) for _ in range(n))
    if rng.random() < 0.1:
        text = mutate(rng, text)
    return text


VARIABLES = ["python_version", "python_full_version", "os_name", "sys_platform", "platform_release",
             "platform_machine", "platform_system", "implementation_name", "implementation_version",
             "platform_python_implementation", "extra"]


def marker(rng: random.Random, versions: list[str], depth: int = 0) -> str:
    if depth < 2 and rng.random() < 0.3:
        joiner = rng.choice([" and ", " or "])
        inner = joiner.join(marker(rng, versions, depth + 1) for _ in range(rng.choice([2, 3])))
        return f"({inner})" if rng.random() < 0.5 else inner
    var = rng.choice(VARIABLES)
    op = rng.choice(["==", "!=", "<", "<=", ">", ">=", "~=", "===", "in", "not in"])
    if var in ("python_version", "python_full_version", "implementation_version", "platform_release"):
        value = rng.choice(["3.8", "3.11", "3.11.4", "3.12", "3", "5.10", "3.11.0a1", "abc", ""] + versions[:5])
    else:
        value = rng.choice(["posix", "linux", "x86_64", "Linux", "cpython", "CPython", "win32", "lin", "", "Foo_Bar"])
    if op == "~=" and "." not in value:
        value = "3.8"
    quote = rng.choice(["'", '"'])
    item = f"{var} {op} {quote}{value}{quote}"
    if rng.random() < 0.2:
        item = f"{quote}{value}{quote} {op} {var}"
    return item


def requirement(rng: random.Random, versions: list[str]) -> str:
    name = rng.choice(["numpy", "Foo.Bar", "scikit_learn", "a", "req-1"])
    text = name
    if rng.random() < 0.3:
        text += "[" + ",".join(rng.sample(["x", "Y_z", "tests", "all"], rng.randint(0, 2))) + "]"
    if rng.random() < 0.15:
        text += " @ https://example.com/pkg-1.0.tar.gz"
        if rng.random() < 0.5:
            text += " ; " + marker(rng, versions)
    else:
        spec = specifier_set(rng, versions)
        if spec and rng.random() < 0.2:
            spec = f"({spec})"
        text += (" " if rng.random() < 0.3 else "") + spec
        if rng.random() < 0.4:
            text += "; " + marker(rng, versions)
    if rng.random() < 0.1:
        text = mutate(rng, text)
    return text


ENV = dict(default_environment())
ENV["extra"] = ""


def environment(rng: random.Random) -> dict[str, str]:
    env = dict(ENV)
    env["python_version"] = rng.choice(["3.8", "3.10", "3.11", "3.12"])
    env["python_full_version"] = env["python_version"] + rng.choice([".0", ".4", ".11", ".0rc1", ".1+"])
    env["extra"] = rng.choice(["", "tests", "Foo.Bar", "foo-bar"])
    return env


def reference(req: dict) -> tuple[str, object]:
    """packaging's answer: ("result", value) or ("error", None)."""
    op = req["op"]
    try:
        if op == "compare":
            a, b = Version(req["a"]), Version(req["b"])
            return "result", (a > b) - (a < b)
        if op == "match":
            return "result", SpecifierSet(req["spec"]).contains(req["version"], prereleases=req["prereleases"])
        if op == "parse":
            kind, text = req["kind"], req["text"]
            if kind == "version":
                return "result", str(Version(text))
            if kind == "specifier":
                return "result", str(SpecifierSet(text))
            if kind == "marker":
                return "result", str(Marker(text))
            if kind == "requirement":
                r = Requirement(text)
                return "result", {"name": r.name, "extras": sorted(r.extras), "specifier": str(r.specifier),
                                  "marker": str(r.marker) if r.marker else None, "url": r.url}
        if op == "evaluate-marker":
            return "result", Marker(req["marker"]).evaluate(req["environment"])
        if op == "normalize-name":
            return "result", canonicalize_name(req["text"])
    except (InvalidVersion, InvalidSpecifier, InvalidRequirement, InvalidMarker, UndefinedComparison,
            UndefinedEnvironmentName, ValueError):
        return "error", None
    raise AssertionError(op)


def ours(req: dict, answer: dict) -> tuple[str, object]:
    if "error" in answer:
        return "error", None
    value = answer["result"]
    if req["op"] == "parse":
        if req["kind"] == "requirement":
            return "result", {k: value[k] for k in ("name", "extras", "specifier", "marker", "url")}
        return "result", value["normalized"]
    return "result", value


TOKENS = ["numpy", " ", "\t", "(", ")", "[", "]", ",", ";", "@", "==", "===", "~=", "!=", "<=", ">=", "<", ">",
          "1", "0", "2", "10", ".", "*", "+", "a", "b", "rc", "c", "post", "dev", "r", "-", "_", "!", "v", "V", "'", '"',
          "\\", "and", "or", "not", "in", "python_version", "extra", "os_name", "platform_release", "é", "\u00a0",
          "\u2028", "\n", "local", "x", "\\n", "\\x41", "https://e.com/p.whl"]


def chaos(rng: random.Random) -> str:
    return "".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 14)))


def generate_chaos(count: int, seed: int) -> list[dict]:
    """Token soup for every parser: mostly invalid, sometimes valid in odd ways."""
    rng = random.Random(seed)
    requests = []
    for i in range(count):
        roll = rng.random()
        if roll < 0.15:
            requests.append({"id": i, "op": "compare", "ecosystem": "pypi", "a": chaos(rng), "b": chaos(rng)})
        elif roll < 0.35:
            requests.append({"id": i, "op": "match", "ecosystem": "pypi", "spec": chaos(rng), "version": chaos(rng),
                             "prereleases": rng.choice([None, True, False])})
        elif roll < 0.5:
            requests.append({"id": i, "op": "parse", "ecosystem": "pypi", "kind": "version", "text": chaos(rng)})
        elif roll < 0.6:
            requests.append({"id": i, "op": "parse", "ecosystem": "pypi", "kind": "specifier", "text": chaos(rng)})
        elif roll < 0.8:
            requests.append({"id": i, "op": "parse", "ecosystem": "pypi", "kind": "requirement", "text": "numpy" + chaos(rng)})
        else:
            requests.append({"id": i, "op": "parse", "ecosystem": "pypi", "kind": "marker", "text": chaos(rng)})
    return requests


def generate(count: int, seed: int, vectors: list[str]) -> list[dict]:
    rng = random.Random(seed)
    versions = vectors + [version(rng) for _ in range(2000)]
    clean = [version(rng, spelled=False) for _ in range(500)]
    requests = []
    for i in range(count):
        roll = rng.random()
        if roll < 0.3:
            a, b = rng.choice(versions), rng.choice(versions + clean)
            if rng.random() < 0.2:
                b = respell(rng, a)
            if rng.random() < 0.05:
                a = mutate(rng, a)
            requests.append({"id": i, "op": "compare", "ecosystem": "pypi", "a": a, "b": b})
        elif roll < 0.6:
            v = rng.choice(versions + clean)
            if rng.random() < 0.03:
                v = mutate(rng, v)
            requests.append({"id": i, "op": "match", "ecosystem": "pypi", "spec": specifier_set(rng, clean + versions[:200]),
                             "version": v, "prereleases": rng.choice([None, True, False])})
        elif roll < 0.7:
            text = rng.choice(versions)
            if rng.random() < 0.3:
                text = mutate(rng, text)
            requests.append({"id": i, "op": "parse", "ecosystem": "pypi", "kind": "version", "text": text})
        elif roll < 0.78:
            requests.append({"id": i, "op": "parse", "ecosystem": "pypi", "kind": "specifier", "text": specifier_set(rng, versions)})
        elif roll < 0.88:
            requests.append({"id": i, "op": "parse", "ecosystem": "pypi", "kind": "requirement", "text": requirement(rng, versions)})
        elif roll < 0.93:
            text = marker(rng, clean)
            if rng.random() < 0.1:
                text = mutate(rng, text)
            requests.append({"id": i, "op": "parse", "ecosystem": "pypi", "kind": "marker", "text": text})
        elif roll < 0.98:
            requests.append({"id": i, "op": "evaluate-marker", "marker": marker(rng, clean), "environment": environment(rng)})
        else:
            requests.append({"id": i, "op": "normalize-name", "text": rng.choice(["Foo.Bar", "a__b", "X-Y_z", "_x_", "ÄBC", "a..b--c"])})
    return requests


def vocabulary() -> list[str]:
    """packaging's sorted VERSIONS list, read from our ported table."""
    import os  # noqa: PLC0415
    import re  # noqa: PLC0415

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "SpecsTests", "Vectors",
                        "PackagingVersionVectors.swift")
    try:
        text = open(path).read()
        block = text[text.index("static let sorted"):text.index("static let invalid")]
        return re.findall(r'Text\("([^"]*)"\)', block)
    except (OSError, ValueError):
        return ["1.0", "1.0a1", "1.0.post1", "1.0.dev1", "1!1.0", "1.0+local"]


def respell(rng: random.Random, text: str) -> str:
    """Another spelling of the same version (when it parses)."""
    try:
        v = Version(text)
    except InvalidVersion:
        return text
    out = str(v)
    if rng.random() < 0.5:
        out = out.replace(".post", "-post" if rng.random() < 0.5 else "post").replace("rc", "c")
    if rng.random() < 0.5:
        head, sep, tail = out.partition("+")
        release_end = len(head)
        for i, ch in enumerate(head):
            if ch.isalpha():
                release_end = i
                break
        head = head[:release_end] + ".0" + head[release_end:]
        out = head + sep + tail
    return out.upper() if rng.random() < 0.3 else out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mlenv", required=True, help="mlenv binary (or a wrapper taking `spec --batch`)")
    parser.add_argument("--count", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--show", type=int, default=20, help="disagreements to print")
    parser.add_argument("--chaos", action="store_true", help="token soup instead of well-formed inputs")
    args = parser.parse_args()

    requests = generate_chaos(args.count, args.seed) if args.chaos else generate(args.count, args.seed, vocabulary())
    payload = "".join(json.dumps(r) + "\n" for r in requests)
    run = subprocess.run([args.mlenv, "spec", "--batch"], input=payload.encode(), capture_output=True, check=True)
    answers = [json.loads(line) for line in run.stdout.decode().split("\n")[:-1]]
    assert len(answers) == len(requests), (len(answers), len(requests))

    disagreements = 0
    by_op: dict[str, int] = {}
    for req, answer in zip(requests, answers):
        assert answer["id"] == req["id"]
        expected, got = reference(req), ours(req, answer)
        if expected != got:
            disagreements += 1
            key = req["op"] + ("/" + req["kind"] if req["op"] == "parse" else "")
            by_op[key] = by_op.get(key, 0) + 1
            if disagreements <= args.show:
                print(json.dumps(req), "\n  packaging:", expected, "\n  mlenv:    ", answer)
    print(f"packaging {packaging.__version__}: {len(requests)} requests, {disagreements} disagreements {by_op}")
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
