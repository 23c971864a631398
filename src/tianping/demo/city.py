"""The demo city's steps: what every data set gets, and the records of every module on top.

`tianping generate` builds `builder.STEPS` only, so the benchmark profiles stay as fast as
they were; the demo plans its committees before the records are drawn (their elections and talks are
records too), adds the party's files (recruitment, committees, dues, last year's democratic
reviews) after them, and its log-ins; each step draws from a generator of its own.
"""

from __future__ import annotations

from tianping.demo.activities import add_activities
from tianping.demo.brands import add_brands
from tianping.demo.builder import Step, add_roster, refresh_statistics
from tianping.demo.committees import add_committees, plan_committees
from tianping.demo.community import add_community
from tianping.demo.competitions import add_competitions
from tianping.demo.dues import add_dues
from tianping.demo.honours import add_honours
from tianping.demo.liaison import add_liaison
from tianping.demo.logins import add_demo_logins
from tianping.demo.pools import add_pools
from tianping.demo.quizzes import add_quizzes
from tianping.demo.reading import add_reading
from tianping.demo.recruitment import add_recruitment
from tianping.demo.reviews import add_reviews
from tianping.demo.study import add_study
from tianping.demo.training import add_training
from tianping.demo.training_credits import refresh_training_credits
from tianping.demo.typing import add_typing
from tianping.demo.volunteer import add_volunteer_demo

DEMO_STEPS: list[Step] = [
    add_roster,
    plan_committees,
    add_activities,
    add_recruitment,
    add_committees,
    add_dues,
    add_reviews,
    add_training,
    add_study,
    add_reading,
    add_quizzes,
    add_volunteer_demo,
    add_community,
    add_liaison,
    add_brands,
    add_honours,
    add_pools,
    add_competitions,
    add_typing,
    refresh_training_credits,
    refresh_statistics,
    add_demo_logins,
]
