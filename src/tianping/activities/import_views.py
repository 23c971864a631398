"""The activity-ledger (台账) import in the web: upload, preview, confirm, summary."""

routes: list = []
