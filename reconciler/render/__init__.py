"""Data to text, JSON and Markdown, no I/O: plans, drift reports, apply events."""
