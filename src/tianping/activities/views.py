"""Activity pages: list, plan, record as held with attendance, correct, cancel, evidence, calendar."""

routes: list = []
