"""Differential check: `mlenv validate` verdicts against real MLflow on the same payloads.

    .venv-mlflow/bin/python benchmarks/compare-mlflow/run.py --mlenv PATH/TO/mlenv [--out DIR] [MODEL_DIR...]
        [--oracle-python .venv-mlflow-np1/bin/python --mlenv-arg=--numpy --mlenv-arg=1]

Default models: every model under ../shared/models and fixtures/models that has a signature, plus
the synthetic signatures of generate.py. Prints the agreement and writes DIR/disagreements.jsonl
(each with the MLflow error and mlenv's findings) and DIR/oracle.jsonl (MLflow's verdicts).
Exit 0 when every verdict agrees. --oracle-python runs the oracle with another Python (another
numpy / pandas: scripts/python-env --numpy1); the corpus is still written by this one.
--mlenv-arg adds an argument to every `mlenv validate` call.
"""

import argparse
import glob
import json
import os
import subprocess
import sys
import time
from collections import Counter, defaultdict

# The embedded snapshot unless a flag says otherwise: mlenv's own default is the live indexes.
os.environ.setdefault("MLENV_SOURCES", "embedded")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mlenv", required=True)
    ap.add_argument("--out", default=os.path.join(ROOT, "benchmarks", "out", "compare-mlflow"))
    ap.add_argument("--oracle-python", default=sys.executable)
    ap.add_argument("--mlenv-arg", action="append", default=[])
    ap.add_argument("models", nargs="*")
    args = ap.parse_args()

    models = args.models or sorted(
        glob.glob(os.path.join(ROOT, "..", "shared", "models", "*")) + glob.glob(os.path.join(ROOT, "fixtures", "models", "*"))
    )
    models = [m for m in models if os.path.isfile(os.path.join(m, "MLmodel"))]
    os.makedirs(args.out, exist_ok=True)

    subprocess.run([sys.executable, os.path.join(HERE, "generate.py"), args.out] + models, check=True)
    cases = [json.loads(line) for line in open(os.path.join(args.out, "cases.jsonl"))]

    t0 = time.time()
    with open(os.path.join(args.out, "cases.jsonl"), "rb") as f:
        oracle = subprocess.run([args.oracle_python, os.path.join(HERE, "oracle.py")], stdin=f, capture_output=True, check=True)
    mlflow = {r["id"]: r for r in map(json.loads, oracle.stdout.decode().splitlines())}
    t_mlflow = time.time() - t0
    with open(os.path.join(args.out, "oracle.jsonl"), "wb") as f:
        f.write(oracle.stdout)

    payload_dir = os.path.join(args.out, "payloads")
    os.makedirs(payload_dir, exist_ok=True)
    groups = defaultdict(list)
    for c in cases:
        ext = "csv" if c["content_type"] == "text/csv" else "json"
        path = os.path.join(payload_dir, c["id"].replace("/", "__") + "." + ext)
        with open(path, "wb") as f:
            f.write(c["body"].encode("utf-8", "surrogatepass"))
        c["path"] = path
        groups[(c["model"], c["protocol"], c["content_type"])].append(c)

    t0 = time.time()
    mlenv = {}
    for (model, protocol, content_type), group in groups.items():
        for i in range(0, len(group), 400):
            batch = group[i : i + 400]
            cmd = [args.mlenv, "validate", model, "--format", "json", "--content-type", content_type] + args.mlenv_arg
            if protocol:
                cmd += ["--protocol", protocol]
            for c in batch:
                cmd += ["--payload", c["path"]]
            p = subprocess.run(cmd, capture_output=True)
            if p.returncode not in (0, 1):
                for c in batch:
                    mlenv[c["id"]] = {"valid": None, "crash": p.stderr.decode()[-500:]}
                continue
            reports = json.loads(p.stdout)
            if isinstance(reports, dict):
                reports = [reports]
            for c, r in zip(batch, reports):
                # MLflow's own verdict: errors only (strict mode is mlenv's addition).
                mlenv[c["id"]] = r
    t_mlenv = time.time() - t0

    agree = 0
    dis = []
    per_model = Counter()
    per_model_total = Counter()
    for c in cases:
        m = mlflow[c["id"]]
        r = mlenv[c["id"]]
        ok = r.get("valid") == m["valid"]
        per_model_total[c["model_name"]] += 1
        if ok:
            agree += 1
            per_model[c["model_name"]] += 1
        else:
            dis.append({"id": c["id"], "kind": c["kind"], "protocol": c["protocol"], "body": c["body"][:400],
                        "mlflow_valid": m["valid"], "mlflow_error": m["error"], "mlenv": r})
    with open(os.path.join(args.out, "disagreements.jsonl"), "w") as f:
        for d in dis:
            f.write(json.dumps(d) + "\n")
    valid = sum(1 for c in cases if mlflow[c["id"]]["valid"])
    print(f"cases: {len(cases)} ({valid} valid, {len(cases) - valid} invalid per MLflow) over {len(per_model_total)} signatures")
    print(f"agreement: {agree}/{len(cases)} = {100.0 * agree / len(cases):.2f}%")
    print(f"time: MLflow oracle {t_mlflow:.1f}s, mlenv {t_mlenv:.1f}s")
    for name in sorted(per_model_total):
        if per_model[name] != per_model_total[name]:
            print(f"  {name}: {per_model[name]}/{per_model_total[name]}")
    kinds = Counter(d["kind"].split("[")[0] + ("" if d["mlflow_valid"] else " (MLflow refuses)") for d in dis)
    for kind, n in kinds.most_common(40):
        print(f"    {n:5d}  {kind}")
    return 0 if not dis else 1


if __name__ == "__main__":
    sys.exit(main())
