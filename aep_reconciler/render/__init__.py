"""Data to text, JSON and Markdown: plans, drift reports, apply events. No I/O, bar the
printers of render.events that write apply events to stdout and stderr."""
