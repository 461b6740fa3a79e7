"""Prometheus metrics, rendered in the text exposition format (no client library needed)."""

import threading
import time

# 1 ms .. 2 s, with most resolution around 100-300 ms where a priced checkout lands.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1.0, 2.0)

_lock = threading.Lock()
_started = time.time()


class _Histogram:
    def __init__(self):
        self.buckets = [0] * len(BUCKETS)
        self.sum = 0.0
        self.count = 0

    def observe(self, seconds):
        for i, le in enumerate(BUCKETS):
            if seconds <= le:
                self.buckets[i] += 1
        self.sum += seconds
        self.count += 1

    def lines(self, name, labels):
        out = [f'{name}_bucket{{{labels},le="{le}"}} {n}' for le, n in zip(BUCKETS, self.buckets)]
        out.append(f'{name}_bucket{{{labels},le="+Inf"}} {self.count}')
        out.append(f"{name}_sum{{{labels}}} {self.sum:.6f}")
        out.append(f"{name}_count{{{labels}}} {self.count}")
        return out


_requests = {}  # (route, method, status) -> count
_durations = {}  # (route, method) -> _Histogram
_downstream = {}  # (downstream, status) -> count
_downstream_durations = {}  # downstream -> _Histogram


def observe_request(route, method, status, seconds):
    with _lock:
        key = (route, method, str(status))
        _requests[key] = _requests.get(key, 0) + 1
        _durations.setdefault((route, method), _Histogram()).observe(seconds)


def observe_downstream(downstream, status, seconds):
    """One call to a downstream service; status is the HTTP status code, or "error" when there was no answer."""
    with _lock:
        key = (downstream, str(status))
        _downstream[key] = _downstream.get(key, 0) + 1
        _downstream_durations.setdefault(downstream, _Histogram()).observe(seconds)


def render():
    out = []
    with _lock:
        out += ["# HELP http_requests_total HTTP requests served, by route, method and status code.", "# TYPE http_requests_total counter"]
        for (route, method, status), n in sorted(_requests.items()):
            out.append(f'http_requests_total{{route="{route}",method="{method}",status="{status}"}} {n}')
        out += ["# HELP http_request_duration_seconds Time to serve an HTTP request.", "# TYPE http_request_duration_seconds histogram"]
        for (route, method), h in sorted(_durations.items()):
            out += h.lines("http_request_duration_seconds", f'route="{route}",method="{method}"')
        out += ["# HELP downstream_requests_total Calls to downstream services, by status code.", "# TYPE downstream_requests_total counter"]
        for (downstream, status), n in sorted(_downstream.items()):
            out.append(f'downstream_requests_total{{downstream="{downstream}",status="{status}"}} {n}')
        out += ["# HELP downstream_request_duration_seconds Time spent in calls to downstream services.", "# TYPE downstream_request_duration_seconds histogram"]
        for downstream, h in sorted(_downstream_durations.items()):
            out += h.lines("downstream_request_duration_seconds", f'downstream="{downstream}"')
    out += [
        "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.",
        "# TYPE process_start_time_seconds gauge",
        f"process_start_time_seconds {_started:.3f}",
    ]
    return "\n".join(out) + "\n"
