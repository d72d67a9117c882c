"""Request metrics for Prometheus: django-prometheus's series, trimmed to the ones read.

django-prometheus's own pair of middlewares updates about sixteen series on every request (by
transport, body sizes, charset, streaming, totals before and after the other middlewares),
and in multiprocess mode each update is a write to a memory-mapped file. This middleware, in
place of the pair, updates three: requests by method, responses by status, view and method,
and latency by view and method (the whole middleware stack included). Exceptions by type and
by view are counted as django-prometheus counts them. The series keep django-prometheus's
names, so its dashboards read them.

Kept over the library's pair because the pair measured slower (``bench/ab_infrastructure.py
metrics``: Django's WSGI handler in-process, multiprocess mode as config/serve.py runs it,
A and B interleaved over 41 rounds of 2,000 requests, medians of this process's CPU time;
docs/catalog.md has the figures): a cached anonymous answer took 1.12 times as long with the
pair (364 against 326 microseconds), the bare reference view 1.25 times (254 against 203).
"""

from django_prometheus.middleware import PrometheusAfterMiddleware
from django_prometheus.utils import Time, TimeSince


class RequestMetricsMiddleware(PrometheusAfterMiddleware):
    def process_request(self, request):
        self.metrics.requests_by_method.labels(method=self._method(request)).inc()
        request.prometheus_after_middleware_event = Time()

    def process_view(self, request, view_func, *view_args, **view_kwargs):
        return None

    def process_response(self, request, response):
        method, view = self._method(request), self._get_view_name(request)
        self.metrics.responses_by_status_view_method.labels(
            status=str(response.status_code), view=view, method=method
        ).inc()
        started = getattr(request, "prometheus_after_middleware_event", None)
        if started is not None:
            self.metrics.requests_latency_by_view_method.labels(view=view, method=method).observe(
                TimeSince(started)
            )
        return response
