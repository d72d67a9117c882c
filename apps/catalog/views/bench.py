"""A bare Django JSON view: the benchmark's reference for what the server does with no app code.

Routed only when BENCH_REFERENCE_VIEW=1 (see apps/catalog/urls.py), so never exposed normally.
"""

from django.http import JsonResponse

from apps.core.envelope import success_body


def bench_reference(request):
    return JsonResponse(success_body({"status": "ok"}))
