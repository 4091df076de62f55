from django.apps import AppConfig


class LinkedConfig(AppConfig):
    name = "motcua.linked"
    label = "linked"
    verbose_name = "Liên thông thủ tục"

    def ready(self) -> None:
        from motcua.dossiers import hooks

        from .services import CHAIN_ACTIONS, on_member_event

        # After the member's transition commits: the next member starts in a transaction
        # of its own (a new dossier through dossiers.services.dossier_submit).
        hooks.after_commit(on_member_event, actions=CHAIN_ACTIONS)
