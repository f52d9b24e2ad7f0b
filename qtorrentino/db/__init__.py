"""SQLite through peewee: models, migrations and the one-writer discipline."""
