"""`tianping set-password USERNAME [--password P]`: a new password; the user's API tokens end."""

import getpass
import secrets
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tianping.accounts import actions
from tianping.accounts.models import User


class Command(BaseCommand):
    help = "Set a user's password; every API token of the user is revoked (audited)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--password", help="omit to be asked, or to generate one when not interactive"
        )

    def handle(self, *args: Any, username: str, password: str | None, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"找不到用户“{username}”")
        generated = False
        if not password:
            if sys.stdin.isatty():
                password = getpass.getpass("新密码: ")
            else:
                password, generated = secrets.token_urlsafe(12), True
        try:
            actions.do_set_password(None, user, password)
        except ValidationError as e:
            raise CommandError("；".join(e.messages)) from e
        self.stdout.write(f"已设置用户 {username} 的密码，其API令牌已全部撤销")
        if generated:
            self.stdout.write(f"生成的密码：{password}")
