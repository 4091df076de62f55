"""`motcua sync status|retry|resend --from D|deliver`: the operator's handle on the outbox
and the national portal's sync (docs/integration.md "Lệnh cho người vận hành").

- status: messages per destination and state, the oldest still waiting;
- retry: dead letters back in the queue (audited), waiting messages due now, then deliver;
- resend --from D [--to D]: the current state of every dossier submitted from D sent
  again to the national portal as a full record (dates dd/mm/yyyy or yyyy-mm-dd);
- deliver [--loop]: run the delivery in the foreground (without Celery, or to drain).
"""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from motcua.core.errors import DomainError
from motcua.integration import national, outbox
from motcua.integration.models import OutboxMessage, OutboxState
from motcua.integration.selectors import destination_status
from motcua.integration.services import outbox_replay_dead

VN = national.VN


def parse_day(value: str) -> dt.date:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise CommandError(f"Ngày không hợp lệ: {value!r} (dd/mm/yyyy) / invalid date.")


def start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=VN)


class Command(BaseCommand):
    help = (
        "Đồng bộ, hộp thư đi: trạng thái, gửi lại, gửi lại toàn bộ từ ngày "
        "(outbox and national sync: status, retry, resend)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="op", required=True)
        sub.add_parser("status", help="messages per destination and state")
        retry = sub.add_parser("retry", help="replay dead letters, deliver what waits now")
        retry.add_argument("--destination", default=national.DESTINATION)
        retry.add_argument("--reason", default="motcua sync retry")
        resend = sub.add_parser("resend", help="send dossiers again to the national portal")
        resend.add_argument("--from", dest="since", required=True, help="dd/mm/yyyy")
        resend.add_argument("--to", dest="until", default=None, help="dd/mm/yyyy (inclusive)")
        deliver = sub.add_parser("deliver", help="deliver what is due, in the foreground")
        deliver.add_argument("--loop", action="store_true", help="keep polling")
        deliver.add_argument("--interval", type=float, default=1.0)

    def handle(self, *args, op, **opts):
        return getattr(self, f"do_{op}")(**opts)

    def do_status(self, **opts):
        rows = destination_status()
        if not rows:
            self.stdout.write("Hộp thư đi trống (the outbox is empty).")
        for r in rows:
            age = r.oldest_pending_age
            waited = f", chờ lâu nhất {int(age.total_seconds())} giây" if age else ""
            self.stdout.write(
                f"{r.destination}: chờ gửi {r.pending}, đang gửi {r.delivering}, "
                f"đã gửi {r.delivered}, thất bại {r.dead}{waited} "
                f"(pending {r.pending}, delivering {r.delivering}, delivered {r.delivered}, "
                f"dead {r.dead})"
            )

    def do_retry(self, *, destination, reason, **opts):
        if outbox.get_destination(destination) is None:
            raise CommandError(f"Không có nơi nhận {destination!r} (unknown destination).")
        replayed = outbox_replay_dead(actor=None, destination=destination, reason=reason)
        due = OutboxMessage.objects.filter(
            destination=destination, state=OutboxState.PENDING, next_attempt_at__gt=timezone.now()
        ).update(next_attempt_at=timezone.now())
        totals = outbox.run(names=[destination])
        self.stdout.write(
            f"Gửi lại {replayed} thư thất bại, {due} thư đang chờ; đã gửi {totals['delivered']}, "
            f"thử lại sau {totals['retried']}, thất bại {totals['dead']} "
            f"(replayed {replayed} dead, {due} waiting made due; delivered "
            f"{totals['delivered']}, retried {totals['retried']}, dead {totals['dead']})."
        )

    def do_resend(self, *, since, until, **opts):
        start = start_of(parse_day(since))
        end = start_of(parse_day(until) + dt.timedelta(days=1)) if until else None
        if end is not None and end <= start:
            raise CommandError("--to phải sau --from (--to must not be before --from).")
        try:
            n = national.national_resend(actor=None, since=start, until=end)
        except DomainError as e:
            raise CommandError(f"{e.message} ({e.message_en})") from None
        self.stdout.write(
            f"Đã xếp {n} hồ sơ để gửi lại Cổng DVC quốc gia "
            f"(queued {n} dossier(s) for the national portal)."
        )

    def do_deliver(self, *, loop, interval, **opts):
        while True:
            totals = outbox.run()
            if totals["batches"]:
                self.stdout.write(
                    f"đã gửi {totals['delivered']}, thử lại sau {totals['retried']}, "
                    f"thất bại {totals['dead']} (delivered, retried, dead)"
                )
            if not loop:
                return
            time.sleep(interval)
