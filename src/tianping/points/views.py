"""Points pages: a member's own ledger, a branch's view, the court's rules and settings."""

routes: list = []
