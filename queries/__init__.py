"""policykg.queries (see the issues for what lands here)."""
