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
