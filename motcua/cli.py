"""The `motcua` console command: Django management under the hood.

`motcua catalog import FILE`, `motcua calendar due ...`, `motcua demo`, and every Django
command (`motcua migrate`, `motcua createsuperuser`, ...).
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["motcua", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
