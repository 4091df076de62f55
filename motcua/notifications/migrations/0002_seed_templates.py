"""The first wording of every template (events × channels × languages); the province edits
them in the admin. Frozen here: later edits of this file do not change a database."""

from django.db import migrations

LOOKUP_VI = "Tra cứu: {{ lookup_url }}"
LOOKUP_EN = "Look it up: {{ lookup_url }}"

# event: (vi subject, vi next step, en subject, en next step)
APPLICANT = {
    "receipt": (
        "Hồ sơ {{ dossier_code }} đã được tiếp nhận",
        "Hồ sơ {{ dossier_code }} đã được tiếp nhận ngày {{ received_date }}, hẹn trả kết quả "
        "ngày {{ due_date }}. Ông/bà không cần làm gì thêm; chúng tôi sẽ báo khi có kết quả.",
        "Dossier {{ dossier_code }} has been received",
        "Dossier {{ dossier_code }} was received on {{ received_date }}; the result is due on "
        "{{ due_date }}. Nothing more is needed from you; we will tell you when it is ready.",
    ),
    "supplement_request": (
        "Hồ sơ {{ dossier_code }} cần bổ sung",
        "Hồ sơ {{ dossier_code }} cần bổ sung: {{ reason }}. Đề nghị ông/bà bổ sung trên Cổng "
        "dịch vụ công hoặc tại bộ phận một cửa.",
        "Dossier {{ dossier_code }} needs a supplement",
        "Dossier {{ dossier_code }} needs a supplement: {{ reason }}. Please supplement it on "
        "the public service portal or at the one-stop counter.",
    ),
    "payment_request": (
        "Hồ sơ {{ dossier_code }}: đề nghị nộp phí, lệ phí",
        "Hồ sơ {{ dossier_code }} cần thực hiện nghĩa vụ tài chính: {{ fee_due }}. Đề nghị "
        "ông/bà thanh toán trực tuyến trên Cổng dịch vụ công hoặc tại bộ phận một cửa.",
        "Dossier {{ dossier_code }}: please pay the fees",
        "Dossier {{ dossier_code }} awaits payment of {{ fee_due }}. Please pay online on the "
        "public service portal or at the one-stop counter.",
    ),
    "result_ready": (
        "Hồ sơ {{ dossier_code }} đã có kết quả",
        "Hồ sơ {{ dossier_code }} đã có kết quả. Đề nghị ông/bà nhận kết quả tại bộ phận một "
        "cửa hoặc tải kết quả điện tử trên Cổng dịch vụ công.",
        "The result of dossier {{ dossier_code }} is ready",
        "The result of dossier {{ dossier_code }} is ready. Please collect it at the one-stop "
        "counter or download the electronic result on the public service portal.",
    ),
    "apology": (
        "Thư xin lỗi: hồ sơ {{ dossier_code }} được hẹn lại ngày trả",
        "Chúng tôi xin lỗi vì hồ sơ {{ dossier_code }} chưa giải quyết đúng hẹn: {{ reason }}. "
        "Ngày hẹn trả mới: {{ due_date }}. Ông/bà không cần làm gì thêm.",
        "Apology: dossier {{ dossier_code }} has a new appointment",
        "We apologize that dossier {{ dossier_code }} was not settled on time: {{ reason }}. "
        "The new date of the result: {{ due_date }}. Nothing more is needed from you.",
    ),
}

# SMS: short (one segment, 160 characters without accents, the lookup link included).
SMS = {
    "receipt": (
        "Hồ sơ {{ dossier_code }} đã được tiếp nhận, hẹn trả {{ due_date }}.",
        "Dossier {{ dossier_code }} received, due {{ due_date }}.",
    ),
    "supplement_request": (
        "Hồ sơ {{ dossier_code }} cần bổ sung giấy tờ, xem chi tiết.",
        "Dossier {{ dossier_code }} needs a supplement, see details.",
    ),
    "payment_request": (
        "Hồ sơ {{ dossier_code }}: đề nghị nộp {{ fee_due }}.",
        "Dossier {{ dossier_code }}: please pay {{ fee_due }}.",
    ),
    "result_ready": (
        "Hồ sơ {{ dossier_code }} đã có kết quả, mời nhận.",
        "Dossier {{ dossier_code }}: the result is ready.",
    ),
    "apology": (
        "Xin lỗi: hồ sơ {{ dossier_code }} hẹn lại ngày trả {{ due_date }}.",
        "Sorry: dossier {{ dossier_code }} is now due {{ due_date }}.",
    ),
}

EARLY_WARNING = (
    "Cảnh báo: hồ sơ {{ dossier_code }} sắp đến hạn {{ due_moment }}",
    "Hồ sơ {{ dossier_code }} ({{ procedure_name }}, người nộp {{ applicant_name }}) đã dùng "
    "phần lớn thời hạn giải quyết; hạn trả kết quả: {{ due_moment }}. Đề nghị xử lý để không "
    "bị quá hạn.",
    "Warning: dossier {{ dossier_code }} is due at {{ due_moment }}",
    "Dossier {{ dossier_code }} ({{ procedure_name }}, applicant {{ applicant_name }}) has used "
    "most of its time limit; the result is due at {{ due_moment }}. Please settle it before "
    "it turns late.",
)


def mail(greeting, text, lookup, signature):
    return f"{greeting}\n\n{text}\n\n{lookup}\n\n{signature}"


def rows():
    for event, (s_vi, t_vi, s_en, t_en) in APPLICANT.items():
        yield (
            event,
            "email",
            "vi",
            s_vi,
            mail(
                "Kính gửi ông/bà {{ applicant_name }},",
                t_vi,
                LOOKUP_VI,
                "{{ agency_name }}",
            ),
        )
        yield (
            event,
            "email",
            "en",
            s_en,
            mail("Dear {{ applicant_name }},", t_en, LOOKUP_EN, "{{ agency_name }}"),
        )
        yield event, "sms", "vi", "", f"{SMS[event][0]} {LOOKUP_VI}"
        yield event, "sms", "en", "", f"{SMS[event][1]} {LOOKUP_EN}"
        yield event, "zalo", "vi", "", t_vi
        yield event, "zalo", "en", "", t_en
    s_vi, t_vi, s_en, t_en = EARLY_WARNING
    yield "early_warning", "email", "vi", s_vi, mail("Kính gửi đồng chí,", t_vi, LOOKUP_VI, "")
    yield "early_warning", "email", "en", s_en, mail("Dear colleague,", t_en, LOOKUP_EN, "")


def seed(apps, schema_editor):
    Template = apps.get_model("notifications", "Template")
    for event, channel, language, subject, body in rows():
        Template.objects.get_or_create(
            event=event,
            channel=channel,
            language=language,
            defaults={"subject": subject, "body": body.strip()},
        )


def unseed(apps, schema_editor):
    apps.get_model("notifications", "Template").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_messages_templates_preferences")]

    operations = [migrations.RunPython(seed, unseed)]
