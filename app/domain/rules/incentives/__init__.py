"""One module per incentive; each exposes ``RULE``."""
