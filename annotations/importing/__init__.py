"""Importing articles: input formats, safe fetching and the job runner (`run.run_import`)."""
