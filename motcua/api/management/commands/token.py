"""`motcua token create USERNAME [--name NAME] [--days N]` prints a new API token (shown
once; it expires after N days, default MOTCUA_API_TOKEN_DAYS);
`motcua token revoke PREFIX` revokes tokens by their displayed prefix."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from motcua.api.auth import token_create, token_revoke
from motcua.api.models import ApiToken
from motcua.core.errors import DomainError


class Command(BaseCommand):
    help = "Create or revoke API tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="op", required=True)
        create = sub.add_parser("create", help="create a token for USERNAME")
        create.add_argument("username")
        create.add_argument("--name", default="")
        create.add_argument("--days", type=int, default=None)
        revoke = sub.add_parser("revoke", help="revoke the tokens with this prefix")
        revoke.add_argument("prefix")

    def handle(self, *args, op, **opts):
        if op == "create":
            try:
                user = get_user_model().objects.get_by_natural_key(opts["username"])
            except get_user_model().DoesNotExist:
                raise CommandError(f"No user '{opts['username']}'.") from None
            try:
                _token, plaintext = token_create(user=user, name=opts["name"], days=opts["days"])
            except DomainError as exc:
                raise CommandError(exc.message) from None
            self.stdout.write(plaintext)
            return
        tokens = list(ApiToken.objects.filter(prefix=opts["prefix"], revoked=False))
        if not tokens:
            raise CommandError(f"No active token with prefix '{opts['prefix']}'.")
        for token in tokens:
            token_revoke(token=token, reason="command")
        self.stdout.write(f"Revoked {len(tokens)} token(s).")
