"""The lines that close a report, and reporting kickers: what `service.lone_heads.after_report`
reads (stop 33, i98). A report's closing line is followed by a new article in print, never by a
subhead; a kicker closing on a reporting verb never opens a run of short lines in a body."""

from __future__ import annotations

import re

from service.body_runs import SHORT_MAX
from service.text import ends_paragraph

__all__ = ["TOLD", "report_end"]

# A report's closing line: who attended (王毅、何立峰参加会见。, …赵克志出席。) or the meeting's
# other business (会议还研究了其他事项。).
REPORT_END = re.compile(
    r".*?(?:会议还研究了其他事项|(?:参加|出席|列席|陪同)"
    r"(?:会见|会谈|会议|座谈会|座谈|上述活动|活动|考察|调研)?)。"
)
_CLAUSE = re.compile(r"[。，,；;]")
# What REPORT_END's line ends on before its 。 (事项, 参加…陪同, 会见…调研): most paragraphs end a
# sentence on another character, and the pattern's lazy scan of a long line is not run for them.
_END_BEFORE_STOP = frozenset("项加席同见谈议会动察研")


def report_end(body, at: int) -> bool:
    """`body[at]` closes a report: its other business, or its attendees, several named (、, 等) or
    a whole paragraph of at most 40 characters (王毅参加会见。). On the development months 141
    printed heads stand under such a line; 2 short body lines do (a note in brackets, printed
    twice), 60 paragraphs of running text (a report of several events)."""
    line = body[at].text
    if line[-1:] != "。" or line[-2:-1] not in _END_BEFORE_STOP or not REPORT_END.fullmatch(line):
        return False
    if line.endswith("其他事项。"):
        return True
    last = _CLAUSE.split(line[:-1])[-1]
    whole = at == 0 or ends_paragraph(body[at - 1].text)
    return "、" in last or "等" in last or whole and len(line) <= SHORT_MAX


# A kicker closing on a reporting verb (习近平在…部署会议上强调): 137 printed kickers on the
# development months, no run of two or three short body lines opening on one.
TOLD = ("强调", "指出", "签署通令", "致信", "致电", "回信", "批示", "作出重要指示", "讲话")
