from rest_framework.renderers import JSONRenderer

from apps.core.envelope import error_body, is_envelope, success_body


class EnvelopeJSONRenderer(JSONRenderer):
    """Wraps every DRF response body in the envelope, unless it is one already.

    Views return plain data; a view may set ``response.message`` to change the success message.
    Paginated responses and errors arrive already enveloped (pagination and exception handler).
    """

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None and response.status_code == 204:
            return b""
        if response is not None and not is_envelope(data):
            status = response.status_code
            if status >= 400:
                data = error_body(f"http_{status}", str(response.status_text or "Error"), data)
            else:
                data = success_body(data, getattr(response, "message", None), status=status)
        return super().render(data, accepted_media_type, renderer_context)
