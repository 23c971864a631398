"""发展党员 pages."""

routes: list = []
