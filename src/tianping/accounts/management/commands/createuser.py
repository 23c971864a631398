"""`tianping createuser USERNAME --role ROLE --org CODE [--password P]`."""

import getpass
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tianping.accounts import actions
from tianping.accounts.models import Role
from tianping.orgs.models import Org
from tianping.people.models import Person


class Command(BaseCommand):
    help = "Create a user with one role grant on an organisation."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=[r.value for r in Role])
        parser.add_argument("--org", required=True, help="organisation code")
        parser.add_argument(
            "--password", help="omit to be asked, or to generate one when not interactive"
        )
        parser.add_argument(
            "--person", help="工号 of the person this account belongs to (required for member)"
        )

    def handle(
        self,
        *args: Any,
        username: str,
        role: str,
        org: str,
        password: str | None,
        person: str | None,
        **options: Any,
    ) -> None:
        node = Org.objects.filter(code=org).first()
        if node is None:
            raise CommandError(f"找不到代码为“{org}”的组织")
        linked = None
        if person:
            court = node.court()
            linked = Person.objects.filter(
                court__path__startswith=court.path, employee_no=person
            ).first()
            if linked is None:
                raise CommandError(f"在{court.name}找不到工号“{person}”")
        generated = False
        if not password:
            if self.stdin_is_tty():
                password = getpass.getpass("密码: ")
            else:
                password, generated = secrets.token_urlsafe(12), True
        try:
            with transaction.atomic():
                user = actions.do_create_user(None, username, password=password, person=linked)
                actions.do_grant(None, user, role, node)
        except ValidationError as e:
            raise CommandError("；".join(e.messages)) from e
        self.stdout.write(f"已创建用户 {username}：{Role(role).label} @ {node.name}")
        if generated:
            self.stdout.write(f"生成的密码：{password}")

    @staticmethod
    def stdin_is_tty() -> bool:
        import sys

        return sys.stdin.isatty()
