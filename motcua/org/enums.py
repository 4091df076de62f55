from django.db import models


class UnitKind(models.TextChoices):
    PROVINCE = "province", "Tỉnh"
    CITY = "city", "Thành phố trực thuộc trung ương"
    DISTRICT = "district", "Huyện / quận / thị xã (trước 01/07/2025)"
    COMMUNE = "commune", "Xã"
    WARD = "ward", "Phường"
    SPECIAL_ZONE = "special_zone", "Đặc khu"
    TOWNSHIP = "township", "Thị trấn (trước 01/07/2025)"


class AgencyKind(models.TextChoices):
    PROVINCIAL_CENTER = "provincial_center", "Trung tâm Phục vụ hành chính công tỉnh"
    COMMUNE_CENTER = "commune_center", "Trung tâm Phục vụ hành chính công xã"
    DEPARTMENT = "department", "Sở, ban, ngành"
    COMMUNE_COMMITTEE = "commune_committee", "Ủy ban nhân dân xã"
    VERTICAL = "vertical", "Cơ quan ngành dọc"
    PROVINCIAL_COMMITTEE = "provincial_committee", "Ủy ban nhân dân tỉnh"
    # Social insurance (Bảo hiểm xã hội): a vertical sector too, but its own kind so that a
    # linked procedure (catalog.LinkedMember) can name it as the competent agency.
    SOCIAL_INSURANCE = "social_insurance", "Bảo hiểm xã hội"


class Role(models.TextChoices):
    COUNTER = "counter", "Cán bộ một cửa"
    SPECIALIST = "specialist", "Chuyên viên"
    LEADER = "leader", "Lãnh đạo"
    AGENCY_ADMIN = "agency_admin", "Quản trị đơn vị"
    MONITOR = "monitor", "Theo dõi, giám sát"


class ApplicantKind(models.TextChoices):
    PERSON = "person", "Công dân"
    BUSINESS = "business", "Tổ chức, doanh nghiệp"
