"""Per-user answers are marked private; every API answer says it varies with the token.

An API answer can depend on the ``Authorization`` header: ``me/...`` is the caller's own data,
and a logged-in movie detail adds the caller's favorite, like and rating to the public part.
A shared cache (a CDN, a corporate proxy) must neither store such an answer nor hand the
anonymous version of a URL to a logged-in client. So, in one place for every route, the
cached-bytes fast path included:

- every answer under /api/v1/ carries ``Vary: Authorization`` (added to whatever Vary the
  answer already has, such as ``Accept-Encoding``);
- every answer to a request that carries an ``Authorization`` header carries
  ``Cache-Control: private`` (any ``public`` goes), whatever its status.

Anonymous answers are left as they are: the cached public ones stay shareable.
"""

from django.utils.cache import patch_cache_control, patch_vary_headers

API_PREFIX = "/api/v1/"


class PrivateAnswersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(API_PREFIX):
            patch_vary_headers(response, ("Authorization",))
            if "HTTP_AUTHORIZATION" in request.META:
                patch_cache_control(response, private=True)
        return response
