"""The JSON API at /api/v1/: one NinjaAPI, a router per app, token or session auth.

Conventions every router follows:

- Authentication is global: `Authorization: Bearer tp_…` (an API token) or the web session
  (unsafe methods then need the `X-CSRFToken` header). Anonymous callers get 401. The
  header `X-Tianping-Grant: <id>` picks one of the caller's current grants as the scope;
  a grant that is not theirs is 403.
- Each operation declares the capability it needs with `@requires("people.view")` from
  `tianping.accounts.api`, placed below the router decorator. The decorator enforces it
  and records it in the schema as `"x-capability"` on the operation, so a test can read
  `/api/v1/openapi.json` and know what every route needs. The values are the
  capabilities of `accounts.scoping.CAPABILITIES`, plus `"authenticated"` for routes any
  signed-in user may call. A missing capability is 403, checked before any lookup.
- Every read goes through `accounts.scoping.scoped`/`get_scoped`, every write through an
  app's `actions`. Objects outside the scope answer 404, exactly like absent ones.
- Lists answer `{"count": n, "items": [...]}` and take `limit` and `offset`.
- Errors answer `{"detail": "…"}` in Chinese; invalid input is 422 with
  `"errors": {"field": ["…"]}` as well.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.datastructures import MultiValueDict
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as RequestValidationError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.types import DictStrAny

from tianping.accounts.api import SessionAuth, TokenAuth, TokenExpired
from tianping.accounts.api import router as accounts_router
from tianping.activities.api import compliance_router
from tianping.activities.api import router as activities_router
from tianping.committees.api import router as committees_router
from tianping.dues.api import router as dues_router
from tianping.learning.api import router as learning_router
from tianping.lib.errors import error_lists, error_text
from tianping.lib.inputs import NUL, NUL_FREE, contains_nul
from tianping.orgs.api import router as orgs_router
from tianping.people.api import members_router
from tianping.people.api import router as people_router
from tianping.points.api import router as points_router
from tianping.recruitment.api import router as recruitment_router
from tianping.service.api import router as service_router
from tianping.talent.api import router as talent_router


class ChineseJSONRenderer(JSONRenderer):
    # Plain UTF-8, so a response read in a terminal or a log says 张华庆, not \u5f20.
    json_dumps_params = {"ensure_ascii": False}


NUL_MESSAGE = "不能包含空字符（\\x00）"


class NulInBody(ValueError):
    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field or "body"


class NulFreeParser(Parser):
    """Ninja's parser, refusing a NUL byte anywhere in the query string or the JSON body.

    PostgreSQL cannot store or compare U+0000; checked here, every route answers 422 naming
    the field before a value reaches a query, whatever type the route declared for it.
    """

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> DictStrAny:
        for key in data:
            if NUL in key or any(isinstance(v, str) and NUL in v for v in data.getlist(key)):
                where = "form" if data is request.POST else "query"
                raise RequestValidationError(
                    [{"type": "nul_byte", "loc": (where, key.replace(NUL, "")), "msg": NUL_MESSAGE}]
                )
        return super().parse_querydict(data, list_fields, request)

    def parse_body(self, request: HttpRequest) -> DictStrAny:
        data = super().parse_body(request)
        field = contains_nul(data)
        if field is not None:
            # Ninja turns any error of the body parser into "Cannot parse request body";
            # `http_error` finds this one behind it.
            raise NulInBody(field.replace(NUL, ""))
        return data


api = NinjaAPI(
    title="天平 Tianping API",
    version="1.0.0",
    description=__doc__,
    urls_namespace="api",
    docs_url="/docs",
    auth=[TokenAuth(), SessionAuth()],
    renderer=ChineseJSONRenderer(),
    parser=NulFreeParser(),
)

api.add_router("/", accounts_router)
api.add_router("/orgs", orgs_router)
api.add_router("/orgs", members_router)
api.add_router("/people", people_router)
api.add_router("/activities", activities_router)
api.add_router("/compliance", compliance_router)
api.add_router("/points", points_router)
api.add_router("/committees", committees_router)
api.add_router("/recruitment", recruitment_router)
api.add_router("/dues", dues_router)
api.add_router("/learning", learning_router)
api.add_router("/service", service_router)
api.add_router("/talent", talent_router)


def _error(request: HttpRequest, status: int, detail: str, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"detail": detail, **extra}, status=status)


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = error_lists(exc)
    return _error(request, 422, error_text(errors), errors=errors)


# Pydantic's messages are English; the caller reads Chinese.
_PYDANTIC_MESSAGES = {
    "missing": "此项必填",
    "enum": "取值无效，可选：{expected}",
    "literal_error": "取值无效，可选：{expected}",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_inexact": "日期格式应为 YYYY-MM-DD",
    "date_type": "日期格式应为 YYYY-MM-DD",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "string_type": "应为文本",
    "string_too_short": "不能为空",
    "string_too_long": "不能超过{max_length}个字符",
    "too_long": "最多{max_length}项",
    "greater_than_equal": "不能小于{ge}",
    "less_than_equal": "不能大于{le}",
    "greater_than": "应大于{gt}",
    "less_than": "应小于{lt}",
    "decimal_max_places": "最多{decimal_places}位小数",
    "decimal_max_digits": "最多{max_digits}位数字",
    "decimal_parsing": "应为数字",
    "time_parsing": "时间格式应为 HH:MM",
    "extra_forbidden": "不支持此字段",
    "json_invalid": "请求体不是有效的 JSON",
    "model_attributes_type": "请求体应为 JSON 对象",
    "dict_type": "请求体应为 JSON 对象",
    "nul_byte": NUL_MESSAGE,
    "date_out_of_range": "日期应在{first}至{last}之间",
    "month_out_of_range": "月份应在{first}-01至{last}-12之间",
    "time_type": "时间格式应为 HH:MM",
    "string_pattern_mismatch": "格式不正确",
    "int_from_float": "应为整数",
    "decimal_type": "应为数字",
    "finite_number": "应为有限的数字",
    "list_type": "应为列表",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
}


def _field_name(loc: list[Any] | tuple[Any, ...]) -> str:
    # ("query", "limit") and ("body", "payload", "birth_date"): keep what the caller sent.
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[2:] or ["body"]
    elif parts and parts[0] in ("query", "path", "header", "cookie", "form"):
        parts = parts[1:] or parts[:1]
    return ".".join(parts)


@api.exception_handler(RequestValidationError)
def invalid_request(request: HttpRequest, exc: RequestValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        template = _PYDANTIC_MESSAGES.get(str(error.get("type")), "取值无效")
        ctx = dict(error.get("ctx") or {})
        if ctx.get("pattern") == NUL_FREE:
            template = NUL_MESSAGE
        if "expected" in ctx:
            # "'judge', 'clerk' or 'admin_staff'" becomes "judge、clerk、admin_staff".
            choices = str(ctx["expected"]).replace(" or ", ", ").split(", ")
            ctx["expected"] = "、".join(c.strip("'\"") for c in choices)
        try:
            message = template.format(**ctx)
        except (KeyError, IndexError):
            message = template
        errors.setdefault(_field_name(error.get("loc", ())), []).append(message)
    detail = "；".join(f"{field}：{m}" for field, messages in errors.items() for m in messages)
    return _error(request, 422, detail, errors=errors)


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, "无权执行此操作")


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "不存在或不在您的范围内")


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    detail = "未登录或API令牌无效：请登录，或在请求头中附上 Authorization: Bearer <令牌>"
    if isinstance(exc, TokenExpired):
        detail = str(exc)
    response = _error(request, 401, detail)
    response["WWW-Authenticate"] = 'Bearer realm="tianping"'
    return response


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    detail = str(exc)
    if detail.startswith("Cannot parse request body"):
        # Invalid input like any other: 422 with the field it concerns.
        if isinstance(exc.__cause__, NulInBody):
            field, message = exc.__cause__.field, NUL_MESSAGE
        else:
            field, message = "body", "请求体不是有效的 JSON"
        return _error(request, 422, f"{field}：{message}", errors={field: [message]})
    return _error(request, exc.status_code, detail)
