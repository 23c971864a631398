"""The health page's committee and term items: what this module records, in activities' words.

Registered with `activities.committee_hooks` at start-up (apps.py), since activities stands
above committees in DESIGN.md's layering and may not import it.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from tianping.accounts.scoping import Scope
from tianping.activities.committee_hooks import Check, worst_level
from tianping.activities.compliance import COMMITTEE_THRESHOLD, SOURCES
from tianping.committees.models import COMMITTEE_KINDS
from tianping.committees.queries import committee_status
from tianping.orgs.models import Org, OrgKind

COMMITTEE_BODIES: dict[str, str] = {
    OrgKind.BRANCH: "支部委员会",
    OrgKind.GENERAL_BRANCH: "党总支委员会",
    OrgKind.PARTY_COMMITTEE: "党委委员会",
}


def health_checks(
    org: Org, day: dt.date, scope: Scope, full: int, months: list[int]
) -> list[Check]:
    """The committee and its term as this module records them (R1.3, R1.4), for the health page."""
    if org.kind not in COMMITTEE_KINDS:
        return []
    status = committee_status(org, day)
    on = f"{status.on:%Y年%m月%d日}"
    body = COMMITTEE_BODIES.get(org.kind, "支部委员会")
    link = None
    if scope.can("membership.view"):
        link = ("查看支部委员会与换届记录", reverse("committees:branch", args=[org.code]))
    lines: list[str] = []
    if org.kind == OrgKind.BRANCH:
        must = full >= COMMITTEE_THRESHOLD
        lines.append(
            f"正式党员{full}名，"
            + (
                "应设立支部委员会（委员3至5名，最多不超过7名：书记、组织委员、宣传委员、纪检委员，可设副书记）。"
                if must
                else "不足7名，不设支部委员会，设书记1名，必要时设副书记1名。"
            )
        )
        if months and len(months) < 12:
            lines.append(
                "本年度应召开支委会的月份："
                + "、".join(f"{m}月" for m in months)
                + "（按各月末正式党员人数计）。"
            )
    if status.members:
        lines.append(f"截至{on}，现任：" + "、".join(str(m) for m in status.members) + "。")
    elif status.term is None:
        lines.append(
            f"尚未登记{body}（书记）的选举结果；在“支委会与换届”登记后，委员名单在此显示。"
        )
    else:
        lines.append(f"截至{on}，本届委员会没有在任委员。")
    committee_alerts = [a for a in status.warnings if a.rule != "R1.4"]
    lines += [a.text for a in committee_alerts]
    committee = Check(
        "committee",
        body,
        SOURCES["committee"],
        worst_level([a.level for a in committee_alerts], "ok" if status.members else "info"),
        lines,
        link,
    )
    years = "5年" if org.kind == OrgKind.PARTY_COMMITTEE else "3年"
    term_lines = [
        f"{body}每届任期{years}，到期应按期换届；经批准可延期或提前，一般不超过1年；到期前90天提醒。"
    ]
    term = status.term
    if term is None:
        term_lines.append(
            "尚未登记换届选举，任期无从计算；换届选举记录随支部委员会模块登记（“支委会与换届”）。"
        )
    else:
        term_lines.append(
            f"本届于{term.elected_on:%Y年%m月%d日}选举产生，任期{term.years}年，"
            f"{term.ends_on:%Y年%m月%d日}届满。"
        )
        if term.postponed_to is not None:
            approved = term.postponement_approved_by or "上级党组织"
            reason = f"（{term.postponement_reason}）" if term.postponement_reason else ""
            term_lines.append(
                f"经{approved}批准，换届延期至{term.postponed_to:%Y年%m月%d日}{reason}。"
            )
        days = status.days_to_due
        if days is not None and days >= 0:
            term_lines.append(f"截至{on}，距应换届日期{status.due_on:%Y年%m月%d日}还有{days}天。")
    term_alerts = [a for a in status.warnings if a.rule == "R1.4"]
    term_lines += [a.text for a in term_alerts]
    return [
        committee,
        Check(
            "term",
            "任期与换届",
            SOURCES["term"],
            worst_level([a.level for a in term_alerts], "ok" if term is not None else "info"),
            term_lines,
            link,
        ),
    ]
