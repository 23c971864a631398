"""One way to turn a ValidationError into what a page or the API shows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def error_lists(error: ValidationError) -> dict[str, list[str]]:
    """Messages by field name, `__all__` for those of no field: a form's and the API's shape."""
    if hasattr(error, "error_dict"):
        return {name: [str(m) for m in errs] for name, errs in error.message_dict.items()}
    return {NON_FIELD_ERRORS: [str(m) for m in error.messages]}


def add_errors(
    form: forms.BaseForm, error: ValidationError, fields: Mapping[str, str] | None = None
) -> None:
    """An action's ValidationError beside the field it names, else above the form.

    `fields` renames where the action's name for a value differs from the form's.
    """
    for name, errs in error_lists(error).items():
        name = (fields or {}).get(name, name)
        form.add_error(name if name in form.fields else None, errs)


def error_text(errors: ValidationError | Mapping[str, Iterable[object]]) -> str:
    """Every message on one line, as a page's message or the API's `detail` shows them."""
    if isinstance(errors, ValidationError):
        errors = error_lists(errors)
    return "；".join(str(m) for errs in errors.values() for m in errs)
