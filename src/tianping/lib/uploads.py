"""Uploaded sheets waiting between preview and confirm: the form, the folder, the session token.

The file waits under MEDIA_ROOT/imports/ named by a random token that only the uploading
user's session knows; confirm reads it again, and then the file goes. Imports of every kind
(roster, ledger) share this, each under its own session key.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from tianping.accounts.scoping import get_scoped, scoped
from tianping.lib.sheets import SheetError, match_key, progress_to, unknown_values
from tianping.orgs.models import Org

# An upload nobody confirmed is removed after a day.
STALE_SECONDS = 24 * 3600
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class SheetUploadForm(forms.Form):
    """A court in the user's scope and an .xlsx file; subclasses name the file."""

    file_label = "Excel文件"
    file_help = "Excel工作簿（.xlsx），可有标题行"

    court = forms.ChoiceField(label="法院")
    file = forms.FileField()

    def __init__(self, courts: list[Org], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["court"]).choices = [(c.code, c.name) for c in courts]
        self.fields["file"].label = self.file_label
        self.fields["file"].help_text = self.file_help

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
    for stale in [*folder.glob("*.xlsx"), *folder.glob("progress-*.json")]:
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
# Progress of a long check or write, polled by the page that started it

PROGRESS_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
PHASES = {"upload": "正在上传…", "check": "正在检查：已读{n}行", "write": "正在写入{n}条记录…"}


def _progress_file(request: HttpRequest, key: str) -> Path:
    # The user's id in the name: a key is useless to anyone else.
    return import_dir() / f"progress-{request.user.pk}-{key}.json"


@contextmanager
def tracking(request: HttpRequest) -> Iterator[None]:
    """While a request checks or writes a sheet, keep its progress where the page polls it.

    The page sends a random key with the form (`progress`); without one nothing is kept.
    A file, not process memory: the poll may reach another worker.
    """
    key = request.POST.get("progress", "")
    if not PROGRESS_KEY.match(key):
        yield
        return
    path = _progress_file(request, key)

    def sink(phase: str, count: int) -> None:
        partial = path.with_suffix(".part")
        partial.write_text(json.dumps({"phase": phase, "count": count}))
        partial.replace(path)

    sink("check", 0)
    with progress_to(sink):
        try:
            yield
        finally:
            path.unlink(missing_ok=True)


def progress(request: HttpRequest) -> HttpResponse:
    """The progress of this user's check or write under `?key=`, as JSON with its words."""
    key = request.GET.get("key", "")
    if not PROGRESS_KEY.match(key):
        raise Http404  # no such key can exist
    try:
        data = json.loads(_progress_file(request, key).read_text())
    except (OSError, ValueError):
        data = {"phase": "upload", "count": 0}
    phase, count = str(data.get("phase", "")), int(data.get("count", 0))
    text = PHASES.get(phase, "").format(n=count) if phase != "check" or count else "正在检查…"
    return JsonResponse({"phase": phase, "count": count, "text": text})


def courts_of(request: HttpRequest) -> list[Org]:
    return list(scoped(request.scope, Org.objects.courts()).order_by("path"))  # type: ignore[attr-defined]


def court_of(request: HttpRequest, code: str) -> Org:
    return get_scoped(request.scope, Org.objects.courts(), code=code)  # type: ignore[attr-defined]


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
        court: Org,
        filename: str,
        *,
        mapping: bool = False,
        params: dict[str, str] | None = None,
    ) -> None:
        """Keep an upload for this user to confirm, or (`mapping`) to map its unknown words,
        with the form's `params` its check needs again."""
        self.remember(
            request,
            token,
            {
                "owner": request.user.pk,
                "court": court.code,
                "filename": filename,
                "at": time.time(),
                "mapping": mapping,
                "params": params or {},
            },
        )

    def drop_unmapped(self, request: HttpRequest) -> None:
        """Forget the uploads held only for mapping: the clerk has uploaded another sheet."""
        pending = request.session.get(self.session_key, {})
        for token, entry in list(pending.items()):
            if entry.get("mapping") and "result" not in entry:
                upload_path(token).unlink(missing_ok=True)
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
    preview: Callable[[Any, Org, str], dict[str, Any]],
    template: str,
    initial: dict[str, Any] | None = None,
) -> tuple[SheetUploadForm, HttpResponse | None]:
    """The upload step every sheet import shares.

    On a valid POST the sheet is checked (nothing written) and the preview is the response;
    a clean sheet is held for confirmation, a faulty one is dropped. Otherwise the form to
    show is returned with no response. `parse(path, court, **form.params())` checks a file.
    """
    courts = courts_of(request)
    if request.method != "POST":
        initial = dict(initial or {})
        if code := request.GET.get("court", ""):
            initial["court"] = court_of(request, code).code
        return form_class(courts, initial=initial), None
    # An out-of-scope court is absent, whatever the form would say about it.
    code = request.POST.get("court", "")
    court = court_of(request, code) if code else None
    form = form_class(courts, request.POST, request.FILES)
    if court is None or not form.is_valid():
        return form, None
    pending.drop_unmapped(request)
    token, target, filename = store(form.cleaned_data["file"])
    params = form.params()
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


def _checked(
    request: HttpRequest,
    pending: PendingUploads,
    token: str,
    target: Path,
    court: Org,
    filename: str,
    params: dict[str, str],
    plan: Any,
    preview: Callable[[Any, Org, str], dict[str, Any]],
    template: str,
    form_class: type[SheetUploadForm],
) -> HttpResponse:
    """The preview of a checked upload: held for confirming when clean, held for mapping
    when it writes words the court has not mapped yet, dropped otherwise."""
    context = preview(plan, court, filename)
    problems(context, plan.errors)
    again = {"court": court.code, **params}  # the form to upload another file, as it was
    if plan.ok:
        pending.hold(request, token, court, filename, params=params)
        context["token"] = token
    elif context["unknowns"]:
        # The officer maps the unknown words here, and the same file is checked again.
        pending.hold(request, token, court, filename, mapping=True, params=params)
        context["map_token"] = token
        context["form"] = form_class(courts_of(request), initial=again)
    else:
        # Nothing to confirm: the clerk fixes the sheet and uploads it again.
        target.unlink(missing_ok=True)
        pending.forget(request, token)
        context["form"] = form_class(courts_of(request), initial=again)
    return render(request, template, context)


def problems(context: dict[str, Any], errors: list[SheetError]) -> None:
    """What the shared preview lists: every unknown word once with its rows, then the rest."""
    context.setdefault("errors", errors)
    context["unknowns"] = unknown_values(errors)
    context["other_errors"] = [e for e in errors if not e.offered]


def map_values(
    request: HttpRequest,
    token: str,
    form_class: type[SheetUploadForm],
    pending: PendingUploads,
    parse: Callable[..., Any],
    preview: Callable[[Any, Org, str], dict[str, Any]],
    template: str,
    save: Callable[[Any, Org, list[tuple[str, str, str]]], Any],
) -> HttpResponse:
    """The officer maps unknown words of a held upload to standard values; the mappings
    are kept for the court (`save`, an audited action) and the file is checked again."""
    entry = pending.get(request, token)
    court = court_of(request, entry["court"])
    source = upload_path(token)
    if not source.is_file() or "result" in entry:
        pending.forget(request, token)
        raise Http404
    params = entry.get("params", {})
    plan = parse(source, court, **params)
    unknown = {(u.column, u.key): u for u in unknown_values(plan.errors)}
    chosen = []
    for column, value, standard in zip(
        request.POST.getlist("column"),
        request.POST.getlist("value"),
        request.POST.getlist("standard"),
        strict=False,
    ):
        u = unknown.get((column, match_key(value)))
        if u is not None and standard in u.offered:
            chosen.append((u.column, u.value, standard))
    if chosen:
        save(request.user, court, chosen)
        messages.success(
            request, f"已保存{len(chosen)}项取值对照，下次导入{court.name}的表格时同样适用。"
        )
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
