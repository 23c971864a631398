"""支部委员会与换届 pages."""

routes: list = []
