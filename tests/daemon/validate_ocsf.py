#!/usr/bin/python3
"""Validates toOcsf() output against schemas/ocsf-detection-finding.schema.json.

Usage: validate_ocsf.py DAEMON_TEST SCHEMA

Runs the OcsfTest.EachDetectorMapsToADetectionFinding test of DAEMON_TEST with BLOBWATCH_OCSF_OUT
set, which writes one OCSF finding per line for alerts of every detector, then validates each
line. Fails if a detector is missing (so the check cannot pass vacuously) and if the schema
accepts a finding stripped of a required attribute (so the schema itself is not vacuous).
"""
import copy
import json
import os
import pathlib
import subprocess
import sys
import tempfile

from jsonschema import Draft202012Validator, FormatChecker


def main():
    daemon_test, schema_path = sys.argv[1], pathlib.Path(sys.argv[2])
    schema = json.loads(schema_path.read_text())
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp) / "ocsf.ndjson"
        env = dict(os.environ, BLOBWATCH_OCSF_OUT=str(out))
        proc = subprocess.run([daemon_test, "--gtest_filter=OcsfTest.EachDetectorMapsToADetectionFinding"],
                              env=env, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            sys.exit(f"{daemon_test} failed:\n{proc.stdout}\n{proc.stderr}")
        docs = [json.loads(line) for line in out.read_text().splitlines() if line]
    titles = {d.get("finding_info", {}).get("title") for d in docs}
    expected = {"anonymous_read", "unknown_ip", "bulk_download"}
    if titles != expected:
        sys.exit(f"findings for {sorted(map(str, titles))}, expected {sorted(expected)}")
    for i, doc in enumerate(docs, 1):
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
        if errors:
            sys.exit(f"finding #{i} does not match {schema_path.name}: {errors[0].message}\n{json.dumps(doc)}")
    # The schema must refuse what OCSF requires and blobwatch could forget.
    for path in (["finding_info"], ["finding_info", "uid"], ["metadata", "product"], ["time"], ["type_uid"]):
        broken = copy.deepcopy(docs[0])
        parent = broken
        for key in path[:-1]:
            parent = parent[key]
        del parent[path[-1]]
        if validator.is_valid(broken):
            sys.exit(f"{schema_path.name} accepts a finding without {'.'.join(path)}")
    print(f"{len(docs)} OCSF findings match {schema_path.name}")


if __name__ == "__main__":
    main()
