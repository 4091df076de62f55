"""The indicators' own tables: one fact per dossier, and counters per day and per month.

`DossierFact` mirrors `formulas.Fact`; `Count` holds, per (grain, day, receiving agency,
settling agency, procedure), the number of dossiers whose flag is set, each counted on its
bucket day (formulas.FLAGS). Both are kept by motcua.indicators.services in the transaction
of every dossier event; see docs/indicators.md.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q


def _fk(to: str, **kw: Any) -> models.ForeignKey[Any, Any]:
    # No database constraint: these tables are derived and rebuilt in bulk; the dossier
    # tables hold the real references.
    return models.ForeignKey(
        to, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", **kw
    )


class DossierFact(models.Model):
    dossier = models.OneToOneField(
        "dossiers.Dossier",
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="indicator_fact",
    )
    receiving_agency = _fk("org.Agency", db_index=False)
    settling_agency = _fk("org.Agency", db_index=False)
    procedure = _fk("catalog.Procedure", db_index=False)
    field = _fk("catalog.Field", db_index=False)
    eligible_full_online = models.BooleanField(default=False)
    received_at = models.DateTimeField(null=True)
    due_at = models.DateTimeField(null=True)
    end_at = models.DateTimeField(null=True)
    paused_at = models.DateTimeField(null=True)
    supplement_count = models.PositiveSmallIntegerField(default=0)
    apology_count = models.PositiveSmallIntegerField(default=0)
    rating = models.SmallIntegerField(null=True)
    received_day = models.DateField(null=True)
    end_day = models.DateField(null=True)
    received = models.BooleanField(default=False)
    ended = models.BooleanField(default=False)
    on_time = models.BooleanField(default=False)
    on_time_liked = models.BooleanField(default=False)
    settled = models.BooleanField(default=False)
    settle_seconds = models.BigIntegerField(default=0)
    online = models.BooleanField(default=False)
    full_online_base = models.BooleanField(default=False)
    full_online = models.BooleanField(default=False)
    fee_due = models.BooleanField(default=False)
    paid_online = models.BooleanField(default=False)
    result_required = models.BooleanField(default=False)
    e_result = models.BooleanField(default=False)
    digitized = models.BooleanField(default=False)
    reused = models.BooleanField(default=False)

    class Meta:
        verbose_name = "dữ kiện chỉ số của hồ sơ"
        verbose_name_plural = "dữ kiện chỉ số của hồ sơ"
        indexes = [
            models.Index(fields=["received_day"], name="fact_received_day_idx"),
            models.Index(fields=["end_day"], name="fact_end_day_idx"),
            # The dossiers still open: the only period-end-dependent part (2.1, 5.4). Every
            # column formulas.open_on_time_q reads is in the key, so that the province-wide
            # count is an index-only scan.
            models.Index(
                fields=[
                    "received_at",
                    "due_at",
                    "paused_at",
                    "supplement_count",
                    "apology_count",
                    "rating",
                ],
                name="fact_open_idx",
                condition=Q(received=True, end_at__isnull=True),
            ),
            models.Index(
                fields=["settling_agency", "received_at"],
                name="fact_open_settl_idx",
                condition=Q(received=True, end_at__isnull=True),
            ),
            models.Index(
                fields=["receiving_agency", "received_at"],
                name="fact_open_recv_idx",
                condition=Q(received=True, end_at__isnull=True),
            ),
            models.Index(
                fields=["procedure", "received_at"],
                name="fact_open_proc_idx",
                condition=Q(received=True, end_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"fact {self.dossier_id}"


class Grain(models.TextChoices):
    DAY = "d", "Ngày"
    MONTH = "m", "Tháng"
    # Province roll-ups: receiving agency, procedure and field are 0, only the settling agency
    # is kept — a province-wide year is ~12 × agencies rows, and concurrent transitions of
    # different agencies never update the same row.
    PROVINCE_DAY = "D", "Ngày (toàn tỉnh, theo cơ quan giải quyết)"
    PROVINCE_MONTH = "M", "Tháng (toàn tỉnh, theo cơ quan giải quyết)"
    # Agency roll-ups: procedure and field are 0 — an agency's year reads months × the
    # agencies it works with, not × its procedures.
    AGENCY_DAY = "A", "Ngày (theo cơ quan tiếp nhận và giải quyết)"
    AGENCY_MONTH = "B", "Tháng (theo cơ quan tiếp nhận và giải quyết)"


class Count(models.Model):
    """Counters of one (grain, day, receiving agency, settling agency, procedure).

    Month rows have `day` = the first of the month and hold the sum of that month's day
    rows, so that a year is 12 rows per scope key instead of 365. Province rows (D, M) are
    the same sums keyed by the settling agency alone, for queries without a scope.
    """

    grain = models.CharField(max_length=1, choices=Grain.choices)
    day = models.DateField()
    receiving_agency = _fk("org.Agency", db_index=False)
    settling_agency = _fk("org.Agency", db_index=False)
    procedure = _fk("catalog.Procedure", db_index=False)
    field = _fk("catalog.Field", db_index=False)
    # One column per formulas.FLAGS entry.
    received = models.BigIntegerField(default=0)
    settled = models.BigIntegerField(default=0)
    settle_seconds = models.BigIntegerField(default=0)
    online = models.BigIntegerField(default=0)
    full_online_base = models.BigIntegerField(default=0)
    full_online = models.BigIntegerField(default=0)
    fee_due = models.BigIntegerField(default=0)
    paid_online = models.BigIntegerField(default=0)
    result_required = models.BigIntegerField(default=0)
    e_result = models.BigIntegerField(default=0)
    digitized = models.BigIntegerField(default=0)
    reused = models.BigIntegerField(default=0)
    ended = models.BigIntegerField(default=0)
    on_time = models.BigIntegerField(default=0)
    on_time_liked = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "bộ đếm chỉ số"
        verbose_name_plural = "bộ đếm chỉ số"
        constraints = [
            models.UniqueConstraint(
                fields=["grain", "day", "receiving_agency", "settling_agency", "procedure"],
                name="count_key_uniq",
            ),
        ]
        indexes = [
            models.Index(fields=["settling_agency", "grain", "day"], name="count_settl_idx"),
            models.Index(fields=["receiving_agency", "grain", "day"], name="count_recv_idx"),
            models.Index(fields=["procedure", "grain", "day"], name="count_proc_idx"),
            models.Index(fields=["field", "grain", "day"], name="count_field_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.grain} {self.day} {self.procedure_id}"
