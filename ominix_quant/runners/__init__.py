"""Runners: models ready to generate and be timed (`runners.llm`)."""
