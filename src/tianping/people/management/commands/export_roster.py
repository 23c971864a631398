"""`tianping export-roster --org CODE -o FILE.xlsx`: a subtree's roster in the columns it imports."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tianping.accounts.models import Role
from tianping.accounts.scoping import CAPABILITIES, Scope
from tianping.orgs.models import Org
from tianping.people.exporting import subtree_people, write_roster


class Command(BaseCommand):
    help = "Export the roster of a court, department or party organisation subtree to .xlsx."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--org", required=True, help="the organisation's code")
        parser.add_argument("-o", "--output", required=True, help="the .xlsx file to write")

    def handle(self, *args: Any, org: str, output: str, **options: Any) -> None:
        node = Org.objects.filter(code=org).first()
        if node is None:
            raise CommandError(f"找不到代码为“{org}”的组织", returncode=1)
        # The command line is the administrator's tool: it acts for no user and sees everything.
        everything = Scope(
            user_id=0, role=Role.PLATFORM_ADMIN, caps=CAPABILITIES[Role.PLATFORM_ADMIN]
        )
        people = subtree_people(everything, node)
        try:
            write_roster(people, output)
        except OSError as e:
            raise CommandError(f"无法写入“{output}”：{e.strerror or e}", returncode=1) from e
        self.stdout.write(f"已导出{node.name}的花名册：{people.count()}人 → {output}")
