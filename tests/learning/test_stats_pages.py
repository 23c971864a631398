"""The training statistics pages and the training-ledger upload, as officers see them."""

from __future__ import annotations

import io

import openpyxl

from tests.learning.test_import_training import GOOD_CLASSES, GOOD_PEOPLE, _book
from tests.learning.test_training_stats import small_world  # noqa: F401 - a fixture
from tianping.learning.models import Enrolment, TrainingClass


def test_the_statistics_page_shows_the_sentence_the_figures_and_the_chart_data(small_world):  # noqa: F811
    response = small_world.client("alice").get("/learning/stats/?org=BT&year=2024")
    assert response.status_code == 200
    html = response.content.decode()
    assert "2024年共组织各类培训2班次,参训6人次" in html
    assert 'id="chart-data"' in html and "echarts" in html
    assert 'id="by-court"' in html and "九原区人民法院" in html
    assert "<script>" not in html  # no inline script: the chart reads the JSON block


def test_a_basic_court_officer_sees_only_their_court(small_world):  # noqa: F811
    client = small_world.client("bob")
    html = client.get("/learning/stats/?year=2024").content.decode()
    assert "2024年共组织各类培训1班次,参训3人次" in html
    assert client.get("/learning/stats/?org=BT&year=2024").status_code == 404


def test_members_and_outsiders_do_not_see_the_statistics(small_world):  # noqa: F811
    assert small_world.client("dave").get("/learning/stats/").status_code == 403
    assert small_world.client("oscar").get("/learning/stats/?org=BT").status_code == 404


def test_drill_down_from_a_figure_lists_its_classes_then_a_class_lists_its_people(small_world):  # noqa: F811
    client = small_world.client("alice")
    html = client.get("/learning/stats/classes/?org=BT&year=2024&kind=business").content.decode()
    assert "JY-01" in html and "BT-01" not in html
    c = TrainingClass.objects.get(code="JY-01")
    html = client.get(f"/learning/stats/people/?org=BT&year=2024&class={c.pk}").content.decode()
    assert all(name in html for name in ("王芳", "赵磊", "孙丽"))
    assert "张华庆" not in html


def test_the_export_is_a_workbook_with_the_totals_and_the_sentence(small_world):  # noqa: F811
    response = small_world.client("erin").get("/learning/stats/export/?org=BT&year=2024")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0] == ("维度", "项目", "班次", "人次", "学时", "政治学时", "政治占比")
    assert rows[1][:4] == ("合计", "包头市中级人民法院", 2, 6)
    assert rows[-1][0] == "2024年共组织各类培训2班次,参训6人次"


def test_an_officer_uploads_a_ledger_previews_it_and_confirms(world):
    client = world.client("bob")
    assert client.get("/learning/stats/import/").status_code == 200
    upload = _book(GOOD_CLASSES, GOOD_PEOPLE)
    upload.name = "培训台账.xlsx"
    response = client.post("/learning/stats/import/", {"court": "BT-JY", "file": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert "检查通过" in html and "JY-2024-01" in html
    assert not TrainingClass.objects.filter(code="JY-2024-01").exists()
    token = response.context["token"]
    response = client.post(f"/learning/stats/import/{token}/confirm/")
    assert response.status_code == 302
    assert TrainingClass.objects.filter(code__startswith="JY-2024").count() == 2
    assert Enrolment.objects.filter(training_class__code="JY-2024-01").count() == 3
    summary = client.get(response["Location"]).content.decode()
    assert 'id="count-created">2<' in summary


def test_a_faulty_ledger_upload_names_every_bad_row_and_writes_nothing(world):
    client = world.client("bob")
    upload = _book(GOOD_CLASSES, [*GOOD_PEOPLE, ["JY-2024-01", "JY9999", "", "x", 0, ""]])
    upload.name = "培训台账.xlsx"
    response = client.post("/learning/stats/import/", {"court": "BT-JY", "file": upload})
    html = response.content.decode()
    assert "未写入任何数据" in html and "JY9999" in html and "学时应为数字" in html
    assert not TrainingClass.objects.filter(code__startswith="JY-2024").exists()


def test_the_import_is_for_officers_who_manage_training(world):
    assert world.client("carol").get("/learning/stats/import/").status_code == 403
    assert world.client("erin").get("/learning/stats/import/").status_code == 403
    response = world.client("alice").get("/learning/stats/import/template/")
    assert response.status_code == 200


def test_the_api_gives_the_clis_document_for_a_court_in_scope(small_world):  # noqa: F811
    import json
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("training_stats", "--org", "BT", "--year", "2024", "--json", stdout=out)
    response = small_world.client("alice").get("/api/v1/learning/stats?org=BT&year=2024")
    assert response.status_code == 200, response.content
    assert response.json() == json.loads(out.getvalue())
    assert small_world.client("oscar").get("/api/v1/learning/stats?org=BT").status_code == 404
    assert small_world.client("dave").get("/api/v1/learning/stats?org=BT").status_code == 403
    assert (
        small_world.client("alice").get("/api/v1/learning/stats?org=BT&year=99").status_code == 422
    )


def test_the_learning_home_card_links_the_statistics_and_the_import_for_those_who_may_use_them(
    world,
):
    html = world.client("alice").get("/learning/").content.decode()
    assert 'id="card-stats"' in html and "/learning/stats/import/" in html
    html = world.client("erin").get("/learning/").content.decode()
    assert "/learning/stats/" in html and "/learning/stats/import/" not in html
    assert 'id="card-stats"' not in world.client("dave").get("/learning/").content.decode()
