"""教育培训 in the JSON API, mounted under `/learning`: one router per part."""

from ninja import Router

from tianping.learning.api import quizzes, reading, stats, study, training

router = Router(tags=["教育培训"])
for part in (training, stats, study, reading, quizzes):
    router.add_router("", part.router)
