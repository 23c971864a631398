"""Volunteer pages and API through the client: what each persona sees and what is stored."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl

from tianping.activities.models import Attendance
from tianping.service.models.volunteer import CertificateRule, VolunteerCertificate, VolunteerTeam

from .volunteer_samples import certificate, service, team


def test_a_member_sees_own_hours_and_prints_own_certificate(world):
    cert = certificate(world)
    page = world.client("dave").get("/service/volunteer/mine/?year=2024")
    text = page.content.decode()
    assert page.status_code == 200
    assert "我的志愿服务" in text and "10.0" in text and "志愿服务证书" in text
    printed = world.client("dave").get(f"/service/volunteer/certificates/{cert.pk}/")
    assert printed.status_code == 200 and cert.code in printed.content.decode()
    # Someone else's certificate is out of a member's scope.
    other = VolunteerCertificate.objects.get(person=world.people["wang"], year=2024)
    assert (
        world.client("dave").get(f"/service/volunteer/certificates/{other.pk}/").status_code == 404
    )


def test_the_public_verification_page_shows_whether_a_certificate_stands(world, client):
    cert = certificate(world)
    page = client.get(f"/service/volunteer/verify/{cert.code.lower()}/")
    assert page.status_code == 200 and "赵磊" in page.content.decode()
    assert client.get("/service/volunteer/verify/NOSUCHCODE2/").status_code == 404


def test_a_secretary_records_partial_hours_and_the_team_on_the_service_page(world):
    t = team(world)
    activity = service(world, dt.date(2024, 6, 1), "4", wang="present", zhao="present")
    url = f"/service/volunteer/services/{activity.pk}/"
    response = world.client("carol").post(
        url,
        {
            "team": str(t.pk),
            "beneficiaries": "65",
            "community": "光明社区",
            f"hours-{world.people['zhao'].pk}": "1.5",
            f"hours-{world.people['wang'].pk}": "4.0",
        },
    )
    assert response.status_code == 302
    row = Attendance.objects.get(activity=activity, person=world.people["zhao"])
    assert row.hours == Decimal("1.5")
    assert activity.volunteer_service.beneficiaries == 65
    page = world.client("carol").get(url).content.decode()
    assert "光明社区" in page


def test_a_member_cannot_change_a_service(world):
    activity = service(world, dt.date(2024, 6, 1), "4", zhao="present")
    url = f"/service/volunteer/services/{activity.pk}/"
    assert world.client("dave").post(url, {"beneficiaries": "3"}).status_code == 403


def test_an_officer_adds_a_rule_and_the_year_is_certified_at_once(world):
    service(world, dt.date(2024, 6, 1), "12", wang="present")
    response = world.client("bob").post(
        "/service/volunteer/rules/",
        {"court": "BT-JY", "title": "志愿服务证书", "min_hours": "12"},
    )
    assert response.status_code == 302
    assert CertificateRule.objects.filter(court__code="BT-JY").count() == 1
    assert VolunteerCertificate.objects.filter(person=world.people["wang"], year=2024).exists()
    listing = world.client("bob").get("/service/volunteer/certificates/?year=2024").content.decode()
    assert "王芳" in listing and "年度志愿服务满12小时授予志愿服务证书" in listing


def test_an_officer_creates_a_team_and_adds_a_member_by_employee_number(world):
    response = world.client("bob").post(
        "/service/volunteer/teams/new/",
        {"owner": "BT-JY-B01", "name": "第一党支部志愿服务队", "founded_on": "2023-03-05"},
    )
    made = VolunteerTeam.objects.get(name="第一党支部志愿服务队")
    assert response.status_code == 302 and made.court.code == "BT-JY"
    world.client("bob").post(
        f"/service/volunteer/teams/{made.pk}/members/",
        {"employee_no": "jy0001", "joined_on": "2024-01-02"},
    )
    assert [m.person.name for m in made.members.all()] == ["王芳"]


def test_the_hours_ledger_and_figures_export(world):
    certificate(world)
    page = world.client("alice").get("/service/volunteer/hours/?org=BT&year=2024").content.decode()
    assert "王芳" in page and "赵磊" in page
    sheet = world.client("alice").get("/service/volunteer/export/?org=BT&year=2024")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(sheet.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:4] == ("法院", "志愿服务队", "所属组织", "活动次数")
    assert ("九原区人民法院", "九原区法院青年志愿服务队", "九原区人民法院", 1, 2, 20.0, 120) in rows


def test_the_outsider_sees_none_of_it(world):
    cert = certificate(world)
    oscar = world.client("oscar")
    assert oscar.get(f"/service/volunteer/certificates/{cert.pk}/").status_code == 404
    assert "王芳" not in oscar.get("/service/volunteer/hours/").content.decode()


def test_the_api_gives_the_ledger_a_person_year_and_records_partial_hours(world):
    cert = certificate(world)
    client = world.client("alice")
    ledger = client.get("/api/v1/service/volunteer/hours?org=BT&year=2024").json()
    assert ledger["people"] == 2 and Decimal(ledger["hours"]) == Decimal("20.0")
    year = client.get(
        f"/api/v1/service/volunteer/people/{world.people['zhao'].pk}?year=2024"
    ).json()
    assert year["certificates"][0]["code"] == cert.code
    activity_id = year["services"][0]["activity_id"]
    carol = world.client("carol")
    answer = carol.post(
        f"/api/v1/service/volunteer/services/{activity_id}",
        {"beneficiaries": 10, "hours": [{"person_id": world.people["zhao"].pk, "hours": "4"}]},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    # 4 hours is below the 10-hour rule: revoked, kept.
    cert.refresh_from_db()
    assert cert.revoked_on is not None
    bad = carol.post(
        f"/api/v1/service/volunteer/services/{activity_id}",
        {"hours": [{"person_id": world.people["zhao"].pk, "hours": "99"}]},
        content_type="application/json",
    )
    assert bad.status_code == 422
