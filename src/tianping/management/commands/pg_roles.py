"""`tianping pg-roles --owner ROLE --app ROLE`: on PostgreSQL, serve as a role that owns nothing.

The owner role owns the schema, every table and sequence; migrations run as the owner. The
app role, the one `tianping serve` connects as, may SELECT, INSERT, UPDATE and DELETE on
ordinary tables, only SELECT and INSERT on the append-only ones (the audit log and the
points ledger), and use the sequences. Owning nothing, it cannot TRUNCATE a table, disable
a trigger or alter a table, so the append-only triggers hold against it.

Run it as a superuser (e.g. `postgres`) after `migrate`, and again after each upgrade; it is
idempotent. Every statement runs in one transaction.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from tianping.audit.append_only import APPEND_ONLY

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
APP_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
APPEND_ONLY_PRIVILEGES = "SELECT, INSERT"
# Relations of the schema and the command that hands each kind to its owner; a sequence
# that belongs to a column (serial or identity) follows its table.
RELATIONS = """
SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
  AND NOT EXISTS (
    SELECT 1 FROM pg_depend d
    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')
      AND c.relkind = 'S')
ORDER BY c.relname
"""
ALTER = {
    "r": "TABLE",
    "p": "TABLE",
    "v": "VIEW",
    "m": "MATERIALIZED VIEW",
    "S": "SEQUENCE",
    "f": "FOREIGN TABLE",
}


class Command(BaseCommand):
    help = "PostgreSQL: an owner role for the schema and a serving role that owns nothing."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--owner", required=True, help="the role that owns the schema")
        parser.add_argument("--app", required=True, help="the role tianping serves as")
        parser.add_argument("--owner-password", help="let the owner log in (for migrations)")
        parser.add_argument("--app-password", help="the app role's password")
        parser.add_argument("--schema", default="public")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(
        self,
        *args: Any,
        owner: str,
        app: str,
        owner_password: str | None,
        app_password: str | None,
        schema: str,
        database: str,
        **options: Any,
    ) -> None:
        connection = connections[database]
        if connection.vendor != "postgresql":
            raise CommandError("pg-roles 只适用于 PostgreSQL 数据库")
        for name in (owner, app, schema):
            if not ROLE_NAME.match(name):
                raise CommandError(f"“{name}”不是可用的名称：请用小写字母、数字和下划线")
        if owner == app:
            raise CommandError("所有者角色与应用角色必须是两个不同的角色")
        with transaction.atomic(using=database), connection.cursor() as cursor:
            done = apply_roles(cursor, owner, app, owner_password, app_password, schema)
        self.stdout.write(
            f"已设置：{owner} 拥有模式 {schema} 及其 {done['owned']} 个对象；"
            f"{app} 可读写 {done['tables']} 张表，其中 {done['append_only']} 张只可追加"
        )


def _role(cursor: Any, name: str, password: str | None, login: bool) -> None:
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [name])
    row = cursor.fetchone()
    if row is None:
        cursor.execute(f'CREATE ROLE "{name}" {"LOGIN" if login else "NOLOGIN"}')
    elif row[0]:
        raise CommandError(f"角色“{name}”是超级用户：超级用户不受权限约束，请另建一个角色")
    if login:
        cursor.execute(f'ALTER ROLE "{name}" LOGIN')
    if password:
        # A utility statement takes no parameters: the password goes as a quoted literal.
        cursor.execute("SELECT quote_literal(%s)", [password])
        cursor.execute(f'ALTER ROLE "{name}" PASSWORD {cursor.fetchone()[0]}')


def apply_roles(
    cursor: Any,
    owner: str,
    app: str,
    owner_password: str | None = None,
    app_password: str | None = None,
    schema: str = "public",
) -> dict[str, int]:
    _role(cursor, owner, owner_password, login=bool(owner_password))
    _role(cursor, app, app_password, login=True)
    # The app must not act as the owner through membership.
    cursor.execute(
        "SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid "
        "JOIN pg_roles u ON u.oid = m.member WHERE r.rolname = %s AND u.rolname = %s",
        [owner, app],
    )
    if cursor.fetchone():
        cursor.execute(f'REVOKE "{owner}" FROM "{app}"')

    cursor.execute(f'ALTER SCHEMA "{schema}" OWNER TO "{owner}"')
    cursor.execute(f'REVOKE CREATE ON SCHEMA "{schema}" FROM PUBLIC')
    cursor.execute(f'REVOKE ALL ON SCHEMA "{schema}" FROM "{app}"')
    cursor.execute(f'GRANT USAGE ON SCHEMA "{schema}" TO "{app}"')

    cursor.execute(RELATIONS, [schema])
    relations = cursor.fetchall()
    for name, kind in relations:
        cursor.execute(f'ALTER {ALTER[kind]} "{schema}"."{name}" OWNER TO "{owner}"')

    cursor.execute(f'REVOKE ALL ON ALL TABLES IN SCHEMA "{schema}" FROM "{app}"')
    cursor.execute(f'GRANT {APP_PRIVILEGES} ON ALL TABLES IN SCHEMA "{schema}" TO "{app}"')
    cursor.execute(f'REVOKE ALL ON ALL SEQUENCES IN SCHEMA "{schema}" FROM "{app}"')
    cursor.execute(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "{schema}" TO "{app}"')
    # Tables the owner makes later (migrations) are open to the app the same way.
    cursor.execute(
        f'ALTER DEFAULT PRIVILEGES FOR ROLE "{owner}" IN SCHEMA "{schema}" '
        f'GRANT {APP_PRIVILEGES} ON TABLES TO "{app}"'
    )
    cursor.execute(
        f'ALTER DEFAULT PRIVILEGES FOR ROLE "{owner}" IN SCHEMA "{schema}" '
        f'GRANT USAGE, SELECT ON SEQUENCES TO "{app}"'
    )

    tables = {name for name, kind in relations if kind in ("r", "p")}
    append_only = sorted(t for t in APPEND_ONLY if t in tables)
    for table in append_only:
        cursor.execute(f'REVOKE ALL ON "{schema}"."{table}" FROM "{app}"')
        cursor.execute(f'GRANT {APPEND_ONLY_PRIVILEGES} ON "{schema}"."{table}" TO "{app}"')
    return {"owned": len(relations), "tables": len(tables), "append_only": len(append_only)}
