"""One screen per module: the six sections, the ticket and event details, the wizard, help and modals."""
