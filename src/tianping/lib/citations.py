"""The regulations behind each rule, named as a court cites them: the words a page shows for R1.3.

Rule ids (R1.3, D7) belong to code and tests; a court user reads 《…》第N条. Where the
article of a rule is not settled among the published texts, the chapter or the regulation
is named instead of a guessed number.
"""

from __future__ import annotations

import re

CHARTER = "《中国共产党章程》"
BRANCH_RULES = "《中国共产党支部工作条例（试行）》"
ORGAN_RULES = "《中国共产党党和国家机关基层组织工作条例》"
ELECTION_RULES = "《中国共产党基层组织选举工作条例》"
RECRUITMENT_RULES = "《中国共产党发展党员工作细则》"
CENTER_GROUP_RULES = "《中国共产党党委（党组）理论学习中心组学习规则》"
DUES_RULES = "中共中央组织部《关于中国共产党党费收缴、使用和管理的规定》"
BURDEN_RULES = "《整治形式主义为基层减负若干规定》"
JUDGES_LAW = "《中华人民共和国法官法》"

CITATIONS: dict[str, str] = {
    "R1.1": f"{BRANCH_RULES}第二章",
    "R1.2": f"{CHARTER}第三十条、{ORGAN_RULES}",
    "R1.3": f"{BRANCH_RULES}第六章",
    "R1.4": f"{BRANCH_RULES}第六章、{ELECTION_RULES}",
    "R1.5": f"{BRANCH_RULES}第四章",
    "R1.6": f"{BRANCH_RULES}关于民主评议党员的规定",
    "R1.7": CENTER_GROUP_RULES,
    "R2.1": f"{CHARTER}第一条",
    "R2.2": f"{RECRUITMENT_RULES}第七条",
    "R2.3": f"{RECRUITMENT_RULES}第十一条",
    "R2.4": f"{RECRUITMENT_RULES}第十三条",
    "R2.5": f"{RECRUITMENT_RULES}第十四条至第十七条",
    "R2.6": f"{RECRUITMENT_RULES}第四章",
    "R2.7": f"{CHARTER}第七条、{RECRUITMENT_RULES}第五章",
    "R2.8": f"{RECRUITMENT_RULES}关于公示的规定",
    "R3.1": DUES_RULES,
    "R3.2": DUES_RULES,
    "R3.3": DUES_RULES,
    "R4.1": "本院党员积分管理办法",
    "R4.2": BURDEN_RULES,
    "R4.3": "本院党员积分管理办法",
    "R5.1": f"{JUDGES_LAW}第四十条",
}
RULE_ID = re.compile(r"(?<![A-Za-z0-9_-])R[1-7]\.[0-9]+(?![0-9])")


def cite(rule: str) -> str:
    """The regulation a court user would name for a rule id."""
    return CITATIONS[rule]


def cited(text: str) -> str:
    """Text with every rule id in it replaced by the regulation it stands for."""
    return RULE_ID.sub(lambda m: CITATIONS.get(m.group(0), m.group(0)), text)
