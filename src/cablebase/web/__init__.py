"""The reading room: a FastAPI app with HTML pages and a JSON API over one archive.

app.py        create_app(): the application, its archive, templates and static files
api.py        /api: search with facets, cable by id, references, stats, streamed export
pages.py      HTML pages: search, cable, browse, stats, citation graph
templates/    Jinja2 templates;  static/  CSS, JS and fonts served by the app (no CDN)
"""
