"""Times admin console list pages over loopback: p50/p99 of N sequential GETs on one keep-alive connection.

usage: list_pages.py BASE COOKIE N LABEL=PATH [LABEL=PATH ...]
"""
import http.client
import statistics
import sys
import time
import urllib.parse

base, cookie, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
parsed = urllib.parse.urlparse(base)
connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
for spec in sys.argv[4:]:
    label, path = spec.split("=", 1)
    timings = []
    for index in range(count + 5):
        started = time.perf_counter()
        connection.request("GET", path, headers={"Cookie": cookie})
        response = connection.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            sys.exit(f"{label}: {path} answered {response.status}: {body[:300]!r}")
        if index >= 5:  # the first few warm the connection and caches
            timings.append(elapsed)
    timings.sort()
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
    print(f"{label:<34} p50 {statistics.median(timings):7.2f} ms   p99 {p99:7.2f} ms   max {timings[-1]:7.2f} ms   ({len(body)} bytes)")
