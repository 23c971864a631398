"""Which roster columns a court may give terms of its own, and which it may not, and why.

A court's roster may write a value no standard list has (正科级 in 职务层级). The officer
maps it to a standard value, or — for a column no rule reads — declares it the court's own
term (orgs.models.CourtTerm): the person's field then stores the term itself. A column a
rule reads stays closed: 人员类别 decides appraisal lines and head-counts, 政治面貌 decides
membership (organisational life, dues), 状态 decides who is serving and so compliance, and
性别, 法官等级 and 警衔 are fixed lists.

职务层级, 学历, 学位, 职级 and 民族 only describe a person: the person page, the exports and
the workforce profile show a court's own term as it is (the profile counts a 职务层级 term
neither as 正职 nor as 副职).
"""

from __future__ import annotations

from tianping.orgs.mappings import terms_of
from tianping.orgs.models import Org

# Column → the Person field it fills.
OPEN_COLUMNS: dict[str, str] = {
    "职务层级": "post_level",
    "学历": "education",
    "学位": "degree",
    "职级": "civil_rank",
    "民族": "ethnicity",
}
CLOSED_BECAUSE: dict[str, str] = {
    "人员类别": "人员类别决定考核序列和人员统计口径，只能对照为规定的类别",
    "政治面貌": "政治面貌决定是否为党员，关系组织生活和党费，只能对照为规定的取值",
    "状态": "状态决定是否在职在册，关系组织生活要求的计算，只能对照为规定的取值",
    "性别": "性别只能为男或女",
    "法官等级": "法官等级由《中华人民共和国法官法》规定，只能对照为法定等级",
    "警衔": "警衔由《人民警察警衔条例》规定，只能对照为法定警衔",
}
CLOSED_DEFAULT = "此列的取值由系统规则读取，只能对照为标准值"
# A term is stored in the person's field, which holds at most this many characters.
TERM_MAX = 20


def closed_because(column: str) -> str:
    """Why `column` takes no term of its own, or "" when it does."""
    if column in OPEN_COLUMNS:
        return ""
    return CLOSED_BECAUSE.get(column, CLOSED_DEFAULT)


def own_terms(court: Org) -> dict[str, list[str]]:
    """The court's own terms (and those of the courts above it) by Person field."""
    found: dict[str, list[str]] = {}
    for column, term in terms_of(court).values_list("column", "term"):
        if field := OPEN_COLUMNS.get(column):
            if term not in found.setdefault(field, []):
                found[field].append(term)
    return found
