"""Uploaded sheets between preview and confirm: the form, the folder, the session token,
the write (in the request, or as a task for a big sheet) and the summary it leaves.

The workbook is read once: the check's plan of a clean sheet is kept under MEDIA_ROOT/imports/
named by a random token that only the uploading user's session knows, and the workbook goes.
Confirm writes that kept plan (each import's writer compares it with the data as it is now);
a sheet of at least TIANPING_TASK_ROWS rows is written by a task in `tianping worker`, and
the summary page follows it. Imports of every kind (roster, ledger, pay sheet, organisation
sheet) share this, each under its own session key; the organisation sheet may be held under
no court (`SheetUploadForm.courtless_label`, a global scope only).
"""

from __future__ import annotations

import hashlib
import hmac
import io
import pickle
import re
import secrets
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.module_loading import import_string
from django_tasks import task

from tianping.accounts.scoping import Scope, get_scoped, scoped
from tianping.lib import tasks
from tianping.lib.sheets import (
    ImportResult,
    SheetError,
    match_key,
    report_progress,
    unknown_values,
)
from tianping.orgs.models import Org

# What a preview shows of a checked plan: (plan, court, filename) -> template context. The
# court is an Org, or None only for a form with a `courtless_label`.
Preview = Callable[[Any, Any, str], dict[str, Any]]

# An upload nobody confirmed is removed after a day.
STALE_SECONDS = 24 * 3600
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class SheetUploadForm(forms.Form):
    """A court in the user's scope and an .xlsx file; subclasses name the file.

    A sheet whose rows need not lie in one court (the organisation tree, which may create
    courts) names the choice of no court in `courtless_label`; only a scope over the whole
    platform is offered it. The form knows the uploading user's `scope`, for `params`.
    """

    file_label = "Excel文件"
    file_help = "Excel工作簿（.xlsx），可有标题行"
    courtless_label = ""

    court = forms.ChoiceField(label="法院")
    file = forms.FileField()

    def __init__(
        self, courts: list[Org], *args: Any, scope: Scope | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope
        choices = [(c.code, c.name) for c in courts]
        if self.courtless:
            choices.insert(0, ("", self.courtless_label))
            self.fields["court"].required = False
        cast(forms.ChoiceField, self.fields["court"]).choices = choices
        self.fields["file"].label = self.file_label
        self.fields["file"].help_text = self.file_help

    @property
    def courtless(self) -> bool:
        """Whether this user may upload the sheet under no court."""
        return bool(self.courtless_label) and self.scope is not None and self.scope.is_global

    def params(self) -> dict[str, str]:
        """What the check needs besides the court and the file (a pay sheet's month), as
        text: it is kept with the held upload and given to `parse` as keyword arguments."""
        return {}

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".xlsm")):
            raise forms.ValidationError("请上传Excel工作簿（.xlsx）；旧版.xls请先另存为.xlsx")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("文件超过20MB")
        return upload


def import_dir() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sweep(folder: Path) -> None:
    cutoff = time.time() - STALE_SECONDS
    for stale in [*folder.glob("*.xlsx"), *folder.glob("*.plan")]:
        try:
            if stale.stat().st_mtime < cutoff:
                stale.unlink()
        except OSError:
            pass


def upload_path(token: str) -> Path:
    return import_dir() / f"{token}.xlsx"


def store(upload: Any) -> tuple[str, Path, str]:
    """Keep an uploaded file under a fresh token: (token, where it is, its own name)."""
    folder = import_dir()
    sweep(folder)
    token = secrets.token_urlsafe(18)
    target = upload_path(token)
    with target.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return token, target, Path(upload.name).name


# ---------------------------------------------------------------------------------------
# The checked plan of a clean sheet, kept for confirm so the workbook is read only once


def plan_path(token: str) -> Path:
    return import_dir() / f"{token}.plan"


def _seal(data: bytes) -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), data, hashlib.sha256).digest()


def keep_plan(token: str, plan: Any) -> None:
    """Keep a checked plan for confirm, sealed: only what this server wrote is ever loaded."""
    data = pickle.dumps(plan, protocol=pickle.HIGHEST_PROTOCOL)
    target = plan_path(token)
    partial = target.with_suffix(".part")
    partial.write_bytes(_seal(data) + data)
    partial.replace(target)


def kept_plan(token: str) -> Any | None:
    """The plan kept under `token`, or None when there is none (or it is not ours)."""
    try:
        raw = plan_path(token).read_bytes()
    except OSError:
        return None
    seal, data = raw[:32], raw[32:]
    if not hmac.compare_digest(seal, _seal(data)):
        return None
    return pickle.loads(data)  # noqa: S301 - sealed above with the server's key


def discard(token: str) -> None:
    upload_path(token).unlink(missing_ok=True)
    plan_path(token).unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------
# Progress of a long check or write, polled by the page that started it

PROGRESS_KEY = tasks.PROGRESS_KEY
PHASES = {
    "upload": "正在上传…",
    "check": "正在检查：已读{n}行",
    "queued": "已排队，等待后台写入…",
    "write": "正在写入{n}条记录…",
    "done": "已完成",
    "failed": "写入未完成",
}


@contextmanager
def tracking(request: HttpRequest) -> Iterator[None]:
    """While a request checks or writes a sheet, keep its progress where the page polls it.

    The page sends a random key with the form (`progress`); without one nothing is kept.
    """
    with tasks.tracked(request.user.pk, request.POST.get("progress", "")):
        yield


def progress(request: HttpRequest) -> HttpResponse:
    """The progress of this user's check or write under `?key=` (a form's random key, or
    the token of an upload a task writes), as JSON with its words."""
    key = request.GET.get("key", "")
    if not PROGRESS_KEY.match(key):
        raise Http404  # no such key can exist
    return _progress_json(tasks.read_progress(request.user.pk, key) or {"phase": "upload"})


def _progress_json(data: dict[str, Any]) -> JsonResponse:
    phase, count = data["phase"], data.get("count", 0)
    text = PHASES.get(phase, "").format(n=count) if phase != "check" or count else "正在检查…"
    return JsonResponse({"phase": phase, "count": count, "text": text})


def courts_of(request: HttpRequest) -> list[Org]:
    return list(scoped(request.scope, Org.objects.courts()).order_by("path"))  # type: ignore[attr-defined]


def court_of(request: HttpRequest, code: str) -> Org:
    return get_scoped(request.scope, Org.objects.courts(), code=code)  # type: ignore[attr-defined]


def held_court(request: HttpRequest, code: str) -> Org | None:
    """The court an upload was held under, or None for one held under no court (which
    only a scope over the whole platform may have: anyone else gets 404)."""
    if code:
        return court_of(request, code)
    scope = request.scope  # type: ignore[attr-defined]
    if scope is None or not scope.is_global:
        raise Http404
    return None


def _form(
    request: HttpRequest, form_class: type[SheetUploadForm], *args: Any, **kwargs: Any
) -> SheetUploadForm:
    """An upload form offering the user's courts, knowing the user's scope."""
    return form_class(courts_of(request), *args, scope=request.scope, **kwargs)  # type: ignore[attr-defined]


class PendingUploads:
    """This user's uploads awaiting confirmation, kept in the session under one key."""

    def __init__(self, session_key: str) -> None:
        self.session_key = session_key

    def get(self, request: HttpRequest, token: str) -> dict[str, Any]:
        """The upload under `token`, or 404: a token is useless in anyone else's session."""
        entry = request.session.get(self.session_key, {}).get(token)
        if not entry or entry.get("owner") != request.user.pk:
            raise Http404
        return entry

    def forget(self, request: HttpRequest, token: str) -> None:
        pending = request.session.get(self.session_key, {})
        pending.pop(token, None)
        request.session[self.session_key] = pending

    def hold(
        self,
        request: HttpRequest,
        token: str,
        court: Org | None,
        filename: str,
        *,
        mapping: bool = False,
        params: dict[str, str] | None = None,
        rows: int = 0,
    ) -> None:
        """Keep an upload for this user to confirm (its plan holds `rows` sheet rows), or
        (`mapping`) to map its unknown words, with the form's `params` its check needs again."""
        self.remember(
            request,
            token,
            {
                "owner": request.user.pk,
                "court": court.code if court else "",
                "filename": filename,
                "at": time.time(),
                "mapping": mapping,
                "params": params or {},
                "rows": rows,
            },
        )

    def drop_unmapped(self, request: HttpRequest) -> None:
        """Forget the uploads held only for mapping: the clerk has uploaded another sheet."""
        pending = request.session.get(self.session_key, {})
        for token, entry in list(pending.items()):
            if entry.get("mapping") and "result" not in entry and "task" not in entry:
                discard(token)
                del pending[token]
        request.session[self.session_key] = pending

    def remember(self, request: HttpRequest, token: str, entry: dict[str, Any]) -> None:
        pending = request.session.get(self.session_key, {})
        pending[token] = entry
        request.session[self.session_key] = pending


def upload_form(
    request: HttpRequest,
    form_class: type[SheetUploadForm],
    pending: PendingUploads,
    parse: Callable[..., Any],
    preview: Preview,
    template: str,
    initial: dict[str, Any] | None = None,
) -> tuple[SheetUploadForm, HttpResponse | None]:
    """The upload step every sheet import shares.

    On a valid POST the sheet is checked (nothing written) and the preview is the response;
    a clean sheet is held for confirmation, a faulty one is dropped. Otherwise the form to
    show is returned with no response. `parse(path, court, **form.params())` checks a file;
    `court` is None for a sheet the user uploads under no court (`courtless_label`).
    """
    if request.method != "POST":
        if token := request.GET.get("checked", ""):
            after = _after_check(request, pending, token, preview, template, form_class)
            if after is not None:
                return _form(request, form_class), after
        initial = dict(initial or {})
        if code := request.GET.get("court", ""):
            initial["court"] = court_of(request, code).code
        return _form(request, form_class, initial=initial), None
    # An out-of-scope court is absent, whatever the form would say about it.
    code = request.POST.get("court", "")
    court = court_of(request, code) if code else None
    form = _form(request, form_class, request.POST, request.FILES)
    if (court is None and not form.courtless) or not form.is_valid():
        return form, None
    pending.drop_unmapped(request)
    token, target, filename = store(form.cleaned_data["file"])
    params = form.params()
    parser = _dotted(parse)
    if parser and tasks.runs_as_task(declared_rows(target)):
        # A big sheet is checked by a task; this page follows it and then shows the preview.
        user_id = int(request.user.pk)  # type: ignore[arg-type]
        tasks.write_progress(user_id, token, "check")
        started = check_upload.enqueue(
            token=token,
            user_id=user_id,
            parse=parser,
            court=court.code if court else "",
            params=params,
        )
        pending.hold(request, token, court, filename, params=params)
        entry = pending.get(request, token)
        entry["checking"] = started.id
        if started.is_finished:  # a backend that runs it at once
            entry["checked"] = "done" if started.status == "SUCCEEDED" else "failed"
        pending.remember(request, token, entry)
        return form, redirect(f"{request.path}?checked={token}")
    with tracking(request):
        plan = parse(target, court, **params)
    return form, _checked(
        request,
        pending,
        token,
        target,
        court,
        filename,
        params,
        plan,
        preview,
        template,
        form_class,
    )


def _dotted(parse: Callable[..., Any]) -> str:
    """Where a worker finds `parse`, or "" for a function it cannot import by name."""
    path = f"{parse.__module__}.{parse.__qualname__}"
    return path if path.startswith("tianping.") and "<" not in path else ""


DIMENSION = re.compile(rb'<dimension ref="[A-Z]+\d+(?::[A-Z]+(\d+))?"')
# Without a <dimension> (openpyxl's streaming writer leaves it out), a row of a court's
# sheet takes a few hundred bytes of sheet XML.
ROW_BYTES = 500


def declared_rows(path: Path) -> int:
    """How many rows the workbook says it holds: a hint for where to check it, never trusted
    for reading it (the reader's own limits do that). A sheet's <dimension>, else its size."""
    rows = 0
    try:
        with zipfile.ZipFile(path) as book:
            for info in book.infolist()[:200]:
                name = info.filename
                if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                    continue
                with book.open(info) as part:
                    found = DIMENSION.search(part.read(4096))
                if found:
                    rows = max(rows, int(found.group(1) or 1))
                else:
                    rows = max(rows, info.file_size // ROW_BYTES)
    except Exception:  # noqa: BLE001 - any damage: the check in the request will say what
        return 0
    return rows


@task()
def check_upload(
    *, token: str, user_id: int, parse: str, court: str, params: dict[str, str]
) -> bool:
    """Check the workbook held under `token` for `user_id` (a big one) and keep its plan,
    clean or not, for the page that follows the task to show as the preview."""
    if not parse.startswith("tianping."):
        raise ValueError(f"not an import check: {parse}")
    check: Callable[..., Any] = import_string(parse)
    # In the user's scope (or none, for a global scope): the request checked it.
    org = Org.objects.get(code=court) if court else None
    with tasks.tracked(user_id, token, first="check", keep=True):
        plan = check(upload_path(token), org, **params)
        keep_plan(token, plan)
    return bool(plan.ok)


def _after_check(
    request: HttpRequest,
    pending: PendingUploads,
    token: str,
    preview: Preview,
    template: str,
    form_class: type[SheetUploadForm],
) -> HttpResponse | None:
    """The page of an upload a task is checking: its progress (as JSON, `poll`), then the
    preview. None when the check broke off: the upload form is shown again, with why."""
    entry = pending.get(request, token)
    if "checking" not in entry:
        raise Http404
    court = held_court(request, entry["court"])
    user_id = request.user.pk
    state = entry.get("checked")
    if state is None:
        found = tasks.outcome(entry["checking"], user_id)
        if found is None:
            raise Http404
        if not found.finished:
            if request.GET.get("poll"):
                data = tasks.read_progress(user_id, token) or {"phase": "check", "count": 0}
                return _progress_json(data)
            context = {"court": court, "filename": entry["filename"], "token": token}
            return render(request, "imports/checking.html", context)
        state = found.state
    if request.GET.get("poll"):
        return _progress_json({"phase": state})
    tasks.progress_path(user_id, token).unlink(missing_ok=True)
    plan = kept_plan(token) if state == "done" else None
    if plan is None:
        pending.forget(request, token)
        discard(token)
        messages.error(request, "检查过程中出错，未写入任何数据；请重新上传")
        return None
    return _checked(
        request,
        pending,
        token,
        upload_path(token),
        court,
        entry["filename"],
        entry.get("params", {}),
        plan,
        preview,
        template,
        form_class,
    )


def _checked(
    request: HttpRequest,
    pending: PendingUploads,
    token: str,
    target: Path,
    court: Org | None,
    filename: str,
    params: dict[str, str],
    plan: Any,
    preview: Preview,
    template: str,
    form_class: type[SheetUploadForm],
) -> HttpResponse:
    """The preview of a checked upload: held for confirming when clean, held for mapping
    when it writes words the court has not mapped yet, dropped otherwise. Words are kept
    per court: a sheet checked under no court offers no mapping."""
    context = preview(plan, court, filename)
    problems(context, plan.errors)
    context["declare_value"] = DECLARE
    again = {"court": court.code if court else "", **params}  # another file, as it was
    if plan.ok:
        # Confirm writes this plan: the workbook is not read again.
        keep_plan(token, plan)
        target.unlink(missing_ok=True)
        pending.hold(request, token, court, filename, params=params, rows=plan_rows(plan))
        context["token"] = token
    elif context["unknowns"] and court is not None:
        # The officer maps the unknown words here, and the same file is checked again.
        plan_path(token).unlink(missing_ok=True)
        pending.hold(request, token, court, filename, mapping=True, params=params)
        context["map_token"] = token
        context["form"] = _form(request, form_class, initial=again)
    else:
        # Nothing to confirm: the clerk fixes the sheet and uploads it again.
        discard(token)
        pending.forget(request, token)
        context["form"] = _form(request, form_class, initial=again)
    return render(request, template, context)


def problems(context: dict[str, Any], errors: list[SheetError]) -> None:
    """What the shared preview lists: every unknown word once with its rows, then the rest."""
    context.setdefault("errors", errors)
    context["unknowns"] = unknown_values(errors)
    context["other_errors"] = [e for e in errors if not e.offered]


# The choice, beside the standard values, that keeps an unknown word as the court's own term.
DECLARE = "+new"


def map_values(
    request: HttpRequest,
    token: str,
    form_class: type[SheetUploadForm],
    pending: PendingUploads,
    parse: Callable[..., Any],
    preview: Preview,
    template: str,
    save: Callable[[Any, Org, list[tuple[str, str, str]]], Any],
    declare: Callable[[Any, Org, list[tuple[str, str]]], Any] | None = None,
) -> HttpResponse:
    """The officer maps unknown words of a held upload to standard values, or (`DECLARE`,
    for a word of an open column, when the import can `declare`) keeps it as the court's own
    term; both are kept for the court (`save`, `declare`: audited actions) and the file is
    checked again."""
    entry = pending.get(request, token)
    court = court_of(request, entry["court"])  # a sheet held under no court maps nothing
    source = upload_path(token)
    if not source.is_file() or "result" in entry or "task" in entry:
        pending.forget(request, token)
        raise Http404
    params = entry.get("params", {})
    plan = parse(source, court, **params)
    unknown = {(u.column, u.key): u for u in unknown_values(plan.errors)}
    chosen = []
    declared = []
    for column, value, standard in zip(
        request.POST.getlist("column"),
        request.POST.getlist("value"),
        request.POST.getlist("standard"),
        strict=False,
    ):
        u = unknown.get((column, match_key(value)))
        if u is None:
            continue
        if standard == DECLARE and u.declarable and declare is not None:
            declared.append((u.column, u.value))
        elif standard in u.offered:
            chosen.append((u.column, u.value, standard))
    if chosen:
        save(request.user, court, chosen)
        messages.success(
            request, f"已保存{len(chosen)}项取值对照，下次导入{court.name}的表格时同样适用。"
        )
    if declared:
        declare(request.user, court, declared)  # type: ignore[misc]
        terms = "、".join(f"{column}“{value}”" for column, value in declared)
        messages.success(
            request, f"已新增本院取值：{terms}，下次导入{court.name}的表格时直接接受。"
        )
    if chosen or declared:
        plan = parse(source, court, **params)
    return _checked(
        request,
        pending,
        token,
        source,
        court,
        entry["filename"],
        params,
        plan,
        preview,
        template,
        form_class,
    )


# ---------------------------------------------------------------------------------------
# Confirm: the kept plan written, in the request or (a big sheet) by a task

# What a summary shows when the write itself broke off: the transaction wrote nothing.
BROKEN = {
    "ok": False,
    "errors": [
        SheetError(
            None, "", None, "写入过程中出错，未写入任何数据；请重新上传，或联系管理员"
        ).as_dict()
    ],
}
Writer = Callable[[Any, Any], ImportResult]


def plan_rows(plan: Any) -> int:
    """How many sheet rows a checked plan holds, for the choice of where to write it."""
    result = plan.result()
    return int(result.created + result.updated + result.unchanged)


@task()
def write_upload(*, token: str, user_id: int, writer: str) -> dict[str, Any]:
    """Write the plan kept under `token` for `user_id` with `writer` (the dotted path of an
    import's `(plan, user) -> ImportResult`, which checks the plan against the data as it
    is now and writes all of it or nothing). The result, as JSON, is what the summary shows."""
    if not writer.startswith("tianping."):
        raise ValueError(f"not an import writer: {writer}")
    try:
        plan = kept_plan(token)
        if plan is None:
            return {
                "ok": False,
                "errors": [SheetError(None, "", None, "上传的表格已失效，请重新上传").as_dict()],
            }
        user = get_user_model().objects.get(pk=user_id)
        write: Writer = import_string(writer)
        with tasks.tracked(user_id, token, first="write", keep=True):
            report_progress("write", plan_rows(plan))
            result = write(plan, user)
        return result.as_json()
    finally:
        discard(token)


def confirm(
    request: HttpRequest,
    pending: PendingUploads,
    token: str,
    writer: str,
    summary_route: str,
    *,
    message: str = "",
) -> HttpResponse:
    """Confirm a held upload: a small sheet is written now, a big one by a task in a worker
    (the request does not wait), and either way the browser goes to the summary page,
    which shows the kept result or, while the task writes, its progress. A sheet written
    now says so in `message` (formatted with `court` and the result's counts)."""
    entry = pending.get(request, token)
    where = redirect(summary_route, token=token)
    if "result" in entry or "task" in entry:
        return where  # confirmed already (a second click, or the back button)
    court = held_court(request, entry["court"])  # still in the user's scope
    if entry.get("mapping") or not plan_path(token).is_file():
        pending.forget(request, token)
        discard(token)
        raise Http404
    user_id = int(request.user.pk)  # type: ignore[arg-type]
    if tasks.runs_as_task(entry.get("rows", 0)):
        tasks.write_progress(user_id, token, "queued")
        started = write_upload.enqueue(token=token, user_id=user_id, writer=writer)
        if started.is_finished:  # a backend that runs it at once (tests, TIANPING_TASKS)
            entry["result"] = _kept(started)
        else:
            entry["task"] = started.id
    else:
        with tracking(request):
            entry["result"] = write_upload.call(token=token, user_id=user_id, writer=writer)
    pending.remember(request, token, entry)
    result = entry.get("result")
    if message and result and result.get("ok"):
        where_to = court.name if court else "平台"
        messages.success(request, message.format(court=where_to, **result))
    return where


def _kept(started: Any) -> dict[str, Any]:
    try:
        return dict(started.return_value)
    except ValueError:  # it failed
        return BROKEN


def written(request: HttpRequest, pending: PendingUploads, token: str) -> dict[str, Any]:
    """What a summary page of a confirmed upload shows: `entry`, `court`, `filename`,
    `token`; then `writing` while its task has not finished, or the `result` with, when
    the write was refused, the `errors` (row, column, value) as the preview lists them."""
    entry = pending.get(request, token)
    if "result" not in entry:
        if "task" not in entry:
            raise Http404
        found = tasks.outcome(entry["task"], request.user.pk)
        if found is None:
            raise Http404
        if found.finished:
            entry["result"] = found.value if found.state == "done" else BROKEN
            pending.remember(request, token, entry)
            tasks.progress_path(request.user.pk, token).unlink(missing_ok=True)
    court = held_court(request, entry["court"])
    context: dict[str, Any] = {
        "entry": entry,
        "court": court,
        "filename": entry["filename"],
        "token": token,
    }
    data = entry.get("result")
    if data is None:
        context["writing"] = True
        return context
    errors = [
        SheetError(e.get("row"), e.get("column", ""), e.get("value"), e.get("message", ""))
        for e in data.get("errors", [])
    ]
    context["result"] = ImportResult(
        created=data.get("created", 0),
        updated=data.get("updated", 0),
        unchanged=data.get("unchanged", 0),
        errors=errors,
    )
    problems(context, errors)
    return context


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_download(content: Any, filename: str) -> FileResponse:
    """A workbook (bytes or a file) as a download named `filename`."""
    if isinstance(content, bytes | bytearray):
        content = io.BytesIO(content)
    return FileResponse(content, as_attachment=True, filename=filename, content_type=XLSX)
