"""Forms for the organisation tree."""

from __future__ import annotations

from typing import cast

from django import forms

from tianping.lib.pickers import PickerInput, PickField, org_pick_field
from tianping.orgs.models import ALLOWED_PARENTS, Org, OrgKind

FOUNDED_HELP = "可不填；填写后，组织生活自成立之日所在的月份、季度、年度起计算"


def founded_on_field() -> forms.DateField:
    return forms.DateField(
        label="成立日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=FOUNDED_HELP,
    )


class OrgCreateForm(forms.Form):
    kind = forms.ChoiceField(label="类型")
    code = forms.CharField(
        label="代码", max_length=40, help_text="稳定的人工编码，如 BT-JY-B03，创建后用于导入和接口"
    )
    name = forms.CharField(label="名称", max_length=100)
    founded_on = founded_on_field()

    def __init__(self, parent: Org | None, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if parent is None:
            kinds = [k for k in OrgKind if not ALLOWED_PARENTS[k] or k == OrgKind.MID_COURT]
        else:
            kinds = [k for k in OrgKind if parent.kind in ALLOWED_PARENTS[k]]
        cast(forms.ChoiceField, self.fields["kind"]).choices = [(k.value, k.label) for k in kinds]

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip().upper()


class OrgEditForm(forms.Form):
    code = forms.CharField(label="代码", max_length=40)
    name = forms.CharField(label="名称", max_length=100)
    founded_on = founded_on_field()

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip().upper()


class OrgMoveForm(forms.Form):
    parent = org_pick_field(label="新的上级组织", active=True, queryset=Org.objects.none())

    def __init__(self, candidates, kinds, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        parent = cast(PickField, self.fields["parent"])
        parent.queryset = candidates
        # The search offers the kinds that may stand above this one.
        cast(PickerInput, parent.widget).params["kinds"] = ",".join(sorted(kinds))
