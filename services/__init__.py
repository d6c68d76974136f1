"""Use cases shared by the console pages, the webhook and the sync command line."""
