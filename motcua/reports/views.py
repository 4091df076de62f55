"""Pages: the leaders' dashboard and Biểu 06 (/bao-cao/), the public transparency pages
(/cong-khai/), and the open data (/open-data/). Thin callers of the selectors."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from motcua.catalog.models import Procedure
from motcua.core.db import reads_from_replica
from motcua.core.errors import ValidationFailed
from motcua.dossiers.access import visible_dossiers
from motcua.dossiers.models import Dossier
from motcua.indicators.formulas import ALL, INDICATORS
from motcua.indicators.selectors import indicators_compute
from motcua.org.enums import AgencyKind
from motcua.org.models import Agency

from . import charts, exports, selectors
from .bieu06 import GROUPS, KEYS, LABELS, LABELS_EN, TITLE, bieu06

DATASET_LICENSE = "https://creativecommons.org/licenses/by/4.0/"


# ---------------------------------------------------------------------------- helpers


def _date(text: str | None, default: dt.date) -> tuple[dt.date, bool]:
    """(date, ok) from YYYY-MM-DD or dd/mm/yyyy; the default when empty."""
    if not text:
        return default, True
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text.strip(), fmt).date(), True
        except ValueError:
            continue
    return default, False


def _month(text: str | None, default: dt.date) -> dt.date:
    try:
        return dt.datetime.strptime(text or "", "%Y-%m").date()
    except ValueError:
        return default


def _period(request, default_from: dt.date, default_to: dt.date):
    date_from, ok_from = _date(request.GET.get("from"), default_from)
    date_to, ok_to = _date(request.GET.get("to"), default_to)
    errors = []
    if not ok_from:
        errors.append(("from", "Ngày bắt đầu không hợp lệ (dd/mm/yyyy).", "Invalid start date."))
    if not ok_to:
        errors.append(("to", "Ngày kết thúc không hợp lệ (dd/mm/yyyy).", "Invalid end date."))
    if date_to < date_from:
        errors.append(
            ("to", "Ngày kết thúc phải sau ngày bắt đầu.", "The end must not be before the start.")
        )
        date_from, date_to = default_from, default_to
    return date_from, date_to, errors


def _render(request, template: str, context: dict | None = None, status: int = 200):
    return render(request, template, context or {}, status=status)


def _forbidden(request):
    return _render(request, "reports/forbidden.html", status=403)


def _viewer_and_agency(request):
    """(viewer, chosen agency or None, response) — a response when access is refused."""
    if not request.user.is_authenticated:
        return None, None, redirect_to_login(request.get_full_path(), login_url="/dang-nhap/")
    viewer = selectors.dashboard_viewer(request.user)
    if viewer is None:
        return None, None, _forbidden(request)
    code = request.GET.get("agency") or ""
    agency = None
    if code:
        agency = Agency.objects.filter(code=code).first()
        if agency is None or not viewer.allows(agency):
            return None, None, _forbidden(request)
    elif not viewer.province:
        agency = viewer.agencies[0]
    return viewer, agency, None


def _agency_choices(viewer) -> list[Agency]:
    if viewer.province:
        return selectors.agencies_with_dossiers()
    return viewer.agencies


def _trend_chart(trend: list[dict], chart_id: str, title: str):
    labels = [f"{t['month']:%m/%Y}" for t in trend]
    series = [
        (f"{i} {selectors.TREND_SHORT[i]}", [t["rates"].get(i) for t in trend])
        for i in selectors.TREND_IDS
    ]
    return charts.line_chart(
        labels,
        series,
        title=title,
        desc="Tỷ lệ (%) theo tháng của các chỉ số " + ", ".join(selectors.TREND_IDS),
        chart_id=chart_id,
    )


# ---------------------------------------------------------------------------- dashboard


@require_GET
@reads_from_replica
def dashboard(request):
    viewer, agency, refused = _viewer_and_agency(request)
    if refused:
        return refused
    today = selectors.today()
    date_from, date_to, errors = _period(request, today.replace(month=1, day=1), today)
    card = indicators_compute(date_from=date_from, date_to=date_to, agency=agency)
    months = selectors.months_back(date_to, 12)
    trend = selectors.trend(months, agency)
    ranking = selectors.ranking(date_from, date_to) if viewer.province and agency is None else []
    overdue, overdue_total = selectors.overdue(request.user, agency)
    context = {
        "viewer": viewer,
        "agency": agency,
        "agencies": _agency_choices(viewer),
        "date_from": date_from,
        "date_to": date_to,
        "errors": errors,
        "card": card,
        "rows": selectors.scorecard_rows(card),
        "drill_query": _drill_query(date_from, date_to, agency),
        "groups": card.groups,
        "total_points": selectors.total_points(card),
        "trend": trend,
        "trend_ids": selectors.TREND_IDS,
        "trend_names": {i: INDICATORS[i].name_vi for i in selectors.TREND_IDS},
        "trend_chart": _trend_chart(trend, "trend", "Xu hướng các chỉ số theo tháng"),
        "ranking": ranking,
        "ranking_chart": charts.bar_chart(
            [r["agency"].name for r in ranking],
            [r["points"] for r in ranking],
            title="Xếp hạng cơ quan theo tổng điểm",
            desc="Tổng điểm Bộ chỉ số 766 của từng cơ quan giải quyết trong kỳ",
            maximum=max([r["points"] for r in ranking] + [1]),
            chart_id="ranking",
        )
        if ranking
        else None,
        "overdue": overdue,
        "overdue_total": overdue_total,
    }
    return _render(request, "reports/dashboard.html", context)


def _drill_query(date_from: dt.date, date_to: dt.date, agency: Agency | None) -> str:
    q = {"from": date_from.isoformat(), "to": date_to.isoformat()}
    if agency is not None:
        q["agency"] = agency.code
    return urlencode(q)


DRILL_LIMIT = 200


@require_GET
@reads_from_replica
def indicator_rows(request, indicator_id: str):
    """The dossiers (or procedures) behind a figure of the dashboard: the same period and
    scope, its numerator or denominator; dossiers narrowed to those the viewer may see."""
    viewer, agency, refused = _viewer_and_agency(request)
    if refused:
        return refused
    ind = ALL.get(indicator_id)
    if ind is None:
        raise Http404
    today = selectors.today()
    date_from, date_to, errors = _period(request, today.replace(month=1, day=1), today)
    part = request.GET.get("part") or "numerator"
    problem = None
    rows: Any = None
    try:
        rows = selectors.indicator_rows(ind.id, part, date_from, date_to, agency)
    except ValidationFailed as e:
        problem = e
    kind = None
    if rows is not None:
        kind = (
            "dossier"
            if rows.model is Dossier
            else "procedure"
            if rows.model is Procedure
            else "other"
        )
        if kind == "dossier":
            rows = visible_dossiers(request.user, rows).select_related(
                "procedure", "settling_agency"
            )
    total = rows.count() if rows is not None else 0
    context = {
        "viewer": viewer,
        "agency": agency,
        "indicator": ind,
        "part": part,
        "date_from": date_from,
        "date_to": date_to,
        "errors": errors,
        "problem": problem,
        "kind": kind,
        "rows": list(rows[:DRILL_LIMIT]) if rows is not None else [],
        "total": total,
        "limit": DRILL_LIMIT,
        "back": f"{reverse('reports:dashboard')}?{_drill_query(date_from, date_to, agency)}",
    }
    return _render(request, "reports/indicator_rows.html", context, status=400 if problem else 200)


# ---------------------------------------------------------------------------- Biểu 06


def _bieu06_from_request(request):
    viewer, agency, refused = _viewer_and_agency(request)
    if refused:
        return None, None, None, refused
    today = selectors.today()
    date_from, date_to, errors = _period(request, today.replace(day=1), today)
    report = bieu06(date_from=date_from, date_to=date_to, agency=agency)
    return viewer, report, errors, None


@require_GET
@reads_from_replica
def bieu06_page(request):
    viewer, report, errors, refused = _bieu06_from_request(request)
    if refused:
        return refused
    query = request.GET.copy()
    query["from"], query["to"] = f"{report.date_from:%Y-%m-%d}", f"{report.date_to:%Y-%m-%d}"
    if report.scope_code:
        query["agency"] = report.scope_code
    downloads = [
        (fmt, reverse("reports:bieu06_download", args=[fmt]) + "?" + query.urlencode())
        for fmt in ("xlsx", "csv", "pdf")
    ]
    groups, i = [], 0
    for group, width in GROUPS:
        groups.append((group, width))
        i += width
    return _render(
        request,
        "reports/bieu06.html",
        {
            "viewer": viewer,
            "agencies": _agency_choices(viewer),
            "report": report,
            "errors": errors,
            "downloads": downloads,
            "title": TITLE,
            "column_numbers": exports.column_numbers(),
            "groups": groups,
            "labels": [(k, LABELS[k], LABELS_EN[k]) for k in KEYS],
            "rows": [("", report.total.label, report.total.as_list(), "total")]
            + [(r.number, r.label, r.as_list(), r.kind) for r in report.rows],
        },
    )


@require_GET
@reads_from_replica
def bieu06_download(request, fmt: str):
    if fmt not in exports.CONTENT_TYPES:
        raise Http404
    _viewer, report, _errors, refused = _bieu06_from_request(request)
    if refused:
        return refused
    response = HttpResponse(exports.render(report, fmt), content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(report, fmt)}"'
    return response


# ---------------------------------------------------------------------------- public pages


@require_GET
@reads_from_replica
def public_index(request):
    agencies = [
        a
        for a in selectors.agencies_with_dossiers()
        if a.kind
        in (
            AgencyKind.PROVINCIAL_CENTER,
            AgencyKind.COMMUNE_CENTER,
            AgencyKind.DEPARTMENT,
            AgencyKind.COMMUNE_COMMITTEE,
            AgencyKind.VERTICAL,
            AgencyKind.PROVINCIAL_COMMITTEE,
        )
    ]
    return _render(request, "reports/public_index.html", {"agencies": agencies})


@require_GET
@reads_from_replica
def public_agency(request, code: str):
    """Aggregate figures only: no dossier, no person."""
    agency = get_object_or_404(Agency, code=code)
    today = selectors.today()
    year_start = today.replace(month=1, day=1)
    card = indicators_compute(date_from=year_start, date_to=today, agency=agency)
    report = bieu06(date_from=year_start, date_to=today, agency=agency)
    months = selectors.months_back(today, 12)
    trend = selectors.trend(months, agency)
    return _render(
        request,
        "reports/public_agency.html",
        {
            "agency": agency,
            "date_from": year_start,
            "date_to": today,
            "card": card,
            "figures": {f.id: f for f in card.figures},
            "totals": report.total.values,
            "trend": trend,
            "trend_ids": selectors.TREND_IDS,
            "trend_names": {i: INDICATORS[i].name_vi for i in selectors.TREND_IDS},
            "trend_chart": _trend_chart(trend, "trend", f"Chỉ số theo tháng — {agency.name}"),
        },
    )


# ---------------------------------------------------------------------------- open data


def _open_range(request) -> tuple[dt.date, dt.date]:
    today = selectors.today()
    default_first = selectors.months_back(today, 12)[0]
    first = _month(request.GET.get("from"), default_first)
    last = _month(request.GET.get("to"), today.replace(day=1))
    if last < first:
        first, last = default_first, today.replace(day=1)
    earliest = selectors.months_back(last, 36)[0]  # at most 36 months per request
    return max(first, earliest), last
    return first, last


@require_GET
@reads_from_replica
def open_data_index(request):
    first, last = _open_range(request)
    return _render(
        request,
        "reports/open_data.html",
        {
            "first": first,
            "last": last,
            "columns": selectors.open_data_columns(),
            "indicators": INDICATORS.values(),
        },
    )


@require_GET
@reads_from_replica
def open_data_csv(request):
    first, last = _open_range(request)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(selectors.open_data_columns())
    for row in selectors.open_data_rows(first, last):
        w.writerow(selectors.open_data_flat(row))
    response = HttpResponse(
        ("\ufeff" + buf.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="indicators.csv"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
@reads_from_replica
def open_data_json(request):
    first, last = _open_range(request)
    body = {
        "title": "Chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766/QĐ-TTg) theo cơ quan và tháng",
        "from": f"{first:%Y-%m}",
        "to": f"{last:%Y-%m}",
        "license": DATASET_LICENSE,
        "indicators": {
            i.id: {"name_vi": i.name_vi, "name_en": i.name_en, "unit": i.unit}
            for i in INDICATORS.values()
        },
        "rows": selectors.open_data_rows(first, last),
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
@reads_from_replica
def open_data_catalog(request):
    """DCAT-AP style catalog: one dataset, two distributions (CSV, JSON)."""
    base = request.build_absolute_uri("/").rstrip("/")
    first, last = selectors.coverage()
    publisher = {"@type": "foaf:Organization", "foaf:name": selectors.publisher_name()}
    license_ = {"@id": DATASET_LICENSE}
    dataset_id = f"{base}/open-data/#indicators"
    temporal: dict[str, Any] = {"@type": "dct:PeriodOfTime"}
    if first is not None and last is not None:
        temporal["dcat:startDate"] = {"@value": first.isoformat(), "@type": "xsd:date"}
        temporal["dcat:endDate"] = {"@value": last.isoformat(), "@type": "xsd:date"}

    def distribution(fmt: str, media: str) -> dict:
        url = f"{base}/open-data/indicators.{fmt}"
        return {
            "@id": f"{url}#distribution",
            "@type": "dcat:Distribution",
            "dct:title": f"Chỉ số theo cơ quan và tháng ({fmt.upper()})",
            "dcat:accessURL": {"@id": url},
            "dcat:downloadURL": {"@id": url},
            "dcat:mediaType": {"@id": f"https://www.iana.org/assignments/media-types/{media}"},
            "dct:format": fmt.upper(),
            "dct:license": license_,
        }

    catalog = {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@id": f"{base}/open-data/catalog.jsonld",
        "@type": "dcat:Catalog",
        "dct:title": [
            {"@value": "Dữ liệu mở – Hệ thống một cửa điện tử", "@language": "vi"},
            {"@value": "Open data – electronic one-stop shop", "@language": "en"},
        ],
        "dct:description": "Số liệu tổng hợp về giải quyết thủ tục hành chính; không có dữ "
        "liệu cá nhân.",
        "dct:publisher": publisher,
        "dct:license": license_,
        "foaf:homepage": {"@id": f"{base}/open-data/"},
        "dcat:dataset": [
            {
                "@id": dataset_id,
                "@type": "dcat:Dataset",
                "dct:identifier": "motcua-indicators-agency-month",
                "dct:title": [
                    {
                        "@value": "Bộ chỉ số phục vụ người dân, doanh nghiệp theo cơ quan và tháng",
                        "@language": "vi",
                    },
                    {
                        "@value": "Service indicators (Decision 766) per agency and month",
                        "@language": "en",
                    },
                ],
                "dct:description": "Tử số, mẫu số, tỷ lệ và điểm của từng chỉ số Quyết định "
                "766/QĐ-TTg cho mỗi cơ quan tiếp nhận hoặc giải quyết và mỗi tháng. Chỉ số "
                "liệu tổng hợp, không có thông tin người nộp hồ sơ.",
                "dcat:keyword": ["thủ tục hành chính", "một cửa", "Quyết định 766", "chỉ số"],
                "dct:publisher": publisher,
                "dct:license": license_,
                "dct:accessRights": {
                    "@id": "http://publications.europa.eu/resource/authority/access-right/PUBLIC"
                },
                "dct:accrualPeriodicity": {
                    "@id": "http://publications.europa.eu/resource/authority/frequency/MONTHLY"
                },
                "dct:temporal": temporal,
                "dct:spatial": selectors.publisher_name(),
                "dct:language": ["vi"],
                "dcat:distribution": [
                    distribution("csv", "text/csv"),
                    distribution("json", "application/json"),
                ],
            }
        ],
    }
    return HttpResponse(
        json.dumps(catalog, ensure_ascii=False, indent=2),
        content_type="application/ld+json; charset=utf-8",
    )
