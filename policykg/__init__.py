"""policykg: a knowledge graph of public-policy documents (China's health-care reform first)."""

__version__ = "0.1.0"
