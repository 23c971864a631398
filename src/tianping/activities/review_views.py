"""Democratic review (民主评议党员, R1.6) pages."""

routes: list = []
