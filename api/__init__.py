"""policykg.api (see the issues for what lands here)."""
