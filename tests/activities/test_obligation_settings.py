"""A court's own frequency for the configurable obligations (R1.5), and what compliance makes of it."""

import datetime as dt

from tianping.activities.compliance import compliance
from tianping.activities.models import ObligationSetting
from tianping.audit.models import AuditEvent


def lecture_rows(world):
    report = compliance(world.org("BT-JY"), 2024, dt.date(2024, 12, 31))
    rows = report.rows if hasattr(report, "rows") else report["rows"]
    return [r for r in rows if (r.kind if hasattr(r, "kind") else r["kind"]) == "party_lecture"]


def test_the_party_office_sets_the_party_lecture_to_monthly_R1_5(world):
    client = world.client("bob")
    page = client.get("/activities/compliance/settings/?court=BT-JY").content.decode()
    assert "党课" in page and "每季度1次" in page
    response = client.post(
        "/activities/compliance/settings/",
        {"court": "BT-JY", "obligation": "party_lecture", "period": "month", "count": "1"},
    )
    assert response.status_code == 302
    setting = ObligationSetting.objects.get(court__code="BT-JY", obligation="party_lecture")
    assert (setting.period, setting.count) == ("month", 1)
    assert AuditEvent.objects.filter(action="activities.obligation").exists()


def test_a_statutory_obligation_cannot_be_changed(world):
    world.client("bob").post(
        "/activities/compliance/settings/",
        {"court": "BT-JY", "obligation": "branch_committee", "period": "year", "count": "1"},
    )
    assert not ObligationSetting.objects.exists()


def test_the_default_frequency_removes_the_courts_own(world):
    client = world.client("bob")
    client.post(
        "/activities/compliance/settings/",
        {"court": "BT-JY", "obligation": "party_lecture", "period": "month", "count": "2"},
    )
    client.post(
        "/activities/compliance/settings/",
        {"court": "BT-JY", "obligation": "party_lecture", "period": "quarter", "count": "1"},
    )
    assert not ObligationSetting.objects.exists()


def test_a_secretary_cannot_change_frequencies(world):
    assert world.client("carol").get("/activities/compliance/settings/").status_code == 403


def test_the_outsider_gets_404_for_our_court(world):
    from tianping.accounts.actions import do_grant
    from tianping.accounts.middleware import SESSION_GRANT_KEY

    grant = do_grant(None, world.users["oscar"], "party_office", world.org("EH"))
    client = world.client("oscar")
    session = client.session
    session[SESSION_GRANT_KEY] = grant.pk
    session.save()
    assert client.get("/activities/compliance/settings/?court=BT-JY").status_code == 404
    assert client.get("/activities/compliance/settings/?court=EH").status_code == 200


def test_d5_a_court_may_count_heart_talks_once_a_year_and_restore_the_pairs(world):
    from tianping.activities.models import ObligationSetting
    from tianping.audit.models import AuditEvent

    client = world.client("bob")
    url = "/activities/compliance/settings/?court=BT-JY"
    form = {"court": "BT-JY", "obligation": "heart_talk", "period": "year", "count": "1"}
    client.post(url, form)
    setting = ObligationSetting.objects.get(court=world.org("BT-JY"), obligation="heart_talk")
    assert (setting.period, setting.count) == ("year", 1)
    event = AuditEvent.objects.filter(action="activities.obligation").first()
    assert (event.before, event.after) == ({"frequency": "每年逐对核对"}, {"frequency": "每年1次"})
    page = client.get(url).content.decode()
    assert "恢复默认" in page
    client.post(url, {**form, "restore": "1"})
    assert not ObligationSetting.objects.filter(obligation="heart_talk").exists()
    assert AuditEvent.objects.filter(action="activities.obligation").first().after == {
        "frequency": "每年逐对核对"
    }
