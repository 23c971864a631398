"""Log-in, scope switching, the script switch, own account, and role grants."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from tianping.accounts import actions
from tianping.accounts.http import AuthenticatedHttpRequest, LoggedInHttpRequest
from tianping.accounts.middleware import SESSION_GRANT_KEY
from tianping.accounts.models import (
    TOKEN_DEFAULT_DAYS,
    TOKEN_LIFETIME_DAYS,
    ApiToken,
    Role,
    RoleGrant,
    User,
)
from tianping.accounts.permissions import authenticated, public, requires
from tianping.accounts.scoping import get_scoped, grants_for, scoped
from tianping.accounts.throttle import login_rate_limited
from tianping.lib.errors import add_errors
from tianping.lib.pickers import PickerInput, picked_key
from tianping.lib.script import SCRIPT_COOKIE, SIMPLIFIED, TRADITIONAL
from tianping.lib.sheets import employee_no_q
from tianping.orgs.models import Org
from tianping.people.models import Person


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确。连续多次输错将暂时锁定账户。",
        "inactive": "该账户已停用。",
    }


login = public(
    login_rate_limited(
        auth_views.LoginView.as_view(
            template_name="accounts/login.html",
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
        )
    )
)
logout = public(auth_views.LogoutView.as_view())


@public
def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "accounts/403.html", status=403)


# The JSON API answers its errors in JSON, also where Django answers for it (no route).
API_PREFIX = "/api/"


def _api_error(status: int, detail: str) -> HttpResponse:
    return JsonResponse(
        {"detail": detail}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return _api_error(500, "服务器内部错误，请联系管理员")
    # No context processors and no database: the database may be what failed.
    return HttpResponse(loader.get_template("accounts/500.html").render(), status=500)


@public
def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        # Like an object out of scope: /api/v1/people/abc names nobody.
        return _api_error(404, "不存在或不在您的范围内")
    return render(request, "accounts/404.html", status=404)


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or fallback
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


@require_POST
@authenticated
def switch_scope(request: HttpRequest) -> HttpResponse:
    grant_id = request.POST.get("grant", "")
    if not any(str(g.pk) == grant_id for g in grants_for(request.user)):
        raise PermissionDenied("not your grant")
    request.session[SESSION_GRANT_KEY] = int(grant_id)
    # The old page may be out of the new scope; start from the dashboard.
    return redirect("reports:dashboard")


@public
def script(request: HttpRequest, script: str) -> HttpResponse:
    if script not in (SIMPLIFIED, TRADITIONAL):
        return HttpResponse(status=404)
    response = HttpResponseRedirect(_safe_next(request, reverse("reports:dashboard")))
    response.set_cookie(SCRIPT_COOKIE, script, max_age=365 * 24 * 3600, samesite="Lax")
    return response


class PasswordForm(forms.Form):
    old_password = forms.CharField(label="当前密码", widget=forms.PasswordInput)
    new_password = forms.CharField(label="新密码", widget=forms.PasswordInput)

    def __init__(self, user: User, *args, **kwargs) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self) -> str:
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise ValidationError("当前密码不正确")
        return value


class TokenForm(forms.Form):
    name = forms.CharField(label="令牌名称", max_length=50)
    days = forms.TypedChoiceField(
        label="有效期",
        coerce=int,
        choices=[(d, "1年" if d == 365 else f"{d}天") for d in TOKEN_LIFETIME_DAYS],
        initial=TOKEN_DEFAULT_DAYS,
    )


@authenticated
def profile(request: LoggedInHttpRequest) -> HttpResponse:
    user = request.user
    password_form, token_form, new_token = PasswordForm(user), TokenForm(), None
    if request.method == "POST":
        if "new_password" in request.POST:
            password_form = PasswordForm(user, request.POST)
            if password_form.is_valid():
                try:
                    actions.do_set_password(user, user, password_form.cleaned_data["new_password"])
                except ValidationError as e:
                    password_form.add_error("new_password", e)
                else:
                    from django.contrib.auth import update_session_auth_hash

                    update_session_auth_hash(request, user)
                    messages.success(request, "密码已修改，您的API令牌已全部撤销。")
                    return redirect("accounts:profile")
        elif "revoke_token" in request.POST:
            # Tokens are the user's own: the owner is the scope.
            token = ApiToken.objects.filter(user=user, pk=request.POST["revoke_token"]).first()
            if token is not None:
                actions.do_revoke_token(user, token)
                messages.success(request, f"令牌“{token.name}”已撤销。")
            return redirect("accounts:profile")
        else:
            token_form = TokenForm(request.POST)
            if token_form.is_valid():
                _, new_token = actions.do_create_token(
                    user,
                    user,
                    token_form.cleaned_data["name"],
                    days=token_form.cleaned_data["days"],
                )
                messages.success(request, "令牌已创建，请立即复制，它只显示这一次。")
    return render(
        request,
        "accounts/profile.html",
        {
            "password_form": password_form,
            "token_form": token_form,
            "new_token": new_token,
            "tokens": ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by(
                "-created_at"
            ),
            "now": timezone.now(),
            "grants": grants_for(user),
            "breadcrumbs": [("我的账户", None)],
        },
    )


def grantable_roles(request: AuthenticatedHttpRequest) -> list[tuple[str, str]]:
    # Only a platform admin makes platform admins.
    return [(r.value, r.label) for r in Role if r != Role.PLATFORM_ADMIN or request.scope.is_global]


class GrantForm(forms.Form):
    role = forms.ChoiceField(label="角色")
    org_code = forms.CharField(
        label="授权组织代码", max_length=200, widget=PickerInput("orgs:pick", {"active": "1"})
    )

    def __init__(self, request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> None:
        self.request = request
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = grantable_roles(request)

    def clean_org_code(self) -> Org:
        code = picked_key(self.cleaned_data["org_code"])
        org = scoped(self.request.scope, Org.objects.filter(code=code)).first()
        if org is None:
            raise ValidationError(f"在您的范围内找不到代码为“{code}”的组织")
        return org


class UserCreateForm(forms.Form):
    username = forms.CharField(
        label="用户名",
        max_length=150,
        validators=[User.username_validator],
        help_text="字母、数字和 @ . + - _",
    )
    password = forms.CharField(label="初始密码", widget=forms.PasswordInput)
    employee_no = forms.CharField(label="关联人员工号（可选）", max_length=30, required=False)

    def __init__(self, request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> None:
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_employee_no(self) -> Person | None:
        no = self.cleaned_data["employee_no"].strip()
        if not no:
            return None
        matches = list(scoped(self.request.scope, Person.objects.filter(employee_no_q(no)))[:2])
        if len(matches) != 1:
            raise ValidationError(f"在您的范围内找不到唯一的工号“{no}”")
        return matches[0]

    def clean(self) -> dict[str, Any]:
        data = cast(dict[str, Any], super().clean())
        username, password = data.get("username"), data.get("password")
        if username and password:
            # Django's validators, in Chinese, beside the field: too short, too common,
            # all digits, too like the user name.
            try:
                validate_password(password, User(username=username, person=data.get("employee_no")))
            except ValidationError as e:
                self.add_error("password", e.messages)
        return data


# Where an action's error about a model field shows in the form.
# The action names the person; the form asks for a 工号.
USER_FORM_FIELDS = {"person": "employee_no"}


@requires("accounts.view")
def users(request: AuthenticatedHttpRequest) -> HttpResponse:
    qs = (
        scoped(request.scope, User.objects.all())
        .select_related("person")
        .prefetch_related(
            Prefetch(
                "grants",
                queryset=RoleGrant.objects.current().select_related("org"),
                to_attr="current_grants",
            )
        )
    )
    # A NUL byte cannot be compared by PostgreSQL and no one types it.
    q = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    if q:
        qs = qs.filter(
            Q(username__icontains=q) | Q(first_name__contains=q) | Q(person__name__contains=q)
        )
    page = Paginator(qs.order_by("username"), 50).get_page(request.GET.get("page"))
    form = UserCreateForm(request)
    if request.method == "POST" and request.scope.can("accounts.grant"):
        form = UserCreateForm(request, request.POST)
        if form.is_valid():
            try:
                user = actions.do_create_user(
                    request.user,
                    form.cleaned_data["username"],
                    password=form.cleaned_data["password"],
                    person=form.cleaned_data["employee_no"],
                )
            except ValidationError as e:
                add_errors(form, e, USER_FORM_FIELDS)
            else:
                messages.success(request, f"账户“{user.username}”已创建，请为其授予角色。")
                return redirect("accounts:user", pk=user.pk)
    return render(
        request,
        "accounts/users.html",
        {"page": page, "q": q, "form": form, "breadcrumbs": [("账户与授权", None)]},
    )


class PasswordResetForm(forms.Form):
    reset_password = forms.CharField(label="新密码", widget=forms.PasswordInput)


def may_reset_password(scope, target: User) -> bool:
    """Only for an account wholly inside the scope: none of its grants reaches beyond it."""
    if target.pk == scope.user_id or not scope.can("accounts.grant"):
        return False
    grants = RoleGrant.objects.current().filter(user=target).select_related("org")
    return all(
        (g.role != Role.PLATFORM_ADMIN or scope.is_global) and scope.covers_path(g.org.path)
        for g in grants
    )


@requires("accounts.view")
def user_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    target = get_scoped(request.scope, User.objects.select_related("person"), pk=pk)
    form = GrantForm(request)
    reset_form = PasswordResetForm()
    if request.method == "POST" and "reset_password" in request.POST:
        if not may_reset_password(request.scope, target):
            raise PermissionDenied("account reaches beyond the scope")
        reset_form = PasswordResetForm(request.POST)
        if reset_form.is_valid():
            try:
                actions.do_set_password(
                    request.user, target, reset_form.cleaned_data["reset_password"]
                )
            except ValidationError as e:
                reset_form.add_error("reset_password", e)
            else:
                messages.success(request, f"已重置“{target.username}”的密码，其API令牌已全部撤销。")
                return redirect("accounts:user", pk=target.pk)
    elif request.method == "POST":
        request.scope.require("accounts.grant")
        if "revoke" in request.POST:
            grant = get_scoped(
                request.scope, RoleGrant.objects.filter(user=target), pk=request.POST["revoke"]
            )
            actions.do_revoke(request.user, grant)
            messages.success(request, f"已撤销“{grant}”。")
            return redirect("accounts:user", pk=target.pk)
        form = GrantForm(request, request.POST)
        if form.is_valid():
            try:
                grant = actions.do_grant(
                    request.user, target, form.cleaned_data["role"], form.cleaned_data["org_code"]
                )
            except ValidationError as e:
                form.add_error("role", e.messages)
            else:
                messages.success(request, f"已授予“{grant}”。")
                return redirect("accounts:user", pk=target.pk)
    grants = (
        RoleGrant.objects.filter(user=target)
        .select_related("org", "granted_by")
        .order_by("-granted_at")
    )
    return render(
        request,
        "accounts/user_detail.html",
        {
            "target": target,
            "grants": grants,
            "form": form,
            "reset_form": reset_form,
            "may_reset": may_reset_password(request.scope, target),
            "breadcrumbs": [("账户与授权", reverse("accounts:users")), (target.username, None)],
        },
    )
