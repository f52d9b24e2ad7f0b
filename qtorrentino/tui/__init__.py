"""The Textual app: screens, widgets, bindings and themes over the engine's API."""
