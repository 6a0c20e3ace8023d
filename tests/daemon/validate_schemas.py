#!/usr/bin/python3
"""Validates blobwatch's output against schemas/event.schema.json and schemas/alert.schema.json.

Usage: validate_schemas.py BLOBWATCH SOURCE_DIR SAMPLES_DIR

Events: `blobwatch parse` over the bundled examples and, where present, the shared samples.
Alerts: `blobwatch scan` over the bundled examples, which raise every detector. Fails (exit 1)
on the first document that does not validate, naming it; fails too if a detector is missing, so
the check cannot pass vacuously.
"""
import json
import pathlib
import subprocess
import sys

from jsonschema import Draft202012Validator


def run(cmd):
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr}")
    return proc.stdout.splitlines()


def validate(schema_path, docs, what):
    schema = json.loads(schema_path.read_text())
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    for i, line in enumerate(docs, 1):
        doc = json.loads(line)
        errors = sorted(validator.iter_errors(doc), key=lambda e: e.path)
        if errors:
            sys.exit(f"{what} #{i} does not match {schema_path.name}: {errors[0].message}\n{line}")
    print(f"{len(docs)} {what}s match {schema_path.name}")


def main():
    blobwatch, source, samples = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
    examples = sorted(str(p) for sub in ("s3-access", "cloudtrail")
                      for p in (source / "examples" / sub).iterdir() if p.is_file())
    if not examples:
        sys.exit("no example logs under examples/")
    inputs = list(examples)
    if samples.is_dir():
        for sub in ("s3-access", "cloudtrail", "azure-blob", "gcs-audit", "gcs-usage", "minio-audit"):
            inputs += sorted(str(p) for p in (samples / sub).rglob("*")
                             if p.is_file() and "INVALID" not in p.name)
    else:
        print(f"shared samples not found at {samples}; validating events of the examples only")
    events = run([blobwatch, "parse"] + inputs)
    if len(events) < 100:
        sys.exit(f"only {len(events)} events parsed; expected the examples to give more")
    validate(source / "schemas" / "event.schema.json", events, "event")

    alerts = run([blobwatch, "scan"] + examples)
    detectors = {json.loads(a)["detector"] for a in alerts}
    expected = {"anonymous_read", "unknown_ip", "bulk_download"}
    if detectors != expected:
        sys.exit(f"the examples raised {sorted(detectors)}, expected {sorted(expected)}")
    validate(source / "schemas" / "alert.schema.json", alerts, "alert")


if __name__ == "__main__":
    main()
