"""The findings store: SQLAlchemy over SQLite (default) or PostgreSQL."""
