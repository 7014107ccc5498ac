"""Weak-label repair: apply LABELS.md's exclusions and precedence that the title rules missed."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from .corpus import Record

__all__ = ["relabel", "RULES"]

# LABELS.md: education is "not political study campaigns … and not ideological education in the
# army or the party". The weak title rule only excluded a few campaign names, so items about
# 专题教育, 爱国主义教育, 国家安全教育日 and the like were filed as education.
_CAMPAIGN = re.compile(
    r"专题教育|宣传教育|爱国主义教育|国家安全教育|安全教育|党员教育|法治教育|国防教育|警示教育|"
    r"主题教育|学习教育|教育实践|廉政教育|革命传统教育|教育基地|思想政治教育"
)
# …unless the title is also about schools, where the campaign is the school's own business.
_SCHOOL = re.compile(
    r"学校|高校|大学|中小学|幼儿园|学生|教师|高考|中考|开学|招生|校园|职业院校|课程|教材|师生|学子"
)
# LABELS.md precedence: "leadership (if an official's activity is the main subject) > the topic".
# National leaders' letters, instructions and visits about schools were filed as education.
_LEADER = re.compile(
    r"习近平|李克强|李强|张德江|栗战书|赵乐际|汪洋|王沪宁|俞正声|刘云山|王岐山|韩正|蔡奇|丁薛祥|李希"
)
_ACTIVITY = re.compile(
    r"批示|指示|回信|复信|贺信|致信|看望|参观|会见|出席|主持|讲话|强调|考察|调研"
)

RULES = {
    "education->leadership": "title names a national leader and an activity (LABELS.md precedence)",
    "education->other": "title names a political/ideological education campaign, no school word",
}


def relabel(records: Sequence[Record]) -> tuple[list[Record], Counter]:
    """Records with contradicted weak `education` labels moved, and a count per rule."""
    out, moved = [], Counter()
    for r in records:
        new = r.label
        if r.label == "education":
            if _LEADER.search(r.title) and _ACTIVITY.search(r.title):
                new = "leadership"
            elif _CAMPAIGN.search(r.title) and not _SCHOOL.search(r.title):
                new = "other"
        if new != r.label:
            moved[f"{r.label}->{new}"] += 1
            r = replace(r, label=new)
        out.append(r)
    return out, moved
