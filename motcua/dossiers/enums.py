"""Statuses, actions and the one transition table that services, pages and tests read."""

from __future__ import annotations

from django.db import models


class Status(models.IntegerChoices):
    """TrangThaiHoSo of the national portal (reference §1.4)."""

    SUBMITTED = 1, "Mới đăng ký"
    RECEIVED = 2, "Được tiếp nhận"
    REFUSED = 3, "Không được tiếp nhận"
    PROCESSING = 4, "Đang xử lý"
    SUPPLEMENT_REQUESTED = 5, "Yêu cầu bổ sung giấy tờ"
    FINANCIAL_OBLIGATION = 6, "Yêu cầu thực hiện nghĩa vụ tài chính"
    WITHDRAWAL_REQUESTED = 7, "Công dân yêu cầu rút hồ sơ"
    STOPPED = 8, "Dừng xử lý"
    PROCESSED = 9, "Đã xử lý xong"
    RETURNED = 10, "Đã trả kết quả"


STATUS_EN = {
    1: "Submitted",
    2: "Received",
    3: "Refused at receipt",
    4: "Processing",
    5: "Supplement requested",
    6: "Financial obligation",
    7: "Withdrawal requested",
    8: "Stopped",
    9: "Processed, result ready",
    10: "Result returned",
}

TERMINAL = frozenset({Status.REFUSED, Status.STOPPED, Status.RETURNED})
OPEN = frozenset(set(Status) - TERMINAL - {Status.SUBMITTED})
# Always paused; waiting for a payment (6) pauses too when the procedure's payment pauses
# the clock (rules.payment_pauses_clock): read `Dossier.paused_at`, not the status.
CLOCK_PAUSED = frozenset({Status.SUPPLEMENT_REQUESTED})


class PaidOnline(models.IntegerChoices):
    """DuocThanhToanTrucTuyen (reference §4, indicator 3.6)."""

    NO = 0, "Không thanh toán trực tuyến"
    NATIONAL_PORTAL = 1, "Thanh toán trên Cổng DVC quốc gia"
    PROVINCIAL_PORTAL = 2, "Thanh toán qua cổng thanh toán của tỉnh"


class PaymentChannel(models.TextChoices):
    """How money for a dossier's obligation reaches the agency (reference §1.2, §1.4-1.8).
    Which DuocThanhToanTrucTuyen value each gives is rules.paid_online_for."""

    GATEWAY = "gateway", "Cổng thanh toán trực tuyến của tỉnh"
    NATIONAL_PLATFORM = "national_platform", "Nền tảng thanh toán Cổng DVC quốc gia"
    VIETQR_TRANSFER = "vietqr_transfer", "Chuyển khoản VietQR"
    COUNTER_CASH = "counter_cash", "Tiền mặt tại bộ phận một cửa"
    COUNTER_POS = "counter_pos", "Thẻ (POS) tại bộ phận một cửa"


# The channels an officer records at the counter (with a receipt number); every other
# channel is recorded only from the provider's verified evidence (motcua.payments).
COUNTER_CHANNELS = frozenset({PaymentChannel.COUNTER_CASH, PaymentChannel.COUNTER_POS})


class StepOutcome(models.TextChoices):
    EARLY = "early", "Trước hạn"
    ON_TIME = "on_time", "Đúng hạn"
    LATE = "late", "Quá hạn"


class Rating(models.IntegerChoices):
    SATISFIED = 1, "Hài lòng"
    NEUTRAL = 0, "Bình thường"
    DISSATISFIED = -1, "Không hài lòng"


class Action(models.TextChoices):
    SUBMIT = "submit", "Nộp hồ sơ trực tuyến"
    INTAKE = "intake", "Tiếp nhận trực tiếp / bưu chính"
    RECEIVE = "receive", "Tiếp nhận hồ sơ"
    REFUSE = "refuse", "Từ chối tiếp nhận"
    FORWARD = "forward", "Chuyển bước xử lý"
    REQUEST_SUPPLEMENT = "request_supplement", "Yêu cầu bổ sung"
    SUPPLEMENT = "supplement", "Bổ sung hồ sơ"
    REQUEST_PAYMENT = "request_payment", "Yêu cầu thực hiện nghĩa vụ tài chính"
    CONFIRM_PAYMENT = "confirm_payment", "Hoàn thành nghĩa vụ tài chính"
    REQUEST_WITHDRAWAL = "request_withdrawal", "Yêu cầu rút hồ sơ"
    STOP = "stop", "Dừng xử lý"
    APOLOGIZE = "apologize", "Xin lỗi, hẹn lại ngày trả"
    APPROVE = "approve", "Phê duyệt, có kết quả"
    ATTACH_RESULT = "attach_result", "Đính kèm kết quả điện tử"
    RETURN_RESULT = "return_result", "Trả kết quả"
    RATE = "rate", "Đánh giá"


ACTION_EN = {
    "submit": "Submit online",
    "intake": "Counter / postal intake",
    "receive": "Receive",
    "refuse": "Refuse at receipt",
    "forward": "Forward to the next step",
    "request_supplement": "Request a supplement",
    "supplement": "Supplement the dossier",
    "request_payment": "Request the financial obligation",
    "confirm_payment": "Confirm payment",
    "request_withdrawal": "Request withdrawal",
    "stop": "Stop processing",
    "apologize": "Apologize with a new date",
    "approve": "Approve, result ready",
    "attach_result": "Attach the electronic result",
    "return_result": "Return the result",
    "rate": "Rate the service",
}

# Who acts: "applicant" is the dossier's owner; staff roles are motcua.org.enums.Role values.
# "step" means: the role and agency of the dossier's current internal-process step.
APPLICANT = "applicant"
STEP = "step"
# The payment system acting on a payment its provider proved (an IPN or a query verified by
# motcua.payments): no user, no agency. No user is ever authorized under this name.
PAYMENT_PROVIDER = "payment"

# The transition table: action -> (statuses it may start from, status it leads to, actors).
# A target of None keeps the status (the action records a fact without moving the dossier).
TRANSITIONS: dict[str, tuple[frozenset[int], int | None, frozenset[str]]] = {
    Action.SUBMIT: (frozenset(), Status.SUBMITTED, frozenset({APPLICANT})),
    Action.INTAKE: (frozenset(), Status.RECEIVED, frozenset({"counter"})),
    Action.RECEIVE: (frozenset({Status.SUBMITTED}), Status.RECEIVED, frozenset({"counter"})),
    Action.REFUSE: (frozenset({Status.SUBMITTED}), Status.REFUSED, frozenset({"counter"})),
    Action.FORWARD: (
        frozenset({Status.RECEIVED, Status.PROCESSING}),
        Status.PROCESSING,
        frozenset({STEP}),
    ),
    Action.REQUEST_SUPPLEMENT: (
        frozenset({Status.RECEIVED, Status.PROCESSING}),
        Status.SUPPLEMENT_REQUESTED,
        frozenset({"counter", "specialist", "leader"}),
    ),
    Action.SUPPLEMENT: (
        frozenset({Status.SUPPLEMENT_REQUESTED}),
        Status.PROCESSING,
        frozenset({APPLICANT, "counter"}),
    ),
    Action.REQUEST_PAYMENT: (
        frozenset({Status.RECEIVED, Status.PROCESSING}),
        Status.FINANCIAL_OBLIGATION,
        frozenset({"counter", "specialist", "leader"}),
    ),
    # The applicant never marks a dossier paid: the counter officer records cash or POS with
    # its receipt, the provider's verified evidence records the rest (PAYMENT_PROVIDER).
    Action.CONFIRM_PAYMENT: (
        frozenset({Status.FINANCIAL_OBLIGATION}),
        Status.PROCESSING,
        frozenset({"counter", PAYMENT_PROVIDER}),
    ),
    Action.REQUEST_WITHDRAWAL: (
        frozenset(
            {
                Status.SUBMITTED,
                Status.RECEIVED,
                Status.PROCESSING,
                Status.SUPPLEMENT_REQUESTED,
                Status.FINANCIAL_OBLIGATION,
            }
        ),
        Status.WITHDRAWAL_REQUESTED,
        frozenset({APPLICANT, "counter"}),
    ),
    Action.STOP: (
        frozenset({Status.WITHDRAWAL_REQUESTED}),
        Status.STOPPED,
        frozenset({"counter", "leader"}),
    ),
    Action.APOLOGIZE: (
        frozenset(
            {
                Status.RECEIVED,
                Status.PROCESSING,
                Status.SUPPLEMENT_REQUESTED,
                Status.FINANCIAL_OBLIGATION,
            }
        ),
        None,
        frozenset({"leader"}),
    ),
    Action.APPROVE: (frozenset({Status.PROCESSING}), Status.PROCESSED, frozenset({STEP})),
    Action.ATTACH_RESULT: (
        frozenset({Status.PROCESSING, Status.PROCESSED}),
        None,
        frozenset({"specialist", "leader"}),
    ),
    Action.RETURN_RESULT: (frozenset({Status.PROCESSED}), Status.RETURNED, frozenset({"counter"})),
    Action.RATE: (frozenset({Status.RETURNED}), None, frozenset({APPLICANT})),
}

# The two actions that create a dossier. Both create it in status 1 and their events say so
# (from None to 1): intake's target in the table (2) is where the intake leads, by the receive
# (or the refusal) that follows it in the same transaction.
CREATION = frozenset({Action.SUBMIT, Action.INTAKE})


def status_after(action: str, status: int | None) -> int:
    """The status `action` leaves a dossier in that is in `status` (None: not yet created):
    the table's target; where the table says None, the status stays. The services set the
    status from here, never by hand."""
    if action in CREATION:
        return Status.SUBMITTED
    target = TRANSITIONS[action][1]
    if target is not None:
        return target
    if status is None:
        raise ValueError(f"{action} needs an existing dossier")
    return status


# Which agency of the dossier a staff actor must belong to for each action.
RECEIVING_SIDE = frozenset(
    {
        Action.INTAKE,
        Action.RECEIVE,
        Action.REFUSE,
        Action.RETURN_RESULT,
        Action.CONFIRM_PAYMENT,
        Action.SUPPLEMENT,
        Action.REQUEST_WITHDRAWAL,
    }
)
# Every other staff action is done by the settling agency, except forward/approve which follow
# the current step's agency, and request_supplement/stop which either side may do.
EITHER_SIDE = frozenset({Action.REQUEST_SUPPLEMENT, Action.STOP, Action.REQUEST_PAYMENT})
