"""Pages of the web dashboard, one module per area. A view reads through `tracker.selectors`, writes
through `tracker.services`, and renders a page, or an HTML fragment when htmx asked for one."""
