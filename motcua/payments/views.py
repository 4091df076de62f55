"""The gateway's server-to-server notification (IPN): no login, no CSRF token (the
signature is the authentication), JSON answers exactly as the protocol expects. VNPay
calls it with GET; POST (form-encoded) is accepted as well."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import services, vnpay


@csrf_exempt
@require_http_methods(["GET", "POST"])
def vnpay_ipn(request: HttpRequest) -> JsonResponse:
    params = request.GET if request.method == "GET" else request.POST
    try:
        answer = services.payment_ipn(params.dict())
    except Exception:  # the gateway must always get one of the protocol's answers
        services.log.exception("payment IPN failed")
        answer = vnpay.ipn_answer(vnpay.UNKNOWN_ERROR)
    return JsonResponse(answer)


# --- The national portal's payment platform: its callback (dpnhankqthanhtoanhs) -------------


@csrf_exempt
@require_http_methods(["POST"])
def dvcqg_callback(request: HttpRequest) -> JsonResponse:
    """The platform POSTs JSON; no login, no CSRF token: MaXacThuc is the authentication.
    The answer is always one of the protocol's (MaLoi 00 or 99), signed."""
    import json

    from . import dvcqg

    try:
        body = json.loads(request.body.decode("utf-8") or "{}")
        if not isinstance(body, dict):
            raise ValueError("not an object")
    except (UnicodeDecodeError, ValueError):
        return JsonResponse({"MaLoi": dvcqg.REPLY_ERROR[0], "MoTaLoi": dvcqg.REPLY_ERROR[1]})
    try:
        answer = services.national_callback(body)
    except Exception:  # the platform must always get one of the protocol's answers
        services.log.exception("national platform callback failed")
        answer = {"MaLoi": dvcqg.REPLY_ERROR[0], "MoTaLoi": dvcqg.REPLY_ERROR[1]}
    return JsonResponse(answer, json_dumps_params={"ensure_ascii": False})
