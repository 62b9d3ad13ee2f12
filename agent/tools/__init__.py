"""Narrow tools the agent may use, each validated before it runs and retried by one policy."""
