#!/usr/bin/env python3
"""Generates the example logs in examples/: one week of a Harbor registry's S3 bucket.

The same story (one list of requests) is rendered twice:
  examples/s3-access/   S3 server access logs (26-field era), one file per day or part of a day,
                        named as S3 log delivery names them (YYYY-MM-DD-HH-MM-SS-<16 hex>);
  examples/cloudtrail/  CloudTrail S3 data and management events for the same requests: daily
                        trail files as gzip {"Records":[...]} documents for the quiet days, and
                        one event per line (NDJSON) for the two incident days.
and examples/README.md tells the story, with the alerts blobwatch should raise. The expected
alerts are computed here by a small model of the detectors (defaults of daemon/config.cpp), so
README and logs cannot drift apart; compare with `blobwatch scan`.

Deterministic: fixed seed, fixed gzip header, no network, standard library only.
Usage: python3 scripts/gen-examples.py [--out DIR]   (default: examples/ next to scripts/)
"""

import argparse
import base64
import calendar
import gzip
import hashlib
import io
import json
import math
import os
import random
import string
import time
import uuid

SEED = 20261102
ACCOUNT = "111122223333"
REGION = "us-east-1"
BUCKET = "harbor-registry-prod"
HOST = f"{BUCKET}.s3.{REGION}.amazonaws.com"
VPCE = "vpce-0c4a1f7e9b2d35a68"
ROOT = "docker/registry/v2"
DAY = 86400
START = calendar.timegm((2026, 11, 2, 0, 0, 0))  # Monday 2026-11-02 00:00 UTC
DAYS = 7

rng = random.Random(SEED)


def rand_str(alphabet, n):
    return "".join(rng.choice(alphabet) for _ in range(n))


def digest():
    return hashlib.sha256(rng.getrandbits(256).to_bytes(32, "big")).hexdigest()


def at(day, hh, mm=0, ss=0):
    """Epoch seconds of day index `day` (0 = 2026-11-02) at hh:mm:ss UTC."""
    return START + day * DAY + hh * 3600 + mm * 60 + ss


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def human(n):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024.0


BUCKET_OWNER = hashlib.sha256(b"harbor-registry-prod owner").hexdigest()

# ------------------------------------------------------------------------------------------------
# Principals


class Actor:
    """Who sends a request: identity as CloudTrail shows it, requester as S3 logs show it."""

    def __init__(self, kind, name, ua, ips, vpce=False, session=None, key_prefix="AKIA"):
        self.kind = kind  # "role", "user", "anonymous"
        self.name = name  # role or user name
        self.ua = ua
        self.ips = ips
        self.vpce = vpce
        self.session = session
        self.unique_id = ("AROA" if kind == "role" else "AIDA") + rand_str(string.ascii_uppercase + "234567", 17)
        self.access_key = key_prefix + rand_str(string.ascii_uppercase + "234567", 16)
        self._session_keys = {}

    def arn(self, session=None):
        if self.kind == "role":
            return f"arn:aws:sts::{ACCOUNT}:assumed-role/{self.name}/{session or self.session}"
        if self.kind == "user":
            return f"arn:aws:iam::{ACCOUNT}:user/{self.name}"
        return None

    def principal(self):
        """The principal blobwatch reports (session name dropped for roles)."""
        if self.kind == "role":
            return f"arn:aws:sts::{ACCOUNT}:assumed-role/{self.name}"
        if self.kind == "user":
            return self.arn()
        return "anonymous"

    def session_key(self, session, t):
        # Role credentials rotate every 6 hours.
        slot = (session, t // 21600)
        if slot not in self._session_keys:
            self._session_keys[slot] = (
                "ASIA" + rand_str(string.ascii_uppercase + "234567", 16),
                iso(t - t % 21600 + rng.randint(30, 300)),
            )
        return self._session_keys[slot]

    def identity(self, session, t):
        if self.kind == "anonymous":
            return {"type": "AWSAccount", "principalId": "", "accountId": "ANONYMOUS_PRINCIPAL"}
        if self.kind == "user":
            return {
                "type": "IAMUser",
                "principalId": self.unique_id,
                "arn": self.arn(),
                "accountId": ACCOUNT,
                "accessKeyId": self.access_key,
                "userName": self.name,
            }
        key, created = self.session_key(session, t)
        role_path = "aws-reserved/sso.amazonaws.com/" if self.name.startswith("AWSReservedSSO") else ""
        return {
            "type": "AssumedRole",
            "principalId": f"{self.unique_id}:{session}",
            "arn": self.arn(session),
            "accountId": ACCOUNT,
            "accessKeyId": key,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": self.unique_id,
                    "arn": f"arn:aws:iam::{ACCOUNT}:role/{role_path}{self.name}",
                    "accountId": ACCOUNT,
                    "userName": self.name,
                },
                "attributes": {"creationDate": created, "mfaAuthenticated": "false"},
            },
        }


REGISTRY_HOSTS = {  # Harbor registry VMs: EC2 instance-profile session name = instance id
    "i-0a3f5c7e9b1d24680": "10.20.1.31",
    "i-0b4e6d8f0a2c35791": "10.20.2.57",
}
REGISTRY = Actor("role", "harbor-registry", "aws-sdk-go/1.55.5 (go1.22.8; linux; amd64)",
                 list(REGISTRY_HOSTS.values()), vpce=True)
BACKUP = Actor("role", "registry-backup",
               "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#5.10.225-213.878.amzn2.x86_64 "
               "md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython md/command#s3.sync",
               ["10.20.3.14"], vpce=True)
CI = Actor("user", "ci-image-publisher",
           "aws-sdk-go-v2/1.32.2 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64 api/s3#1.66.0 "
           "app/image-publish#3.4.1",
           ["203.0.113.10", "203.0.113.11"])
DEV = Actor("user", "dana.okafor",
            "aws-cli/2.18.4 md/awscrt#0.22.0 ua/2.0 os/macos#24.1.0 md/arch#arm64 lang/python#3.12.6 "
            "md/pyimpl#CPython md/command#{cmd}",
            ["198.51.100.23"])
ADMIN = Actor("role", "AWSReservedSSO_PlatformAdmin_5f1c2e9a7b3d4e60",
              "[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.750 Linux/5.10.226-192.879.amzn2int.x86_64 "
              "OpenJDK_64-Bit_Server_VM/25.412-b09 java/1.8.0_412 vendor/Oracle_Corporation cfg/retry-mode/standard]",
              ["198.51.100.40"], session="sam.rivera")
ANON = Actor("anonymous", "-", "curl/8.5.0", [])
THIEF_UA = "aws-cli/1.33.13 Python/3.12.3 Linux/6.8.0-45-generic botocore/1.34.131"
THIEF_IP = "192.0.2.146"

# ------------------------------------------------------------------------------------------------
# Requests


class Req:
    seq = 0

    def __init__(self, t, actor, op, key=None, status=200, error=None, size=None, bytes_out=0,
                 bytes_in=0, ip=None, ua=None, session=None, prefix=None, copy_source=None,
                 extra_params=None, note=None):
        Req.seq += 1
        self.seq = Req.seq
        self.t = t
        self.actor = actor
        self.op = op
        self.key = key
        self.status = status
        self.error = error
        self.size = size
        self.bytes_out = bytes_out
        self.bytes_in = bytes_in
        self.ip = ip or actor.ips[0]
        self.ua = ua or actor.ua
        self.session = session or actor.session
        self.prefix = prefix
        self.copy_source = copy_source
        self.extra_params = extra_params
        self.note = note
        self.request_id = rand_str(string.ascii_uppercase + string.digits, 16)
        self.host_id = base64.b64encode(rng.getrandbits(448).to_bytes(56, "big")).decode()
        self.event_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        self.total_ms = 0
        self.turn_ms = 0

    def via_vpce(self):
        return self.ip.startswith("10.")


REQS = []


def add(*args, **kw):
    r = Req(*args, **kw)
    REQS.append(r)
    return r


def timing(r):
    """S3 total time / turn-around time in ms, roughly proportional to the bytes moved."""
    moved = max(r.bytes_out, r.bytes_in)
    r.turn_ms = rng.randint(3, 40)
    r.total_ms = r.turn_ms + int(moved / (40 * 1024 * 1024) * 1000) + rng.randint(0, 20)


# ------------------------------------------------------------------------------------------------
# Registry content: repositories, tags, blobs


def blob_key(d):
    return f"{ROOT}/blobs/sha256/{d[:2]}/{d}/data"


def layer_size(big=False):
    if big:
        return int(rng.uniform(22, 48) * 1024 * 1024)
    return max(900, min(int(rng.lognormvariate(math.log(1.6 * 1024 * 1024), 1.3)), 40 * 1024 * 1024))


class Image:
    def __init__(self, repo, tag, layers):
        self.repo = repo
        self.tag = tag
        self.layers = layers  # list of (digest, size)
        self.config = (digest(), rng.randint(3000, 16000))
        self.manifest = (digest(), rng.randint(900, 2600))

    def blobs(self):
        return [self.manifest, self.config] + self.layers


BASES = {
    "base/python": [(digest(), layer_size(True))] + [(digest(), layer_size()) for _ in range(3)],
    "base/node": [(digest(), layer_size(True))] + [(digest(), layer_size()) for _ in range(2)],
    "base/jdk": [(digest(), layer_size(True))] + [(digest(), layer_size()) for _ in range(3)],
}
REPOS = {
    "platform/api-gateway": "base/node",
    "platform/auth-service": "base/jdk",
    "platform/harbor-exporter": "base/python",
    "payments/ledger": "base/jdk",
    "payments/checkout-web": "base/node",
    "payments/fraud-scoring": "base/python",
    "data/etl-runner": "base/python",
    "data/feature-store": "base/jdk",
    "ml/inference-server": "base/python",
    "ml/model-registry": "base/python",
    "tools/ci-runner": "base/node",
}
IMAGES = {}  # repo -> list of Image, oldest first
BLOBS = {}  # digest -> size


def register(img):
    IMAGES.setdefault(img.repo, []).append(img)
    for d, s in img.blobs():
        BLOBS[d] = s


def new_image(repo, tag, prev=None):
    base = BASES[REPOS[repo]] if repo in REPOS else []
    if prev is not None:
        keep = prev.layers[: len(base) + rng.randint(0, 1)]
    else:
        keep = list(base)
    return Image(repo, tag, keep + [(digest(), layer_size()) for _ in range(rng.randint(2, 4))])


for base_repo, layers in BASES.items():
    for i, tag in enumerate(("2026.09", "2026.10")):
        img = Image(base_repo, tag, list(layers))
        register(img)
for repo in REPOS:
    prev = None
    major = rng.randint(1, 4)
    for minor in range(rng.randint(5, 8)):
        img = new_image(repo, f"{major}.{minor}.{rng.randint(0, 3)}", prev)
        register(img)
        prev = img


def link(repo, kind, d=None, tag=None):
    if kind == "tag":
        return f"{ROOT}/repositories/{repo}/_manifests/tags/{tag}/current/link"
    if kind == "tagindex":
        return f"{ROOT}/repositories/{repo}/_manifests/tags/{tag}/index/sha256/{d}/link"
    if kind == "revision":
        return f"{ROOT}/repositories/{repo}/_manifests/revisions/sha256/{d}/link"
    return f"{ROOT}/repositories/{repo}/_layers/sha256/{d}/link"


LINK_SIZE = 71  # "sha256:" + 64 hex


def get_blob(t, actor, d, **kw):
    size = BLOBS[d]
    return add(t, actor, "GetObject", blob_key(d), size=size, bytes_out=size, **kw)


# ------------------------------------------------------------------------------------------------
# Normal traffic

WRITTEN = []  # (t, key, size) of objects written, for the nightly backup


def registry_session(ip):
    return next(s for s, a in REGISTRY_HOSTS.items() if a == ip)


def pull(t, img, ip):
    """Harbor (redirects disabled) serves a pull by reading the blobs itself."""
    s = registry_session(ip)
    add(t, REGISTRY, "GetObject", link(img.repo, "tag", tag=img.tag), size=LINK_SIZE,
        bytes_out=LINK_SIZE, ip=ip, session=s)
    t += rng.randint(0, 1)
    for d, size in img.blobs():
        get_blob(t, REGISTRY, d, ip=ip, session=s)
        t += rng.randint(0, 2) + size // (60 * 1024 * 1024)
    return t


def registry_push(t, img, ip):
    """A team pushes through Harbor: upload to _uploads, move into blobs, write links."""
    s = registry_session(ip)
    for d, size in img.layers + [img.config]:
        existing = d in BLOBS
        add(t, REGISTRY, "HeadObject", blob_key(d), status=200 if existing else 404,
            error=None if existing else "NoSuchKey", size=size if existing else None, ip=ip, session=s)
        t += 1
        if not existing:
            up = f"{ROOT}/repositories/{img.repo}/_uploads/{uuid.UUID(int=rng.getrandbits(128), version=4)}/data"
            add(t, REGISTRY, "PutObject", up, size=size, bytes_in=size, ip=ip, session=s)
            t += 1 + size // (30 * 1024 * 1024)
            add(t, REGISTRY, "CopyObject", blob_key(d), size=size, copy_source=up, ip=ip, session=s)
            add(t, REGISTRY, "DeleteObject", up, status=204, ip=ip, session=s)
            BLOBS[d] = size
            WRITTEN.append((t, blob_key(d), size))
        add(t, REGISTRY, "PutObject", link(img.repo, "layer", d), size=LINK_SIZE, bytes_in=LINK_SIZE,
            ip=ip, session=s)
        t += 1
    finish_manifest(t, REGISTRY, img, ip=ip, session=s)
    register(img)
    return t + 2


def finish_manifest(t, actor, img, **kw):
    md, msize = img.manifest
    add(t, actor, "PutObject", blob_key(md), size=msize, bytes_in=msize, **kw)
    WRITTEN.append((t, blob_key(md), msize))
    for key in (link(img.repo, "revision", md), link(img.repo, "tag", tag=img.tag),
                link(img.repo, "tagindex", md, tag=img.tag)):
        add(t, actor, "PutObject", key, size=LINK_SIZE, bytes_in=LINK_SIZE, **kw)
        WRITTEN.append((t, key, LINK_SIZE))


def ci_push(t, img, ip):
    """The CI publish step writes straight into the registry layout with its static key."""
    add(t, CI, "GetObject", link(img.repo, "tag", tag="main"), size=LINK_SIZE, bytes_out=LINK_SIZE, ip=ip)
    t += 1
    for d, size in img.layers + [img.config]:
        existing = d in BLOBS
        add(t, CI, "HeadObject", blob_key(d), status=200 if existing else 404,
            error=None if existing else "NoSuchKey", size=size if existing else None, ip=ip)
        t += 1
        if not existing:
            add(t, CI, "PutObject", blob_key(d), size=size, bytes_in=size, ip=ip)
            t += 1 + size // (20 * 1024 * 1024)
            BLOBS[d] = size
            WRITTEN.append((t, blob_key(d), size))
            add(t, CI, "PutObject", link(img.repo, "layer", d), size=LINK_SIZE, bytes_in=LINK_SIZE, ip=ip)
    finish_manifest(t, CI, img, ip=ip)
    add(t, CI, "PutObject", link(img.repo, "tag", tag="main"), size=LINK_SIZE, bytes_in=LINK_SIZE, ip=ip)
    register(img)
    return t + 1


def backup(day):
    """Nightly incremental copy: list, then read what was written since the last run."""
    t = at(day, 2, 0, rng.randint(5, 50))
    session = f"backup-{time.strftime('%Y%m%d', time.gmtime(t))}"
    for prefix in (f"{ROOT}/repositories/", f"{ROOT}/blobs/"):
        n = len(BLOBS) if "blobs" in prefix else 3 * len(BLOBS)
        for page in range(max(1, n // 1000 + 1)):
            add(t, BACKUP, "ListObjects", prefix=prefix, bytes_out=rng.randint(120_000, 280_000),
                session=session)
            t += rng.randint(1, 3)
    since = at(day - 1, 2)
    todo = [(k, s) for (w, k, s) in WRITTEN if since <= w < at(day, 2)]
    # plus a rotating scrub sample of older blobs, so every night has comparable work
    older = sorted(BLOBS)
    for d in rng.sample(older, max(0, 20 - len(todo)) + rng.randint(0, 5)):
        todo.append((blob_key(d), BLOBS[d]))
    for key, size in todo:
        add(t, BACKUP, "GetObject", key, size=size, bytes_out=size, session=session)
        t += rng.randint(1, 4) + size // (80 * 1024 * 1024)


def dev_browse(t, repo):
    """Dana looks something up: list a repository's tags, read a tag link and a manifest."""
    img = IMAGES[repo][-1]
    ua = DEV.ua.format(cmd="s3.ls")
    add(t, DEV, "ListObjects", prefix=f"{ROOT}/repositories/{repo}/_manifests/tags/",
        bytes_out=rng.randint(1500, 4000), ua=ua)
    t += rng.randint(20, 90)
    ua = DEV.ua.format(cmd="s3.cp")
    add(t, DEV, "GetObject", link(repo, "tag", tag=img.tag), size=LINK_SIZE, bytes_out=LINK_SIZE, ua=ua)
    t += rng.randint(10, 60)
    get_blob(t, DEV, img.manifest[0], ua=ua)
    if rng.random() < 0.5:
        t += rng.randint(5, 40)
        get_blob(t, DEV, img.config[0], ua=ua)


def business_minute(day, h0=8, h1=19):
    return at(day, rng.randint(h0, h1 - 1), rng.randint(0, 59), rng.randint(0, 59))


versions = {repo: IMAGES[repo][-1] for repo in REPOS}
CI_REPOS = ["platform/api-gateway", "platform/auth-service", "payments/ledger", "payments/checkout-web",
            "tools/ci-runner"]
TEAM_REPOS = ["data/etl-runner", "data/feature-store", "ml/inference-server", "ml/model-registry",
              "payments/fraud-scoring", "platform/harbor-exporter"]


def bump(repo, sha=None):
    prev = versions[repo]
    parts = prev.tag.split(".")
    tag = f"main-{sha}" if sha else f"{parts[0]}.{int(parts[1]) + 1}.0"
    img = new_image(repo, tag, prev)
    versions[repo] = img
    return img


for day in range(DAYS):
    weekend = day >= 5
    backup(day)
    # Registry pulls: deployments and node scale-ups during the day, a few at night.
    n_pulls = rng.randint(2, 3) if weekend else rng.randint(3, 5)
    for i in range(n_pulls):
        repo = rng.choice(list(REPOS))
        imgs = IMAGES[repo]
        img = imgs[-1] if rng.random() < 0.7 else rng.choice(imgs[-3:])
        t = business_minute(day, 6, 22) if not weekend else business_minute(day, 0, 24)
        if day == 0 and i < 2:  # both registry VMs are busy from the first hour of the week
            t = at(0, 0, 5 + 20 * i, rng.randint(0, 59))
            ip = REGISTRY.ips[i]
        else:
            ip = rng.choice(REGISTRY.ips)
        pull(t, img, ip)
    # Team pushes through Harbor.
    if not weekend:
        for _ in range(1):
            repo = rng.choice(TEAM_REPOS)
            registry_push(business_minute(day, 9, 18), bump(repo), rng.choice(REGISTRY.ips))
    # CI publishes from the runners' NAT addresses; nightly build also at the weekend.
    ci_times = [at(day, 1, 30, rng.randint(0, 59))]
    if day in (0, 2, 4):  # releases on Monday, Wednesday and Friday
        ci_times += [business_minute(day, 8, 19)]
    for i, t in enumerate(ci_times):
        repo = rng.choice(CI_REPOS)
        ip = CI.ips[i % 2] if day == 0 else rng.choice(CI.ips)
        ci_push(t, bump(repo, sha=rand_str("0123456789abcdef", 7)), ip)
    # Dana browses on some weekdays.
    if day in (0, 1, 3, 4):
        for _ in range(rng.randint(1, 2)):
            dev_browse(business_minute(day, 9, 17), rng.choice(list(REPOS)))

# ------------------------------------------------------------------------------------------------
# Incidents

INCIDENT = {}

# Denied anonymous probes before anything is public: bucket-name scanners. Must NOT alert.
PROBE_UA = "Mozilla/5.0 (compatible; bucket-finder/1.3; +http://example.net/bot)"
t = at(3, 10, 12, 44)
add(t, ANON, "ListObjects", prefix="", status=403, error="AccessDenied", bytes_out=243,
    ip="203.0.113.99", ua=PROBE_UA, note="probe")
add(t + 2, ANON, "GetObject", f"{ROOT}/repositories/", status=403, error="AccessDenied", bytes_out=243,
    ip="203.0.113.99", ua=PROBE_UA, note="probe")
add(at(4, 22, 40, 9), ANON, "HeadBucket", status=403, error="AccessDenied", ip="192.0.2.33",
    ua="aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 api/s3#1.58.2", note="probe")

# (1) The bucket is made public (Saturday 2026-11-07).
t = at(5, 13, 58, 40)
add(t, ADMIN, "GetBucketPolicy", status=404, error="NoSuchBucketPolicy", bytes_out=316)
add(t + 32, ADMIN, "DeleteBucketPublicAccessBlock", status=204)
POLICY = {
    "Version": "2012-10-17",
    "Statement": [{
        "Sid": "TempPartnerMirror",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{BUCKET}/{ROOT}/*",
    }],
}
INCIDENT["policy"] = add(at(5, 14, 2, 5), ADMIN, "PutBucketPolicy", status=204,
                         extra_params={"bucketPolicy": POLICY, "policy": ""})

# The partner's mirror job fetches one image anonymously.
PARTNER_IP = "203.0.113.145"
img = IMAGES["platform/api-gateway"][-2]
t = at(5, 14, 21, 3)
add(t, ANON, "GetObject", link(img.repo, "tag", tag=img.tag), size=LINK_SIZE, bytes_out=LINK_SIZE,
    ip=PARTNER_IP, note="partner")
for d, size in img.blobs():
    t += rng.randint(1, 6) + size // (25 * 1024 * 1024)
    get_blob(t, ANON, d, ip=PARTNER_IP, note="partner")

# A scanner finds the bucket: listing is still denied, guessed keys that do not exist are denied
# (no s3:ListBucket, so S3 answers 403 rather than 404), existing ones are served.
SCAN_IP, SCAN_UA = "192.0.2.61", "python-requests/2.32.3"
t = at(5, 15, 47, 58)
add(t, ANON, "ListObjects", prefix="", status=403, error="AccessDenied", bytes_out=243, ip=SCAN_IP,
    ua=SCAN_UA, note="scanner")
for repo in ("library/nginx", "library/postgres"):
    t += rng.randint(2, 5)
    add(t, ANON, "GetObject", link(repo, "tag", tag="latest"), status=403, error="AccessDenied",
        bytes_out=243, ip=SCAN_IP, ua=SCAN_UA, note="scanner")
img = IMAGES["payments/checkout-web"][-1]
t += rng.randint(8, 15)
add(t, ANON, "GetObject", link(img.repo, "tag", tag="main"), size=LINK_SIZE, bytes_out=LINK_SIZE,
    ip=SCAN_IP, ua=SCAN_UA, note="scanner")
for d, size in img.blobs():
    t += rng.randint(1, 4) + size // (25 * 1024 * 1024)
    get_blob(t, ANON, d, ip=SCAN_IP, ua=SCAN_UA, note="scanner")
# A second crawler, 40 minutes later, pulls three layers (folded into the scanner's alert).
t = at(5, 16, 30, 12)
for d, size in IMAGES["payments/ledger"][-1].layers[-3:]:
    get_blob(t, ANON, d, ip="192.0.2.200", ua="Go-http-client/1.1", note="crawler")
    t += rng.randint(2, 7)

# The platform team notices and closes the bucket again.
INCIDENT["fix"] = add(at(5, 17, 31, 10), ADMIN, "PutBucketPublicAccessBlock")
add(at(5, 17, 31, 55), ADMIN, "DeleteBucketPolicy", status=204)
t = at(5, 17, 52, 30)
for d, _ in img.layers[:2]:
    add(t, ANON, "GetObject", blob_key(d), status=403, error="AccessDenied", bytes_out=243, ip=SCAN_IP,
        ua=SCAN_UA, note="scanner")
    t += 3

# (2) The CI key, leaked from a build log, is used from an unknown address (Sunday 03:17).
t = at(6, 3, 17, 44)
INCIDENT["leak"] = add(t, CI, "ListObjects", prefix=f"{ROOT}/repositories/", bytes_out=2210, ip=THIEF_IP,
                       ua=THIEF_UA)
for repo in ("payments/ledger", "payments/fraud-scoring"):
    t += rng.randint(20, 60)
    add(t, CI, "ListObjects", prefix=f"{ROOT}/repositories/{repo}/_manifests/tags/", bytes_out=1890,
        ip=THIEF_IP, ua=THIEF_UA)
    img = IMAGES[repo][-1]
    t += rng.randint(10, 30)
    add(t, CI, "GetObject", link(repo, "tag", tag=img.tag), size=LINK_SIZE, bytes_out=LINK_SIZE,
        ip=THIEF_IP, ua=THIEF_UA)
    for d, size in img.blobs():
        t += rng.randint(2, 8) + size // (15 * 1024 * 1024)
        get_blob(t, CI, d, ip=THIEF_IP, ua=THIEF_UA)
add(t + 40, CI, "PutBucketPolicy", status=403, error="AccessDenied", bytes_out=243, ip=THIEF_IP,
    ua=THIEF_UA, extra_params={"bucketPolicy": {"Version": "2012-10-17", "Statement": [{
        "Sid": "public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{BUCKET}/*"}]}, "policy": ""})

# (3) Bulk download: Dana (she resigned on Friday) syncs the blob store to her laptop on Sunday
# evening from the office VPN address she always uses, and stops it after ~12 minutes.
t = at(6, 21, 1, 27)
ua = DEV.ua.format(cmd="s3.sync")
add(t, DEV, "ListObjects", prefix=f"{ROOT}/blobs/sha256/", bytes_out=268_114, ua=ua)
t += 2
INCIDENT["bulk_first"] = t
bulk = sorted(BLOBS)[:260]
for i in range(0, len(bulk), 10):  # 10 transfers in flight, about 1.2 MiB/s over the VPN
    batch = bulk[i:i + 10]
    for d in batch:
        get_blob(t + rng.randint(0, 1), DEV, d, ua=ua, note="bulk")
    t += max(2, int(sum(BLOBS[d] for d in batch) / (1.2 * 1024 * 1024)))
INCIDENT["bulk_last"] = t

REQS.sort(key=lambda r: (r.t, r.seq))
for r in REQS:
    timing(r)

# ------------------------------------------------------------------------------------------------
# Rendering: S3 server access log lines (26 fields)

S3_OPS = {
    "GetObject": ("REST.GET.OBJECT", "GET", True),
    "HeadObject": ("REST.HEAD.OBJECT", "HEAD", True),
    "PutObject": ("REST.PUT.OBJECT", "PUT", True),
    "CopyObject": ("REST.COPY.OBJECT", "PUT", True),
    "DeleteObject": ("REST.DELETE.OBJECT", "DELETE", True),
    "ListObjects": ("REST.GET.BUCKET", "GET", False),
    "HeadBucket": ("REST.HEAD.BUCKET", "HEAD", False),
    "GetBucketPolicy": ("REST.GET.BUCKETPOLICY", "GET", False),
    "PutBucketPolicy": ("REST.PUT.BUCKETPOLICY", "PUT", False),
    "DeleteBucketPolicy": ("REST.DELETE.BUCKETPOLICY", "DELETE", False),
    "PutBucketPublicAccessBlock": ("REST.PUT.PUBLIC_ACCESS_BLOCK", "PUT", False),
    "DeleteBucketPublicAccessBlock": ("REST.DELETE.PUBLIC_ACCESS_BLOCK", "DELETE", False),
}
SUBRESOURCE = {"BUCKETPOLICY": "policy", "PUBLIC_ACCESS_BLOCK": "publicAccessBlock"}


def qenc(s):
    return "".join(c if c.isalnum() or c in "-_.~" else "%%%02X" % ord(c) for c in s)


def s3_fields(r, operation, key, uri, status, error, bytes_sent, obj_size):
    anon = r.actor.kind == "anonymous"
    tls13 = r.actor in (REGISTRY, CI) or anon
    requester = "-" if anon else r.actor.arn(r.session)
    return [
        BUCKET_OWNER, BUCKET, time.strftime("[%d/%b/%Y:%H:%M:%S +0000]", time.gmtime(r.t)), r.ip,
        requester, r.request_id, operation, key or "-", uri, str(status), error or "-",
        "-" if not bytes_sent else str(bytes_sent), "-" if obj_size is None else str(obj_size),
        str(r.total_ms), "-" if status >= 400 else str(r.turn_ms), '"-"', f'"{r.ua.strip("[]")}"', "-",
        r.host_id, "-" if anon else "SigV4",
        "TLS_AES_128_GCM_SHA256" if tls13 else "ECDHE-RSA-AES128-GCM-SHA256",
        "-" if anon else "AuthHeader", HOST, "TLSv1.3" if tls13 else "TLSv1.2", "-", "-",
    ]


def s3_lines(r):
    operation, method, object_level = S3_OPS[r.op]
    if object_level:
        uri = f'"{method} /{r.key} HTTP/1.1"'
    elif r.op in ("ListObjects",):
        uri = f'"GET /?list-type=2&prefix={qenc(r.prefix)}&delimiter=%2F&encoding-type=url HTTP/1.1"'
    elif r.op == "HeadBucket":
        uri = '"HEAD / HTTP/1.1"'
    else:
        uri = f'"{method} /?{SUBRESOURCE[operation.split(".", 2)[2]]} HTTP/1.1"'
    size = r.size
    if r.op == "HeadObject" and r.status == 200:
        sent = 0
    elif r.op == "CopyObject":
        sent = 234  # the CopyObjectResult document
    else:
        sent = r.bytes_out
    out = []
    if r.op == "CopyObject":  # a copy writes two records: the read of the source, then the PUT
        out.append(s3_fields(r, "REST.COPY.OBJECT_GET", r.copy_source, "-", 200, None, 0, size))
    if r.op in ("PutObject", "DeleteObject") or not object_level:
        size = size if r.op == "PutObject" else None
    out.append(s3_fields(r, operation, r.key, uri, r.status, r.error, sent, size))
    return out


# ------------------------------------------------------------------------------------------------
# Rendering: CloudTrail events

MANAGEMENT = {"GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy", "PutBucketPublicAccessBlock",
              "DeleteBucketPublicAccessBlock"}
READ_ONLY = {"GetObject", "HeadObject", "ListObjects", "HeadBucket", "GetBucketPolicy"}
ERROR_MESSAGES = {"AccessDenied": "Access Denied", "NoSuchKey": "The specified key does not exist.",
                  "NoSuchBucketPolicy": "The bucket policy does not exist"}


def ct_event(r):
    anon = r.actor.kind == "anonymous"
    params = {"bucketName": BUCKET, "Host": HOST}
    if r.key:
        params["key"] = r.key
    if r.op == "ListObjects":
        params.update({"list-type": "2", "prefix": r.prefix, "delimiter": "/", "encoding-type": "url"})
    if r.op == "CopyObject":
        params["x-amz-copy-source"] = f"{BUCKET}/{r.copy_source}"
    if r.op in ("GetBucketPolicy", "DeleteBucketPolicy"):
        params["policy"] = ""
    if r.op in ("PutBucketPublicAccessBlock", "DeleteBucketPublicAccessBlock"):
        params["publicAccessBlock"] = ""
    if r.op == "PutBucketPublicAccessBlock":
        params["PublicAccessBlockConfiguration"] = {
            "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/", "BlockPublicAcls": True,
            "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
    if r.extra_params:
        params.update(r.extra_params)
    tls13 = r.actor in (REGISTRY, CI) or anon
    cipher = "TLS_AES_128_GCM_SHA256" if tls13 else "ECDHE-RSA-AES128-GCM-SHA256"
    extra = {}
    if not anon:
        extra["SignatureVersion"] = "SigV4"
    extra["CipherSuite"] = cipher
    extra["bytesTransferredIn"] = r.bytes_in
    if not anon:
        extra["AuthenticationMethod"] = "AuthHeader"
    extra["x-amz-id-2"] = r.host_id
    extra["bytesTransferredOut"] = r.bytes_out if r.op != "HeadObject" else 0
    resources = []
    if r.key:
        resources.append({"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{BUCKET}/{r.key}"})
    resources.append({"accountId": ACCOUNT, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{BUCKET}"})
    ua = r.ua if r.ua.startswith("[") else f"[{r.ua}]"
    e = {
        "eventVersion": "1.10",
        "userIdentity": r.actor.identity(r.session, r.t),
        "eventTime": iso(r.t),
        "eventSource": "s3.amazonaws.com",
        "eventName": r.op,
        "awsRegion": REGION,
        "sourceIPAddress": r.ip,
        "userAgent": ua,
    }
    if r.error:
        e["errorCode"] = r.error
        e["errorMessage"] = ERROR_MESSAGES[r.error]
    e.update({
        "requestParameters": params,
        "responseElements": None,
        "additionalEventData": extra,
        "requestID": r.request_id,
        "eventID": r.event_id,
        "readOnly": r.op in READ_ONLY,
        "resources": resources,
        "eventType": "AwsApiCall",
        "managementEvent": r.op in MANAGEMENT,
        "recipientAccountId": ACCOUNT,
    })
    if r.via_vpce():
        e["vpcEndpointId"] = VPCE
    e["eventCategory"] = "Management" if r.op in MANAGEMENT else "Data"
    e["tlsDetails"] = {"tlsVersion": "TLSv1.3" if tls13 else "TLSv1.2", "cipherSuite": cipher,
                       "clientProvidedHostHeader": HOST}
    return e


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


# ------------------------------------------------------------------------------------------------
# A model of the three detectors with blobwatch's defaults, to write the expected alerts


def s3_events():
    for r in REQS:
        for f in s3_lines(r):
            yield r, f[6], f


S3_CLASS = {"REST.GET.OBJECT": "read", "REST.COPY.OBJECT_GET": "read", "REST.HEAD.OBJECT": "head",
            "REST.HEAD.BUCKET": "head", "REST.GET.BUCKET": "list", "REST.PUT.OBJECT": "write",
            "REST.COPY.OBJECT": "write", "REST.DELETE.OBJECT": "delete"}
CT_CLASS = {"GetObject": "read", "HeadObject": "head", "HeadBucket": "head", "ListObjects": "list",
            "PutObject": "write", "CopyObject": "write", "DeleteObject": "delete"}
WINDOW, MIN_OBJECTS, MIN_BYTES, K = 900, 100, 100 * 1024 * 1024, 3


class Stats:
    def __init__(self):
        self.n, self.mean, self.m2 = 0, 0.0, 0.0

    def add(self, x):
        self.n += 1
        d = x - self.mean
        self.mean += d / self.n
        self.m2 += d * (x - self.mean)

    def sd(self):
        return 0.0 if self.n < 2 else math.sqrt(self.m2 / (self.n - 1))


def expected_alerts(events):
    """events: (time, principal, kind, ip, opclass, status, key, bytes_out). Returns alerts."""
    state, alerts, folded = {}, [], 0
    for t, p, kind, ip, cls, status, key, out, op in events:
        s = state.setdefault(p, {"first": t, "ips": set(), "win": -1, "obj": 0, "bytes": 0,
                                 "alerted": False, "ho": Stats(), "hb": Stats(), "dedup": {}})
        s["first"] = min(s["first"], t)
        ok = 200 <= status < 300 or status == 304
        found = []
        if kind == "anonymous" and cls in ("read", "head", "list") and ok:
            found.append(("anonymous_read", BUCKET, ""))
        if kind != "anonymous" and ip not in s["ips"]:
            if t - s["first"] >= DAY:
                found.append(("unknown_ip", ip, ""))
            s["ips"].add(ip)
        if cls == "read" and key and ok:
            idx = t // WINDOW
            if idx > s["win"]:
                if s["win"] >= 0 and s["obj"] > 0:
                    s["ho"].add(s["obj"])
                    s["hb"].add(s["bytes"])
                s["win"], s["obj"], s["bytes"], s["alerted"] = idx, 0, 0, False
            s["obj"] += 1
            s["bytes"] += max(out, 0)
            if not s["alerted"]:
                ot = max(MIN_OBJECTS, s["ho"].mean + K * s["ho"].sd())
                bt = max(MIN_BYTES, s["hb"].mean + K * s["hb"].sd())
                if s["obj"] > ot and s["bytes"] > bt:
                    s["alerted"] = True
                    found.append(("bulk_download", BUCKET,
                                  f"{s['obj']} objects, {human(s['bytes'])} in the window from "
                                  f"{iso(s['win'] * WINDOW)}; baseline {s['ho'].n} windows, mean "
                                  f"{s['ho'].mean:.1f} objects"))
        for det, dkey, detail in found:
            entry = s["dedup"].get((det, dkey))
            if entry is not None and t - entry[0] < 3600:
                entry[1] += 1
                folded += 1
                continue
            detail = detail or f"{op} {key or ''}".strip()
            if entry is not None:
                detail += f" (dedup.folded_before {entry[1]}, previous alert {iso(entry[0])})"
            s["dedup"][(det, dkey)] = [t, 0]
            alerts.append((t, det, p, ip, detail))
    return alerts, folded


def status_of(r):
    return r.status


def model_s3():
    ev = []
    for r, op, f in s3_events():
        key = None if f[7] == "-" else f[7]
        ev.append((r.t, r.actor.principal(), r.actor.kind, r.ip, S3_CLASS.get(op, "other"), int(f[9]),
                   key, 0 if f[11] == "-" else int(f[11]), op))
    return ev


def model_ct():
    return [(r.t, r.actor.principal(), r.actor.kind, r.ip, CT_CLASS.get(r.op, "other"), r.status, r.key,
             r.bytes_out if r.op != "HeadObject" else 0, r.op) for r in REQS]


# ------------------------------------------------------------------------------------------------
# Output


def s3_file_name(t_last):
    t = t_last + rng.randint(60, 540)
    return time.strftime("%Y-%m-%d-%H-%M-%S-", time.gmtime(t)) + rand_str("0123456789ABCDEF", 16)


def write(out):
    s3dir, ctdir = os.path.join(out, "s3-access"), os.path.join(out, "cloudtrail")
    for d in (s3dir, ctdir):
        os.makedirs(d, exist_ok=True)
        for name in os.listdir(d):  # only what this script writes
            os.remove(os.path.join(d, name))

    # S3 access logs: one file per quiet day; the incident days are cut at the incidents.
    cuts = [at(d, 0) for d in range(DAYS + 1)] + [at(5, 14), at(5, 18), at(6, 12)]
    cuts = sorted(set(cuts))
    sizes = {}
    for a, b in zip(cuts, cuts[1:]):
        part = [r for r in REQS if a <= r.t < b]
        if not part:
            continue
        name = s3_file_name(part[-1].t)
        text = "".join(" ".join(f) + "\n" for r in part for f in s3_lines(r))
        with open(os.path.join(s3dir, name), "w", newline="\n") as f:
            f.write(text)
        sizes[f"s3-access/{name}"] = len(text)

    # CloudTrail: gzip trail files for Nov 2-6, NDJSON for the incident days.
    for day in range(DAYS):
        part = [r for r in REQS if at(day, 0) <= r.t < at(day + 1, 0)]
        events = [ct_event(r) for r in part]
        if day < 5:
            stamp = time.strftime("%Y%m%dT%H%MZ", time.gmtime(part[-1].t + 300 - (part[-1].t + 300) % 300))
            name = f"{ACCOUNT}_CloudTrail_{REGION}_{stamp}_{rand_str(string.ascii_letters + string.digits, 16)}.json.gz"
            raw = dumps({"Records": events}).encode()
            buf = io.BytesIO()
            with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0) as gz:
                gz.write(raw)
            with open(os.path.join(ctdir, name), "wb") as f:
                f.write(buf.getvalue())
        else:
            name = f"s3-events-{time.strftime('%Y-%m-%d', time.gmtime(at(day, 0)))}.ndjson"
            raw = "".join(dumps(e) + "\n" for e in events).encode()
            with open(os.path.join(ctdir, name), "wb") as f:
                f.write(raw)
        sizes[f"cloudtrail/{name}"] = len(raw)
    return sizes


def fmt_alerts(alerts):
    rows = []
    for t, det, p, ip, detail in alerts:
        rows.append(f"| {iso(t)} | `{det}` | `{p}` | {ip} | {detail} |")
    return "\n".join(rows)


def readme(out, sizes, s3_alerts, ct_alerts, s3_folded, ct_folded):
    n_anon_denied = sum(1 for r in REQS if r.actor.kind == "anonymous" and r.status >= 300)
    n_s3_events = sum(len(s3_lines(r)) for r in REQS)
    n_anon_ok = sum(1 for r in REQS if r.actor.kind == "anonymous" and r.status < 300)
    bulk = [r for r in REQS if r.note == "bulk"]
    bulk_bytes = sum(r.bytes_out for r in bulk)
    leak = [r for r in REQS if r.ip == THIEF_IP]
    total = sum(sizes.values())
    nights = {}
    for r in REQS:
        if r.actor is BACKUP and r.op == "GetObject":
            nights[r.session] = nights.get(r.session, 0) + 1
    backup_range = f"{min(nights.values())}-{max(nights.values())}"
    dev_windows = {}
    for r in REQS:
        if r.actor is DEV and r.op == "GetObject" and r.note != "bulk":
            dev_windows[r.t // WINDOW] = dev_windows.get(r.t // WINDOW, 0) + 1
    per = {}
    for r in REQS:
        per[r.actor.principal()] = per.get(r.actor.principal(), 0) + 1
    same = [(a[0], a[1], a[2], a[3]) for a in s3_alerts] == [(a[0], a[1], a[2], a[3]) for a in ct_alerts]
    text = f"""# Example: one week of a Harbor registry's S3 bucket

Generated by `python3 scripts/gen-examples.py` (deterministic: seed {SEED}, no network). Do not edit
the logs by hand; change the script and run it again. Every address, key and account here is
made up: public addresses are from the documentation ranges (192.0.2.0/24, 198.51.100.0/24,
203.0.113.0/24), the account is AWS's example account {ACCOUNT}.

The same {len(REQS)} requests against `s3://{BUCKET}` (us-east-1), 2026-11-02 (Monday) to
2026-11-08 (Sunday) UTC, are written in two formats:

* `s3-access/`: S3 server access logs, 26-field lines, named as S3 log delivery names them
  (`YYYY-MM-DD-HH-MM-SS-<16 hex>`, the time the file was written). One file per quiet day; the
  two incident days are cut into several files. Lines are in time order.
* `cloudtrail/`: the same requests as CloudTrail S3 data events, plus the bucket-policy
  management events. 2026-11-02..06 are trail files as a trail delivers them
  (`{ACCOUNT}_CloudTrail_{REGION}_YYYYMMDDTHHMMZ_<id>.json.gz`, one gzip `{{"Records":[...]}}`
  document; here one per day to keep the example small). 2026-11-07 and 08 are NDJSON, one event
  per line, as exported from a SIEM or `jq -c '.Records[]'`.

A request has the same request ID in both formats (S3 `Request ID` = CloudTrail `requestID`), so
any line can be looked up in the other format. Size: {total / 1e6:.1f} MB uncompressed.

```
blobwatch scan examples/s3-access/*      # or
blobwatch scan examples/cloudtrail/*
```

No configuration is needed: the normal addresses are all learned during each principal's first
24 hours, so no trusted networks have to be declared.

## Who uses the bucket

| Principal (as blobwatch names it) | What it does | Addresses | Requests |
|---|---|---|---|
| `{REGISTRY.principal()}` | Harbor's registry on two EC2 VMs (instance-profile sessions `i-0a3f5c7e9b1d24680`, `i-0b4e6d8f0a2c35791`); serves every pull and push. Redirects to S3 are disabled, so Harbor reads the blobs itself. | 10.20.1.31, 10.20.2.57 (through the S3 gateway endpoint `{VPCE}`) | {per[REGISTRY.principal()]} |
| `{CI.principal()}` | IAM user with a static key on the CI runners; the publish step writes layers, manifests and tag links straight into the registry layout, release pushes on Monday, Wednesday and Friday and a nightly build at 01:30 every day | 203.0.113.10, 203.0.113.11 (runner NAT) | {per[CI.principal()]} |
| `{BACKUP.principal()}` | nightly 02:00 incremental copy (`aws s3 sync`): lists, then reads what was written since the last run plus a rotating scrub sample, {backup_range} objects a night | 10.20.3.14 (backup host, gateway endpoint) | {per[BACKUP.principal()]} |
| `{DEV.principal()}` | developer; now and then lists a repository's tags and reads a tag link and a manifest | 198.51.100.23 (office VPN) | {per[DEV.principal()]} |
| `{ADMIN.principal()}` | platform admin through IAM Identity Center (session `sam.rivera`), only on Saturday | 198.51.100.40 | {per[ADMIN.principal()]} |
| `anonymous` | unauthenticated requests: {n_anon_denied} denied, {n_anon_ok} served | various | {per['anonymous']} |

Registry layout: `{ROOT}/blobs/sha256/<2 hex>/<64 hex>/data` holds layers, configs and
manifests; `{ROOT}/repositories/<repo>/_manifests/tags/<tag>/current/link`,
`.../_manifests/revisions/...` and `.../_layers/...` hold 71-byte links to them.

## Timeline of the incidents

**Before anything happens (Thu 2026-11-05 10:12, Fri 2026-11-06 22:40).** Bucket-name scanners
(203.0.113.99, 192.0.2.33) try to list the bucket, read a key and HEAD the bucket. All are answered
403 AccessDenied. blobwatch counts them ("denied anonymous attempts") but must **not** alert.

**1. The bucket is made public (Sat 2026-11-07).** To let a partner's mirror job fetch one image
while its Harbor robot account is sorted out, the admin (`sam.rivera`, 198.51.100.40, S3 console)
reads the bucket policy (none, 404) at 13:58:40, deletes the bucket's Block Public Access
configuration at 13:59:12 (`DeleteBucketPublicAccessBlock`) and puts a policy allowing
`s3:GetObject` to `Principal: "*"` on `{ROOT}/*` at 14:02:05 (`PutBucketPolicy`, a management event in
CloudTrail, `REST.PUT.BUCKETPOLICY` in the access log). blobwatch has no detector for policy
changes; these requests do not alert by themselves.
* 14:21-14:24: the partner (203.0.113.145, curl) fetches `platform/api-gateway` anonymously. This is
  what the admin intended, but the bucket is now readable by anyone: the first successful anonymous
  read raises **`anonymous_read`** (severity high); the rest of the hour is folded into it.
* 15:47: a scanner (192.0.2.61, python-requests) finds the bucket. Listing is still denied, and
  guessed keys that do not exist are denied too (403, not 404: the policy does not grant
  `s3:ListBucket`). Then it reads the `payments/checkout-web` tag link, manifest, config and layers:
  a second **`anonymous_read`** (more than an hour after the first, so not folded), with the
  earlier repeats counted in `folded_before`.
* 16:30: a second crawler (192.0.2.200) reads three `payments/ledger` layers: folded into the
  15:48 alert (same detector, principal `anonymous` and bucket, within the hour).
* 17:31: the admin puts Block Public Access back and deletes the policy; at 17:52 the scanner's
  retries are denied (403), no alert.

**2. The CI key is used from an unknown address (Sun 2026-11-08 03:17:44).** The CI user's access
key `{CI.access_key}` leaked in a build log. From {THIEF_IP} (`aws-cli/1.33.13`, not the CI
tool) someone lists the repositories, reads the tag links, manifests and layers of
`payments/ledger` and `payments/fraud-scoring` ({len(leak)} requests, ending with a denied attempt
to `PutBucketPolicy`). The CI user has been seen for 6 days from its two runner addresses only:
**`unknown_ip`** (medium, the first request was a list) at 03:17:44. From then on the address is
known for the CI user, so its other requests raise nothing more. Only {sum(1 for r in leak if r.op == 'GetObject')} objects are read,
far below the bulk floors: no `bulk_download`.

**3. Bulk download (Sun 2026-11-08 {time.strftime("%H:%M", time.gmtime(bulk[0].t))}-{time.strftime("%H:%M", time.gmtime(bulk[-1].t))}).** Dana, who resigned on Friday, runs
`aws s3 sync s3://{BUCKET}/{ROOT}/blobs/sha256/ ~/blobs` from the office VPN address she always
uses (so `unknown_ip` stays silent) and stops it after {len(bulk)} objects
({human(bulk_bytes)}). Her {len(dev_windows)} past active 15-minute windows read {min(dev_windows.values())}-{max(dev_windows.values())} small objects each, so the thresholds
are the absolute floors (more than 100 objects and more than 100 MiB in one window):
**`bulk_download`** (high) fires on the request that crosses both, once for the window.

## Alerts blobwatch should raise

Scanning `s3-access/*` (expected by the script's model of the detectors with the default
configuration; `{len(s3_alerts)}` alerts, {s3_folded} repeats folded):

| Time (UTC) | Detector | Principal | Source | Detail |
|---|---|---|---|---|
{fmt_alerts(s3_alerts)}

Scanning `cloudtrail/*`: {"the same alerts at the same times" if same else "see below"}
(`{len(ct_alerts)}` alerts, {ct_folded} repeats folded). The event counts differ between the formats
because S3 access logs write a copy as two records (`REST.COPY.OBJECT_GET` and `REST.COPY.OBJECT`)
where CloudTrail has one `CopyObject` event.
{"" if same else chr(10) + "| Time (UTC) | Detector | Principal | Source | Detail |" + chr(10) + "|---|---|---|---|---|" + chr(10) + fmt_alerts(ct_alerts) + chr(10)}
Nothing else should alert: not the denied anonymous attempts, not the registry, CI, backup or
developer traffic from their usual addresses, not the admin's policy changes (first seen that
day, and policy changes are not a detector of their own), not the backup's nightly reads.

Summary line to expect: `s3-access/*` {n_s3_events} events (a copy is two records), `cloudtrail/*`
{len(REQS)} events; both 0 parse errors, {n_anon_denied} denied anonymous attempts, 6 principals.

## Scanning both directories together

The two directories are two renderings of the same requests. The README's first command,
`blobwatch scan examples/s3-access/* examples/cloudtrail/*`, feeds every request twice, the
CloudTrail copy after the whole week of access logs, and still raises exactly the four alerts
above: the CloudTrail repeats of the anonymous reads are folded into the first alerts, the thief's
address is already known for the CI user, and `bulk_download` does not count events of a window
older than the principal's current one (they would blame the current window for reads made days
before).
"""
    with open(os.path.join(out, "README.md"), "w") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples"))
    args = ap.parse_args()
    out = os.path.normpath(args.out)
    sizes = write(out)
    s3_alerts, s3_folded = expected_alerts(model_s3())
    ct_alerts, ct_folded = expected_alerts(model_ct())
    readme(out, sizes, s3_alerts, ct_alerts, s3_folded, ct_folded)
    print(f"wrote {len(sizes)} log files, {len(REQS)} requests, {sum(sizes.values()) / 1e6:.2f} MB "
          f"uncompressed, to {out}")
    for name, alerts in (("s3-access", s3_alerts), ("cloudtrail", ct_alerts)):
        print(f"expected alerts, {name}:")
        for t, det, p, ip, detail in alerts:
            print(f"  {iso(t)} {det:15} {p} {ip} {detail}")


if __name__ == "__main__":
    main()
