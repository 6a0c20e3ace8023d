#!/usr/bin/env python3
"""End to end: blobwatch's /metrics scraped by a real Prometheus (Debian's `prometheus` package).

usage: metrics_prometheus_test.py BLOBWATCH SOURCE_DIR MOCK_KAFKA

Starts `blobwatch run` on free loopback ports with a file source, a Kafka source (librdkafka's
mock cluster, fed with kcat), a file sink and a suppression rule; feeds a short scenario (normal
reads, an anonymous read that raises an alert, a line that does not parse); starts Prometheus
scraping it every second with dashboards/blobwatch-rules.yml loaded; then evaluates, through
Prometheus' HTTP API, every panel query of dashboards/blobwatch.json and every rule expression,
and runs `promtool check rules`. Exits 77 (skipped) when prometheus, promtool or kcat is absent.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

PROMETHEUS = "/usr/bin/prometheus"
PROMTOOL = "/usr/bin/promtool"
KCAT = "/usr/bin/kcat"
SKIP = 77


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode()


def eventually(what, check, timeout=30.0):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            last = check()
            if last:
                return last
        except Exception as e:  # not up yet
            last = e
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


def s3_line(requester, ip, key, request_id, status=200, when=None):
    t = time.gmtime(when if when is not None else time.time())
    stamp = time.strftime("%d/%b/%Y:%H:%M:%S +0000", t)
    return (f"3cc35ba0f48e64388fe04d295f932919bdacfc9aeccb9c1c086797050869b317 metrics-bucket "
            f"[{stamp}] {ip} {requester} {request_id} REST.GET.OBJECT {key} "
            f"\"GET /{key} HTTP/1.1\" {status} - 1024 1024 12 4 \"-\" \"test-agent/1.0\" - "
            f"hostid= SigV4 TLS_AES_128_GCM_SHA256 AuthHeader")


class Failures:
    def __init__(self):
        self.items = []

    def check(self, ok, message):
        if not ok:
            self.items.append(message)
            print("FAIL:", message)


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    blobwatch, source_dir, mock_kafka = (os.path.abspath(a) for a in sys.argv[1:])
    for tool in (PROMETHEUS, PROMTOOL, KCAT):
        if not os.access(tool, os.X_OK):
            print(f"SKIP: {tool} is absent (install Debian's prometheus and kcat packages: "
                  f"scripts/install-deps.sh)")
            return SKIP
    dashboard_path = os.path.join(source_dir, "dashboards", "blobwatch.json")
    rules_path = os.path.join(source_dir, "dashboards", "blobwatch-rules.yml")
    fails = Failures()

    # 1. promtool accepts the rules file.
    r = subprocess.run([PROMTOOL, "check", "rules", rules_path], capture_output=True, text=True)
    print(r.stdout + r.stderr)
    fails.check(r.returncode == 0, f"promtool check rules failed: {r.stdout}{r.stderr}")

    tmp = tempfile.mkdtemp(prefix="blobwatch-metrics-")
    procs = []
    try:
        # 2. Mock Kafka with a few S3 access lines on topic s3logs.
        mock_out = open(os.path.join(tmp, "mock.out"), "w+")
        mock = subprocess.Popen([mock_kafka, "--topic", "s3logs:2"], stdout=mock_out,
                                stderr=open(os.path.join(tmp, "mock.err"), "w"))
        procs.append(mock)

        def bootstrap_line():
            mock_out.seek(0)
            text = mock_out.read()
            return text.split("\n")[0] if "\n" in text else None

        bootstrap = eventually("the mock Kafka cluster", bootstrap_line, 15)
        role = "arn:aws:iam::111122223333:user/builder"
        kafka_lines = "".join(s3_line(role, "10.0.0.5", f"k/{i}", f"KREQ{i}") + "\n"
                              for i in range(5))
        r = subprocess.run([KCAT, "-b", bootstrap, "-P", "-t", "s3logs"], input=kafka_lines,
                           capture_output=True, text=True, timeout=30)
        fails.check(r.returncode == 0, f"kcat produce failed: {r.stderr}")

        # 3. The file source's log: normal reads, an anonymous read, a line that does not parse.
        log = os.path.join(tmp, "s3.log")
        with open(log, "w") as f:
            for i in range(10):
                f.write(s3_line(role, "10.0.0.5", f"obj/{i}", f"REQ{i}") + "\n")
            f.write(s3_line("-", "203.0.113.9", "public/leak.tar", "ANON1") + "\n")
            f.write("this line is not an S3 access log record\n")

        metrics_port = free_port()
        alerts = os.path.join(tmp, "alerts.ndjson")
        conf = os.path.join(tmp, "blobwatch.conf")
        with open(conf, "w") as f:
            f.write(f"""[state]
dir = {tmp}/state
batch_interval_ms = 100
[metrics]
listen = 127.0.0.1:{metrics_port}
[source.files]
type = file
paths = {log}
format = s3-access
rescan_ms = 100
[source.stream]
type = kafka
format = s3-access
topics = s3logs
kafka.bootstrap.servers = {bootstrap}
kafka.group.id = metrics-test
[sink.out]
type = file
path = {alerts}
[suppress.quiet]
principal = arn:aws:iam::111122223333:user/nobody
""")
        bw_err = open(os.path.join(tmp, "blobwatch.err"), "w+")
        bw = subprocess.Popen([blobwatch, "run", "--config", conf], stdout=subprocess.DEVNULL,
                              stderr=bw_err)
        procs.append(bw)
        metrics_url = f"http://127.0.0.1:{metrics_port}/metrics"
        eventually("blobwatch's /metrics", lambda: "blobwatch_build_info" in http_get(metrics_url))
        eventually("the anonymous_read alert delivered",
                   lambda: os.path.exists(alerts) and "anonymous_read" in open(alerts).read())
        eventually("the Kafka events and lag", lambda: (
            'blobwatch_events_total{format="s3-access",outcome="parsed",source="stream"} 5'
            in http_get(metrics_url) and "blobwatch_kafka_consumer_lag{" in http_get(metrics_url)),
            30)

        # 4. Prometheus scraping blobwatch every second, with the rules loaded.
        prom_port = free_port()
        prom_conf = os.path.join(tmp, "prometheus.yml")
        with open(prom_conf, "w") as f:
            f.write(f"""global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - {rules_path}
scrape_configs:
  - job_name: blobwatch
    static_configs:
      - targets: ["127.0.0.1:{metrics_port}"]
""")
        prom = subprocess.Popen(
            [PROMETHEUS, f"--config.file={prom_conf}", f"--storage.tsdb.path={tmp}/tsdb",
             f"--web.listen-address=127.0.0.1:{prom_port}"],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, "prometheus.err"), "w"))
        procs.append(prom)
        api = f"http://127.0.0.1:{prom_port}/api/v1"

        def query(expr):
            body = json.loads(http_get(f"{api}/query?" + urllib.parse.urlencode({"query": expr})))
            if body.get("status") != "success":
                raise AssertionError(f"{expr}: {body}")
            return body["data"]["result"]

        # At least 5 successful scrapes, so that rate() and deriv() have samples to work on.
        eventually("5 scrapes of blobwatch", lambda: query(
            'count_over_time(up{job="blobwatch"}[1m]) >= 5 and up{job="blobwatch"} == 1'), 60)

        # The scenario shows in the numbers.
        def value(expr):
            res = query(expr)
            return float(res[0]["value"][1]) if res else None

        fails.check(value('sum(blobwatch_events_total{source="files",outcome="parsed"})') == 11,
                    "11 events parsed from the file source")
        fails.check(value('sum(blobwatch_events_total{source="stream",outcome="parsed"})') == 5,
                    "5 events parsed from the Kafka source")
        fails.check(value('sum(blobwatch_parse_errors_total{format="s3-access"})') == 1,
                    "1 parse error")
        fails.check(value('sum(blobwatch_events_total{outcome="parse_error"})') == 1,
                    "events_total{outcome=parse_error} is 1")
        fails.check((value('sum(blobwatch_alerts_total{detector="anonymous_read"})') or 0) >= 1,
                    "the anonymous read is counted as an alert")
        fails.check((value('sum(blobwatch_deliveries_total{sink="out"})') or 0) >= 1,
                    "the alert is counted as delivered")
        fails.check((value('sum(blobwatch_delivery_latency_seconds_count{sink="out"})') or 0) >= 1,
                    "the delivery latency is observed")
        fails.check(value('blobwatch_outbox_depth') == 0, "the outbox is empty")
        fails.check(value('blobwatch_kafka_consumer_lag{source="stream"}') == 0,
                    "the Kafka source is not behind")
        fails.check((value('blobwatch_tracked_principals') or 0) >= 2, "2 principals tracked")
        fails.check((value('blobwatch_state_size_bytes') or 0) > 0, "the state has a size")
        lag = value('blobwatch_processing_lag_seconds{source="files"}')
        fails.check(lag is not None and 0 <= lag < 300, f"processing lag is small ({lag})")

        # 5. Every panel query of the dashboard returns data. Grafana's $__rate_interval is
        # replaced by 1m (at least 4 scrape intervals, as Grafana would choose).
        with open(dashboard_path) as f:
            dashboard = json.load(f)
        fails.check(any(i.get("name") == "DS_PROMETHEUS" for i in dashboard.get("__inputs", [])),
                    "the dashboard takes its datasource as the DS_PROMETHEUS input")
        panel_queries = 0
        for panel in dashboard["panels"]:
            fails.check(panel.get("datasource", {}).get("uid") == "${DS_PROMETHEUS}",
                        f"panel {panel['title']!r} uses ${{DS_PROMETHEUS}}")
            for target in panel.get("targets", []):
                expr = target["expr"].replace("$__rate_interval", "1m")
                panel_queries += 1
                try:
                    res = query(expr)
                    fails.check(len(res) > 0, f"panel {panel['title']!r}: {expr} returned no data")
                    print(f"ok panel {panel['title']!r}: {expr} -> {len(res)} series")
                except Exception as e:
                    fails.check(False, f"panel {panel['title']!r}: {expr}: {e}")
        fails.check(panel_queries >= 10, f"the dashboard has panel queries ({panel_queries})")

        # 6. Every rule is loaded and evaluates without error (health "ok", seen by Prometheus'
        # rule manager), and its expression is a valid query. On a healthy blobwatch none of
        # them fires, so their full expressions rightly return nothing; what must return data
        # is each rule's underlying series, i.e. the expression without its threshold
        # comparison (a rule over a series that does not exist could never fire: a misspelt
        # metric name would pass promtool but not this check). Every rule of the file must be
        # listed here, so that a new rule cannot go untested.
        underlying = {
            "BlobwatchDown": ['up{job="blobwatch"}'],
            "ProcessingLagGrowing": ["blobwatch_processing_lag_seconds",
                                     "deriv(blobwatch_processing_lag_seconds[10m])"],
            "DeliveryFailing": [
                "sum by (job, instance, sink) (increase(blobwatch_delivery_failures_total[10m]))",
                "sum by (job, instance, sink) (increase(blobwatch_deliveries_total[10m]))"],
            "OutboxFilling": ["blobwatch_outbox_depth", "blobwatch_outbox_oldest_age_seconds"],
        }

        def evaluated_rules():
            body = json.loads(http_get(f"{api}/rules"))
            rules = [r for g in body["data"]["groups"] for r in g["rules"]]
            return rules if rules and all(r.get("lastEvaluation", "").startswith("2")
                                          and not r["lastEvaluation"].startswith("0001")
                                          for r in rules) else None

        rules = eventually("the rules to be evaluated", evaluated_rules, 30)
        names = sorted(r["name"] for r in rules)
        fails.check(names == sorted(underlying), f"rules loaded {names}, expected "
                    f"{sorted(underlying)}")
        for rule in rules:
            name = rule["name"]
            fails.check(rule.get("health") == "ok",
                        f"rule {name}: health {rule.get('health')} {rule.get('lastError', '')}")
            try:
                res = query(rule["query"])
                print(f"ok rule {name}: {rule['query']!r} valid, {len(res)} series "
                      f"(state {rule.get('state')})")
            except Exception as e:
                fails.check(False, f"rule {name}: {e}")
            for expr in underlying.get(name, []):
                try:
                    res = query(expr)
                    fails.check(len(res) > 0, f"rule {name}: {expr} returned no data")
                    print(f"ok rule {name}: {expr} -> {len(res)} series")
                except Exception as e:
                    fails.check(False, f"rule {name}: {expr}: {e}")
        # BlobwatchDown must not fire while blobwatch is up, and its series must be there.
        fails.check(query('up{job="blobwatch"} == 0 or absent(up{job="blobwatch"})') == [],
                    "BlobwatchDown's expression is empty while blobwatch is up")
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(15)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        if fails.items:
            for name in ("blobwatch.err", "prometheus.err"):
                path = os.path.join(tmp, name)
                if os.path.exists(path):
                    print(f"--- {name} (last 3000 bytes)")
                    print(open(path).read()[-3000:])
        shutil.rmtree(tmp, ignore_errors=True)

    if fails.items:
        print(f"{len(fails.items)} failure(s)")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
