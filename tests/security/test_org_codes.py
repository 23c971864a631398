"""An attacker names an organisation with a code a URL or a script would read otherwise.

A code with "/" once made every page that links the organisation answer 500; a quote could
break out of a page's script. Codes are letters, digits and single hyphens, wherever an
organisation is made: the page, the API and the org sheet.
"""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

from tests.people.sheets import xlsx
from tianping.orgs.actions import do_create_org
from tianping.orgs.models import Org, OrgKind

HOSTILE = ["BT-JY/B09", "BT JY", "B09'", 'B09"</script>', "B09\\", "-B09", "B--09", "支部"]


@pytest.mark.parametrize("code", HOSTILE)
def test_the_action_refuses_a_code_that_is_not_letters_digits_and_hyphens(world, code) -> None:
    with pytest.raises(ValidationError) as error:
        do_create_org(
            world.users["bob"],
            code=code,
            name="第九党支部",
            kind=OrgKind.BRANCH,
            parent=world.org("BT-JY-JGDW"),
        )
    assert "只能由字母、数字和连字符" in str(error.value.message_dict["code"])
    assert not Org.objects.filter(code=code).exists()


def test_the_api_answers_422_not_500_for_a_slash_in_a_code(world) -> None:
    client = world.client("bob")
    response = client.post(
        "/api/v1/orgs",
        json.dumps(
            {"code": "BT-JY/B09", "name": "第九党支部", "kind": "branch", "parent": "BT-JY-JGDW"}
        ),
        content_type="application/json",
    )
    assert response.status_code in (400, 422), response.content
    assert not Org.objects.filter(code="BT-JY/B09").exists()


def test_the_org_sheet_names_the_row_column_and_value_of_a_bad_code(world) -> None:
    from tianping.orgs.importing import import_orgs

    sheet = xlsx(
        [["代码", "名称", "类型", "上级代码"], ["BT-JY/B09", "第九党支部", "党支部", "BT-JY-JGDW"]]
    )
    result = import_orgs(sheet, world.users["admin"])
    assert not result.ok
    (error,) = result.errors
    assert (error.row, error.column, error.value) == (2, "代码", "BT-JY/B09")
    assert not Org.objects.filter(code="BT-JY/B09").exists()
