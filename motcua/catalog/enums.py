from decimal import Decimal

from django.db import models

from motcua.workcalendar.enums import TimeUnit as TimeUnit  # the calendar counts in it


class Level(models.TextChoices):
    COMMUNE = "xa", "Cấp xã"
    PROVINCE = "tinh", "Cấp tỉnh"
    MINISTRY = "bo", "Cấp bộ"


class OnlineLevel(models.TextChoices):
    FULL = "full", "Toàn trình"
    PARTIAL = "partial", "Một phần"
    NONE = "none", "Không"


class Channel(models.IntegerChoices):
    """KenhThucHien of the national portal (reference §1.2)."""

    COUNTER = 1, "Trực tiếp"
    ONLINE = 2, "Trực tuyến"
    POST = 3, "Qua bưu chính công ích"


class AgencyRole(models.TextChoices):
    DECIDING = "deciding", "Cơ quan có thẩm quyền quyết định"
    RECEIVING = "receiving", "Cơ quan tiếp nhận"
    SETTLING = "settling", "Cơ quan giải quyết"


# One working day in hours, the one place this figure lives. The work calendar counts the
# office day 07:30–11:30 and 13:30–17:00, i.e. 7.5 h; the internal process
# (quy trình nội bộ) is checked against the same figure.
WORKING_HOURS_PER_DAY = Decimal("7.5")


class FeeKind(models.TextChoices):
    """Phí or lệ phí (Luật Phí và lệ phí 2015, Điều 3); "" when the record does not say
    ("Phí, lệ phí" as one line)."""

    PHI = "phi", "Phí"
    LE_PHI = "le_phi", "Lệ phí"
    UNSTATED = "", "Không rõ (phí, lệ phí)"


class FeeComputation(models.TextChoices):
    """How a fee item's amount is computed (motcua.catalog.fees)."""

    FIXED = "fixed", "Cố định"
    PER_UNIT = "per_unit", "Theo đơn vị (bản, trang, người…)"
    TIERED = "tiered", "Theo bậc lũy tiến trên số đơn vị"
    BAND = "band", "Theo khung (ví dụ diện tích m²)"


class PolicyScope(models.TextChoices):
    ALL = "all", "Mọi thủ tục"
    PROCEDURES = "procedures", "Danh sách thủ tục"
    FEE_KIND = "fee_kind", "Theo loại khoản thu (phí / lệ phí)"


class PolicyEffect(models.TextChoices):
    ONLINE_REDUCTION = "online", "Giảm khi nộp trực tuyến"
    SUBJECT = "subject", "Miễn, giảm theo đối tượng"


class ProofKind(models.TextChoices):
    """How a subject's exemption is proven (never by the applicant's word alone)."""

    COMPONENT = "component", "Giấy tờ nộp kèm hồ sơ"
    ATTRIBUTE = "attribute", "Thuộc tính đã xác minh của người nộp"


class Confidence(models.TextChoices):
    """The labels of the domain references (shared/domain, 'Labels')."""

    CONFIRMED = "CONFIRMED", "Đã xác nhận"
    IMPL = "IMPL", "Theo dữ liệu, phần mềm công khai"
    UNCONFIRMED = "UNCONFIRMED", "Chưa xác nhận"


class Rounding(models.TextChoices):
    """How a percent of an amount becomes whole đồng."""

    HALF_UP = "half_up", "Làm tròn nửa lên (đến đồng)"
    DOWN = "down", "Làm tròn xuống (đến đồng)"
    UP = "up", "Làm tròn lên (đến đồng)"


class LinkedStart(models.TextChoices):
    """When a member of a linked procedure (liên thông) starts."""

    AT_ONCE = "at_once", "Ngay khi nộp"
    AFTER_PREVIOUS = "after_previous", "Sau khi thủ tục trước trả kết quả"
