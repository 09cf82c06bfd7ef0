"""policykg.graph (see the issues for what lands here)."""
