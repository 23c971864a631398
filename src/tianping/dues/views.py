"""党费 pages."""

routes: list = []
